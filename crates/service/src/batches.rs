//! Identification batches (认定批次): the national administrator opens a batch for a year under a
//! published method version; enterprises opt their registered products in until a date;
//! reviewers of the product's region run the formal check (形式审查); computing the batch
//! freezes its inputs (every product registered on 31 December of the year, with the figures,
//! patent counts and status read, and a SHA-256 digest over them) and computes each field's
//! benchmarks over all those products and each candidate's patent evaluation (专利性评价).
//! Computing again reads only the frozen inputs: the same digest, the same bytes.
//!
//! The later stages (experts' industry evaluation, the national review, the public notice and
//! objections) are separate components: until they exist a result's `outcome` stays empty.

use crate::audit::record;
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use zhichan_domain::access::{authorize, Action, Actor, Placement, Scope};
use zhichan_domain::enterprises::{format_date, parse_date};
use zhichan_domain::identification::{evaluate, BenchmarkBook, Figures, Measure, Measured, Method};
use zhichan_domain::registration::{ProductStatus, UpdateStatus};
use zhichan_domain::{IndustryCode, Money, RegionCode, Violation};
pub use zhichan_store::identification_batches::OutcomeIs;
use zhichan_store::identification_batches::{self as store, Batch, Candidate, CandidateFilter};
use zhichan_store::rule_versions::{self, IDENTIFICATION_METHODS};
use zhichan_store::StoreError;

/// How many frozen inputs are read at once (keyset pages: memory stays bounded by the page,
/// plus one decimal per product and measure for the quantiles).
pub const PAGE: i64 = 2000;

/// Computed results gathered before they are inserted (one COPY on PostgreSQL): about 5 MB.
const RESULTS_AT_ONCE: usize = 10_000;

/// Where a batch stands, as the pages and the API say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchState {
    Open,
    Closed,
    Computed,
    /// The experts' industry evaluation (产业性评价).
    Evaluating,
    /// The national review kept the list.
    Reviewed,
    /// On public notice (公示).
    Published,
    /// Announced (公告): the outcomes are final.
    Announced,
}

impl BatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Open => "open",
            BatchState::Closed => "closed",
            BatchState::Computed => "computed",
            BatchState::Evaluating => "evaluating",
            BatchState::Reviewed => "reviewed",
            BatchState::Published => "published",
            BatchState::Announced => "announced",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            BatchState::Open => "申报中",
            BatchState::Closed => "申报已截止",
            BatchState::Computed => "已计算",
            BatchState::Evaluating => "产业性评价中",
            BatchState::Reviewed => "已审核",
            BatchState::Published => "公示中",
            BatchState::Announced => "已公告",
        }
    }

    /// Whether the batch has been computed (this stage or a later one).
    pub fn computed(self) -> bool {
        !matches!(self, BatchState::Open | BatchState::Closed)
    }
}

/// A batch with what is read around it.
#[derive(Clone, Debug)]
pub struct BatchView {
    pub batch: Batch,
    pub method_name: String,
    pub state: BatchState,
    /// Days left to opt in (0 on the last day), while open.
    pub days_left: Option<i64>,
    /// Working days after today up to the last day of opt-in (on the holiday calendar in force,
    /// make-up days counted), while open.
    pub working_days_left: Option<u32>,
}

/// One indicator of a stored result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredIndicator {
    pub measure: String,
    pub value: Option<String>,
    pub benchmark: Option<String>,
    pub passed: bool,
}

/// A candidate's computed patent evaluation, as stored (serialised in this field order: the
/// same evaluation gives the same bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResult {
    pub field: String,
    pub passed: bool,
    pub indicators: Vec<StoredIndicator>,
    pub reasons: Vec<String>,
}

/// A candidate with its computed result, parsed.
#[derive(Clone, Debug)]
pub struct CandidateView {
    pub candidate: Candidate,
    pub result: Option<StoredResult>,
}

/// A candidate whose computed result would change under another method version.
#[derive(Clone, Debug)]
pub struct WhatIfChange {
    pub product_id: i64,
    pub product_name: String,
    pub field: String,
    pub passed_now: bool,
    pub passed_then: bool,
    pub reasons_then: Vec<String>,
}

/// The batch's frozen inputs judged by another method version.
#[derive(Clone, Debug)]
pub struct WhatIfView {
    pub method_id: i64,
    pub version: i64,
    pub method_name: String,
    pub compared: i64,
    pub changed: Vec<WhatIfChange>,
}

fn field_error(field: &str, code: &'static str, zh: impl Into<String>, en: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldViolation::new(
        field,
        Violation::new(code, zh, en.to_string()),
    )])
}

/// Why a batch takes no more opt-ins, in the words the enterprise reads.
fn closed_text(b: &Batch) -> String {
    match &b.opt_in_closed_at {
        Some(at) => format!(
            "本批次的申报已于 {} 提前截止",
            format_date(at.beijing_date())
        ),
        None => format!("本批次的申报已于 {} 截止", b.opt_in_until),
    }
}

fn corrupt(what: impl Into<String>) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(what.into()))
}

/// The figures the measures read, from a frozen input row.
pub fn figures_of(i: &store::Input) -> Figures {
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Figures {
        valid_patents: count(i.valid_patents),
        invention_patents: count(i.invention_patents),
        core_patents: Some(count(i.core_patents)),
        sales_revenue: i.sales_revenue.map(Money::from_fen),
        prior_sales_revenue: i.prior_sales_revenue.map(Money::from_fen),
        ip_investment: i.ip_investment.map(Money::from_fen),
        export_value: i.export_value.map(Money::from_fen),
    }
}

/// One frozen input in the canonical form the digest reads: fields separated by `|`, NULL as
/// the empty string, one line per product in product order.
pub fn canonical_line(i: &store::Input) -> String {
    let mut line = String::with_capacity(128);
    write_canonical_line(i, &mut line);
    line
}

