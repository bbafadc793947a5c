//! Key-enterprise directories (重点名录) and their coverage.

use crate::edge::format;
use serde::Serialize;
use utoipa::ToSchema;

edge_enum!(
    /// Where a management port (管理端口) stands.
    PortStatus, "status", {
        Applied = "applied", Open = "open", Rejected = "rejected", Closed = "closed",
    }
);

edge_enum!(
    /// The nation's decision on a port application.
    PortVerdict, "decision", { Approve = "approve", Reject = "reject" }
);

/// A directory as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Directory {
    pub id: i64,
    #[schema(example = "361000")]
    pub region: String,
    pub name: String,
    pub file_name: String,
    /// How many enterprises it lists.
    pub listed: i64,
    pub created_by: String,
    pub created_at: String,
}

/// A row of a directory file that was noted (a warning) or refused (an error).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowNote {
    /// The row as the spreadsheet numbers it (the header is row 1).
    pub row: u32,
    pub column: String,
    pub code: String,
    pub message: String,
}

/// `POST /api/v1/directories` answers the directory and the warnings of its rows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectoryImported {
    pub directory: Directory,
    pub warnings: Vec<RowNote>,
}

/// `POST /api/v1/directories` (multipart): `file` (xlsx or csv), `name`, `region`.
#[derive(Debug, Clone, ToSchema)]
#[allow(dead_code)]
pub struct DirectoryForm {
    pub name: String,
    #[schema(value_type = format::RegionCode)]
    pub region: String,
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A listed enterprise without a registered product by its deadline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Uncovered {
    pub credit_code: String,
    pub name: String,
    pub category: String,
    pub deadline: String,
    /// The deadline has passed.
    pub overdue: bool,
    /// Whether the enterprise has an account on the platform at all.
    pub on_platform: bool,
    pub region: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
}

/// Coverage of one group (a category or a sub-region).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageGroup {
    pub key: String,
    pub name: String,
    pub listed: i64,
    pub covered: i64,
    pub rate: f64,
}

/// `GET /api/v1/directories/{id}/coverage`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Coverage {
    pub directory: Directory,
    pub listed: i64,
    pub covered: i64,
    /// covered / listed, 0 to 1, four decimals.
    pub rate: f64,
    /// Listed, not covered, and past the deadline.
    pub overdue: i64,
    pub uncovered: Vec<Uncovered>,
    pub categories: Vec<CoverageGroup>,
    pub regions: Vec<CoverageGroup>,
}

/// A management port (管理端口) of a region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Port {
    pub region: String,
    pub status: PortStatus,
    pub unit: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub purpose: String,
    pub applied_by: String,
    pub applied_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
    pub version: i64,
}

/// `POST /api/v1/ports` (a province applies) and `POST /api/v1/ports/{region}/open` (a
/// province opens one of its cities or counties).
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
pub struct PortApplication {
    pub unit: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub purpose: String,
}

/// `POST /api/v1/ports/{region}/decision` (the nation) and `/close`.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
pub struct PortDecision {
    /// Required by `/decision`, ignored by `/close`.
    #[serde(default)]
    pub decision: Option<PortVerdict>,
    #[serde(default)]
    pub reason: Option<String>,
    pub version: i64,
}
