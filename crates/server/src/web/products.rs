//! Product registration pages: the enterprise's products and form, the reviewer's queue and
//! decision, every version listed.

use super::{render, Chrome};
use crate::api::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::{AppError, AppResult};
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
use zhichan_domain::patents::{LegalStatus, PatentRight};
use zhichan_domain::registration::ProductStatus;
use zhichan_service::patents::PatentInput;
use zhichan_service::products::{FiguresInput, LinkInput, ProductInput, ProductView};
use zhichan_service::ServiceError;

const FIGURE_ROWS: usize = 3;
const PATENT_ROWS: usize = 3;

struct Row {
    v: ProductView,
    status: &'static str,
    updated: String,
}

#[derive(Template)]
#[template(path = "product_list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    total: i64,
    status: String,
    tabs: Vec<(&'static str, &'static str)>,
    page: u32,
    pages: u32,
    can_register: bool,
}

pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let paging = Paging::from_query(&q)?;
    let status_text = q.get("status").cloned().unwrap_or_default();
    let status = match status_text.as_str() {
        "" => None,
        s => Some(ProductStatus::parse(s).map_err(|v| AppError::field("status", v))?),
    };
    let (rows, total) = state
        .services
        .products(
            &signed.auth.actor,
            status,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let mut tabs = vec![("", "全部")];
    tabs.extend(
        ProductStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_zh())),
    );
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::for_user("产品备案", "/products", Some(&signed.auth)),
            rows: rows
                .into_iter()
                .map(|v| Row {
                    status: v.product.status.label_zh(),
                    updated: v.product.updated_at.beijing_minutes(),
                    v,
                })
                .collect(),
            total,
            status: status_text,
            tabs,
            page: paging.page,
            pages: ((total as u32).div_ceil(paging.per_page)).max(1),
            can_register: grant(signed.auth.actor.role, Action::RegisterProducts).is_some(),
        },
    ))
}

struct PatentRow {
    number: String,
    title: String,
    status: &'static str,
    in_force: bool,
    right: &'static str,
    core: bool,
    embodiment: String,
}

