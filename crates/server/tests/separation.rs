//! 三员分立 that holds, and limits a stranger cannot turn against others, as the system,
//! security and national officials live them over HTTP: on SQLite and PostgreSQL.

use crate::support;

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{
    add_user, assert_problem, enrolled, spawn_app, spawn_with, Inbox, TestApp, PASSWORD,
};
use zhichan_service::Services;
use zhichan_store::{Exec, Sql};
use zhichan_testkit::{on_both_backends, Fresh};

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, String) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn status_as(app: &TestApp, path: &str, token: &str) -> StatusCode {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn login(app: &TestApp, username: &str, password: &str) -> StatusCode {
    app.client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn the_system_administrator_creates_a_reviewer_without_learning_a_password_or_giving_power(
    fresh: Fresh,
) {
    add_user(&fresh, "xitong", "sysadmin", None, None).await;
    add_user(&fresh, "anquan", "secadmin", None, None).await;
    enrolled(&fresh, "xitong").await;
    enrolled(&fresh, "anquan").await;
    let app = spawn_app(&fresh).await;
    let sys = app.token(&fresh, "xitong").await;
    let sec = app.token(&fresh, "anquan").await;

    // He may not choose the password himself.
    let (status, body) = post(
        &app,
        "/api/v1/users",
        &sys,
        json!({"username": "shen.he", "role": "reviewer", "region": "100000",
               "contact": "13800138000", "password": "Chosen-By-Him-1"}),
    )
    .await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        assert_problem(status, &body, 422),
        [("password".to_string(), "not_allowed".to_string())]
    );
    let (status, text) = post(
        &app,
        "/api/v1/users",
        &sys,
        json!({"username": "shen.he", "role": "reviewer", "region": "100000",
               "contact": "13800138000"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let created: Value = serde_json::from_str(&text).unwrap();
    assert!(
        created.get("temporary_password").is_none(),
        "no password: {text}"
    );
    assert_eq!(created["sent_to"], "13*******00");
    assert_eq!(created["user"]["granted"], false);
    let id = created["user"]["id"].as_i64().unwrap();

    // The code reaches the reviewer's phone only: nothing the administrator was answered has it.
    let inbox = Inbox::default();
    let code = inbox.code_for(&fresh, "13800138000").await;
    assert!(code.len() >= 32);
    assert!(!text.contains(&code));
    let listed = app.read_as("/api/v1/users?per_page=50", &sys).await;
    assert!(!listed.to_string().contains(&code));
    let res = app
        .client
        .get(app.url(&format!("/api/v1/users/{id}")))
        .bearer_auth(&sys)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !res.contains(&code) && !res.contains("13800138000"),
        "{res}"
    );

    // The reviewer sets the password; the code serves once.
    let setup = |code: String, pw: &'static str| {
        app.client
            .post(app.url("/api/v1/password-setup"))
            .json(&json!({"code": code, "new_password": pw}))
            .send()
    };
    assert_eq!(
        setup(code.clone(), "Shenhe-Guojia-2026")
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    let again = setup(code.clone(), "Shenhe-Guojia-2027").await.unwrap();
    let status = again.status();
    let body: Value = again.json().await.unwrap();
    assert_eq!(
        assert_problem(status, &body, 422),
        [("code".to_string(), "invalid_code".to_string())]
    );
    assert_eq!(
        login(&app, "shen.he", "Shenhe-Guojia-2026").await,
        StatusCode::OK
    );

    // Until the security administrator grants it, the account can do no review.
    let reviewer = app.token(&fresh, "shen.he").await;
    assert_eq!(
        status_as(&app, "/api/v1/verifications", &reviewer).await,
        StatusCode::FORBIDDEN
    );
    let current = app.read_as(&format!("/api/v1/users/{id}"), &sec).await;
    assert_eq!(current["granted"], false);
    let grant = json!({"role": "reviewer", "region": "100000", "version": current["version"]});
    let (status, _) = post(
        &app,
        &format!("/api/v1/users/{id}/grant"),
        &sys,
        grant.clone(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the system administrator grants nothing"
    );
    let (status, text) = post(&app, &format!("/api/v1/users/{id}/grant"), &sec, grant).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        status_as(&app, "/api/v1/verifications", &reviewer).await,
        StatusCode::OK,
        "granted at once"
    );
    // Nobody binds an account to an enterprise here: that stays with the enterprise.
    let (status, body) = post(
        &app,
        "/api/v1/users",
        &sys,
        json!({"username": "fake.firm", "role": "enterprise", "contact": "13800138001",
               "enterprise": "91361002MA35F6XK04"}),
    )
    .await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        assert_problem(status, &body, 422),
        [("role".to_string(), "not_allowed".to_string())]
    );
    // Nor does anyone grant the three administrators' roles here.
    let version = serde_json::from_str::<Value>(&text).unwrap()["version"].clone();
    let (status, _) = post(
        &app,
        &format!("/api/v1/users/{id}/grant"),
        &sec,
        json!({"role": "sysadmin", "version": version}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}
on_both_backends!(
    the_system_administrator_creates_a_reviewer_without_learning_a_password_or_giving_power
);

async fn a_reset_gives_the_administrator_nothing_and_ends_the_old_token_at_once(fresh: Fresh) {
    add_user(&fresh, "xitong", "sysadmin", None, None).await;
    enrolled(&fresh, "xitong").await;
    Services::new(fresh.db.clone())
        .create_user_by_operator(zhichan_service::accounts::NewAccount {
            username: "guojia.shenhe".into(),
            role: "reviewer".into(),
            region: Some("100000".into()),
            password: Some(PASSWORD.into()),
            contact: Some("shenhe@cnipa.example.cn".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let app = spawn_app(&fresh).await;
    let sys = app.token(&fresh, "xitong").await;
    let reviewer = app.token(&fresh, "guojia.shenhe").await;
    // Used, and so remembered by the server for a few seconds.
    assert_eq!(
        status_as(&app, "/api/v1/me", &reviewer).await,
        StatusCode::OK
    );
    let id = app.read_as("/api/v1/me", &reviewer).await["id"]
        .as_i64()
        .unwrap();

    let (status, text) = post(
        &app,
        &format!("/api/v1/users/{id}/password-reset"),
        &sys,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["sent_to"], "sh***@cnipa.example.cn");
    assert!(answer.get("temporary_password").is_none(), "{text}");

    // The old token, the old password: both dead at once.
    assert_eq!(
        status_as(&app, "/api/v1/me", &reviewer).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, "guojia.shenhe", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    // Only the reviewer's mailbox holds the way back in.
    let inbox = Inbox::default();
    let code = inbox.code_for(&fresh, "shenhe@cnipa.example.cn").await;
    assert!(!text.contains(&code));
    let res = app
        .client
        .post(app.url("/api/v1/password-setup"))
        .json(&json!({"code": code, "new_password": "Guojia-Shenhe-2027"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        login(&app, "guojia.shenhe", "Guojia-Shenhe-2027").await,
        StatusCode::OK
    );
    // The outbox does not keep the code readable once it was sent.
    let kept: i64 = fresh
        .db
        .fetch_one(Sql::new(
            "SELECT COUNT(*) FROM account_outbox WHERE body <> ''",
        ))
        .await
        .unwrap();
    assert_eq!(kept, 0);
    app.stop().await;
}
on_both_backends!(a_reset_gives_the_administrator_nothing_and_ends_the_old_token_at_once);

async fn a_disabled_accounts_token_dies_at_once_and_stays_dead(fresh: Fresh) {
    add_user(&fresh, "xitong", "sysadmin", None, None).await;
    add_user(&fresh, "zhuanjia", "expert", None, None).await;
    enrolled(&fresh, "xitong").await;
    let app = spawn_app(&fresh).await;
    let sys = app.token(&fresh, "xitong").await;
    let expert = app.token(&fresh, "zhuanjia").await;
    let me = app.read_as("/api/v1/me", &expert).await;
    let id = me["id"].as_i64().unwrap();
    let user = app.read_as(&format!("/api/v1/users/{id}"), &sys).await;
    let (status, text) = post(
        &app,
        &format!("/api/v1/users/{id}/status"),
        &sys,
        json!({"disabled": true, "version": user["version"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        status_as(&app, "/api/v1/me", &expert).await,
        StatusCode::UNAUTHORIZED
    );
    let version = serde_json::from_str::<Value>(&text).unwrap()["version"].clone();
    let (status, _) = post(
        &app,
        &format!("/api/v1/users/{id}/status"),
        &sys,
        json!({"disabled": false, "version": version}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        status_as(&app, "/api/v1/me", &expert).await,
        StatusCode::UNAUTHORIZED,
        "enabled again, the account needs a new token"
    );
    app.stop().await;
}
on_both_backends!(a_disabled_accounts_token_dies_at_once_and_stays_dead);

async fn attempt_from(
    app: &TestApp,
    address: &str,
    username: &str,
    password: &str,
) -> (StatusCode, Value, bool) {
    let res = app
        .client
        .post(app.url("/api/v1/session"))
        .header("x-forwarded-for", address)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let retry = res.headers().get("retry-after").is_some();
    (status, res.json().await.unwrap_or(Value::Null), retry)
}

async fn a_stranger_cannot_lock_the_administrator_out_nor_learn_which_names_exist(fresh: Fresh) {
    add_user(&fresh, "xitong", "sysadmin", None, None).await;
    let app = spawn_with(
        &fresh,
        zhichan_server::Settings {
            trust_proxy: true,
            ..Default::default()
        },
    )
    .await;
    let mut answers = Vec::new();
    for (name, address) in [("xitong", "203.0.113.9"), ("no.such.admin", "203.0.113.10")] {
        let mut seen = Vec::new();
        for _ in 0..10 {
            seen.push(attempt_from(&app, address, name, "Guess-Word-2026").await);
        }
        answers.push(seen);
    }
    // Known and unknown answer alike, attempt by attempt: 401 four times, then 423 with when.
    for (known, unknown) in answers[0].iter().zip(&answers[1]) {
        assert_eq!(known.0, unknown.0);
        assert_eq!(known.2, unknown.2, "Retry-After alike");
        let keys = |v: &Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(&known.1), keys(&unknown.1));
        assert_eq!(known.1["title"], unknown.1["title"]);
    }
    let (status, body, retry) = answers[1].last().unwrap().clone();
    assert_eq!(status, StatusCode::LOCKED);
    assert!(retry);
    assert!(
        body["detail"].as_str().unwrap().contains("锁定至"),
        "{body}"
    );
    assert_eq!(answers[0][3].0, StatusCode::UNAUTHORIZED);
    assert_eq!(answers[0][4].0, StatusCode::LOCKED);

    // The stranger's address stays locked, the administrator's is not.
    let (status, _, _) = attempt_from(&app, "203.0.113.9", "xitong", PASSWORD).await;
    assert_eq!(status, StatusCode::LOCKED);
    let (status, body, _) = attempt_from(&app, "198.51.100.7", "xitong", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.stop().await;
}
on_both_backends!(a_stranger_cannot_lock_the_administrator_out_nor_learn_which_names_exist);

fn signup_form(username: &str) -> Form {
    Form::new()
        .text("username", username.to_string())
        .text("contact", support::contact_of(username))
        .text("enterprise_name", "抚州市临川区示例科技有限公司")
        .text("credit_code", "91361002MA35F6XK04")
        .text("contact_name", "王芳")
        .text("contact_phone", "0794-8888888")
        .text("pledge", "true")
        .part(
            "document",
            Part::bytes(vec![b'%'; 64 * 1024]).file_name("营业执照.pdf"),
        )
}

async fn sign_ups_and_uploads_from_one_address_are_limited(fresh: Fresh) {
    add_user(&fresh, "anquan", "secadmin", None, None).await;
    let app = spawn_with(
        &fresh,
        zhichan_server::Settings {
            trust_proxy: true,
            ..Default::default()
        },
    )
    .await;
    let signup = |address: &'static str, n: usize| {
        app.client
            .post(app.url("/api/v1/signup"))
            .header("x-forwarded-for", address)
            .multipart(signup_form(&format!("qiye.{n}")))
            .send()
    };
    // Ten an hour by default, whatever their outcome (most of these are refused as duplicates).
    for n in 0..10 {
        let status = signup("203.0.113.9", n).await.unwrap().status();
        assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "sign-up {n}");
    }
    let res = signup("203.0.113.9", 10).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    assert!(support::content_type(&res).starts_with("application/problem+json"));
    let body: Value = res.json().await.unwrap();
    assert_problem(StatusCode::TOO_MANY_REQUESTS, &body, 429);
    assert!(body["detail"].as_str().unwrap().contains("注册过于频繁"));
    // Another address is not affected.
    assert_ne!(
        signup("198.51.100.7", 11).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    app.stop().await;

    // Uploads count too; the security administrator sets the limit.
    let s = Services::new(fresh.db.clone());
    let sec = s
        .login(&zhichan_service::Ctx::cli(), "anquan", PASSWORD, None, None)
        .await
        .unwrap()
        .auth
        .actor;
    let current = s.security_settings().await.unwrap();
    let mut stricter = current.settings.clone();
    stricter.uploads_per_hour = 1;
    s.update_security_settings(
        &sec,
        &zhichan_service::Ctx::cli(),
        current.version,
        stricter,
        "测试上传限额",
    )
    .await
    .unwrap();
    add_user(&fresh, "sheng.ban", "admin", Some("360000"), None).await;
    let app = spawn_with(
        &fresh,
        zhichan_server::Settings {
            trust_proxy: true,
            ..Default::default()
        },
    )
    .await;
    let office = app.token(&fresh, "sheng.ban").await;
    enrolled(&fresh, "sheng.ban").await;
    let upload = || {
        app.client
            .post(app.url("/api/v1/directories"))
            .bearer_auth(&office)
            .header("x-forwarded-for", "192.0.2.5")
            .multipart(
                Form::new()
                    .text("name", "重点企业")
                    .text("region", "360000")
                    .part(
                        "file",
                        Part::bytes(b"name,credit_code\n".to_vec()).file_name("list.csv"),
                    ),
            )
            .send()
    };
    assert_ne!(
        upload().await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let res = upload().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    app.stop().await;
}
on_both_backends!(sign_ups_and_uploads_from_one_address_are_limited);

async fn the_administrators_pages_show_no_password_and_the_owner_sets_it_on_a_page(fresh: Fresh) {
    add_user(&fresh, "xitong", "sysadmin", None, None).await;
    add_user(&fresh, "anquan", "secadmin", None, None).await;
    enrolled(&fresh, "xitong").await;
    enrolled(&fresh, "anquan").await;
    let app = spawn_app(&fresh).await;
    let sys = app.token(&fresh, "xitong").await;
    let sec = app.token(&fresh, "anquan").await;
    let res = app
        .client
        .post(app.url("/admin/users"))
        .bearer_auth(&sys)
        .form(&[
            ("username", "zhuan.jia"),
            ("display_name", "专家甲"),
            ("role", "expert"),
            ("contact", "zhuanjia@example.cn"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("一次性设置码已发往本人联系方式 zh***@example.cn"),
        "{page}"
    );
    assert!(!page.contains("临时密码"));
    let code = Inbox::default()
        .code_for(&fresh, "zhuanjia@example.cn")
        .await;
    assert!(!page.contains(&code));

    // The security administrator sees the account waiting and grants it from the list.
    let page = app
        .client
        .get(app.url("/admin/users?q=zhuan"))
        .bearer_auth(&sec)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("待授权"), "{page}");
    let id = app.read_as("/api/v1/users?q=zhuan", &sec).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let action = format!("/admin/users/{id}/grant");
    // The list leads to the account's page, whose grant form posts to it.
    assert!(page.contains(&format!("/admin/users/{id}#grant")), "{page}");
    let user = app.read_as(&format!("/api/v1/users/{id}"), &sec).await;
    let res = app
        .client
        .post(app.url(&action))
        .bearer_auth(&sec)
        .form(&[
            ("role", "expert".to_string()),
            ("version", user["version"].to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.read_as(&format!("/api/v1/users/{id}"), &sec).await["granted"],
        true
    );

    // The owner sets the password on the public page and logs in.
    let (status, _, page) = app.get_text("/password/setup").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("设置码"));
    let res = app
        .client
        .post(app.url("/password/setup"))
        .form(&[
            ("code", code.as_str()),
            ("new_password", "Zhuanjia-Pingshen-26"),
            ("confirm_password", "Zhuanjia-Pingshen-26"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("密码已设置"));
    assert_eq!(
        login(&app, "zhuan.jia", "Zhuanjia-Pingshen-26").await,
        StatusCode::OK
    );
    app.stop().await;
}
on_both_backends!(the_administrators_pages_show_no_password_and_the_owner_sets_it_on_a_page);
