//! Holes an attacker's probe found, closed: an enterprise sits in a county-level region, pages
//! refuse query parameters they do not read, one-time set-password codes are bounded and die
//! with a disable.

use crate::support;

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, assert_problem, call, spawn_app, TestApp, PASSWORD};
use zhichan_domain::credit_code::check_char;
use zhichan_testkit::{on_both_backends, Fresh};

/// Registered in 抚州市临川区 (361002).
const LINCHUAN: &str = "91361002MA35F6XK04";

/// A credit code issued by 抚州市's own authority (361000): it names a city, not a county.
fn city_issued_code() -> String {
    let first17 = "91361000MA35F6XK0";
    format!("{first17}{}", check_char(first17).unwrap())
}

fn signup_form(username: &str, code: &str, region: &str) -> Form {
    Form::new()
        .text("username", username.to_string())
        .text("contact", support::contact_of(username))
        .text("enterprise_name", "抚州市示例精密制造有限公司")
        .text("credit_code", code.to_string())
        .text("region", region.to_string())
        .text("contact_name", "王芳")
        .text("contact_phone", "0794-8888888")
        .text("pledge", "true")
        .part(
            "document",
            Part::bytes(&b"%PDF-1.4 licence"[..]).file_name("营业执照.pdf"),
        )
}

