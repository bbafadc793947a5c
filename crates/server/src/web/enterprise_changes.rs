//! Pages for changes of who an enterprise is (its name and region, reviewed before they hold)
//! and for its further accounts (added by the enterprise or its reviewer; the holder sets the
//! password with a one-time link).

use super::enterprises::{view_page, Flash};
use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::AppResult;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;
use zhichan_service::enterprise_accounts::NewColleague;
use zhichan_service::enterprise_amendments::reviewed_in;
use zhichan_service::ServiceError;

struct QueueRow {
    credit_code: String,
    name: String,
    region: String,
    new_name: Option<String>,
    new_region: Option<String>,
    requested: String,
    reviewable: bool,
    decides: String,
}

#[derive(Template)]
#[template(path = "enterprise_changes.html")]
struct QueuePage {
    chrome: Chrome,
    rows: Vec<QueueRow>,
    csrf: String,
    message: Option<String>,
}

/// A region by its full name (江西省抚州市临川区).
async fn region_label(state: &AppState, r: zhichan_domain::RegionCode) -> AppResult<String> {
    super::names::Names::new(state).region(r).await
}

async fn queue_page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    message: Option<String>,
) -> AppResult<Response> {
    let items = state
        .services
        .enterprise_amendment_queue(&signed.auth.actor)
        .await?;
    let mut rows = Vec::with_capacity(items.len());
    for i in items {
        let q = i.queued;
        rows.push(QueueRow {
            region: region_label(state, q.enterprise_region).await?,
            new_region: match q.amendment.region {
                Some(r) => Some(region_label(state, r).await?),
                None => None,
            },
            decides: region_label(state, reviewed_in(&q.amendment, q.enterprise_region)).await?,
            credit_code: q.credit_code,
            name: q.enterprise_name,
            new_name: q.amendment.name,
            requested: format!(
                "{}（{}）",
                q.amendment.requested_at.beijing_minutes(),
                q.amendment.requested_by
            ),
            reviewable: i.reviewable,
        });
    }
    Ok(render(
        status,
        &QueuePage {
            chrome: Chrome::for_user(
                "企业变更审核",
                "/reviews/enterprise-changes",
                Some(&signed.auth),
            ),
            rows,
            csrf: csrf_of(signed),
            message,
        },
    ))
}

/// The reviewer's queue of name changes and moves.
pub async fn queue(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    queue_page(&state, &signed, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    reason: String,
}

/// A reviewer decides a change (from the queue or the profile page).
pub async fn review(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let approve = form.decision == "approve";
    match state
        .services
        .review_enterprise_amendment(&signed.auth.actor, &ctx, &code, approve, Some(&form.reason))
        .await
    {
        Ok(_) => Ok(Redirect::to("/reviews/enterprise-changes").into_response()),
        Err(ServiceError::Invalid(v)) => {
            let msg = v.into_iter().next().map(|f| f.violation.message_zh);
            queue_page(&state, &signed, StatusCode::UNPROCESSABLE_ENTITY, msg).await
        }
        Err(ServiceError::Conflict(m)) => {
            queue_page(&state, &signed, StatusCode::CONFLICT, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The enterprise (or its reviewer) withdraws the change.
pub async fn discard(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<Response> {
    state
        .services
        .discard_enterprise_amendment(&signed.auth.actor, &ctx, &code)
        .await?;
    Ok(Redirect::to(&format!("/enterprises/{code}")).into_response())
}

#[derive(Deserialize)]
pub struct AccountForm {
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    contact: String,
}

/// Adds a further account; the page says where its set-password code went (masked).
pub async fn add_account(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    match state
        .services
        .add_enterprise_account(
            &signed.auth.actor,
            &ctx,
            &code,
            NewColleague {
                username: form.username,
                display_name: form.display_name,
                contact: form.contact,
            },
        )
        .await
    {
        Ok(added) => {
            let flash = Flash {
                added: Some((
                    added.user.username,
                    added.sent_to,
                    added.expires_at.beijing_minutes(),
                )),
                ..Flash::default()
            };
            view_page(&state, &signed, &code, StatusCode::CREATED, flash).await
        }
        Err(ServiceError::Invalid(v)) => {
            let flash = Flash {
                message: v.into_iter().next().map(|f| f.violation.message_zh),
                ..Flash::default()
            };
            view_page(
                &state,
                &signed,
                &code,
                StatusCode::UNPROCESSABLE_ENTITY,
                flash,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "account_setup.html")]
struct SetupPage {
    chrome: Chrome,
    username: String,
    code: String,
    errors: Vec<String>,
    done: bool,
}

/// The page where the holder of an added account chooses its password.
pub async fn setup_page(Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    render(
        StatusCode::OK,
        &SetupPage {
            chrome: Chrome::new("设置密码", "/account/setup"),
            username: get("username"),
            code: get("code"),
            errors: vec![],
            done: false,
        },
    )
}

#[derive(Deserialize)]
pub struct SetupForm {
    username: String,
    code: String,
    password: String,
    confirm_password: String,
}

pub async fn setup(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    Form(form): Form<SetupForm>,
) -> AppResult<Response> {
    let page = |status, errors: Vec<String>, done| {
        render(
            status,
            &SetupPage {
                chrome: Chrome::new("设置密码", "/account/setup"),
                username: form.username.clone(),
                code: form.code.clone(),
                errors,
                done,
            },
        )
    };
    if form.password != form.confirm_password {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["两次输入的密码不一致".into()],
            false,
        ));
    }
    match state
        .services
        .complete_account_setup(&ctx, &form.username, &form.code, &form.password)
        .await
    {
        Ok(()) => Ok(page(StatusCode::OK, vec![], true)),
        Err(ServiceError::Invalid(v)) => Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v.into_iter().map(|f| f.violation.message_zh).collect(),
            false,
        )),
        Err(e) => Err(e.into()),
    }
}
