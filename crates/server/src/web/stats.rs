//! The statistics page of an IP office: its subtree's totals, charts by sub-region (with
//! drill-down), field and month, and the tables behind them.

use super::{render, Chrome};
use crate::auth::Signed;
use crate::error::AppResult;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;
use zhichan_domain::RegionCode;
use zhichan_service::stats::{By, IdentifiedStats, Named};
use zhichan_store::stats::Summary;

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    chrome: Chrome,
    region: String,
    /// The region's full name.
    region_name: String,
    /// Code, name, and whether the caller may open it (ancestors above its own region are
    /// named as plain text, never links to a 404).
    path: Vec<(String, String, bool)>,
    summary: Summary,
    regions: Vec<Named>,
    fields: Vec<Named>,
    qualifications: Vec<Named>,
    months: Vec<Named>,
    /// The chart data, as JSON for stats.js (in a non-executed script element).
    data: String,
    drill: bool,
    /// Identified products (认定), every year, from the identified rollup.
    identified: IdentifiedStats,
}

pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let s = &state.services;
    let actor = &signed.auth.actor;
    let asked = q.get("region").map(String::as_str);
    let (region, summary) = s.stats_summary(actor, asked).await?;
    let r = Some(region.to_string());
    let (_, mut regions) = s.stats_breakdown(actor, r.as_deref(), By::Region).await?;
    let (_, mut fields) = s.stats_breakdown(actor, r.as_deref(), By::Field).await?;
    // Region and industry names as the page's language shows them (繁體 converted), in the
    // tables, the charts and the breadcrumbs alike.
    for n in regions.iter_mut().chain(fields.iter_mut()) {
        n.name = crate::locale::reference_name(std::mem::take(&mut n.name));
    }
    let (_, qualifications) = s
        .stats_breakdown(actor, r.as_deref(), By::Qualification)
        .await?;
    let (_, months) = s.stats_breakdown(actor, r.as_deref(), By::Month).await?;
    let identified = s.identified_stats(actor, r.as_deref(), None).await?;
    let scope = zhichan_domain::access::authorize(actor, zhichan_domain::access::Action::ReadStats)
        .map_err(zhichan_service::ServiceError::from)?;
    let opens = |code: RegionCode| match &scope {
        zhichan_domain::access::Scope::Region(own) => {
            let (lo, hi) = own.subtree();
            (lo..=hi).contains(&code.as_u32())
        }
        _ => true,
    };
    let mut path = Vec::new();
    if region != RegionCode::NATION {
        for p in s.reference().region_path(region).await? {
            path.push((
                p.code.to_string(),
                crate::locale::reference_name(p.name),
                opens(p.code),
            ));
        }
    } else {
        path.push((region.to_string(), crate::locale::t("全国"), opens(region)));
    }
    let data = serde_json::json!({
        "regions": regions.iter().map(|n| serde_json::json!({"key": n.key, "name": n.name, "products": n.row.products})).collect::<Vec<_>>(),
        "fields": fields.iter().map(|n| serde_json::json!({"name": n.name, "products": n.row.products})).collect::<Vec<_>>(),
        "months": months.iter().map(|n| serde_json::json!({"month": n.key, "registered": n.row.registered, "withdrawn": n.row.withdrawn})).collect::<Vec<_>>(),
    })
    .to_string()
    // Safe inside a script element.
    .replace('<', "\\u003c");
    Ok(render(
        StatusCode::OK,
        &StatsPage {
            chrome: Chrome::for_user("统计", "/stats", Some(&signed.auth)),
            drill: region.level() != zhichan_domain::RegionLevel::County,
            region: region.to_string(),
            region_name: super::names::Names::new(&state).region(region).await?,
            path,
            summary,
            regions,
            fields,
            qualifications,
            months,
            data,
            identified,
        },
    ))
}
