//! Experts and expert panels (专家评审组): an expert's unit and fields on the user resource, a
//! panel's items, assignments, scores and aggregates, and the expert's own assignments.
//!
//! Scores are JSON strings in decimal notation at the fixed scale (four decimals).

use crate::edge::{format, nullable};
use crate::identification::{Aggregate, ScoreItem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhichan_domain::panels::PanelKind as DomPanelKind;

edge_enum!(
    /// What a panel scores: items of an identification batch, or of a programme.
    PanelKind, "kind", mirrors DomPanelKind, {
        Identification = "identification",
        Programme = "programme",
    }
);

edge_enum!(
    /// An assignment `waiting` for its expert's scores, or `submitted` (once, final).
    AssignmentStatus, "status", { Waiting = "waiting", Submitted = "submitted" }
);

/// An expert's unit (工作单位) and fields (熟悉领域) on the user resource.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpertProfile {
    #[schema(value_type = format::CreditCode)]
    pub unit_credit_code: String,
    pub unit_name: String,
    /// GB/T 4754-2017 codes, any level.
    #[schema(value_type = Vec<format::IndustryCode>)]
    pub fields: Vec<String>,
    pub version: i64,
}

/// `PUT /api/v1/users/{id}/expert`: the unit and fields of an expert account (the system
/// administrator). `version` is the profile's current one, 0 before the first.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpertProfileEdit {
    #[schema(value_type = format::CreditCode)]
    pub unit_credit_code: String,
    pub unit_name: String,
    #[schema(value_type = Vec<format::IndustryCode>)]
    pub fields: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub version: i64,
}

/// One expert's scoring of one item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PanelAssignment {
    pub id: i64,
    /// The expert's account id.
    pub expert: i64,
    pub expert_username: String,
    pub expert_name: String,
    pub assigned_at: String,
    pub status: AssignmentStatus,
    /// One per score-sheet item, once submitted.
    pub scores: Option<Vec<String>>,
    pub total: Option<String>,
    pub opinion: Option<String>,
    pub submitted_at: Option<String>,
    /// The expert's unit is now the item's enterprise (it changed after the assignment): the
    /// expert must stand aside and a score from them is refused (`conflict_of_interest`).
    pub conflict: bool,
}

/// An expert whose fields cover the item's field and whose unit is not its enterprise.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestedExpert {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_name: String,
}

/// The aggregate of an item: how many experts scored, and, once at least the panel's minimum
/// have, their scores combined by its rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PanelResult {
    pub scored: u32,
    pub assigned: u32,
    pub score: Option<String>,
}

/// One item a panel scores.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PanelItem {
    /// 1, 2, … within the panel.
    pub item: i64,
    #[schema(value_type = format::CreditCode)]
    pub enterprise: String,
    pub enterprise_name: String,
    #[schema(value_type = format::IndustryCode)]
    pub field: String,
    pub label: String,
    pub assignments: Vec<PanelAssignment>,
    pub suggested: Vec<SuggestedExpert>,
    pub result: PanelResult,
}

/// `GET /api/v1/panels/{id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Panel {
    pub id: i64,
    pub kind: PanelKind,
    pub subject_id: i64,
    /// The score sheet as it was when the panel was created.
    pub sheet: Vec<ScoreItem>,
    pub min_experts: u32,
    pub aggregate: Aggregate,
    pub deadline_days: u32,
    #[schema(value_type = format::Date)]
    pub opened_on: String,
    #[schema(value_type = format::Date)]
    pub due_on: String,
    pub working_days_left: u32,
    pub overdue_working_days: u32,
    /// When the panel's subject moved on (an identification list reviewed): from then on no
    /// assignment or score is taken (409); `null` while open.
    pub closed_at: Option<String>,
    pub items: Vec<PanelItem>,
}

/// `POST /api/v1/panels/{id}/assignments`: assign an expert to an item.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentNew {
    /// The item's number within the panel.
    pub item: i64,
    /// The expert's account id.
    pub expert: i64,
}

/// An assignment as its expert sees it (`GET /api/v1/expert/assignments`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpertAssignment {
    pub id: i64,
    pub panel: i64,
    pub kind: PanelKind,
    pub label: String,
    pub enterprise_name: String,
    #[schema(value_type = format::IndustryCode)]
    pub field: String,
    pub sheet: Vec<ScoreItem>,
    #[schema(value_type = format::Date)]
    pub due_on: String,
    pub working_days_left: u32,
    pub overdue_working_days: u32,
    pub status: AssignmentStatus,
    pub scores: Option<Vec<String>>,
    pub total: Option<String>,
    pub opinion: Option<String>,
    pub submitted_at: Option<String>,
}

/// `POST /api/v1/expert/assignments/{id}/scores`: one score per sheet item and an opinion.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoresSubmit {
    #[schema(example = json!(["35.5", "25", "20"]))]
    pub scores: Vec<String>,
    /// 评审意见, at most 2000 characters.
    pub opinion: String,
}
