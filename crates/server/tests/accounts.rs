//! Signing in, the caller's account, and who may reach which route: on SQLite and PostgreSQL.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, assert_problem, spawn_app, PASSWORD};
use zhichan_domain::access::grant;
use zhichan_domain::accounts::Role;
use zhichan_server::auth::{Access, ENDPOINTS};
use zhichan_testkit::{on_both_backends, Fresh};

async fn an_expert_logs_in_sees_itself_and_logs_out(fresh: Fresh) {
    add_user(&fresh, "chen.jing", "expert", None, None).await;
    let app = spawn_app(&fresh).await;
    let b = app.login("chen.jing").await;
    assert_eq!(b.me["username"], "chen.jing");
    assert_eq!(b.me["role"], "expert");
    assert!(b.me["csrf_token"].as_str().unwrap().len() > 20);

    let me: Value = b
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "chen.jing");

    // A change without the CSRF token is refused, with it accepted.
    let res = b
        .client
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = b
        .client
        .delete(app.url("/api/v1/session"))
        .header("x-csrf-token", &b.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = b.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}
on_both_backends!(an_expert_logs_in_sees_itself_and_logs_out);

async fn the_session_cookie_is_http_only_and_renewed_at_login(fresh: Fresh) {
    add_user(&fresh, "he.yun", "expert", None, None).await;
    let app = spawn_app(&fresh).await;
    let login = || {
        app.client
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": "he.yun", "password": PASSWORD}))
    };
    let first = login().send().await.unwrap();
    let cookie = first.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("zhichan="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let old = cookie.split(';').next().unwrap().to_string();
    let second = login().header("cookie", &old).send().await.unwrap();
    let renewed = second.headers()["set-cookie"].to_str().unwrap().to_string();
    assert_ne!(renewed.split(';').next().unwrap(), old, "a new id at login");
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", &old)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "the old session ended"
    );

    // Behind a TLS proxy that is trusted, the cookie is __Host- prefixed and Secure.
    app.stop().await;
    let app = support::spawn_with(
        &fresh,
        zhichan_server::Settings {
            trust_proxy: true,
            ..Default::default()
        },
    )
    .await;
    let res = app
        .client
        .post(app.url("/api/v1/session"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "he.yun", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-zhichan=") && cookie.contains("Secure"),
        "{cookie}"
    );
    app.stop().await;
}
on_both_backends!(the_session_cookie_is_http_only_and_renewed_at_login);

async fn wrong_logins_lock_the_account_and_say_until_when(fresh: Fresh) {
    add_user(&fresh, "lock.me", "expert", None, None).await;
    let app = spawn_app(&fresh).await;
    let attempt = |password: &'static str, user: &'static str| {
        app.client
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": user, "password": password}))
            .send()
    };
    let unknown: Value = attempt("Whatever-123", "no.such.user")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wrong: Value = attempt("Whatever-123", "lock.me")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["detail"], wrong["detail"], "the same answer");
    for _ in 0..3 {
        attempt("Whatever-123", "lock.me").await.unwrap();
    }
    let res = attempt("Whatever-123", "lock.me").await.unwrap();
    assert_eq!(res.status(), StatusCode::LOCKED);
    assert!(res.headers().get("retry-after").is_some());
    let body: Value = res.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("锁定至"),
        "{body}"
    );
    let res = attempt(PASSWORD, "lock.me").await.unwrap();
    assert_eq!(res.status(), StatusCode::LOCKED);

    let malformed = app
        .client
        .post(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let missing = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "lock.me"}))
        .send()
        .await
        .unwrap();
    let status = missing.status();
    let body: Value = missing.json().await.unwrap();
    assert_eq!(
        assert_problem(status, &body, 422),
        [("password".to_string(), "required".to_string())]
    );
    app.stop().await;
}
on_both_backends!(wrong_logins_lock_the_account_and_say_until_when);

