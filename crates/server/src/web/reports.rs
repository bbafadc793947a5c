//! The printable monthly report page.

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

struct Child {
    /// Its rank by this month's new registrations: ties share one; none without any.
    rank: String,
    region: String,
    name: String,
    new: i64,
    withdrawn: i64,
    cumulative: i64,
}

#[derive(Template)]
#[template(path = "report_monthly.html")]
struct ReportPage {
    chrome: Chrome,
    region: String,
    region_picker: super::pickers::Picker,
    region_name: String,
    month: String,
    /// The month as typed (kept when it is refused).
    month_typed: String,
    errors: FormErrors,
    facts: Vec<(&'static str, String)>,
    children: Vec<Child>,
    directories: Vec<(String, i64, i64, String)>,
    provisional: bool,
    version: i64,
    generated_at: String,
}

pub async fn monthly(
    State(state): State<AppState>,
    signed: Signed,
    Query(mut q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let region_picker = super::pickers::region_param(
        &state,
        &mut q,
        "region",
        signed.auth.actor.region,
        super::pickers::Picker::region("r-region", "region", "地区").hint("名称或代码，默认为本级"),
    )
    .await?;
    let locate = forms::table(&[("region", "r-region", "地区"), ("month", "r-month", "月份")]);
    let mut errors = FormErrors::none();
    if let Some(m) = &region_picker.error {
        errors.add("region", m.clone(), &locate);
    }
    let region = q.get("region").map(String::as_str);
    let month_typed = q
        .get("month")
        .map(|m| m.trim().to_string())
        .unwrap_or_default();
    let default_month = || {
        state
            .services
            .report_default_month(&signed.auth.actor, region)
    };
    let month = if month_typed.is_empty() {
        default_month().await?
    } else {
        month_typed.clone()
    };
    let (r, version) = match state
        .services
        .monthly_report(&signed.auth.actor, region, &month)
        .await
    {
        Ok(r) => r,
        // A month that is no month, or still to come: said beside the field, as typed, over
        // the report of the month it would have opened on.
        Err(zhichan_service::ServiceError::Invalid(v)) if !month_typed.is_empty() => {
            for f in v {
                errors.add(f.field, f.violation.message_zh, &locate);
            }
            let month = default_month().await?;
            state
                .services
                .monthly_report(&signed.auth.actor, region, &month)
                .await?
        }
        Err(e) => return Err(e.into()),
    };
    let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
    let n = |k: &str| r[k].as_i64().unwrap_or(0).to_string();
    // The parent region's name has a row of its own: a name is data, never half of a sentence.
    let rank = match (r["rank"]["position"].as_i64(), r["rank"]["of"].as_i64()) {
        (Some(p), Some(o)) => format!("{o} 个地区中第 {p} 位"),
        _ => "本月无新增，不参与排名".into(),
    };
    let ranked_within = match r["rank"]["parent_name"].as_str() {
        Some(name) if !name.is_empty() => crate::locale::reference_name(name.into()),
        _ => "—".into(),
    };
    let news: Vec<i64> = r["children"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["new_registrations"].as_i64().unwrap_or(0))
        .collect();
    let money = zhichan_domain::Money::parse(&s("sales_revenue"))
        .map(|m| m.grouped())
        .unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &ReportPage {
            chrome: Chrome::for_user("月度通报", "/reports/monthly", Some(&signed.auth)),
            region_picker: if region_picker.value.is_empty() {
                region_picker.clone().value(&state, &s("region")).await?
            } else {
                region_picker
            },
            region: s("region"),
            region_name: crate::locale::reference_name(s("region_name")),
            month: s("month"),
            month_typed: if month_typed.is_empty() {
                s("month")
            } else {
                month_typed
            },
            errors,
            facts: vec![
                ("本月新增备案产品", n("new_registrations")),
                ("本月撤销", n("withdrawals")),
                ("月末累计备案产品", n("cumulative_products")),
                ("本月通过的信息更新", n("annual_updates_approved")),
                ("本月认定的专利密集型产品", n("identified_in_month")),
                ("月末累计认定的专利密集型产品", n("identified_products")),
                ("本月新增排名", rank),
                ("排名范围（上级地区）", ranked_within),
                ("备案企业（通报生成时）", n("enterprises")),
                ("关联专利（通报生成时）", n("patents")),
                ("销售收入（元，通报生成时）", money),
            ],
            children: r["children"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| Child {
                    rank: match c["new_registrations"].as_i64().unwrap_or(0) {
                        0 => "—".into(),
                        n => (news.iter().filter(|m| **m > n).count() + 1).to_string(),
                    },
                    region: c["region"].as_str().unwrap_or("").into(),
                    name: crate::locale::reference_name(c["name"].as_str().unwrap_or("").into()),
                    new: c["new_registrations"].as_i64().unwrap_or(0),
                    withdrawn: c["withdrawals"].as_i64().unwrap_or(0),
                    cumulative: c["cumulative"].as_i64().unwrap_or(0),
                })
                .collect(),
            directories: r["directories"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| {
                    (
                        d["name"].as_str().unwrap_or("").to_string(),
                        d["listed"].as_i64().unwrap_or(0),
                        d["covered"].as_i64().unwrap_or(0),
                        zhichan_domain::identification::percent(d["rate"].as_f64().unwrap_or(0.0)),
                    )
                })
                .collect(),
            provisional: r["provisional"].as_bool().unwrap_or(false),
            version,
            generated_at: r["generated_at"]
                .as_str()
                .and_then(zhichan_domain::Timestamp::parse)
                .map(|t| t.beijing_minutes())
                .unwrap_or_default(),
        },
    ))
}
