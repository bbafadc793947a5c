//! Key-enterprise directory pages: the list with the upload form, and each directory's coverage.

use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::AppResult;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use zhichan_service::directories::{Coverage, Imported, RowNote};
use zhichan_service::ServiceError;
use zhichan_store::directories::Directory;

#[derive(Template)]
#[template(path = "directories.html")]
struct ListPage {
    chrome: Chrome,
    /// Each directory, when it was imported and its region by name.
    list: Vec<(Directory, String, String)>,
    csrf: String,
    region: super::pickers::Picker,
    problem: Option<String>,
    errors: Vec<RowNote>,
    warnings: Vec<RowNote>,
    listing: super::listing::Listing,
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    signed: &Signed,
    q: &HashMap<String, String>,
    status: StatusCode,
    problem: Option<String>,
    errors: Vec<RowNote>,
    warnings: Vec<RowNote>,
    region: (String, Option<String>),
) -> AppResult<Response> {
    let spec = crate::api::sorting::DirectorySort::SPEC;
    let (listing, paging) =
        super::listing::Listing::read("/directories", q, &spec, spec.default_order())?;
    let (list, total) = state
        .services
        .directories_sorted(
            &signed.auth.actor,
            listing.chosen(),
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let listing = listing.with_total(total);
    let mut names = super::names::Names::new(state);
    let mut rows = Vec::with_capacity(list.len());
    for d in list {
        let at = d.created_at.beijing_minutes();
        let region = names.region(d.region).await?;
        rows.push((d, at, region));
    }
    let own = signed.auth.actor.region;
    let shown = if region.0.is_empty() {
        own.map(|r| r.to_string()).unwrap_or_default()
    } else {
        region.0
    };
    let region = super::pickers::Picker::region("d-region", "region", "所属地区")
        .hint("名称或代码，默认为本级")
        .within(state, own)
        .await?
        .value(state, &shown)
        .await?
        .error(region.1);
    Ok(render(
        status,
        &ListPage {
            chrome: Chrome::for_user("重点名录", "/directories", Some(&signed.auth)),
            list: rows,
            csrf: csrf_of(signed),
            region,
            problem,
            errors,
            warnings,
            listing,
        },
    ))
}

pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    list_page(
        &state,
        &signed,
        &q,
        StatusCode::OK,
        None,
        vec![],
        vec![],
        Default::default(),
    )
    .await
}

pub async fn upload(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let (text, file_name, file) = crate::api::products::read_upload(form).await?;
    let get = |k: &str| text.get(k).cloned().unwrap_or_default();
    let typed = get("region");
    let region = match super::pickers::region(&state, &typed, signed.auth.actor.region).await? {
        Ok(code) => code.map(|c| c.to_string()).unwrap_or_default(),
        Err(m) => {
            return list_page(
                &state,
                &signed,
                &HashMap::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                vec![],
                vec![],
                (typed, Some(m)),
            )
            .await
        }
    };
    match state
        .services
        .import_directory(
            &signed.auth.actor,
            &ctx,
            &get("name"),
            &region,
            &file_name,
            &file,
        )
        .await
    {
        Ok(Imported::Stored { directory, .. }) => {
            Ok(Redirect::to(&format!("/directories/{}", directory.id)).into_response())
        }
        Ok(Imported::Refused { errors, warnings }) => {
            list_page(
                &state,
                &signed,
                &HashMap::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                errors,
                warnings,
                (region.clone(), None),
            )
            .await
        }
        Err(ServiceError::Invalid(v)) => {
            let msg = v
                .into_iter()
                .map(|f| f.violation.message_zh)
                .collect::<Vec<_>>()
                .join("；");
            list_page(
                &state,
                &signed,
                &HashMap::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
                vec![],
                vec![],
                (region.clone(), None),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "directory.html")]
struct CoveragePage {
    chrome: Chrome,
    c: Coverage,
    rate: String,
    groups: Vec<(&'static str, Vec<GroupRow>)>,
}

/// key, name, listed, covered, rate as a percentage.
type GroupRow = (String, String, i64, i64, String);

fn percent(covered: i64, listed: i64) -> String {
    format!("{:.1}%", Coverage::rate(covered, listed) * 100.0)
}

pub async fn coverage(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = state
        .services
        .directory_coverage(&signed.auth.actor, id)
        .await?;
    let groups = vec![
        (
            "按类别",
            c.categories
                .iter()
                .map(|(k, l, cv)| (k.clone(), k.clone(), *l, *cv, percent(*cv, *l)))
                .collect(),
        ),
        (
            "按地区",
            c.regions
                .iter()
                .map(|(k, n, l, cv)| (k.clone(), n.clone(), *l, *cv, percent(*cv, *l)))
                .collect(),
        ),
    ];
    Ok(render(
        StatusCode::OK,
        &CoveragePage {
            chrome: Chrome::for_user("重点名录", "/directories", Some(&signed.auth)),
            rate: percent(c.covered, c.listed),
            groups,
            c,
        },
    ))
}
