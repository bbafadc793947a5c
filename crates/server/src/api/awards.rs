//! `/api/v1/award-rules`: award rules (奖补规则) as versioned data kept by the administrators of
//! their region; `/api/v1/enterprises/{credit_code}/entitlements`: what an enterprise is
//! entitled to (免申即享), computed from the platform's facts.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::{ApiJson, AppError, AppResult, Json};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::awards::{
    AwardExampleResult, AwardRule, AwardVersionSummary, DryRun, DryRunChange, DryRunRegion,
    DryRunRequest, EntitlementItem, Entitlements, NotEligible, RuleDetail, RuleEdit, RuleListItem,
    RulePublish, RuleStatus, RuleVersion,
};
use zhichan_api::{Page, Problem};
use zhichan_domain::awards::ExampleFailure;
use zhichan_domain::Violation;
use zhichan_service::awards::{RuleHistory, Version};
use zhichan_store::entitlement_rounds::Round;

fn status(published: bool) -> RuleStatus {
    if published {
        RuleStatus::Published
    } else {
        RuleStatus::Draft
    }
}

fn examples(rule: &AwardRule, failures: &[ExampleFailure]) -> Vec<AwardExampleResult> {
    rule.examples
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let failure = failures.iter().find(|f| f.index == i);
            AwardExampleResult {
                name: e.name.clone(),
                holds: failure.is_none(),
                message: failure.map(|f| f.message_zh.clone()),
            }
        })
        .collect()
}

fn version_body(v: &Version) -> RuleVersion {
    RuleVersion {
        id: v.id,
        version: v.version,
        status: status(v.published),
        rule: v.rule.clone(),
        examples: examples(&v.rule, &v.failures),
        changed_by: v.changed_by.clone(),
        changed_at: v.changed_at.to_string(),
        published_by: v.published_by.clone(),
        published_at: v.published_at.map(|t| t.to_string()),
    }
}

fn detail_body(h: &RuleHistory, round: Option<&Round>) -> RuleDetail {
    RuleDetail {
        round: round.map(super::payouts::round_body),
        current: version_body(&h.current),
        published_version: h.published_version(),
        versions: h
            .versions
            .iter()
            .map(|v| AwardVersionSummary {
                version: v.version,
                status: status(v.published),
                changed_by: v.changed_by.clone(),
                changed_at: v.changed_at.to_string(),
                published_at: v.published_at.map(|t| t.to_string()),
            })
            .collect(),
    }
}

fn int_param(q: &HashMap<String, String>, name: &str, zh: &str) -> Result<Option<i64>, AppError> {
    match q.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        Some(v) => Ok(Some(v.parse::<i64>().map_err(|_| {
            AppError::field(
                name,
                Violation::new(
                    match name {
                        "year" => "invalid_year",
                        _ => "invalid_version",
                    },
                    format!("{zh}应为整数"),
                    format!("{name} must be an integer"),
                ),
            )
        })?)),
        None => Ok(None),
    }
}

