//! Identification batch pages (认定批次): the list and the create form (national administrator);
//! one batch with, by role, the compute button, benchmarks, results and the what-if comparison
//! (national administrator), the eligible products with one-click opt-in and a countdown
//! (enterprise), the formal-check queue of the region (reviewer), and candidates and results in
//! the region with an xlsx export (offices).

use super::forms::{table, FormErrors};
use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::{AppError, AppResult};
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::collections::HashMap;
use zhichan_domain::access::{grant, Action};
use zhichan_domain::identification::{plain_text, Measure};
use zhichan_service::batches::{BatchView, CandidateView, Eligible, WhatIfView};
use zhichan_service::identification::MethodSummary;
use zhichan_service::notices::Objection;
use zhichan_service::{ServiceError, Services};

/// The create form as typed.
#[derive(Clone, Default, serde::Deserialize)]
pub struct NewBatchForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    opt_in_until: String,
}

const CREATE_FIELDS: [(&str, &str, &str); 3] = [
    ("year", "nb-year", "认定年度"),
    ("method", "nb-method", "评价方法"),
    ("opt_in_until", "nb-until", "申报截止日期"),
];

#[derive(Template)]
#[template(path = "identification_batches.html")]
struct ListPage {
    chrome: Chrome,
    csrf: String,
    batches: Vec<BatchView>,
    can_manage: bool,
    /// Published methods to choose from: (value `id`, label).
    methods: Vec<(String, String)>,
    typed: NewBatchForm,
    errors: FormErrors,
}

