//! Enterprise profile pages: the enterprise fills in its own; officials browse their region's.

use super::{render, Chrome};
use crate::api::paging::Paging;
use crate::auth::{RequestCtx, Signed};
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
use zhichan_domain::accounts::Role;
use zhichan_domain::enterprises::{
    format_date, Ownership, QualificationKind, QualificationLevel, Scale,
};
use zhichan_service::enterprises::{EnterpriseInput, QualificationInput};
use zhichan_service::ServiceError;
use zhichan_store::enterprises::Enterprise;

/// Rows of qualification inputs a form offers.
const QUALIFICATION_ROWS: usize = 4;

struct Row {
    e: Enterprise,
    scale: &'static str,
}

#[derive(Template)]
#[template(path = "enterprise_list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    total: i64,
    q: String,
    page: u32,
    pages: u32,
    can_create: bool,
}

pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let actor = &signed.auth.actor;
    // An enterprise has one profile: straight to it, or to the form that creates it.
    if actor.role == Role::Enterprise {
        let code = actor.enterprise.clone().unwrap_or_default();
        return Ok(match state.services.enterprise(actor, &code).await {
            Ok(_) => Redirect::to(&format!("/enterprises/{code}")).into_response(),
            Err(ServiceError::NotFound) => Redirect::to("/enterprises/new").into_response(),
            Err(e) => return Err(e.into()),
        });
    }
    let paging = Paging::from_query(&q)?;
    let text = q.get("q").cloned().unwrap_or_default();
    let (rows, total) = state
        .services
        .enterprises(
            actor,
            Some(&text),
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::for_user("企业信息", "/enterprises", Some(&signed.auth)),
            rows: rows
                .into_iter()
                .map(|e| Row {
                    scale: e.scale.label_zh(),
                    e,
                })
                .collect(),
            total,
            q: text,
            page: paging.page,
            pages: ((total as u32).div_ceil(paging.per_page)).max(1),
            can_create: grant(actor.role, Action::EditEnterprise).is_some(),
        },
    ))
}

struct QualView {
    kind: &'static str,
    level: &'static str,
    valid: String,
    certificate: String,
}

#[derive(Template)]
#[template(path = "enterprise_view.html")]
struct ViewPage {
    chrome: Chrome,
    e: Enterprise,
    scale: &'static str,
    ownership: &'static str,
    industry: String,
    region: String,
    quals: Vec<QualView>,
    history: Vec<(i64, String, String)>,
    can_edit: bool,
    saved: bool,
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let actor = &signed.auth.actor;
    let e = state.services.enterprise(actor, &code).await?;
    let history = state
        .services
        .enterprise_history(actor, &code)
        .await?
        .into_iter()
        .map(|v| (v.version, v.changed_at.beijing_minutes(), v.changed_by))
        .collect();
    let region = state
        .services
        .region_name(e.region)
        .await?
        .map_or(e.region.to_string(), |n| format!("{n}（{}）", e.region));
    let industry = state
        .services
        .reference()
        .industry(&e.industry)
        .await
        .map_or(e.industry.to_string(), |i| {
            format!("{}（{}）", i.name, e.industry)
        });
    Ok(render(
        StatusCode::OK,
        &ViewPage {
            chrome: Chrome::for_user("企业信息", "/enterprises", Some(&signed.auth)),
            scale: e.scale.label_zh(),
            ownership: e.ownership.label_zh(),
            industry,
            region,
            quals: e
                .qualifications
                .iter()
                .map(|q| QualView {
                    kind: q.kind.label_zh(),
                    level: q.level.label_zh(),
                    valid: format!(
                        "{} 至 {}",
                        q.valid_from.map(format_date).unwrap_or_else(|| "—".into()),
                        q.valid_to.map(format_date).unwrap_or_else(|| "—".into())
                    ),
                    certificate: q.certificate.clone(),
                })
                .collect(),
            history,
            can_edit: grant(actor.role, Action::EditEnterprise).is_some(),
            saved: q.contains_key("saved"),
            e,
        },
    ))
}

#[derive(Default, Clone)]
struct QualRow {
    kind: String,
    level: String,
    valid_from: String,
    valid_to: String,
    certificate: String,
}

#[derive(Template)]
#[template(path = "enterprise_form.html")]
struct FormPage {
    chrome: Chrome,
    creating: bool,
    action: String,
    csrf: String,
    version: i64,
    v: EnterpriseInput,
    quals: Vec<QualRow>,
    code_fixed: bool,
    scales: Vec<(&'static str, &'static str)>,
    ownerships: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    errors: Vec<(String, String)>,
}

