//! `/api/v1/evaluation` and `/api/v1/rules/evaluation`: the year-end evaluation of each
//! sub-region's registration work, and its weights as versioned data.

use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppError, AppResult};
use crate::AppState;
use axum::extract::{Query, State};
use std::collections::HashMap;
use zhichan_api::stats::{
    Evaluation, EvaluationRow, EvaluationWeights, EvaluationWeightsInForce, EvaluationWeightsUpdate,
};
use zhichan_api::Problem;
use zhichan_domain::rules::EvaluationWeights as Weights;

fn weights_body(w: &Weights) -> EvaluationWeights {
    EvaluationWeights {
        coverage: w.coverage,
        products: w.products,
        updates: w.updates,
        returns: w.returns,
        source: w.source.clone(),
    }
}

/// The ranking of the sub-regions of a region (default: the caller's) for a year (default: last
/// year), best first.
#[utoipa::path(
    get,
    path = "/api/v1/evaluation",
    tag = "statistics",
    params(
        ("region" = Option<String>, Query, description = "GB/T 2260 代码；默认为本人所在地区"),
        ("year" = Option<i32>, Query, description = "年度；默认为上一年"),
        ("format" = Option<String>, Query, description = "json（默认）或 xlsx")
    ),
    responses(
        (status = 200, description = "年度评价", body = Evaluation),
        (status = 404, description = "不在本辖区", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn evaluation(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    use zhichan_service::export::{table_xlsx, Cell};
    let year = match q.get("year").map(|y| y.trim()).filter(|y| !y.is_empty()) {
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=9999).contains(y))
            .ok_or_else(|| {
                AppError::field(
                    "year",
                    zhichan_domain::Violation::new("invalid_year", "年度应为四位数字", "year"),
                )
            })?,
        None => state.services.now().beijing_date().year() - 1,
    };
    let (region, version, rows) = state
        .services
        .evaluation(
            &signed.auth.actor,
            q.get("region").map(String::as_str),
            year,
        )
        .await?;
    if q.get("format").map(String::as_str) == Some("xlsx") {
        let pct = |v: Option<f64>| v.map_or(Cell::from(""), Cell::Number);
        let table: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| {
                vec![
                    Cell::from(r.rank as i64),
                    Cell::from(r.region.to_string()),
                    Cell::from(crate::locale::reference_name(r.name.clone())),
                    Cell::Number(r.score),
                    pct(r.coverage()),
                    Cell::from(r.products),
                    pct(r.update_rate()),
                    pct(r.return_rate()),
                    Cell::from(r.identified),
                ]
            })
            .collect();
        let bytes = table_xlsx(
            crate::locale::current(),
            "年度评价",
            &[
                "排名",
                "地区代码",
                "地区",
                "得分",
                "名录覆盖率",
                "新增备案",
                "信息更新完成率",
                "退回率",
                "认定产品",
            ],
            &table,
        )?;
        return Ok(crate::api::products::xlsx_download(
            &format!("{year}-{}-{region}.xlsx", crate::locale::t("年度评价")),
            bytes,
            axum::http::StatusCode::OK,
        ));
    }
    Ok(Json(Evaluation {
        region: region.to_string(),
        year,
        weights_version: version,
        rows: rows
            .iter()
            .map(|r| EvaluationRow {
                rank: r.rank,
                region: r.region.to_string(),
                name: r.name.clone(),
                score: r.score,
                coverage: r.coverage(),
                update_rate: r.update_rate(),
                return_rate: r.return_rate(),
                products: r.products,
                listed: r.listed,
                covered: r.covered,
                updates_due: r.updates_due,
                updates_done: r.updates_done,
                decisions: r.decisions,
                returns: r.returns,
                identified: r.identified,
            })
            .collect(),
    })
    .into_response())
}

/// The evaluation weights in force.
#[utoipa::path(get, path = "/api/v1/rules/evaluation", tag = "rules",
    responses((status = 200, description = "评价权重", body = EvaluationWeightsInForce)))]
pub async fn weights(
    State(state): State<AppState>,
    _signed: Signed,
) -> AppResult<Json<EvaluationWeightsInForce>> {
    let v = state.services.evaluation_weights().await?;
    Ok(Json(EvaluationWeightsInForce {
        version: v.version,
        weights: weights_body(&v.rules),
    }))
}

/// Stores new evaluation weights as the next version (national administrator).
#[utoipa::path(put, path = "/api/v1/rules/evaluation", tag = "rules",
    request_body = EvaluationWeightsUpdate,
    responses(
        (status = 200, description = "新版本", body = EvaluationWeightsInForce),
        (status = 409, description = "已被他人修改", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "权重之和不是 100 或缺少依据", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn update_weights(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(b): ApiJson<EvaluationWeightsUpdate>,
) -> AppResult<Json<EvaluationWeightsInForce>> {
    let w = b.weights;
    let v = state
        .services
        .update_evaluation_weights(
            &signed.auth.actor,
            &ctx,
            b.version,
            Weights {
                coverage: w.coverage,
                products: w.products,
                updates: w.updates,
                returns: w.returns,
                source: w.source,
            },
            &b.reason,
        )
        .await?;
    Ok(Json(EvaluationWeightsInForce {
        version: v.version,
        weights: weights_body(&v.rules),
    }))
}