async fn list_page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    typed: NewBatchForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let actor = &signed.auth.actor;
    let mut batches = state.services.identification_batches(actor).await?;
    for b in &mut batches {
        b.method_name = super::names::shipped_words(&b.method_name);
    }
    let can_manage = Services::can_manage_batches(actor);
    let methods = if can_manage {
        state
            .services
            .identification_methods(actor)
            .await?
            .into_iter()
            .filter_map(|m: MethodSummary| {
                m.published_version.map(|v| {
                    let version = crate::locale::t(&format!("第 {v} 版"));
                    let p = crate::locale::punctuation();
                    let name = super::names::shipped_words(&m.name);
                    (
                        m.id.to_string(),
                        format!("{name}{}{version}{}", p.open, p.close),
                    )
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(
        status,
        &ListPage {
            chrome: Chrome::for_user("认定批次", "/identification/batches", Some(&signed.auth)),
            csrf: csrf_of(signed),
            batches,
            can_manage,
            methods,
            typed,
            errors,
        },
    ))
}

pub async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    list_page(
        &state,
        &signed,
        StatusCode::OK,
        NewBatchForm::default(),
        FormErrors::none(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(f): Form<NewBatchForm>,
) -> AppResult<Response> {
    let locate = table(&CREATE_FIELDS);
    let mut errors = FormErrors::none();
    let year = f.year.trim().parse::<i32>();
    if year.is_err() {
        errors.add("year", "认定年度应为四位数字，如 2026", &locate);
    }
    let method = f.method.trim().parse::<i64>();
    if method.is_err() {
        errors.add("method", "请选择评价方法", &locate);
    }
    if let (Ok(year), Ok(method)) = (year, method) {
        match state
            .services
            .create_identification_batch(
                &signed.auth.actor,
                &ctx,
                year,
                method,
                None,
                f.opt_in_until.trim(),
            )
            .await
        {
            Ok(b) => {
                return Ok(
                    Redirect::to(&format!("/identification/batches/{}", b.batch.id))
                        .into_response(),
                )
            }
            Err(ServiceError::Invalid(v)) => {
                errors = FormErrors::from_violations(v, &locate);
            }
            Err(e) => return Err(e.into()),
        }
    }
    list_page(&state, &signed, StatusCode::UNPROCESSABLE_ENTITY, f, errors).await
}

// ---- one batch ---------------------------------------------------------------------------------

struct BenchmarkRow {
    field: String,
    field_name: String,
    measure: &'static str,
    value: String,
    population: i64,
}

struct IndicatorCell {
    measure: &'static str,
    value: String,
    benchmark: String,
    passed: bool,
}

struct ResultRow {
    product: i64,
    name: String,
    enterprise: String,
    region: String,
    field: String,
    passed: bool,
    indicators: Vec<IndicatorCell>,
    reasons: Vec<String>,
    /// The final outcome's name, once announced.
    outcome: Option<&'static str>,
    outcome_reason: String,
    number: String,
}

struct CandidateRow {
    product: i64,
    name: String,
    enterprise: String,
    region: String,
    check: &'static str,
    reason: String,
    pending: bool,
    version: i64,
}

#[derive(Template)]
#[template(path = "identification_batch.html")]
struct BatchPage {
    chrome: Chrome,
    csrf: String,
    b: BatchView,
    state: &'static str,
    /// The batch's stage code (`computed`, `evaluating`, …), for the national administrator's
    /// buttons.
    stage: &'static str,
    /// The batch's public notice, once published.
    notice_id: Option<i64>,
    computed: bool,
    open: bool,
    can_manage: bool,
    can_apply: bool,
    can_check: bool,
    eligible: Vec<Eligible>,
    /// The one-click button for every product that may be opted in, when there are two or more.
    opt_in_all: Option<String>,
    candidates: Vec<CandidateRow>,
    benchmarks: Vec<BenchmarkRow>,
    results: Vec<ResultRow>,
    field: String,
    passed: String,
    outcome: String,
    /// The fields of the results in scope to filter by: (code, name).
    fields: Vec<(String, String)>,
    /// The objections the caller filed against this batch's notice.
    objections: Vec<Objection>,
    /// Method versions to compare with: (value `id:version`, label).
    versions: Vec<(String, String)>,
    compare: String,
    what_if: Option<WhatIfView>,
    notice: Option<String>,
    /// The reason typed into the "close opt-in early" form (kept after a refusal).
    close_reason: String,
    errors: FormErrors,
}

fn measure_label(code: &str) -> &'static str {
    Measure::parse(code).map_or("", |m| m.label_zh())
}

fn unit(code: &str) -> &'static str {
    Measure::parse(code).map_or("", |m| m.unit_zh())
}

fn check_label(s: &str) -> &'static str {
    match s {
        "approved" => "已通过",
        "returned" => "已退回",
        _ => "待审查",
    }
}

fn done_notice(done: &str) -> Option<String> {
    Some(
        match done {
            "computed" => "已计算：输入数据已冻结，基准值和结果如下",
            "closed" => "申报已提前截止，已申报的企业已收到通知",
            "opted_in" => "已申报，等待形式审查",
            "opted_in_all" => "可申报的产品已全部申报，等待形式审查",
            "opted_in_some" => "部分产品已申报，等待形式审查；其余未能申报，原因见下表",
            "checked" => "形式审查结论已保存",
            "evaluating" => "产业性评价已开始：请在专家评审组中为每件产品指派专家",
            "reviewed" => "名单已审核通过",
            "returned" => "名单已退回产业性评价",
            "published" => "名单已发布公示",
            "announced" => "认定结果已公告",
            _ => return None,
        }
        .to_string(),
    )
}

#[allow(clippy::too_many_arguments)]
async fn batch_page(
    state: &AppState,
    signed: &Signed,
    id: i64,
    q: &HashMap<String, String>,
    status: StatusCode,
    errors: FormErrors,
) -> AppResult<Response> {
    let s = &state.services;
    let actor = &signed.auth.actor;
    let mut b = s.identification_batch(actor, id).await?;
    b.method_name = super::names::shipped_words(&b.method_name);
    let role = actor.role;
    let can_manage = Services::can_manage_batches(actor);
    let can_apply = grant(role, Action::ApplyIdentification).is_some();
    let can_check = grant(role, Action::CheckIdentification).is_some();
    let computed = b.state.computed();
    let stage = b.state.as_str();
    let notice_id = if matches!(stage, "published" | "announced") {
        s.notice_of(zhichan_domain::notices::NoticeKind::Identification, id)
            .await?
            .map(|n| n.id)
    } else {
        None
    };
    let open = b.state == zhichan_service::batches::BatchState::Open;
    let mut names = super::names::Names::new(state);
    let eligible = if can_apply {
        s.eligible_products(actor, id).await?
    } else {
        Vec::new()
    };
    let ready = eligible
        .iter()
        .filter(|e| e.opted_in.is_none() && e.refusal.is_none())
        .count();
    let opt_in_all = (open && ready > 1).then(|| format!("全部申报（{ready} 件可申报）"));
    let mut candidates = Vec::new();
    if !can_apply {
        for c in s.batch_candidates(actor, id, None).await? {
            let c = c.candidate;
            candidates.push(CandidateRow {
                product: c.product_id,
                name: c.product_name,
                enterprise: c.enterprise_name,
                region: names.region(c.region).await?,
                check: check_label(&c.check_status),
                reason: c.check_reason.unwrap_or_default(),
                pending: c.check_status == "pending",
                version: c.version,
            });
        }
    }
    let field = q.get("field").cloned().unwrap_or_default();
    let passed = q.get("passed").cloned().unwrap_or_default();
    let outcome = q.get("outcome").cloned().unwrap_or_default();
    let mut benchmarks = Vec::new();
    let mut results = Vec::new();
    let mut fields = Vec::new();
    if computed {
        let mut codes: Vec<String> = s
            .batch_results(actor, id, None, None, None)
            .await?
            .into_iter()
            .filter_map(|v| v.result.map(|r| r.field))
            .filter(|f| !f.is_empty())
            .collect();
        codes.sort();
        codes.dedup();
        for code in codes {
            let name = names.industry(&code).await?;
            fields.push((code, name));
        }
        for r in s.batch_benchmarks(actor, id).await? {
            benchmarks.push(BenchmarkRow {
                field_name: names.industry(&r.field).await?,
                measure: measure_label(&r.measure),
                value: format!("{} {}", plain_text(&r.value), unit(&r.measure)),
                field: r.field,
                population: r.population,
            });
        }
        let passed_filter = crate::api::batches::passed_filter(q)?;
        let outcome_filter = crate::api::batches::outcome_filter(q)?;
        let f = Some(field.trim()).filter(|f| !f.is_empty());
        for v in s
            .batch_results(actor, id, f, passed_filter, outcome_filter)
            .await?
        {
            results.push(result_row(&mut names, v).await?);
        }
    }
    // The objections the caller filed (an enterprise's own; the notice's owner answers them on
    // the notice's objections page).
    let objections = match notice_id {
        Some(n) if can_apply && grant(role, Action::FileObjections).is_some() => {
            s.objections(actor, n).await?.0
        }
        _ => Vec::new(),
    };
    let mut versions = Vec::new();
    let compare = q.get("compare").cloned().unwrap_or_default();
    let mut what_if = None;
    if can_manage && computed {
        for m in s.identification_methods(actor).await? {
            let h = s.identification_method(actor, m.id, None).await?;
            for v in h.versions {
                let t = crate::locale::t;
                let p = crate::locale::punctuation();
                let label = format!(
                    "{}{}{}{}{}{}",
                    super::names::shipped_words(&m.name),
                    p.open,
                    t(&format!("第 {} 版", v.version)),
                    p.comma,
                    t(if v.published { "已发布" } else { "草稿" }),
                    p.close
                );
                versions.push((format!("{}:{}", m.id, v.version), label));
            }
        }
        if let Some((m, v)) = compare.split_once(':') {
            let (Ok(m), Ok(v)) = (m.parse::<i64>(), v.parse::<i64>()) else {
                return Err(AppError::field(
                    "compare",
                    zhichan_domain::Violation::new(
                        "invalid_method",
                        "请选择要比较的方法版本",
                        "a method version",
                    ),
                ));
            };
            let mut w = s.batch_what_if(actor, id, m, v).await?;
            w.method_name = super::names::shipped_words(&w.method_name);
            what_if = Some(w);
        }
    }
    Ok(render(
        status,
        &BatchPage {
            chrome: Chrome::for_user(
                format!("{} 年度认定批次", b.batch.year),
                "/identification/batches",
                Some(&signed.auth),
            ),
            csrf: csrf_of(signed),
            state: b.state.label_zh(),
            stage,
            notice_id,
            b,
            computed,
            open,
            can_manage,
            can_apply,
            can_check,
            opt_in_all,
            eligible,
            candidates,
            benchmarks,
            results,
            field,
            passed,
            outcome,
            fields,
            objections,
            versions,
            compare,
            what_if,
            notice: q.get("done").and_then(|d| done_notice(d)),
            close_reason: q.get("close_reason").cloned().unwrap_or_default(),
            errors,
        },
    ))
}

async fn result_row(names: &mut super::names::Names<'_>, v: CandidateView) -> AppResult<ResultRow> {
    let c = v.candidate;
    let r = v.result.unwrap_or(zhichan_service::batches::StoredResult {
        field: String::new(),
        passed: false,
        indicators: Vec::new(),
        reasons: Vec::new(),
    });
    Ok(ResultRow {
        product: c.product_id,
        name: c.product_name,
        enterprise: c.enterprise_name,
        region: names.region(c.region).await?,
        field: if r.field.is_empty() {
            String::new()
        } else {
            names.industry(&r.field).await?
        },
        passed: r.passed,
        indicators: r
            .indicators
            .iter()
            .map(|i| IndicatorCell {
                measure: measure_label(&i.measure),
                value: i.value.as_deref().map_or("—".to_string(), |x| {
                    format!("{} {}", plain_text(x), unit(&i.measure))
                }),
                benchmark: i.benchmark.as_deref().map_or("—".to_string(), |x| {
                    format!("{} {}", plain_text(x), unit(&i.measure))
                }),
                passed: i.passed,
            })
            .collect(),
        reasons: r.reasons,
        outcome: c.outcome.as_deref().map(|o| {
            if o == zhichan_service::rounds::IDENTIFIED {
                "已认定"
            } else {
                "未认定"
            }
        }),
        outcome_reason: c.outcome_reason.unwrap_or_default(),
        number: c.identification_number.unwrap_or_default(),
    })
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    batch_page(&state, &signed, id, &q, StatusCode::OK, FormErrors::none()).await
}

/// A refusal shown at the top of the batch page (the actions are buttons, not fields).
async fn refused(
    state: &AppState,
    signed: &Signed,
    id: i64,
    e: ServiceError,
) -> AppResult<Response> {
    let (status, errors) = match e {
        ServiceError::Invalid(v) => {
            let none = |_: &str| None;
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                FormErrors::from_violations(v, &none),
            )
        }
        ServiceError::Conflict(m) => (StatusCode::CONFLICT, FormErrors::general(m)),
        other => return Err(other.into()),
    };
    batch_page(state, signed, id, &HashMap::new(), status, errors).await
}

