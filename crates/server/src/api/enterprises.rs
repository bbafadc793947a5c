//! `/api/v1/enterprises`: enterprise profiles, scoped to the caller.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::enterprises::{
    Contact, Enterprise, EnterprisePatch, EnterpriseVersion, NewEnterprise, Qualification,
};
use zhichan_api::{Page, Problem};
use zhichan_domain::enterprises::format_date;
use zhichan_service::enterprises::{EnterpriseInput, QualificationInput};
use zhichan_store::enterprises::Enterprise as Stored;

pub fn body(e: &Stored) -> Enterprise {
    Enterprise {
        credit_code: e.credit_code.clone(),
        name: e.name.clone(),
        region: e.region.to_string(),
        address: e.address.clone(),
        scale: e.scale.as_str().into(),
        ownership: e.ownership.as_str().into(),
        industry: e.industry.to_string(),
        qualifications: e
            .qualifications
            .iter()
            .map(|q| Qualification {
                kind: q.kind.as_str().into(),
                level: q.level.as_str().into(),
                valid_from: q.valid_from.map(format_date),
                valid_to: q.valid_to.map(format_date),
                certificate: q.certificate.clone(),
            })
            .collect(),
        contact: Contact {
            name: e.contact_name.clone(),
            phone: e.contact_phone.clone(),
            email: e.contact_email.clone(),
        },
        version: e.version,
        updated_at: e.updated_at.to_string(),
    }
}

fn qualification_inputs(list: Vec<Qualification>) -> Vec<QualificationInput> {
    list.into_iter()
        .map(|q| QualificationInput {
            kind: q.kind,
            level: q.level,
            valid_from: q.valid_from,
            valid_to: q.valid_to,
            certificate: q.certificate,
        })
        .collect()
}

/// Creates a profile: an enterprise user for its own credit code, a reviewer inside its region.
#[utoipa::path(
    post,
    path = "/api/v1/enterprises",
    tag = "registration",
    request_body = NewEnterprise,
    responses(
        (status = 201, description = "已创建", body = Enterprise),
        (status = 404, description = "不在本人或本辖区范围内", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "该统一社会信用代码的企业已存在", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误（invalid_credit_code、invalid_region、invalid_industry 等）", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(b): ApiJson<NewEnterprise>,
) -> AppResult<(StatusCode, Json<Enterprise>)> {
    let input = EnterpriseInput {
        credit_code: b.credit_code,
        name: b.name,
        region: b.region.unwrap_or_default(),
        address: b.address,
        scale: b.scale,
        ownership: b.ownership,
        industry: b.industry,
        contact_name: b.contact.name,
        contact_phone: b.contact.phone,
        contact_email: b.contact.email,
        qualifications: qualification_inputs(b.qualifications),
    };
    let e = state
        .services
        .create_enterprise(&signed.auth.actor, &ctx, input)
        .await?;
    Ok((StatusCode::CREATED, Json(body(&e))))
}

/// The profiles the caller may see, by name; `q` filters by a part of the name.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises",
    tag = "registration",
    params(
        ("q" = Option<String>, Query, description = "名称包含"),
        ("format" = Option<String>, Query, description = "json（默认）或 xlsx：全部匹配的企业（不分页），流式发送"),
        Paging
    ),
    responses((status = 200, description = "企业列表", body = Page<Enterprise>))
)]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    if q.get("format").map(String::as_str) == Some("xlsx") {
        let file = state
            .services
            .export_enterprises(&signed.auth.actor, q.get("q").map(String::as_str))
            .await?;
        return crate::api::products::stream_file(file, "企业.xlsx").await;
    }
    let paging = Paging::from_query(&q)?;
    let (rows, total) = state
        .services
        .enterprises(
            &signed.auth.actor,
            q.get("q").map(String::as_str),
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    Ok(Json(Page {
        items: rows.iter().map(body).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
    .into_response())
}

/// One profile (404 outside the caller's scope).
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{credit_code}",
    tag = "registration",
    params(("credit_code" = String, Path, description = "统一社会信用代码")),
    responses(
        (status = 200, description = "企业信息", body = Enterprise),
        (status = 404, description = "不存在或不在范围内", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<Json<Enterprise>> {
    Ok(Json(body(
        &state.services.enterprise(&signed.auth.actor, &code).await?,
    )))
}

/// Changes the fields given, if `version` is still current (409 otherwise).
#[utoipa::path(
    patch,
    path = "/api/v1/enterprises/{credit_code}",
    tag = "registration",
    params(("credit_code" = String, Path)),
    request_body = EnterprisePatch,
    responses(
        (status = 200, description = "已保存为新版本", body = Enterprise),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    ApiJson(p): ApiJson<EnterprisePatch>,
) -> AppResult<Json<Enterprise>> {
    let e = state
        .services
        .update_enterprise(&signed.auth.actor, &ctx, &code, p.version, move |i| {
            if let Some(v) = p.name {
                i.name = v;
            }
            if let Some(v) = p.region {
                i.region = v;
            }
            if let Some(v) = p.address {
                i.address = v;
            }
            if let Some(v) = p.scale {
                i.scale = v;
            }
            if let Some(v) = p.ownership {
                i.ownership = v;
            }
            if let Some(v) = p.industry {
                i.industry = v;
            }
            if let Some(v) = p.qualifications {
                i.qualifications = qualification_inputs(v);
            }
            if let Some(c) = p.contact {
                i.contact_name = c.name;
                i.contact_phone = c.phone;
                i.contact_email = c.email;
            }
        })
        .await?;
    Ok(Json(body(&e)))
}

/// Every saved version of a profile, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{credit_code}/history",
    tag = "registration",
    params(("credit_code" = String, Path)),
    responses((status = 200, description = "历史版本", body = Vec<EnterpriseVersion>))
)]
pub async fn history(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<Json<Vec<EnterpriseVersion>>> {
    let versions = state
        .services
        .enterprise_history(&signed.auth.actor, &code)
        .await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| EnterpriseVersion {
                version: v.version,
                changed_by: v.changed_by,
                changed_at: v.changed_at.to_string(),
                profile: serde_json::from_str(&v.snapshot).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    ))
}
