//! RFC 9457 problem details: the one shape of every API error.

use serde::Serialize;
use utoipa::ToSchema;

/// An error answer (`application/problem+json`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation")]
    pub type_: String,
    #[schema(example = "请求内容有误")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "有 1 个字段未通过校验")]
    pub detail: String,
    /// One entry per bad field; empty for errors that concern the request as a whole.
    pub errors: Vec<FieldError>,
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name in the request (a JSON path such as `patents[0].number`, or a query
    /// parameter).
    #[schema(example = "region")]
    pub field: String,
    /// A stable code, e.g. `invalid_credit_code`, `invalid_region`, `required`.
    #[schema(example = "invalid_region")]
    pub code: String,
    /// A sentence for people, in Chinese unless the client asked for English.
    #[schema(example = "行政区划代码“12345”无效：应为 GB/T 2260 规定的六位数字代码")]
    pub message: String,
}
