//! An award rule's page (奖补规则): its newest version, its versions, publishing a draft, and
//! its notification rounds (免申即享通知) with how far each got — while one runs the page
//! refreshes itself (no script needed), so that the official sees it move.

use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::AppResult;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use zhichan_service::awards::RuleHistory;
use zhichan_service::{ServiceError, Services};
use zhichan_store::entitlement_rounds::Round;

/// Seconds between the page's own refreshes while a round runs.
const REFRESH_SECONDS: u32 = 3;

#[derive(Template)]
#[template(path = "award_rule.html")]
struct RulePage {
    chrome: Chrome,
    h: RuleHistory,
    region: String,
    rounds: Vec<Round>,
    can_publish: bool,
    refresh: Option<u32>,
    csrf: String,
    message: Option<String>,
}

impl RulePage {
    fn status_word(&self, r: &Round) -> &'static str {
        match r.status.as_str() {
            "running" => "进行中",
            "finished" => "已完成",
            _ => "未完成",
        }
    }

    /// How far a round got, as a share of the enterprises that qualify (0 while unknown).
    fn percent(&self, r: &Round) -> i64 {
        match r.eligible {
            Some(0) => 100,
            Some(n) => r.reached * 100 / n,
            None => 0,
        }
    }
}

async fn rule_page(
    state: &AppState,
    signed: &Signed,
    id: i64,
    status: StatusCode,
    message: Option<String>,
) -> AppResult<Response> {
    let actor = &signed.auth.actor;
    let h = state.services.award_rule(actor, id, None).await?;
    let rounds = state.services.rule_rounds(actor, id).await?;
    let region = super::names::Names::new(state)
        .region(h.current.rule.region)
        .await?;
    let can_publish = Services::can_manage_award_rules(actor) && !h.current.published;
    let refresh = rounds
        .iter()
        .any(|r| r.status == "running")
        .then_some(REFRESH_SECONDS);
    Ok(render(
        status,
        &RulePage {
            chrome: Chrome::for_user("奖补规则", "/payouts/budgets", Some(&signed.auth)),
            h,
            region,
            rounds,
            can_publish,
            refresh,
            csrf: csrf_of(signed),
            message,
        },
    ))
}

/// The rule's page.
pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    rule_page(&state, &signed, id, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct PublishForm {
    version: i64,
}

/// Publishes the draft the official read; the page then shows the round it started.
pub async fn publish(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<PublishForm>,
) -> AppResult<Response> {
    match state
        .services
        .publish_award_rule(&signed.auth.actor, &ctx, id, form.version)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/award-rules/{id}")).into_response()),
        Err(ServiceError::Invalid(v)) => {
            let msg = super::violations_text(v);
            rule_page(
                &state,
                &signed,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            rule_page(&state, &signed, id, StatusCode::CONFLICT, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}
