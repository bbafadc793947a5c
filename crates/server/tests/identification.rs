//! Identification methods (评价方法) as versioned data: the national administrator writes a
//! method, cannot publish it while a worked example fails, publishes it once they hold, and
//! never edits a published version (a change is a new version); an office cannot write one;
//! staff read them. On both databases.

use crate::support;

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
            "indicators[1].benchmark.value".to_string(),
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

/// A client writes decimals as it likes — a number, a string with spaces, "" for a weight it
/// leaves empty — and the method is kept as the decimals it meant. A value that is no number
/// is refused where it was typed (`indicators[1].benchmark.value`), a benchmark that is both a
/// quantile and a fixed value on that benchmark, a score of a worked example on its index;
/// nothing of it is stored. The official who types the same mistakes in the form finds each
/// message beside its box, and what was typed still there.
async fn each_wrong_decimal_and_a_two_sided_benchmark_is_refused_on_its_own_path(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    let refusal = |status: StatusCode, body: &Value, field: &str, code: &str| {
        let errors = assert_problem(status, body, 422);
        assert_eq!(errors, [(field.to_string(), code.to_string())], "{body}");
        body["errors"][0]["message"].as_str().unwrap().to_string()
    };

    let mut bad = method_with_wrong_example();
    bad["indicators"][1]["benchmark"] = json!({"value": "很多"});
    let (status, body) = call(&app, Method::POST, METHODS, &nation, Some(bad)).await;
    let message = refusal(
        status,
        &body,
        "indicators[1].benchmark.value",
        "invalid_decimal",
    );
    assert!(message.contains("“很多”不是有效的数字"), "{message}");

    let mut bad = method_with_wrong_example();
    bad["indicators"][0]["benchmark"] = json!({"quantile": "0.5", "value": "3"});
    let (status, body) = call(&app, Method::POST, METHODS, &nation, Some(bad)).await;
    let message = refusal(
        status,
        &body,
        "indicators[0].benchmark",
        "invalid_benchmark",
    );
    assert!(message.contains("分位数或固定值二者之一"), "{message}");

    let mut bad = method_with_wrong_example();
    bad["examples"][0]["expert_scores"] = json!(["80", "八十"]);
    let (status, body) = call(&app, Method::POST, METHODS, &nation, Some(bad)).await;
    refusal(
        status,
        &body,
        "examples[0].expert_scores[1]",
        "invalid_decimal",
    );

    let (status, list) = call(&app, Method::GET, METHODS, &nation, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"], json!([]), "nothing was stored: {list}");

    // Numbers, spaces and an empty weight are what the client meant.
    let mut typed = method_with_wrong_example();
    typed["indicators"][0]["benchmark"] = json!({"quantile": 0.5, "value": ""});
    typed["indicators"][0]["weight"] = json!("");
    typed["indicators"][1]["benchmark"] = json!({"value": " 0 "});
    typed["industry"]["items"][0]["max_score"] = json!(60);
    typed["industry"]["pass_score"] = json!(" 60 ");
    let (status, created) = call(&app, Method::POST, METHODS, &nation, Some(typed)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let kept = &created["current"]["method"];
    assert_eq!(
        kept["indicators"][0]["benchmark"],
        json!({"quantile": "0.5"})
    );
    assert!(kept["indicators"][0].get("weight").is_none(), "{kept}");
    assert_eq!(kept["indicators"][1]["benchmark"], json!({"value": "0"}));
    assert_eq!(kept["industry"]["items"][0]["max_score"], "60");
    assert_eq!(kept["industry"]["pass_score"], "60");
    let id = created["current"]["id"].as_i64().unwrap();

    // Inside a change the path starts at the method.
    let mut bad = method_with_wrong_example();
    bad["indicators"][1]["benchmark"] = json!({"value": "3x"});
    let (status, body) = call(
        &app,
        Method::PATCH,
        &format!("{METHODS}/{id}"),
        &nation,
        Some(json!({"version": 1, "method": bad})),
    )
    .await;
    refusal(
        status,
        &body,
        "method.indicators[1].benchmark.value",
        "invalid_decimal",
    );

    // The form: a benchmark and a full mark that are no numbers, each beside its box, as typed.
    let res = app
        .client
        .post(app.url(&format!("/identification/methods/{id}/edit")))
        .bearer_auth(&nation)
        .form(&[
            ("version", "1"),
            ("name", "电子信息领域试行方法"),
            ("source_document", "本平台试行，非国家标准"),
            ("source_clause", "—"),
            ("field_level", "group"),
            ("min_field_size", "3"),
            ("combine", "all"),
            ("ind0_measure", "valid_patents"),
            ("ind0_kind", "quantile"),
            ("ind0_benchmark", "0.5"),
            ("ind0_direction", "at_least"),
            ("ind1_measure", "revenue_growth"),
            ("ind1_kind", "value"),
            ("ind1_benchmark", "很多"),
            ("ind1_direction", "at_least"),
            ("item0_name", "技术先进性"),
            ("item0_max_score", "四十"),
            ("min_experts", "3"),
            ("aggregate", "mean"),
            ("industry_pass_score", "60"),
            ("final_rule", "patent_only"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    for (input, typed) in [("ind1_benchmark", "很多"), ("item0_max_score", "四十")] {
        let at = page
            .find(&format!(r#"name="{input}" value="{typed}""#))
            .unwrap_or_else(|| panic!("{input} keeps {typed}: {page}"));
        let after = &page[at..];
        let error = &after[after.find(r#"<p class="error">"#).expect("an error")..];
        assert!(
            error.starts_with(&format!(r#"<p class="error">“{typed}”不是有效的数字"#))
                && after.find(r#"<p class="error">"#) < after.find("</div>"),
            "the message beside {input}: {}",
            &after[..after.len().min(400)]
        );
    }
    // The draft is as it was.
    let (_, detail) = call(&app, Method::GET, &format!("{METHODS}/{id}"), &nation, None).await;
    assert_eq!(
        detail["current"]["method"]["industry"]["items"][0]["max_score"],
        "60"
    );
    app.stop().await;
}

on_both_backends!(each_wrong_decimal_and_a_two_sided_benchmark_is_refused_on_its_own_path);
