//! Static files embedded in the binary: our own CSS and JS, and the vendored libraries (see
//! assets/vendor/manifest.json for their packages, versions and licences). Nothing is fetched
//! from another host, so zhichan works on an intranet.
//!
//! URLs carry a content fingerprint (`?v=…`), so browsers may cache them for a year.

use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::OnceLock;

pub struct Asset {
    pub path: &'static str,
    pub bytes: &'static [u8],
}

impl Asset {
    pub fn mime(&self) -> &'static str {
        match self.path.rsplit('.').next() {
            Some("css") => "text/css; charset=utf-8",
            Some("js") => "text/javascript; charset=utf-8",
            Some("svg") => "image/svg+xml",
            Some("txt") => "text/plain; charset=utf-8",
            _ => "application/octet-stream",
        }
    }
}

macro_rules! asset {
    ($path:literal) => {
        Asset {
            path: $path,
            bytes: include_bytes!(concat!("../assets/", $path)),
        }
    };
}

pub const ASSETS: &[Asset] = &[
    asset!("app.css"),
    asset!("app.js"),
    asset!("favicon.svg"),
    asset!("picker.js"),
    asset!("stats.js"),
    asset!("swagger-init.js"),
    asset!("vendor/modern-normalize.css"),
    asset!("vendor/swagger-ui.css"),
    asset!("vendor/swagger-ui-bundle.js"),
    asset!("vendor/echarts.min.js"),
    asset!("vendor/licenses/modern-normalize.LICENSE.txt"),
    asset!("vendor/licenses/swagger-ui-dist.LICENSE.txt"),
    asset!("vendor/licenses/swagger-ui-dist.NOTICE.txt"),
    asset!("vendor/licenses/swagger-ui-dist.bundled-deps.LICENSE.txt"),
    asset!("vendor/licenses/echarts.LICENSE.txt"),
    asset!("vendor/licenses/echarts.NOTICE.txt"),
    asset!("vendor/licenses/echarts.LICENSE-d3.txt"),
];

/// One vendored file, as assets/vendor/manifest.json records it.
#[derive(Debug, Clone, Deserialize)]
pub struct Vendored {
    pub file: String,
    pub package: String,
    pub version: String,
    pub license: String,
    pub sha256: String,
    #[serde(default)]
    pub modified: Option<String>,
}

const MANIFEST: &str = include_str!("../assets/vendor/manifest.json");

pub fn vendored() -> &'static [Vendored] {
    static V: OnceLock<Vec<Vendored>> = OnceLock::new();
    V.get_or_init(|| serde_json::from_str(MANIFEST).expect("assets/vendor/manifest.json parses"))
}

fn fingerprints() -> &'static HashMap<&'static str, String> {
    static F: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    F.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let d = Sha256::digest(a.bytes);
                (a.path, d[..6].iter().map(|b| format!("{b:02x}")).collect())
            })
            .collect()
    })
}

pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

/// The URL of an embedded file, fingerprinted for caching. Panics on a name that is not
/// embedded, which the page tests catch.
pub fn url(path: &str) -> String {
    let fp = fingerprints()
        .get(path)
        .unwrap_or_else(|| panic!("no embedded asset {path}"));
    format!("/assets/{path}?v={fp}")
}

pub async fn serve(
    Path(path): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = find(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", fingerprints()[asset.path]);
    let cache = if q.get("v").is_some_and(|v| *v == fingerprints()[asset.path]) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mut res = if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.mime())], asset.bytes).into_response()
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    res
}

/// `/favicon.ico`, which browsers ask for by themselves.
pub async fn favicon() -> Response {
    let a = find("favicon.svg").expect("favicon embedded");
    (
        [
            (header::CONTENT_TYPE, a.mime()),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        a.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_file_is_embedded_as_the_manifest_says() {
        for v in vendored() {
            let a = find(&format!("vendor/{}", v.file)).expect("embedded");
            let sum: String = Sha256::digest(a.bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(sum, v.sha256, "{}", v.file);
        }
    }

    #[test]
    fn no_embedded_file_is_served_as_unknown_bytes() {
        for a in ASSETS {
            assert_ne!(a.mime(), "application/octet-stream", "{}", a.path);
        }
    }
}
