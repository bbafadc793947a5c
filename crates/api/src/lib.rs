//! The JSON shapes of zhichan's HTTP API, with their OpenAPI schemas. Handlers convert domain
//! values into these; nothing here talks to a database.

pub mod accounts;
pub mod directories;
pub mod enterprises;
pub mod problem;
pub mod products;
pub mod reference;
pub mod rules;
pub mod stats;

use serde::Serialize;
use utoipa::ToSchema;

pub use problem::{FieldError, Problem};

/// `GET /api/v1/health`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the server and its database answer, `unavailable` otherwise.
    #[schema(example = "ok")]
    pub status: String,
}

/// One page of a list. Every list endpoint answers in this shape.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// How many items match in all pages.
    pub total: i64,
    /// 1-based page number.
    pub page: u32,
    pub per_page: u32,
}
