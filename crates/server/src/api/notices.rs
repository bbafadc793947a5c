//! `/api/v1/notices`: public notices (公示) and objections (异议), the generic component an
//! identification batch (and later a programme) publishes through. Reading is public; objecting
//! needs a signed-in, verified account; answering and announcing are the owner's.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::{ApiJson, AppResult, Json};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::notices::{
    Announced, NewObjection, Notice, NoticeItem, NoticeSummary, Objection, ObjectionAnswer,
    Objections,
};
use zhichan_api::{Page, Problem};
use zhichan_domain::notices::NoticeKind;
use zhichan_service::notices::{ListedItem, NoticeView, Objection as ObjectionView};
use zhichan_service::{Ctx, ServiceError};

fn item_body(i: &ListedItem) -> NoticeItem {
    NoticeItem {
        item: i.subject_item,
        title: i.title.clone(),
        enterprise: i.enterprise.clone(),
        region: i.region.clone(),
        field: i.field.clone(),
        removed: i.removed,
        number: i.number.clone(),
    }
}

pub fn summary_body(n: &NoticeView) -> NoticeSummary {
    NoticeSummary {
        id: n.id,
        kind: n.kind.into(),
        subject: n.subject_id,
        title: n.title.clone(),
        notice_days: n.notice_days,
        opens_on: zhichan_domain::enterprises::format_date(n.opens_on),
        closes_on: zhichan_domain::enterprises::format_date(n.closes_on),
        status: n.status.into(),
        days_left: n.days_left,
        item_count: n.item_count,
        announced_at: n.announced_at.map(|t| t.to_string()),
    }
}

pub fn notice_body(n: &NoticeView) -> Notice {
    Notice {
        summary: summary_body(n),
        items: n.items.iter().map(item_body).collect(),
    }
}

pub fn objection_body(o: &ObjectionView) -> Objection {
    Objection {
        id: o.id,
        notice: o.notice_id,
        item: o.subject_item,
        item_title: o.item_title.clone(),
        username: o.username.clone(),
        reason: o.reason.clone(),
        filed_at: o.filed_at.to_string(),
        decision: o.decision.map(Into::into),
        answer: o.answer.clone(),
        answered_at: o.answered_at.map(|t| t.to_string()),
    }
}

/// Every notice, newest first: public.
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", security(()),
    params(Paging),
    responses(
        (status = 200, description = "公示", body = Page<NoticeSummary>),
        (status = 422, description = "分页参数有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<NoticeSummary>>> {
    let paging = Paging::from_query(&q)?;
    let (items, total) = state
        .services
        .notices(i64::from(paging.per_page), paging.offset() as i64)
        .await?;
    Ok(Json(Page {
        items: items.iter().map(summary_body).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// A notice with its items, dates and working days left: public.
#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "notices", security(()),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "公示", body = Notice),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn get(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Json<Notice>> {
    Ok(Json(notice_body(&state.services.notice(id).await?)))
}

/// The announced list (公告) of a notice: the items no upheld objection removed, each with its
/// number. Public; 404 until announced.
#[utoipa::path(get, path = "/api/v1/notices/{id}/announced", tag = "notices", security(()),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "公告名单", body = Announced),
        (status = 404, description = "不存在或尚未公告", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn announced(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<Announced>> {
    let n = state.services.notice(id).await?;
    let Some(at) = n.announced_at else {
        return Err(ServiceError::NotFound.into());
    };
    Ok(Json(Announced {
        notice: n.id,
        title: n.title.clone(),
        announced_at: at.to_string(),
        items: n.announced().into_iter().map(item_body).collect(),
    }))
}

/// Files an objection to one item while the notice is open: any signed-in account whose
/// real-name verification is approved (422 `not_verified` otherwise; 422 `notice_closed` after
/// the notice ends).
#[utoipa::path(post, path = "/api/v1/notices/{id}/objections", tag = "notices",
    params(("id" = i64, Path)),
    request_body = NewObjection,
    responses(
        (status = 201, description = "已提出", body = Objection),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_verified、notice_closed、not_listed 或理由有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn object(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewObjection>,
) -> AppResult<(StatusCode, Json<Objection>)> {
    file(&state, &ctx, &signed, id, body.item, &body.reason).await
}

/// Files an objection to an item of a notice: the one implementation behind this path and the
/// identification batch's.
pub(super) async fn file(
    state: &AppState,
    ctx: &Ctx,
    signed: &Signed,
    notice: i64,
    item: i64,
    reason: &str,
) -> AppResult<(StatusCode, Json<Objection>)> {
    let o = state
        .services
        .file_objection(&signed.auth.actor, ctx, notice, item, reason)
        .await?;
    Ok((StatusCode::CREATED, Json(objection_body(&o))))
}

/// Answers an objection, `only` to a notice of that kind (404 for another's): the one
/// implementation behind this path and the identification batch's.
pub(super) async fn answer_as(
    state: &AppState,
    ctx: &Ctx,
    signed: &Signed,
    id: i64,
    only: Option<NoticeKind>,
    body: ObjectionAnswer,
) -> AppResult<Json<Objection>> {
    let o = state
        .services
        .answer_objection(
            &signed.auth.actor,
            ctx,
            id,
            only,
            body.decision.into(),
            &body.reason,
        )
        .await?;
    Ok(Json(objection_body(&o)))
}

/// The objections to a notice: all of them for its owner, the caller's own for anyone else.
#[utoipa::path(get, path = "/api/v1/notices/{id}/objections", tag = "notices",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "异议", body = Objections),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn objections(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Objections>> {
    let (items, all) = state.services.objections(&signed.auth.actor, id).await?;
    Ok(Json(Objections {
        items: items.iter().map(objection_body).collect(),
        all,
    }))
}

/// Answers an objection (the notice's owner): `upheld` removes the item from what will be
/// announced, `dismissed` keeps it; the objector is notified. Once only (409 after).
#[utoipa::path(post, path = "/api/v1/notices/objections/{id}/answer", tag = "notices",
    params(("id" = i64, Path)),
    request_body = ObjectionAnswer,
    responses(
        (status = 200, description = "已答复", body = Objection),
        (status = 404, description = "不存在或不归本机关答复", body = Problem, content_type = "application/problem+json"),
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
    answer_as(&state, &ctx, &signed, id, None, body).await
}

/// Announces a notice (公告, the owner): after it ends (422 `notice_open`) and once every
/// objection is answered (422 `objections_unanswered`); the remaining items get their numbers.
#[utoipa::path(post, path = "/api/v1/notices/{id}/announce", tag = "notices",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "已公告", body = Notice),
        (status = 404, description = "不存在或不归本机关公告", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已公告", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "notice_open 或 objections_unanswered", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn announce(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Notice>> {
    let n = state
        .services
        .announce_notice(&signed.auth.actor, &ctx, id)
        .await?;
    Ok(Json(notice_body(&n)))
}
