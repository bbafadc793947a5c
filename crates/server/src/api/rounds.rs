//! `/api/v1/identification/batches/{id}/…` after computing: the experts' industry evaluation,
//! the national review, the public notice with objections, the announcement and the public
//! list of identified products (CONTRACT.md's identification paths).

use super::batches::batch_body;
use super::notices::{self, notice_body};
use crate::auth::{RequestCtx, Signed};
use crate::error::{ApiJson, AppResult, Json};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use zhichan_api::identification::{
    Batch, BatchObjection, BatchReview, IdentifiedItem, IdentifiedList, Proposal, ProposalList,
    PublishBatch, PublishedBatch, StartEvaluation,
};
use zhichan_api::notices::{Objection, ObjectionAnswer};
use zhichan_api::Problem;
use zhichan_domain::identification::plain;
use zhichan_domain::notices::NoticeKind;

/// Starts the experts' industry evaluation (产业性评价) of a computed batch: a panel with one
/// item per candidate that passed the patent evaluation; experts are then assigned per item
/// through `/api/v1/panels/{panel}/assignments`.
#[utoipa::path(post, path = "/api/v1/identification/batches/{id}/evaluate", tag = "identification",
    params(("id" = i64, Path)),
    request_body = StartEvaluation,
    responses(
        (status = 200, description = "产业性评价已开始", body = Batch),
        (status = 404, description = "不存在或仅全国管理员可操作", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "尚未计算或已开始", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "时限有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn evaluate(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<StartEvaluation>,
) -> AppResult<Json<Batch>> {
    let v = state
        .services
        .start_industry_evaluation(&signed.auth.actor, &ctx, id, body.deadline_days)
        .await?;
    Ok(Json(batch_body(&v)))
}

/// The review list: every candidate with its patent evaluation, the experts' aggregate and what
/// the method's final rule makes of them (national administrator).
#[utoipa::path(get, path = "/api/v1/identification/batches/{id}/review", tag = "identification",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "审核名单", body = ProposalList),
        (status = 404, description = "不存在或仅全国管理员可查看", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn proposals(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<ProposalList>> {
    let list = state
        .services
        .batch_proposals(&signed.auth.actor, id)
        .await?;
    Ok(Json(ProposalList {
        items: list
            .into_iter()
            .map(|p| {
                let c = &p.view.candidate;
                Proposal {
                    product: c.product_id,
                    product_name: c.product_name.clone(),
                    enterprise_name: c.enterprise_name.clone(),
                    region: c.region.to_string(),
                    field: c.field.clone(),
                    passed: c.passed,
                    panel_item: c.panel_item,
                    experts_scored: p.experts.as_ref().map_or(0, |a| a.scored),
                    industry_score: p.experts.as_ref().and_then(|a| a.score).map(plain),
                    proposed: p.proposed,
                    reason: p.reason,
                }
            })
            .collect(),
    }))
}

/// The national review (审核): `approve` keeps the list the method's rule gives (422
/// `evaluation_incomplete` while experts are missing); `return` sends it back to the industry
/// evaluation with a reason.
#[utoipa::path(post, path = "/api/v1/identification/batches/{id}/review", tag = "identification",
    params(("id" = i64, Path)),
    request_body = BatchReview,
    responses(
        (status = 200, description = "已审核或已退回", body = Batch),
        (status = 404, description = "不存在或仅全国管理员可审核", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "不在审核阶段", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "evaluation_incomplete 或缺少理由", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn review(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BatchReview>,
) -> AppResult<Json<Batch>> {
    let v = state
        .services
        .review_batch(
            &signed.auth.actor,
            &ctx,
            id,
            body.decision.approves(),
            body.reason.as_deref(),
        )
        .await?;
    Ok(Json(batch_body(&v)))
}

/// Publishes the reviewed list for public notice (公示) for `notice_days` working days.
#[utoipa::path(post, path = "/api/v1/identification/batches/{id}/publish", tag = "identification",
    params(("id" = i64, Path)),
    request_body = PublishBatch,
    responses(
        (status = 200, description = "已公示", body = PublishedBatch),
        (status = 404, description = "不存在或仅全国管理员可公示", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "尚未审核或已公示", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "公示天数有误或名单为空", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn publish(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PublishBatch>,
) -> AppResult<Json<PublishedBatch>> {
    let (b, n) = state
        .services
        .publish_batch(&signed.auth.actor, &ctx, id, body.notice_days)
        .await?;
    Ok(Json(PublishedBatch {
        batch: batch_body(&b),
        notice: notice_body(&n),
    }))
}

/// An objection (异议) to a product on the batch's notice: any signed-in, verified account
/// while the notice is open (422 `not_verified`, `notice_closed`, `not_listed`).
#[utoipa::path(post, path = "/api/v1/identification/batches/{id}/objections", tag = "identification",
    params(("id" = i64, Path)),
    request_body = BatchObjection,
    responses(
        (status = 201, description = "已提出", body = Objection),
        (status = 404, description = "不存在或尚未公示", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_verified、notice_closed、not_listed 或理由有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn object(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BatchObjection>,
) -> AppResult<(StatusCode, Json<Objection>)> {
    let notice = state.services.batch_notice(id).await?;
    notices::file(&state, &ctx, &signed, notice.id, body.product, &body.reason).await
}

/// Answers an objection to an identification notice: `upheld` removes the product from what
/// will be announced, `dismissed` keeps it; a reason is required; the objector is notified.
#[utoipa::path(post, path = "/api/v1/identification/objections/{id}/answer", tag = "identification",
    params(("id" = i64, Path)),
    request_body = ObjectionAnswer,
    responses(
        (status = 200, description = "已答复", body = Objection),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已答复或已公告", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "理由有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn answer(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ObjectionAnswer>,
) -> AppResult<Json<Objection>> {
    let only = Some(NoticeKind::Identification);
    notices::answer_as(&state, &ctx, &signed, id, only, body).await
}

/// Announces the batch (公告) after the notice and once every objection is answered: each
/// candidate's final `outcome` and, when identified, its identification number.
#[utoipa::path(post, path = "/api/v1/identification/batches/{id}/announce", tag = "identification",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "已公告", body = Batch),
        (status = 404, description = "不存在或仅全国管理员可公告", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "尚未公示或已公告", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "notice_open 或 objections_unanswered", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn announce(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Batch>> {
    let v = state
        .services
        .announce_batch(&signed.auth.actor, &ctx, id)
        .await?;
    Ok(Json(batch_body(&v)))
}

/// The identified products of an announced batch, with their numbers: public (404 until
/// announced).
#[utoipa::path(get, path = "/api/v1/identification/batches/{id}/identified", tag = "identification",
    security(()),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "认定名单", body = IdentifiedList),
        (status = 404, description = "不存在或尚未公告", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn identified(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<IdentifiedList>> {
    let (b, list) = state.services.identified_products(id).await?;
    Ok(Json(IdentifiedList {
        batch: b.id,
        year: b.year,
        announced_on: b.announced_on.unwrap_or_default(),
        items: list
            .into_iter()
            .map(|c| IdentifiedItem {
                product: c.product_id,
                product_name: c.product_name,
                enterprise_name: c.enterprise_name,
                region: c.region.to_string(),
                field: c.field.unwrap_or_default(),
                identification_number: c.identification_number.unwrap_or_default(),
            })
            .collect(),
    }))
}
