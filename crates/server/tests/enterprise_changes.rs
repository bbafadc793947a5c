//! One enterprise per credit code, further accounts of an enterprise, and changes of an
//! enterprise's name and region reviewed before they hold, over HTTP on both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, LINCHUAN, LINCHUAN_NAME};
use support::{assert_problem, assert_product_answers_agree, call, national_token, people};
use support::{file_linchuan_profile, linchuan_profile, sign_up, spawn_app, TestApp, PASSWORD};
use zhichan_domain::RegionCode;
use zhichan_testkit::{on_both_backends, Fresh};

const NAME: &str = LINCHUAN_NAME;

fn profile() -> Value {
    linchuan_profile("C39")
}

/// The firm's profile and one registered product (approved by the city's reviewer); answers
/// the product's registration number.
async fn a_registered_firm(app: &TestApp, firm: &str, reviewer: &str) -> String {
    file_linchuan_profile(app, firm, "C39").await;
    register_product(app, firm, reviewer, "ZC-100").await["registration_number"]
        .as_str()
        .unwrap()
        .to_string()
}

/// One more product of the firm, registered with its one patent; answers it.
async fn register_product(app: &TestApp, firm: &str, reviewer: &str, model: &str) -> Value {
    support::register_product(
        app,
        firm,
        reviewer,
        json!({
            "enterprise": LINCHUAN, "name": "智能数据采集终端", "model": model, "field": "39",
            "first_sold_on": "2022-05-01",
            "figures": [{"year": 2025, "sales_revenue": "1000000.00", "output_value": "1200000"}],
            "patents": [{"number": "201910725275.4", "title": "一种数据采集装置",
                         "patentees": [NAME], "grant_date": "2021-03-02",
                         "legal_status": "valid", "right": "own", "core": true,
                         "embodiment": "采集模块"}]
        }),
    )
    .await
}

async fn verify_page(app: &TestApp, number: &str) -> String {
    let (status, _, text) = app.get_text(&format!("/verify?number={number}")).await;
    assert_eq!(status, StatusCode::OK);
    text
}

