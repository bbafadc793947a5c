//! `/api/v1/identification/methods`: identification methods (评价方法) as versioned data,
//! written by the national administrator and read by staff.

use crate::auth::{RequestCtx, Signed};
use crate::error::{ApiJson, AppError, AppResult, Json};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::identification::{
    ExampleResult, Method, MethodDetail, MethodEdit, MethodList, MethodListItem, MethodPublish,
    MethodStatus, MethodVersion, VersionSummary,
};
use zhichan_api::Problem;
use zhichan_service::identification::{MethodHistory, Version};

fn status(published: bool) -> MethodStatus {
    if published {
        MethodStatus::Published
    } else {
        MethodStatus::Draft
    }
}

pub fn version_body(v: &Version) -> MethodVersion {
    MethodVersion {
        id: v.id,
        version: v.version,
        status: status(v.published),
        method: v.rule.clone(),
        examples: v
            .rule
            .examples
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let failure = v.failures.iter().find(|f| f.index == i);
                ExampleResult {
                    name: e.name.clone(),
                    holds: failure.is_none(),
                    message: failure.map(|f| f.message_zh.clone()),
                }
            })
            .collect(),
        changed_by: v.changed_by.clone(),
        changed_at: v.changed_at.to_string(),
        published_by: v.published_by.clone(),
        published_at: v.published_at.map(|t| t.to_string()),
    }
}

pub fn detail_body(h: &MethodHistory) -> MethodDetail {
    MethodDetail {
        current: version_body(&h.current),
        published_version: h.published_version(),
        versions: h
            .versions
            .iter()
            .map(|v| VersionSummary {
                version: v.version,
                status: status(v.published),
                changed_by: v.changed_by.clone(),
                changed_at: v.changed_at.to_string(),
                published_at: v.published_at.map(|t| t.to_string()),
            })
            .collect(),
    }
}

/// Every method with its newest version and newest published version.
#[utoipa::path(get, path = "/api/v1/identification/methods", tag = "identification",
    responses((status = 200, description = "评价方法", body = MethodList)))]
pub async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Json<MethodList>> {
    let items = state
        .services
        .identification_methods(&signed.auth.actor)
        .await?;
    Ok(Json(MethodList {
        items: items
            .into_iter()
            .map(|m| MethodListItem {
                id: m.id,
                name: m.name,
                version: m.version,
                status: status(m.published),
                published_version: m.published_version,
                changed_at: m.changed_at.to_string(),
            })
            .collect(),
    }))
}

/// Creates a method (national administrator); its first version is a draft.
#[utoipa::path(post, path = "/api/v1/identification/methods", tag = "identification",
    request_body = Method,
    responses(
        (status = 201, description = "已创建（草稿）", body = MethodDetail),
        (status = 404, description = "仅全国管理员可维护", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(method): ApiJson<Method>,
) -> AppResult<(StatusCode, Json<MethodDetail>)> {
    let h = state
        .services
        .create_identification_method(&signed.auth.actor, &ctx, method)
        .await?;
    Ok((StatusCode::CREATED, Json(detail_body(&h))))
}

/// A method: its newest version (or `?version=`), and every version.
#[utoipa::path(get, path = "/api/v1/identification/methods/{id}", tag = "identification",
    params(("id" = i64, Path), ("version" = Option<i64>, Query, description = "版本；默认为最新版本")),
    responses(
        (status = 200, description = "评价方法", body = MethodDetail),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<MethodDetail>> {
    let version = match q.get("version").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            AppError::field(
                "version",
                zhichan_domain::Violation::new("invalid_version", "版本应为正整数", "version"),
            )
        })?),
        None => None,
    };
    let h = state
        .services
        .identification_method(&signed.auth.actor, id, version)
        .await?;
    Ok(Json(detail_body(&h)))
}

/// Changes a method from its newest version: a draft is changed in place, a published version
/// stays as it is and the change becomes the next version (a draft).
#[utoipa::path(patch, path = "/api/v1/identification/methods/{id}", tag = "identification",
    params(("id" = i64, Path)),
    request_body = MethodEdit,
    responses(
        (status = 200, description = "已保存（草稿）", body = MethodDetail),
        (status = 404, description = "不存在或仅全国管理员可维护", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "不是最新版本", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn edit(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MethodEdit>,
) -> AppResult<Json<MethodDetail>> {
    let h = state
        .services
        .edit_identification_method(&signed.auth.actor, &ctx, id, body.version, body.method)
        .await?;
    Ok(Json(detail_body(&h)))
}

/// Publishes a draft version; refused (422 `example_failed`, naming each example) while a
/// worked example fails.
#[utoipa::path(post, path = "/api/v1/identification/methods/{id}/publish", tag = "identification",
    params(("id" = i64, Path)),
    request_body = MethodPublish,
    responses(
        (status = 200, description = "已发布", body = MethodDetail),
        (status = 404, description = "不存在或仅全国管理员可维护", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已发布或不是最新版本", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "算例未通过（example_failed）", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn publish(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MethodPublish>,
) -> AppResult<Json<MethodDetail>> {
    let h = state
        .services
        .publish_identification_method(&signed.auth.actor, &ctx, id, body.version)
        .await?;
    Ok(Json(detail_body(&h)))
}
