//! The registration flow over HTTP, as CONTRACT.md describes it, on both databases.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{add_user, assert_problem, spawn_app};
use zhichan_testkit::{on_both_backends, Fresh};

const LINCHUAN: &str = "91361002MA35F6XK04";

async fn a_product_goes_from_draft_to_a_registration_number(fresh: Fresh) {
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    add_user(&fresh, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    add_user(&fresh, "adm.nanchang", "admin", Some("360100"), None).await;
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "linchuan.tech").await;
    let reviewer = app.token(&fresh, "rev.fuzhou").await;
    let neighbour = app.token(&fresh, "adm.nanchang").await;
    let call = |method: reqwest::Method, path: &str, token: &str, body: Option<Value>| {
        let mut r = app.client.request(method, app.url(path)).bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    use reqwest::Method;
    let res = call(
        Method::POST,
        "/api/v1/enterprises",
        &firm,
        Some(json!({
            "credit_code": LINCHUAN, "name": "抚州市临川区示例科技有限公司", "scale": "small",
            "ownership": "private", "industry": "C39",
            "contact": {"name": "王芳", "phone": "0794-8888888"}
        })),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    let product = json!({
        "enterprise": LINCHUAN, "name": "智能数据采集终端", "model": "ZC-100", "field": "39",
        "first_sold_on": "2022-05-01",
        "figures": [{"year": 2025, "sales_revenue": "12345678.90", "output_value": "13000000"}],
        "patents": [{"number": "201910725275.4", "title": "一种数据采集装置",
                     "patentees": ["抚州市临川区示例科技有限公司"], "grant_date": "2021-03-02",
                     "legal_status": "valid", "right": "own", "core": true, "embodiment": "采集模块"}]
    });
    let mut none = product.clone();
    none["patents"] = json!([]);
    let res = call(Method::POST, "/api/v1/products", &firm, Some(none))
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [("patents".to_string(), "missing_patent".to_string())]
    );

    let res = call(Method::POST, "/api/v1/products", &firm, Some(product))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let p: Value = res.json().await.unwrap();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["status"], "draft");
    assert_eq!(p["figures"][0]["sales_revenue"], "12345678.90");
    assert_eq!(p["patents"][0]["number"], "ZL201910725275.4");

    let res = call(
        Method::POST,
        &format!("/api/v1/products/{id}/submit"),
        &firm,
        Some(json!({"version": 1})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let queue: Value = call(
        Method::GET,
        "/api/v1/products?status=submitted",
        &reviewer,
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(queue["total"], 1);
    let res = call(
        Method::GET,
        &format!("/api/v1/products/{id}"),
        &neighbour,
        None,
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = call(
        Method::POST,
        &format!("/api/v1/products/{id}/review"),
        &firm,
        Some(json!({"decision": "approve", "version": 2})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = call(
        Method::POST,
        &format!("/api/v1/products/{id}/review"),
        &reviewer,
        Some(json!({"decision": "return", "reason": "型号与说明书不一致", "version": 2})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = call(
        Method::PATCH,
        &format!("/api/v1/products/{id}"),
        &firm,
        Some(json!({"version": 3, "model": "ZC-100A"})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = call(
        Method::PATCH,
        &format!("/api/v1/products/{id}"),
        &firm,
        Some(json!({"version": 3, "model": "stale"})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    call(
        Method::POST,
        &format!("/api/v1/products/{id}/submit"),
        &firm,
        Some(json!({"version": 4})),
    )
    .await
    .unwrap();
    let res = call(
        Method::POST,
        &format!("/api/v1/products/{id}/review"),
        &reviewer,
        Some(json!({"decision": "approve", "version": 5})),
    )
    .await
    .unwrap();
    let approved: Value = res.json().await.unwrap();
    assert_eq!(approved["status"], "approved");
    assert_eq!(
        approved["registration_number"],
        "BA2026361002000001".replace("2026", &approved["reviewed_at"].as_str().unwrap()[..4])
    );

    let history: Value = call(
        Method::GET,
        &format!("/api/v1/products/{id}/history"),
        &firm,
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 6);
    assert_eq!(history[0]["status"], "approved");
    assert_eq!(history[5]["product"]["model"], "ZC-100");
    app.stop().await;
}
on_both_backends!(a_product_goes_from_draft_to_a_registration_number);

async fn an_enterprise_withdraws_an_approved_product_over_http(fresh: Fresh) {
    let s = zhichan_service::Services::new(fresh.db.clone());
    let report = s.prepare_demo().await.unwrap();
    assert!(report.products >= 3);
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "qiye").await;
    let other = app.token(&fresh, "dongxiang").await;
    let list: Value = app
        .client
        .get(app.url("/api/v1/products?status=approved"))
        .bearer_auth(&firm)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let p = &list["items"][0];
    let id = p["id"].as_i64().unwrap();
    let version = p["version"].as_i64().unwrap();
    let url = app.url(&format!("/api/v1/products/{id}/withdraw"));
    let res = app
        .client
        .post(&url)
        .bearer_auth(&other)
        .json(&json!({"version": version, "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another enterprise cannot see it"
    );
    let res = app
        .client
        .post(&url)
        .bearer_auth(&firm)
        .json(&json!({"version": version, "reason": ""}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [("reason".to_string(), "required".to_string())]
    );
    let res = app
        .client
        .post(&url)
        .bearer_auth(&firm)
        .json(&json!({"version": version, "reason": "停产退市"}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "withdrawn");
    assert_eq!(body["registration_number"], p["registration_number"]);
    app.stop().await;
}
on_both_backends!(an_enterprise_withdraws_an_approved_product_over_http);
