//! `/api/v1/stats`: a region subtree's totals and breakdowns, read from the rollups.

use crate::auth::Signed;
use crate::error::Json;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Query, State};
use std::collections::HashMap;
use zhichan_api::stats::{
    Breakdown, BreakdownBy, BreakdownRow, IdentifiedCount, IdentifiedStats, Summary,
};
use zhichan_api::Problem;
use zhichan_service::stats::{By, Named};

pub fn row_body(n: &Named) -> BreakdownRow {
    BreakdownRow {
        key: n.key.clone(),
        name: n.name.clone(),
        enterprises: n.row.enterprises,
        products: n.row.products,
        patents: n.row.patents,
        sales_revenue: n.row.sales_revenue.to_string(),
        registered: n.row.registered,
        withdrawn: n.row.withdrawn,
    }
}

/// The totals of a region's subtree (default: the caller's region).
#[utoipa::path(
    get,
    path = "/api/v1/stats/summary",
    tag = "statistics",
    params(("region" = Option<String>, Query, description = "GB/T 2260 代码；默认为本人所在地区")),
    responses(
        (status = 200, description = "汇总", body = Summary),
        (status = 404, description = "不在本辖区", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn summary(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Summary>> {
    let (region, s) = state
        .services
        .stats_summary(&signed.auth.actor, q.get("region").map(String::as_str))
        .await?;
    Ok(Json(Summary {
        region: region.to_string(),
        enterprises: s.enterprises,
        products: s.products,
        patents: s.patents,
        sales_revenue: s.sales_revenue.to_string(),
    }))
}

/// Products identified (认定) in announced batches in a region's subtree (default: the caller's
/// region), by sub-region and by field: in the year of announcement `year`, or in every year.
#[utoipa::path(
    get,
    path = "/api/v1/stats/identified",
    tag = "statistics",
    params(
        ("region" = Option<String>, Query, description = "GB/T 2260 代码；默认为本人所在地区"),
        ("year" = Option<i32>, Query, description = "公告年度；不填为全部年度")
    ),
    responses(
        (status = 200, description = "已认定产品数", body = IdentifiedStats),
        (status = 404, description = "不在本辖区", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "年度有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn identified(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<IdentifiedStats>> {
    let year = match q.get("year").map(|y| y.trim()).filter(|y| !y.is_empty()) {
        Some(y) => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| (2000..=9999).contains(y))
                .ok_or_else(|| {
                    AppError::field(
                        "year",
                        zhichan_domain::Violation::new("invalid_year", "年度应为四位数字", "year"),
                    )
                })?,
        ),
        None => None,
    };
    let s = state
        .services
        .identified_stats(
            &signed.auth.actor,
            q.get("region").map(String::as_str),
            year,
        )
        .await?;
    let counts = |list: &[zhichan_service::stats::NamedCount]| {
        list.iter()
            .map(|c| IdentifiedCount {
                key: c.key.clone(),
                name: c.name.clone(),
                identified: c.identified,
            })
            .collect()
    };
    Ok(Json(IdentifiedStats {
        region: s.region.to_string(),
        year: s.year,
        identified: s.identified,
        by_region: counts(&s.by_region),
        by_field: counts(&s.by_field),
    }))
}

/// Rows for charts and tables: by sub-region (the next level down), field, enterprise
/// qualification, or month.
#[utoipa::path(
    get,
    path = "/api/v1/stats/breakdown",
    tag = "statistics",
    params(
        ("region" = Option<String>, Query, description = "GB/T 2260 代码；默认为本人所在地区"),
        ("by" = String, Query, description = "region、field、qualification 或 month"),
        ("format" = Option<String>, Query, description = "json（默认）或 xlsx")
    ),
    responses(
        (status = 200, description = "分组统计", body = Breakdown),
        (status = 404, description = "不在本辖区", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "分组方式有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn breakdown(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    use zhichan_service::export::{table_xlsx, yuan, Cell};
    let by_text = q.get("by").cloned().unwrap_or_default();
    let by = By::parse(&by_text).map_err(|v| AppError::field("by", v))?;
    let (region, rows) = state
        .services
        .stats_breakdown(&signed.auth.actor, q.get("region").map(String::as_str), by)
        .await?;
    if q.get("format").map(String::as_str) == Some("xlsx") {
        let table: Vec<Vec<Cell>> = rows
            .iter()
            .map(|n| {
                vec![
                    Cell::from(n.key.as_str()),
                    Cell::from(crate::locale::reference_name(n.name.clone())),
                    Cell::from(n.row.enterprises),
                    Cell::from(n.row.products),
                    Cell::from(n.row.patents),
                    yuan(n.row.sales_revenue),
                    Cell::from(n.row.registered),
                    Cell::from(n.row.withdrawn),
                ]
            })
            .collect();
        let bytes = table_xlsx(
            crate::locale::current(),
            "统计",
            &[
                "代码",
                "名称",
                "备案企业",
                "备案产品",
                "关联专利",
                "销售收入（元）",
                "新备案",
                "已撤销",
            ],
            &table,
        )?;
        return Ok(crate::api::products::xlsx_download(
            &format!(
                "{}-{region}-{}.xlsx",
                crate::locale::t("备案统计"),
                by_text.trim()
            ),
            bytes,
            axum::http::StatusCode::OK,
        ));
    }
    Ok(Json(Breakdown {
        region: region.to_string(),
        // `by_text` parsed above, so it is one of the listed codes.
        by: BreakdownBy::parse(&by_text).unwrap_or(BreakdownBy::Region),
        rows: rows.iter().map(row_body).collect(),
    })
    .into_response())
}
