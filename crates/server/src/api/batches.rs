//! `/api/v1/identification/batches`: identification batches (认定批次) — opt-in, the formal
//! check, computing with frozen inputs, benchmarks, results and the what-if comparison.

use crate::auth::{RequestCtx, Signed};
use crate::error::{ApiJson, AppError, AppResult, Json};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::identification::{
    Batch, BatchList, BatchStatus, BenchmarkItem, BenchmarkList, BulkOptIn, Candidate,
    CandidateList, CheckOutcome, CheckStatus, CloseOptIn, FormalCheck, IndicatorResult, Measure,
    NewBatch, OptIn, OptInOutcome, Outcome, OutcomeFilter, ProductIdentification, ResultItem,
    ResultList, WhatIf, WhatIfChange,
};
use zhichan_api::Problem;
use zhichan_domain::Violation;
use zhichan_service::batches::{BatchState, BatchView, CandidateView, OutcomeIs};

pub fn batch_body(v: &BatchView) -> Batch {
    let b = &v.batch;
    Batch {
        id: b.id,
        year: b.year,
        method: b.method_id,
        method_version: b.method_version,
        method_name: v.method_name.clone(),
        opt_in_until: b.opt_in_until.clone(),
        status: match v.state {
            BatchState::Open => BatchStatus::Open,
            BatchState::Closed => BatchStatus::Closed,
            BatchState::Computed => BatchStatus::Computed,
            BatchState::Evaluating => BatchStatus::Evaluating,
            BatchState::Reviewed => BatchStatus::Reviewed,
            BatchState::Published => BatchStatus::Published,
            BatchState::Announced => BatchStatus::Announced,
        },
        days_left: v.days_left,
        working_days_left: v.working_days_left,
        inputs_digest: if v.state.computed() {
            b.inputs_digest.clone()
        } else {
            None
        },
        inputs_count: if v.state.computed() {
            b.inputs_count
        } else {
            None
        },
        created_by: b.created_by.clone(),
        created_at: b.created_at.to_string(),
        computed_at: b.computed_at.map(|t| t.to_string()),
        panel: b.panel_id,
        review_reason: b.review_reason.clone(),
        announced_on: b.announced_on.clone(),
        opt_in_closed_at: b.opt_in_closed_at.map(|t| t.to_string()),
        opt_in_closed_reason: b.opt_in_closed_reason.clone(),
    }
}

pub fn candidate_body(v: &CandidateView) -> Candidate {
    let c = &v.candidate;
    Candidate {
        batch: c.batch_id,
        product: c.product_id,
        product_name: c.product_name.clone(),
        enterprise_name: c.enterprise_name.clone(),
        region: c.region.to_string(),
        opted_in_at: c.opted_in_at.to_string(),
        check: match c.check_status.as_str() {
            "approved" => CheckStatus::Approved,
            "returned" => CheckStatus::Returned,
            _ => CheckStatus::Pending,
        },
        check_reason: c.check_reason.clone(),
        checked_by: c.checked_by.clone(),
        version: c.version,
    }
}

/// The result of a computed candidate (`None` before the batch is computed).
pub fn result_body(v: &CandidateView) -> Option<ResultItem> {
    let r = v.result.as_ref()?;
    let c = &v.candidate;
    Some(ResultItem {
        product: c.product_id,
        product_name: c.product_name.clone(),
        enterprise_name: c.enterprise_name.clone(),
        region: c.region.to_string(),
        field: r.field.clone(),
        passed: r.passed,
        indicators: r
            .indicators
            .iter()
            .filter_map(|i| {
                Some(IndicatorResult {
                    measure: Measure::parse(&i.measure).ok()?,
                    value: i.value.clone(),
                    benchmark: i.benchmark.clone(),
                    passed: i.passed,
                })
            })
            .collect(),
        reasons: r.reasons.clone(),
        outcome: c.outcome.as_deref().and_then(Outcome::parse),
        outcome_reason: c.outcome.as_ref().and(c.outcome_reason.clone()),
        industry_score: c.industry_score.clone(),
        identification_number: c.identification_number.clone(),
    })
}

