//! Identification (认定): methods (评价方法) as versioned data.
//!
//! Values that are not money and may be fractional are JSON strings in decimal notation; money
//! is a string in yuan with at most two decimals.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhichan_domain::identification as dom;

/// A method's shape is the domain's own: the document is derived from it and a request body is
/// read straight into it, so that a decimal, an amount, a benchmark or a code it refuses is
/// answered on its own path (`indicators[1].benchmark.value`: `invalid_decimal`).
pub use dom::{
    Aggregate, BenchmarkRule, Combine, Direction, Example, FieldLevel, Figures as ExampleFigures,
    FinalRule, Indicator, IndustryEvaluation, Measure, Method, ScoreItem, Source,
};

edge_enum!(
    /// A version is a `draft` until `published`; a published version is never edited.
    MethodStatus, "status", { Draft = "draft", Published = "published" }
);

/// `PATCH /api/v1/identification/methods/{id}`: the whole method and the version it is based on
/// (a draft is changed in place; a published version gets a new draft after it).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MethodEdit {
    pub version: i64,
    pub method: Method,
}

/// `POST …/{id}/publish`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MethodPublish {
    pub version: i64,
}

/// How a worked example fares.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExampleResult {
    pub name: String,
    pub holds: bool,
    /// What came out when it does not hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One version of a method, in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodVersion {
    pub id: i64,
    pub version: i64,
    pub status: MethodStatus,
    pub method: Method,
    pub examples: Vec<ExampleResult>,
    pub changed_by: String,
    pub changed_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
}

/// A version in a method's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionSummary {
    pub version: i64,
    pub status: MethodStatus,
    pub changed_by: String,
    pub changed_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
}

/// `GET /api/v1/identification/methods/{id}`: a version (the newest, or `?version=`) and the
/// history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodDetail {
    pub current: MethodVersion,
    /// The newest published version, if any.
    pub published_version: Option<i64>,
    pub versions: Vec<VersionSummary>,
}

/// One method in the list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodListItem {
    pub id: i64,
    pub name: String,
    /// The newest version and its status.
    pub version: i64,
    pub status: MethodStatus,
    pub published_version: Option<i64>,
    pub changed_at: String,
}

/// `GET /api/v1/identification/methods`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodList {
    pub items: Vec<MethodListItem>,
}

edge_enum!(
    /// `open` while products may be opted in, `closed` after the opt-in date, `computed` once
    /// the inputs are frozen and the results computed.
    BatchStatus, "status", {
        Open = "open", Closed = "closed", Computed = "computed", Evaluating = "evaluating",
        Reviewed = "reviewed", Published = "published", Announced = "announced",
    }
);

edge_enum!(
    /// A candidate's final outcome once the batch is announced: `identified` (认定) or
    /// `not_identified` (未认定).
    Outcome, "outcome", { Identified = "identified", NotIdentified = "not_identified" }
);

edge_enum!(
    /// The final outcome to filter results by: `identified`, `not_identified`, or `pending`
    /// (not announced yet).
    OutcomeFilter, "outcome", {
        Identified = "identified", NotIdentified = "not_identified", Pending = "pending",
    }
);

edge_enum!(
    /// The formal check (形式审查) of a candidate: `pending`, `approved` or `returned`.
    CheckStatus, "check", { Pending = "pending", Approved = "approved", Returned = "returned" }
);

/// `POST /api/v1/identification/batches`: a year's round under a published method version.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatch {
    /// The figures' year (the annual update filed in the next year's window).
    #[schema(example = 2026)]
    pub year: i32,
    /// The method's id.
    pub method: i64,
    /// The published version; default the method's newest published version.
    #[serde(default)]
    pub method_version: Option<i64>,
    /// The last day products may be opted in (`YYYY-MM-DD`, Beijing time).
    #[schema(example = "2027-05-31")]
    pub opt_in_until: String,
}

