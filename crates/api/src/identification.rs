//! Identification (认定): methods (评价方法) as versioned data.
//!
//! Values that are not money and may be fractional are JSON strings in decimal notation; money
//! is a string in yuan with at most two decimals.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhichan_domain::identification as dom;
use zhichan_domain::identification::Decimal;
use zhichan_domain::{Money, Violation};

/// The lists of codes a method is made of, as the domain has them (one type: the codes, the
/// refusal of an unknown one and the OpenAPI listing live there).
pub use dom::{Aggregate, Combine, Direction, FieldLevel, FinalRule, Measure, Source};

edge_enum!(
    /// A version is a `draft` until `published`; a published version is never edited.
    MethodStatus, "status", { Draft = "draft", Published = "published" }
);

/// A benchmark: `{"quantile":"0.5"}` (of the field's registered products) or `{"value":"3"}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "0.5")]
    pub quantile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// One indicator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub measure: Measure,
    pub benchmark: Benchmark,
    pub direction: Direction,
    /// Points for passing it (weighted combination only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
}

/// One item of the experts' score sheet.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreItem {
    pub name: String,
    pub max_score: String,
}

/// The industry evaluation (产业性评价) by experts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndustryEvaluation {
    pub items: Vec<ScoreItem>,
    pub min_experts: u32,
    pub aggregate: Aggregate,
    pub pass_score: String,
}

/// A product's figures for the reference year (money in yuan).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExampleFigures {
    pub valid_patents: u32,
    pub invention_patents: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_patents: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_revenue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_sales_revenue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_investment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_value: Option<String>,
}

/// A worked example: inputs and the outcome the method must give.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub name: String,
    pub product: ExampleFigures,
    /// The other registered products of the product's field.
    #[serde(default)]
    pub field: Vec<ExampleFigures>,
    /// Each expert's total score.
    #[serde(default)]
    pub expert_scores: Vec<String>,
    /// The expected patent evaluation.
    pub passed: bool,
    /// The expected final outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<bool>,
}

/// An identification method.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub name: String,
    pub source: Source,
    pub field_level: FieldLevel,
    /// A field with fewer products having a measure uses its parent field's benchmark.
    pub min_field_size: u32,
    pub indicators: Vec<Indicator>,
    pub combine: Combine,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_score: Option<String>,
    pub industry: IndustryEvaluation,
    pub final_rule: FinalRule,
    #[serde(default)]
    pub examples: Vec<Example>,
}

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

fn decimal(field: String, s: &str, errs: &mut Vec<(String, Violation)>) -> Decimal {
    match s.trim().parse::<Decimal>() {
        Ok(d) => d,
        Err(_) => {
            let shown = zhichan_domain::validation::echo(s);
            errs.push((
                field,
                Violation::new(
                    "invalid_decimal",
                    format!("“{shown}”不是有效的数字，请填写如 0.5 或 30 的十进制数"),
                    format!("\"{shown}\" is not a decimal number"),
                ),
            ));
            Decimal::ZERO
        }
    }
}

fn money(field: String, s: &Option<String>, errs: &mut Vec<(String, Violation)>) -> Option<Money> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    match Money::parse(s) {
        Ok(m) => Some(m),
        Err(v) => {
            errs.push((field, v));
            None
        }
    }
}

impl ExampleFigures {
    fn to_domain(&self, at: &str, errs: &mut Vec<(String, Violation)>) -> dom::Figures {
        dom::Figures {
            valid_patents: self.valid_patents,
            invention_patents: self.invention_patents,
            core_patents: self.core_patents,
            sales_revenue: money(format!("{at}.sales_revenue"), &self.sales_revenue, errs),
            prior_sales_revenue: money(
                format!("{at}.prior_sales_revenue"),
                &self.prior_sales_revenue,
                errs,
            ),
            ip_investment: money(format!("{at}.ip_investment"), &self.ip_investment, errs),
            export_value: money(format!("{at}.export_value"), &self.export_value, errs),
        }
    }

    fn of(f: &dom::Figures) -> Self {
        let m = |m: Option<Money>| m.map(|m| m.to_string());
        ExampleFigures {
            valid_patents: f.valid_patents,
            invention_patents: f.invention_patents,
            core_patents: f.core_patents,
            sales_revenue: m(f.sales_revenue),
            prior_sales_revenue: m(f.prior_sales_revenue),
            ip_investment: m(f.ip_investment),
            export_value: m(f.export_value),
        }
    }
}

