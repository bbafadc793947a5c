//! The year-end evaluation page: the ranking of the sub-regions.

use super::{render, Chrome};
use crate::auth::Signed;
use crate::error::AppResult;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;
use zhichan_domain::rules::EvaluationWeights;
use zhichan_service::evaluation::RegionScore;

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    chrome: Chrome,
    region: String,
    region_picker: super::pickers::Picker,
    year: i32,
    version: i64,
    weights: EvaluationWeights,
    rows: Vec<(RegionScore, String, String, String)>,
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    Query(mut q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let region_picker = super::pickers::region_param(
        &state,
        &mut q,
        "region",
        signed.auth.actor.region,
        super::pickers::Picker::region("e-region", "region", "地区").hint("名称或代码，默认为本级"),
    )
    .await?;
    let year = q
        .get("year")
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2000..=9999).contains(y))
        .unwrap_or_else(|| state.services.now().beijing_date().year() - 1);
    let (region, version, rows) = state
        .services
        .evaluation(
            &signed.auth.actor,
            q.get("region").map(String::as_str),
            year,
        )
        .await?;
    let weights = state.services.evaluation_weights().await?.rules;
    Ok(render(
        StatusCode::OK,
        &EvaluationPage {
            chrome: Chrome::for_user("年度评价", "/evaluation", Some(&signed.auth)),
            region_picker: if region_picker.value.is_empty() {
                region_picker
                    .clone()
                    .value(&state, &region.to_string())
                    .await?
            } else {
                region_picker
            },
            region: region.to_string(),
            year,
            version,
            weights,
            rows: rows
                .into_iter()
                .map(|r| {
                    let (c, u, x) = (
                        pct(r.coverage()),
                        pct(r.update_rate()),
                        pct(r.return_rate()),
                    );
                    (r, c, u, x)
                })
                .collect(),
        },
    ))
}
