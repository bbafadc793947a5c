//! Which of the three languages a request is answered in, and the switcher that changes it.
//!
//! One rule for every answer — a page, an API error, an export (xlsx or csv), whether the caller
//! signed in with a session or a bearer token: the signed-in person's own setting
//! (`users.locale`, chosen on /account or by the switcher), else the language of the
//! `zhichan_lang` cookie (set by the switcher on every page; pages only), else the best match of
//! `Accept-Language`, else 简体中文. Codes (problem types, field names, error codes) never change.
//!
//! The choice lives in a task-local for the request ([`current`]), so that the layout, the error
//! page, problem+json and the exports read it without every handler passing it along.

use crate::auth::MaybeSigned;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::cell::Cell;
pub use zhichan_i18n::Locale;

/// The switcher's cookie.
pub const COOKIE: &str = "zhichan_lang";

struct Current {
    locale: Cell<Locale>,
    /// The path and query of the page, for the switcher's way back.
    here: String,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// The language of the request being answered (简体中文 outside a request): the one helper
/// that pages, API errors and exports all read.
pub fn current() -> Locale {
    CURRENT.try_with(|c| c.locale.get()).unwrap_or_default()
}

/// The path and query of the page being answered.
pub fn here() -> String {
    CURRENT
        .try_with(|c| c.here.clone())
        .unwrap_or_else(|_| "/".into())
}

/// `text` in the language of the request.
pub fn t(text: &str) -> String {
    zhichan_i18n::translate(current(), text).into_owned()
}

/// A reference name (a GB/T 2260 region, a GB/T 4754 industry) as the request shows it: 繁體
/// converts it as it converts the catalogue (with the reviewed terms); 简体中文 and English show it
/// as recorded (the classifications have no English names).
pub fn reference_name(name: String) -> String {
    match current() {
        Locale::ZhHant => zhichan_i18n::translate(Locale::ZhHant, &name).into_owned(),
        _ => name,
    }
}

/// A name with its code after it, bracketed in the page's script: `临川区（361002）`, in
/// English `临川区 (361002)`.
pub fn with_code(name: String, code: &str) -> String {
    match current() {
        Locale::En => format!("{name} ({code})"),
        _ => format!("{name}（{code}）"),
    }
}

/// The punctuation a sentence put together in Rust is written with, in the language of the
/// request: Chinese full-width marks, or English ones.
pub struct Punctuation {
    pub colon: &'static str,
    /// Between the parts of a sentence (；).
    pub separator: &'static str,
    /// Between the clauses of a part (，).
    pub comma: &'static str,
    /// Between the items of a list (、).
    pub list: &'static str,
    pub open: &'static str,
    pub close: &'static str,
}

pub fn punctuation() -> Punctuation {
    match current() {
        Locale::En => Punctuation {
            colon: ": ",
            separator: "; ",
            comma: ", ",
            list: ", ",
            open: "(",
            close: ")",
        },
        _ => Punctuation {
            colon: "：",
            separator: "；",
            comma: "，",
            list: "、",
            open: "（",
            close: "）",
        },
    }
}

/// The signed-in person's own setting wins over the cookie and the browser, for pages, the API
/// and exports alike (called once the caller is known, session or bearer token).
pub fn prefer_user(setting: Option<&str>) {
    if let Some(l) = setting.and_then(Locale::parse) {
        let _ = CURRENT.try_with(|c| c.locale.set(l));
    }
}

fn cookie_locale(headers: &HeaderMap) -> Option<Locale> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .and_then(|(_, v)| Locale::parse(v))
}

/// The language of a request before anyone is authenticated: cookie (pages only), then
/// Accept-Language.
pub fn negotiate(headers: &HeaderMap, api: bool) -> Locale {
    let accept = || {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Locale::from_accept_language)
            .unwrap_or_default()
    };
    if api {
        accept()
    } else {
        cookie_locale(headers).unwrap_or_else(accept)
    }
}

/// The layer that settles the language of every request (outside the error layer, so that
/// error pages and problems are translated too) and says so in `Content-Language`.
pub async fn layer(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path == "/api" || path.starts_with("/api/");
    // Assets are the same in every language (and cached for good): no Vary for them.
    let asset = path.starts_with("/assets/") || path == "/favicon.ico";
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let state = Current {
        locale: Cell::new(negotiate(req.headers(), api)),
        here,
    };
    CURRENT
        .scope(state, async move {
            let mut res = next.run(req).await;
            if asset {
                return res;
            }
            let l = current();
            res.headers_mut()
                .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(l.code()));
            res.headers_mut().append(
                header::VARY,
                HeaderValue::from_static("Accept-Language, Cookie"),
            );
            res
        })
        .await
}

/// Whether `next` is a path of this site: it starts with one `/` (not `//` or `/\`, which a
/// browser reads as another host) and holds no scheme, control character or backslash.
pub fn local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
}

#[derive(serde::Deserialize)]
pub struct Switch {
    to: String,
    next: Option<String>,
}

/// `GET /lang?to=zh-Hans|zh-Hant|en&next=/path`: keeps the choice in a cookie for a year (and in
/// the account of whoever is signed in), then goes back to `next`, which must be a local path.
pub async fn switch(
    State(state): State<AppState>,
    MaybeSigned(auth): MaybeSigned,
    Query(q): Query<Switch>,
) -> AppResult<Response> {
    let Some(to) = Locale::parse(&q.to).filter(|l| l.code() == q.to) else {
        return Err(AppError::Malformed(
            "to 应为 zh-Hans、zh-Hant 或 en".to_string(),
        ));
    };
    let next = q.next.unwrap_or_else(|| "/".into());
    if !local_path(&next) {
        return Err(AppError::Malformed("next 应为本站的路径".to_string()));
    }
    if let Some(a) = &auth {
        zhichan_store::users::set_locale(state.services.db(), a.user.id, Some(to.code())).await?;
    }
    let mut res = Redirect::to(&next).into_response();
    let cookie = format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        to.code()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn the_switcher_goes_back_only_to_a_path_of_this_site() {
        assert!(local_path("/products?status=approved"));
        assert!(local_path("/"));
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/\nSet-Cookie: x",
            "",
        ] {
            assert!(!local_path(bad), "{bad:?} was taken for a local path");
        }
    }
}
