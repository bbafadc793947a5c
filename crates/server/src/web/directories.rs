//! Key-enterprise directory pages: the list with the upload form, and each directory's coverage.

use super::forms::{self, FormErrors};
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
    /// What is wrong with the form's fields (name, region, file), beside each.
    form_errors: FormErrors,
    /// The directory's name as typed.
    name: String,
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
    form_errors: FormErrors,
    name: String,
    errors: Vec<RowNote>,
    warnings: Vec<RowNote>,
    region: String,
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
    let shown = if region.is_empty() {
        own.map(|r| r.to_string()).unwrap_or_default()
    } else {
        region
    };
    let region = super::pickers::Picker::region("d-region", "region", "所属地区")
        .hint("名称或代码，默认为本级")
        .within(state, own)
        .await?
        .value(state, &shown)
        .await?
        .error(form_errors.beside("region"));
    Ok(render(
        status,
        &ListPage {
            chrome: Chrome::for_user("重点名录", "/directories", Some(&signed.auth)),
            list: rows,
            csrf: csrf_of(signed),
            region,
            form_errors,
            name,
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
        FormErrors::none(),
        String::new(),
        vec![],
        vec![],
        String::new(),
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
    let name = get("name");
    let locate = forms::table(UPLOAD_FIELDS);
    let region = match super::pickers::region(&state, &typed, signed.auth.actor.region).await? {
        Ok(code) => code.map(|c| c.to_string()).unwrap_or_default(),
        Err(m) => {
            let mut errors = FormErrors::none();
            errors.add("region", m, &locate);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let q = HashMap::new();
            return list_page(
                &state,
                &signed,
                &q,
                status,
                errors,
                name,
                vec![],
                vec![],
                typed,
            )
            .await;
        }
    };
    // The region shows by its label once resolved ("临川区（361002）").
    let shown = if region.is_empty() {
        typed.clone()
    } else {
        region.clone()
    };
    let refused = |errors: FormErrors, rows: Vec<RowNote>, warnings: Vec<RowNote>| {
        let (state, signed, name, typed) = (&state, &signed, name.clone(), shown.clone());
        async move {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let q = HashMap::new();
            list_page(
                state, signed, &q, status, errors, name, rows, warnings, typed,
            )
            .await
        }
    };
    match state
        .services
        .import_directory(&signed.auth.actor, &ctx, &name, &region, &file_name, &file)
        .await
    {
        Ok(Imported::Stored { directory, .. }) => {
            Ok(Redirect::to(&format!("/directories/{}", directory.id)).into_response())
        }
        Ok(Imported::Refused { errors, warnings }) => {
            // The file is wrong: said beside the file field, its rows listed in a table.
            let mut form = FormErrors::none();
            form.add(
                "file",
                format!(
                    "文件中有 {} 处错误，整个名录未导入，请按下表修改后重新上传",
                    errors.len()
                ),
                &locate,
            );
            refused(form, errors, warnings).await
        }
        Err(ServiceError::Invalid(v)) => {
            refused(FormErrors::from_violations(v, &locate), vec![], vec![]).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Where the upload form's fields are.
const UPLOAD_FIELDS: &[(&str, &str, &str)] = &[
    ("name", "d-name", "名录名称"),
    ("region", "d-region", "所属地区"),
    ("file", "d-file", "文件"),
];

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
    zhichan_domain::identification::percent(Coverage::rate(covered, listed))
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