/// A batch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Batch {
    pub id: i64,
    pub year: i32,
    pub method: i64,
    pub method_version: i64,
    pub method_name: String,
    pub opt_in_until: String,
    pub status: BatchStatus,
    /// Days left to opt in (0 on the last day), while open.
    pub days_left: Option<i64>,
    /// Working days after today up to the last day of opt-in (the holiday calendar in force,
    /// make-up days counted), while open.
    pub working_days_left: Option<u32>,
    /// The SHA-256 of the frozen inputs (hex), once computed.
    pub inputs_digest: Option<String>,
    /// How many registered products the frozen inputs hold, once computed.
    pub inputs_count: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    pub computed_at: Option<String>,
    /// The experts' panel (产业性评价), once the industry evaluation started.
    pub panel: Option<i64>,
    /// Why the national review last sent the list back.
    pub review_reason: Option<String>,
    /// The date of the announcement (`YYYY-MM-DD`), once announced.
    pub announced_on: Option<String>,
    /// When the national administrator closed opt-in before its date.
    pub opt_in_closed_at: Option<String>,
    /// Why opt-in was closed early.
    pub opt_in_closed_reason: Option<String>,
}

/// `POST /api/v1/identification/batches/{id}/close`: close opt-in before its date.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseOptIn {
    /// Why, at most 500 characters.
    #[schema(max_length = 500)]
    pub reason: String,
}

/// The batches, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchList {
    pub items: Vec<Batch>,
}

/// `POST /api/v1/products/{id}/identification`: opt the product into a batch.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptIn {
    pub batch: i64,
}

/// `POST /api/v1/identification/batches/{id}/opt-ins`: the caller's enterprise opts several of
/// its products into a batch at once (1 to 100), each checked as a single opt-in.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkOptIn {
    /// 1 to 100 product ids; a longer list is refused as soon as its 101st id is read.
    #[serde(deserialize_with = "at_most_a_hundred")]
    #[schema(min_items = 1, max_items = 100)]
    pub products: Vec<i64>,
}

/// The most products one bulk opt-in names (the service holds the same limit).
pub const BULK_OPT_IN_MAX: usize = 100;

/// A list of ids read only up to its limit: the 101st ends the reading with `invalid_products`,
/// so that a body of millions of ids (the 20 MiB any body may have) costs no more than 101.
fn at_most_a_hundred<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    struct Ids;
    impl<'de> serde::de::Visitor<'de> for Ids {
        type Value = Vec<i64>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of 1 to 100 product ids")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<i64>, A::Error> {
            let mut ids = Vec::new();
            while let Some(id) = seq.next_element::<i64>()? {
                if ids.len() == BULK_OPT_IN_MAX {
                    return Err(serde::de::Error::custom(
                        zhichan_domain::validation::refusal_text(
                            "invalid_products",
                            &format!("一次申报 1 至 {BULK_OPT_IN_MAX} 件产品"),
                        ),
                    ));
                }
                ids.push(id);
            }
            Ok(ids)
        }
    }
    d.deserialize_seq(Ids)
}

/// What happened to one product of a bulk opt-in: `created` when this request opted it in,
/// `ok` without `created` when it was in already, otherwise the problem a single opt-in of it
/// would have answered (404 for a product that is not the caller's).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptInOutcome {
    pub product: i64,
    pub ok: bool,
    pub created: bool,
    pub candidate: Option<Candidate>,
    pub problem: Option<crate::Problem>,
}

/// A product opted into a batch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Candidate {
    pub batch: i64,
    pub product: i64,
    pub product_name: String,
    pub enterprise_name: String,
    pub region: String,
    pub opted_in_at: String,
    pub check: CheckStatus,
    pub check_reason: Option<String>,
    pub checked_by: Option<String>,
    /// The candidate's version, for the formal check.
    pub version: i64,
}

/// Candidates in the caller's scope.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CandidateList {
    pub items: Vec<Candidate>,
}

/// One candidate of a formal check, at the version the reviewer saw.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckItem {
    pub product: i64,
    pub version: i64,
}

/// `POST /api/v1/identification/batches/{id}/check`: one decision for one or many candidates.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormalCheck {
    pub items: Vec<CheckItem>,
    pub decision: crate::Decision,
    /// Required to return.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What happened to one candidate of a formal check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckOutcome {
    pub product: i64,
    pub ok: bool,
    pub candidate: Option<Candidate>,
    pub problem: Option<crate::Problem>,
}

/// A field's benchmark for one measure.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BenchmarkItem {
    /// The field's GB/T 4754 code.
    pub field: String,
    pub measure: Measure,
    pub value: String,
    /// How many registered products' values it is computed from.
    pub population: i64,
}

/// Every field's benchmarks of a computed batch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BenchmarkList {
    pub items: Vec<BenchmarkItem>,
}

