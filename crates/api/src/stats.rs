//! Statistics of a region subtree, for dashboards and reports.

use serde::Serialize;
use utoipa::ToSchema;

edge_enum!(
    /// How a breakdown groups: by sub-region, field, qualification or month.
    BreakdownBy, "by", {
        Region = "region", Field = "field", Qualification = "qualification", Month = "month",
    }
);

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
    pub by: BreakdownBy,
    pub rows: Vec<BreakdownRow>,
}

/// A count of identified products under a key.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdentifiedCount {
    /// A region code or a field (GB/T 4754 division) code.
    pub key: String,
    pub name: String,
    pub identified: i64,
}

/// `GET /api/v1/stats/identified`: products identified (认定) in announced batches in a region's
/// subtree, in one year of announcement or in all.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdentifiedStats {
    #[schema(example = "361000")]
    pub region: String,
    /// The year of announcement counted; null: every year.
    pub year: Option<i32>,
    pub identified: i64,
    /// By the next level down (sub-regions with none are left out), most first.
    pub by_region: Vec<IdentifiedCount>,
    /// By field (division), most first.
    pub by_field: Vec<IdentifiedCount>,
}

/// The year-end evaluation weights, in percent (they add up to 100).
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct EvaluationWeights {
    pub coverage: u32,
    pub products: u32,
    pub updates: u32,
    pub returns: u32,
    pub source: String,
}

/// `PUT /api/v1/rules/evaluation`.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
pub struct EvaluationWeightsUpdate {
    pub version: i64,
    pub weights: EvaluationWeights,
    pub reason: String,
}

/// The weights in force and their version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationWeightsInForce {
    pub version: i64,
    pub weights: EvaluationWeights,
}

/// One sub-region's evaluation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationRow {
    pub rank: usize,
    pub region: String,
    pub name: String,
    /// 0–100.
    pub score: f64,
    /// Shares 0–1, absent when there is nothing to measure.
    pub coverage: Option<f64>,
    pub update_rate: Option<f64>,
    pub return_rate: Option<f64>,
    pub products: i64,
    pub listed: i64,
    pub covered: i64,
    pub updates_due: i64,
    pub updates_done: i64,
    pub decisions: i64,
    pub returns: i64,
    /// Products identified (认定) in batches announced in the year.
    pub identified: i64,
}

/// `GET /api/v1/evaluation`: the ranking of a region's sub-regions for a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evaluation {
    pub region: String,
    pub year: i32,
    pub weights_version: i64,
    pub rows: Vec<EvaluationRow>,
}
