//! From entitlement to payment (免申即享兑现): the 抚州 office publishes a rule and every firm of
//! its region that qualifies is told without asking (once per rule version and year, however
//! often the office asks again); the office decides to pay 80 % of the ceiling; the 临川 firm
//! confirms its pre-filled application in one click — stamped with the rule version, the yearly
//! cap respected — and cannot confirm it twice; the office sees it in its totals by rule and by
//! region, exports them, and records the payment, which is never recorded twice nor above what
//! is payable. A 南昌 office and firm see none of it (404). On both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, app_in_2025, assert_problem, call, fund_policy, linchuan_firm};
use support::{linchuan_product, publish_rule, register_product, TestApp, LINCHUAN};
use zhichan_testkit::{on_both_backends, Fresh};

/// The office's policy and a published rule: 1,000 per product registered in the year, at most
/// 2,500 per enterprise. Answers the rule's id.
async fn published_rule(app: &TestApp, office: &str) -> i64 {
    let policy = fund_policy(app, office).await;
    publish_rule(
        app,
        office,
        json!({
            "name": "备案专利产品奖励", "policy": policy, "clause": "第八条（三）",
            "clause_inferred": true, "region": "361000", "effective_on": "2023-11-10",
            "expires_on": null, "decided_on": "2023-11-10", "pattern": "per_item",
            "item": "registered_products", "amount": "1000.00", "cap": "2500.00",
            "examples": [{"name": "当年备案3件", "year": 2025, "amount": "2500.00",
                          "facts": {"region": "361002", "registered_products": 3}}]
        }),
    )
    .await
}

