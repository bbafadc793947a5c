//! `/api/v1/industries`: the GB/T 4754-2017 classification, for pickers and for validation.

use super::paging::Paging;
use crate::error::Json;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use std::collections::HashMap;
use zhichan_api::reference::Industry as IndustryBody;
use zhichan_api::{Page, Problem};
use zhichan_domain::IndustryCode;
use zhichan_store::industries::Industry;

fn body(i: &Industry) -> IndustryBody {
    IndustryBody {
        code: i.code.to_string(),
        name: crate::locale::reference_name(i.name.clone()),
        level: i.level.into(),
        parent: i.parent.as_ref().map(|p| p.to_string()),
        section: i.code.section().to_string(),
    }
}

fn parse_code(field: &str, raw: &str) -> AppResult<IndustryCode> {
    IndustryCode::parse(raw).map_err(|v| AppError::field(field, v))
}

/// The codes directly below `parent`, or the 20 sections (门类) when it is absent; or, with `q`,
/// those whose name contains it or whose code starts with it, broadest first (what a picker asks).
#[utoipa::path(
    get,
    path = "/api/v1/industries",
    tag = "reference",
    params(
        ("parent" = Option<String>, Query, description = "上级行业代码（门类字母或数字代码）", example = "C"),
        ("q" = Option<String>, Query, description = "按名称（包含该文字）或代码（以其开头）查找", example = "计算机"),
        Paging
    ),
    responses(
        (status = 200, description = "行业列表", body = Page<IndustryBody>),
        (status = 404, description = "上级代码不存在", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "参数有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<IndustryBody>>> {
    let paging = Paging::from_query(&query)?;
    if let Some(fragment) = query.get("q").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let rows = state
            .services
            .reference()
            .pick_industries(fragment, 50)
            .await?;
        let bodies: Vec<IndustryBody> = rows.iter().map(body).collect();
        return Ok(Json(paging.slice(&bodies)));
    }
    let parent = query
        .get("parent")
        .map(|raw| parse_code("parent", raw))
        .transpose()?;
    let rows = state
        .services
        .reference()
        .industry_children(parent.as_ref())
        .await?;
    let bodies: Vec<IndustryBody> = rows.iter().map(body).collect();
    Ok(Json(paging.slice(&bodies)))
}

/// One industry code.
#[utoipa::path(
    get,
    path = "/api/v1/industries/{code}",
    tag = "reference",
    params(("code" = String, Path, description = "行业代码，可带门类字母", example = "C39")),
    responses(
        (status = 200, description = "行业", body = IndustryBody),
        (status = 404, description = "代码不存在", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "代码格式有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<IndustryBody>> {
    let code = parse_code("code", &code)?;
    let industry = state.services.reference().industry(&code).await?;
    Ok(Json(body(&industry)))
}