/// Appends [`canonical_line`] to `out` (without a string of its own a row).
fn write_canonical_line(i: &store::Input, out: &mut String) {
    use std::fmt::Write;
    let opt = |out: &mut String, v: Option<i64>| {
        if let Some(x) = v {
            let _ = write!(out, "{x}");
        }
        out.push('|');
    };
    let _ = write!(
        out,
        "{}|{}|{}|{}|{}|{}|",
        i.product_id, i.region, i.industry, i.valid_patents, i.invention_patents, i.core_patents
    );
    opt(out, i.sales_revenue);
    opt(out, i.prior_sales_revenue);
    opt(out, i.ip_investment);
    opt(out, i.export_value);
    out.push(if i.update_approved { '1' } else { '0' });
    out.push('\n');
}

fn industry_of(i: &store::Input) -> ServiceResult<IndustryCode> {
    IndustryCode::parse(&i.industry).map_err(|_| {
        corrupt(format!(
            "frozen input {}: industry {}",
            i.product_id, i.industry
        ))
    })
}

/// The stored form of an evaluation.
pub fn stored_result(
    method: &Method,
    field: &IndustryCode,
    f: &Figures,
    book: &BenchmarkBook,
) -> StoredResult {
    let e = evaluate(method, book, field, f);
    StoredResult {
        field: field.as_str().to_string(),
        passed: e.passed,
        indicators: e
            .indicators
            .iter()
            .map(|j| StoredIndicator {
                measure: j.measure.as_str().to_string(),
                value: match &j.value {
                    Measured::Value(v) => Some(v.to_string()),
                    _ => None,
                },
                benchmark: j.benchmark.map(|b| b.to_string()),
                passed: j.passed,
            })
            .collect(),
        reasons: e.reasons,
    }
}

impl Services {
    pub(crate) fn batch_state(&self, b: &Batch) -> (BatchState, Option<i64>) {
        let stage = match b.status.as_str() {
            "computed" => Some(BatchState::Computed),
            "evaluating" => Some(BatchState::Evaluating),
            "reviewed" => Some(BatchState::Reviewed),
            "published" => Some(BatchState::Published),
            "announced" => Some(BatchState::Announced),
            _ => None,
        };
        if let Some(stage) = stage {
            return (stage, None);
        }
        if b.opt_in_closed_at.is_some() {
            return (BatchState::Closed, None);
        }
        let today = self.now().beijing_date();
        match parse_date(&b.opt_in_until) {
            Some(until) if today <= until => (BatchState::Open, Some((until - today).whole_days())),
            _ => (BatchState::Closed, None),
        }
    }

    pub(crate) async fn batch_view(&self, b: Batch) -> ServiceResult<BatchView> {
        let method = self.method_of(b.method_id, b.method_version).await?;
        let (state, days_left) = self.batch_state(&b);
        let working_days_left = match (days_left, parse_date(&b.opt_in_until)) {
            (Some(_), Some(until)) => Some(
                self.calendar()
                    .await?
                    .calendar
                    .working_days_between(self.now().beijing_date(), until),
            ),
            _ => None,
        };
        Ok(BatchView {
            method_name: method.name,
            batch: b,
            state,
            days_left,
            working_days_left,
        })
    }

    pub(crate) async fn method_of(&self, id: i64, version: i64) -> ServiceResult<Method> {
        let v = rule_versions::versions(self.db(), &IDENTIFICATION_METHODS, id)
            .await?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(ServiceError::NotFound)?;
        crate::rule_versions::rule_of(&v)
    }

    /// Batches are national: only an administrator whose region is the nation manages them.
    pub(crate) async fn may_manage_batches(
        &self,
        actor: &Actor,
        object: &str,
    ) -> ServiceResult<()> {
        authorize(actor, Action::ManageIdentificationBatches)?;
        self.scoped(
            actor,
            Action::ManageIdentificationBatches,
            &Placement {
                region: Some(RegionCode::NATION),
                ..Placement::default()
            },
            object,
        )
        .await
    }

    /// Whether `actor` may create and compute batches (for pages that offer the buttons).
    pub fn can_manage_batches(actor: &Actor) -> bool {
        matches!(
            authorize(actor, Action::ManageIdentificationBatches),
            Ok(Scope::All) | Ok(Scope::Region(RegionCode::NATION))
        )
    }