fn form_page(
    signed: &Signed,
    status: StatusCode,
    creating: bool,
    version: i64,
    v: EnterpriseInput,
    errors: Vec<(String, String)>,
) -> Response {
    let mut quals: Vec<QualRow> = v
        .qualifications
        .iter()
        .map(|q| QualRow {
            kind: q.kind.clone(),
            level: q.level.clone(),
            valid_from: q.valid_from.clone().unwrap_or_default(),
            valid_to: q.valid_to.clone().unwrap_or_default(),
            certificate: q.certificate.clone(),
        })
        .collect();
    quals.resize(QUALIFICATION_ROWS.max(quals.len()), QualRow::default());
    let action = if creating {
        "/enterprises/new".to_string()
    } else {
        format!("/enterprises/{}/edit", v.credit_code)
    };
    render(
        status,
        &FormPage {
            chrome: Chrome::for_user(
                if creating {
                    "填报企业信息"
                } else {
                    "修改企业信息"
                },
                "/enterprises",
                Some(&signed.auth),
            ),
            creating,
            action,
            csrf: csrf_of(signed),
            version,
            code_fixed: !creating || signed.auth.actor.role == Role::Enterprise,
            quals,
            v,
            scales: Scale::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            ownerships: Ownership::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            kinds: QualificationKind::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            levels: QualificationLevel::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            errors,
        },
    )
}

/// Reads the profile form (qualification rows are `q{n}_kind`, `q{n}_level`, …).
fn input_of(form: &HashMap<String, String>) -> EnterpriseInput {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut qualifications = Vec::new();
    for n in 0..16 {
        let kind = get(&format!("q{n}_kind"));
        if kind.trim().is_empty() {
            continue;
        }
        let opt = |k: String| Some(get(&k)).filter(|s| !s.trim().is_empty());
        qualifications.push(QualificationInput {
            kind,
            level: get(&format!("q{n}_level")),
            valid_from: opt(format!("q{n}_from")),
            valid_to: opt(format!("q{n}_to")),
            certificate: get(&format!("q{n}_certificate")),
        });
    }
    EnterpriseInput {
        credit_code: get("credit_code"),
        name: get("name"),
        region: get("region"),
        address: get("address"),
        scale: get("scale"),
        ownership: get("ownership"),
        industry: get("industry"),
        contact_name: get("contact_name"),
        contact_phone: get("contact_phone"),
        contact_email: get("contact_email"),
        qualifications,
    }
}

fn field_errors(v: Vec<zhichan_service::FieldViolation>) -> Vec<(String, String)> {
    v.into_iter()
        .map(|f| (f.field, f.violation.message_zh))
        .collect()
}

pub async fn new_form(signed: Signed) -> Response {
    let v = EnterpriseInput {
        credit_code: signed.auth.actor.enterprise.clone().unwrap_or_default(),
        ..EnterpriseInput::default()
    };
    form_page(&signed, StatusCode::OK, true, 0, v, vec![])
}

pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut input = input_of(&form);
    if signed.auth.actor.role == Role::Enterprise {
        input.credit_code = signed.auth.actor.enterprise.clone().unwrap_or_default();
    }
    match state
        .services
        .create_enterprise(&signed.auth.actor, &ctx, input.clone())
        .await
    {
        Ok(e) => {
            Ok(Redirect::to(&format!("/enterprises/{}?saved=1", e.credit_code)).into_response())
        }
        Err(ServiceError::Invalid(v)) => Ok(form_page(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            true,
            0,
            input,
            field_errors(v),
        )),
        Err(ServiceError::Conflict(m)) => Ok(form_page(
            &signed,
            StatusCode::CONFLICT,
            true,
            0,
            input,
            vec![("credit_code".into(), m)],
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let e = state.services.enterprise(&signed.auth.actor, &code).await?;
    Ok(form_page(
        &signed,
        StatusCode::OK,
        false,
        e.version,
        EnterpriseInput::from_stored(&e),
        vec![],
    ))
}

pub async fn update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut typed = input_of(&form);
    typed.credit_code = code.clone();
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let submitted = typed.clone();
    match state
        .services
        .update_enterprise(&signed.auth.actor, &ctx, &code, version, move |i| {
            *i = typed
        })
        .await
    {
        Ok(e) => {
            Ok(Redirect::to(&format!("/enterprises/{}?saved=1", e.credit_code)).into_response())
        }
        Err(ServiceError::Invalid(v)) => Ok(form_page(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
            version,
            submitted,
            field_errors(v),
        )),
        Err(ServiceError::Conflict(m)) => Ok(form_page(
            &signed,
            StatusCode::CONFLICT,
            false,
            version,
            submitted,
            vec![("version".into(), m)],
        )),
        Err(e) => Err(e.into()),
    }
}
