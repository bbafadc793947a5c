//! Facts an award counts are confirmed by a reviewer of the enterprise's region: a 临川 firm
//! declares its GB/T 29490 certification fee and its patent enforcement insurance premiums with
//! their evidence; a 南昌 reviewer cannot see or decide them; the 抚州 reviewer approves two
//! and returns one (the firm is told why), and the entitlements then show each amount traced to
//! its declaration, the returned one not counted. The certificate the firm entered itself does
//! not count until the reviewer confirms it; one that expired never counts. On both databases.

use crate::support;

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, app_in_2025, assert_problem, call, fund_policy, linchuan_firm};
use support::{publish_rule, register_product, TestApp, LINCHUAN};
use zhichan_testkit::{on_both_backends, Fresh};

fn certification_rule(policy: i64) -> Value {
    json!({
        "name": "贯标认证费用补贴", "policy": policy, "clause": "第九条（一）",
        "region": "361000", "effective_on": "2023-11-10", "pattern": "cost_share",
        "cost": "certification_fee", "share_percent": 100, "cap": "20000",
        "requires": {"qualification": "gbt29490"},
        "condition": {"any_of": [{"measure": "valid_patents", "at_least": 3},
                                 {"measure": "invention_patents", "at_least": 1}]},
        "examples": [
            {"name": "认证费2.6万元以2万元为限", "year": 2025, "amount": "20000",
             "facts": {"region": "361002", "invention_patents": 1,
                       "qualifications": [{"kind": "gbt29490", "level": "national", "valid_from": "2025-03-01", "valid_to": "2028-02-28"}],
                       "declarations": [{"kind": "certification_fee", "amount": "26000"}]}}
        ]
    })
}

fn insurance_rule(policy: i64) -> Value {
    json!({
        "name": "专利执行保险保费资助", "policy": policy, "clause": "第九条（六）",
        "clause_inferred": true, "region": "361000", "effective_on": "2023-11-10",
        "pattern": "cost_share", "cost": "insurance_premium", "share_percent": 60,
        "cap": "10000",
        "examples": [
            {"name": "保费1万元资助60%", "year": 2025, "amount": "6000",
             "facts": {"region": "361002", "declarations": [{"kind": "insurance_premium", "amount": "10000"}]}}
        ]
    })
}

fn product() -> Value {
    json!({
        "enterprise": LINCHUAN, "name": "采集终端", "model": "ZC-100", "field": "39",
        "figures": [{"year": 2025, "sales_revenue": "1000000.00", "output_value": "1000000.00"}],
        "patents": [{"number": "201910725275.4", "title": "一种数据采集方法",
                     "patentees": ["抚州市临川区示例科技有限公司"], "grant_date": "2021-03-02",
                     "legal_status": "valid", "right": "own", "core": true,
                     "embodiment": "采集模块"}]
    })
}

