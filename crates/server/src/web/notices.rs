//! Public notice pages (公示与异议): the public list and notice page (anyone reads: items, dates,
//! working days left, how to object), the objection form for verified users, the objections
//! page (the objector's own; for the owner all of them with the answer form and the
//! announcement), and the public announced list (公告).

use super::forms::FormErrors;
use super::names::Names;
use super::{render, Chrome};
use crate::auth::{MaybeSigned, RequestCtx, Signed};
use crate::error::AppResult;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::collections::HashMap;
use zhichan_domain::access::{grant, Action};
use zhichan_domain::enterprises::format_date;
use zhichan_domain::notices::{NoticeStatus, ObjectionDecision, MAX_REASON_CHARS};
use zhichan_service::accounts::Authenticated;
use zhichan_service::notices::{NoticeView, Objection};
use zhichan_service::{ServiceError, Services};

/// An item as the pages show it: region and field by name.
struct ItemRow {
    position: usize,
    item: i64,
    title: String,
    enterprise: String,
    region: String,
    field: String,
    removed: bool,
    number: String,
}

/// A notice's dates and state, in words.
struct Facts {
    id: i64,
    title: String,
    kind: &'static str,
    status: &'static str,
    open: bool,
    announced: bool,
    opens_on: String,
    closes_on: String,
    notice_days: u32,
    days_left: u32,
    item_count: i64,
}

fn facts(n: &NoticeView) -> Facts {
    Facts {
        id: n.id,
        title: n.title.clone(),
        kind: n.kind.label_zh(),
        status: n.status.label_zh(),
        open: n.status == NoticeStatus::Open,
        announced: n.status == NoticeStatus::Announced,
        opens_on: format_date(n.opens_on),
        closes_on: format_date(n.closes_on),
        notice_days: n.notice_days,
        days_left: n.days_left,
        item_count: n.item_count,
    }
}

async fn item_rows(
    state: &AppState,
    n: &NoticeView,
    announced_only: bool,
) -> AppResult<Vec<ItemRow>> {
    let mut names = Names::new(state);
    let mut rows = Vec::new();
    for (k, i) in n.items.iter().enumerate() {
        if announced_only && i.removed {
            continue;
        }
        rows.push(ItemRow {
            position: k + 1,
            item: i.subject_item,
            title: i.title.clone(),
            enterprise: i.enterprise.clone(),
            region: names.region_text(&i.region).await?,
            field: names.industry(&i.field).await?,
            removed: i.removed,
            number: i.number.clone().unwrap_or_default(),
        });
    }
    Ok(rows)
}

// ---- the public list --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "notices.html")]
struct ListPage {
    chrome: Chrome,
    notices: Vec<Facts>,
}

pub async fn list(
    State(state): State<AppState>,
    MaybeSigned(auth): MaybeSigned,
) -> AppResult<Response> {
    let (notices, _) = state.services.notices(200, 0).await?;
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::for_user("公示公告", "/notices", auth.as_ref()),
            notices: notices.iter().map(facts).collect(),
        },
    ))
}

// ---- one notice, with the objection form ------------------------------------------------------------

/// Who is looking, for what the page offers.
#[derive(PartialEq, Eq)]
enum Viewer {
    Anonymous,
    /// Signed in, real-name verification not approved yet.
    Unverified,
    /// May object.
    Verified,
    /// A role that never objects (the three administrators).
    Other,
}

fn viewer(auth: Option<&Authenticated>) -> Viewer {
    match auth {
        None => Viewer::Anonymous,
        Some(a) if grant(a.actor.role, Action::FileObjections).is_none() => Viewer::Other,
        Some(a) if !a.actor.verified => Viewer::Unverified,
        Some(_) => Viewer::Verified,
    }
}

/// The objection form as typed.
#[derive(Default, serde::Deserialize)]
pub struct ObjectionForm {
    #[serde(default)]
    item: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    chrome: Chrome,
    n: Facts,
    items: Vec<ItemRow>,
    anonymous: bool,
    unverified: bool,
    may_object: bool,
    is_owner: bool,
    signed_in: bool,
    csrf: String,
    errors: FormErrors,
    typed: ObjectionForm,
    max_reason: usize,
}

