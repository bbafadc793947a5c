//! `/api/v1/ports`: management ports — a province applies, the nation decides, an office
//! opens, closes and reopens the ports below it.

use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use zhichan_api::directories::{Port, PortApplication, PortDecision, PortStatus, PortVerdict};
use zhichan_api::Problem;
use zhichan_domain::RegionCode;
use zhichan_service::ports::Application;

pub fn body(p: &zhichan_store::ports::Port) -> Port {
    Port {
        region: p.region.to_string(),
        // The service writes one of the listed codes; an unknown one would be a stored
        // row edited by hand, shown as still applied.
        status: PortStatus::parse(&p.status).unwrap_or(PortStatus::Applied),
        unit: p.unit.clone(),
        contact_name: p.contact_name.clone(),
        contact_phone: p.contact_phone.clone(),
        contact_email: p.contact_email.clone(),
        purpose: p.purpose.clone(),
        applied_by: p.applied_by.clone(),
        applied_at: p.applied_at.to_string(),
        decided_by: p.decided_by.clone(),
        decided_at: p.decided_at.map(|t| t.to_string()),
        reason: p.reason.clone(),
        version: p.version,
    }
}

fn app(a: PortApplication) -> Application {
    Application {
        unit: a.unit,
        contact_name: a.contact_name,
        contact_phone: a.contact_phone,
        contact_email: a.contact_email,
        purpose: a.purpose,
    }
}

fn region(r: &str) -> AppResult<RegionCode> {
    RegionCode::parse(r).map_err(|_| AppError::NotFound)
}

/// The ports of the caller's region and below.
#[utoipa::path(get, path = "/api/v1/ports", tag = "statistics",
    responses((status = 200, description = "管理端口", body = Vec<Port>)))]
pub async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Json<Vec<Port>>> {
    Ok(Json(
        state
            .services
            .ports(&signed.auth.actor)
            .await?
            .iter()
            .map(body)
            .collect(),
    ))
}

/// A provincial office applies to open its province's port.
#[utoipa::path(post, path = "/api/v1/ports", tag = "statistics", request_body = PortApplication,
    responses(
        (status = 201, description = "已申请，待国家审核", body = Port),
        (status = 409, description = "已申请或已开通", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误，或不是省级管理部门", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn apply(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(b): ApiJson<PortApplication>,
) -> AppResult<(StatusCode, Json<Port>)> {
    let p = state
        .services
        .apply_port(&signed.auth.actor, &ctx, app(b))
        .await?;
    Ok((StatusCode::CREATED, Json(body(&p))))
}

/// The national administrator approves (`approve`) or rejects (`reject`, with a reason).
#[utoipa::path(post, path = "/api/v1/ports/{region}/decision", tag = "statistics",
    params(("region" = String, Path)), request_body = PortDecision,
    responses(
        (status = 200, description = "已处理", body = Port),
        (status = 404, description = "无此申请或非全国管理员", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn decide(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(r): Path<String>,
    ApiJson(b): ApiJson<PortDecision>,
) -> AppResult<Json<Port>> {
    let approve = match b.decision {
        Some(PortVerdict::Approve) => true,
        Some(PortVerdict::Reject) => false,
        None => {
            return Err(crate::error::AppError::Invalid(vec![
                zhichan_api::FieldError {
                    field: "decision".into(),
                    code: "required".into(),
                    message: "此字段为必填项".into(),
                },
            ]))
        }
    };
    let p = state
        .services
        .decide_port(
            &signed.auth.actor,
            &ctx,
            region(&r)?,
            b.version,
            approve,
            b.reason.as_deref(),
        )
        .await?;
    Ok(Json(body(&p)))
}

/// An office opens (or reopens) the port of a region below it: the nation any region, a
/// province its cities and counties, a city its counties.
#[utoipa::path(post, path = "/api/v1/ports/{region}/open", tag = "statistics",
    params(("region" = String, Path)), request_body = PortApplication,
    responses(
        (status = 200, description = "已开通", body = Port),
        (status = 404, description = "不在本辖区之下", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn open(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(r): Path<String>,
    ApiJson(b): ApiJson<PortApplication>,
) -> AppResult<Json<Port>> {
    let p = state
        .services
        .open_child_port(&signed.auth.actor, &ctx, region(&r)?, app(b))
        .await?;
    Ok(Json(body(&p)))
}

/// Closes a port below the caller's region, with a reason.
#[utoipa::path(post, path = "/api/v1/ports/{region}/close", tag = "statistics",
    params(("region" = String, Path)), request_body = PortDecision,
    responses((status = 200, description = "已关闭", body = Port)))]
pub async fn close(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(r): Path<String>,
    ApiJson(b): ApiJson<PortDecision>,
) -> AppResult<Json<Port>> {
    let p = state
        .services
        .close_port(
            &signed.auth.actor,
            &ctx,
            region(&r)?,
            b.version,
            b.reason.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(body(&p)))
}
