//! From entitlement to payment (免申即享兑现): `/api/v1/award-budgets` (what an office pays of
//! a rule's ceilings in a year), `/api/v1/award-rules/{id}/notify` (tell every enterprise that
//! qualifies), `/api/v1/enterprises/{credit_code}/applications` (confirm in one click),
//! `/api/v1/payouts` (the applications of a region with totals, xlsx) and
//! `/api/v1/payouts/{id}/payment` (recorded once).

use crate::api::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::{ApiJson, AppError, AppResult, Json};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::payouts::{
    ApplicationConfirm, ApplicationStatus, AwardApplication, AwardApplicationList, AwardBudget,
    AwardBudgetList, AwardBudgetSet, BudgetMode, BudgetVersion, EntitlementRound,
    EntitlementRoundList, NotifyRequest, PaymentRecord, PaymentRequest, PayoutPage,
    PayoutRegionTotal, PayoutRuleTotal, PayoutTotal, PayoutTotals, RoundStatus,
};
use zhichan_api::Problem;
use zhichan_domain::{RegionCode, Violation};
use zhichan_service::payouts::{BudgetLine, PayoutQuery, Total};
use zhichan_store::entitlement_rounds::Round;
use zhichan_store::payouts::{Application, Budget};

fn budget_version(b: &Budget) -> BudgetVersion {
    BudgetVersion {
        version: b.version,
        mode: BudgetMode::parse(&b.mode).unwrap_or(BudgetMode::Full),
        share_percent: u32::try_from(b.share_percent).unwrap_or(100),
        set_by: b.set_by.clone(),
        set_at: b.set_at.to_string(),
    }
}

fn budget_body(l: &BudgetLine) -> AwardBudget {
    AwardBudget {
        rule: l.rule,
        rule_version: l.rule_version,
        rule_name: l.rule_name.clone(),
        clause: l.clause.clone(),
        region: l.region.to_string(),
        year: l.year,
        current: l.current.as_ref().map(budget_version),
        versions: l.versions.iter().map(budget_version).collect(),
    }
}

/// The API shape of an application.
pub fn application_body(a: &Application) -> AwardApplication {
    AwardApplication {
        id: a.id,
        credit_code: a.credit_code.clone(),
        enterprise_name: a.enterprise_name.clone(),
        region: a.region.to_string(),
        rule: a.rule_id,
        rule_version: a.rule_version,
        rule_name: a.rule_name.clone(),
        clause: a.clause.clone(),
        year: a.year,
        ceiling: a.ceiling.to_string(),
        payable: a.payable.to_string(),
        budget_version: a.budget_version,
        explanation: a.explanation.clone(),
        status: if a.payment.is_some() {
            ApplicationStatus::Paid
        } else {
            ApplicationStatus::Confirmed
        },
        version: a.version,
        confirmed_by: a.confirmed_by.clone(),
        confirmed_at: a.confirmed_at.to_string(),
        payment: a.payment.as_ref().map(|p| PaymentRecord {
            amount: p.amount.to_string(),
            paid_on: p.paid_on.clone(),
            reference: p.reference.clone(),
            recorded_by: p.recorded_by.clone(),
            recorded_at: p.recorded_at.to_string(),
        }),
    }
}

fn total_body(t: &Total) -> PayoutTotal {
    PayoutTotal {
        applications: t.applications,
        paid_applications: t.paid_applications,
        ceiling: t.ceiling.to_string(),
        payable: t.payable.to_string(),
        paid: t.paid.to_string(),
    }
}

fn bad(field: &str, code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::field(field, Violation::new(code, zh, en))
}

/// `year`, or this year when absent.
fn year_of(state: &AppState, q: &HashMap<String, String>) -> Result<i32, AppError> {
    match q.get("year").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        Some(v) => v.parse::<i32>().map_err(|_| {
            bad(
                "year",
                "invalid_year",
                "年度应为整数",
                "year must be an integer",
            )
        }),
        None => Ok(state.services.today().year()),
    }
}

