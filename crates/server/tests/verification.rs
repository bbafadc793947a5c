//! Real-name verification over HTTP, and its region scope as a matrix: the reviewer of the
//! enterprise's own county, of its city, of its province, of the nation, and of another city.

mod support;

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{add_user, assert_problem, spawn_app, PASSWORD};
use zhichan_testkit::{on_both_backends, Fresh};

fn signup_form(username: &str, document: &'static [u8]) -> Form {
    Form::new()
        .text("username", username.to_string())
        .text("password", PASSWORD)
        .text("enterprise_name", "抚州市临川区示例科技有限公司")
        .text("credit_code", "91361002MA35F6XK04")
        .text("contact_name", "王芳")
        .text("contact_phone", "0794-8888888")
        .text("pledge", "true")
        .part("document", Part::bytes(document).file_name("营业执照.pdf"))
}

async fn an_enterprise_signs_up_and_only_its_regions_reviewers_see_it(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let res = app
        .client
        .post(app.url("/api/v1/signup"))
        .multipart(signup_form("linchuan.tech", b"%PDF-1.4 licence"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    // The new account works only for its own application.
    let me = app.login("linchuan.tech").await;
    assert_eq!(me.me["verification"], "pending");
    let mine: Value = me
        .client
        .get(app.url("/api/v1/me/verification"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["status"], "pending");
    assert_eq!(mine["region"], "361002");
    let id = mine["id"].as_i64().unwrap();

    // Reviewers by region: inside the subtree they see it, outside it does not exist.
    for (name, region, sees) in [
        ("rev.county", "361002", true),
        ("rev.city", "361000", true),
        ("rev.province", "360000", true),
        ("rev.nation", "100000", true),
        ("rev.neighbour", "360100", false),
        ("rev.other.county", "361003", false),
    ] {
        add_user(&fresh, name, "reviewer", Some(region), None).await;
        let token = app.token(&fresh, name).await;
        let queue: Value = app
            .client
            .get(app.url("/api/v1/verifications"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(queue["total"], if sees { 1 } else { 0 }, "{name} queue");
        for path in [
            format!("/api/v1/verifications/{id}"),
            format!("/api/v1/verifications/{id}/document"),
        ] {
            let status = app
                .client
                .get(app.url(&path))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(
                status,
                if sees {
                    StatusCode::OK
                } else {
                    StatusCode::NOT_FOUND
                },
                "{name} {path}"
            );
        }
        if !sees {
            let res = app
                .client
                .post(app.url(&format!("/api/v1/verifications/{id}/review")))
                .bearer_auth(&token)
                .json(&json!({"decision": "approve"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{name} cannot decide");
        }
    }
    // Another enterprise never sees it.
    add_user(
        &fresh,
        "other.firm",
        "enterprise",
        None,
        Some("91350100M000100Y43"),
    )
    .await;
    let other = app.token(&fresh, "other.firm").await;
    let res = app
        .client
        .get(app.url(&format!("/api/v1/verifications/{id}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let city = app.token(&fresh, "rev.city").await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/verifications/{id}/review")))
        .bearer_auth(&city)
        .json(&json!({"decision": "return"}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        assert_problem(status, &body, 422),
        [("reason".to_string(), "required".to_string())]
    );
    let res = app
        .client
        .post(app.url(&format!("/api/v1/verifications/{id}/review")))
        .bearer_auth(&city)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let after: Value = me
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        after["verification"], "verified",
        "approved: the account works"
    );
    app.stop().await;
}
on_both_backends!(an_enterprise_signs_up_and_only_its_regions_reviewers_see_it);

async fn a_bad_sign_up_gets_field_errors_and_stores_nothing(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let res = app
        .client
        .post(app.url("/api/v1/signup"))
        .multipart(signup_form("bad.upload", b"MZ\x90\x00 an executable"))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        assert_problem(status, &body, 422),
        [("document".to_string(), "invalid_document".to_string())]
    );
    let form = Form::new()
        .text("username", "x")
        .text("credit_code", "91361002MA35F6XK05");
    let res = app
        .client
        .post(app.url("/api/v1/signup"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    let codes: Vec<String> = assert_problem(status, &body, 422)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert!(
        codes.contains(&"invalid_credit_code".to_string()),
        "{codes:?}"
    );
    assert!(codes.contains(&"invalid_username".to_string()), "{codes:?}");
    let res = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "bad.upload", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "no account was created"
    );
    app.stop().await;
}
on_both_backends!(a_bad_sign_up_gets_field_errors_and_stores_nothing);
