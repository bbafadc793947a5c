//! Statistics of a region subtree, for dashboards and reports.

use serde::Serialize;
use utoipa::ToSchema;

/// `GET /api/v1/stats/summary`: the totals of a region's subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    #[schema(example = "361000")]
    pub region: String,
    /// Enterprises with at least one registered product in force.
    pub enterprises: i64,
    /// Registered products in force (approved, not withdrawn).
    pub products: i64,
    /// Distinct patents linked to those products.
    pub patents: i64,
    /// The products' latest yearly sales revenue, in yuan.
    #[schema(example = "123456789.00")]
    pub sales_revenue: String,
}

/// One row of a breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreakdownRow {
    /// A region code, field code, qualification kind or month (`YYYY-MM`).
    pub key: String,
    pub name: String,
    pub enterprises: i64,
    pub products: i64,
    pub patents: i64,
    pub sales_revenue: String,
    /// For months: registrations and withdrawals in the month.
    pub registered: i64,
    pub withdrawn: i64,
}

/// `GET /api/v1/stats/breakdown`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Breakdown {
    pub region: String,
    /// `region`, `field`, `qualification` or `month`.
    pub by: String,
    pub rows: Vec<BreakdownRow>,
}
