//! Award rules (奖补规则) as data, their dry run, and an enterprise's entitlements (免申即享).
//! Money is a string in yuan with two decimals; an amount in a rule is a ceiling (不超过).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// A rule's shape is the domain's own: the document is derived from it and a request body is
// read straight into it, so that an amount or a code it refuses is answered on its own path.
pub use zhichan_domain::awards::{
    AwardRule, Condition, DeclarationKind, Declared, Example as AwardExample, Facts,
    HeldQualification, Item, Measure as AwardMeasure, Pattern, Requirement, Tier, Trigger,
};
pub use zhichan_domain::enterprises::{
    QualificationKind as AwardQualificationKind, QualificationLevel as AwardQualificationLevel,
};

edge_enum!(
    /// A version is a `draft` until `published`; a published version is never edited.
    RuleStatus, "status", { Draft = "draft", Published = "published" }
);

/// `PATCH /api/v1/award-rules/{id}`: the whole rule and the version it is based on.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RuleEdit {
    pub version: i64,
    pub rule: AwardRule,
}

/// `POST …/{id}/publish`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RulePublish {
    pub version: i64,
}

/// How a worked example fares.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwardExampleResult {
    pub name: String,
    pub holds: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One version of a rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleVersion {
    pub id: i64,
    pub version: i64,
    pub status: RuleStatus,
    pub rule: AwardRule,
    pub examples: Vec<AwardExampleResult>,
    pub changed_by: String,
    pub changed_at: String,
    pub published_by: Option<String>,
    pub published_at: Option<String>,
}

/// A version in the history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwardVersionSummary {
    pub version: i64,
    pub status: RuleStatus,
    pub changed_by: String,
    pub changed_at: String,
    pub published_at: Option<String>,
}

/// A rule: the version asked for, the newest published version, every version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleDetail {
    pub current: RuleVersion,
    pub published_version: Option<i64>,
    pub versions: Vec<AwardVersionSummary>,
    /// The rule's newest notification round (publishing starts one and answers it as it
    /// stands, running); null when there is none or the caller does not keep the rule.
    #[schema(nullable)]
    pub round: Option<crate::payouts::EntitlementRound>,
}

/// One rule in the list (its newest version).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleListItem {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub status: RuleStatus,
    pub pattern: Pattern,
    pub region: String,
    pub clause: String,
    pub policy: i64,
    pub changed_at: String,
}

/// `POST /api/v1/award-rules/dry-run`: a rule (a new one, or a change to rule `id`) and the
/// year to compute.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DryRunRequest {
    pub rule: AwardRule,
    pub year: i32,
    #[serde(default)]
    pub id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryRunRegion {
    pub region: String,
    pub enterprises: u64,
    pub total: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryRunChange {
    pub credit_code: String,
    pub name: String,
    pub region: String,
    /// Under the published version (null: not eligible).
    pub before: Option<String>,
    /// Under this rule (null: not eligible).
    pub after: Option<String>,
}

/// What the rule would give, before it is published.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryRun {
    pub year: i32,
    pub evaluated: u64,
    pub eligible: u64,
    pub total: String,
    /// The published version's total over the same enterprises (when `id` is given).
    pub published_total: Option<String>,
    pub regions: Vec<DryRunRegion>,
    pub changes: Vec<DryRunChange>,
    pub examples: Vec<AwardExampleResult>,
}

/// One award the enterprise qualifies for; `amount` is the ceiling the clause allows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntitlementItem {
    pub rule: i64,
    pub rule_version: i64,
    pub name: String,
    pub policy: i64,
    pub policy_title: Option<String>,
    /// The policy's own 文号 (null when it has none).
    pub doc_number: Option<String>,
    pub clause: String,
    pub clause_inferred: bool,
    pub amount: String,
    pub explanation: String,
}

/// A rule the enterprise does not qualify for, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotEligible {
    pub rule: i64,
    pub rule_version: i64,
    pub name: String,
    pub clause: String,
    pub reasons: Vec<String>,
}

/// `GET /api/v1/enterprises/{credit_code}/entitlements?year=Y`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Entitlements {
    pub credit_code: String,
    pub name: String,
    pub year: i32,
    pub total: String,
    pub items: Vec<EntitlementItem>,
    pub not_eligible: Vec<NotEligible>,
}