fn pdf() -> Value {
    json!({"name": "认证费发票.pdf",
           "content_base64": base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4\n% test invoice\n")})
}

async fn entitlements(app: &TestApp, token: &str) -> Value {
    let (status, e) = call(
        app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/entitlements?year=2025"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    e
}

fn item<'a>(e: &'a Value, name: &str) -> Option<&'a Value> {
    e["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
}

fn reasons(e: &Value, name: &str) -> String {
    let r = e["not_eligible"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("{name} not eligible: {e}"));
    r["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("；")
}

async fn declare(app: &TestApp, firm: &str, body: Value) -> (StatusCode, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/declarations"),
        firm,
        Some(body),
    )
    .await
}

async fn profile_version(app: &TestApp, token: &str) -> i64 {
    let (_, p) = call(
        app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}"),
        token,
        None,
    )
    .await;
    p["version"].as_i64().unwrap()
}

async fn set_certificate(app: &TestApp, token: &str, from: &str, to: &str) -> Value {
    let version = profile_version(app, token).await;
    let (status, p) = call(
        app,
        Method::PATCH,
        &format!("/api/v1/enterprises/{LINCHUAN}"),
        token,
        Some(json!({"version": version, "qualifications": [
            {"kind": "gbt29490", "level": "national", "valid_from": from, "valid_to": to,
             "certificate": "18125IP0042"}
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    p
}

async fn declared_facts_count_once_a_reviewer_of_the_region_confirms_them(fresh: Fresh) {
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "shenhe.fuzhou", "reviewer", Some("361000"), None).await;
    add_user(&fresh, "shenhe.nanchang", "reviewer", Some("360100"), None).await;
    let office = app.long_token(&fresh, "admin.fuzhou").await;
    let reviewer = app.long_token(&fresh, "shenhe.fuzhou").await;
    let nanchang = app.long_token(&fresh, "shenhe.nanchang").await;
    let firm = linchuan_firm(&app, &fresh, "C39").await;
    let policy = fund_policy(&app, &office).await;
    publish_rule(&app, &office, certification_rule(policy)).await;
    publish_rule(&app, &office, insurance_rule(policy)).await;
    // One invention patent of its own: the certification subsidy's condition holds.
    register_product(&app, &firm, &reviewer, product()).await;

    // The firm enters its certificate itself: it waits for review and does not count yet.
    let p = set_certificate(&app, &firm, "2025-03-01", "2028-02-28").await;
    assert_eq!(p["qualifications"][0]["review"], "pending", "{p}");

    // Declarations are checked field by field.
    let (status, body) = declare(
        &app,
        &firm,
        json!({"kind": "certification_fee", "year": 2031, "amount": null}),
    )
    .await;
    let mut errors = assert_problem(status, &body, 422);
    errors.sort();
    assert_eq!(
        errors,
        vec![
            ("amount".to_string(), "required".to_string()),
            ("year".to_string(), "invalid_year".to_string())
        ]
    );
    let (status, body) = declare(
        &app,
        &firm,
        json!({"kind": "insurance_premium", "year": 2025, "amount": "100",
               "evidence": {"name": "x.html", "content_base64": base64::engine::general_purpose::STANDARD.encode(b"<html><script>alert(1)</script>")}}),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        vec![("evidence".to_string(), "invalid_document".to_string())]
    );
    // Evidence sent with nothing in it is a mistake, not "no evidence".
    let (status, body) = declare(
        &app,
        &firm,
        json!({"kind": "insurance_premium", "year": 2025, "amount": "100",
               "evidence": {"name": "x.pdf", "content_base64": ""}}),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        vec![(
            "evidence.content_base64".to_string(),
            "invalid_document".to_string()
        )]
    );
    let (status, body) = declare(
        &app,
        &firm,
        json!({"kind": "gi_product_user", "year": 2025, "amount": "100"}),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        vec![("amount".to_string(), "not_a_cost".to_string())]
    );
    let (status, body) = declare(&app, &firm, json!({"kind": "bonus", "year": 2025})).await;
    assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["detail"].is_string(), "{body}");

    // The firm declares the certification fee with its invoice, and two premiums.
    let (status, fee) = declare(
        &app,
        &firm,
        json!({"kind": "certification_fee", "year": 2025, "amount": "26000", "evidence": pdf()}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{fee}");
    assert_eq!(fee["status"], "submitted");
    assert_eq!(fee["kind_name"], "知识产权管理规范认证费用");
    let fee_id = fee["id"].as_i64().unwrap();
    let (status, premium) = declare(
        &app,
        &firm,
        json!({"kind": "insurance_premium", "year": 2025, "amount": "10000.00", "note": null}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{premium}");
    let premium_id = premium["id"].as_i64().unwrap();
    let (_, doubtful) = declare(
        &app,
        &firm,
        json!({"kind": "insurance_premium", "year": 2025, "amount": "20000.00"}),
    )
    .await;
    let doubtful_id = doubtful["id"].as_i64().unwrap();

    // Nothing counts before review; the certificate is named as waiting.
    let e = entitlements(&app, &firm).await;
    assert_eq!(e["total"], "0.00", "{e}");
    let why = reasons(&e, "贯标认证费用补贴");
    assert!(why.contains("资质待审核"), "{why}");
    assert!(
        why.contains("没有经审核确认的知识产权管理规范认证费用申报"),
        "{why}"
    );

    // The evidence is served back as a download, typed from its bytes.
    let res = app
        .client
        .get(app.url(&format!("/api/v1/declarations/{fee_id}/evidence")))
        .bearer_auth(&reviewer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(support::content_type(&res), "application/pdf");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");

    // A reviewer of another region sees and decides nothing of it.
    for path in [
        format!("/api/v1/declarations/{fee_id}"),
        format!("/api/v1/declarations/{fee_id}/evidence"),
        format!("/api/v1/enterprises/{LINCHUAN}/declarations"),
    ] {
        let (status, body) = call(&app, Method::GET, &path, &nanchang, None).await;
        assert_problem(status, &body, 404);
    }
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/declarations/{fee_id}/review"),
        &nanchang,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_problem(status, &body, 404);
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/qualifications/review"),
        &nanchang,
        Some(json!({"decision": "approve", "version": 1})),
    )
    .await;
    assert_problem(status, &body, 404);
    let (_, queue) = call(&app, Method::GET, "/api/v1/declarations", &nanchang, None).await;
    assert_eq!(queue, json!([]));

    // The 抚州 reviewer's queue holds the three; returning needs a reason.
    let (_, queue) = call(&app, Method::GET, "/api/v1/declarations", &reviewer, None).await;
    assert_eq!(queue.as_array().unwrap().len(), 3, "{queue}");
    let review = |id: i64, body: Value| {
        let app = &app;
        let reviewer = reviewer.clone();
        async move {
            call(
                app,
                Method::POST,
                &format!("/api/v1/declarations/{id}/review"),
                &reviewer,
                Some(body),
            )
            .await
        }
    };
    let (status, body) = review(doubtful_id, json!({"decision": "return", "reason": null})).await;
    assert_eq!(
        assert_problem(status, &body, 422),
        vec![("reason".to_string(), "required".to_string())]
    );
    let (status, body) = review(
        doubtful_id,
        json!({"decision": "return", "reason": "保单金额与发票不符"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "returned");
    for id in [fee_id, premium_id] {
        let (status, body) = review(id, json!({"decision": "approve"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "approved");
    }
    // Decided once only.
    let (status, body) = review(premium_id, json!({"decision": "return", "reason": "重复"})).await;
    assert_problem(status, &body, 409);

    // The firm is told why one came back, and sees each one's state.
    let (_, notes) = call(&app, Method::GET, "/api/v1/notifications", &firm, None).await;
    let text = notes.to_string();
    assert!(text.contains("保单金额与发票不符"), "{text}");
    let (_, mine) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/declarations"),
        &firm,
        None,
    )
    .await;
    let states: Vec<(i64, String)> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_i64().unwrap(),
                d["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            (doubtful_id, "returned".into()),
            (premium_id, "approved".into()),
            (fee_id, "approved".into())
        ]
    );

    // The premium counts (the returned one does not), traced to its declaration; the fee still
    // waits for the certificate's confirmation.
    let e = entitlements(&app, &firm).await;
    let insurance = item(&e, "专利执行保险保费资助").expect("insurance");
    assert_eq!(insurance["amount"], "6000.00", "{insurance}");
    let why = insurance["explanation"].as_str().unwrap();
    assert!(why.contains(&format!("申报编号 {premium_id}")), "{why}");
    assert!(!why.contains(&doubtful_id.to_string()), "{why}");
    assert!(reasons(&e, "贯标认证费用补贴").contains("资质待审核"));

    // The reviewer reads the certificate; meanwhile the firm swaps it for a national
    // demonstration title. Approving what was read does not confirm what was not: 409, and
    // nothing is decided.
    let seen = profile_version(&app, &reviewer).await;
    let review_quals = |version: i64, body: Value| {
        let app = &app;
        let reviewer = reviewer.clone();
        async move {
            let mut body = body;
            body["version"] = json!(version);
            call(
                app,
                Method::POST,
                &format!("/api/v1/enterprises/{LINCHUAN}/qualifications/review"),
                &reviewer,
                Some(body),
            )
            .await
        }
    };
    let (status, p) = call(
        &app,
        Method::PATCH,
        &format!("/api/v1/enterprises/{LINCHUAN}"),
        &firm,
        Some(json!({"version": seen, "qualifications": [
            {"kind": "gbt29490", "level": "national", "valid_from": "2025-03-01",
             "valid_to": "2028-02-28", "certificate": "18125IP0042"},
            {"kind": "ip_demonstration", "level": "national", "valid_from": "2025-01-01",
             "valid_to": "2099-12-31", "certificate": "SF-2025-001"}
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let (status, body) = review_quals(seen, json!({"decision": "approve"})).await;
    assert_problem(status, &body, 409);
    let (_, p) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}"),
        &reviewer,
        None,
    )
    .await;
    let states: Vec<&str> = p["qualifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["review"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["pending", "pending"], "{p}");
    // The reviewer looks again and returns both (the title has no proof, the certificate's
    // expiry is mistyped): the firm drops the title and corrects the certificate, which alone
    // waits for review.
    let (status, body) = review_quals(
        profile_version(&app, &reviewer).await,
        json!({"decision": "return", "reason": "示范企业称号无证明；证书有效期有误"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p = set_certificate(&app, &firm, "2025-03-01", "2028-02-29").await;
    assert_eq!(p["qualifications"][0]["review"], "pending", "{p}");

    // The reviewer confirms the certificate: the fee counts, up to the cap. Two decisions on
    // the same qualifications (another reviewer, a double click) are taken once.
    let seen = profile_version(&app, &reviewer).await;
    let (status, p) = review_quals(seen, json!({"decision": "approve", "reason": null})).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["qualifications"][0]["review"], "confirmed");
    let (status, body) = review_quals(seen, json!({"decision": "return", "reason": "重复"})).await;
    assert_problem(status, &body, 409);
    let (_, notes) = call(&app, Method::GET, "/api/v1/notifications", &firm, None).await;
    let confirmed = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["title"] == "企业资质已确认")
        .count();
    assert_eq!(confirmed, 1, "{notes}");
    let (_, p) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}"),
        &reviewer,
        None,
    )
    .await;
    assert_eq!(p["qualifications"][0]["review"], "confirmed", "{p}");
    let e = entitlements(&app, &firm).await;
    let cert = item(&e, "贯标认证费用补贴").expect("certification");
    assert_eq!(cert["amount"], "20000.00");
    let why = cert["explanation"].as_str().unwrap();
    assert!(why.contains(&format!("申报编号 {fee_id}")), "{why}");
    assert!(why.contains("26,000.00元"), "{why}");
    assert_eq!(e["total"], "26000.00");

    // The firm changes the certificate's dates: it waits for review again.
    let p = set_certificate(&app, &firm, "2025-03-01", "2029-02-28").await;
    assert_eq!(p["qualifications"][0]["review"], "pending");
    assert!(item(&entitlements(&app, &firm).await, "贯标认证费用补贴").is_none());

    // A certificate the reviewer enters is confirmed at once; an expired one never counts.
    let p = set_certificate(&app, &reviewer, "2021-07-01", "2024-06-30").await;
    assert_eq!(p["qualifications"][0]["review"], "confirmed");
    let e = entitlements(&app, &firm).await;
    assert!(item(&e, "贯标认证费用补贴").is_none());
    assert!(
        reasons(&e, "贯标认证费用补贴").contains("已于2024-06-30失效"),
        "{e}"
    );
    app.stop().await;
}

on_both_backends!(declared_facts_count_once_a_reviewer_of_the_region_confirms_them);

async fn a_dry_run_refuses_a_year_out_of_range(fresh: Fresh) {
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    let office = app.long_token(&fresh, "admin.fuzhou").await;
    let policy = fund_policy(&app, &office).await;
    for year in [1900, 2101, -5] {
        let (status, body) = call(
            &app,
            Method::POST,
            "/api/v1/award-rules/dry-run",
            &office,
            Some(json!({"rule": insurance_rule(policy), "year": year})),
        )
        .await;
        assert_eq!(
            assert_problem(status, &body, 422),
            vec![("year".to_string(), "invalid_year".to_string())]
        );
    }
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/award-rules/dry-run",
        &office,
        Some(json!({"rule": insurance_rule(policy), "year": 2025})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.stop().await;
}

on_both_backends!(a_dry_run_refuses_a_year_out_of_range);

/// The reviewers' list of firms whose qualifications wait (`GET /api/v1/qualifications`): the
/// 抚州 reviewer sees the 临川 firm that entered its certificate, a page at a time and by its
/// counties; a 南昌 reviewer sees none and may not ask for a 抚州 county; neither the firm nor an
/// office reads the list; once confirmed, the firm leaves it.
async fn reviewers_list_the_firms_whose_qualifications_wait_in_their_region(fresh: Fresh) {
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "shenhe.fuzhou", "reviewer", Some("361000"), None).await;
    add_user(&fresh, "shenhe.nanchang", "reviewer", Some("360100"), None).await;
    let office = app.long_token(&fresh, "admin.fuzhou").await;
    let reviewer = app.long_token(&fresh, "shenhe.fuzhou").await;
    let nanchang = app.long_token(&fresh, "shenhe.nanchang").await;
    let firm = linchuan_firm(&app, &fresh, "C39").await;
    set_certificate(&app, &firm, "2025-03-01", "2028-02-28").await;
    let list = |token: &str, query: &str| {
        let (token, path) = (token.to_string(), format!("/api/v1/qualifications{query}"));
        let app = &app;
        async move { call(app, Method::GET, &path, &token, None).await }
    };

    for query in ["", "?state=pending", "?state=pending&region=361002"] {
        let (status, page) = list(&reviewer, query).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(page["total"], 1, "{page}");
        let e = &page["items"][0];
        assert_eq!(e["credit_code"], LINCHUAN);
        assert_eq!(e["enterprise_name"], "抚州市临川区示例科技有限公司");
        assert_eq!(
            (e["region"].as_str(), e["region_name"].as_str()),
            (Some("361002"), Some("江西省抚州市临川区"))
        );
        assert_eq!(
            (e["state"].as_str(), e["count"].as_i64()),
            (Some("pending"), Some(1))
        );
        // Which ones: what the reviewer decides from the list.
        let q = &e["qualifications"][0];
        assert_eq!(
            (
                q["kind"].as_str(),
                q["level"].as_str(),
                q["certificate"].as_str()
            ),
            (Some("gbt29490"), Some("national"), Some("18125IP0042"))
        );
        assert_eq!(
            (
                q["valid_from"].as_str(),
                q["valid_to"].as_str(),
                q["review"].as_str()
            ),
            (Some("2025-03-01"), Some("2028-02-28"), Some("pending"))
        );
        assert_eq!(
            e["review"],
            format!("/api/v1/enterprises/{LINCHUAN}/qualifications/review")
        );
    }
    // Paged: the second page of one is empty, the total still one.
    let (_, page) = list(&reviewer, "?per_page=1&page=2").await;
    assert_eq!(
        (page["total"].as_i64(), page["page"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    // Another county of 抚州 holds none.
    let (_, page) = list(&reviewer, "?region=361003").await;
    assert_eq!(page["total"], 0, "{page}");
    // Bad filters, each on its field.
    for (query, field, code) in [
        ("?state=waiting", "state", "invalid_state"),
        ("?per_page=0", "per_page", "invalid"),
    ] {
        let (status, body) = list(&reviewer, query).await;
        assert_eq!(
            assert_problem(status, &body, 422),
            vec![(field.to_string(), code.to_string())]
        );
    }

    // Outside 抚州: nothing listed, and a 抚州 county is not there.
    let (status, page) = list(&nanchang, "?state=pending").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 0);
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    let (status, body) = list(&nanchang, "?region=361002").await;
    assert_problem(status, &body, 404);
    let (status, body) = list(&reviewer, "?region=360100").await;
    assert_problem(status, &body, 404);
    // The firm and the office do not review: not theirs to read.
    for token in [&firm, &office] {
        let (status, body) = list(token, "").await;
        assert_problem(status, &body, 403);
    }

    // Confirmed at the version the list gave, the firm leaves the list of those waiting and
    // joins the confirmed.
    let (_, page) = list(&reviewer, "").await;
    let version = page["items"][0]["version"]
        .as_i64()
        .expect("a version to review at");
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/qualifications/review"),
        &reviewer,
        Some(json!({"decision": "approve", "version": version})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = list(&reviewer, "").await;
    assert_eq!(page["total"], 0, "{page}");
    let (_, page) = list(&reviewer, "?state=confirmed").await;
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["items"][0]["state"], "confirmed");
    app.stop().await;
}

on_both_backends!(reviewers_list_the_firms_whose_qualifications_wait_in_their_region);