async fn an_administrator_without_its_second_factor_can_only_set_it_up(fresh: Fresh) {
    add_user(&fresh, "sys.admin", "sysadmin", None, None).await;
    let app = spawn_app(&fresh).await;
    let token = app.token(&fresh, "sys.admin").await;
    // The sysadmin itself has not enrolled TOTP yet: only its setup routes are open.
    let res = app
        .client
        .get(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    let errors = assert_problem(status, &body, 403);
    assert_eq!(errors[0].1, "second_factor_required");
    app.stop().await;
}
on_both_backends!(an_administrator_without_its_second_factor_can_only_set_it_up);

/// The accounts of the matrix: one per role, an administrator and a reviewer per region level.
const CAST: &[(&str, &str, Option<&str>, Option<&str>)] = &[
    (
        "m.enterprise",
        "enterprise",
        None,
        Some("91350100M000100Y43"),
    ),
    ("m.reviewer", "reviewer", Some("361000"), None),
    ("m.admin", "admin", Some("361000"), None),
    ("m.expert", "expert", None, None),
    ("m.university", "university", None, None),
    ("m.service", "service", None, None),
    ("m.sysadmin", "sysadmin", None, None),
    ("m.secadmin", "secadmin", None, None),
    ("m.auditor", "auditor", None, None),
];

fn concrete(path: &str) -> String {
    path.replace("{code}", "361000")
        .replace("{credit_code}", "91361002MA35F6XK04")
        .replace("{number}", "ZL201910725275.4")
        .replace("{id}", "999999")
        .replace("{*path}", "app.css")
}

/// Every route × every role: a role without a grant gets 403, a role with one never does,
/// anonymous callers get 401 (API) or a redirect to the login page (pages). Generated from the
/// access table, so a new route joins the matrix by being listed there.
async fn every_role_meets_every_route_as_the_access_table_says(fresh: Fresh) {
    for (u, r, region, ent) in CAST {
        add_user(&fresh, u, r, *region, *ent).await;
    }
    // The three administrators need a second factor before anything else; in this matrix the
    // factor is taken as enrolled.
    fresh
        .db
        .execute(zhichan_store::Sql::new(
            "UPDATE users SET totp_enabled = TRUE, totp_secret = 'JBSWY3DPEHPK3PXP'",
        ))
        .await
        .unwrap();
    use zhichan_store::Exec;
    let app = spawn_app(&fresh).await;
    let mut tokens = Vec::new();
    for (u, r, _, _) in CAST {
        tokens.push((r.parse::<Role>().unwrap(), app.token(&fresh, u).await));
    }
    let mut checked = 0;
    for (method, path, access) in ENDPOINTS {
        if path.starts_with("/assets") || *path == "/favicon.ico" {
            continue;
        }
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let url = app.url(&concrete(path));
        let api = path.starts_with("/api/");
        // Anonymous.
        let res = app
            .client
            .request(method.clone(), &url)
            .send()
            .await
            .unwrap();
        match access {
            Access::Public => assert!(
                res.status() != StatusCode::UNAUTHORIZED && res.status() != StatusCode::FORBIDDEN,
                "anonymous {method} {path}: {}",
                res.status()
            ),
            _ if api => assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "anonymous {method} {path}"
            ),
            _ => {
                assert_eq!(
                    res.status(),
                    StatusCode::SEE_OTHER,
                    "anonymous {method} {path}"
                );
                assert!(res.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/login"));
            }
        }
        // Each role, by bearer token (no CSRF needed).
        for (role, token) in &tokens {
            let mut req = app.client.request(method.clone(), &url).bearer_auth(token);
            if method != Method::GET {
                req = req.json(&json!({}));
            }
            let status = req.send().await.unwrap().status();
            let action = match access {
                Access::Public => None,
                Access::Signed(a) | Access::Setup(a) => Some(*a),
            };
            match action.map(|a| grant(*role, a)) {
                Some(None) => assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} {method} {path}"),
                _ => assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{role:?} {method} {path}: {status}"
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked} checks");
    app.stop().await;
}
on_both_backends!(every_role_meets_every_route_as_the_access_table_says);

/// Every API operation in the OpenAPI document is in the access table and the other way round:
/// a new endpoint cannot slip past authorisation unlisted.
#[test]
fn the_access_table_lists_exactly_the_documented_api() {
    let doc = serde_json::to_value(zhichan_server::openapi_document()).unwrap();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut listed: Vec<(String, String)> = ENDPOINTS
        .iter()
        .filter(|(_, p, _)| p.starts_with("/api/"))
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    listed.sort();
    assert_eq!(documented, listed);
}
