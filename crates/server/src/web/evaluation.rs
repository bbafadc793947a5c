//! The year-end evaluation page: the ranking of the sub-regions.

use super::forms::{self, FormErrors};
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
    /// The year as typed (kept when it is refused).
    year_typed: String,
    errors: FormErrors,
    version: i64,
    weights: EvaluationWeights,
    rows: Vec<(RegionScore, String, String, String)>,
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), zhichan_domain::identification::percent)
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
    let locate = forms::table(&[("region", "e-region", "地区"), ("year", "e-year", "年度")]);
    let mut errors = FormErrors::none();
    if let Some(m) = &region_picker.error {
        errors.add("region", m.clone(), &locate);
    }
    let last_year = state.services.now().beijing_date().year() - 1;
    let year_typed = q
        .get("year")
        .map(|y| y.trim().to_string())
        .unwrap_or_default();
    let year = if year_typed.is_empty() {
        last_year
    } else {
        match year_typed.parse::<i32>() {
            Ok(y) if (2000..=last_year + 1).contains(&y) => y,
            Ok(y) if y > last_year + 1 => {
                errors.add("year", "不能评价未来的年度", &locate);
                last_year
            }
            _ => {
                errors.add("year", "年度应为四位数字，如 2025", &locate);
                last_year
            }
        }
    };
    let (region, version, rows) = state
        .services
        .evaluation(
            &signed.auth.actor,
            q.get("region").map(String::as_str),
            year,
        )
        .await?;
    let mut weights = state.services.evaluation_weights().await?.rules;
    weights.source = super::names::shipped_words(&weights.source);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
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
            year_typed: if year_typed.is_empty() {
                year.to_string()
            } else {
                year_typed
            },
            year,
            errors,
            version,
            weights,
            rows: rows
                .into_iter()
                .map(|mut r| {
                    r.name = crate::locale::reference_name(std::mem::take(&mut r.name));
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