pub async fn compute(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    match state
        .services
        .compute_batch(&signed.auth.actor, &ctx, id)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/identification/batches/{id}?done=computed")).into_response(),
        ),
        Err(e) => refused(&state, &signed, id, e).await,
    }
}

#[derive(serde::Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    reason: String,
}

/// The national administrator closes opt-in before its date (the reason beside its box when
/// missing, what was typed kept).
pub async fn close(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(f): Form<CloseForm>,
) -> AppResult<Response> {
    match state
        .services
        .close_batch_opt_in(&signed.auth.actor, &ctx, id, &f.reason)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/identification/batches/{id}?done=closed")).into_response())
        }
        Err(ServiceError::Invalid(v)) => {
            let locate = table(&[("reason", "cl-reason", "提前截止的理由")]);
            let q = HashMap::from([("close_reason".to_string(), f.reason)]);
            batch_page(
                &state,
                &signed,
                id,
                &q,
                StatusCode::UNPROCESSABLE_ENTITY,
                FormErrors::from_violations(v, &locate),
            )
            .await
        }
        Err(e) => refused(&state, &signed, id, e).await,
    }
}

#[derive(serde::Deserialize)]
pub struct OptInForm {
    product: i64,
}

pub async fn opt_in(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(f): Form<OptInForm>,
) -> AppResult<Response> {
    match state
        .services
        .opt_in_product(&signed.auth.actor, &ctx, f.product, id)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/identification/batches/{id}?done=opted_in")).into_response(),
        ),
        Err(e) => refused(&state, &signed, id, e).await,
    }
}