fn objection_locator(field: &str) -> Option<(String, String)> {
    match field {
        "item" => Some(("ob-item".into(), "异议对象".into())),
        "reason" => Some(("ob-reason".into(), "异议理由".into())),
        _ => None,
    }
}

async fn notice_page(
    state: &AppState,
    auth: Option<&Authenticated>,
    id: i64,
    status: StatusCode,
    errors: FormErrors,
    typed: ObjectionForm,
) -> AppResult<Response> {
    let n = state.services.notice(id).await?;
    let items = item_rows(state, &n, false).await?;
    let who = viewer(auth);
    let is_owner = auth.is_some_and(|a| Services::can_manage_notice(&a.actor, n.region));
    let csrf = match auth.map(|a| &a.via) {
        Some(zhichan_service::accounts::Via::Session { csrf, .. }) => csrf.clone(),
        _ => String::new(),
    };
    Ok(render(
        status,
        &NoticePage {
            chrome: Chrome::for_user(n.title.clone(), "/notices", auth),
            // The owner answers objections to this notice and files none.
            may_object: who == Viewer::Verified && n.status == NoticeStatus::Open && !is_owner,
            anonymous: who == Viewer::Anonymous,
            unverified: who == Viewer::Unverified && !is_owner,
            signed_in: auth.is_some() && who != Viewer::Other,
            is_owner,
            n: facts(&n),
            items,
            csrf,
            errors,
            typed,
            max_reason: MAX_REASON_CHARS,
        },
    ))
}

pub async fn view(
    State(state): State<AppState>,
    MaybeSigned(auth): MaybeSigned,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    notice_page(
        &state,
        auth.as_ref(),
        id,
        StatusCode::OK,
        FormErrors::none(),
        ObjectionForm::default(),
    )
    .await
}

