//! The auditor's page: search the audit log, check its chain, export it.

use super::{render, Chrome};
use crate::api::audit::filter_of;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;
use zhichan_store::audit::Entry;

struct Row {
    entry: Entry,
    at: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<Row>,
    total: i64,
    listing: super::listing::Listing,
    query: String,
    user: String,
    action: String,
    object: String,
    from: String,
    to: String,
    intact: bool,
    checked: i64,
    broken: String,
    errors: Vec<String>,
}

fn encode(q: &HashMap<String, String>) -> String {
    let mut pairs: Vec<_> = q
        .iter()
        .filter(|(k, v)| *k != "page" && !v.is_empty())
        .collect();
    pairs.sort();
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub async fn audit_page(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let spec = crate::api::sorting::AuditSort::SPEC;
    let (listing, paging) = super::listing::Listing::read(
        "/audit",
        &q,
        &spec,
        spec.default_order(),
        &["user", "action", "object", "from", "to"],
    )?;
    let (filter, errors) = match filter_of(&q) {
        Ok(f) => (f, vec![]),
        Err(AppError::Invalid(e)) => (
            Default::default(),
            e.into_iter().map(|e| e.message).collect(),
        ),
        Err(e) => return Err(e),
    };
    let (entries, total) = state
        .services
        .audit_search_sorted(
            &signed.auth.actor,
            &filter,
            listing.chosen(),
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let v = state.services.audit_verify().await?;
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    Ok(render(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &AuditPage {
            chrome: Chrome::for_user("审计日志", "/audit", Some(&signed.auth)),
            rows: entries
                .into_iter()
                .map(|e| Row {
                    at: e.at.beijing_minutes(),
                    entry: e,
                })
                .collect(),
            total,
            listing: listing.with_total(total),
            query: encode(&q),
            user: get("user"),
            action: get("action"),
            object: get("object"),
            from: get("from"),
            to: get("to"),
            intact: v.broken.is_none(),
            checked: v.checked,
            broken: v
                .broken
                .map(|(seq, why)| format!("第 {seq} 条：{why}"))
                .unwrap_or_default(),
            errors,
        },
    ))
}