    /// Opens a batch for the figures' `year` under a published version of a method (its newest
    /// published version when `version` is `None`), open to opt-ins until `opt_in_until`.
    pub async fn create_identification_batch(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        year: i32,
        method_id: i64,
        version: Option<i64>,
        opt_in_until: &str,
    ) -> ServiceResult<BatchView> {
        self.may_manage_batches(actor, "identification_batch:new")
            .await?;
        let today = self.now().beijing_date();
        let mut errs = Vec::new();
        if year < 2000 || year >= today.year() {
            errs.push(FieldViolation::new(
                "year",
                Violation::new(
                    "invalid_year",
                    format!(
                        "认定年度应为已结束的年度（2000 至 {} 年）",
                        today.year() - 1
                    ),
                    "the year must be a past year".to_string(),
                ),
            ));
        }
        match parse_date(opt_in_until) {
            Some(d) if d >= today => {}
            Some(_) => errs.push(FieldViolation::new(
                "opt_in_until",
                Violation::new(
                    "invalid_date",
                    "申报截止日期不能早于今天",
                    "the opt-in date is in the past".to_string(),
                ),
            )),
            None => errs.push(FieldViolation::new(
                "opt_in_until",
                Violation::new(
                    "invalid_date",
                    "请按 年-月-日 填写申报截止日期，例如 2027-05-31",
                    "a date YYYY-MM-DD".to_string(),
                ),
            )),
        }
        let versions =
            rule_versions::versions(self.db(), &IDENTIFICATION_METHODS, method_id).await?;
        let chosen = match version {
            Some(n) => versions
                .iter()
                .find(|v| v.version == n && v.status == "published"),
            None => versions.iter().find(|v| v.status == "published"),
        };
        if chosen.is_none() {
            errs.push(FieldViolation::new(
                "method",
                Violation::new(
                    "method_not_published",
                    "请选择已发布的评价方法版本",
                    "a published method version".to_string(),
                ),
            ));
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let chosen = chosen.expect("checked above");
        let until = format_date(parse_date(opt_in_until).expect("checked above"));
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = store::create(
            &tx,
            year,
            method_id,
            chosen.version,
            &until,
            &actor.username,
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "identification_batch.create",
            &format!("identification_batch:{id}"),
            "ok",
            json!({"year": year, "method": method_id, "version": chosen.version, "opt_in_until": until}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.identification_batch(actor, id).await
    }

    /// Every batch, newest first (batches are national: every reader sees them all).
    pub async fn identification_batches(&self, actor: &Actor) -> ServiceResult<Vec<BatchView>> {
        authorize(actor, Action::ReadIdentification)?;
        let mut out = Vec::new();
        for b in store::list(self.db()).await? {
            out.push(self.batch_view(b).await?);
        }
        Ok(out)
    }

    pub async fn identification_batch(&self, actor: &Actor, id: i64) -> ServiceResult<BatchView> {
        authorize(actor, Action::ReadIdentification)?;
        let b = store::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.batch_view(b).await
    }

    /// The batches open for opt-in today.
    pub async fn open_batches(&self, actor: &Actor) -> ServiceResult<Vec<BatchView>> {
        Ok(self
            .identification_batches(actor)
            .await?
            .into_iter()
            .filter(|b| b.state == BatchState::Open)
            .collect())
    }

    /// The national administrator closes a batch's opt-in before its date, with a reason
    /// (audited); every enterprise with a product in the batch is told. 409 when opt-in has
    /// already closed (early or on its date) or the batch is computed.
    pub async fn close_batch_opt_in(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        reason: &str,
    ) -> ServiceResult<BatchView> {
        self.may_manage_batches(actor, &format!("identification_batch:{id}"))
            .await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(field_error(
                "reason",
                "required",
                "请填写提前截止申报的理由",
                "a reason is required",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(field_error(
                "reason",
                "too_long",
                "理由不能超过 500 字",
                "at most 500 characters",
            ));
        }
        let batch = store::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let (state, _) = self.batch_state(&batch);
        if state != BatchState::Open {
            return Err(ServiceError::Conflict(if state.computed() {
                "本批次已经计算，申报早已截止".into()
            } else {
                closed_text(&batch)
            }));
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        if store::close_opt_in(&tx, id, &actor.username, reason, now).await? == 0 {
            return Err(ServiceError::Conflict(
                "本批次的申报已经截止，请刷新后查看".into(),
            ));
        }
        let title = format!("{} 年度认定批次的申报已提前截止", batch.year);
        let body = format!(
            "{} 年度认定批次的申报已于 {} 提前截止，理由：{}",
            batch.year,
            format_date(now.beijing_date()),
            reason
        );
        let link = format!("/identification/batches/{id}");
        for enterprise_id in store::candidate_enterprises(&tx, id).await? {
            crate::notifications::notify(
                &tx,
                &crate::notifications::Notice {
                    enterprise_id,
                    kind: crate::notifications::Kind::BatchOptInClosed,
                    title: &title,
                    body: &body,
                    link: &link,
                    key: &format!("{id}:{enterprise_id}"),
                },
                now,
            )
            .await?;
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "identification_batch.close_opt_in",
            &format!("identification_batch:{id}"),
            "ok",
            json!({"reason": reason, "opt_in_until": batch.opt_in_until}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.identification_batch(actor, id).await
    }

    /// The product's enterprise opts it into a batch: only a registered product in force whose
    /// annual update for the batch's year was approved, before the opt-in date. Opting in twice
    /// answers the candidacy there is (`false`: not new).
    pub async fn opt_in_product(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        product_id: i64,
        batch_id: i64,
    ) -> ServiceResult<(CandidateView, bool)> {
        let p = self
            .load(actor, product_id, Action::ApplyIdentification)
            .await?;
        let batch = store::by_id(self.db(), batch_id).await?.ok_or_else(|| {
            field_error("batch", "invalid_batch", "认定批次不存在", "no such batch")
        })?;
        if let Some(c) = store::candidate(self.db(), batch_id, product_id).await? {
            return Ok((
                CandidateView {
                    candidate: c,
                    result: None,
                },
                false,
            ));
        }
        let mut errs = Vec::new();
        let (state, _) = self.batch_state(&batch);
        if state != BatchState::Open {
            errs.push(FieldViolation::new(
                "batch",
                Violation::new(
                    "batch_closed",
                    closed_text(&batch),
                    "the batch no longer takes opt-ins".to_string(),
                ),
            ));
        }
        if p.status != ProductStatus::Approved {
            errs.push(FieldViolation::new(
                "product",
                Violation::new(
                    "not_registered",
                    "该产品不是有效的备案产品（未通过备案审核，或已撤回、撤销），不能申报认定",
                    "the product is not a registered product in force".to_string(),
                ),
            ));
        } else {
            let approved = zhichan_store::annual_updates::for_product(self.db(), product_id)
                .await?
                .iter()
                .any(|u| u.year == batch.year && u.status == UpdateStatus::Approved);
            if !approved {
                errs.push(FieldViolation::new(
                    "product",
                    Violation::new(
                        "annual_update_missing",
                        format!(
                            "该产品 {} 年度的信息更新尚未审核通过，不能申报本批次认定",
                            batch.year
                        ),
                        "the annual update for the batch's year is not approved".to_string(),
                    ),
                ));
            }
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        match store::opt_in(
            &tx,
            batch_id,
            product_id,
            p.region,
            p.enterprise_id,
            &actor.username,
            now,
        )
        .await
        {
            Err(StoreError::Unique { .. }) => {
                drop(tx);
                let c = store::candidate(self.db(), batch_id, product_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                return Ok((
                    CandidateView {
                        candidate: c,
                        result: None,
                    },
                    false,
                ));
            }
            Ok(0) => {
                // The opt-in was closed between the check above and this write.
                drop(tx);
                let batch = store::by_id(self.db(), batch_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                return Err(field_error(
                    "batch",
                    "batch_closed",
                    closed_text(&batch),
                    "the batch no longer takes opt-ins",
                ));
            }
            other => {
                other?;
            }
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "identification.opt_in",
            &format!("product:{product_id}"),
            "ok",
            json!({"batch": batch_id}),
            now,
        )
        .await?;
        tx.commit().await?;
        let c = store::candidate(self.db(), batch_id, product_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok((
            CandidateView {
                candidate: c,
                result: None,
            },
            true,
        ))
    }

    /// The most products one bulk opt-in takes (as many as one formal check decides).
    pub const BULK_OPT_IN_MAX: usize = 100;

    /// The caller's enterprise opts several products into a batch at once: each of its own is
    /// opted in (or refused) exactly as [`Services::opt_in_product`] would, in its own
    /// transaction, so one refusal keeps none of the others out; a product named twice is tried
    /// once. The list is resolved against the caller's enterprise in one statement first: an id
    /// that is not its product — another firm's or nobody's — is "not found" by the same path
    /// (no lookup of its own, no audit row of its own: the two must not differ even in time),
    /// and the request records one audit row naming how many there were. The batch must exist
    /// (404) and the caller must be one who may opt in (403); the list must hold 1 to
    /// [`Self::BULK_OPT_IN_MAX`] products (422 `invalid_products`).
    pub async fn opt_in_products(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        batch_id: i64,
        product_ids: &[i64],
    ) -> ServiceResult<Vec<(i64, ServiceResult<(CandidateView, bool)>)>> {
        let Scope::Enterprise(code) = authorize(actor, Action::ApplyIdentification)? else {
            return Err(ServiceError::Forbidden);
        };
        store::by_id(self.db(), batch_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if product_ids.is_empty() || product_ids.len() > Self::BULK_OPT_IN_MAX {
            return Err(field_error(
                "products",
                "invalid_products",
                format!("一次申报 1 至 {} 件产品", Self::BULK_OPT_IN_MAX),
                "between 1 and 100 products",
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        let ids: Vec<i64> = product_ids
            .iter()
            .copied()
            .filter(|id| seen.insert(*id))
            .collect();
        let own: std::collections::BTreeSet<i64> =
            match zhichan_store::enterprises::by_credit_code(self.db(), &code).await? {
                Some(e) => zhichan_store::products::of_enterprise_among(self.db(), e.id, &ids)
                    .await?
                    .into_iter()
                    .collect(),
                None => std::collections::BTreeSet::new(),
            };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let r = if own.contains(&id) {
                self.opt_in_product(actor, ctx, id, batch_id).await
            } else {
                Err(ServiceError::NotFound)
            };
            out.push((id, r));
        }
        let unknown = out.len() - own.len();
        if unknown > 0 {
            let tx = self.db().begin().await?;
            record(
                &tx,
                ctx,
                Some(actor),
                "identification.opt_in_many",
                &format!("batch:{batch_id}"),
                "denied",
                json!({"batch": batch_id, "products": out.len(), "not_found": unknown}),
                self.now(),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(out)
    }

    pub(crate) fn scope_filter(actor: &Actor, action: Action) -> ServiceResult<CandidateFilter> {
        Ok(match authorize(actor, action)? {
            Scope::All => CandidateFilter::default(),
            Scope::Region(r) => CandidateFilter {
                region: Some(r),
                ..CandidateFilter::default()
            },
            Scope::Enterprise(e) => CandidateFilter {
                enterprise: Some(e),
                ..CandidateFilter::default()
            },
            Scope::Account(_) => return Err(ServiceError::Forbidden),
        })
    }

    /// The candidates of a batch in the caller's scope (`check`: only those at this stage of
    /// the formal check).
    pub async fn batch_candidates(
        &self,
        actor: &Actor,
        batch_id: i64,
        check: Option<&str>,
    ) -> ServiceResult<Vec<CandidateView>> {
        let mut f = Self::scope_filter(actor, Action::ReadIdentification)?;
        store::by_id(self.db(), batch_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        f.check_status = check.map(str::to_string);
        Ok(store::candidates(self.db(), batch_id, &f)
            .await?
            .into_iter()
            .map(|c| CandidateView {
                result: None,
                candidate: c,
            })
            .collect())
    }

    /// The formal check of one candidate by a reviewer of its region: approve, or return with a
    /// reason. Refused once the batch is computed.
    #[allow(clippy::too_many_arguments)]
    pub async fn check_candidate(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        batch_id: i64,
        product_id: i64,
        version: i64,
        approve: bool,
        reason: Option<&str>,
    ) -> ServiceResult<CandidateView> {
        authorize(actor, Action::CheckIdentification)?;
        let c = store::candidate(self.db(), batch_id, product_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.scoped(
            actor,
            Action::CheckIdentification,
            &crate::products::placement(c.region, &c.enterprise_code),
            &format!("product:{product_id}"),
        )
        .await?;
        let batch = store::by_id(self.db(), batch_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if batch.status != "open" {
            return Err(ServiceError::Conflict(
                "本批次已计算，形式审查结论不能再改".into(),
            ));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if !approve && reason.is_none() {
            return Err(field_error(
                "reason",
                "required",
                "退回时请写明理由",
                "a reason is required to return",
            ));
        }
        let status = if approve { "approved" } else { "returned" };
        let now = self.now();
        let tx = self.db().begin().await?;
        if store::check(
            &tx,
            batch_id,
            product_id,
            version,
            status,
            if approve { None } else { reason },
            &actor.username,
            now,
        )
        .await?
            == 0
        {
            return Err(ServiceError::Conflict(
                "该申报已被他人处理，请刷新后再审查".into(),
            ));
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "identification.formal_check",
            &format!("product:{product_id}"),
            "ok",
            json!({"batch": batch_id, "decision": status, "reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        let c = store::candidate(self.db(), batch_id, product_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(CandidateView {
            candidate: c,
            result: None,
        })
    }

    /// Computes a batch (national administrator), after the opt-in date and once every
    /// candidate has had its formal check. The first time, the inputs are frozen: every product
    /// registered on 31 December of the year, with its figures, patent counts and update status,
    /// copied by the database in one statement, and digested. Then one ordered read of the
    /// frozen inputs (see [`read_inputs`]) gives the digest, each field's benchmarks over all of
    /// them, and the figures of each candidate (not returned), whose patent evaluation is then
    /// written without reading anything again. Computing again reads the same frozen inputs and
    /// writes the same bytes.
    pub async fn compute_batch(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
    ) -> ServiceResult<BatchView> {
        self.may_manage_batches(actor, &format!("identification_batch:{id}"))
            .await?;
        let batch = store::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let (state, _) = self.batch_state(&batch);
        if state == BatchState::Open {
            return Err(ServiceError::Conflict(format!(
                "申报截止日 {} 之后才能计算",
                batch.opt_in_until
            )));
        }
        let pending = store::pending_count(self.db(), id).await?;
        if pending > 0 {
            return Err(ServiceError::Conflict(format!(
                "还有 {pending} 件申报未完成形式审查，完成后才能计算"
            )));
        }
        let method = self
            .method_of(batch.method_id, batch.method_version)
            .await?;
        let now = self.now();
        // Each step's time, logged at debug level (what profiling the batch reads).
        let mut clock = std::time::Instant::now();
        let mut step = |name: &'static str| {
            tracing::debug!(
                batch = id,
                step = name,
                ms = clock.elapsed().as_millis() as u64,
                "compute"
            );
            clock = std::time::Instant::now();
        };
        let tx = self.db().begin().await?;
        // SQLite's larger page cache for this transaction (see the store), given back before it
        // commits or rolls back, whatever the computation's outcome (a cache is the
        // connection's, not the transaction's).
        store::settle_for_inputs(&tx).await?;
        let outcome: ServiceResult<()> = async {
            let first = batch.frozen_at.is_none();
            if first {
                // Two first computations at once: the second finds the freeze claimed (on
                // PostgreSQL after waiting for the first's row lock) and is told so, instead of
                // running into the frozen inputs' primary key.
                if zhichan_store::identification_rounds::claim_freeze(&tx, id, now).await? == 0 {
                    return Err(ServiceError::Conflict(
                        "本批次正在由他人计算，请稍后刷新查看结果".into(),
                    ));
                }
                store::freeze_inputs(&tx, id, batch.year, &format!("{}-12-31", batch.year)).await?;
            }
            step("freeze");
            // The candidates to evaluate (by product id), then one ordered read of the frozen
            // inputs for their digest, the benchmarks and the candidates' figures (kept packed until
            // the benchmarks are known).
            let live = store::live_candidates(&tx, id).await?;
            let (count, digest, book, kept) =
                read_inputs(&tx, id, batch.year, &method, &live).await?;
            step("digest and benchmarks");
            if first {
                store::set_frozen(&tx, id, count, &digest, now).await?;
            } else if batch.inputs_digest.as_deref() != Some(digest.as_str()) {
                return Err(corrupt(format!(
                    "identification batch {id}: the frozen inputs no longer match their digest"
                )));
            }
            store::clear_benchmarks(&tx, id).await?;
            for (field, m, value, population) in book.entries() {
                store::insert_benchmark(
                    &tx,
                    id,
                    field,
                    m.as_str(),
                    &value.to_string(),
                    i64::from(population),
                )
                .await?;
            }
            // The first computation has no results to clear (only a computation writes them, in
            // the transaction that claims the freeze).
            if !first {
                store::clear_results(&tx, id).await?;
            }
            step("benchmarks written, results cleared");
            // The results are inserted in bulk, RESULTS_AT_ONCE at a time (one COPY on PostgreSQL),
            // by product: the candidates with a frozen input evaluated, merged in order with those
            // without one (not registered on 31 December, withdrawn since), which get a fixed
            // explanation. They are evaluated on a thread of their own while the chunk before is
            // being written, so that the evaluation and the database work at once.
            let unfrozen = serde_json::to_string(&StoredResult {
                field: String::new(),
                passed: false,
                indicators: Vec::new(),
                reasons: vec![format!(
                    "该产品在 {} 年 12 月 31 日不处于备案状态，不参加计算，专利性评价未通过",
                    batch.year
                )],
            })
            .expect("a result serialises");
            let (chunks, mut written) = tokio::sync::mpsc::channel::<Vec<store::ResultRow>>(2);
            let evaluation = tokio::task::spawn_blocking(move || {
                let mut computed = 0u64;
                let mut rows = Vec::with_capacity(RESULTS_AT_ONCE.min(live.len()));
                let mut frozen = kept.candidates.iter().peekable();
                for &product_id in &live {
                    let row = match frozen.next_if(|k| k.product_id == product_id) {
                        Some(k) => {
                            let field = &kept.fields[k.field as usize];
                            let r = stored_result(&method, field, &k.figures(), &book);
                            computed += 1;
                            store::ResultRow {
                                product_id,
                                result: serde_json::to_string(&r).expect("a result serialises"),
                                field: r.field,
                                passed: r.passed,
                            }
                        }
                        None => store::ResultRow {
                            product_id,
                            field: String::new(),
                            passed: false,
                            result: unfrozen.clone(),
                        },
                    };
                    rows.push(row);
                    // A writer gone (its insert failed) ends the evaluation too.
                    if rows.len() == RESULTS_AT_ONCE
                        && chunks.blocking_send(std::mem::take(&mut rows)).is_err()
                    {
                        return computed;
                    }
                }
                if !rows.is_empty() {
                    let _ = chunks.blocking_send(rows);
                }
                computed
            });
            while let Some(rows) = written.recv().await {
                store::insert_results(&tx, id, rows).await?;
            }
            let computed = evaluation
                .await
                .map_err(|e| corrupt(format!("identification batch {id}: evaluation: {e}")))?;
            step("results");
            store::set_computed(&tx, id, &actor.username, now).await?;
            record(
                &tx,
                ctx,
                Some(actor),
                "identification_batch.compute",
                &format!("identification_batch:{id}"),
                "ok",
                json!({"inputs": count, "digest": digest, "candidates": computed, "first": first}),
                now,
            )
            .await?;
            step("audit");
            Ok(())
        }
        .await;
        let given_back = store::unsettle_for_inputs(&tx).await;
        outcome?;
        given_back?;
        tx.commit().await?;
        step("commit");
        self.identification_batch(actor, id).await
    }

    /// Every field's benchmarks of a computed batch: (field, measure, value, population).
    pub async fn batch_benchmarks(
        &self,
        actor: &Actor,
        id: i64,
    ) -> ServiceResult<Vec<store::StoredBenchmark>> {
        authorize(actor, Action::ReadIdentification)?;
        store::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(store::benchmarks(self.db(), id).await?)
    }

    /// The computed results in the caller's scope, by product (of a field, by whether the patent
    /// evaluation passed, by final outcome).
    pub async fn batch_results(
        &self,
        actor: &Actor,
        id: i64,
        field: Option<&str>,
        passed: Option<bool>,
        outcome: Option<store::OutcomeIs>,
    ) -> ServiceResult<Vec<CandidateView>> {
        let mut f = Self::scope_filter(actor, Action::ReadIdentification)?;
        store::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        f.field = field.map(str::to_string);
        f.passed = passed;
        f.outcome = outcome;
        f.computed = true;
        store::candidates(self.db(), id, &f)
            .await?
            .into_iter()
            .map(parse_candidate)
            .collect()
    }

    /// The product's newest candidacy, its batch and its result (all `None` when it has never
    /// been opted in).
    pub async fn product_identification(
        &self,
        actor: &Actor,
        product_id: i64,
    ) -> ServiceResult<Option<(BatchView, CandidateView)>> {
        self.load(actor, product_id, Action::ReadIdentification)
            .await?;
        let Some(c) = store::latest_of_product(self.db(), product_id).await? else {
            return Ok(None);
        };
        let b = store::by_id(self.db(), c.batch_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(Some((self.batch_view(b).await?, parse_candidate(c)?)))
    }

    /// The batch's frozen inputs judged by another method version (a draft too: this is how an
    /// official sees a change before publishing it): the candidates whose computed result would
    /// change.
    pub async fn batch_what_if(
        &self,
        actor: &Actor,
        id: i64,
        method_id: i64,
        version: i64,
    ) -> ServiceResult<WhatIfView> {
        self.may_manage_batches(actor, &format!("identification_batch:{id}"))
            .await?;
        let batch = store::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if batch.status == "open" {
            return Err(ServiceError::Conflict(
                "本批次尚未计算，没有冻结的数据可供比较".into(),
            ));
        }
        let method = self
            .method_of(method_id, version)
            .await
            .map_err(|e| match e {
                ServiceError::NotFound => field_error(
                    "method",
                    "invalid_method",
                    "没有这个评价方法版本",
                    "no such method version",
                ),
                other => other,
            })?;
        let now_results: std::collections::BTreeMap<i64, (String, bool)> = store::candidates(
            self.db(),
            id,
            &CandidateFilter {
                computed: true,
                ..CandidateFilter::default()
            },
        )
        .await?
        .into_iter()
        .map(|c| (c.product_id, (c.product_name, c.passed.unwrap_or(false))))
        .collect();
        let book = benchmark_book(self.db(), id, &method).await?;
        let mut after = 0;
        let mut compared = 0;
        let mut changed = Vec::new();
        loop {
            let page = store::candidate_inputs_page(self.db(), id, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.product_id;
            for i in &page {
                let Some((name, passed_now)) = now_results.get(&i.product_id) else {
                    continue;
                };
                compared += 1;
                let field = method.field_level.field_of(&industry_of(i)?);
                let r = stored_result(&method, &field, &figures_of(i), &book);
                if r.passed != *passed_now {
                    changed.push(WhatIfChange {
                        product_id: i.product_id,
                        product_name: name.clone(),
                        field: r.field,
                        passed_now: *passed_now,
                        passed_then: r.passed,
                        reasons_then: r.reasons,
                    });
                }
            }
        }
        Ok(WhatIfView {
            method_id,
            version,
            method_name: method.name,
            compared,
            changed,
        })
    }
}

pub(crate) fn parse_candidate(c: Candidate) -> ServiceResult<CandidateView> {
    let result = match &c.result {
        Some(body) => Some(serde_json::from_str::<StoredResult>(body).map_err(|e| {
            corrupt(format!(
                "identification result {}/{}: {e}",
                c.batch_id, c.product_id
            ))
        })?),
        None => None,
    };
    Ok(CandidateView {
        candidate: c,
        result,
    })
}

/// The count and SHA-256 (hex) of a batch's frozen inputs, read in keyset pages.
pub async fn digest_inputs(
    ex: &impl zhichan_store::Exec,
    batch_id: i64,
    year: i32,
) -> ServiceResult<(i64, String)> {
    let mut h = Sha256::new();
    h.update(format!("zhichan identification inputs v1\nyear {year}\n").as_bytes());
    let mut after = 0;
    let mut count = 0;
    loop {
        let page = store::inputs_page(ex, batch_id, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.product_id;
        for i in &page {
            h.update(canonical_line(i).as_bytes());
            count += 1;
        }
    }
    Ok((count, hex::encode(h.finalize())))
}

/// A candidate's figures as [`read_inputs`] keeps them until the benchmarks are known: 64
/// bytes a candidate (its field an index into [`Kept::fields`], a missing amount a bit).
struct KeptCandidate {
    product_id: i64,
    field: u32,
    counts: [u32; 3],
    present: u8,
    money: [i64; 4],
}

impl KeptCandidate {
    fn of(i: &store::Input, field: u32) -> Self {
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        let amounts = [
            i.sales_revenue,
            i.prior_sales_revenue,
            i.ip_investment,
            i.export_value,
        ];
        let mut present = 0;
        let mut money = [0; 4];
        for (k, a) in amounts.into_iter().enumerate() {
            if let Some(v) = a {
                present |= 1 << k;
                money[k] = v;
            }
        }
        KeptCandidate {
            product_id: i.product_id,
            field,
            counts: [
                count(i.valid_patents),
                count(i.invention_patents),
                count(i.core_patents),
            ],
            present,
            money,
        }
    }

    /// The figures the measures read: the same as [`figures_of`] its input row.
    fn figures(&self) -> Figures {
        let amount =
            |k: usize| (self.present & (1 << k) != 0).then(|| Money::from_fen(self.money[k]));
        Figures {
            valid_patents: self.counts[0],
            invention_patents: self.counts[1],
            core_patents: Some(self.counts[2]),
            sales_revenue: amount(0),
            prior_sales_revenue: amount(1),
            ip_investment: amount(2),
            export_value: amount(3),
        }
    }
}

/// The candidates (approved in the formal check) that [`read_inputs`] met, by product, and the
/// fields (at the method's level) they are judged in.
#[derive(Default)]
struct Kept {
    fields: Vec<IndustryCode>,
    candidates: Vec<KeptCandidate>,
}

/// The frozen inputs a page [`read_inputs`] reads as one text.
const CANONICAL_PAGE: i64 = 10_000;

/// An input from its canonical line (without its newline): the inverse of
/// [`canonical_line`]. `None` for a line it could not have written.
pub fn parse_canonical_line(line: &str) -> Option<store::Input> {
    let mut f = line.split('|');
    let mut int = || f.next()?.parse::<i64>().ok();
    let (product_id, region) = (int()?, int()?);
    let industry = f.next()?.to_string();
    let mut int = || f.next()?.parse::<i64>().ok();
    let (valid_patents, invention_patents, core_patents) = (int()?, int()?, int()?);
    let mut amount = || -> Option<Option<i64>> {
        match f.next()? {
            "" => Some(None),
            v => v.parse().ok().map(Some),
        }
    };
    let (sales_revenue, prior_sales_revenue, ip_investment, export_value) =
        (amount()?, amount()?, amount()?, amount()?);
    let update_approved = match f.next()? {
        "1" => true,
        "0" => false,
        _ => return None,
    };
    f.next().is_none().then_some(store::Input {
        product_id,
        region,
        industry,
        valid_patents,
        invention_patents,
        core_patents,
        sales_revenue,
        prior_sales_revenue,
        ip_investment,
        export_value,
        update_approved,
    })
}

/// One ordered read of a batch's frozen inputs, in pages of their canonical lines joined by the
/// database (see [`store::canonical_inputs_page`]): their count and digest (the lines are what
/// the digest reads, as [`digest_inputs`] renders them), the benchmarks of `method` over all of
/// them (as [`benchmark_book`]), and the figures of the candidates among them (`live`, by
/// product id, as [`store::live_candidates`] reads them), so that their evaluation reads nothing
/// again. Each page is taken apart on a thread of its own while the database joins the next
/// (the two took about as long). Memory: the book's values (eight bytes a product and measure),
/// 64 bytes a candidate, three pages of lines.
async fn read_inputs(
    tx: &zhichan_store::Tx,
    batch_id: i64,
    year: i32,
    method: &Method,
    live: &[i64],
) -> ServiceResult<(i64, String, BenchmarkBook, Kept)> {
    let (pages, mut arriving) = tokio::sync::mpsc::channel::<store::CanonicalPage>(2);
    let (method, live) = (method.clone(), live.to_vec());
    let reading = tokio::task::spawn_blocking(move || {
        let mut h = Sha256::new();
        h.update(format!("zhichan identification inputs v1\nyear {year}\n").as_bytes());
        let mut book = BenchmarkBook::default();
        let mut kept = Kept::default();
        let mut index: std::collections::HashMap<IndustryCode, u32> = Default::default();
        // Both in product order: a candidate is the next live id not passed yet.
        let mut next = live.iter().peekable();
        let mut count = 0i64;
        while let Some(page) = arriving.blocking_recv() {
            h.update(page.lines.as_bytes());
            let (mut rows, mut last) = (0, 0);
            for line in page.lines.lines() {
                let i = parse_canonical_line(line).ok_or_else(|| {
                    corrupt(format!(
                        "identification batch {batch_id}: frozen input {line:?}"
                    ))
                })?;
                let industry = industry_of(&i)?;
                book.add(&method, &industry, &figures_of(&i));
                while next.next_if(|&&p| p < i.product_id).is_some() {}
                if next.next_if(|&&p| p == i.product_id).is_some() {
                    let field = method.field_level.field_of(&industry);
                    let n = match index.get(&field) {
                        Some(n) => *n,
                        None => {
                            let n = kept.fields.len() as u32;
                            kept.fields.push(field.clone());
                            index.insert(field, n);
                            n
                        }
                    };
                    kept.candidates.push(KeptCandidate::of(&i, n));
                }
                last = i.product_id;
                rows += 1;
            }
            // A line the database joined that is not one input (a newline inside a value)
            // would shift every count after it.
            if rows != page.rows || last != page.last {
                return Err(corrupt(format!(
                    "identification batch {batch_id}: a page of {} frozen inputs read as {rows}",
                    page.rows
                )));
            }
            count += rows;
        }
        book.finish(&method);
        Ok::<_, ServiceError>((count, hex::encode(h.finalize()), book, kept))
    });
    let mut after = 0;
    while let Some(page) = store::canonical_inputs_page(tx, batch_id, after, CANONICAL_PAGE).await?
    {
        after = page.last;
        // The reader gone (it found a page it could not read) ends the reading; its error is
        // the answer.
        if pages.send(page).await.is_err() {
            break;
        }
    }
    drop(pages);
    reading
        .await
        .map_err(|e| corrupt(format!("identification batch {batch_id}: reading: {e}")))?
}

/// The benchmarks of `method` over a batch's frozen inputs, read in keyset pages.
pub async fn benchmark_book(
    ex: &impl zhichan_store::Exec,
    batch_id: i64,
    method: &Method,
) -> ServiceResult<BenchmarkBook> {
    let mut book = BenchmarkBook::default();
    let mut after = 0;
    loop {
        let page = store::inputs_page(ex, batch_id, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.product_id;
        for i in &page {
            book.add(method, &industry_of(i)?, &figures_of(i));
        }
    }
    book.finish(method);
    Ok(book)
}

/// A measure's code as the API names it.
pub fn measure_of(code: &str) -> Option<Measure> {
    Measure::parse(code).ok()
}

/// How many of a firm's registered products the opt-in page reads at a time.
const ELIGIBLE_PAGE: i64 = 500;

/// One of an enterprise's registered products as the opt-in page shows it.
#[derive(Clone, Debug)]
pub struct Eligible {
    pub product_id: i64,
    pub name: String,
    pub field: String,
    /// Already opted in (its formal check status).
    pub opted_in: Option<String>,
    /// Why it cannot be opted in, in Chinese; `None` when it can.
    pub refusal: Option<String>,
}

impl Services {
    /// The caller's enterprise's registered products and whether each may be opted into the
    /// batch (the same checks as [`Services::opt_in_product`]).
    pub async fn eligible_products(
        &self,
        actor: &Actor,
        batch_id: i64,
    ) -> ServiceResult<Vec<Eligible>> {
        authorize(actor, Action::ApplyIdentification)?;
        let batch = store::by_id(self.db(), batch_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let filter = crate::products::Filter {
            status: Some(ProductStatus::Approved),
            ..crate::products::Filter::default()
        };
        // Every one of them, a page at a time (a firm may have more than a page).
        let mut views = Vec::new();
        loop {
            let (page, _) = self
                .products(actor, &filter, ELIGIBLE_PAGE, views.len() as i64)
                .await?;
            let last = (page.len() as i64) < ELIGIBLE_PAGE;
            views.extend(page);
            if last {
                break;
            }
        }
        let ids: Vec<i64> = views.iter().map(|v| v.product.id).collect();
        let mut approved = std::collections::BTreeSet::new();
        for chunk in ids.chunks(ELIGIBLE_PAGE as usize) {
            approved.extend(
                zhichan_store::annual_updates::of_year(self.db(), batch.year, chunk)
                    .await?
                    .into_iter()
                    .filter(|u| u.status == UpdateStatus::Approved)
                    .map(|u| u.product_id),
            );
        }
        let mut f = Self::scope_filter(actor, Action::ApplyIdentification)?;
        f.computed = false;
        let opted: std::collections::BTreeMap<i64, String> =
            store::candidates(self.db(), batch_id, &f)
                .await?
                .into_iter()
                .map(|c| (c.product_id, c.check_status))
                .collect();
        Ok(views
            .into_iter()
            .map(|v| {
                let id = v.product.id;
                Eligible {
                    refusal: (!approved.contains(&id))
                        .then(|| format!("{} 年度的信息更新尚未审核通过", batch.year)),
                    opted_in: opted.get(&id).cloned(),
                    product_id: id,
                    name: v.product.name,
                    field: v.product.field.as_str().to_string(),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{canonical_line, parse_canonical_line};
    use zhichan_store::identification_batches::Input;

    fn input(amounts: [Option<i64>; 4], approved: bool) -> Input {
        Input {
            product_id: 9_007_199_254_740_993,
            region: 110_101,
            industry: "C3911".into(),
            valid_patents: 12,
            invention_patents: 0,
            core_patents: 3,
            sales_revenue: amounts[0],
            prior_sales_revenue: amounts[1],
            ip_investment: amounts[2],
            export_value: amounts[3],
            update_approved: approved,
        }
    }

    /// A frozen input's canonical line reads back as the same input: absent amounts, zero,
    /// the largest amount, both update states.
    #[test]
    fn a_canonical_line_reads_back_as_its_input() {
        for i in [
            input([None, None, None, None], false),
            input([Some(0), None, Some(i64::MAX), Some(1)], true),
            input([Some(123_456_789), Some(1), None, Some(0)], false),
        ] {
            let line = canonical_line(&i);
            assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
            assert_eq!(parse_canonical_line(line.trim_end()), Some(i));
        }
        assert_eq!(
            canonical_line(&input([None, Some(5), None, None], true)),
            "9007199254740993|110101|C3911|12|0|3||5|||1\n"
        );
    }

    /// What it could not have written is refused, not read as something else.
    #[test]
    fn a_line_it_could_not_have_written_is_refused() {
        for bad in [
            "",
            "1|2|C39|1|0|0||||",
            "1|2|C39|1|0|0|||||1|extra",
            "1|2|C39|1|0|0|x||||1",
            "1|2|C39|1|0|0|||||2",
            "a|2|C39|1|0|0|||||1",
        ] {
            assert_eq!(parse_canonical_line(bad), None, "{bad}");
        }
    }
}