/// Every batch, newest first.
#[utoipa::path(get, path = "/api/v1/identification/batches", tag = "identification",
    responses((status = 200, description = "认定批次", body = BatchList)))]
pub async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Json<BatchList>> {
    let items = state
        .services
        .identification_batches(&signed.auth.actor)
        .await?;
    Ok(Json(BatchList {
        items: items.iter().map(batch_body).collect(),
    }))
}

/// Opens a batch (national administrator) for a year under a published method version.
#[utoipa::path(post, path = "/api/v1/identification/batches", tag = "identification",
    request_body = NewBatch,
    responses(
        (status = 201, description = "已创建", body = Batch),
        (status = 404, description = "仅全国管理员可创建", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(body): ApiJson<NewBatch>,
) -> AppResult<(StatusCode, Json<Batch>)> {
    let v = state
        .services
        .create_identification_batch(
            &signed.auth.actor,
            &ctx,
            body.year,
            body.method,
            body.method_version,
            &body.opt_in_until,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(batch_body(&v))))
}

/// One batch: its status and, once computed, the digest of its frozen inputs.
#[utoipa::path(get, path = "/api/v1/identification/batches/{id}", tag = "identification",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "认定批次", body = Batch),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Batch>> {
    let v = state
        .services
        .identification_batch(&signed.auth.actor, id)
        .await?;
    Ok(Json(batch_body(&v)))
}

