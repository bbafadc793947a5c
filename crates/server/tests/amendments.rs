//! Amendments (变更) keep a registration in force, and a reviewer may revoke (撤销) one: the
//! stories of CONTRACT.md "Registration details that must hold", over HTTP, on both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{assert_problem, assert_product_answers_agree, call, file_linchuan_profile, people};
use support::{register_product, spawn_app, TestApp, LINCHUAN, LINCHUAN_NAME};
use zhichan_testkit::{on_both_backends, Fresh};

/// What `/verify?number=` shows to anyone.
async fn verify(app: &TestApp, number: &str) -> String {
    let (status, _, text) = app.get_text(&format!("/verify?number={number}")).await;
    assert_eq!(status, StatusCode::OK);
    text
}

/// The region's totals and its products by field, as the office sees them.
async fn stats(app: &TestApp, office: &str) -> (Value, Vec<(String, i64, String)>) {
    let summary = app.read_as("/api/v1/stats/summary", office).await;
    let fields = app
        .read_as("/api/v1/stats/breakdown?by=field", office)
        .await["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["products"].as_i64() != Some(0))
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["products"].as_i64().unwrap(),
                r["sales_revenue"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (summary, fields)
}

/// Registers a product and has it approved; answers its id, version and number.
async fn register(
    app: &TestApp,
    firm: &str,
    reviewer: &str,
    name: &str,
    sales: &str,
) -> (i64, i64, String) {
    let p = register_product(
        app,
        firm,
        reviewer,
        json!({
            "enterprise": LINCHUAN, "name": name, "model": "ZC-100", "field": "39",
            "figures": [{"year": 2025, "sales_revenue": sales, "output_value": sales}],
            "patents": [{"number": "201910725275.4", "title": "一种数据采集装置",
                         "patentees": [LINCHUAN_NAME], "grant_date": "2021-03-02",
                         "legal_status": "valid", "right": "own", "core": true,
                         "embodiment": "采集模块"}]
        }),
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["status"], "approved");
    assert_eq!(p["amendment"], Value::Null);
    (
        id,
        p["version"].as_i64().unwrap(),
        p["registration_number"].as_str().unwrap().to_string(),
    )
}

async fn an_approved_product_stays_registered_while_it_is_amended(fresh: Fresh) {
    let [firm, reviewer, office] =
        people(&fresh, ["linchuan.tech", "rev.fuzhou", "adm.fuzhou"]).await;
    let app = spawn_app(&fresh).await;
    file_linchuan_profile(&app, &firm, "C39").await;
    let (id, version, number) =
        register(&app, &firm, &reviewer, "智能数据采集终端", "1000.00").await;
    let registered = stats(&app, &office).await;
    assert_eq!(registered.0["products"], 1);
    assert_eq!(registered.0["sales_revenue"], "1000.00");
    assert_eq!(registered.1, [("39".to_string(), 1, "1000.00".to_string())]);
    let path = format!("/api/v1/products/{id}");

    // The enterprise edits its approved product: the edit is an amendment, the registration
    // stays as approved everywhere.
    let (status, p) = call(
        &app,
        Method::PATCH,
        &path,
        &firm,
        Some(
            json!({"version": version, "name": "未经审核的新名称", "field": "38",
            "figures": [{"year": 2025, "sales_revenue": "5000", "output_value": "5000"}],
            "patents": [
                {"number": "ZL201910725275.4", "core": true, "embodiment": "采集模块"},
                {"number": "202120345678.9", "title": "一种外壳", "patentees": [LINCHUAN_NAME],
                 "grant_date": "2022-01-04", "legal_status": "valid", "right": "own",
                 "core": false, "embodiment": "外壳"}]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "approved");
    assert_eq!(p["name"], "智能数据采集终端");
    assert_eq!(p["field"], "39");
    assert_eq!(p["patents"].as_array().unwrap().len(), 1);
    assert_eq!(p["amendment"]["status"], "draft");
    assert_eq!(p["amendment"]["name"], "未经审核的新名称");
    assert_eq!(p["amendment"]["figures"][0]["sales_revenue"], "5000.00");
    assert_eq!(p["amendment"]["patents"][1]["number"], "ZL202120345678.9");
    let version = p["version"].as_i64().unwrap();
    assert_eq!(p["amendment"]["version"], version);
    assert_eq!(p["registration_number"], number.as_str());
    let page = verify(&app, &number).await;
    assert!(
        page.contains("该备案有效") && page.contains("智能数据采集终端"),
        "{page}"
    );
    assert!(!page.contains("未经审核的新名称"));
    assert_eq!(stats(&app, &office).await, registered);
    // The new patent is not in the enterprise's list until the amendment is approved.
    let patents = app
        .read_as(&format!("/api/v1/enterprises/{LINCHUAN}/patents"), &firm)
        .await;
    assert!(!patents.to_string().contains("202120345678"), "{patents}");
    // The certificate still prints the registered version.
    let browser = app.login("linchuan.tech").await;
    let cert = browser
        .client
        .get(app.url(&format!("/products/{id}/certificate")))
        .send()
        .await
        .unwrap();
    assert_eq!(cert.status(), StatusCode::OK);
    let cert = cert.text().await.unwrap();
    assert!(cert.contains("智能数据采集终端") && !cert.contains("未经审核的新名称"));
    // Its page shows the amendment, its state and a discard button; the edit form edits it.
    let html = browser
        .client
        .get(app.url(&format!("/products/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("变更：变更草稿") && html.contains("放弃变更"),
        "{html}"
    );
    assert!(html.contains("备案成功"));
    let form = browser
        .client
        .get(app.url(&format!("/products/{id}/edit")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("未经审核的新名称"),
        "the form starts from the amendment"
    );

    // Submitted, it is in the reviewer's queue of amendments with its deadline, not among
    // first registrations; returned, the registration is still in force, counted and
    // printable.
    let (status, p) = call(
        &app,
        Method::POST,
        &format!("{path}/submit"),
        &firm,
        Some(json!({"version": version})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "approved");
    assert_eq!(p["amendment"]["status"], "submitted");
    assert!(p["review_due"].is_string(), "{p}");
    let queue = app
        .read_as("/api/v1/products?amendment=submitted", &reviewer)
        .await;
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["id"], id);
    let firsts = app
        .read_as("/api/v1/products?status=submitted", &reviewer)
        .await;
    assert_eq!(firsts["total"], 0);
    let reviewer_page = app.login("rev.fuzhou").await;
    let queue_page = reviewer_page
        .client
        .get(app.url("/products?amendment=submitted"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        queue_page.contains("智能数据采集终端") && queue_page.contains("备案成功（变更待审核）"),
        "the reviewer's queue of amendments"
    );
    assert!(queue_page.contains("审核时限") && queue_page.contains("个工作日"));
    let html = reviewer_page
        .client
        .get(app.url(&format!("/products/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("变更审查"),
        "the reviewer decides the amendment"
    );
    assert!(
        html.contains("产品名称") && html.contains("未经审核的新名称"),
        "a field-by-field diff"
    );
    let (status, p) = call(
        &app,
        Method::POST,
        &format!("{path}/review"),
        &reviewer,
        Some(
            json!({"decision": "return", "reason": "新增专利的权利人与企业名称不符",
            "version": p["version"]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "approved");
    assert_eq!(p["amendment"]["status"], "returned");
    assert_eq!(
        p["amendment"]["return_reason"],
        "新增专利的权利人与企业名称不符"
    );
    assert!(verify(&app, &number).await.contains("该备案有效"));
    assert_eq!(stats(&app, &office).await, registered);
    let nation = support::national_token(&app, &fresh).await;
    assert_product_answers_agree(&app, &fresh, &nation).await;

    // Fixed and resubmitted, then approved: the amendment becomes the registered version in one
    // step, the number kept, the statistics moved to the new field and sales.
    let (status, p) = call(
        &app,
        Method::PATCH,
        &path,
        &firm,
        Some(json!({"version": p["version"], "name": "智能数据采集终端二代"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["amendment"]["status"], "draft");
    assert_eq!(p["amendment"]["field"], "38", "the earlier change is kept");
    let (_, p) = call(
        &app,
        Method::POST,
        &format!("{path}/submit"),
        &firm,
        Some(json!({"version": p["version"]})),
    )
    .await;
    let (status, p) = call(
        &app,
        Method::POST,
        &format!("{path}/review"),
        &reviewer,
        Some(json!({"decision": "approve", "version": p["version"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "approved");
    assert_eq!(p["amendment"], Value::Null);
    assert_eq!(p["name"], "智能数据采集终端二代");
    assert_eq!(p["field"], "38");
    assert_eq!(p["patents"].as_array().unwrap().len(), 2);
    assert_eq!(p["registration_number"], number.as_str());
    let page = verify(&app, &number).await;
    assert!(page.contains("该备案有效") && page.contains("智能数据采集终端二代"));
    let (summary, fields) = stats(&app, &office).await;
    assert_eq!(summary["products"], 1);
    assert_eq!(summary["sales_revenue"], "5000.00");
    assert_eq!(fields, [("38".to_string(), 1, "5000.00".to_string())]);
    let notices = app.read_as("/api/v1/notifications", &firm).await;
    assert!(notices.to_string().contains("变更已通过"), "{notices}");
    let history = app.read_as(&format!("{path}/history"), &firm).await;
    assert!(history.to_string().contains("变更通过"));

    // A new amendment can be discarded: nothing registered changes.
    let (_, p) = call(
        &app,
        Method::PATCH,
        &path,
        &firm,
        Some(json!({"version": p["version"], "model": "ZC-200"})),
    )
    .await;
    assert_eq!(p["amendment"]["model"], "ZC-200");
    let (status, p) = call(
        &app,
        Method::DELETE,
        &format!("{path}/amendment?version={}", p["version"]),
        &firm,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["amendment"], Value::Null);
    assert_eq!(p["model"], "ZC-100");
    let (status, body) = call(
        &app,
        Method::DELETE,
        &format!("{path}/amendment?version={}", p["version"]),
        &firm,
        None,
    )
    .await;
    assert_problem(status, &body, 422);

    // A second product with a returned amendment can still be withdrawn; the amendment goes
    // with the registration.
    let (other, version, _) = register(&app, &firm, &reviewer, "数据采集网关", "300").await;
    let other_path = format!("/api/v1/products/{other}");
    let (_, p) = call(
        &app,
        Method::PATCH,
        &other_path,
        &firm,
        Some(json!({"version": version, "name": "数据采集网关 Pro"})),
    )
    .await;
    let (_, p) = call(
        &app,
        Method::POST,
        &format!("{other_path}/submit"),
        &firm,
        Some(json!({"version": p["version"]})),
    )
    .await;
    let (_, p) = call(
        &app,
        Method::POST,
        &format!("{other_path}/review"),
        &reviewer,
        Some(json!({"decision": "return", "reason": "名称不符", "version": p["version"]})),
    )
    .await;
    assert_eq!(p["amendment"]["status"], "returned");
    let (status, p) = call(
        &app,
        Method::POST,
        &format!("{other_path}/withdraw"),
        &firm,
        Some(json!({"version": p["version"], "reason": "停产"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "withdrawn");
    assert_eq!(p["amendment"], Value::Null);
    assert_eq!(p["name"], "数据采集网关");
    assert_product_answers_agree(&app, &fresh, &nation).await;
    app.stop().await;
}
on_both_backends!(an_approved_product_stays_registered_while_it_is_amended);

async fn a_reviewer_of_the_region_revokes_a_registration(fresh: Fresh) {
    let [firm, reviewer, stranger, office] = people(
        &fresh,
        ["linchuan.tech", "rev.fuzhou", "rev.nanchang", "adm.fuzhou"],
    )
    .await;
    let app = spawn_app(&fresh).await;
    file_linchuan_profile(&app, &firm, "C39").await;
    let (id, version, number) = register(&app, &firm, &reviewer, "智能数据采集终端", "1000").await;
    // A pending amendment goes with the registration.
    let (_, p) = call(
        &app,
        Method::PATCH,
        &format!("/api/v1/products/{id}"),
        &firm,
        Some(json!({"version": version, "model": "ZC-101"})),
    )
    .await;
    let version = p["version"].as_i64().unwrap();
    assert_eq!(stats(&app, &office).await.0["products"], 1);
    let revoke = format!("/api/v1/products/{id}/revoke");
    let (status, body) = call(
        &app,
        Method::POST,
        &revoke,
        &stranger,
        Some(json!({"version": version, "reason": "虚假信息"})),
    )
    .await;
    assert_problem(status, &body, 404);
    let (status, body) = call(
        &app,
        Method::POST,
        &revoke,
        &firm,
        Some(json!({"version": version, "reason": "虚假信息"})),
    )
    .await;
    assert_problem(status, &body, 403);
    let (status, body) = call(
        &app,
        Method::POST,
        &revoke,
        &reviewer,
        Some(json!({"version": version, "reason": " "})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("reason".to_string(), "required".to_string())]
    );
    let (status, p) = call(
        &app,
        Method::POST,
        &revoke,
        &reviewer,
        Some(json!({"version": version, "reason": "经核查专利证书系伪造"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "revoked");
    assert_eq!(p["registration_number"], number.as_str());
    assert_eq!(p["amendment"], Value::Null);
    assert_eq!(p["return_reason"], "经核查专利证书系伪造");
    assert!(p["withdrawn_on"].is_string());
    let page = verify(&app, &number).await;
    assert!(page.contains("该备案已被审核机关撤销"), "{page}");
    assert!(!page.contains("该备案有效") && !page.contains("由企业撤销"));
    let (summary, fields) = stats(&app, &office).await;
    assert_eq!(summary["products"], 0);
    assert!(fields.is_empty(), "{fields:?}");
    let notices = app.read_as("/api/v1/notifications", &firm).await;
    assert!(
        notices["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "product_revoked"
                && n["body"].as_str().unwrap().contains("经核查专利证书系伪造")),
        "{notices}"
    );
    // The record stays; it cannot be revoked twice.
    let (status, body) = call(
        &app,
        Method::POST,
        &revoke,
        &reviewer,
        Some(json!({"version": p["version"], "reason": "再次"})),
    )
    .await;
    assert_problem(status, &body, 422);
    let list = app
        .read_as("/api/v1/products?status=revoked", &reviewer)
        .await;
    assert_eq!(list["total"], 1);
    let nation = support::national_token(&app, &fresh).await;
    assert_product_answers_agree(&app, &fresh, &nation).await;
    app.stop().await;
}
on_both_backends!(a_reviewer_of_the_region_revokes_a_registration);