pub async fn object(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<ObjectionForm>,
) -> AppResult<Response> {
    let item = form.item.trim().parse::<i64>().unwrap_or(0);
    match state
        .services
        .file_objection(&signed.auth.actor, &ctx, id, item, &form.reason)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/notices/{id}/objections?done=filed")).into_response()),
        Err(ServiceError::Invalid(v)) => {
            let errors = FormErrors::from_violations(v, &objection_locator);
            notice_page(
                &state,
                Some(&signed.auth),
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                form,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- the objections: the objector's own, or all of them for the owner -------------------------------

struct ObjectionRow {
    o: Objection,
    decision: &'static str,
    filed_at: String,
    /// The answer form's errors and what was typed, for this objection.
    errors: FormErrors,
    typed_decision: String,
    typed_reason: String,
}

#[derive(Template)]
#[template(path = "notice_objections.html")]
struct ObjectionsPage {
    chrome: Chrome,
    n: Facts,
    all: bool,
    rows: Vec<ObjectionRow>,
    unanswered: usize,
    csrf: String,
    /// Refusals of the announcement.
    errors: FormErrors,
    done: Option<&'static str>,
    max_reason: usize,
}

/// A refused answer: to which objection, what was typed and why.
struct Refused {
    objection: i64,
    decision: String,
    reason: String,
    errors: FormErrors,
}

async fn objections_page(
    state: &AppState,
    signed: &Signed,
    id: i64,
    status: StatusCode,
    errors: FormErrors,
    refused: Option<Refused>,
    done: Option<&'static str>,
) -> AppResult<Response> {
    let n = state.services.notice(id).await?;
    let (list, all) = state.services.objections(&signed.auth.actor, id).await?;
    let unanswered = list.iter().filter(|o| o.decision.is_none()).count();
    let mut refused = refused;
    let rows = list
        .into_iter()
        .map(|o| {
            let mine = refused.take_if(|r| r.objection == o.id);
            ObjectionRow {
                decision: o.decision.map_or("待答复", ObjectionDecision::label_zh),
                filed_at: o.filed_at.beijing_minutes(),
                errors: mine.as_ref().map(|r| r.errors.clone()).unwrap_or_default(),
                typed_decision: mine
                    .as_ref()
                    .map(|r| r.decision.clone())
                    .unwrap_or_default(),
                typed_reason: mine.map(|r| r.reason).unwrap_or_default(),
                o,
            }
        })
        .collect();
    Ok(render(
        status,
        &ObjectionsPage {
            chrome: Chrome::for_user(format!("异议：{}", n.title), "/notices", Some(&signed.auth)),
            n: facts(&n),
            all,
            rows,
            unanswered,
            csrf: csrf_of(signed),
            errors,
            done,
            max_reason: MAX_REASON_CHARS,
        },
    ))
}

pub async fn objections(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let done = match q.get("done").map(String::as_str) {
        Some("filed") => Some("异议已提交，答复后将通知您。"),
        Some("answered") => Some("已答复，异议人将收到通知。"),
        _ => None,
    };
    objections_page(
        &state,
        &signed,
        id,
        StatusCode::OK,
        FormErrors::none(),
        None,
        done,
    )
    .await
}

#[derive(Default, serde::Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    notice: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub async fn answer(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(objection): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    let notice: i64 = form.notice.trim().parse().unwrap_or(0);
    let locate = move |field: &str| match field {
        "decision" => Some((format!("an-{objection}-decision"), "答复结论".to_string())),
        "reason" => Some((format!("an-{objection}-reason"), "答复理由".to_string())),
        _ => None,
    };
    let result = match ObjectionDecision::parse(&form.decision) {
        Ok(d) => {
            state
                .services
                .answer_objection(&signed.auth.actor, &ctx, objection, None, d, &form.reason)
                .await
        }
        Err(v) => Err(ServiceError::invalid("decision", v)),
    };
    let (status, errors) = match result {
        Ok(o) => {
            return Ok(Redirect::to(&format!(
                "/notices/{}/objections?done=answered",
                o.notice_id
            ))
            .into_response())
        }
        Err(ServiceError::Invalid(v)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::from_violations(v, &locate),
        ),
        Err(ServiceError::Conflict(m)) => (StatusCode::CONFLICT, FormErrors::general(m)),
        Err(e) => return Err(e.into()),
    };
    objections_page(
        &state,
        &signed,
        notice,
        status,
        FormErrors::none(),
        Some(Refused {
            objection,
            decision: form.decision,
            reason: form.reason,
            errors,
        }),
        None,
    )
    .await
}

pub async fn announce(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (status, errors) = match state
        .services
        .announce_notice(&signed.auth.actor, &ctx, id)
        .await
    {
        Ok(_) => return Ok(Redirect::to(&format!("/notices/{id}/announced")).into_response()),
        Err(ServiceError::Invalid(v)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::from_violations(v, &|_| None),
        ),
        Err(ServiceError::Conflict(m)) => (StatusCode::CONFLICT, FormErrors::general(m)),
        Err(e) => return Err(e.into()),
    };
    objections_page(&state, &signed, id, status, errors, None, None).await
}

// ---- the announced list ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "notice_announced.html")]
struct AnnouncedPage {
    chrome: Chrome,
    n: Facts,
    announced_at: String,
    items: Vec<ItemRow>,
}

pub async fn announced(
    State(state): State<AppState>,
    MaybeSigned(auth): MaybeSigned,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let n = state.services.notice(id).await?;
    let Some(at) = n.announced_at else {
        return Err(ServiceError::NotFound.into());
    };
    let items = item_rows(&state, &n, true).await?;
    Ok(render(
        StatusCode::OK,
        &AnnouncedPage {
            chrome: Chrome::for_user(format!("公告：{}", n.title), "/notices", auth.as_ref()),
            n: facts(&n),
            announced_at: at.beijing_minutes(),
            items,
        },
    ))
}
