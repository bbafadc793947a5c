//! From entitlement to payment (免申即享兑现): the office's budget per rule and year, the
//! application an enterprise confirms in one click, the payouts of a region with their totals,
//! and the payment recorded once per application. Money is a string in yuan with two decimals.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

edge_enum!(
    /// How a budget turns a rule's ceiling into what is paid: `full` (the ceiling) or `share`
    /// (`share_percent` of it, rounded down to the fen).
    BudgetMode, "mode", { Full = "full", Share = "share" }
);

edge_enum!(
    /// An application's state: `confirmed` (awaiting payment) or `paid`.
    ApplicationStatus, "status", { Confirmed = "confirmed", Paid = "paid" }
);

/// One version of a budget.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetVersion {
    pub version: i64,
    pub mode: BudgetMode,
    pub share_percent: u32,
    pub set_by: String,
    pub set_at: String,
}

/// The budget of a published rule for a year (`current` null: nothing set, the full ceiling is
/// paid).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwardBudget {
    pub rule: i64,
    pub rule_version: i64,
    pub rule_name: String,
    pub clause: String,
    pub region: String,
    pub year: i32,
    pub current: Option<BudgetVersion>,
    /// Every version, newest first (only in the answer to a change).
    pub versions: Vec<BudgetVersion>,
}

/// `GET /api/v1/award-budgets?year=`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwardBudgetList {
    pub items: Vec<AwardBudget>,
    pub total: u64,
}

/// `POST /api/v1/award-budgets`: what is paid of a rule's ceilings in a year. `version` is the
/// budget version the change is based on (absent, null or 0 for the first); a stale one is 409.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardBudgetSet {
    pub rule: i64,
    pub year: i32,
    pub mode: BudgetMode,
    /// 1–99, required when `mode` is `share`.
    #[serde(default)]
    #[schema(nullable)]
    pub share_percent: Option<u32>,
    #[serde(default)]
    #[schema(nullable)]
    pub version: Option<i64>,
}

/// `POST /api/v1/award-rules/{id}/notify`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyRequest {
    pub year: i32,
}

edge_enum!(
    /// Where a notification round stands: `running`, `finished`, or `failed` (the office may ask
    /// again; nobody already told is told twice).
    RoundStatus, "status", { Running = "running", Finished = "finished", Failed = "failed" }
);

/// A notification round (免申即享通知): publishing a rule, or an office asking for a year, tells
/// every enterprise of the rule's region that qualifies, in a task of its own that the request
/// does not wait for. `eligible` is null until the round has read the facts; `reached` counts
/// the qualifying enterprises handled so far, `notified` those of them this round told (the
/// others were told before for this rule version and year). A round the server stopped during
/// is resumed when it starts again: `resumes` and `resumed_at` say so.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntitlementRound {
    pub id: i64,
    pub rule: i64,
    pub rule_version: i64,
    pub year: i32,
    pub status: RoundStatus,
    #[schema(nullable)]
    pub eligible: Option<u64>,
    pub reached: u64,
    pub notified: u64,
    #[schema(nullable)]
    pub started_by: Option<String>,
    pub started_at: String,
    #[schema(nullable)]
    pub finished_at: Option<String>,
    pub resumes: u64,
    #[schema(nullable)]
    pub resumed_at: Option<String>,
}

/// The rounds of a rule, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntitlementRoundList {
    pub items: Vec<EntitlementRound>,
}

/// `POST /api/v1/enterprises/{credit_code}/applications`: confirm the pre-filled application for
/// an entitlement. `rule_version`, when given, must still be the published one (409 otherwise).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationConfirm {
    pub rule: i64,
    pub year: i32,
    #[serde(default)]
    #[schema(nullable)]
    pub rule_version: Option<i64>,
}

/// A payment recorded against an application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentRecord {
    pub amount: String,
    pub paid_on: String,
    pub reference: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// An application an enterprise confirmed: the entitlement as computed then (rule version,
/// ceiling, explanation), what the budget made payable, and its payment once recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwardApplication {
    pub id: i64,
    pub credit_code: String,
    pub enterprise_name: String,
    pub region: String,
    pub rule: i64,
    pub rule_version: i64,
    pub rule_name: String,
    pub clause: String,
    pub year: i32,
    pub ceiling: String,
    pub payable: String,
    /// The budget version that made `payable` (null: none was set, the full ceiling).
    pub budget_version: Option<i64>,
    pub explanation: String,
    pub status: ApplicationStatus,
    pub version: i64,
    pub confirmed_by: String,
    pub confirmed_at: String,
    pub payment: Option<PaymentRecord>,
}

/// `GET /api/v1/enterprises/{credit_code}/applications`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwardApplicationList {
    pub items: Vec<AwardApplication>,
    pub total: u64,
}

/// A total line of the payouts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutTotal {
    pub applications: i64,
    pub paid_applications: i64,
    pub ceiling: String,
    pub payable: String,
    pub paid: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutRuleTotal {
    pub rule: i64,
    pub rule_name: String,
    #[serde(flatten)]
    pub total: PayoutTotal,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutRegionTotal {
    pub region: String,
    pub name: String,
    #[serde(flatten)]
    pub total: PayoutTotal,
}

/// The totals over every application that matches (not only the page).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutTotals {
    /// The region the totals are broken down under.
    pub region: String,
    #[serde(flatten)]
    pub all: PayoutTotal,
    pub by_rule: Vec<PayoutRuleTotal>,
    /// By the regions directly below `region`.
    pub by_region: Vec<PayoutRegionTotal>,
}

/// `GET /api/v1/payouts`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutPage {
    pub items: Vec<AwardApplication>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub totals: PayoutTotals,
}

/// `POST /api/v1/payouts/{id}/payment`: the amount paid (not above the payable amount), the day
/// and the voucher or transfer reference, at the application's `version`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    pub amount: String,
    pub paid_on: String,
    pub reference: String,
    pub version: i64,
}
