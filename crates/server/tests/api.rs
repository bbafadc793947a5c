//! The HTTP surface as a client sees it, on SQLite and on PostgreSQL.

use crate::support;

use reqwest::StatusCode;
use std::collections::BTreeSet;
use support::{assert_problem, content_type, spawn_app, spawn_with};
use zhichan_server::Settings;
use zhichan_testkit::{on_both_backends, Fresh};

async fn a_monitor_checks_health_and_reads_the_api_description(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let (status, body) = app.get_json("/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"status": "ok"}));

    let (status, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for p in [
        "/api/v1/health",
        "/api/v1/openapi.json",
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/industries",
        "/api/v1/industries/{code}",
    ] {
        assert!(paths.contains(p), "{p} is documented: {paths:?}");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    app.stop().await;
}
on_both_backends!(a_monitor_checks_health_and_reads_the_api_description);

async fn an_official_browses_the_region_tree(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let (status, provinces) = app.get_json("/api/v1/regions?per_page=50").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(provinces["total"], 34);
    assert_eq!(provinces["page"], 1);
    assert_eq!(provinces["per_page"], 50);
    assert_eq!(provinces["items"][0]["code"], "110000");
    assert_eq!(provinces["items"][0]["name"], "北京市");

    let (_, second) = app.get_json("/api/v1/regions?per_page=20&page=2").await;
    assert_eq!(second["items"].as_array().unwrap().len(), 14);

    let (_, fuzhou) = app
        .get_json("/api/v1/regions?parent=361000&per_page=200")
        .await;
    let items = fuzhou["items"].as_array().unwrap();
    assert!(items
        .iter()
        .any(|r| r["code"] == "361002" && r["name"] == "临川区"));
    assert!(items
        .iter()
        .all(|r| r["level"] == "county" && r["parent"] == "361000"));

    let (_, found) = app.get_json("/api/v1/regions?q=%E6%8A%9A%E5%B7%9E").await; // 抚州
    assert!(found["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == "361000"));

    let (status, county) = app.get_json("/api/v1/regions/361002").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(county["name"], "临川区");
    let ancestors: Vec<&str> = county["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(ancestors, ["全国", "江西省", "抚州市"]);
    app.stop().await;
}
on_both_backends!(an_official_browses_the_region_tree);

async fn bad_region_input_gets_field_errors_and_unknown_codes_404(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let (status, body) = app.get_json("/api/v1/regions/36100X").await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("code".to_string(), "invalid_region".to_string())]
    );
    let (status, body) = app.get_json("/api/v1/regions?parent=12").await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("parent".to_string(), "invalid_region".to_string())]
    );
    let (status, body) = app.get_json("/api/v1/regions/369999").await;
    assert!(assert_problem(status, &body, 404).is_empty());
    let (status, body) = app.get_json("/api/v1/regions?parent=369900").await;
    assert_problem(status, &body, 404);
    let (status, body) = app.get_json("/api/v1/regions?page=0&per_page=abc").await;
    let fields: Vec<String> = assert_problem(status, &body, 422)
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, ["page", "per_page"]);
    app.stop().await;
}
on_both_backends!(bad_region_input_gets_field_errors_and_unknown_codes_404);

async fn an_enterprise_picks_its_industry(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let (_, sections) = app.get_json("/api/v1/industries?per_page=50").await;
    assert_eq!(sections["total"], 20);
    let (_, manufacturing) = app
        .get_json("/api/v1/industries?parent=C&per_page=50")
        .await;
    assert_eq!(manufacturing["total"], 31);
    let (status, ict) = app.get_json("/api/v1/industries/C39").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ict["code"], "39");
    assert_eq!(ict["section"], "C");
    assert_eq!(ict["name"], "计算机、通信和其他电子设备制造业");
    let (status, body) = app.get_json("/api/v1/industries/Z9").await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("code".to_string(), "invalid_industry".to_string())]
    );
    let (status, body) = app.get_json("/api/v1/industries/3999").await;
    assert_problem(status, &body, 404);
    app.stop().await;
}
on_both_backends!(an_enterprise_picks_its_industry);

async fn every_error_is_shaped_for_its_reader(fresh: Fresh) {
    let app = spawn_with(
        &fresh,
        Settings {
            body_limit: 2048,
            ..Settings::default()
        },
    )
    .await;
    // An unknown API route: problem+json.
    let res = app.get("/api/v1/no-such-thing").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(content_type(&res), "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_problem(StatusCode::NOT_FOUND, &body, 404);

    // A wrong method: problem+json that says what is allowed.
    let res = app
        .client
        .delete(app.url("/api/v1/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(content_type(&res), "application/problem+json");
    assert!(res.headers().get("allow").is_some());

    // An oversize body: 413 problem+json, before any handler reads it.
    let res = app
        .client
        .post(app.url("/api/v1/health"))
        .header("content-type", "application/json")
        .body("x".repeat(10_000))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(content_type(&res), "application/problem+json");

    // An unknown page: the HTML 404 page, in Chinese.
    let (status, ct, html) = app.get_text("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(html.contains("页面不存在"));
    assert!(html.contains("lang=\"zh-CN\""));
    app.stop().await;
}
on_both_backends!(every_error_is_shaped_for_its_reader);

async fn every_response_carries_a_request_id_and_security_headers(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let mut ids = BTreeSet::new();
    for path in ["/api/v1/health", "/login", "/nope", "/api/v1/nope"] {
        let res = app.get(path).await;
        let h = res.headers();
        let id = h.get("x-request-id").expect("request id").to_str().unwrap();
        ids.insert(id.to_string());
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert!(h.get("referrer-policy").is_some());
    }
    assert_eq!(ids.len(), 4, "a fresh id per request");

    // A caller's own request id is kept, so logs can be joined across systems.
    let res = app
        .client
        .get(app.url("/api/v1/health"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("x-request-id").unwrap(), "trace-abc-123");

    // Large text is compressed for clients that accept it.
    let res = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("content-encoding").unwrap(), "gzip");
    app.stop().await;
}
on_both_backends!(every_response_carries_a_request_id_and_security_headers);