/// The filters of the payouts list and its export, read from the query.
pub fn payout_query(q: &HashMap<String, String>) -> Result<PayoutQuery, AppError> {
    let text = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut out = PayoutQuery {
        q: text("q").map(str::to_string),
        ..PayoutQuery::default()
    };
    if let Some(r) = text("region") {
        out.region = Some(
            r.parse::<RegionCode>()
                .map_err(|v| AppError::field("region", v))?,
        );
    }
    if let Some(y) = text("year") {
        out.year = Some(y.parse().map_err(|_| {
            bad(
                "year",
                "invalid_year",
                "年度应为整数",
                "year must be an integer",
            )
        })?);
    }
    if let Some(r) = text("rule") {
        out.rule = Some(r.parse().map_err(|_| {
            bad(
                "rule",
                "invalid_rule",
                "奖补规则应为编号",
                "rule must be an id",
            )
        })?);
    }
    if let Some(s) = text("status") {
        out.paid = Some(match ApplicationStatus::parse(s) {
            Some(ApplicationStatus::Paid) => true,
            Some(ApplicationStatus::Confirmed) => false,
            None => {
                return Err(bad(
                    "status",
                    "invalid_status",
                    "状态应为 confirmed（待兑付）或 paid（已兑付）",
                    "status is confirmed or paid",
                ))
            }
        });
    }
    Ok(out)
}

/// The budget of every published rule of one's region and below for a year (default: this
/// year); `current` null means nothing was set and the full ceiling is paid.
#[utoipa::path(get, path = "/api/v1/award-budgets", tag = "awards",
    params(("year" = Option<i32>, Query, description = "年度；默认为今年")),
    responses((status = 200, description = "奖补预算", body = AwardBudgetList)))]
