//! The enterprise's "我的免申即享" page: what it qualifies for in a year with the ceiling, what
//! the office pays of it and why (the clause and the explanation), what it does not qualify
//! for and why not, and a button that confirms the pre-filled application in one click.
//! Reviewers and administrators open the page of an enterprise of their region with
//! `?enterprise=CREDIT_CODE` (read only).

use super::forms::FormErrors;
use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::{AppError, AppResult};
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;
use zhichan_service::awards::Entitled;
use zhichan_service::ServiceError;

/// One entitlement as the page shows it.
struct Row {
    item: Entitled,
    payable: String,
    budget: String,
    /// The application already confirmed: its status word and payable amount.
    confirmed: Option<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "entitlements.html")]
struct Page {
    chrome: Chrome,
    csrf: String,
    name: String,
    credit_code: String,
    year: i32,
    years: Vec<i32>,
    total: String,
    rows: Vec<Row>,
    not_eligible: Vec<zhichan_service::awards::NotEntitled>,
    /// Whether the caller may confirm (the enterprise itself).
    can_confirm: bool,
    form_errors: FormErrors,
    /// The name of the award just confirmed.
    done: String,
}

fn year_of(state: &AppState, q: &HashMap<String, String>) -> i32 {
    q.get("year")
        .and_then(|y| y.trim().parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| state.services.today().year())
}

/// Whose page: the caller's own enterprise, or (staff) the one named in the query.
fn whose(signed: &Signed, q: &HashMap<String, String>) -> Result<String, AppError> {
    match (&signed.auth.actor.enterprise, q.get("enterprise")) {
        (Some(own), _) => Ok(own.clone()),
        (None, Some(code)) if !code.trim().is_empty() => Ok(code.trim().to_string()),
        _ => Err(AppError::NotFound),
    }
}

async fn page(
    state: &AppState,
    signed: &Signed,
    credit_code: &str,
    year: i32,
    status: StatusCode,
    form_errors: FormErrors,
    done: String,
) -> AppResult<Response> {
    let p = state
        .services
        .entitlement_page(&signed.auth.actor, credit_code, year)
        .await?;
    let rows = p
        .entitlements
        .items
        .iter()
        .map(|i| {
            let (payable, budget) = p
                .payable
                .get(&i.rule)
                .map(|(m, b)| (m.grouped(), b.clone()))
                .unwrap_or_else(|| (i.amount.grouped(), String::new()));
            Row {
                item: i.clone(),
                payable,
                budget,
                confirmed: p
                    .applications
                    .iter()
                    .find(|a| a.rule_id == i.rule)
                    .map(|a| {
                        (
                            zhichan_service::payouts::status_label(a),
                            a.payable.grouped(),
                        )
                    }),
            }
        })
        .collect();
    let this = state.services.today().year();
    Ok(render(
        status,
        &Page {
            chrome: Chrome::for_user("我的免申即享", "/entitlements", Some(&signed.auth)),
            csrf: csrf_of(signed),
            name: p.entitlements.name.clone(),
            credit_code: p.entitlements.credit_code.clone(),
            year,
            years: (this - 3..=this).rev().collect(),
            total: p.entitlements.total.grouped(),
            rows,
            not_eligible: p.entitlements.not_eligible,
            can_confirm: signed.auth.actor.enterprise.is_some()
                && zhichan_domain::access::authorize(
                    &signed.auth.actor,
                    zhichan_domain::access::Action::ApplyEntitlements,
                )
                .is_ok(),
            form_errors,
            done,
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let code = whose(&signed, &q)?;
    let year = year_of(&state, &q);
    let done = q.get("confirmed").cloned().unwrap_or_default();
    page(
        &state,
        &signed,
        &code,
        year,
        StatusCode::OK,
        FormErrors::none(),
        done,
    )
    .await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    rule: i64,
    year: i32,
    rule_version: Option<i64>,
}

/// One click: confirms the pre-filled application; a refusal (already confirmed, the rule
/// changed, no longer eligible) is said at the top of the page again.
pub async fn confirm(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let code = whose(&signed, &HashMap::new())?;
    match state
        .services
        .confirm_entitlement(
            &signed.auth.actor,
            &ctx,
            &code,
            form.rule,
            form.year,
            form.rule_version,
        )
        .await
    {
        Ok(a) => {
            let name: String = form_urlencoded::byte_serialize(a.rule_name.as_bytes()).collect();
            Ok(Redirect::to(&format!(
                "/entitlements?year={}&confirmed={name}",
                form.year
            ))
            .into_response())
        }
        Err(ServiceError::Conflict(m)) => {
            let errors = FormErrors::general(m);
            page(
                &state,
                &signed,
                &code,
                form.year,
                StatusCode::CONFLICT,
                errors,
                String::new(),
            )
            .await
        }
        Err(ServiceError::Invalid(v)) => {
            let errors = FormErrors::general(super::violations_text(v));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(
                &state,
                &signed,
                &code,
                form.year,
                status,
                errors,
                String::new(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
