//! Pages for the facts an award counts: an enterprise declares a cost or an event with its
//! evidence and sees where each declaration stands; a reviewer confirms or returns the
//! declarations and the self-entered qualifications of the enterprises of the region.

use super::forms::{self, FormErrors};
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
use zhichan_domain::awards::DeclarationKind;
use zhichan_service::declarations::{amount_of, kind_of, DeclarationInput};
use zhichan_service::ServiceError;
use zhichan_store::declarations::Declaration;

/// A declaration as a row of a page.
struct Row {
    id: i64,
    enterprise: String,
    credit_code: String,
    region: String,
    kind: String,
    year: i64,
    amount: String,
    note: String,
    evidence: Option<String>,
    status: &'static str,
    declared: String,
    reviewed: String,
    reason: String,
}

fn status_label(s: &str) -> &'static str {
    match s {
        "approved" => "已确认",
        "returned" => "已退回",
        _ => "待审核",
    }
}

async fn row(names: &mut super::names::Names<'_>, d: Declaration) -> AppResult<Row> {
    Ok(Row {
        id: d.id,
        region: names.region(d.region).await?,
        kind: kind_of(&d).map_or_else(|| d.kind.clone(), |k| k.label_zh().to_string()),
        year: d.year,
        amount: amount_of(&d).map_or_else(String::new, |m| format!("{}元", m.grouped())),
        note: d.note.clone(),
        evidence: d
            .evidence_name
            .as_ref()
            .map(|_| format!("/api/v1/declarations/{}/evidence", d.id)),
        status: status_label(&d.status),
        declared: format!("{}（{}）", d.declared_at.beijing_minutes(), d.declared_by),
        reviewed: match (&d.reviewed_by, d.reviewed_at) {
            (Some(by), Some(at)) => format!("{}（{by}）", at.beijing_minutes()),
            _ => String::new(),
        },
        reason: d.reason.clone().unwrap_or_default(),
        enterprise: d.enterprise_name,
        credit_code: d.credit_code,
    })
}

/// The declaration form as typed.
#[derive(Default)]
struct Typed {
    kind: String,
    year: String,
    amount: String,
    note: String,
}

#[derive(Template)]
#[template(path = "declarations.html")]
struct MinePage {
    chrome: Chrome,
    credit_code: String,
    name: String,
    rows: Vec<Row>,
    kinds: Vec<(&'static str, &'static str, bool)>,
    typed: Typed,
    errors: FormErrors,
    csrf: String,
    saved: bool,
}

const FIELDS: &[(&str, &str, &str)] = &[
    ("kind", "dc-kind", "申报事项"),
    ("year", "dc-year", "年度"),
    ("amount", "dc-amount", "金额（元）"),
    ("note", "dc-note", "说明"),
    ("evidence", "dc-evidence", "证明材料"),
];

#[allow(clippy::too_many_arguments)]
async fn mine_page(
    state: &AppState,
    signed: &Signed,
    code: &str,
    status: StatusCode,
    typed: Typed,
    errors: FormErrors,
    saved: bool,
) -> AppResult<Response> {
    let (e, list) = state
        .services
        .declarations_of(&signed.auth.actor, code)
        .await?;
    let mut names = super::names::Names::new(state);
    let mut rows = Vec::with_capacity(list.len());
    for d in list {
        rows.push(row(&mut names, d).await?);
    }
    let kinds = DeclarationKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label_zh(), k.as_str() == typed.kind))
        .collect();
    Ok(render(
        status,
        &MinePage {
            chrome: Chrome::for_user("奖补申报", "/declarations", Some(&signed.auth)),
            credit_code: e.credit_code,
            name: e.name,
            rows,
            kinds,
            typed,
            errors,
            csrf: csrf_of(signed),
            saved,
        },
    ))
}

/// `/declarations`: an enterprise's own declarations (anyone else is sent to the review queue).
pub async fn own(signed: Signed) -> Response {
    match &signed.auth.actor.enterprise {
        Some(code) => Redirect::to(&format!("/enterprises/{code}/declarations")).into_response(),
        None => Redirect::to("/reviews/facts").into_response(),
    }
}

/// The enterprise's declarations and the form to declare one.
pub async fn mine(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let typed = Typed {
        year: (state.services.now().beijing_date().year() - 1).to_string(),
        ..Typed::default()
    };
    let saved = q.contains_key("saved");
    mine_page(
        &state,
        &signed,
        &code,
        StatusCode::OK,
        typed,
        FormErrors::none(),
        saved,
    )
    .await
}

