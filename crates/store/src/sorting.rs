//! The order a person chose for a list (`sort=name`, `sort=-updated`): a key the list offers and
//! a direction, turned here into an ORDER BY of known columns only (never text from a request).

/// One list order: the key (as the list names it) and whether it runs from the largest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Order {
    pub key: &'static str,
    pub desc: bool,
}

impl Order {
    pub fn new(key: &'static str, desc: bool) -> Order {
        Order { key, desc }
    }

    /// The ORDER BY of this order: the column that `columns` gives its key, then `tie` (a
    /// unique column) in the same direction, so that pages never overlap. `None` when the key
    /// is not one of the list's.
    pub fn sql(&self, columns: &[(&str, &str)], tie: &str) -> Option<String> {
        let (_, column) = columns.iter().find(|(k, _)| *k == self.key)?;
        let dir = if self.desc { " DESC" } else { "" };
        Some(if *column == tie {
            format!("{column}{dir}")
        } else {
            format!("{column}{dir}, {tie}{dir}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_names_only_known_columns_and_breaks_ties_by_id() {
        let cols = [("name", "name"), ("updated", "updated_at")];
        assert_eq!(
            Order::new("updated", true).sql(&cols, "id").as_deref(),
            Some("updated_at DESC, id DESC")
        );
        assert_eq!(
            Order::new("name", false).sql(&cols, "id").as_deref(),
            Some("name, id")
        );
        assert_eq!(Order::new("x; DROP", false).sql(&cols, "id"), None);
    }
}
