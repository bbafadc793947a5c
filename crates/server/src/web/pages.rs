//! The pages anyone may see: home, login, about, API documentation.

use super::account::login_page;
use super::{render, Chrome};
use crate::assets;
use crate::auth::MaybeSigned;
use crate::error::AppResult;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    welcome: Option<(String, &'static str)>,
    unverified: bool,
    /// Created by the system administrator and not yet granted its role (三员分立).
    ungranted: bool,
}

pub async fn home(
    State(state): State<AppState>,
    MaybeSigned(auth): MaybeSigned,
) -> crate::error::AppResult<Response> {
    if let Some(a) = &auth {
        if let Some(page) = super::cycle::dashboard(&state, a).await? {
            return Ok(page);
        }
        if let Some(page) = super::workbench::page(&state, a).await? {
            return Ok(page);
        }
    }
    Ok(render(
        StatusCode::OK,
        &HomePage {
            welcome: auth.as_ref().map(|a| {
                let name = if a.user.display_name.is_empty() {
                    a.user.username.clone()
                } else {
                    a.user.display_name.clone()
                };
                (name, a.actor.role.label_zh())
            }),
            unverified: auth
                .as_ref()
                .is_some_and(|a| !a.actor.verified && a.user.granted),
            ungranted: auth.as_ref().is_some_and(|a| !a.user.granted),
            chrome: Chrome::for_user("首页", "/", auth.as_ref()),
        },
    ))
}

pub async fn login(
    MaybeSigned(auth): MaybeSigned,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if auth.is_some() {
        return Redirect::to("/").into_response();
    }
    login_page(
        StatusCode::OK,
        None,
        String::new(),
        q.get("next").cloned().unwrap_or_else(|| "/".into()),
    )
}

struct DatasetRow {
    label: &'static str,
    source: String,
    rows: i64,
    version: String,
    loaded_at: String,
}

struct VendoredRow {
    file: String,
    package: String,
    version: String,
    license: String,
    sha256: String,
    sha256_short: String,
    modified: Option<String>,
    /// (label, URL) of each licence or notice file shipped for the package.
    licence_files: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    chrome: Chrome,
    backend: &'static str,
    schema_version: i64,
    datasets: Vec<DatasetRow>,
    vendored: Vec<VendoredRow>,
}

pub async fn about(
    State(state): State<AppState>,
    MaybeSigned(auth): MaybeSigned,
) -> AppResult<Response> {
    let datasets = state
        .services
        .reference()
        .datasets()
        .await?
        .into_iter()
        .map(|d| DatasetRow {
            label: match d.name.as_str() {
                "regions" => "行政区划",
                "industries" => "国民经济行业分类",
                _ => "其他",
            },
            source: d.source,
            rows: d.rows,
            version: d.version,
            loaded_at: d.loaded_at,
        })
        .collect();
    let vendored = assets::vendored()
        .iter()
        .map(|v| {
            let prefix = format!("vendor/licenses/{}.", v.package);
            VendoredRow {
                file: v.file.clone(),
                package: v.package.clone(),
                version: v.version.clone(),
                license: v.license.clone(),
                sha256: v.sha256.clone(),
                sha256_short: v.sha256[..12].to_string(),
                modified: v.modified.clone(),
                licence_files: assets::ASSETS
                    .iter()
                    .filter(|a| a.path.starts_with(&prefix))
                    .map(|a| {
                        let label = a.path[prefix.len()..].trim_end_matches(".txt").to_string();
                        (label, assets::url(a.path))
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &AboutPage {
            chrome: Chrome::for_user("关于", "/about", auth.as_ref()),
            backend: state.services.db().backend().name(),
            schema_version: zhichan_store::migrate::latest_version(),
            datasets,
            vendored,
        },
    ))
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    chrome: Chrome,
}

pub async fn api_docs(MaybeSigned(auth): MaybeSigned) -> Response {
    render(
        StatusCode::OK,
        &ApiDocsPage {
            chrome: Chrome::for_user("接口文档", "/docs/api", auth.as_ref()),
        },
    )
}