/// Declares (multipart: the evidence is a file).
pub async fn declare(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let (text, file_name, file) = crate::api::products::read_multipart(form, "evidence").await?;
    let get = |k: &str| text.get(k).cloned().unwrap_or_default();
    let typed = Typed {
        kind: get("kind"),
        year: get("year"),
        amount: get("amount"),
        note: get("note"),
    };
    let input = DeclarationInput {
        kind: typed.kind.clone(),
        year: typed.year.clone(),
        amount: Some(typed.amount.clone()),
        note: Some(typed.note.clone()),
        evidence: (!file.is_empty()).then_some((file_name, file)),
    };
    match state
        .services
        .declare(&signed.auth.actor, &ctx, &code, input)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/enterprises/{code}/declarations?saved=1")).into_response())
        }
        Err(ServiceError::Invalid(v)) => {
            let locate = forms::table(FIELDS);
            let errors = FormErrors::from_violations(v, &locate);
            mine_page(
                &state,
                &signed,
                &code,
                StatusCode::UNPROCESSABLE_ENTITY,
                typed,
                errors,
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// An enterprise waiting for its qualifications' review, with those qualifications.
struct Waiting {
    credit_code: String,
    name: String,
    region: String,
    version: i64,
    items: Vec<WaitingQualification>,
}

/// A qualification waiting for review, as the reviewer decides it.
struct WaitingQualification {
    kind: &'static str,
    level: &'static str,
    certificate: String,
    valid_from: String,
    valid_to: String,
}

#[derive(Template)]
#[template(path = "fact_reviews.html")]
struct QueuePage {
    chrome: Chrome,
    rows: Vec<Row>,
    waiting: Vec<Waiting>,
    csrf: String,
    message: Option<String>,
}

async fn queue_page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    message: Option<String>,
) -> AppResult<Response> {
    let actor = &signed.auth.actor;
    let list = state.services.declaration_queue(actor).await?;
    let mut names = super::names::Names::new(state);
    let mut rows = Vec::with_capacity(list.len());
    for d in list {
        rows.push(row(&mut names, d).await?);
    }
    let mut waiting = Vec::new();
    let date = |d: Option<time::Date>| {
        d.map(zhichan_domain::enterprises::format_date)
            .unwrap_or_else(|| "—".into())
    };
    for (w, quals) in state.services.qualification_queue_detail(actor).await? {
        waiting.push(Waiting {
            region: names.region(w.region).await?,
            credit_code: w.credit_code,
            name: w.name,
            version: w.version,
            items: quals
                .iter()
                .map(|q| WaitingQualification {
                    kind: q.kind.label_zh(),
                    level: q.level.label_zh(),
                    certificate: q.certificate.clone(),
                    valid_from: date(q.valid_from),
                    valid_to: date(q.valid_to),
                })
                .collect(),
        });
    }
    Ok(render(
        status,
        &QueuePage {
            chrome: Chrome::for_user("奖补事实审核", "/reviews/facts", Some(&signed.auth)),
            rows,
            waiting,
            csrf: csrf_of(signed),
            message,
        },
    ))
}

/// The reviewer's queue of declarations and self-entered qualifications.
pub async fn queue(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    queue_page(&state, &signed, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    reason: String,
    /// The enterprise version the reviewer read (the qualifications' form only).
    #[serde(default)]
    version: Option<i64>,
}

async fn decided(
    state: &AppState,
    signed: &Signed,
    result: Result<(), ServiceError>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to("/reviews/facts").into_response()),
        Err(ServiceError::Invalid(v)) => {
            let msg = v.into_iter().next().map(|f| f.violation.message_zh);
            queue_page(state, signed, StatusCode::UNPROCESSABLE_ENTITY, msg).await
        }
        Err(ServiceError::Conflict(m)) => {
            queue_page(state, signed, StatusCode::CONFLICT, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A reviewer decides a declaration.
pub async fn review(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let r = state
        .services
        .review_declaration(
            &signed.auth.actor,
            &ctx,
            id,
            form.decision == "approve",
            Some(&form.reason),
        )
        .await
        .map(|_| ());
    decided(&state, &signed, r).await
}

/// A reviewer decides an enterprise's qualifications waiting for review.
pub async fn review_qualifications(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let r = state
        .services
        .review_qualifications(
            &signed.auth.actor,
            &ctx,
            &code,
            form.version.unwrap_or(0),
            form.decision == "approve",
            Some(&form.reason),
        )
        .await
        .map(|_| ());
    decided(&state, &signed, r).await
}
