//! The JSON shapes of zhichan's HTTP API, with their OpenAPI schemas. Handlers convert domain
//! values into these; nothing here talks to a database.

#[macro_use]
pub mod edge;
pub mod accounts;
pub mod awards;
pub mod declarations;
pub mod directories;
pub mod enterprises;
pub mod identification;
pub mod notices;
pub mod panels;
pub mod payouts;
pub mod policies;
pub mod problem;
pub mod products;
pub mod reference;
pub mod rules;
pub mod stats;

use serde::Serialize;
use utoipa::ToSchema;

pub use problem::{FieldError, Problem};

edge_enum!(
    /// `ok` when the server and its database answer, `unavailable` otherwise.
    HealthStatus, "status", { Ok = "ok", Unavailable = "unavailable" }
);

/// `GET /api/v1/health`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    pub status: HealthStatus,
}

edge_enum!(
    /// A reviewer's decision: `approve` or `return` (退回).
    Decision, "decision", { Approve = "approve", Return = "return" }
);

impl Decision {
    pub fn approves(self) -> bool {
        self == Decision::Approve
    }
}

edge_enum!(
    /// What a list or report answers in: `json` (the default) or an `xlsx` file.
    Format, "format", { Json = "json", Xlsx = "xlsx" }
);

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
