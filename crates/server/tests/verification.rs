//! Real-name verification over HTTP, and its region scope as a matrix: the reviewer of the
//! enterprise's own county, of its city, of its province, of the nation, and of another city.

use crate::support;

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{add_user, assert_problem, spawn_app, PASSWORD};
use zhichan_testkit::{on_both_backends, Fresh};

fn signup_form(username: &str, document: &'static [u8]) -> Form {
    signup_form_to(username, &support::contact_of(username), document)
}

fn signup_form_to(username: &str, contact: &str, document: &'static [u8]) -> Form {
    Form::new()
        .text("username", username.to_string())
        .text("contact", contact.to_string())
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
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    support::set_password_with_code(&app, &fresh, "linchuan.tech").await;

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

async fn a_sign_up_does_not_tell_a_stranger_whether_a_username_exists(fresh: Fresh) {
    add_user(&fresh, "anquan", "secadmin", None, None).await;
    let app = spawn_app(&fresh).await;
    let inbox = support::Inbox::default();
    let sign_up = |username: &'static str, contact: &'static str| {
        let form = signup_form_to(username, contact, b"%PDF-1.4 licence");
        app.client
            .post(app.url("/api/v1/signup"))
            .multipart(form)
            .send()
    };
    // A stranger tries the security administrator's name, and a name nobody has: the two
    // answers are alike but for the masked contact each names.
    let taken = sign_up("anquan", "13900001111").await.unwrap();
    let free = sign_up("linchuan.new", "13900002222").await.unwrap();
    assert_eq!(taken.status(), StatusCode::ACCEPTED);
    assert_eq!(free.status(), StatusCode::ACCEPTED);
    let (taken, free): (Value, Value) = (taken.json().await.unwrap(), free.json().await.unwrap());
    assert_eq!(taken, json!({"sent_to": "13*******11"}));
    assert_eq!(free, json!({"sent_to": "13*******22"}));
    // Logging in says nothing either: neither name works with the password the stranger
    // would have chosen, because nobody chooses a password before the contact has answered.
    for name in ["anquan", "linchuan.new"] {
        let res = app
            .client
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": name, "password": "Stranger-Guess-2026"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{name}");
    }
    // Only the contact learns the outcome: word that the name is taken (nothing was stored),
    // or the one-time code that sets the password of the new account.
    let code = inbox.code_for(&fresh, "13900002222").await;
    let messages = inbox.0.lock().unwrap().clone();
    let to_taken: Vec<&String> = messages
        .iter()
        .filter(|(to, _)| to == "13900001111")
        .map(|(_, body)| body)
        .collect();
    assert_eq!(to_taken.len(), 1, "{messages:?}");
    assert!(
        to_taken[0].contains("已被使用") && !to_taken[0].contains("设置码"),
        "{}",
        to_taken[0]
    );
    let anquan = zhichan_store::users::by_username(&fresh.db, "anquan")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(anquan.enterprise, None, "the existing account is untouched");
    let res = app
        .client
        .post(app.url("/api/v1/password-setup"))
        .json(&json!({"code": code, "new_password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let honest = app.login("linchuan.new").await;
    assert_eq!(honest.me["verification"], "pending");
    // The page answers alike too: the same page but for the masked contact.
    let mut pages = Vec::new();
    for (name, contact) in [("anquan", "13900003333"), ("linchuan.page", "13900004444")] {
        let form = signup_form_to(name, contact, b"%PDF-1.4 licence");
        let res = app
            .client
            .post(app.url("/signup"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{name}");
        let page = res.text().await.unwrap();
        let masked = format!("13*******{}", &contact[9..]);
        assert!(
            page.contains(&masked) && page.contains("结果已发往"),
            "{name}"
        );
        pages.push(page.replace(&masked, "…"));
    }
    assert_eq!(pages[0], pages[1]);
    app.stop().await;
}
on_both_backends!(a_sign_up_does_not_tell_a_stranger_whether_a_username_exists);

/// Stores an application with this document for the account, as a sign-up would.
async fn application_with(fresh: &Fresh, username: &str, name: &str, kind: &str) -> i64 {
    let user = zhichan_store::users::by_username(&fresh.db, username)
        .await
        .unwrap()
        .unwrap();
    let now = zhichan_domain::Timestamp::from_unix_seconds(1_780_000_000).unwrap();
    let document = zhichan_store::evidence::put(
        &fresh.db,
        zhichan_store::evidence::NewEvidence {
            name,
            content_type: kind,
            bytes: b"<html><script>alert(document.cookie)</script></html>",
        },
        now,
    )
    .await
    .unwrap();
    zhichan_store::verifications::insert(
        &fresh.db,
        zhichan_store::verifications::NewVerification {
            user_id: user.id,
            enterprise_name: "抚州市临川区示例科技有限公司".into(),
            credit_code: "91361002MA35F6XK04".into(),
            region: Some(zhichan_domain::RegionCode::parse("361002").unwrap()),
            contact_name: "王芳".into(),
            contact_phone: "0794-8888888".into(),
            document,
        },
        now,
    )
    .await
    .unwrap()
}

async fn an_uploaded_document_is_served_sandboxed_wherever_it_is_read(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    add_user(
        &fresh,
        "linchuan.tech",
        "enterprise",
        None,
        Some("91361002MA35F6XK04"),
    )
    .await;
    add_user(&fresh, "rev.city", "reviewer", Some("361000"), None).await;
    let firm = app.login("linchuan.tech").await;
    let reviewer = app.login("rev.city").await;
    let token = app.token(&fresh, "rev.city").await;
    // A PDF is shown in the browser; a type that is not a safe image or a PDF is downloaded.
    for (name, kind, disposition) in [
        ("营业执照.pdf", "application/pdf", "inline"),
        ("licence.html", "text/html", "attachment"),
    ] {
        let id = application_with(&fresh, "linchuan.tech", name, kind).await;
        let reads = [
            firm.client
                .get(app.url("/api/v1/me/verification/document"))
                .send(),
            firm.client.get(app.url("/verification/document")).send(),
            app.client
                .get(app.url(&format!("/api/v1/verifications/{id}/document")))
                .bearer_auth(&token)
                .send(),
            reviewer
                .client
                .get(app.url(&format!("/reviews/verifications/{id}/document")))
                .send(),
        ];
        for (n, read) in reads.into_iter().enumerate() {
            let res = read.await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{kind} read {n}");
            let header = |h: &str| {
                res.headers()
                    .get(h)
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default()
            };
            assert_eq!(header("content-type"), kind, "read {n}");
            let policy = header("content-security-policy");
            let directives: Vec<&str> = policy.split(';').map(str::trim).collect();
            assert!(directives.contains(&"sandbox"), "{kind} read {n}: {policy}");
            assert!(
                directives.contains(&"default-src 'none'"),
                "{kind} read {n}: {policy}"
            );
            assert_eq!(header("x-content-type-options"), "nosniff", "read {n}");
            let shown = header("content-disposition");
            assert!(
                shown.starts_with(&format!("{disposition};")),
                "{kind} read {n}: {shown}"
            );
            assert!(!shown.contains('<') && !shown.contains('\n'), "{shown}");
        }
    }
    app.stop().await;
}
on_both_backends!(an_uploaded_document_is_served_sandboxed_wherever_it_is_read);