#[derive(Template)]
#[template(path = "product_view.html")]
struct ViewPage {
    chrome: Chrome,
    v: ProductView,
    status: &'static str,
    patents: Vec<PatentRow>,
    history: Vec<(i64, &'static str, String, String, String)>,
    csrf: String,
    can_edit: bool,
    can_submit: bool,
    can_review: bool,
    can_withdraw: bool,
    error: Option<String>,
}

async fn view_page(
    state: &AppState,
    signed: &Signed,
    id: i64,
    status: StatusCode,
    error: Option<String>,
) -> AppResult<Response> {
    let actor = &signed.auth.actor;
    let v = state.services.product(actor, id).await?;
    let history = state
        .services
        .product_history(actor, id)
        .await?
        .into_iter()
        .map(|h| {
            let label = ProductStatus::parse(&h.status).map_or("", |s| s.label_zh());
            (
                h.version,
                label,
                h.changed_at.beijing_minutes(),
                h.changed_by,
                h.note,
            )
        })
        .collect();
    let s = v.product.status;
    let registers = grant(actor.role, Action::RegisterProducts).is_some();
    let reviews = grant(actor.role, Action::ReviewRegistrations).is_some();
    Ok(render(
        status,
        &ViewPage {
            chrome: Chrome::for_user("产品备案", "/products", Some(&signed.auth)),
            status: s.label_zh(),
            patents: v
                .patents
                .iter()
                .map(|(p, l)| PatentRow {
                    number: p.number.to_string(),
                    title: p.title.clone(),
                    status: p.legal_status.label_zh(),
                    in_force: p.legal_status.in_force(),
                    right: p.right.label_zh(),
                    core: l.core,
                    embodiment: l.embodiment.clone(),
                })
                .collect(),
            history,
            csrf: csrf_of(signed),
            can_edit: registers
                && matches!(
                    s,
                    ProductStatus::Draft | ProductStatus::Returned | ProductStatus::Approved
                ),
            can_submit: registers && matches!(s, ProductStatus::Draft | ProductStatus::Returned),
            can_review: reviews && s == ProductStatus::Submitted,
            can_withdraw: registers && s == ProductStatus::Approved,
            error,
            v,
        },
    ))
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    view_page(&state, &signed, id, StatusCode::OK, None).await
}

#[derive(serde::Deserialize)]
pub struct StepForm {
    op: String,
    version: i64,
    #[serde(default)]
    reason: String,
}

/// Submit, approve or return, from the product page.
pub async fn step(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let s = &state.services;
    let actor = &signed.auth.actor;
    let result = match f.op.as_str() {
        "submit" => s.submit_product(actor, &ctx, id, f.version).await,
        "approve" => {
            s.review_product(actor, &ctx, id, f.version, true, None)
                .await
        }
        "return" => {
            s.review_product(actor, &ctx, id, f.version, false, Some(&f.reason))
                .await
        }
        "withdraw" => {
            s.withdraw_product(actor, &ctx, id, f.version, &f.reason)
                .await
        }
        _ => return Ok(StatusCode::BAD_REQUEST.into_response()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/products/{id}")).into_response()),
        Err(ServiceError::Invalid(v)) => {
            let msg = v
                .into_iter()
                .map(|f| f.violation.message_zh)
                .collect::<Vec<_>>()
                .join("；");
            view_page(
                &state,
                &signed,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            view_page(&state, &signed, id, StatusCode::CONFLICT, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Clone, Default)]
struct FigRow {
    year: String,
    sales: String,
    output: String,
}

#[derive(Clone, Default)]
struct PatRow {
    number: String,
    title: String,
    patentees: String,
    grant_date: String,
    status: String,
    right: String,
    licence: String,
    core: bool,
    embodiment: String,
}

#[derive(Template)]
#[template(path = "product_form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    csrf: String,
    version: i64,
    enterprise: String,
    name: String,
    model: String,
    field: String,
    description: String,
    first_sold_on: String,
    figures: Vec<FigRow>,
    patents: Vec<PatRow>,
    statuses: Vec<(&'static str, &'static str)>,
    rights: Vec<(&'static str, &'static str)>,
    errors: Vec<(String, String)>,
}

fn form_page(
    signed: &Signed,
    status: StatusCode,
    action: String,
    version: i64,
    input: &ProductInput,
    errors: Vec<(String, String)>,
) -> Response {
    let mut figures: Vec<FigRow> = input
        .figures
        .iter()
        .map(|f| FigRow {
            year: f.year.to_string(),
            sales: f.sales_revenue.clone(),
            output: f.output_value.clone(),
        })
        .collect();
    figures.resize(FIGURE_ROWS.max(figures.len()), FigRow::default());
    let mut patents: Vec<PatRow> = input
        .patents
        .iter()
        .map(|l| PatRow {
            number: l.patent.number.clone(),
            title: l.patent.title.clone(),
            patentees: l.patent.patentees.join("、"),
            grant_date: l.patent.grant_date.clone().unwrap_or_default(),
            status: l.patent.legal_status.clone(),
            right: l.patent.right.clone(),
            licence: l.patent.licence_record.clone(),
            core: l.core,
            embodiment: l.embodiment.clone(),
        })
        .collect();
    patents.resize(PATENT_ROWS.max(patents.len()), PatRow::default());
    render(
        status,
        &FormPage {
            chrome: Chrome::for_user("产品备案", "/products", Some(&signed.auth)),
            action,
            csrf: csrf_of(signed),
            version,
            enterprise: input.enterprise.clone(),
            name: input.name.clone(),
            model: input.model.clone(),
            field: input.field.clone(),
            description: input.description.clone(),
            first_sold_on: input.first_sold_on.clone().unwrap_or_default(),
            figures,
            patents,
            statuses: LegalStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            rights: PatentRight::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            errors,
        },
    )
}

/// Reads the product form: figure rows `f{n}_year|sales|output`, patent rows `p{n}_…`.
fn input_of(form: &HashMap<String, String>, enterprise: String) -> ProductInput {
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut figures = Vec::new();
    for n in 0..12 {
        let year = get(&format!("f{n}_year"));
        if year.is_empty() {
            continue;
        }
        figures.push(FiguresInput {
            year: year.parse().unwrap_or(0),
            sales_revenue: get(&format!("f{n}_sales")),
            output_value: get(&format!("f{n}_output")),
        });
    }
    let mut patents = Vec::new();
    for n in 0..12 {
        let number = get(&format!("p{n}_number"));
        if number.is_empty() {
            continue;
        }
        let grant = get(&format!("p{n}_grant"));
        patents.push(LinkInput {
            patent: PatentInput {
                number,
                title: get(&format!("p{n}_title")),
                patentees: get(&format!("p{n}_patentees"))
                    .split(['、', ',', '，', ';', '；'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                grant_date: Some(grant).filter(|g| !g.is_empty()),
                legal_status: get(&format!("p{n}_status")),
                right: get(&format!("p{n}_right")),
                licence_record: get(&format!("p{n}_licence")),
            },
            core: form.contains_key(&format!("p{n}_core")),
            embodiment: get(&format!("p{n}_embodiment")),
        });
    }
    ProductInput {
        enterprise,
        name: get("name"),
        model: get("model"),
        field: get("field"),
        description: get("description"),
        first_sold_on: Some(get("first_sold_on")).filter(|s| !s.is_empty()),
        figures,
        patents,
    }
}

fn field_errors(v: Vec<zhichan_service::FieldViolation>) -> Vec<(String, String)> {
    v.into_iter()
        .map(|f| (f.field, f.violation.message_zh))
        .collect()
}

pub async fn new_form(signed: Signed) -> Response {
    let input = ProductInput {
        enterprise: signed.auth.actor.enterprise.clone().unwrap_or_default(),
        ..ProductInput::default()
    };
    form_page(
        &signed,
        StatusCode::OK,
        "/products/new".into(),
        0,
        &input,
        vec![],
    )
}

pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let enterprise = signed.auth.actor.enterprise.clone().unwrap_or_default();
    let input = input_of(&form, enterprise);
    match state
        .services
        .create_product(&signed.auth.actor, &ctx, input.clone())
        .await
    {
        Ok(v) => Ok(Redirect::to(&format!("/products/{}", v.product.id)).into_response()),
        Err(ServiceError::Invalid(v)) => Ok(form_page(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            "/products/new".into(),
            0,
            &input,
            field_errors(v),
        )),
        Err(ServiceError::NotFound) => Ok(form_page(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            "/products/new".into(),
            0,
            &input,
            vec![(
                "enterprise".into(),
                "请先在“企业信息”中填报本企业信息".into(),
            )],
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let v = state.services.product(&signed.auth.actor, id).await?;
    let p = &v.product;
    let input = ProductInput {
        enterprise: v.enterprise.clone(),
        name: p.name.clone(),
        model: p.model.clone(),
        field: p.field.to_string(),
        description: p.description.clone(),
        first_sold_on: p.first_sold_on.map(format_date),
        figures: p
            .figures
            .iter()
            .map(|f| FiguresInput {
                year: f.year.into(),
                sales_revenue: f.sales_revenue.to_string(),
                output_value: f.output_value.to_string(),
            })
            .collect(),
        patents: v
            .patents
            .iter()
            .map(|(pt, l)| LinkInput {
                patent: PatentInput::from_stored(pt),
                core: l.core,
                embodiment: l.embodiment.clone(),
            })
            .collect(),
    };
    Ok(form_page(
        &signed,
        StatusCode::OK,
        format!("/products/{id}/edit"),
        p.version,
        &input,
        vec![],
    ))
}

pub async fn update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let enterprise = signed.auth.actor.enterprise.clone().unwrap_or_default();
    let typed = input_of(&form, enterprise);
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let shown = typed.clone();
    match state
        .services
        .update_product(&signed.auth.actor, &ctx, id, version, move |i| {
            let enterprise = i.enterprise.clone();
            *i = typed;
            i.enterprise = enterprise;
        })
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/products/{id}")).into_response()),
        Err(ServiceError::Invalid(v)) => Ok(form_page(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("/products/{id}/edit"),
            version,
            &shown,
            field_errors(v),
        )),
        Err(ServiceError::Conflict(m)) => Ok(form_page(
            &signed,
            StatusCode::CONFLICT,
            format!("/products/{id}/edit"),
            version,
            &shown,
            vec![("version".into(), m)],
        )),
        Err(e) => Err(e.into()),
    }
}
