//! Enterprise profiles over HTTP: the contract's fields, codes and conflicts, on both databases.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{add_user, assert_problem, spawn_app};
use zhichan_testkit::{on_both_backends, Fresh};

const LINCHUAN: &str = "91361002MA35F6XK04";

fn profile() -> Value {
    json!({
        "credit_code": LINCHUAN,
        "name": "抚州市临川区示例科技有限公司",
        "address": "抚州市临川区文昌大道 1 号",
        "scale": "small",
        "ownership": "private",
        "industry": "C39",
        "qualifications": [{"kind": "high_tech", "level": "national",
                            "valid_from": "2024-01-01", "valid_to": "2026-12-31",
                            "certificate": "GR202436000123"}],
        "contact": {"name": "王芳", "phone": "0794-8888888", "email": "wang@example.cn"}
    })
}

async fn an_enterprise_registers_its_profile_and_officials_see_it_in_their_region(fresh: Fresh) {
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    add_user(&fresh, "adm.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "adm.nanchang", "admin", Some("360100"), None).await;
    let app = spawn_app(&fresh).await;
    let firm = app.login("linchuan.tech").await;
    let post = |body: Value| {
        firm.client
            .post(app.url("/api/v1/enterprises"))
            .header("x-csrf-token", &firm.csrf)
            .json(&body)
            .send()
    };
    let res = post(profile()).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["region"], "361002");
    assert_eq!(created["version"], 1);
    assert_eq!(created["contact"]["name"], "王芳");

    let res = post(profile()).await.unwrap();
    let status = res.status();
    assert_problem(status, &res.json().await.unwrap(), 409);

    let mut bad = profile();
    bad["credit_code"] = json!("91350100M000100Y43");
    let res = post(bad).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "not its own credit code"
    );

    let mut bad = profile();
    bad["credit_code"] = json!("91361002MA35F6XK05");
    bad["region"] = json!("12");
    bad["industry"] = json!("Z1");
    let res = post(bad).await.unwrap();
    let status = res.status();
    let fields = assert_problem(status, &res.json().await.unwrap(), 422);
    let codes: Vec<&str> = fields.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(
        codes,
        ["invalid_credit_code", "invalid_region", "invalid_industry"]
    );

    // A change based on a stale version is 409; the stored profile is untouched.
    let url = app.url(&format!("/api/v1/enterprises/{LINCHUAN}"));
    let patch = |body: Value| {
        firm.client
            .patch(&url)
            .header("x-csrf-token", &firm.csrf)
            .json(&body)
            .send()
    };
    let res = patch(json!({"version": 1, "scale": "medium"}))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = patch(json!({"version": 1, "address": "elsewhere"}))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let now: Value = firm
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (now["version"].as_i64(), now["scale"].as_str()),
        (Some(2), Some("medium"))
    );
    let history: Value = firm
        .client
        .get(format!("{url}/history"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[1]["profile"]["scale"], "small");

    // Its patents: the contract's code for a bad number, 201 for a good one, listed after.
    let patents_url = format!("{url}/patents");
    let add = |number: &str| {
        firm.client
            .post(&patents_url)
            .header("x-csrf-token", &firm.csrf)
            .json(&json!({"number": number, "title": "一种数据采集装置",
                          "patentees": ["抚州市临川区示例科技有限公司"],
                          "grant_date": "2021-03-02", "legal_status": "valid", "right": "own"}))
            .send()
    };
    let res = add("201910725275.5").await.unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [("number".to_string(), "invalid_patent_number".to_string())]
    );
    let res = add("ZL201910725275.4").await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let listed: Value = firm
        .client
        .get(&patents_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["number"], "ZL201910725275.4");
    assert_eq!(listed[0]["patent_type"], "invention");

    for (user, sees) in [("adm.fuzhou", true), ("adm.nanchang", false)] {
        let token = app.token(&fresh, user).await;
        let status = app
            .client
            .get(&url)
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
            "{user}"
        );
        let list: Value = app
            .client
            .get(app.url("/api/v1/enterprises"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], if sees { 1 } else { 0 }, "{user}");
        // Administrators read; they never write profiles.
        let status = app
            .client
            .patch(&url)
            .bearer_auth(&token)
            .json(&json!({"version": 2, "name": "改名公司"}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
    }
    app.stop().await;
}
on_both_backends!(an_enterprise_registers_its_profile_and_officials_see_it_in_their_region);