pub async fn budgets(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<AwardBudgetList>> {
    let year = year_of(&state, &q)?;
    let items: Vec<AwardBudget> = state
        .services
        .award_budgets(&signed.auth.actor, year)
        .await?
        .iter()
        .map(budget_body)
        .collect();
    Ok(Json(AwardBudgetList {
        total: items.len() as u64,
        items,
    }))
}

/// Sets what is paid of a published rule's ceilings in a year (administrators of the rule's
/// region): each change is a new version with who and when.
#[utoipa::path(post, path = "/api/v1/award-budgets", tag = "awards",
    request_body = AwardBudgetSet,
    responses(
        (status = 200, description = "已保存", body = AwardBudget),
        (status = 404, description = "规则不存在、未发布或不在本辖区内", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "预算已被他人修改（version 不是最新）", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn set_budget(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(body): ApiJson<AwardBudgetSet>,
) -> AppResult<Json<AwardBudget>> {
    let mode = match body.mode {
        BudgetMode::Full => zhichan_domain::payouts::BudgetMode::Full,
        BudgetMode::Share => zhichan_domain::payouts::BudgetMode::Share,
    };
    let line = state
        .services
        .set_award_budget(
            &signed.auth.actor,
            &ctx,
            body.rule,
            body.year,
            mode,
            body.share_percent,
            body.version,
        )
        .await?;
    Ok(Json(budget_body(&line)))
}

/// A notification round as the API shows it.
pub(crate) fn round_body(r: &Round) -> EntitlementRound {
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    EntitlementRound {
        id: r.id,
        rule: r.rule_id,
        rule_version: r.rule_version,
        year: r.year,
        status: RoundStatus::parse(&r.status).unwrap_or(RoundStatus::Failed),
        eligible: r.eligible.map(count),
        reached: count(r.reached),
        notified: count(r.notified),
        started_by: r.started_by.clone(),
        started_at: r.started_at.to_string(),
        finished_at: r.finished_at.map(|t| t.to_string()),
        resumes: count(r.resumes),
        resumed_at: r.resumed_at.map(|t| t.to_string()),
    }
}

/// Starts the round that tells every enterprise of the rule's region that qualifies in the year
/// (publishing a rule starts one for the current year), or answers the one running for that
/// rule version and year; one already told for them is not told again. The answer comes at
/// once: the round runs on, and its `Location` shows how far it got.
#[utoipa::path(post, path = "/api/v1/award-rules/{id}/notify", tag = "awards",
    params(("id" = i64, Path)),
    request_body = NotifyRequest,
    responses(
        (status = 202, description = "通知轮次已开始（或正在进行）", body = EntitlementRound,
         headers(("Location" = String, description = "该轮通知的进度"))),
        (status = 404, description = "规则不存在、未发布或不在本辖区内", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "年度有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn notify(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NotifyRequest>,
) -> AppResult<(
    StatusCode,
    [(axum::http::HeaderName, String); 1],
    Json<EntitlementRound>,
)> {
    let r = state
        .services
        .notify_entitlements(&signed.auth.actor, &ctx, id, body.year)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        [(
            axum::http::header::LOCATION,
            format!("/api/v1/award-rules/{id}/rounds/{}", r.id),
        )],
        Json(round_body(&r)),
    ))
}

/// The notification rounds of a rule, newest first (the twenty newest), with how far each got:
/// for those who keep the rule (others see none).
#[utoipa::path(get, path = "/api/v1/award-rules/{id}/rounds", tag = "awards",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "通知轮次", body = EntitlementRoundList),
        (status = 404, description = "规则不存在或不在本辖区内", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn rounds(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<EntitlementRoundList>> {
    let items = state
        .services
        .rule_rounds(&signed.auth.actor, id)
        .await?
        .iter()
        .map(round_body)
        .collect();
    Ok(Json(EntitlementRoundList { items }))
}

/// One notification round of a rule and how far it got.
#[utoipa::path(get, path = "/api/v1/award-rules/{id}/rounds/{round}", tag = "awards",
    params(("id" = i64, Path), ("round" = i64, Path)),
    responses(
        (status = 200, description = "通知轮次", body = EntitlementRound),
        (status = 404, description = "不存在或不在本辖区内", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn round(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, round)): Path<(i64, i64)>,
) -> AppResult<Json<EntitlementRound>> {
    let r = state
        .services
        .rule_round(&signed.auth.actor, id, round)
        .await?;
    Ok(Json(round_body(&r)))
}

/// The applications an enterprise confirmed (its own; reviewers and administrators of its
/// region), for a year or every year.
#[utoipa::path(get, path = "/api/v1/enterprises/{credit_code}/applications", tag = "awards",
    params(("credit_code" = String, Path), ("year" = Option<i32>, Query, description = "年度；缺省为全部年度")),
    responses(
        (status = 200, description = "已确认的免申即享申请", body = AwardApplicationList),
        (status = 404, description = "不存在或不在本辖区内", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn applications(
    State(state): State<AppState>,
    signed: Signed,
    Path(credit_code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<AwardApplicationList>> {
    let year = match q.get("year").filter(|v| !v.trim().is_empty()) {
        Some(_) => Some(year_of(&state, &q)?),
        None => None,
    };
    let items: Vec<AwardApplication> = state
        .services
        .entitlement_applications(&signed.auth.actor, &credit_code, year)
        .await?
        .iter()
        .map(application_body)
        .collect();
    Ok(Json(AwardApplicationList {
        total: items.len() as u64,
        items,
    }))
}

/// The enterprise confirms the pre-filled application for an entitlement (一键确认): stamped
/// with the rule version, the ceiling and explanation computed now and the payable amount of the
/// office's budget. One per enterprise, rule and year: a second is 409.
#[utoipa::path(post, path = "/api/v1/enterprises/{credit_code}/applications", tag = "awards",
    params(("credit_code" = String, Path)),
    request_body = ApplicationConfirm,
    responses(
        (status = 201, description = "已确认", body = AwardApplication),
        (status = 404, description = "不存在或不是本企业", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已确认过，或规则已更新", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "不符合条件（not_eligible）或没有该规则（unknown_rule）", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(credit_code): Path<String>,
    ApiJson(body): ApiJson<ApplicationConfirm>,
) -> AppResult<(StatusCode, Json<AwardApplication>)> {
    let a = state
        .services
        .confirm_entitlement(
            &signed.auth.actor,
            &ctx,
            &credit_code,
            body.rule,
            body.year,
            body.rule_version,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(application_body(&a))))
}

/// The applications of one's region subtree (reviewers and administrators), newest first, with
/// the totals over all that match by rule and by the regions directly below; `format=xlsx`
/// sends every match as a workbook.
#[utoipa::path(get, path = "/api/v1/payouts", tag = "awards",
    params(
        ("year" = Option<i32>, Query, description = "年度"),
        ("rule" = Option<i64>, Query, description = "奖补规则编号"),
        ("region" = Option<String>, Query, description = "本辖区内的下级地区（GB/T 2260 代码）"),
        ("status" = Option<ApplicationStatus>, Query, description = "confirmed（待兑付）或 paid（已兑付）"),
        ("q" = Option<String>, Query, description = "企业名称或统一社会信用代码中的文字"),
        ("format" = Option<String>, Query, description = "json（默认）或 xlsx：全部匹配的申请，边查边写入临时文件再流式发送"),
        Paging
    ),
    responses(
        (status = 200, description = "奖补兑现台账", body = PayoutPage),
        (status = 404, description = "地区不在本辖区内", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "筛选条件有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let query = payout_query(&q)?;
    let paging = Paging::from_query(&q)?;
    if q.get("format").map(String::as_str) == Some("xlsx") {
        let file = state
            .services
            .export_payouts(&signed.auth.actor, &query, &crate::locale::t)
            .await?;
        return crate::api::products::stream_file(
            file,
            &format!("{}.xlsx", crate::locale::t("奖补兑现")),
        )
        .await;
    }
    let p = state
        .services
        .payouts(
            &signed.auth.actor,
            &query,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    Ok(Json(PayoutPage {
        items: p.items.iter().map(application_body).collect(),
        total: p.total,
        page: paging.page,
        per_page: paging.per_page,
        totals: PayoutTotals {
            region: p.region.to_string(),
            all: total_body(&p.totals),
            by_rule: p
                .by_rule
                .iter()
                .map(|(id, name, t)| PayoutRuleTotal {
                    rule: *id,
                    rule_name: name.clone(),
                    total: total_body(t),
                })
                .collect(),
            by_region: p
                .by_region
                .iter()
                .map(|(r, name, t)| PayoutRegionTotal {
                    region: r.to_string(),
                    name: name.clone(),
                    total: total_body(t),
                })
                .collect(),
        },
    })
    .into_response())
}

/// One application with its payment (reviewers and administrators of its region).
#[utoipa::path(get, path = "/api/v1/payouts/{id}", tag = "awards",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "申请", body = AwardApplication),
        (status = 404, description = "不存在或不在本辖区内", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<AwardApplication>> {
    let a = state.services.payout(&signed.auth.actor, id).await?;
    Ok(Json(application_body(&a)))
}

/// Records the payment of an application (administrators of its region): once, at the version
/// seen; the amount not above what is payable.
#[utoipa::path(post, path = "/api/v1/payouts/{id}/payment", tag = "awards",
    params(("id" = i64, Path)),
    request_body = PaymentRequest,
    responses(
        (status = 200, description = "已登记兑付", body = AwardApplication),
        (status = 404, description = "不存在或不在本辖区内", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已兑付，或 version 不是最新", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误（exceeds_payable 等）", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn pay(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PaymentRequest>,
) -> AppResult<Json<AwardApplication>> {
    let a = state
        .services
        .record_award_payment(
            &signed.auth.actor,
            &ctx,
            id,
            body.version,
            &body.amount,
            &body.paid_on,
            &body.reference,
        )
        .await?;
    Ok(Json(application_body(&a)))
}
