//! `/api/v1/regions`: the GB/T 2260 tree, for pickers and for scoping.

use super::paging::Paging;
use crate::error::Json;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use std::collections::HashMap;
use zhichan_api::reference::{Region as RegionBody, RegionDetail};
use zhichan_api::{Page, Problem};
use zhichan_domain::RegionCode;
use zhichan_store::regions::Region;

pub fn body(r: &Region) -> RegionBody {
    RegionBody {
        code: r.code.to_string(),
        name: crate::locale::reference_name(r.name.clone()),
        level: r.level.into(),
        parent: r.parent.map(|p| p.to_string()),
        active: r.active,
        full_name: None,
    }
}

fn parse_code(field: &str, raw: &str) -> AppResult<RegionCode> {
    RegionCode::parse(raw).map_err(|v| AppError::field(field, v))
}

/// The regions directly below `parent` (the provinces when it is absent), or those whose name
/// contains `q` or whose code starts with it (with their full names), within the subtree of
/// `within` when it is given: what a picker asks.
#[utoipa::path(
    get,
    path = "/api/v1/regions",
    tag = "reference",
    params(
        ("parent" = Option<String>, Query, description = "上级行政区划代码，缺省为全国（100000）", example = "360000"),
        ("q" = Option<String>, Query, description = "按名称（包含该文字）或代码（以其开头）查找", example = "抚州"),
        ("within" = Option<String>, Query, description = "只在该行政区划及其下级中查找", example = "360000"),
        Paging
    ),
    responses(
        (status = 200, description = "行政区划列表", body = Page<RegionBody>),
        (status = 404, description = "上级代码不存在", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "参数有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<RegionBody>>> {
    let paging = Paging::from_query(&query)?;
    let reference = state.services.reference();
    let rows = match query.get("q").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(fragment) => {
            let root = match query.get("within").filter(|w| !w.trim().is_empty()) {
                Some(raw) => parse_code("within", raw)?,
                None => RegionCode::NATION,
            };
            let found = reference.pick_regions(fragment, root, 50).await?;
            let bodies: Vec<RegionBody> = found
                .iter()
                .map(|(r, full)| RegionBody {
                    full_name: Some(crate::locale::reference_name(full.clone())),
                    ..body(r)
                })
                .collect();
            return Ok(Json(paging.slice(&bodies)));
        }
        None => {
            let parent = match query.get("parent") {
                Some(raw) => parse_code("parent", raw)?,
                None => RegionCode::NATION,
            };
            reference.region_children(parent).await?
        }
    };
    let bodies: Vec<RegionBody> = rows.iter().map(body).collect();
    Ok(Json(paging.slice(&bodies)))
}

/// One region with its ancestors.
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}",
    tag = "reference",
    params(("code" = String, Path, description = "六位行政区划代码", example = "361002")),
    responses(
        (status = 200, description = "行政区划及其上级", body = RegionDetail),
        (status = 404, description = "代码不存在", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "代码格式有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<RegionDetail>> {
    let code = parse_code("code", &code)?;
    let mut path = state.services.reference().region_path(code).await?;
    let me = path.pop().ok_or(AppError::NotFound)?;
    Ok(Json(RegionDetail {
        region: body(&me),
        ancestors: path.iter().map(body).collect(),
    }))
}
