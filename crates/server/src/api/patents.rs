//! `/api/v1/enterprises/{credit_code}/patents`: an enterprise's patents.

use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use zhichan_api::enterprises::{NewPatent, Patent, PatentPatch};
use zhichan_api::Problem;
use zhichan_domain::enterprises::format_date;
use zhichan_service::patents::PatentInput;
use zhichan_store::patents::Patent as Stored;

pub fn body(p: &Stored) -> Patent {
    Patent {
        number: p.number.to_string(),
        patent_type: p.number.patent_type().into(),
        title: p.title.clone(),
        patentees: p.patentees.clone(),
        grant_date: p.grant_date.map(format_date),
        legal_status: p.legal_status.into(),
        right: p.right.into(),
        licence_record: p.licence_record.clone(),
        status_since: p.status_since.to_string(),
        version: p.version,
    }
}

/// The enterprise's patents.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{credit_code}/patents",
    tag = "registration",
    params(("credit_code" = String, Path)),
    responses(
        (status = 200, description = "专利列表", body = Vec<Patent>),
        (status = 404, description = "企业不存在或不在范围内", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<Json<Vec<Patent>>> {
    let list = state.services.patents(&signed.auth.actor, &code).await?;
    Ok(Json(list.iter().map(body).collect()))
}

/// Adds a patent (`invalid_patent_number` for a number whose check character is wrong; 409 for
/// one already listed).
#[utoipa::path(
    post,
    path = "/api/v1/enterprises/{credit_code}/patents",
    tag = "registration",
    params(("credit_code" = String, Path)),
    request_body = NewPatent,
    responses(
        (status = 201, description = "已登记", body = Patent),
        (status = 409, description = "已登记过", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn add(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<NewPatent>,
) -> AppResult<(StatusCode, Json<Patent>)> {
    let p = state
        .services
        .add_patent(
            &signed.auth.actor,
            &ctx,
            &code,
            PatentInput {
                number: b.number,
                title: b.title,
                patentees: b.patentees,
                grant_date: b.grant_date,
                legal_status: b.legal_status.as_str().into(),
                right: b.right.as_str().into(),
                licence_record: b.licence_record,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(body(&p))))
}

/// Changes a patent (for instance its legal status) if `version` is still current.
#[utoipa::path(
    patch,
    path = "/api/v1/enterprises/{credit_code}/patents/{number}",
    tag = "registration",
    params(("credit_code" = String, Path), ("number" = String, Path, description = "专利申请号")),
    request_body = PatentPatch,
    responses(
        (status = 200, description = "已保存", body = Patent),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path((code, number)): Path<(String, String)>,
    ApiJson(p): ApiJson<PatentPatch>,
) -> AppResult<Json<Patent>> {
    let saved = state
        .services
        .update_patent(
            &signed.auth.actor,
            &ctx,
            &code,
            &number,
            p.version,
            move |i| {
                if let Some(v) = p.title {
                    i.title = v;
                }
                if let Some(v) = p.patentees {
                    i.patentees = v;
                }
                if let Some(v) = p.grant_date {
                    i.grant_date = Some(v);
                }
                if let Some(v) = p.legal_status {
                    i.legal_status = v.as_str().into();
                }
                if let Some(v) = p.right {
                    i.right = v.as_str().into();
                }
                if let Some(v) = p.licence_record {
                    i.licence_record = v;
                }
            },
        )
        .await?;
    Ok(Json(body(&saved)))
}