/// The enterprise opts in, with one click, every product the page offers it (registered, its
/// annual update approved, not in yet), a hundred at a time, each as a single opt-in would be.
/// When opt-in has closed meanwhile the page says so beside nothing but its notice.
pub async fn opt_in_all(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let s = &state.services;
    let actor = &signed.auth.actor;
    let ids: Vec<i64> = s
        .eligible_products(actor, id)
        .await?
        .into_iter()
        .filter(|e| e.opted_in.is_none() && e.refusal.is_none())
        .map(|e| e.product_id)
        .collect();
    if ids.is_empty() {
        return Ok(Redirect::to(&format!("/identification/batches/{id}")).into_response());
    }
    let (mut opted, mut not_in) = (0usize, 0usize);
    let mut first_refusal = None;
    for chunk in ids.chunks(zhichan_service::Services::BULK_OPT_IN_MAX) {
        for (_, r) in s.opt_in_products(actor, &ctx, id, chunk).await? {
            match r {
                Ok((_, true)) => opted += 1,
                Ok((_, false)) => {}
                Err(e) => {
                    not_in += 1;
                    first_refusal.get_or_insert(e);
                }
            }
        }
    }
    if opted == 0 {
        if let Some(e) = first_refusal {
            return refused(&state, &signed, id, e).await;
        }
    }
    // The counts stay out of the address (a link anyone can write would show any number);
    // the table below says, product by product, what is in and why the rest is not.
    let done = if not_in == 0 {
        "opted_in_all"
    } else {
        "opted_in_some"
    };
    Ok(Redirect::to(&format!("/identification/batches/{id}?done={done}")).into_response())
}