/// Closes opt-in before its date (national administrator), with a reason; the enterprises
/// with a product in the batch are notified.
#[utoipa::path(post, path = "/api/v1/identification/batches/{id}/close", tag = "identification",
    params(("id" = i64, Path)),
    request_body = CloseOptIn,
    responses(
        (status = 200, description = "申报已截止", body = Batch),
        (status = 404, description = "不存在，或不是全国管理员", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "申报已经截止或已计算", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "理由未填写或过长", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn close(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CloseOptIn>,
) -> AppResult<Json<Batch>> {
    let v = state
        .services
        .close_batch_opt_in(&signed.auth.actor, &ctx, id, &body.reason)
        .await?;
    Ok(Json(batch_body(&v)))
}

/// The product's enterprise opts it into a batch (201; 200 when it was in already).
#[utoipa::path(post, path = "/api/v1/products/{id}/identification", tag = "identification",
    params(("id" = i64, Path)),
    request_body = OptIn,
    responses(
        (status = 201, description = "已申报", body = Candidate),
        (status = 200, description = "此前已申报", body = Candidate),
        (status = 404, description = "不存在或不在本企业", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "不能申报（not_registered、annual_update_missing、batch_closed）", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn opt_in(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OptIn>,
) -> AppResult<(StatusCode, Json<Candidate>)> {
    let (c, new) = state
        .services
        .opt_in_product(&signed.auth.actor, &ctx, id, body.batch)
        .await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(candidate_body(&c))))
}

/// The caller's enterprise opts several of its products into a batch at once (1 to 100), each
/// opted in or refused as `POST /api/v1/products/{id}/identification` would (200 even when some
/// were refused; each product's outcome says).
#[utoipa::path(post, path = "/api/v1/identification/batches/{id}/opt-ins", tag = "identification",
    params(("id" = i64, Path)),
    request_body = BulkOptIn,
    responses(
        (status = 200, description = "逐件结果", body = Vec<OptInOutcome>),
        (status = 403, description = "只有企业用户可以申报", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "批次不存在", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "产品数量有误（invalid_products）", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn opt_in_many(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BulkOptIn>,
) -> AppResult<Json<Vec<OptInOutcome>>> {
    let done = state
        .services
        .opt_in_products(&signed.auth.actor, &ctx, id, &body.products)
        .await?;
    Ok(Json(
        done.into_iter()
            .map(|(product, r)| match r {
                Ok((c, created)) => OptInOutcome {
                    product,
                    ok: true,
                    created,
                    candidate: Some(candidate_body(&c)),
                    problem: None,
                },
                Err(e) => OptInOutcome {
                    product,
                    ok: false,
                    created: false,
                    candidate: None,
                    problem: Some(AppError::from(e).to_problem()),
                },
            })
            .collect(),
    ))
}

/// The product's newest candidacy: its batch, its formal check and its computed result.
#[utoipa::path(get, path = "/api/v1/products/{id}/identification", tag = "identification",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "最近一次认定申报", body = ProductIdentification),
        (status = 404, description = "不存在或不在范围内", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn of_product(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<ProductIdentification>> {
    let found = state
        .services
        .product_identification(&signed.auth.actor, id)
        .await?;
    Ok(Json(match found {
        None => ProductIdentification {
            batch: None,
            candidate: None,
            result: None,
        },
        Some((b, c)) => ProductIdentification {
            batch: Some(batch_body(&b)),
            candidate: Some(candidate_body(&c)),
            result: result_body(&c),
        },
    }))
}

fn check_filter(q: &HashMap<String, String>) -> AppResult<Option<String>> {
    match q.get("check").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match CheckStatus::parse(s) {
            Some(c) => Ok(Some(c.as_str().to_string())),
            None => Err(AppError::field(
                "check",
                Violation::new(
                    "invalid_check",
                    "check 应为 pending、approved 或 returned",
                    "check: pending, approved or returned",
                ),
            )),
        },
    }
}

/// The candidates of a batch in the caller's scope (`check=pending` for the formal check queue).
#[utoipa::path(get, path = "/api/v1/identification/batches/{id}/candidates", tag = "identification",
    params(("id" = i64, Path), ("check" = Option<CheckStatus>, Query, description = "形式审查状态")),
    responses(
        (status = 200, description = "申报产品", body = CandidateList),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn candidates(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<CandidateList>> {
    let check = check_filter(&q)?;
    let items = state
        .services
        .batch_candidates(&signed.auth.actor, id, check.as_deref())
        .await?;
    Ok(Json(CandidateList {
        items: items.iter().map(candidate_body).collect(),
    }))
}

/// The formal check (形式审查) by reviewers of the products' region: one decision for one or many
/// candidates, each decided on its own at the version seen (200 even when some failed).
#[utoipa::path(post, path = "/api/v1/identification/batches/{id}/check", tag = "identification",
    params(("id" = i64, Path)),
    request_body = FormalCheck,
    responses(
        (status = 200, description = "逐项结果", body = Vec<CheckOutcome>),
        (status = 422, description = "决定或数量有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn check(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FormalCheck>,
) -> AppResult<Json<Vec<CheckOutcome>>> {
    if body.items.is_empty() || body.items.len() > 100 {
        return Err(AppError::field(
            "items",
            Violation::new(
                "invalid_items",
                "一次审查 1 至 100 件",
                "between 1 and 100 items",
            ),
        ));
    }
    let approve = body.decision.approves();
    let mut out = Vec::new();
    for item in &body.items {
        let r = state
            .services
            .check_candidate(
                &signed.auth.actor,
                &ctx,
                id,
                item.product,
                item.version,
                approve,
                body.reason.as_deref(),
            )
            .await;
        out.push(match r {
            Ok(c) => CheckOutcome {
                product: item.product,
                ok: true,
                candidate: Some(candidate_body(&c)),
                problem: None,
            },
            Err(e) => CheckOutcome {
                product: item.product,
                ok: false,
                candidate: None,
                problem: Some(AppError::from(e).to_problem()),
            },
        });
    }
    Ok(Json(out))
}

/// Computes a batch: the first time freezes its inputs; every time computes the benchmarks and
/// results from the frozen inputs (the same digest, the same bytes).
#[utoipa::path(post, path = "/api/v1/identification/batches/{id}/compute", tag = "identification",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "已计算", body = Batch),
        (status = 404, description = "不存在或仅全国管理员可计算", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "申报未截止或形式审查未完成", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn compute(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Batch>> {
    let v = state
        .services
        .compute_batch(&signed.auth.actor, &ctx, id)
        .await?;
    Ok(Json(batch_body(&v)))
}

/// Every field's benchmarks of a computed batch.
#[utoipa::path(get, path = "/api/v1/identification/batches/{id}/benchmarks", tag = "identification",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "各领域基准值", body = BenchmarkList),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn benchmarks(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<BenchmarkList>> {
    let rows = state
        .services
        .batch_benchmarks(&signed.auth.actor, id)
        .await?;
    Ok(Json(BenchmarkList {
        items: rows
            .into_iter()
            .filter_map(|b| {
                Some(BenchmarkItem {
                    measure: Measure::parse(&b.measure).ok()?,
                    field: b.field,
                    value: b.value,
                    population: b.population,
                })
            })
            .collect(),
    }))
}

/// The computed results in the caller's scope (`field=`, `passed=true|false`,
/// `outcome=identified|not_identified|pending`).
#[utoipa::path(get, path = "/api/v1/identification/batches/{id}/results", tag = "identification",
    params(("id" = i64, Path),
        ("field" = Option<String>, Query, description = "领域代码"),
        ("passed" = Option<bool>, Query, description = "专利性评价是否通过"),
        ("outcome" = Option<OutcomeFilter>, Query, description = "认定结果：identified、not_identified 或 pending（尚未公告）")),
    responses(
        (status = 200, description = "计算结果", body = ResultList),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "参数有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn results(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<ResultList>> {
    let field = q.get("field").map(|s| s.trim()).filter(|s| !s.is_empty());
    let passed = passed_filter(&q)?;
    let outcome = outcome_filter(&q)?;
    let items = state
        .services
        .batch_results(&signed.auth.actor, id, field, passed, outcome)
        .await?;
    Ok(Json(ResultList {
        items: items.iter().filter_map(result_body).collect(),
    }))
}

pub fn passed_filter(q: &HashMap<String, String>) -> AppResult<Option<bool>> {
    match q.get("passed").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(AppError::field(
            "passed",
            Violation::new(
                "invalid_passed",
                "passed 应为 true 或 false",
                "true or false",
            ),
        )),
    }
}

/// The `outcome=` filter of the results.
pub fn outcome_filter(q: &HashMap<String, String>) -> AppResult<Option<OutcomeIs>> {
    let Some(text) = q.get("outcome").map(|s| s.trim()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    match OutcomeFilter::parse(text) {
        Some(OutcomeFilter::Identified) => Ok(Some(OutcomeIs::Identified)),
        Some(OutcomeFilter::NotIdentified) => Ok(Some(OutcomeIs::NotIdentified)),
        Some(OutcomeFilter::Pending) => Ok(Some(OutcomeIs::Pending)),
        None => Err(AppError::field(
            "outcome",
            Violation::new(
                "invalid_outcome",
                "认定结果应为 identified、not_identified 或 pending",
                "identified, not_identified or pending",
            ),
        )),
    }
}

fn id_param(q: &HashMap<String, String>, name: &str) -> AppResult<i64> {
    q.get(name)
        .and_then(|s| s.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            AppError::field(
                name,
                Violation::new(
                    "required",
                    format!("请给出 {name}（正整数）"),
                    format!("{name}: a positive integer"),
                ),
            )
        })
}

/// The batch's frozen inputs judged by another method version (a draft too): the candidates
/// whose computed result would change.
#[utoipa::path(get, path = "/api/v1/identification/batches/{id}/what-if", tag = "identification",
    params(("id" = i64, Path),
        ("method" = i64, Query, description = "评价方法"),
        ("version" = i64, Query, description = "版本")),
    responses(
        (status = 200, description = "结论会变化的产品", body = WhatIf),
        (status = 404, description = "不存在或仅全国管理员可比较", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "批次尚未计算", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "参数有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn what_if(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<WhatIf>> {
    let method = id_param(&q, "method")?;
    let version = id_param(&q, "version")?;
    let w = state
        .services
        .batch_what_if(&signed.auth.actor, id, method, version)
        .await?;
    Ok(Json(WhatIf {
        method: w.method_id,
        version: w.version,
        method_name: w.method_name,
        compared: w.compared,
        changed: w
            .changed
            .into_iter()
            .map(|c| WhatIfChange {
                product: c.product_id,
                product_name: c.product_name,
                field: c.field,
                passed_now: c.passed_now,
                passed_then: c.passed_then,
                reasons_then: c.reasons_then,
            })
            .collect(),
    }))
}
