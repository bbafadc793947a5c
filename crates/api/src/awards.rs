//! Award rules (奖补规则) as data, their dry run, and an enterprise's entitlements (免申即享).
//! Money is a string in yuan with two decimals; an amount in a rule is a ceiling (不超过).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

edge_enum!(
    /// The award pattern: `per_item` (each item up to `amount`, at most `cap` per enterprise per
    /// year), `highest_only` (the highest tier that applies, never twice), `cost_share`
    /// (`share_percent` of a declared cost up to `cap`, with a condition), `one_off`.
    Pattern, "pattern", {
        PerItem = "per_item",
        HighestOnly = "highest_only",
        CostShare = "cost_share",
        OneOff = "one_off",
    }
);

edge_enum!(
    /// What a `per_item` rule counts in the year.
    Item, "item", {
        RegisteredProducts = "registered_products",
        IdentifiedProducts = "identified_products",
    }
);

edge_enum!(
    /// A fact an enterprise declares and a reviewer of its region confirms: a cost or an event.
    DeclarationKind, "declaration_kind", {
        CertificationFee = "certification_fee",
        InsurancePremium = "insurance_premium",
        EnforcementAgencyFee = "enforcement_agency_fee",
        GiProductUser = "gi_product_user",
        InfoServiceOutletNational = "info_service_outlet_national",
        InfoServiceOutletProvincial = "info_service_outlet_provincial",
        ChinaPatentGold = "china_patent_gold",
        ChinaPatentSilver = "china_patent_silver",
        JiangxiPatentAward = "jiangxi_patent_award",
    }
);

edge_enum!(
    /// A count of the enterprise's own patents in force a condition compares.
    AwardMeasure, "measure", { ValidPatents = "valid_patents", InventionPatents = "invention_patents" }
);

edge_enum!(
    /// A qualification kind (as on the enterprise profile).
    AwardQualificationKind, "qualification", {
        IpDemonstration = "ip_demonstration",
        IpAdvantage = "ip_advantage",
        LittleGiant = "little_giant",
        SpecialisedSme = "specialised_sme",
        HighTech = "high_tech",
        IpManagementStandard = "gbt29490",
    }
);

edge_enum!(
    /// The level of the office that conferred a qualification.
    AwardQualificationLevel, "qualification_level", {
        National = "national", Provincial = "provincial", City = "city", County = "county",
    }
);

edge_enum!(
    /// A version is a `draft` until `published`; a published version is never edited.
    RuleStatus, "status", { Draft = "draft", Published = "published" }
);

/// `at_least` of `measure`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub measure: AwardMeasure,
    pub at_least: u32,
}

/// Met when any requirement is (“…或…”).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub any_of: Vec<Requirement>,
}

/// A qualification (kind, optionally level) conferred in the year, or a confirmed declaration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<AwardQualificationKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<AwardQualificationLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declaration: Option<DeclarationKind>,
}

/// One tier of a `highest_only` rule.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<AwardQualificationKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<AwardQualificationLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declaration: Option<DeclarationKind>,
    #[schema(example = "30000.00")]
    pub amount: String,
}

/// A qualification in an example's facts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeldQualification {
    pub kind: AwardQualificationKind,
    pub level: AwardQualificationLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
}

/// A confirmed declaration in an example's facts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    pub kind: DeclarationKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
}

/// An enterprise's facts for one year, as an example states them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    pub region: String,
    #[serde(default)]
    pub registered_products: Option<u32>,
    #[serde(default)]
    pub identified_products: Option<u32>,
    #[serde(default)]
    pub valid_patents: Option<u32>,
    #[serde(default)]
    pub invention_patents: Option<u32>,
    #[serde(default)]
    pub qualifications: Option<Vec<HeldQualification>>,
    #[serde(default)]
    pub declarations: Option<Vec<Declared>>,
}

/// A worked example: facts for a year, the amount expected (absent: not eligible), and words
/// the explanation or a reason must contain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardExample {
    pub name: String,
    pub year: i32,
    pub facts: Facts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_contains: Option<String>,
}

/// An award rule.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRule {
    pub name: String,
    /// The policy in the library (`GET /api/v1/policies/{id}`).
    pub policy: i64,
    /// The clause as the text shows it, e.g. 第九条（二）.
    pub clause: String,
    /// The article number is inferred (the text lost it).
    #[serde(default)]
    pub clause_inferred: Option<bool>,
    /// GB/T 2260 code: the subtree where it applies.
    pub region: String,
    pub effective_on: String,
    #[serde(default)]
    pub expires_on: Option<String>,
    /// When it was decided (separate from when it takes effect).
    #[serde(default)]
    pub decided_on: Option<String>,
    pub pattern: Pattern,
    #[serde(default)]
    pub item: Option<Item>,
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub cap: Option<String>,
    #[serde(default)]
    pub tiers: Option<Vec<Tier>>,
    #[serde(default)]
    pub cost: Option<DeclarationKind>,
    #[serde(default)]
    pub share_percent: Option<u32>,
    #[serde(default)]
    pub requires: Option<Trigger>,
    #[serde(default)]
    pub condition: Option<Condition>,
    #[serde(default)]
    pub event: Option<Trigger>,
    #[serde(default)]
    pub examples: Option<Vec<AwardExample>>,
}

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
