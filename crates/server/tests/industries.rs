//! GB/T 4754-2017 at every level over HTTP (issue 13, point 11), on both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, spawn_app};
use zhichan_testkit::{on_both_backends, Fresh};

const LINCHUAN: &str = "91361002MA35F6XK04";

/// Someone picking an industry walks the classification from the 20 sections down: every
/// division, group and class answers its children, and the four levels hold the standard's
/// codes — 20 sections, 97 divisions, 473 groups and 1,381 classes (data/industries/SOURCE.md
/// on the 1,380 of the standard's summaries) — down to 3914 工业控制计算机及系统制造.
async fn the_classification_is_browsed_down_to_its_classes(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let children = |parent: Option<String>| {
        let app = &app;
        async move {
            let path = match &parent {
                Some(p) => format!("/api/v1/industries?parent={p}&per_page=200"),
                None => "/api/v1/industries?per_page=200".to_string(),
            };
            let (status, page) = app.get_json(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let items = page["items"].as_array().unwrap().clone();
            assert_eq!(
                page["total"],
                items.len(),
                "{path}: one page holds them all"
            );
            items
        }
    };
    let mut levels: Vec<Vec<Value>> = vec![children(None).await];
    for _ in 0..3 {
        let mut next = Vec::new();
        for parent in levels.last().unwrap() {
            let code = parent["code"].as_str().unwrap().to_string();
            let kids = children(Some(code.clone())).await;
            assert!(!kids.is_empty(), "{code} has codes below it");
            for k in &kids {
                assert_eq!(k["parent"], code.as_str());
            }
            next.extend(kids);
        }
        levels.push(next);
    }
    let counts: Vec<usize> = levels.iter().map(Vec::len).collect();
    assert_eq!(counts, [20, 97, 473, 1381]);
    for (level, name) in levels.iter().zip(["section", "division", "group", "class"]) {
        assert!(level.iter().all(|i| i["level"] == name), "{name}");
    }
    let name = |code: &str| {
        levels[3]
            .iter()
            .find(|i| i["code"] == code)
            .map(|i| i["name"].as_str().unwrap().to_string())
    };
    assert_eq!(name("3911").as_deref(), Some("计算机整机制造"));
    assert_eq!(name("3913").as_deref(), Some("计算机外围设备制造"));
    assert_eq!(name("3914").as_deref(), Some("工业控制计算机及系统制造"));
    let (status, one) = app.get_json("/api/v1/industries/C3914").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["code"], "3914");
    assert_eq!(one["level"], "class");
    assert_eq!(one["parent"], "391");
    assert_eq!(one["section"], "C");
    app.stop().await;
}
on_both_backends!(the_classification_is_browsed_down_to_its_classes);

/// An enterprise of 工业控制计算机 (class 3914) registers a product in that class; approved, it
/// counts in the region's breakdown by field under its division 39, named, and a list of the
/// division, its group or the class itself finds it, a sibling class does not.
async fn a_product_in_a_class_counts_under_its_division(fresh: Fresh) {
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    add_user(&fresh, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    add_user(&fresh, "adm.fuzhou", "admin", Some("361000"), None).await;
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "linchuan.tech").await;
    let reviewer = app.token(&fresh, "rev.fuzhou").await;
    let office = app.token(&fresh, "adm.fuzhou").await;
    let call = |method: Method, path: &str, token: &str, body: Value| {
        app.client
            .request(method, app.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let res = call(
        Method::POST,
        "/api/v1/enterprises",
        &firm,
        json!({
            "credit_code": LINCHUAN, "name": "抚州市临川区示例科技有限公司", "scale": "small",
            "ownership": "private", "industry": "C3914",
            "contact": {"name": "王芳", "phone": "0794-8888888"}
        }),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = call(
        Method::POST,
        "/api/v1/products",
        &firm,
        json!({
            "enterprise": LINCHUAN, "name": "工业控制计算机", "model": "IPC-610", "field": "3914",
            "first_sold_on": "2022-05-01",
            "figures": [{"year": 2025, "sales_revenue": "8000000.00", "output_value": "9000000"}],
            "patents": [{"number": "201910725275.4", "title": "一种工业控制装置",
                         "patentees": ["抚州市临川区示例科技有限公司"], "grant_date": "2021-03-02",
                         "legal_status": "valid", "right": "own", "core": true,
                         "embodiment": "主控模块"}]
        }),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "a product in class 3914");
    let p: Value = res.json().await.unwrap();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["field"], "3914");
    let res = call(
        Method::POST,
        &format!("/api/v1/products/{id}/submit"),
        &firm,
        json!({"version": 1}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = call(
        Method::POST,
        &format!("/api/v1/products/{id}/review"),
        &reviewer,
        json!({"decision": "approve", "version": 2}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let breakdown = app
        .read_as("/api/v1/stats/breakdown?by=field&region=361000", &office)
        .await;
    let rows = breakdown["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{breakdown}");
    assert_eq!(rows[0]["key"], "39");
    assert_eq!(rows[0]["name"], "计算机、通信和其他电子设备制造业");
    assert_eq!(rows[0]["products"], 1);
    assert_eq!(rows[0]["sales_revenue"], "8000000.00");

    for (field, found) in [("39", 1), ("391", 1), ("3914", 1), ("3913", 0), ("38", 0)] {
        let list = app
            .read_as(
                &format!("/api/v1/products?status=approved&field={field}"),
                &office,
            )
            .await;
        assert_eq!(list["total"], found, "field {field}");
        assert_eq!(list["items"].as_array().unwrap().len(), found, "{field}");
    }
    app.stop().await;
}
on_both_backends!(a_product_in_a_class_counts_under_its_division);
