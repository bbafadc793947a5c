//! `/api/v1/notifications`: the in-app notifications of the caller's enterprise.

use super::paging::Paging;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::error::Json;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::rules::NotificationKind;
use zhichan_api::rules::{Notification, Notifications};
use zhichan_api::Problem;

pub fn body(n: &zhichan_store::notifications::Notification) -> Notification {
    Notification {
        id: n.id,
        // The service writes one of the listed kinds; an unknown one (a row edited by hand)
        // reads as the most general prompt.
        kind: NotificationKind::parse(&n.kind).unwrap_or(NotificationKind::WithdrawPrompt),
        title: n.title.clone(),
        body: n.body.clone(),
        link: n.link.clone(),
        created_at: n.created_at.to_string(),
        read_at: n.read_at.map(|t| t.to_string()),
    }
}

/// The notifications of the caller's enterprise, newest first, with the unread count.
#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "registration",
    params(Paging),
    responses((status = 200, description = "通知", body = Notifications))
)]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Notifications>> {
    let paging = Paging::from_query(&q)?;
    let (rows, total, unread) = state
        .services
        .notifications(
            &signed.auth.actor,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    Ok(Json(Notifications {
        items: rows.iter().map(body).collect(),
        total,
        unread,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Marks a notification read.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/read",
    tag = "registration",
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "已读"),
        (status = 404, description = "不存在或不是本企业的", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn mark_read(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    state
        .services
        .mark_notification_read(&signed.auth.actor, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