async fn a_credit_code_has_one_enterprise_whose_account_adds_its_colleagues(fresh: Fresh) {
    let [firm, fuzhou, nanchang] =
        people(&fresh, ["linchuan.tech", "rev.fuzhou", "rev.nanchang"]).await;
    let app = spawn_app(&fresh).await;

    // Someone signs up with the code before the firm has filled in its profile: the firm's
    // verified account holds the code already, so the sign-up is refused.
    let (status, body) = sign_up(&app, "early.claimant").await;
    assert_eq!(
        assert_problem(status, &body, 409),
        [("credit_code".to_string(), "credit_code_taken".to_string())]
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("账号持有人") && message.contains("审核员"),
        "{message}"
    );

    file_linchuan_profile(&app, &firm, "C39").await;
    // A second profile with the code, even by the region's reviewer: 409 naming the field.
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/enterprises",
        &fuzhou,
        Some(profile()),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 409),
        [("credit_code".to_string(), "credit_code_taken".to_string())]
    );
    // The attacker of the issue: signing up with the firm's code is refused, nothing stored.
    let (status, body) = sign_up(&app, "attacker").await;
    assert_eq!(
        assert_problem(status, &body, 409),
        [("credit_code".to_string(), "credit_code_taken".to_string())]
    );
    let res = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "attacker", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "no account was made"
    );

    // The firm's account adds a colleague, and a reviewer of the region adds another: the
    // one-time code goes to the holder's own contact only, never to whoever adds the account.
    let inbox = support::Inbox::default();
    let mut codes = Vec::new();
    for (adder, username, contact) in [
        (&firm, "linchuan.li", "13800138000"),
        (&fuzhou, "linchuan.wang", "wang.fang@linchuan.example.cn"),
    ] {
        let (status, body) = call(
            &app,
            Method::POST,
            &format!("/api/v1/enterprises/{LINCHUAN}/accounts"),
            adder,
            Some(json!({"username": username, "display_name": "李四"})),
        )
        .await;
        assert_eq!(
            assert_problem(status, &body, 422),
            [("contact".to_string(), "required".to_string())]
        );
        let (status, added) = call(
            &app,
            Method::POST,
            &format!("/api/v1/enterprises/{LINCHUAN}/accounts"),
            adder,
            Some(json!({"username": username, "display_name": "李四", "contact": contact})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert!(added.get("password").is_none() && added.get("setup_code").is_none());
        let sent_to = added["sent_to"].as_str().unwrap();
        assert!(sent_to.contains('*') && sent_to != contact, "{sent_to}");
        let code = inbox.code_for(&fresh, contact).await;
        assert!(!added.to_string().contains(&code), "{added}");
        codes.push(code);
    }
    let code = codes.swap_remove(0);
    // Nobody outside the firm's scope adds accounts to it.
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/accounts"),
        &nanchang,
        Some(json!({"username": "intruder", "contact": "13700137000"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The colleague cannot log in until choosing a password with the code; the code works once.
    let setup = |code: String| {
        app.client
            .post(app.url("/api/v1/account-setup"))
            .json(&json!({"username": "linchuan.li", "code": code, "password": PASSWORD}))
            .send()
    };
    let res = setup("not-the-code".into()).await.unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [("code".to_string(), "invalid_code".to_string())]
    );
    assert_eq!(
        setup(code.clone()).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        setup(code).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let colleague = app.login("linchuan.li").await;
    assert_eq!(colleague.me["enterprise"], LINCHUAN);

    // It works for the firm: it files a product the firm's account then reads.
    let res = colleague
        .client
        .post(app.url("/api/v1/products"))
        .header("x-csrf-token", &colleague.csrf)
        .json(&json!({
            "enterprise": LINCHUAN, "name": "智能数据采集终端", "model": "ZC-100", "field": "39",
            "figures": [{"year": 2025, "sales_revenue": "1000000.00", "output_value": "1200000"}],
            "patents": [{"number": "201910725275.4", "title": "一种数据采集装置",
                         "patentees": [NAME], "grant_date": "2021-03-02",
                         "legal_status": "valid", "right": "own", "core": true}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let (_, list) = call(&app, Method::GET, "/api/v1/products", &firm, None).await;
    assert_eq!(list["total"], 1);
    let read: Value = colleague
        .client
        .get(app.url("/api/v1/products"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["total"], 1);
    let (_, accounts) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/accounts"),
        &fuzhou,
        None,
    )
    .await;
    let names: Vec<&str> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["linchuan.li", "linchuan.tech", "linchuan.wang"]);
    app.stop().await;
}
on_both_backends!(a_credit_code_has_one_enterprise_whose_account_adds_its_colleagues);

async fn a_colleague_whose_code_went_astray_is_added_again_not_refused_as_taken(fresh: Fresh) {
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    add_user(
        &fresh,
        "other.firm",
        "enterprise",
        None,
        Some("91350100M000100Y43"),
    )
    .await;
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "linchuan.tech").await;
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/v1/enterprises",
        &firm,
        Some(profile()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let add = |username: &'static str, contact: &'static str| {
        let (app, firm) = (&app, &firm);
        async move {
            call(
                app,
                Method::POST,
                &format!("/api/v1/enterprises/{LINCHUAN}/accounts"),
                firm,
                Some(json!({"username": username, "display_name": "赵六", "contact": contact})),
            )
            .await
        }
    };
    // The firm mistypes the colleague's number: the code goes to a stranger's phone.
    let (status, _) = add("linchuan.zhao", "13800138001").await;
    assert_eq!(status, StatusCode::CREATED);
    let inbox = support::Inbox::default();
    let astray = inbox.code_for(&fresh, "13800138001").await;
    // The colleague never gets it, so the firm adds the colleague again with the right
    // contact: a fresh code goes there, and the stray one is dead.
    let (status, added) = add("linchuan.zhao", "zhao.liu@linchuan.example.cn").await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["username"], "linchuan.zhao");
    let code = inbox.code_for(&fresh, "zhao.liu@linchuan.example.cn").await;
    let setup = |code: String| {
        app.client
            .post(app.url("/api/v1/account-setup"))
            .json(&json!({"username": "linchuan.zhao", "code": code, "password": PASSWORD}))
            .send()
    };
    assert_eq!(
        setup(astray).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(setup(code).await.unwrap().status(), StatusCode::NO_CONTENT);
    app.login("linchuan.zhao").await;
    // Once the holder has chosen a password the account is the holder's: the name is taken,
    // as is any name of another account, the firm's own or another firm's.
    for name in ["linchuan.zhao", "linchuan.tech", "other.firm"] {
        let (status, body) = add(name, "13800138002").await;
        assert_eq!(
            assert_problem(status, &body, 422),
            [("username".to_string(), "taken".to_string())],
            "{name}"
        );
    }
    app.stop().await;
}
on_both_backends!(a_colleague_whose_code_went_astray_is_added_again_not_refused_as_taken);

async fn a_reviewer_sees_the_conflict_and_approves_a_further_account_only_by_choice(fresh: Fresh) {
    let [fuzhou] = people(&fresh, ["rev.fuzhou"]).await;
    let app = spawn_app(&fresh).await;
    // Two people sign up for the same new firm while nobody holds its code yet.
    for applicant in ["first.applicant", "second.applicant"] {
        assert_eq!(sign_up(&app, applicant).await.0, StatusCode::ACCEPTED);
        support::set_password_with_code(&app, &fresh, applicant).await;
    }
    let (_, queue) = call(&app, Method::GET, "/api/v1/verifications", &fuzhou, None).await;
    assert_eq!(queue["total"], 2);
    assert!(queue["items"][0]["conflict"].is_null());
    let first = queue["items"][0]["id"].as_i64().unwrap();
    let second = queue["items"][1]["id"].as_i64().unwrap();
    let review = |id: i64, body: Value| {
        let app = &app;
        let fuzhou = &fuzhou;
        async move {
            call(
                app,
                Method::POST,
                &format!("/api/v1/verifications/{id}/review"),
                fuzhou,
                Some(body),
            )
            .await
        }
    };
    let (status, _) = review(first, json!({"decision": "approve"})).await;
    assert_eq!(status, StatusCode::OK);

    // Now the code is held: the second application carries a warning, and a plain approval
    // is refused.
    let (_, v) = call(
        &app,
        Method::GET,
        &format!("/api/v1/verifications/{second}"),
        &fuzhou,
        None,
    )
    .await;
    let warning = v["conflict"].as_str().expect("a warning");
    assert!(warning.contains("又一账号"), "{warning}");
    let page = app.login("rev.fuzhou").await;
    let text = page
        .client
        .get(app.url(&format!("/reviews/verifications/{second}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("信用代码已被占用") && text.contains("作为该企业的又一账号批准"),
        "the reviewer's page warns"
    );
    let list = page
        .client
        .get(app.url("/reviews/verifications"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("已有企业"), "the queue marks it");
    let (status, body) = review(second, json!({"decision": "approve"})).await;
    assert_eq!(
        assert_problem(status, &body, 409),
        [("credit_code".to_string(), "credit_code_taken".to_string())]
    );
    let second_user = app.login("second.applicant").await;
    assert_eq!(second_user.me["verification"], "pending", "nothing changed");
    // The reviewer's explicit choice makes it a further account of that enterprise.
    let (status, v) = review(
        second,
        json!({"decision": "approve", "further_account": true}),
    )
    .await;
    assert_eq!(
        (status, v["status"].as_str()),
        (StatusCode::OK, Some("approved"))
    );
    app.stop().await;
}
on_both_backends!(a_reviewer_sees_the_conflict_and_approves_a_further_account_only_by_choice);

async fn a_new_name_holds_only_once_a_reviewer_approves_it(fresh: Fresh) {
    let [firm, fuzhou, nanchang] =
        people(&fresh, ["linchuan.tech", "rev.fuzhou", "rev.nanchang"]).await;
    let app = spawn_app(&fresh).await;
    let number = a_registered_firm(&app, &firm, &fuzhou).await;
    let url = format!("/api/v1/enterprises/{LINCHUAN}");
    const NEW: &str = "江西临川智造科技有限公司";

    let (status, e) = call(
        &app,
        Method::PATCH,
        &url,
        &firm,
        Some(json!({"version": 1, "name": NEW, "address": "文昌大道 2 号"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    // The address is saved; the name waits for review.
    assert_eq!(
        (e["name"].as_str(), e["address"].as_str()),
        (Some(NAME), Some("文昌大道 2 号"))
    );
    assert_eq!(e["amendment"]["status"], "submitted");
    assert_eq!(e["amendment"]["name"], NEW);
    assert_eq!(e["amendment"]["reviewed_in"], "361002");
    let page = verify_page(&app, &number).await;
    assert!(
        page.contains(NAME) && !page.contains(NEW),
        "the approved name stays on /verify"
    );
    let browser = app.login("linchuan.tech").await;
    let profile_page = browser
        .client
        .get(app.url(&format!("/enterprises/{LINCHUAN}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        profile_page.contains("企业信息变更（待审核）") && profile_page.contains(NEW),
        "the profile page shows the change and its state"
    );
    let (_, list) = call(&app, Method::GET, "/api/v1/enterprises", &fuzhou, None).await;
    assert_eq!(list["items"][0]["name"], NAME);
    assert_eq!(list["items"][0]["amendment"]["name"], NEW);

    // Only the enterprise's region decides; returning takes a reason.
    let review = format!("{url}/amendment/review");
    let (status, _) = call(
        &app,
        Method::POST,
        &review,
        &nanchang,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &app,
        Method::POST,
        &review,
        &firm,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        Method::POST,
        &review,
        &fuzhou,
        Some(json!({"decision": "return"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        Method::POST,
        &review,
        &fuzhou,
        Some(json!({"decision": "return", "reason": "请上传名称变更核准通知书"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, e) = call(&app, Method::GET, &url, &firm, None).await;
    assert_eq!(e["name"], NAME);
    assert_eq!(e["amendment"]["status"], "returned");
    assert_eq!(e["amendment"]["reason"], "请上传名称变更核准通知书");
    let (_, notes) = call(&app, Method::GET, "/api/v1/notifications", &firm, None).await;
    assert!(notes.to_string().contains("企业信息变更被退回"), "{notes}");

    // Saved again, it is submitted again; approved, the new name holds everywhere.
    let (status, e) = call(
        &app,
        Method::PATCH,
        &url,
        &firm,
        Some(json!({"version": e["version"], "name": NEW, "address": "文昌大道 3 号"})),
    )
    .await;
    assert_eq!(
        (status, e["amendment"]["status"].as_str()),
        (StatusCode::OK, Some("submitted"))
    );
    let (status, e) = call(
        &app,
        Method::POST,
        &review,
        &fuzhou,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let (_, e) = call(&app, Method::GET, &url, &firm, None).await;
    assert_eq!(
        (e["name"].as_str(), &e["amendment"]),
        (Some(NEW), &Value::Null)
    );
    assert!(verify_page(&app, &number).await.contains(NEW));
    let (status, _) = call(
        &app,
        Method::POST,
        &review,
        &fuzhou,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing left to review");
    app.stop().await;
}
on_both_backends!(a_new_name_holds_only_once_a_reviewer_approves_it);

async fn summary(app: &TestApp, token: &str, region: &str) -> (i64, i64, i64) {
    let (status, s) = call(
        app,
        Method::GET,
        &format!("/api/v1/stats/summary?region={region}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    (
        s["enterprises"].as_i64().unwrap(),
        s["products"].as_i64().unwrap(),
        s["patents"].as_i64().unwrap(),
    )
}

/// The rollups equal the totals counted from the base tables.
async fn rollups_agree(fresh: &Fresh, region: &str) {
    let r = RegionCode::parse(region).unwrap();
    assert_eq!(
        zhichan_store::stats::summary(&fresh.db, r).await.unwrap(),
        zhichan_store::stats::direct_summary(&fresh.db, r)
            .await
            .unwrap(),
        "{region}"
    );
    assert_eq!(
        zhichan_store::stats::by_month(&fresh.db, r).await.unwrap(),
        zhichan_store::stats::direct_by_month(&fresh.db, r)
            .await
            .unwrap(),
        "{region} by month"
    );
}

async fn a_move_is_decided_by_the_destination_and_takes_products_and_statistics(fresh: Fresh) {
    let [firm, fuzhou, nanchang] =
        people(&fresh, ["linchuan.tech", "rev.fuzhou", "rev.nanchang"]).await;
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    a_registered_firm(&app, &firm, &fuzhou).await;
    // Two products with the same patent: the distinct counts must move, not double.
    register_product(&app, &firm, &fuzhou, "ZC-200").await;
    // And one withdrawn: its registration and withdrawal months move too.
    let gone = register_product(&app, &firm, &fuzhou, "ZC-300").await;
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/products/{}/withdraw", gone["id"]),
        &firm,
        Some(json!({"version": gone["version"], "reason": "停产"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let url = format!("/api/v1/enterprises/{LINCHUAN}");
    let review = format!("{url}/amendment/review");
    assert_eq!(summary(&app, &nation, "361000").await, (1, 2, 1));
    assert_eq!(summary(&app, &nation, "360100").await, (0, 0, 0));

    // The firm asks to move to 南昌市东湖区: it stays in 抚州 until 南昌 approves.
    let (status, e) = call(
        &app,
        Method::PATCH,
        &url,
        &firm,
        Some(json!({"version": 1, "region": "360102"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["region"], "361002");
    assert_eq!(
        (
            e["amendment"]["region"].as_str(),
            e["amendment"]["reviewed_in"].as_str()
        ),
        (Some("360102"), Some("360102"))
    );
    let (status, _) = call(&app, Method::GET, &url, &fuzhou, None).await;
    assert_eq!(status, StatusCode::OK, "still in the source's scope");
    let (status, _) = call(&app, Method::GET, &url, &nanchang, None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "not yet in the destination's"
    );
    // Both queues show it; only the destination decides, the source is told.
    let (_, q) = call(
        &app,
        Method::GET,
        "/api/v1/enterprise-amendments",
        &fuzhou,
        None,
    )
    .await;
    assert_eq!(
        (q[0]["credit_code"].as_str(), q[0]["reviewable"].as_bool()),
        (Some(LINCHUAN), Some(false))
    );
    let (_, q) = call(
        &app,
        Method::GET,
        "/api/v1/enterprise-amendments",
        &nanchang,
        None,
    )
    .await;
    assert_eq!(
        (q[0]["credit_code"].as_str(), q[0]["reviewable"].as_bool()),
        (Some(LINCHUAN), Some(true))
    );
    let (status, _) = call(
        &app,
        Method::POST,
        &review,
        &fuzhou,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the source cannot approve a move"
    );

    // Returned: nothing moves.
    let (status, _) = call(
        &app,
        Method::POST,
        &review,
        &nanchang,
        Some(json!({"decision": "return", "reason": "请提供新的营业执照"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary(&app, &nation, "361000").await, (1, 2, 1));
    assert_eq!(summary(&app, &nation, "360100").await, (0, 0, 0));
    let (_, e) = call(&app, Method::GET, &url, &firm, None).await;
    assert_eq!(
        (e["region"].as_str(), e["amendment"]["status"].as_str()),
        (Some("361002"), Some("returned"))
    );

    // Asked again and approved: the enterprise, its product and the statistics move together.
    let (status, _) = call(
        &app,
        Method::PATCH,
        &url,
        &firm,
        Some(json!({"version": e["version"], "region": "360102", "address": "南昌市东湖区"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, e) = call(
        &app,
        Method::POST,
        &review,
        &nanchang,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(
        (status, e["region"].as_str()),
        (StatusCode::OK, Some("360102")),
        "{e}"
    );
    assert_eq!(summary(&app, &nation, "361000").await, (0, 0, 0));
    assert_eq!(summary(&app, &nation, "360100").await, (1, 2, 1));
    assert_eq!(summary(&app, &nation, "360000").await, (1, 2, 1));
    for region in ["361000", "361002", "360100", "360102", "360000"] {
        rollups_agree(&fresh, region).await;
    }
    let (_, mine) = call(&app, Method::GET, "/api/v1/products", &nanchang, None).await;
    assert_eq!(mine["total"], 3, "the products moved with their enterprise");
    let id = mine["items"][0]["id"].as_i64().unwrap();
    let (status, _) = call(
        &app,
        Method::GET,
        &format!("/api/v1/products/{id}"),
        &fuzhou,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "out of the source's scope now"
    );
    let (status, _) = call(&app, Method::GET, &url, &nanchang, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_product_answers_agree(&app, &fresh, &nation).await;
    app.stop().await;
}
on_both_backends!(a_move_is_decided_by_the_destination_and_takes_products_and_statistics);

/// Holes an attacker found in reviewed changes: a submitted change altered after the reviewer
/// looked at it, a reviewer deciding a change they asked for, and the source region cutting
/// short a move only the destination decides.
async fn a_change_under_review_is_decided_as_seen_by_someone_else(fresh: Fresh) {
    let [firm, fuzhou, fuzhou2] =
        people(&fresh, ["linchuan.tech", "rev.fuzhou", "rev.fuzhou2"]).await;
    let app = spawn_app(&fresh).await;
    a_registered_firm(&app, &firm, &fuzhou).await;
    let url = format!("/api/v1/enterprises/{LINCHUAN}");

    // A move is asked for; the enterprise may not slip a new name into it while it waits.
    let (status, e) = call(
        &app,
        Method::PATCH,
        &url,
        &firm,
        Some(json!({"version": 1, "region": "360102"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let version = e["version"].as_i64().unwrap();
    let (status, e) = call(
        &app,
        Method::PATCH,
        &url,
        &firm,
        Some(json!({"version": version, "name": "中国石油化工集团有限公司"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["code"], "amendment_pending");
    // The source region's reviewer cannot withdraw a move the destination decides.
    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("{url}/amendment"),
        &fuzhou,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, e) = call(&app, Method::GET, &url, &firm, None).await;
    assert_eq!(e["amendment"]["region"], "360102");
    assert!(e["amendment"]["name"].is_null());
    // The enterprise withdraws it itself.
    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("{url}/amendment"),
        &firm,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // A reviewer asks for a new name and may not decide it; a colleague may.
    let (_, e) = call(&app, Method::GET, &url, &fuzhou, None).await;
    let version = e["version"].as_i64().unwrap();
    let (status, e) = call(
        &app,
        Method::PATCH,
        &url,
        &fuzhou,
        Some(json!({"version": version, "name": "审核员改的名字"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let review = format!("{url}/amendment/review");
    let (status, e) = call(
        &app,
        Method::POST,
        &review,
        &fuzhou,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["code"], "own_request");
    let (_, e) = call(&app, Method::GET, &url, &firm, None).await;
    assert_eq!(e["name"], NAME);
    let (status, e) = call(
        &app,
        Method::POST,
        &review,
        &fuzhou2,
        Some(json!({"decision": "return", "reason": "名称须与营业执照一致"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
}
on_both_backends!(a_change_under_review_is_decided_as_seen_by_someone_else);
