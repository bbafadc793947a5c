//! `/api/v1/products`: registration of products, their review and their versions.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::{ApiJson, AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use std::collections::HashMap;
use zhichan_api::products::{
    Figures, NewProduct, Product, ProductPatch, ProductPatent, ProductVersion, Review, Submit,
    Withdraw,
};
use zhichan_api::{Page, Problem};
use zhichan_domain::enterprises::format_date;
use zhichan_domain::registration::ProductStatus;
use zhichan_service::patents::PatentInput;
use zhichan_service::products::{FiguresInput, LinkInput, ProductView};

pub fn body(v: &ProductView) -> Product {
    let p = &v.product;
    Product {
        id: p.id,
        enterprise: v.enterprise.clone(),
        name: p.name.clone(),
        model: p.model.clone(),
        field: p.field.to_string(),
        description: p.description.clone(),
        first_sold_on: p.first_sold_on.map(format_date),
        figures: p
            .figures
            .iter()
            .map(|f| Figures {
                year: f.year.into(),
                sales_revenue: f.sales_revenue.to_string(),
                output_value: f.output_value.to_string(),
            })
            .collect(),
        patents: v
            .patents
            .iter()
            .map(|(pt, l)| ProductPatent {
                number: pt.number.to_string(),
                title: pt.title.clone(),
                patentees: pt.patentees.clone(),
                grant_date: pt.grant_date.map(format_date),
                legal_status: pt.legal_status.as_str().into(),
                right: pt.right.as_str().into(),
                licence_record: pt.licence_record.clone(),
                core: l.core,
                embodiment: l.embodiment.clone(),
            })
            .collect(),
        status: p.status.as_str().into(),
        registration_number: p.registration_number.clone(),
        submitted_at: p.submitted_at.map(|t| t.to_string()),
        reviewed_at: p.reviewed_at.map(|t| t.to_string()),
        return_reason: p.return_reason.clone(),
        version: p.version,
        updated_at: p.updated_at.to_string(),
    }
}

fn figures_in(list: Vec<Figures>) -> Vec<FiguresInput> {
    list.into_iter()
        .map(|f| FiguresInput {
            year: f.year,
            sales_revenue: f.sales_revenue,
            output_value: f.output_value,
        })
        .collect()
}

fn links_in(list: Vec<ProductPatent>) -> Vec<LinkInput> {
    list.into_iter()
        .map(|p| LinkInput {
            core: p.core,
            embodiment: p.embodiment,
            patent: PatentInput {
                number: p.number,
                title: p.title,
                patentees: p.patentees,
                grant_date: p.grant_date,
                legal_status: p.legal_status,
                right: p.right,
                licence_record: p.licence_record,
            },
        })
        .collect()
}

/// Registers a product as a draft (the enterprise, for itself).
#[utoipa::path(
    post,
    path = "/api/v1/products",
    tag = "registration",
    request_body = NewProduct,
    responses(
        (status = 201, description = "草稿已保存", body = Product),
        (status = 404, description = "企业不存在或不是本企业", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误（missing_patent、patent_not_in_force、invalid_patent_number、invalid_industry 等）", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(b): ApiJson<NewProduct>,
) -> AppResult<(StatusCode, Json<Product>)> {
    let v = state
        .services
        .create_product(
            &signed.auth.actor,
            &ctx,
            zhichan_service::products::ProductInput {
                enterprise: b.enterprise,
                name: b.name,
                model: b.model,
                field: b.field,
                description: b.description,
                first_sold_on: b.first_sold_on,
                figures: figures_in(b.figures),
                patents: links_in(b.patents),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(body(&v))))
}

/// The products the caller may see; `status=submitted` is the review queue, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/products",
    tag = "registration",
    params(("status" = Option<String>, Query, description = "draft、submitted、returned、approved、withdrawn"), Paging),
    responses((status = 200, description = "产品列表", body = Page<Product>))
)]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<Product>>> {
    let paging = Paging::from_query(&q)?;
    let status = match q.get("status").filter(|s| !s.is_empty()) {
        Some(s) => Some(ProductStatus::parse(s).map_err(|v| AppError::field("status", v))?),
        None => None,
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
    Ok(Json(Page {
        items: rows.iter().map(body).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// One product (404 outside the caller's scope).
#[utoipa::path(
    get,
    path = "/api/v1/products/{id}",
    tag = "registration",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "产品", body = Product),
        (status = 404, description = "不存在或不在范围内", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Product>> {
    Ok(Json(body(
        &state.services.product(&signed.auth.actor, id).await?,
    )))
}

/// Changes a draft or returned product (an approved one becomes a new draft version).
#[utoipa::path(
    patch,
    path = "/api/v1/products/{id}",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = ProductPatch,
    responses(
        (status = 200, description = "已保存为新版本", body = Product),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误或当前状态不能修改", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<ProductPatch>,
) -> AppResult<Json<Product>> {
    let v = state
        .services
        .update_product(&signed.auth.actor, &ctx, id, p.version, move |i| {
            if let Some(x) = p.name {
                i.name = x;
            }
            if let Some(x) = p.model {
                i.model = x;
            }
            if let Some(x) = p.field {
                i.field = x;
            }
            if let Some(x) = p.description {
                i.description = x;
            }
            if let Some(x) = p.first_sold_on {
                i.first_sold_on = Some(x);
            }
            if let Some(x) = p.figures {
                i.figures = figures_in(x);
            }
            if let Some(x) = p.patents {
                i.patents = links_in(x);
            }
        })
        .await?;
    Ok(Json(body(&v)))
}

/// Submits a draft or returned product for formal review.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/submit",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = Submit,
    responses(
        (status = 200, description = "已提交", body = Product),
        (status = 422, description = "当前状态不能提交，或专利已失效", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Submit>,
) -> AppResult<Json<Product>> {
    let v = state
        .services
        .submit_product(&signed.auth.actor, &ctx, id, b.version)
        .await?;
    Ok(Json(body(&v)))
}

/// The reviewer's decision: `approve` (a registration number is issued) or `return` with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/review",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = Review,
    responses(
        (status = 200, description = "已处理", body = Product),
        (status = 422, description = "退回须说明理由，或当前状态不能审核", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn review(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Review>,
) -> AppResult<Json<Product>> {
    let approve = crate::error::decision(&b.decision)?;
    let v = state
        .services
        .review_product(
            &signed.auth.actor,
            &ctx,
            id,
            b.version,
            approve,
            b.reason.as_deref(),
        )
        .await?;
    Ok(Json(body(&v)))
}

/// Every version of a product, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/products/{id}/history",
    tag = "registration",
    params(("id" = i64, Path)),
    responses((status = 200, description = "历史版本", body = Vec<ProductVersion>))
)]
pub async fn history(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ProductVersion>>> {
    let versions = state
        .services
        .product_history(&signed.auth.actor, id)
        .await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| ProductVersion {
                version: v.version,
                status: v.status,
                changed_by: v.changed_by,
                changed_at: v.changed_at.to_string(),
                note: v.note,
                product: serde_json::from_str(&v.snapshot).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    ))
}

/// Withdraws an approved product with a reason; the record stays, marked withdrawn.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/withdraw",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = Withdraw,
    responses(
        (status = 200, description = "已撤销", body = Product),
        (status = 422, description = "须说明原因，或当前状态不能撤销", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Withdraw>,
) -> AppResult<Json<Product>> {
    let v = state
        .services
        .withdraw_product(&signed.auth.actor, &ctx, id, b.version, &b.reason)
        .await?;
    Ok(Json(body(&v)))
}
