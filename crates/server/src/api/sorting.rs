//! `sort`, read and checked the same way by every sortable list: a key the list offers
//! (`name`, ascending) or the same with a minus (`-name`, descending). The allowed values are
//! declared as an enum in the OpenAPI document; any other is 422 `invalid_sort`.

use crate::error::AppError;
use std::collections::HashMap;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Required;
use zhichan_domain::Violation;
use zhichan_store::sorting::Order;

/// What a list can be sorted by: its keys with their Chinese names, and its own order.
#[derive(Debug, Clone, Copy)]
pub struct SortSpec {
    pub keys: &'static [(&'static str, &'static str)],
    /// The order when none is asked for: (key, descending).
    pub default: (&'static str, bool),
}

impl SortSpec {
    /// Every value `sort` may take, ascending then descending for each key.
    pub fn values(&self) -> Vec<String> {
        self.keys
            .iter()
            .flat_map(|(k, _)| [k.to_string(), format!("-{k}")])
            .collect()
    }

    pub fn default_order(&self) -> Order {
        Order::new(self.default.0, self.default.1)
    }

    /// The order asked for with `sort`, if any (`None` when absent or empty: the list's own).
    pub fn from_query(&self, query: &HashMap<String, String>) -> Result<Option<Order>, AppError> {
        let Some(raw) = query
            .get("sort")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        else {
            return Ok(None);
        };
        let (desc, key) = match raw.strip_prefix('-') {
            Some(k) => (true, k),
            None => (false, raw),
        };
        match self.keys.iter().find(|(k, _)| *k == key) {
            Some((k, _)) => Ok(Some(Order::new(k, desc))),
            None => {
                let names: Vec<String> = self
                    .keys
                    .iter()
                    .map(|(k, zh)| format!("{zh}（{k}）"))
                    .collect();
                Err(AppError::field(
                    "sort",
                    Violation::new(
                        "invalid_sort",
                        format!(
                            "不能按“{raw}”排序；可按{}排序，前加“-”为倒序",
                            names.join("、")
                        ),
                        format!("sort by one of {}", self.values().join(", ")),
                    ),
                ))
            }
        }
    }

    /// The `sort` query parameter of the OpenAPI document, its values an enum.
    pub fn parameter(&self) -> Parameter {
        let names: Vec<String> = self
            .keys
            .iter()
            .map(|(k, zh)| format!("{k}：{zh}"))
            .collect();
        let default = format!(
            "{}{}",
            if self.default.1 { "-" } else { "" },
            self.default.0
        );
        ParameterBuilder::new()
            .name("sort")
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(format!(
                "排序：{}；前加“-”为倒序（默认 {default}）。其他值为 422 invalid_sort",
                names.join("，")
            )))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(self.values())),
            ))
            .build()
    }
}

/// Declares a list's sort keys as a type whose `IntoParams` is its `sort` parameter, for the
/// `params(...)` of the list's operation.
macro_rules! sort_keys {
    ($(#[$m:meta])* $name:ident, default = ($key:expr, $desc:expr), [$(($k:expr, $zh:expr)),* $(,)?]) => {
        $(#[$m])*
        pub struct $name;
        impl $name {
            pub const SPEC: $crate::api::sorting::SortSpec = $crate::api::sorting::SortSpec {
                keys: &[$(($k, $zh)),*],
                default: ($key, $desc),
            };
        }
        impl utoipa::IntoParams for $name {
            fn into_params(
                _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                vec![Self::SPEC.parameter()]
            }
        }
    };
}

sort_keys!(
    /// Product lists: by name, last change or submission (the review queue's own order).
    ProductSort,
    default = ("updated", true),
    [("name", "产品名称"), ("updated", "更新时间"), ("submitted", "提交时间")]
);
sort_keys!(
    /// Enterprise lists: by name (their own order) or last change.
    EnterpriseSort,
    default = ("name", false),
    [("name", "企业名称"), ("updated", "更新时间")]
);
sort_keys!(
    /// Account lists: by username (their own order), last change or creation.
    UserSort,
    default = ("name", false),
    [("name", "用户名"), ("updated", "更新时间"), ("created", "创建时间")]
);

sort_keys!(
    /// The real-name verification queue: oldest submission first (its own order) or by name.
    VerificationSort,
    default = ("submitted", false),
    [("submitted", "提交时间"), ("name", "单位名称")]
);

sort_keys!(
    /// Key-enterprise directories: newest import first (their own order), by name or size.
    DirectorySort,
    default = ("created", true),
    [("name", "名录名称"), ("created", "导入时间"), ("listed", "企业数")]
);

sort_keys!(
    /// The audit log: newest first (its own order) or oldest first.
    AuditSort,
    default = ("time", true),
    [("time", "时间")]
);

#[cfg(test)]
mod tests {
    use super::*;

    fn q(v: &str) -> HashMap<String, String> {
        [("sort".to_string(), v.to_string())].into_iter().collect()
    }

    #[test]
    fn a_sort_is_a_key_of_the_list_with_an_optional_minus() {
        let spec = EnterpriseSort::SPEC;
        assert_eq!(
            spec.from_query(&q("-updated")).unwrap(),
            Some(Order::new("updated", true))
        );
        assert_eq!(spec.from_query(&q("")).unwrap(), None);
        let Err(AppError::Invalid(errors)) = spec.from_query(&q("credit_code")) else {
            panic!("expected a field error")
        };
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code.as_str()),
            ("sort", "invalid_sort")
        );
        assert!(errors[0].message.contains("企业名称"));
        assert_eq!(spec.values(), ["name", "-name", "updated", "-updated"]);
    }
}
