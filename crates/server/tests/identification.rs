//! Identification methods (评价方法) as versioned data: the national administrator writes a
//! method, cannot publish it while a worked example fails, publishes it once they hold, and
//! never edits a published version (a change is a new version); an office cannot write one;
//! staff read them. On both databases.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, assert_problem, call, national_token, spawn_app};
use zhichan_testkit::{on_both_backends, Fresh};

const METHODS: &str = "/api/v1/identification/methods";

/// A method whose one example expects a product with 2 patents to pass against a field whose
/// median is 3: it must fail until the expectation is corrected.
fn method_with_wrong_example() -> Value {
    json!({
        "name": "电子信息领域试行方法",
        "source": {"document": "本平台试行，非国家标准", "clause": "—"},
        "field_level": "group",
        "min_field_size": 3,
        "indicators": [
            {"measure": "valid_patents", "benchmark": {"quantile": "0.5"}, "direction": "at_least"},
            {"measure": "revenue_growth", "benchmark": {"value": "0"}, "direction": "at_least"}
        ],
        "combine": "all",
        "industry": {
            "items": [{"name": "技术先进性", "max_score": "60"}, {"name": "市场前景", "max_score": "40"}],
            "min_experts": 3, "aggregate": "mean", "pass_score": "60"
        },
        "final_rule": "both_pass",
        "examples": [{
            "name": "专利少于同领域中位数",
            "product": {"valid_patents": 2, "invention_patents": 1,
                        "sales_revenue": "1200000.00", "prior_sales_revenue": "1000000.00"},
            "field": [{"valid_patents": 3, "invention_patents": 1},
                      {"valid_patents": 5, "invention_patents": 2}],
            "passed": true
        }]
    })
}

