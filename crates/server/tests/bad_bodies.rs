//! A body with several mistakes is answered with every one of them at once (CONTRACT.md: "422
//! validation, with one entry per bad field"), not only the first that the JSON reader stops
//! at: the 临川 firm resubmits a qualification, declares a fact and files a product with three
//! mistakes each, and a 抚州 reviewer decides its qualifications with two; each answer lists
//! every bad field with its code, and a body that is right apart from its mistakes is taken
//! once they are mended. On both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, app_in_2025, assert_problem, call, linchuan_firm, linchuan_product};
use support::{TestApp, LINCHUAN};
use zhichan_testkit::{on_both_backends, Fresh};

async fn refused(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> Vec<(String, String)> {
    let (status, answer) = call(app, method, path, token, Some(body)).await;
    let mut errors = assert_problem(status, &answer, 422);
    errors.sort();
    errors
}

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = want
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    v.sort();
    v
}

async fn each_bad_field_of_a_body_is_named_at_once(fresh: Fresh) {
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "shenhe.fuzhou", "reviewer", Some("361000"), None).await;
    let reviewer = app.long_token(&fresh, "shenhe.fuzhou").await;
    let firm = linchuan_firm(&app, &fresh, "C39").await;
    let resubmit = format!("/api/v1/enterprises/{LINCHUAN}/qualifications/resubmit");

    // 重新提交 with an unknown kind, an unknown level and a version that is text.
    let errors = refused(
        &app,
        Method::POST,
        &resubmit,
        &firm,
        json!({"kind": "nobel", "level": "galactic", "version": "three"}),
    )
    .await;
    assert_eq!(
        errors,
        pairs(&[
            ("kind", "invalid_qualification"),
            ("level", "invalid_qualification_level"),
            ("version", "invalid"),
        ]),
    );
    // An empty body lacks all three.
    let errors = refused(&app, Method::POST, &resubmit, &firm, json!({})).await;
    assert_eq!(
        errors,
        pairs(&[
            ("kind", "required"),
            ("level", "required"),
            ("version", "required")
        ])
    );

    // A declaration of an unknown kind, in a year that is no number, with a note that is no text.
    let errors = refused(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/declarations"),
        &firm,
        json!({"kind": "bonus", "year": "2025年", "amount": "100", "note": 7}),
    )
    .await;
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0].0, "kind", "{errors:?}");
    assert_eq!(
        errors[1..],
        pairs(&[("note", "invalid"), ("year", "invalid")])[..]
    );

    // The reviewer's decision on the qualifications: an unknown decision and no version.
    let errors = refused(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/qualifications/review"),
        &reviewer,
        json!({"decision": "maybe", "reason": ["a", "b"]}),
    )
    .await;
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["decision", "reason", "version"], "{errors:?}");
    assert_eq!(errors[2].1, "required");

    // A product with a bad right and legal status on its patent and a year that is text: the
    // three are named on their own paths.
    let mut product = linchuan_product("数据采集终端", "ZL202110000001.6");
    product["figures"][0]["year"] = json!("20x5");
    product["patents"][0]["right"] = json!("borrowed");
    product["patents"][0]["legal_status"] = json!("asleep");
    let errors = refused(&app, Method::POST, "/api/v1/products", &firm, product).await;
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "figures[0].year",
            "patents[0].legal_status",
            "patents[0].right"
        ],
        "{errors:?}"
    );

    // The same body, mended, is taken: the stand-ins used to read past each mistake were only
    // ever in a copy.
    let product = linchuan_product("数据采集终端", "ZL202110000001.6");
    let (status, created) =
        call(&app, Method::POST, "/api/v1/products", &firm, Some(product)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();

    // A change with a name that is a number and figures that are no list.
    let errors = refused(
        &app,
        Method::PATCH,
        &format!("/api/v1/products/{id}"),
        &firm,
        json!({"version": created["version"], "name": 5, "figures": "many"}),
    )
    .await;
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["figures", "name"], "{errors:?}");

    // A body that is not JSON is still 400.
    let res = app
        .client
        .post(app.url(&resubmit))
        .bearer_auth(&firm)
        .header("content-type", "application/json")
        .body("{\"kind\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}
on_both_backends!(each_bad_field_of_a_body_is_named_at_once);