pub async fn check(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let approve = crate::error::decision(get("decision").unwrap_or(""))?;
    let reason = get("reason");
    // Each ticked candidate is `item=product:version`.
    let items: Vec<(i64, i64)> = f
        .iter()
        .filter(|(n, _)| n == "item")
        .filter_map(|(_, v)| {
            let (p, ver) = v.split_once(':')?;
            Some((p.parse().ok()?, ver.parse().ok()?))
        })
        .collect();
    if items.is_empty() {
        return refused(
            &state,
            &signed,
            id,
            ServiceError::Conflict("请勾选要审查的申报".into()),
        )
        .await;
    }
    for (product, version) in items {
        if let Err(e) = state
            .services
            .check_candidate(
                &signed.auth.actor,
                &ctx,
                id,
                product,
                version,
                approve,
                reason,
            )
            .await
        {
            return refused(&state, &signed, id, e).await;
        }
    }
    Ok(Redirect::to(&format!("/identification/batches/{id}?done=checked")).into_response())
}

/// The candidates and outcomes in the caller's scope (the page's `field` and `outcome` filters)
/// as an xlsx workbook, streamed from a temporary file; headings in the page's language.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let field = q.get("field").map(|f| f.trim()).filter(|f| !f.is_empty());
    let outcome = crate::api::batches::outcome_filter(&q)?;
    let file = state
        .services
        .export_batch(&signed.auth.actor, id, field, outcome, &crate::locale::t)
        .await?;
    crate::api::products::stream_file(file, &format!("{}{id}.xlsx", crate::locale::t("认定批次")))
        .await
}

/// The national administrator's stage form: `action` is `evaluate`, `approve`, `return`,
/// `publish` or `announce`.
#[derive(Clone, Default, serde::Deserialize)]
pub struct StageForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    notice_days: String,
}

pub async fn stage(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(f): Form<StageForm>,
) -> AppResult<Response> {
    let s = &state.services;
    let actor = &signed.auth.actor;
    let reason = Some(f.reason.as_str());
    let (result, done) = match f.action.as_str() {
        "evaluate" => (
            s.start_industry_evaluation(actor, &ctx, id, None)
                .await
                .map(|_| ()),
            "evaluating",
        ),
        "approve" => (
            s.review_batch(actor, &ctx, id, true, None)
                .await
                .map(|_| ()),
            "reviewed",
        ),
        "return" => (
            s.review_batch(actor, &ctx, id, false, reason)
                .await
                .map(|_| ()),
            "returned",
        ),
        "publish" => {
            let days = f.notice_days.trim().parse::<i64>().unwrap_or(0);
            (
                s.publish_batch(actor, &ctx, id, days).await.map(|_| ()),
                "published",
            )
        }
        "announce" => (
            s.announce_batch(actor, &ctx, id).await.map(|_| ()),
            "announced",
        ),
        _ => (Err(ServiceError::Conflict("请选择要进行的环节".into())), ""),
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/identification/batches/{id}?done={done}")).into_response())
        }
        Err(e) => refused(&state, &signed, id, e).await,
    }
}

#[derive(Template)]
#[template(path = "identification_certificate.html")]
struct IdentificationCertificatePage {
    chrome: Chrome,
    id: i64,
    number: String,
    enterprise: String,
    credit_code: String,
    product: String,
    field: String,
    year: i64,
    announced_on: String,
    printed_on: String,
}

/// 认定证明: the identification of a product in an announced batch, laid out for printing like
/// the registration certificate (404 for a product not identified).
pub async fn certificate(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let s = &state.services;
    let Some(found) = s.product_identified(&signed.auth.actor, id).await? else {
        return Err(AppError::NotFound);
    };
    let c = found.candidate;
    let code = c.field.clone().unwrap_or_default();
    let mut names = super::names::Names::new(&state);
    let field = format!("{}（{code}）", names.industry(&code).await?);
    Ok(render(
        StatusCode::OK,
        &IdentificationCertificatePage {
            chrome: Chrome::for_user("认定证明", "/products", Some(&signed.auth)),
            id,
            number: c.identification_number.unwrap_or_default(),
            enterprise: c.enterprise_name,
            credit_code: c.enterprise_code,
            product: c.product_name,
            field,
            year: found.year,
            announced_on: found.announced_on,
            printed_on: zhichan_domain::enterprises::format_date(s.now().beijing_date()),
        },
    ))
}