impl Method {
    /// The domain method, or every field that does not parse or hold (paths as in the JSON).
    pub fn to_domain(&self) -> Result<dom::Method, Vec<(String, Violation)>> {
        let mut errs = Vec::new();
        let mut indicators = Vec::new();
        for (i, ind) in self.indicators.iter().enumerate() {
            let at = format!("indicators[{i}]");
            let benchmark = match (&ind.benchmark.quantile, &ind.benchmark.value) {
                (Some(q), None) => {
                    dom::BenchmarkRule::Quantile(decimal(format!("{at}.benchmark"), q, &mut errs))
                }
                (None, Some(v)) => {
                    dom::BenchmarkRule::Value(decimal(format!("{at}.benchmark"), v, &mut errs))
                }
                _ => {
                    errs.push((
                        format!("{at}.benchmark"),
                        Violation::new(
                            "invalid_benchmark",
                            "基准应为分位数或固定值二者之一",
                            "benchmark needs exactly one of quantile and value",
                        ),
                    ));
                    dom::BenchmarkRule::Value(Decimal::ZERO)
                }
            };
            let weight = ind
                .weight
                .as_deref()
                .filter(|w| !w.trim().is_empty())
                .map(|w| decimal(format!("{at}.weight"), w, &mut errs));
            indicators.push(dom::Indicator {
                measure: ind.measure,
                benchmark,
                direction: ind.direction,
                weight,
            });
        }
        let pass_score = self
            .pass_score
            .as_deref()
            .filter(|w| !w.trim().is_empty())
            .map(|p| decimal("pass_score".into(), p, &mut errs));
        let items = self
            .industry
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| dom::ScoreItem {
                name: it.name.trim().to_string(),
                max_score: decimal(
                    format!("industry.items[{i}].max_score"),
                    &it.max_score,
                    &mut errs,
                ),
            })
            .collect();
        let industry = dom::IndustryEvaluation {
            items,
            min_experts: self.industry.min_experts,
            aggregate: self.industry.aggregate,
            pass_score: decimal(
                "industry.pass_score".into(),
                &self.industry.pass_score,
                &mut errs,
            ),
        };
        let mut examples = Vec::new();
        for (i, ex) in self.examples.iter().enumerate() {
            let at = format!("examples[{i}]");
            examples.push(dom::Example {
                name: ex.name.trim().to_string(),
                product: ex.product.to_domain(&format!("{at}.product"), &mut errs),
                field: ex
                    .field
                    .iter()
                    .enumerate()
                    .map(|(k, f)| f.to_domain(&format!("{at}.field[{k}]"), &mut errs))
                    .collect(),
                expert_scores: ex
                    .expert_scores
                    .iter()
                    .enumerate()
                    .map(|(k, s)| decimal(format!("{at}.expert_scores[{k}]"), s, &mut errs))
                    .collect(),
                passed: ex.passed,
                outcome: ex.outcome,
            });
        }
        let m = dom::Method {
            name: self.name.trim().to_string(),
            source: dom::Source {
                document: self.source.document.trim().to_string(),
                clause: self.source.clause.trim().to_string(),
            },
            field_level: self.field_level,
            min_field_size: self.min_field_size,
            indicators,
            combine: self.combine,
            pass_score,
            industry,
            final_rule: self.final_rule,
            examples,
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        let more = m.check();
        if more.is_empty() {
            Ok(m)
        } else {
            Err(more)
        }
    }

    /// The JSON shape of a domain method.
    pub fn of(m: &dom::Method) -> Self {
        let s = |d: Decimal| d.to_string();
        Method {
            name: m.name.clone(),
            source: m.source.clone(),
            field_level: m.field_level,
            min_field_size: m.min_field_size,
            indicators: m
                .indicators
                .iter()
                .map(|i| Indicator {
                    measure: i.measure,
                    benchmark: match i.benchmark {
                        dom::BenchmarkRule::Quantile(q) => Benchmark {
                            quantile: Some(s(q)),
                            value: None,
                        },
                        dom::BenchmarkRule::Value(v) => Benchmark {
                            quantile: None,
                            value: Some(s(v)),
                        },
                    },
                    direction: i.direction,
                    weight: i.weight.map(s),
                })
                .collect(),
            combine: m.combine,
            pass_score: m.pass_score.map(s),
            industry: IndustryEvaluation {
                items: m
                    .industry
                    .items
                    .iter()
                    .map(|it| ScoreItem {
                        name: it.name.clone(),
                        max_score: s(it.max_score),
                    })
                    .collect(),
                min_experts: m.industry.min_experts,
                aggregate: m.industry.aggregate,
                pass_score: s(m.industry.pass_score),
            },
            final_rule: m.final_rule,
            examples: m
                .examples
                .iter()
                .map(|e| Example {
                    name: e.name.clone(),
                    product: ExampleFigures::of(&e.product),
                    field: e.field.iter().map(ExampleFigures::of).collect(),
                    expert_scores: e.expert_scores.iter().map(|d| s(*d)).collect(),
                    passed: e.passed,
                    outcome: e.outcome,
                })
                .collect(),
        }
    }
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
