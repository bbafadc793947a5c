//! `page` and `per_page`, read and checked the same way by every list.

use crate::error::AppError;
use std::collections::HashMap;
use utoipa::IntoParams;
use zhichan_api::{FieldError, Page};

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 200;

/// Paging parameters of every list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 21474836, example = 1)]
    pub page: u32,
    /// Items per page, 1 to 200 (default 20).
    #[param(minimum = 1, maximum = 200, example = 20)]
    pub per_page: u32,
}

fn number(
    query: &HashMap<String, String>,
    name: &str,
    default: u32,
    max: u32,
    errors: &mut Vec<FieldError>,
) -> u32 {
    let Some(raw) = query.get(name) else {
        return default;
    };
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => n,
        _ => {
            errors.push(FieldError {
                field: name.to_string(),
                code: "invalid".into(),
                message: format!("{name} 应为 1 到 {max} 之间的整数"),
            });
            default
        }
    }
}

impl Paging {
    pub fn from_query(query: &HashMap<String, String>) -> Result<Paging, AppError> {
        let mut errors = Vec::new();
        let page = number(query, "page", 1, u32::MAX / MAX_PER_PAGE, &mut errors);
        let per_page = number(
            query,
            "per_page",
            DEFAULT_PER_PAGE,
            MAX_PER_PAGE,
            &mut errors,
        );
        if errors.is_empty() {
            Ok(Paging { page, per_page })
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    pub fn offset(&self) -> usize {
        (self.page as usize - 1) * self.per_page as usize
    }

    /// A page cut from a list already in memory (small reference lists only; large lists page
    /// in the database).
    pub fn slice<T: utoipa::ToSchema + Clone>(&self, all: &[T]) -> Page<T> {
        let items = all
            .iter()
            .skip(self.offset())
            .take(self.per_page as usize)
            .cloned()
            .collect();
        Page {
            items,
            total: all.len() as i64,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            Paging::from_query(&q(&[])).unwrap(),
            Paging {
                page: 1,
                per_page: 20
            }
        );
        let Err(AppError::Invalid(errors)) =
            Paging::from_query(&q(&[("page", "0"), ("per_page", "500")]))
        else {
            panic!("expected field errors")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["page", "per_page"]);
    }
}