async fn an_example_that_fails_blocks_publishing_and_published_versions_never_change(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;

    // The national administrator writes the method: a draft, version 1.
    let (status, created) = call(
        &app,
        Method::POST,
        METHODS,
        &nation,
        Some(method_with_wrong_example()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["current"]["id"].as_i64().unwrap();
    assert_eq!(created["current"]["version"], 1);
    assert_eq!(created["current"]["status"], "draft");
    assert_eq!(created["current"]["examples"][0]["holds"], false);
    let path = format!("{METHODS}/{id}");

    // Publishing is refused, naming the example and what came out.
    let (status, refused) = call(
        &app,
        Method::POST,
        &format!("{path}/publish"),
        &nation,
        Some(json!({"version": 1})),
    )
    .await;
    let errors = assert_problem(status, &refused, 422);
    assert_eq!(
        errors,
        [("examples[0]".to_string(), "example_failed".to_string())]
    );
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("专利少于同领域中位数"), "{message}");
    assert!(message.contains("低于本领域基准 3 件"), "{message}");

    // Corrected (the product does not pass), the draft is saved in place and published.
    let mut fixed = method_with_wrong_example();
    fixed["examples"][0]["passed"] = json!(false);
    let (status, saved) = call(
        &app,
        Method::PATCH,
        &path,
        &nation,
        Some(json!({"version": 1, "method": fixed})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["current"]["version"], 1);
    assert_eq!(saved["current"]["examples"][0]["holds"], true);
    let (status, published) = call(
        &app,
        Method::POST,
        &format!("{path}/publish"),
        &nation,
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["current"]["status"], "published");
    assert_eq!(published["published_version"], 1);

    // A change to the published method becomes version 2, a draft; version 1 stays as it was.
    let mut changed = fixed.clone();
    changed["min_field_size"] = json!(10);
    let (status, v2) = call(
        &app,
        Method::PATCH,
        &path,
        &nation,
        Some(json!({"version": 1, "method": changed})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v2}");
    assert_eq!(v2["current"]["version"], 2);
    assert_eq!(v2["current"]["status"], "draft");
    assert_eq!(v2["published_version"], 1);
    let (_, v1) = call(
        &app,
        Method::GET,
        &format!("{path}?version=1"),
        &nation,
        None,
    )
    .await;
    assert_eq!(v1["current"]["status"], "published");
    assert_eq!(v1["current"]["method"]["min_field_size"], 3);
    // Publishing version 1 again, or editing from it now that version 2 exists, is refused.
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("{path}/publish"),
        &nation,
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &app,
        Method::PATCH,
        &path,
        &nation,
        Some(json!({"version": 1, "method": fixed})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Even a stray statement cannot edit a published version: the schema refuses it.
    use zhichan_store::{Exec, Sql};
    let stray = fresh
        .db
        .execute(
            Sql::new(
                "UPDATE identification_method_versions SET body = '{}' \
                 WHERE method_id = $1 AND version = 1",
            )
            .bind(id),
        )
        .await;
    assert!(stray.is_err(), "a published version was edited");

    // The list shows the newest version and the published one.
    let (_, list) = call(&app, Method::GET, METHODS, &nation, None).await;
    let item = &list["items"][0];
    assert_eq!(
        (
            item["id"].as_i64(),
            item["version"].as_i64(),
            item["status"].as_str(),
            item["published_version"].as_i64()
        ),
        (Some(id), Some(2), Some("draft"), Some(1))
    );
    app.stop().await;
}

on_both_backends!(an_example_that_fails_blocks_publishing_and_published_versions_never_change);

async fn an_office_reads_methods_but_cannot_write_them(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    let (status, created) = call(
        &app,
        Method::POST,
        METHODS,
        &nation,
        Some(method_with_wrong_example()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created["current"]["id"].as_i64().unwrap();

    // A city office and a reviewer read the method.
    add_user(&fresh, "adm.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    let office = app.token(&fresh, "adm.fuzhou").await;
    let reviewer = app.token(&fresh, "rev.fuzhou").await;
    for who in [&office, &reviewer] {
        let (status, m) = call(&app, Method::GET, &format!("{METHODS}/{id}"), who, None).await;
        assert_eq!(status, StatusCode::OK, "{m}");
        assert_eq!(m["current"]["method"]["name"], "电子信息领域试行方法");
    }
    // The office writes nothing: a method holds for the whole country (outside its scope: 404).
    let (status, body) = call(
        &app,
        Method::POST,
        METHODS,
        &office,
        Some(method_with_wrong_example()),
    )
    .await;
    assert_problem(status, &body, 404);
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("{METHODS}/{id}/publish"),
        &office,
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A reviewer's role may never write one.
    let (status, _) = call(
        &app,
        Method::PATCH,
        &format!("{METHODS}/{id}"),
        &reviewer,
        Some(json!({"version": 1, "method": method_with_wrong_example()})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, m) = call(&app, Method::GET, &format!("{METHODS}/{id}"), &nation, None).await;
    assert_eq!(m["versions"].as_array().unwrap().len(), 1);
    assert_eq!(m["current"]["status"], "draft");
    app.stop().await;
}

on_both_backends!(an_office_reads_methods_but_cannot_write_them);

async fn a_method_with_bad_fields_is_refused_field_by_field(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    let mut bad = method_with_wrong_example();
    bad["indicators"][0]["benchmark"] = json!({"quantile": "1.5"});
    bad["indicators"][1]["benchmark"] = json!({"value": "很多"});
    bad["source"]["document"] = json!("");
    let (status, body) = call(&app, Method::POST, METHODS, &nation, Some(bad)).await;
    let errors = assert_problem(status, &body, 422);
    assert_eq!(
        errors,
        [(
            "indicators[1].benchmark".to_string(),
            "invalid_decimal".to_string()
        )]
    );
    let mut bad = method_with_wrong_example();
    bad["indicators"][0]["benchmark"] = json!({"quantile": "1.5"});
    bad["source"]["document"] = json!("");
    let (status, body) = call(&app, Method::POST, METHODS, &nation, Some(bad)).await;
    let errors = assert_problem(status, &body, 422);
    assert_eq!(
        errors,
        [
            ("source.document".to_string(), "required".to_string()),
            (
                "indicators[0].benchmark".to_string(),
                "invalid_quantile".to_string()
            )
        ]
    );
    app.stop().await;
}

on_both_backends!(a_method_with_bad_fields_is_refused_field_by_field);
