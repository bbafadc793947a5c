//! The web pages: they render in Chinese and reference nothing outside the binary.

use crate::support;

use reqwest::StatusCode;
use std::collections::BTreeSet;
use support::spawn_app;
use zhichan_testkit::{on_both_backends, Fresh};

/// Every `href="…"`, `src="…"` and CSS `url(…)` / `@import` target in a text.
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["href=\"", "src=\"", "url(", "@import \"", "@import '"] {
        let mut rest = text;
        while let Some(i) = rest.find(marker) {
            rest = rest[i + marker.len()..].trim_start_matches(['"', '\'']);
            let end = rest.find(['"', '\'', ')', ' ', '>']).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
        }
    }
    out
}

/// Any absolute http(s) URL in a text, other than XML namespace names (which nothing loads).
fn absolute_urls(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for scheme in ["http://", "https://"] {
        let mut rest = text;
        while let Some(i) = rest.find(scheme) {
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| c.is_whitespace() || "\"'()<>".contains(c))
                .unwrap_or(tail.len());
            let url = &tail[..end];
            if !url.starts_with("http://www.w3.org/") {
                out.push(url.to_string());
            }
            rest = &tail[scheme.len()..];
        }
    }
    out
}

async fn the_pages_reference_nothing_outside_the_binary(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let pages = ["/", "/login", "/about", "/docs/api", "/no-such-page"];
    let mut assets = BTreeSet::new();
    for page in pages {
        let (status, ct, html) = app.get_text(page).await;
        let want = if page == "/no-such-page" { 404 } else { 200 };
        assert_eq!(status.as_u16(), want, "{page}");
        assert!(ct.starts_with("text/html"), "{page}: {ct}");
        assert!(html.contains("<html lang=\"zh-CN\">"), "{page}");
        assert!(
            absolute_urls(&html).is_empty(),
            "{page} names another host: {:?}",
            absolute_urls(&html)
        );
        assert!(!html.contains("<script>"), "{page} has an inline script");
        assert!(!html.contains(" style=\""), "{page} has an inline style");
        for r in references(&html) {
            assert!(
                r.starts_with('/') || r.starts_with('#'),
                "{page} references {r}"
            );
            if r.starts_with("/assets/") {
                assets.insert(r);
            }
        }
    }
    assert!(assets.len() >= 5, "{assets:?}");
    for asset in &assets {
        let res = app.get(asset).await;
        assert_eq!(res.status(), StatusCode::OK, "{asset}");
        let cache = res.headers()["cache-control"].to_str().unwrap().to_string();
        assert!(cache.contains("immutable"), "{asset}: {cache}");
        let path = asset.split('?').next().unwrap().to_string();
        let body = res.text().await.unwrap();
        // Our own files must not name another host at all; vendored JavaScript carries
        // documentation links in strings, so the browser test checks what it actually loads.
        let ours = !path.starts_with("/assets/vendor/");
        if ours || path.ends_with(".css") {
            for r in references(&body) {
                assert!(
                    r.starts_with('/') || r.starts_with("data:") || r.starts_with('#'),
                    "{path} references {r}"
                );
            }
        }
        if ours {
            assert!(
                absolute_urls(&body).is_empty(),
                "{path}: {:?}",
                absolute_urls(&body)
            );
        }
    }
    app.stop().await;
}
on_both_backends!(the_pages_reference_nothing_outside_the_binary);

async fn the_about_page_names_versions_data_and_licences(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let (_, _, html) = app.get_text("/about").await;
    for want in [
        env!("CARGO_PKG_VERSION"),
        "行政区划",
        "国民经济行业分类",
        "echarts",
        "swagger-ui-dist",
        "modern-normalize",
        "Apache-2.0",
        "MIT",
    ] {
        assert!(html.contains(want), "about page mentions {want}");
    }
    let backend = fresh.db.backend().name();
    assert!(html.contains(backend), "about page names {backend}");
    app.stop().await;
}
on_both_backends!(the_about_page_names_versions_data_and_licences);

async fn the_login_page_is_an_accessible_form(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let (status, _, html) = app.get_text("/login").await;
    assert_eq!(status, StatusCode::OK);
    for (id, label) in [("username", "用户名"), ("password", "密码")] {
        assert!(
            html.contains(&format!("<label for=\"{id}\">{label}")),
            "{id}"
        );
        assert!(html.contains(&format!("id=\"{id}\" name=\"{id}\"")), "{id}");
    }
    assert!(html.contains("aria-current=\"page\""));
    assert!(html.contains("href=\"#main\""), "skip link");
    app.stop().await;
}
on_both_backends!(the_login_page_is_an_accessible_form);

#[test]
fn the_reference_scanner_finds_what_it_should() {
    let html = r#"<link href="/a.css"><script src="https://cdn.example/x.js"></script>
        <svg xmlns="http://www.w3.org/2000/svg"></svg> body { background: url(http://x.example/i.png) }"#;
    assert_eq!(
        references(html),
        [
            "/a.css",
            "https://cdn.example/x.js",
            "http://x.example/i.png"
        ]
    );
    assert_eq!(
        absolute_urls(html),
        ["http://x.example/i.png", "https://cdn.example/x.js"]
    );
}
