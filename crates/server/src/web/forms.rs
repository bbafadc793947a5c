//! The one way a web form shows what is wrong with it (docs/forms.md).
//!
//! A service refuses a form with field-level problems (field path → Chinese message, the same
//! the API answers as problem+json). [`FormErrors`] turns them into what a page shows: a
//! summary at the top linking to each bad field by its label, and the message beside the field
//! (templates/_form.html renders both, with `aria-invalid` and `aria-describedby`). Each form
//! says where its fields are: the element id and the Chinese label of a field path.

use zhichan_service::FieldViolation;

/// One bad field as a page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormError {
    /// The service's field path, e.g. `figures[0].year`, as the template names the field.
    pub field: String,
    /// The id of the input the summary links to; empty when the field has no input of its own.
    pub anchor: String,
    /// The field's Chinese label, e.g. 年度数据第 1 行 · 年度.
    pub label: String,
    pub message: String,
}

/// Where a form's field path is on the page: the input's id and its Chinese label.
pub type Locate<'a> = &'a dyn Fn(&str) -> Option<(String, String)>;

/// What is wrong with a submitted form, field by field.
#[derive(Clone, Debug, Default)]
pub struct FormErrors {
    pub items: Vec<FormError>,
}

impl FormErrors {
    pub fn none() -> Self {
        FormErrors::default()
    }

    /// The service's violations placed on the form: `locate` gives each field's input id and
    /// label; a field it does not know is listed in the summary under the form's name.
    pub fn from_violations(violations: Vec<FieldViolation>, locate: Locate<'_>) -> Self {
        let mut e = FormErrors::none();
        for v in violations {
            e.add(v.field, v.violation.message_zh, locate);
        }
        e
    }

    /// One more problem, for a field located by `locate`.
    pub fn add(
        &mut self,
        field: impl Into<String>,
        message: impl Into<String>,
        locate: Locate<'_>,
    ) {
        let field = field.into();
        let (anchor, label) = locate(&field).unwrap_or_default();
        self.items.push(FormError {
            field,
            anchor,
            label,
            message: message.into(),
        });
    }

    /// A problem of the whole form (a stale version, a missing profile): shown in the summary.
    pub fn general(message: impl Into<String>) -> Self {
        FormErrors {
            items: vec![FormError {
                field: String::new(),
                anchor: String::new(),
                label: String::new(),
                message: message.into(),
            }],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether `field` has a problem.
    pub fn has(&self, field: impl AsRef<str>) -> bool {
        let field = field.as_ref();
        self.items.iter().any(|e| e.field == field)
    }

    /// The message(s) shown beside `field`, joined; empty when it is fine.
    pub fn message(&self, field: impl AsRef<str>) -> String {
        let field = field.as_ref();
        self.items
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }

    /// Each message of `field`, for a template to translate one by one.
    pub fn messages(&self, field: impl AsRef<str>) -> Vec<&str> {
        let field = field.as_ref();
        self.items
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect()
    }

    /// The message beside `field` when it has one: what a picker shows (`Picker::error`).
    pub fn beside(&self, field: impl AsRef<str>) -> Option<String> {
        let field = field.as_ref();
        self.has(field).then(|| self.message(field))
    }

    /// `field`'s message replaced by `message` (a picker's own, naming what it could not
    /// resolve, stands instead of the service's).
    pub fn replace(
        &mut self,
        field: impl Into<String>,
        message: impl Into<String>,
        locate: Locate<'_>,
    ) {
        let field = field.into();
        self.items.retain(|e| e.field != field);
        self.add(field, message, locate);
    }

    /// The path of a row's field, e.g. `figures[2].year`, for templates.
    pub fn row(&self, list: &str, index: impl std::fmt::Display, key: &str) -> String {
        format!("{list}[{index}].{key}")
    }
}

/// Splits `patents[3].grant_date` into `("patents", 3, "grant_date")`.
pub fn split_row(field: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = field.split_once('[')?;
    let (index, key) = rest.split_once("].")?;
    Some((list, index.parse().ok()?, key))
}

/// Renumbers the rows of a list: the service counts only the rows sent, the page counts every
/// row it shows (empty rows are skipped when a form is read). `rows[i]` is the page's row of
/// the service's i-th item.
pub fn renumber(mut v: Vec<FieldViolation>, list: &str, rows: &[usize]) -> Vec<FieldViolation> {
    for f in &mut v {
        if let Some((l, i, key)) = split_row(&f.field) {
            if l == list {
                if let Some(n) = rows.get(i) {
                    f.field = format!("{list}[{n}].{key}");
                }
            }
        }
    }
    v
}

/// A locator from a fixed table of (field path, input id, label).
pub fn table<'a>(
    fields: &'a [(&'a str, &'a str, &'a str)],
) -> impl Fn(&str) -> Option<(String, String)> + 'a {
    move |field: &str| {
        fields
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, id, label)| (id.to_string(), label.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zhichan_domain::Violation;

    #[test]
    fn violations_are_placed_by_label_and_anchor() {
        let fields = [("name", "pf-name", "产品名称")];
        let locate = table(&fields);
        let e = FormErrors::from_violations(
            vec![
                FieldViolation::new("name", Violation::new("required", "请填写产品名称", "x")),
                FieldViolation::new("other", Violation::new("invalid", "不对", "x")),
            ],
            &locate,
        );
        assert!(e.has("name"));
        assert_eq!(e.message("name"), "请填写产品名称");
        assert_eq!(e.items[0].anchor, "pf-name");
        assert_eq!(e.items[0].label, "产品名称");
        assert_eq!(e.items[1].anchor, "");
        assert_eq!(e.message("model"), "");
    }

    #[test]
    fn rows_are_renumbered_to_the_page() {
        let v = renumber(
            vec![FieldViolation::new(
                "figures[1].year",
                Violation::new("future_year", "x", "x"),
            )],
            "figures",
            &[0, 2],
        );
        assert_eq!(v[0].field, "figures[2].year");
        assert_eq!(
            split_row("patents[3].grant_date"),
            Some(("patents", 3, "grant_date"))
        );
        assert_eq!(split_row("name"), None);
    }
}