async fn entitlement_notices(app: &TestApp, firm: &str) -> Vec<Value> {
    let (status, n) = call(app, Method::GET, "/api/v1/notifications", firm, None).await;
    assert_eq!(status, StatusCode::OK, "{n}");
    n["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "entitlement")
        .cloned()
        .collect()
}

async fn an_entitlement_is_told_confirmed_once_and_paid_once(fresh: Fresh) {
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "admin.nanchang", "admin", Some("360100"), None).await;
    add_user(&fresh, "shenhe.fuzhou", "reviewer", Some("361000"), None).await;
    add_user(&fresh, "shenhe.nanchang", "reviewer", Some("360100"), None).await;
    let office = app.long_token(&fresh, "admin.fuzhou").await;
    let nanchang_office = app.long_token(&fresh, "admin.nanchang").await;
    let reviewer = app.long_token(&fresh, "shenhe.fuzhou").await;
    let nanchang_reviewer = app.long_token(&fresh, "shenhe.nanchang").await;
    let firm = linchuan_firm(&app, &fresh, "C39").await;
    for (i, n) in ["201910725275.4", "201920725276.4", "202010725277.6"]
        .iter()
        .enumerate()
    {
        register_product(
            &app,
            &firm,
            &reviewer,
            linchuan_product(&format!("采集终端{i}"), n),
        )
        .await;
    }

    // Publishing tells the firm, without it asking, what and how much.
    let rule = published_rule(&app, &office).await;
    let told = entitlement_notices(&app, &firm).await;
    assert_eq!(told.len(), 1, "{told:?}");
    let body = told[0]["body"].as_str().unwrap();
    assert!(
        body.contains("备案专利产品奖励") && body.contains("2,500.00"),
        "{body}"
    );
    assert_eq!(told[0]["link"], "/entitlements?year=2025");
    // Asking again for the same year starts a round that notifies nobody twice.
    let (status, r) = call(
        &app,
        Method::POST,
        &format!("/api/v1/award-rules/{rule}/notify"),
        &office,
        Some(json!({"year": 2025})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{r}");
    app.services.rounds_settled().await;
    let (status, r) = call(
        &app,
        Method::GET,
        &format!("/api/v1/award-rules/{rule}/rounds/{}", r["id"]),
        &office,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["status"].as_str(),
            r["eligible"].as_i64(),
            r["reached"].as_i64(),
            r["notified"].as_i64()
        ),
        (Some("finished"), Some(1), Some(1), Some(0))
    );
    assert_eq!(entitlement_notices(&app, &firm).await.len(), 1);
    // Nanchang's office can neither notify for nor budget a 抚州 rule.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/award-rules/{rule}/notify"),
        &nanchang_office,
        Some(json!({"year": 2025})),
    )
    .await;
    assert_problem(status, &body, 404);
    let share =
        json!({"rule": rule, "year": 2025, "mode": "share", "share_percent": 80, "version": null});
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/award-budgets",
        &nanchang_office,
        Some(share.clone()),
    )
    .await;
    assert_problem(status, &body, 404);

    // The office pays 80 % of the ceiling; the budget is versioned with who and when.
    let (status, b) = call(
        &app,
        Method::POST,
        "/api/v1/award-budgets",
        &office,
        Some(share.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["current"]["version"], 1);
    assert_eq!(b["current"]["set_by"], "admin.fuzhou");
    // A second office working from the same (no) version is told it is stale.
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/award-budgets",
        &office,
        Some(share),
    )
    .await;
    assert_problem(status, &body, 409);
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/award-budgets",
        &office,
        Some(json!({"rule": rule, "year": 2025, "mode": "share", "share_percent": 100, "version": 1})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        vec![(
            "share_percent".to_string(),
            "invalid_share_percent".to_string()
        )]
    );
    // On the budget page a share of 150 % comes back as typed, its message beside the box, the
    // stored budget unchanged.
    let browser = app.login("admin.fuzhou").await;
    let res = browser
        .client
        .post(app.url("/payouts/budgets"))
        .form(&[
            ("csrf", browser.csrf.as_str()),
            ("rule", &rule.to_string()),
            ("year", "2025"),
            ("version", "1"),
            ("mode", "share"),
            ("share_percent", "150"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    let field = format!("b-{rule}-percent");
    assert!(
        page.contains(&format!(
            r#"<input id="{field}" name="share_percent" inputmode="numeric" value="150" aria-invalid="true" aria-describedby="{field}-error">"#
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            r#"<p class="error" id="{field}-error">按比例兑现时"#
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(r##"<a href="#{field}">比例（%）："##)),
        "{page}"
    );
    assert!(page.contains("按上限的 80% 兑现"), "{page}");
    let (status, list) = call(
        &app,
        Method::GET,
        "/api/v1/award-budgets?year=2025",
        &reviewer,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"][0]["current"]["share_percent"], 80);

    // The firm confirms in one click: the cap of 2,500 holds over three products, 80 % of it is
    // payable, and the application carries the rule version and the budget it used.
    let confirm = json!({"rule": rule, "year": 2025, "rule_version": 1});
    let (status, a) = call(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/applications"),
        &firm,
        Some(confirm.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["ceiling"], "2500.00");
    assert_eq!(a["payable"], "2000.00");
    assert_eq!(
        (a["rule_version"].as_i64(), a["budget_version"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(a["status"], "confirmed");
    assert!(a["explanation"]
        .as_str()
        .unwrap()
        .contains("备案专利产品3件"));
    let id = a["id"].as_i64().unwrap();
    // Never twice for the same rule and year.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/applications"),
        &firm,
        Some(confirm),
    )
    .await;
    assert_problem(status, &body, 409);
    // Nothing to confirm for a year it does not qualify in, with the reason.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/applications"),
        &firm,
        Some(json!({"rule": rule, "year": 2024})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        vec![("rule".to_string(), "not_eligible".to_string())]
    );
    // A reviewer does not confirm for the firm; the firm reaches no other enterprise.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/applications"),
        &reviewer,
        Some(json!({"rule": rule, "year": 2025})),
    )
    .await;
    assert_problem(status, &body, 403);
    let (status, body) = call(
        &app,
        Method::GET,
        "/api/v1/enterprises/91360102MA35G7YK0X/applications",
        &firm,
        None,
    )
    .await;
    assert_problem(status, &body, 404);
    let (status, mine) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/applications"),
        &firm,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["total"], 1);

    // The office sees it with the totals by rule and by the counties below it.
    let (status, p) = call(
        &app,
        Method::GET,
        "/api/v1/payouts?year=2025",
        &office,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["total"], 1);
    assert_eq!(p["totals"]["region"], "361000");
    assert_eq!(p["totals"]["payable"], "2000.00");
    assert_eq!(p["totals"]["paid"], "0.00");
    assert_eq!(p["totals"]["by_rule"][0]["rule"], rule);
    assert_eq!(p["totals"]["by_rule"][0]["ceiling"], "2500.00");
    assert_eq!(p["totals"]["by_region"][0]["region"], "361002");
    assert_eq!(p["totals"]["by_region"][0]["name"], "江西省抚州市临川区");
    let (_, paid_only) = call(
        &app,
        Method::GET,
        "/api/v1/payouts?status=paid",
        &office,
        None,
    )
    .await;
    assert_eq!(paid_only["total"], 0);
    // Outside 抚州 nothing shows, and nothing is reachable.
    let (_, theirs) = call(&app, Method::GET, "/api/v1/payouts", &nanchang_office, None).await;
    assert_eq!(theirs["total"], 0);
    for (token, path) in [
        (&nanchang_reviewer, format!("/api/v1/payouts/{id}")),
        (
            &nanchang_office,
            "/api/v1/payouts?region=361002".to_string(),
        ),
    ] {
        let (status, body) = call(&app, Method::GET, &path, token, None).await;
        assert_problem(status, &body, 404);
    }
    let (status, body) = call(&app, Method::GET, "/api/v1/payouts", &firm, None).await;
    assert_problem(status, &body, 403);

    // The export: every application as a workbook.
    let res = app
        .client
        .get(app.url("/api/v1/payouts?format=xlsx&year=2025"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(support::content_type(&res).contains("spreadsheetml"));
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK");

    // Recording the payment: not above what is payable, not tomorrow, with a reference.
    let pay = |amount: &str, on: &str, version: i64| json!({"amount": amount, "paid_on": on, "reference": "FZ-2025-0001", "version": version});
    let path = format!("/api/v1/payouts/{id}/payment");
    let (status, body) = call(
        &app,
        Method::POST,
        &path,
        &office,
        Some(pay("2000.01", "2025-06-17", 1)),
    )
    .await;
    let errors = assert_problem(status, &body, 422);
    assert_eq!(
        errors,
        vec![
            ("amount".to_string(), "exceeds_payable".to_string()),
            ("paid_on".to_string(), "date_in_future".to_string())
        ]
    );
    // Nor dated before the firm confirmed its application (today, on the stopped clock).
    let (status, body) = call(
        &app,
        Method::POST,
        &path,
        &office,
        Some(pay("2000.00", "1900-01-01", 1)),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        vec![(
            "paid_on".to_string(),
            "date_before_confirmation".to_string()
        )]
    );
    for token in [&nanchang_office, &nanchang_reviewer] {
        let (status, body) = call(
            &app,
            Method::POST,
            &path,
            token,
            Some(pay("2000.00", "2025-06-16", 1)),
        )
        .await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{body}"
        );
    }
    let (status, body) = call(
        &app,
        Method::POST,
        &path,
        &reviewer,
        Some(pay("2000.00", "2025-06-16", 1)),
    )
    .await;
    assert_problem(status, &body, 403);
    let (status, paid) = call(
        &app,
        Method::POST,
        &path,
        &office,
        Some(pay("2000.00", "2025-06-16", 1)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["payment"]["amount"], "2000.00");
    assert_eq!(paid["payment"]["recorded_by"], "admin.fuzhou");
    // Never paid twice: neither at the old version nor at the new one.
    for version in [1, paid["version"].as_i64().unwrap()] {
        let (status, body) = call(
            &app,
            Method::POST,
            &path,
            &office,
            Some(pay("1.00", "2025-06-16", version)),
        )
        .await;
        assert_problem(status, &body, 409);
    }
    let (_, p) = call(
        &app,
        Method::GET,
        "/api/v1/payouts?year=2025",
        &office,
        None,
    )
    .await;
    assert_eq!(p["totals"]["paid"], "2000.00");
    assert_eq!(p["totals"]["paid_applications"], 1);
    // The firm hears of the payment too.
    let (_, n) = call(&app, Method::GET, "/api/v1/notifications", &firm, None).await;
    assert!(
        n["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "award_paid"),
        "{n}"
    );

    // The pages: the firm's entitlements with its confirmed application, the office's totals.
    let (status, html) = app.page_as("/entitlements?year=2025", &firm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("备案专利产品奖励") && html.contains("已兑付"),
        "{html}"
    );
    let (status, html) = app.page_as("/payouts?year=2025", &office).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("2,000.00") && html.contains("江西省抚州市临川区"),
        "{html}"
    );
    let (status, _) = app
        .page_as(&format!("/payouts/{id}"), &nanchang_office)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, html) = app.page_as("/payouts/budgets?year=2025", &office).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("按上限的 80% 兑现"), "{html}");
    app.stop().await;
}

on_both_backends!(an_entitlement_is_told_confirmed_once_and_paid_once);