async fn sign_up(app: &TestApp, username: &str, code: &str, region: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/signup"))
        .multipart(signup_form(username, code, region))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn region_codes(errors: &[(String, String)]) -> Vec<&str> {
    errors
        .iter()
        .filter(|(f, _)| f == "region")
        .map(|(_, c)| c.as_str())
        .collect()
}

async fn an_enterprise_is_placed_in_a_county_never_in_a_city_or_province(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let code = city_issued_code();

    // A firm whose code was issued by the city's authority signs up: the city is not taken as
    // its region, and neither a city nor a province may be typed.
    let (status, body) = sign_up(&app, "fuzhou.firm", &code, "").await;
    assert_eq!(
        region_codes(&assert_problem(status, &body, 422)),
        ["required"]
    );
    let (status, body) = sign_up(&app, "fuzhou.firm", &code, "361000").await;
    let errors = assert_problem(status, &body, 422);
    assert_eq!(region_codes(&errors), ["region_not_county"]);
    assert!(body.to_string().contains("区县"), "{body}");
    // Its county inside the code's city is accepted; the province or a county of another
    // city is not.
    for region in ["360000", "360102"] {
        let (status, body) = sign_up(&app, "fuzhou.firm", &code, region).await;
        assert_eq!(
            region_codes(&assert_problem(status, &body, 422)),
            ["invalid_region"],
            "{region}"
        );
    }
    let (status, body) = sign_up(&app, "fuzhou.firm", &code, "361002").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    // An enterprise filling in its profile through the API: the same rule, and the code's
    // city is not derived as its region either.
    add_user(&fresh, "firm.api", "enterprise", None, Some(&code)).await;
    let firm = app.token(&fresh, "firm.api").await;
    let profile = |region: &str| {
        json!({"credit_code": code, "name": "抚州市示例精密制造有限公司", "region": region,
               "scale": "small", "ownership": "private", "industry": "C39",
               "contact": {"name": "王芳", "phone": "0794-8888888"}})
    };
    for region in ["", "361000", "360000"] {
        let (status, body) = call(
            &app,
            Method::POST,
            "/api/v1/enterprises",
            &firm,
            Some(profile(region)),
        )
        .await;
        let errors = assert_problem(status, &body, 422);
        let want = if region.is_empty() {
            "required"
        } else {
            "region_not_county"
        };
        assert_eq!(region_codes(&errors), [want], "{region:?}");
    }
    // A city without counties (东莞) is a county-level leaf itself.
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/enterprises",
        &firm,
        Some(profile("441900")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let version = body["version"].to_string();

    // Moving to a city is refused by PATCH as by the form.
    let (status, body) = call(
        &app,
        Method::PATCH,
        &format!("/api/v1/enterprises/{code}"),
        &firm,
        Some(json!({"region": "361000", "version": body["version"]})),
    )
    .await;
    assert_eq!(
        region_codes(&assert_problem(status, &body, 422)),
        ["region_not_county"]
    );
    add_user(&fresh, "firm.web", "enterprise", None, Some(&code)).await;
    let web = app.login("firm.web").await;
    let res = web
        .client
        .post(app.url(&format!("/enterprises/{code}/edit")))
        .form(&[
            ("csrf", web.csrf.as_str()),
            ("version", version.as_str()),
            ("name", "抚州市示例精密制造有限公司"),
            ("region", "361000"),
            ("scale", "small"),
            ("ownership", "private"),
            ("industry", "C39"),
            ("contact_name", "王芳"),
            ("contact_phone", "0794-8888888"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("区县一级"));

    // The log keeps the profile's contact masked.
    use zhichan_store::{Exec, Sql};
    let logged: Vec<String> = fresh
        .db
        .fetch_all(Sql::new(
            "SELECT detail FROM audit_log WHERE action = 'enterprise.create'",
        ))
        .await
        .unwrap();
    assert_eq!(logged.len(), 1);
    assert!(!logged[0].contains("0794-8888888"), "{}", logged[0]);
    assert!(logged[0].contains("07********88"), "{}", logged[0]);

    // `zhichan user add` for an enterprise account: a city is refused there too.
    let refused = zhichan_service::Services::new(fresh.db.clone())
        .create_user_by_operator(zhichan_service::accounts::NewAccount {
            username: "firm.cli".into(),
            role: "enterprise".into(),
            region: Some("361000".into()),
            enterprise: Some(code.clone()),
            password: Some(PASSWORD.into()),
            ..Default::default()
        })
        .await;
    match refused {
        Err(zhichan_service::ServiceError::Invalid(v)) => assert!(
            v.iter()
                .any(|e| e.field == "region" && e.violation.code == "region_not_county"),
            "{v:?}"
        ),
        other => panic!("a city accepted for an enterprise account: {other:?}"),
    }
    app.stop().await;
}
on_both_backends!(an_enterprise_is_placed_in_a_county_never_in_a_city_or_province);

async fn a_page_asked_with_a_parameter_it_does_not_read_says_which_it_accepts(fresh: Fresh) {
    add_user(&fresh, "office.fuzhou", "admin", Some("361000"), None).await;
    let app = spawn_app(&fresh).await;

    // A stranger is sent to log in first: the page's parameters are nobody else's business.
    let res = app.get("/products?stauts=submitted").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let office = app.login("office.fuzhou").await;
    let get = |path: &'static str| {
        let client = office.client.clone();
        let url = app.url(path);
        async move {
            let res = client.get(url).send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    // A misspelt filter is refused, naming it and the ones the list reads.
    let (status, text) = get("/products?stauts=submitted").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("“stauts”"), "{text}");
    assert!(text.contains("status、amendment"), "{text}");
    assert!(text.contains("<nav"), "the page keeps its layout");
    let (status, _) = get("/products?status=submitted&page=1&q=%E7%BB%88%E7%AB%AF").await;
    assert_eq!(status, StatusCode::OK);
    // A page that reads none says so.
    let (status, text) = get("/ports?next=https://evil.example").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("此页面不接受任何查询参数"), "{text}");
    let (status, _) = get("/stats?region=361000").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get("/stats?region=361000&by=field").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.stop().await;
}
on_both_backends!(a_page_asked_with_a_parameter_it_does_not_read_says_which_it_accepts);

async fn reset(app: &TestApp, sys: &str, id: i64) -> (StatusCode, Value) {
    let path = format!("/api/v1/users/{id}/password-reset");
    call(app, Method::POST, &path, sys, None).await
}

/// The system and the security administrator (enrolled), and a city reviewer `shi.shenhe`
/// whose codes go to ylw@fz.example.cn; the app, and the system administrator's token.
async fn administrators_and_a_city_reviewer(fresh: &Fresh) -> (TestApp, String) {
    use support::enrolled;
    add_user(fresh, "xitong", "sysadmin", None, None).await;
    add_user(fresh, "anquan", "secadmin", None, None).await;
    enrolled(fresh, "xitong").await;
    enrolled(fresh, "anquan").await;
    zhichan_service::Services::new(fresh.db.clone())
        .create_user_by_operator(zhichan_service::accounts::NewAccount {
            username: "shi.shenhe".into(),
            role: "reviewer".into(),
            region: Some("361000".into()),
            password: Some(PASSWORD.into()),
            contact: Some("ylw@fz.example.cn".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let app = spawn_app(fresh).await;
    let sys = app.token(fresh, "xitong").await;
    (app, sys)
}

async fn setup_codes_die_with_a_contact_change_or_a_disable_and_are_bounded(fresh: Fresh) {
    use support::Inbox;
    use zhichan_store::{Exec, Sql};
    let (app, sys) = administrators_and_a_city_reviewer(&fresh).await;
    let id = app.read_as("/api/v1/users?q=shi.shenhe", &sys).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let version =
        || async { app.read_as(&format!("/api/v1/users/{id}"), &sys).await["version"].clone() };
    let set_up = |code: String| {
        let req = app
            .client
            .post(app.url("/api/v1/password-setup"))
            .json(&json!({"code": code, "new_password": "Shi-Shenhe-2027a"}));
        async move { req.send().await.unwrap().status() }
    };

    // A three-letter name is not given away by the mask: one letter of it, no more.
    let (status, body) = reset(&app, &sys, id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sent_to"], "y***@fz.example.cn");

    // A code is on its way to the old address, and another waits to be sent.
    let inbox = Inbox::default();
    let old_code = inbox.code_for(&fresh, "ylw@fz.example.cn").await;
    let (status, _) = reset(&app, &sys, id).await;
    assert_eq!(status, StatusCode::OK);
    // The contact was wrong. The system administrator who resets passwords may not point the
    // account elsewhere (he would receive its code); the security administrator corrects it.
    let contact = json!({"contact": "13800000088", "version": version().await});
    let path = format!("/api/v1/users/{id}/contact");
    let (status, _) = call(&app, Method::POST, &path, &sys, Some(contact.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let sec = app.token(&fresh, "anquan").await;
    let (status, body) = call(&app, Method::POST, &path, &sec, Some(contact)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["contact"], "13*******88");
    let waiting: i64 = fresh
        .db
        .fetch_one(Sql::new(
            "SELECT COUNT(*) FROM account_outbox WHERE status = 'pending' OR body <> ''",
        ))
        .await
        .unwrap();
    assert_eq!(waiting, 0, "nothing left to carry a dead code");
    assert_eq!(set_up(old_code).await, StatusCode::UNPROCESSABLE_ENTITY);

    // A code issued to the new number dies when the account is disabled, and stays dead when
    // it is enabled again.
    let (status, _) = reset(&app, &sys, id).await;
    assert_eq!(status, StatusCode::OK);
    let code = inbox.code_for(&fresh, "13800000088").await;
    for disabled in [true, false] {
        let (status, body) = call(
            &app,
            Method::POST,
            &format!("/api/v1/users/{id}/status"),
            &sys,
            Some(json!({"disabled": disabled, "version": version().await})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(set_up(code).await, StatusCode::UNPROCESSABLE_ENTITY);

    // Three codes so far this hour; two more, and the sixth is refused.
    for _ in 0..2 {
        assert_eq!(reset(&app, &sys, id).await.0, StatusCode::OK);
    }
    let (status, body) = reset(&app, &sys, id).await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("user".to_string(), "too_many_codes".to_string())]
    );
    // The log names the contacts masked only.
    let details: Vec<String> = fresh
        .db
        .fetch_all(Sql::new(
            "SELECT detail FROM audit_log WHERE action IN ('user.contact', 'user.password_reset')",
        ))
        .await
        .unwrap();
    assert!(details.len() >= 6, "{details:?}");
    for d in &details {
        assert!(!d.contains("ylw@") && !d.contains("13800000088"), "{d}");
    }
    app.stop().await;
}
on_both_backends!(setup_codes_die_with_a_contact_change_or_a_disable_and_are_bounded);

async fn the_security_administrator_corrects_a_contact_on_the_users_page(fresh: Fresh) {
    use support::Inbox;
    let (app, sys) = administrators_and_a_city_reviewer(&fresh).await;
    let sec = app.token(&fresh, "anquan").await;
    let id = app.read_as("/api/v1/users?q=shi.shenhe", &sys).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let page = |token: &str, query: &str| {
        let (app, path) = (&app, format!("/admin/users/{id}{query}"));
        let token = token.to_string();
        async move {
            let (status, html) = app.page_as(&path, &token).await;
            assert_eq!(status, StatusCode::OK);
            html
        }
    };
    let post = |token: &str, contact: &str, version: i64| {
        let req = app
            .client
            .post(app.url(&format!("/admin/users/{id}/contact")))
            .bearer_auth(token)
            .form(&[("contact", contact), ("version", &version.to_string())]);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let location = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string());
            (status, location, res.text().await.unwrap())
        }
    };
    let form = format!("action=\"/admin/users/{id}/contact\"");

    // A code is on its way to the wrong address.
    assert_eq!(reset(&app, &sys, id).await.0, StatusCode::OK);
    let old_code = Inbox::default().code_for(&fresh, "ylw@fz.example.cn").await;
    let version = app.read_as(&format!("/api/v1/users/{id}"), &sys).await["version"]
        .as_i64()
        .unwrap();
    // Only the security administrator is offered the form, and only he may send it.
    assert!(!page(&sys, "").await.contains(&form));
    assert!(page(&sec, "").await.contains(&form));
    assert_eq!(
        post(&sys, "13800000088", version).await.0,
        StatusCode::FORBIDDEN
    );
    // A contact that is neither a mobile number nor an e-mail address: refused beside the
    // field, what was typed kept.
    let (status, _, html) = post(&sec, "0794-88", version).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"u-contact-error\""), "{html}");
    assert!(html.contains("value=\"0794-88\""), "{html}");
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    // A stale version: 409, nothing changed.
    let (status, _, html) = post(&sec, "13800000088", version - 1).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("value=\"13800000088\""), "{html}");
    // Corrected: the page says so, shows the new contact masked, and the open code is dead.
    let (status, location, _) = post(&sec, "13800000088", version).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    assert_eq!(location, format!("/admin/users/{id}?done=contact"));
    let html = page(&sec, "?done=contact").await;
    assert!(
        html.contains("13*******88") && html.contains("已作废"),
        "{html}"
    );
    let res = app
        .client
        .post(app.url("/api/v1/password-setup"))
        .json(&json!({"code": old_code, "new_password": "Shi-Shenhe-2027a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}
on_both_backends!(the_security_administrator_corrects_a_contact_on_the_users_page);

async fn a_reason_or_a_port_contact_cannot_be_a_novel(fresh: Fresh) {
    add_user(&fresh, "firm", "enterprise", None, Some(LINCHUAN)).await;
    add_user(&fresh, "office.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "office.jiangxi", "admin", Some("360000"), None).await;
    support::enrolled(&fresh, "office.jiangxi").await;
    // 临川's port is open: its office is on the platform.
    add_user(&fresh, "office.linchuan", "admin", Some("361002"), None).await;
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "firm").await;
    let office = app.token(&fresh, "office.fuzhou").await;
    let province = app.token(&fresh, "office.jiangxi").await;
    let novel = "理".repeat(501);
    let (status, e) = call(
        &app,
        Method::POST,
        "/api/v1/enterprises",
        &firm,
        Some(
            json!({"credit_code": LINCHUAN, "name": "抚州市临川区示例科技有限公司",
                    "scale": "small", "ownership": "private", "industry": "C39",
                    "contact": {"name": "王芳", "phone": "0794-8888888"}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let (status, p) = call(
        &app,
        Method::POST,
        "/api/v1/products",
        &firm,
        Some(
            json!({"enterprise": LINCHUAN, "name": "智能数据采集终端", "model": "ZC-1",
                    "field": "39", "first_sold_on": "2022-05-01",
                    "patents": [{"number": "201910725275.4", "title": "一种数据采集装置",
                                 "patentees": ["抚州市临川区示例科技有限公司"],
                                 "grant_date": "2021-03-02", "legal_status": "valid",
                                 "right": "own", "core": true, "embodiment": "采集模块"}]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    // An enterprise's reason for withdrawing is kept short…
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/products/{}/withdraw", p["id"]),
        &firm,
        Some(json!({"reason": novel, "version": p["version"]})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("reason".to_string(), "too_long".to_string())]
    );
    // …and so is an office's for closing a port.
    let ports = app.read_as("/api/v1/ports", &office).await;
    let port = ports
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["region"] == "361002")
        .cloned()
        .unwrap();
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/ports/361002/close",
        &office,
        Some(json!({"reason": novel, "version": port["version"]})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("reason".to_string(), "too_long".to_string())]
    );
    // A port application's phone and e-mail address have their lengths too.
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/ports",
        &province,
        Some(
            json!({"region": "361002", "unit": "临川区知识产权局", "contact_name": "李明",
                    "contact_phone": format!("0794-{}", "8".repeat(5000)),
                    "contact_email": format!("{}@example.cn", "a".repeat(5000)),
                    "purpose": "管理本区企业备案"}),
        ),
    )
    .await;
    let mut errors = assert_problem(status, &body, 422);
    errors.sort();
    assert_eq!(
        errors,
        [
            ("contact_email".to_string(), "too_long".to_string()),
            ("contact_phone".to_string(), "too_long".to_string())
        ]
    );
    app.stop().await;
}
on_both_backends!(a_reason_or_a_port_contact_cannot_be_a_novel);

async fn a_new_accounts_name_is_a_name_not_a_novel(fresh: Fresh) {
    use support::enrolled;
    add_user(&fresh, "xitong", "sysadmin", None, None).await;
    enrolled(&fresh, "xitong").await;
    let app = spawn_app(&fresh).await;
    let sys = app.token(&fresh, "xitong").await;
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/users",
        &sys,
        Some(
            json!({"username": "shi.shenhe", "role": "reviewer", "region": "361000",
                    "display_name": "审".repeat(51), "contact": "13800000088"}),
        ),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("display_name".to_string(), "too_long".to_string())]
    );
    app.stop().await;
}
on_both_backends!(a_new_accounts_name_is_a_name_not_a_novel);
