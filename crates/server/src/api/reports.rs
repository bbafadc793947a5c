//! `/api/v1/reports/monthly`: a region's monthly report (月度通报), as JSON or xlsx.

use crate::auth::Signed;
use crate::error::AppResult;
use crate::error::Json;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use zhichan_api::Problem;

/// The monthly report of a region (default: the caller's) for `month` (`YYYY-MM`, default:
/// last month). A past month is answered from its stored version (generated on the 1st, or now
/// if it never was); the current month is live and marked `provisional`. Fields: `region`,
/// `region_name`, `month`, `new_registrations`, `withdrawals`, `cumulative_products`,
/// `enterprises`, `patents`, `sales_revenue`, `annual_updates_approved`, `identified_in_month`,
/// `identified_products` (cumulative to the month's end), `identified_by_field`, `rank`
/// (`position`, `of`, `parent`), `children` (per sub-region), `directories` (coverage),
/// `version`, `generated_at`. `format=xlsx` answers the same as a workbook.
#[utoipa::path(
    get,
    path = "/api/v1/reports/monthly",
    tag = "statistics",
    params(
        ("region" = Option<String>, Query, description = "GB/T 2260 代码；默认为本人所在地区"),
        ("month" = Option<String>, Query, description = "YYYY-MM；默认为上月"),
        ("format" = Option<String>, Query, description = "json（默认）或 xlsx")
    ),
    responses(
        (status = 200, description = "月度通报", body = Object),
        (status = 404, description = "不在本辖区", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "月份有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn monthly(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let month = q
        .get("month")
        .filter(|m| !m.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| {
            zhichan_service::reports::previous_month(state.services.now().beijing_date())
        });
    let (report, _) = state
        .services
        .monthly_report(
            &signed.auth.actor,
            q.get("region").map(String::as_str),
            &month,
        )
        .await?;
    if q.get("format").map(String::as_str) == Some("xlsx") {
        let name = format!(
            "{}-{}-{}.xlsx",
            crate::locale::reference_name(report["region_name"].as_str().unwrap_or("").to_string()),
            report["month"].as_str().unwrap_or(""),
            crate::locale::t("月度通报")
        );
        let bytes = zhichan_service::reports::report_xlsx(&report, crate::locale::current())?;
        return Ok(crate::api::products::xlsx_download(
            &name,
            bytes,
            StatusCode::OK,
        ));
    }
    Ok(Json(report).into_response())
}