/// One indicator judged for one candidate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct IndicatorResult {
    pub measure: Measure,
    /// The value; null when the product lacks the figures or the measure is not computable
    /// (the reasons say which).
    pub value: Option<String>,
    /// The benchmark; null when the field has none.
    pub benchmark: Option<String>,
    pub passed: bool,
}

/// A candidate's computed patent evaluation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResultItem {
    pub product: i64,
    pub product_name: String,
    pub enterprise_name: String,
    pub region: String,
    /// The field it was judged in (at the method's level).
    pub field: String,
    /// The computed patent evaluation (专利性评价).
    pub passed: bool,
    pub indicators: Vec<IndicatorResult>,
    /// Why, in plain Chinese.
    pub reasons: Vec<String>,
    /// The final outcome once the batch is announced (after the experts, the review and the
    /// objections); null before.
    pub outcome: Option<Outcome>,
    /// Why it was not identified (the patent evaluation, the experts' score, the formal check or
    /// an upheld objection), once decided.
    pub outcome_reason: Option<String>,
    /// The experts' aggregate score, once the review kept the list.
    pub industry_score: Option<String>,
    /// The identification number (认定编号), once identified.
    pub identification_number: Option<String>,
}

/// The computed results in the caller's scope.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResultList {
    pub items: Vec<ResultItem>,
}

/// `GET /api/v1/products/{id}/identification`: the product's latest candidacy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProductIdentification {
    pub batch: Option<Batch>,
    pub candidate: Option<Candidate>,
    pub result: Option<ResultItem>,
}

/// A candidate whose computed result would change under another method version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WhatIfChange {
    pub product: i64,
    pub product_name: String,
    pub field: String,
    pub passed_now: bool,
    pub passed_then: bool,
    /// The reasons under the other version.
    pub reasons_then: Vec<String>,
}

/// `GET /api/v1/identification/batches/{id}/what-if?method=&version=`: the batch's frozen
/// inputs judged by another method version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WhatIf {
    pub method: i64,
    pub version: i64,
    pub method_name: String,
    /// How many candidates were compared.
    pub compared: i64,
    pub changed: Vec<WhatIfChange>,
}

/// `POST /api/v1/identification/batches/{id}/evaluate`: starts the experts' industry evaluation.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartEvaluation {
    /// The experts' deadline in working days (default 10).
    #[serde(default)]
    pub deadline_days: Option<u32>,
}

/// `POST /api/v1/identification/batches/{id}/review`: the national review of the list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchReview {
    pub decision: crate::Decision,
    /// Required to send the list back.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One candidate of the review list: what the method's final rule makes of it so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Proposal {
    pub product: i64,
    pub product_name: String,
    pub enterprise_name: String,
    pub region: String,
    pub field: Option<String>,
    /// The computed patent evaluation (null: returned in the formal check).
    pub passed: Option<bool>,
    /// Its item in the batch's panel (candidates that passed the patent evaluation).
    pub panel_item: Option<i64>,
    /// How many experts have scored it.
    pub experts_scored: u32,
    /// The experts' aggregate, once enough have scored.
    pub industry_score: Option<String>,
    /// true: goes on the notice; false: not identified; null: waits for the experts.
    pub proposed: Option<bool>,
    pub reason: Option<String>,
}

/// The review list of a batch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalList {
    pub items: Vec<Proposal>,
}

/// `POST /api/v1/identification/batches/{id}/publish`: the public notice.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBatch {
    /// Working days of the notice (1–60), on the holiday calendar.
    #[schema(example = 5)]
    pub notice_days: i64,
}

/// A published batch and its notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedBatch {
    pub batch: Batch,
    pub notice: crate::notices::Notice,
}

/// `POST /api/v1/identification/batches/{id}/objections`: an objection to a product on notice.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchObjection {
    pub product: i64,
    /// Why, at most 2000 characters.
    #[schema(max_length = 2000)]
    pub reason: String,
}

/// An identified product (public).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdentifiedItem {
    pub product: i64,
    pub product_name: String,
    pub enterprise_name: String,
    /// GB/T 2260 code of the product's region.
    pub region: String,
    /// The field it was judged in (GB/T 4754-2017, at the method's level).
    pub field: String,
    /// 认定编号: `RD` + year of announcement + region + four-digit sequence.
    pub identification_number: String,
}

/// The announced list of a batch (public).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdentifiedList {
    pub batch: i64,
    pub year: i32,
    pub announced_on: String,
    pub items: Vec<IdentifiedItem>,
}