/// The award rules (their newest versions), newest first, a page at a time: all for the
/// nation's staff, the rules of one's region and below for others.
#[utoipa::path(get, path = "/api/v1/award-rules", tag = "awards",
    params(Paging),
    responses(
        (status = 200, description = "奖补规则", body = Page<RuleListItem>),
        (status = 422, description = "分页参数有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<RuleListItem>>> {
    let paging = Paging::from_query(&q)?;
    let (rules, total) = state
        .services
        .award_rules(
            &signed.auth.actor,
            i64::from(paging.per_page),
            paging.offset() as i64,
        )
        .await?;
    Ok(Json(Page {
        items: rules
            .into_iter()
            .map(|v| RuleListItem {
                id: v.id,
                pattern: v.rule.pattern,
                region: v.rule.region.to_string(),
                clause: v.rule.clause,
                policy: v.rule.policy,
                name: v.name,
                version: v.version,
                status: status(v.published),
                changed_at: v.changed_at.to_string(),
            })
            .collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Creates a rule in one's region or below (administrators); its first version is a draft.
#[utoipa::path(post, path = "/api/v1/award-rules", tag = "awards",
    request_body = AwardRule,
    responses(
        (status = 201, description = "已创建（草稿）", body = RuleDetail),
        (status = 404, description = "规则适用地区不在本辖区内", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(rule): ApiJson<AwardRule>,
) -> AppResult<(StatusCode, Json<RuleDetail>)> {
    let h = state
        .services
        .create_award_rule(&signed.auth.actor, &ctx, rule)
        .await?;
    Ok((StatusCode::CREATED, Json(detail_body(&h, None))))
}

/// A rule: its newest version (or `?version=`), each example's result, and every version.
#[utoipa::path(get, path = "/api/v1/award-rules/{id}", tag = "awards",
    params(("id" = i64, Path), ("version" = Option<i64>, Query, description = "版本；默认为最新版本")),
    responses(
        (status = 200, description = "奖补规则", body = RuleDetail),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<RuleDetail>> {
    let version = int_param(&q, "version", "版本")?;
    let h = state
        .services
        .award_rule(&signed.auth.actor, id, version)
        .await?;
    let rounds = state.services.rule_rounds(&signed.auth.actor, id).await?;
    Ok(Json(detail_body(&h, rounds.first())))
}

/// Changes a rule from its newest version: a draft in place, a published version by a new
/// draft after it.
#[utoipa::path(patch, path = "/api/v1/award-rules/{id}", tag = "awards",
    params(("id" = i64, Path)),
    request_body = RuleEdit,
    responses(
        (status = 200, description = "已保存（草稿）", body = RuleDetail),
        (status = 404, description = "不存在或不在本辖区内", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "不是最新版本", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn edit(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RuleEdit>,
) -> AppResult<Json<RuleDetail>> {
    let h = state
        .services
        .edit_award_rule(&signed.auth.actor, &ctx, id, body.version, body.rule)
        .await?;
    Ok(Json(detail_body(&h, None)))
}

/// Publishes a draft version; refused (422 `example_failed`, naming each example) while a
/// worked example fails. Publishing starts the round that tells every enterprise that qualifies
/// this year; the answer does not wait for it: `round` shows it running, and
/// `GET …/{id}/rounds/{round}` how far it got.
#[utoipa::path(post, path = "/api/v1/award-rules/{id}/publish", tag = "awards",
    params(("id" = i64, Path)),
    request_body = RulePublish,
    responses(
        (status = 200, description = "已发布；通知轮次在后台进行（见 round）", body = RuleDetail),
        (status = 404, description = "不存在或不在本辖区内", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已发布或不是最新版本", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "算例未通过（example_failed）", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn publish(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RulePublish>,
) -> AppResult<Json<RuleDetail>> {
    let (h, round) = state
        .services
        .publish_award_rule(&signed.auth.actor, &ctx, id, body.version)
        .await?;
    Ok(Json(detail_body(&h, round.as_ref())))
}

/// Computes a rule over every enterprise of its region for a year without saving it: totals
/// per region and, with `id`, the enterprises whose amount differs from the published version.
#[utoipa::path(post, path = "/api/v1/award-rules/dry-run", tag = "awards",
    request_body = DryRunRequest,
    responses(
        (status = 200, description = "试算结果", body = DryRun),
        (status = 404, description = "规则适用地区不在本辖区内", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn dry_run(
    State(state): State<AppState>,
    signed: Signed,
    ApiJson(body): ApiJson<DryRunRequest>,
) -> AppResult<Json<DryRun>> {
    let rule = body.rule;
    let d = state
        .services
        .dry_run_award_rule(&signed.auth.actor, rule.clone(), body.id, body.year)
        .await?;
    Ok(Json(DryRun {
        year: d.year,
        evaluated: d.evaluated,
        eligible: d.eligible,
        total: d.total.to_string(),
        published_total: d.published_total.map(|m| m.to_string()),
        regions: d
            .regions
            .iter()
            .map(|r| DryRunRegion {
                region: r.region.to_string(),
                enterprises: r.enterprises,
                total: r.total.to_string(),
            })
            .collect(),
        changes: d
            .changes
            .iter()
            .map(|c| DryRunChange {
                credit_code: c.credit_code.clone(),
                name: c.name.clone(),
                region: c.region.to_string(),
                before: c.before.map(|m| m.to_string()),
                after: c.after.map(|m| m.to_string()),
            })
            .collect(),
        examples: examples(&rule, &d.failures),
    }))
}

/// What the enterprise is entitled to in a year (default: this year) under the published
/// rules that apply in its region — each amount a ceiling with its clause and explanation,
/// stamped with the rule version — and what it is not entitled to, with the reasons.
#[utoipa::path(get, path = "/api/v1/enterprises/{credit_code}/entitlements", tag = "awards",
    params(("credit_code" = String, Path), ("year" = Option<i32>, Query, description = "年度；默认为今年")),
    responses(
        (status = 200, description = "免申即享", body = Entitlements),
        (status = 404, description = "不存在或不在本辖区内", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "年度有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn entitlements(
    State(state): State<AppState>,
    signed: Signed,
    Path(credit_code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Entitlements>> {
    let year = match int_param(&q, "year", "年度")? {
        Some(y) => i32::try_from(y).unwrap_or(0),
        None => state.services.today().year(),
    };
    let e = state
        .services
        .entitlements(&signed.auth.actor, &credit_code, year)
        .await?;
    Ok(Json(Entitlements {
        credit_code: e.credit_code,
        name: e.name,
        year: e.year,
        total: e.total.to_string(),
        items: e
            .items
            .into_iter()
            .map(|i| EntitlementItem {
                rule: i.rule,
                rule_version: i.rule_version,
                name: i.name,
                policy: i.policy,
                policy_title: i.policy_title,
                doc_number: i.doc_number,
                clause: i.clause,
                clause_inferred: i.clause_inferred,
                amount: i.amount.to_string(),
                explanation: i.explanation,
            })
            .collect(),
        not_eligible: e
            .not_eligible
            .into_iter()
            .map(|n| NotEligible {
                rule: n.rule,
                rule_version: n.rule_version,
                name: n.name,
                clause: n.clause,
                reasons: n.reasons,
            })
            .collect(),
    }))
}
