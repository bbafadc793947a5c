//! The system administrator's view of the messages that have not gone out (set-up codes,
//! sign-up outcomes, enterprise notifications): failed and pending, the recipient masked and
//! the text never shown, with "retry now".

use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::AppResult;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use zhichan_service::ServiceError;
use zhichan_store::outbox::Outbox;

struct Row {
    kind: &'static str,
    channel: &'static str,
    recipient: String,
    title: String,
    status: &'static str,
    failed: bool,
    attempts: i64,
    next: String,
    /// The last error explained in Chinese, and its raw words as the detail.
    error_zh: &'static str,
    error: String,
    retry: String,
}

#[derive(Template)]
#[template(path = "admin_outbox.html")]
struct OutboxPage {
    chrome: Chrome,
    csrf: String,
    rows: Vec<Row>,
    failed: usize,
    notice: Option<&'static str>,
}

pub async fn outbox_page(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let list = state.services.undelivered(&signed.auth.actor, 500).await?;
    let rows: Vec<Row> = list
        .into_iter()
        .map(|m| Row {
            kind: match m.outbox {
                Outbox::Account => "账号消息",
                Outbox::Notification => "企业通知",
            },
            channel: if m.channel == "sms" {
                "短信"
            } else {
                "电子邮件"
            },
            recipient: m.recipient,
            title: m.title,
            failed: m.status == "failed",
            status: if m.status == "failed" {
                "发送失败"
            } else {
                "待发送"
            },
            attempts: m.attempts,
            next: m.next_attempt_at.beijing_minutes(),
            error_zh: m
                .last_error
                .as_deref()
                .map(zhichan_service::delivery::explain_error)
                .unwrap_or_default(),
            error: m.last_error.unwrap_or_default(),
            retry: format!("/admin/outbox/{}/{}/retry", m.outbox.as_str(), m.id),
        })
        .collect();
    let failed = rows.iter().filter(|r| r.failed).count();
    let notice = q
        .contains_key("done")
        .then_some("已安排立即重新发送，结果见下表。");
    Ok(render(
        StatusCode::OK,
        &OutboxPage {
            chrome: Chrome::for_user("消息投递", "/admin/outbox", Some(&signed.auth)),
            csrf: csrf_of(&signed),
            rows,
            failed,
            notice,
        },
    ))
}

/// "Retry now": the message goes out at the worker's next round, its attempts counted afresh.
pub async fn retry(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path((outbox, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let outbox = Outbox::parse(&outbox).ok_or(ServiceError::NotFound)?;
    state
        .services
        .retry_delivery(&signed.auth.actor, &ctx, outbox, id)
        .await?;
    Ok(Redirect::to("/admin/outbox?done=1").into_response())
}
