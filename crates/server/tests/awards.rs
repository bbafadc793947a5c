//! Award rules and entitlements (免申即享): the 抚州 office writes a rule citing its policy and
//! clause, cannot publish it while a worked example fails, dry-runs it over its region and then
//! publishes; a firm of 临川区 sees what it is entitled to — each amount with its clause, its
//! explanation and the rule version — and what it is not, with the reasons: several honours in
//! one year paid once at the highest, the yearly cap per enterprise, an expired qualification
//! not counted, the patent condition of a cost share, and a firm outside 抚州 getting nothing.
//! On both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, app_in_2025, assert_problem, call, fund_policy, linchuan_firm};
use support::{linchuan_product, publish_rule, register_product, LINCHUAN};
use zhichan_testkit::{on_both_backends, Fresh};

const RULES: &str = "/api/v1/award-rules";

/// A 南昌市东湖区 firm's credit code (valid check character).
fn nanchang_code() -> String {
    let first17 = "91360102MA35G7YK0";
    format!(
        "{first17}{}",
        zhichan_domain::credit_code::check_char(first17).unwrap()
    )
}

fn per_product_rule(policy: i64, cap: Option<&str>, expected_for_three: &str) -> Value {
    json!({
        "name": "备案专利产品奖励", "policy": policy, "clause": "第八条（三）",
        "clause_inferred": true, "region": "361000", "effective_on": "2023-11-10",
        "expires_on": null, "decided_on": "2023-11-10", "pattern": "per_item",
        "item": "registered_products", "amount": "1000.00", "cap": cap,
        "examples": [
            {"name": "当年备案3件", "year": 2025, "amount": expected_for_three,
             "facts": {"region": "361002", "registered_products": 3}},
            {"name": "抚州以外", "year": 2025, "reason_contains": "仅适用于",
             "facts": {"region": "360102", "registered_products": 3}}
        ]
    })
}

fn entitlement<'a>(e: &'a Value, name: &str) -> Option<&'a Value> {
    e["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
}

fn refusal<'a>(e: &'a Value, name: &str) -> Option<&'a Value> {
    e["not_eligible"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
}

async fn a_rule_with_a_failing_example_waits_and_a_dry_run_foretells_what_firms_then_see(
    fresh: Fresh,
) {
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
    let policy = fund_policy(&app, &office).await;

    // Three products registered this year.
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

    // The office writes the rule with a cap of 2,500 but an example that forgot it.
    let (status, created) = call(
        &app,
        Method::POST,
        RULES,
        &office,
        Some(per_product_rule(policy, Some("2500.00"), "3000.00")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["current"]["id"].as_i64().unwrap();
    assert_eq!(created["current"]["status"], "draft");
    assert_eq!(created["current"]["examples"][0]["holds"], false);
    assert_eq!(created["current"]["examples"][1]["holds"], true);

    // Nanchang's office may not write, publish or even see a 抚州 rule being changed.
    let (status, body) = call(
        &app,
        Method::POST,
        RULES,
        &nanchang_office,
        Some(per_product_rule(policy, None, "3000.00")),
    )
    .await;
    assert_problem(status, &body, 404);
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{RULES}/{id}/publish"),
        &nanchang_office,
        Some(json!({"version": 1})),
    )
    .await;
    assert_problem(status, &body, 404);
    // Nor read it: a 抚州 draft is not there for 南昌's office or reviewer, and their lists
    // hold no 抚州 rule.
    for token in [&nanchang_office, &nanchang_reviewer] {
        let (status, body) = call(&app, Method::GET, &format!("{RULES}/{id}"), token, None).await;
        assert_problem(status, &body, 404);
        let (status, list) = call(&app, Method::GET, RULES, token, None).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 0, "{list}");
    }

    // Publishing is refused while the example fails, naming it.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{RULES}/{id}/publish"),
        &office,
        Some(json!({"version": 1})),
    )
    .await;
    let errors = assert_problem(status, &body, 422);
    assert_eq!(
        errors,
        vec![("examples[0]".to_string(), "example_failed".to_string())]
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("预期不超过3,000.00元，实际不超过2,500.00元"));

    // A firm sees nothing from a draft.
    let (status, e) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/entitlements?year=2025"),
        &firm,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["total"], "0.00");
    assert!(entitlement(&e, "备案专利产品奖励").is_none());

    // The office corrects the example; the dry run over 抚州 shows the cap at work.
    let fixed = per_product_rule(policy, Some("2500.00"), "2500.00");
    let (status, d) = call(
        &app,
        Method::POST,
        &format!("{RULES}/dry-run"),
        &office,
        Some(json!({"rule": fixed, "year": 2025})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["eligible"], 1);
    assert_eq!(d["total"], "2500.00");
    assert_eq!(
        d["regions"],
        json!([{"region": "361002", "enterprises": 1, "total": "2500.00"}])
    );
    assert!(d["examples"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["holds"] == true));
    let (status, edited) = call(
        &app,
        Method::PATCH,
        &format!("{RULES}/{id}"),
        &office,
        Some(json!({"version": 1, "rule": fixed})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let (status, published) = call(
        &app,
        Method::POST,
        &format!("{RULES}/{id}/publish"),
        &office,
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["published_version"], 1);

    // What the firm then sees is what the dry run said, with its basis.
    let (status, e) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/entitlements?year=2025"),
        &firm,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["total"], d["total"]);
    let item = entitlement(&e, "备案专利产品奖励").expect("entitled");
    assert_eq!(item["amount"], "2500.00");
    assert_eq!(item["clause"], "第八条（三）");
    assert_eq!(item["clause_inferred"], true);
    assert_eq!(item["doc_number"], "抚市监字〔2023〕1号");
    assert_eq!(item["policy"], policy);
    assert_eq!(item["rule_version"], 1);
    let why = item["explanation"].as_str().unwrap();
    assert!(why.contains("备案专利产品3件"), "{why}");
    assert!(why.contains("单个企业年度不超过2,500.00元"), "{why}");
    // The year before, nothing registered: not eligible, with the reason.
    let (_, before) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/entitlements?year=2024"),
        &firm,
        None,
    )
    .await;
    assert_eq!(before["total"], "0.00");
    assert!(refusal(&before, "备案专利产品奖励").unwrap()["reasons"][0]
        .as_str()
        .unwrap()
        .contains("2024年度没有备案专利产品"));

    // Raising the cap: the dry run against the published version names the firm that changes.
    let raised = per_product_rule(policy, None, "3000.00");
    let (status, d) = call(
        &app,
        Method::POST,
        &format!("{RULES}/dry-run"),
        &office,
        Some(json!({"rule": raised, "year": 2025, "id": id})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["published_total"], "2500.00");
    assert_eq!(d["total"], "3000.00");
    assert_eq!(
        d["changes"],
        json!([{"credit_code": LINCHUAN, "name": "抚州市临川区示例科技有限公司",
                "region": "361002", "before": "2500.00", "after": "3000.00"}])
    );

    // The 抚州 reviewer reads the firm's entitlements; Nanchang's reviewer and another firm
    // learn nothing.
    let (status, _) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/entitlements?year=2025"),
        &reviewer,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/entitlements?year=2025"),
        &nanchang_reviewer,
        None,
    )
    .await;
    assert_problem(status, &body, 404);
    let other = nanchang_code();
    add_user(&fresh, "nanchang.firm", "enterprise", None, Some(&other)).await;
    let other_firm = app.long_token(&fresh, "nanchang.firm").await;
    let (status, body) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/entitlements?year=2025"),
        &other_firm,
        None,
    )
    .await;
    assert_problem(status, &body, 404);
    app.stop().await;
}

on_both_backends!(a_rule_with_a_failing_example_waits_and_a_dry_run_foretells_what_firms_then_see);

fn honours_rule(policy: i64) -> Value {
    let tier = |k: &str, l: &str, a: &str| json!({"qualification": k, "level": l, "amount": a});
    json!({
        "name": "示范、优势企业奖励", "policy": policy, "clause": "第九条（二）",
        "region": "361000", "effective_on": "2023-11-10", "pattern": "highest_only",
        "tiers": [
            tier("ip_demonstration", "national", "30000"),
            tier("ip_advantage", "national", "20000"),
            tier("ip_demonstration", "provincial", "20000"),
            tier("ip_advantage", "provincial", "10000"),
            tier("ip_demonstration", "city", "10000"),
            tier("ip_advantage", "city", "5000")
        ],
        "examples": [
            {"name": "同年两项荣誉按最高", "year": 2025, "amount": "20000",
             "reason_contains": "不重复奖励",
             "facts": {"region": "361002", "qualifications": [
                {"kind": "ip_advantage", "level": "national", "valid_from": "2025-10-01", "valid_to": "2030-09-30"},
                {"kind": "ip_demonstration", "level": "city", "valid_from": "2025-05-01", "valid_to": "2028-04-30"}
             ]}}
        ]
    })
}

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
                       "declarations": [{"kind": "certification_fee", "amount": "26000"}]}},
            {"name": "认证费8千元全额", "year": 2025, "amount": "8000",
             "facts": {"region": "361002", "valid_patents": 3,
                       "qualifications": [{"kind": "gbt29490", "level": "national", "valid_from": "2025-03-01", "valid_to": "2028-02-28"}],
                       "declarations": [{"kind": "certification_fee", "amount": "8000"}]}}
        ]
    })
}

async fn honours_pay_once_at_the_highest_expired_certificates_do_not_count_and_outsiders_get_nothing(
    fresh: Fresh,
) {
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "shenhe.fuzhou", "reviewer", Some("361000"), None).await;
    let office = app.long_token(&fresh, "admin.fuzhou").await;
    let reviewer = app.long_token(&fresh, "shenhe.fuzhou").await;
    let policy = fund_policy(&app, &office).await;
    publish_rule(&app, &office, honours_rule(policy)).await;
    publish_rule(&app, &office, certification_rule(policy)).await;

    // The 临川 firm's profile: three honours this year, and a GB/T 29490 certificate that
    // expired last year; one product with one utility-model patent of its own.
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    let firm = app.long_token(&fresh, "linchuan.tech").await;
    let q = |k: &str, l: &str, from: &str, to: &str, cert: &str| json!({"kind": k, "level": l, "valid_from": from, "valid_to": to, "certificate": cert});
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/enterprises",
        &reviewer,
        Some(json!({
            "credit_code": LINCHUAN, "name": "抚州市临川区示例科技有限公司", "scale": "small",
            "ownership": "private", "industry": "C39",
            "contact": {"name": "王芳", "phone": "0794-8888888"},
            "qualifications": [
                q("ip_advantage", "city", "2025-03-01", "2028-02-28", "FZ-2025-011"),
                q("ip_demonstration", "provincial", "2025-06-01", "2028-05-31", "JX-2025-102"),
                q("ip_advantage", "national", "2025-09-01", "2030-08-31", "GZ-2025-0330"),
                q("gbt29490", "national", "2021-07-01", "2024-06-30", "18121IP0001")
            ]
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    register_product(
        &app,
        &firm,
        &reviewer,
        linchuan_product("采集终端", "202120725278.0"),
    )
    .await;

    let (status, e) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/entitlements?year=2025"),
        &firm,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let honours = entitlement(&e, "示范、优势企业奖励").expect("an honour");
    assert_eq!(honours["amount"], "20000.00", "the highest, once");
    let why = honours["explanation"].as_str().unwrap();
    assert!(why.contains("不重复奖励"), "{why}");
    assert_eq!(e["total"], "20000.00");
    // Next year the same honours pay nothing again.
    let (_, next) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}/entitlements?year=2026"),
        &firm,
        None,
    )
    .await;
    assert!(entitlement(&next, "示范、优势企业奖励").is_none());

    // The certification subsidy: the expired certificate does not count, and the patent
    // condition is explained with the platform's own count.
    let cert = refusal(&e, "贯标认证费用补贴").expect("not eligible");
    let reasons: Vec<&str> = cert["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("已于2024-06-30失效")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"需拥有有效专利3件以上或发明专利1件以上；目前有效专利1件、发明专利0件"),
        "{reasons:?}"
    );

    // A 南昌 firm gets nothing from 抚州's rules, and is told why.
    let other = nanchang_code();
    add_user(&fresh, "nanchang.firm", "enterprise", None, Some(&other)).await;
    let outsider = app.long_token(&fresh, "nanchang.firm").await;
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/enterprises",
        &outsider,
        Some(json!({
            "credit_code": other, "name": "南昌市东湖区测试科技有限公司", "scale": "small",
            "ownership": "private", "industry": "C39",
            "contact": {"name": "李雷", "phone": "0791-8888888"},
            "qualifications": [q("ip_demonstration", "national", "2025-02-01", "2030-01-31", "GZ-2025-0001")]
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, e) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{other}/entitlements?year=2025"),
        &outsider,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["total"], "0.00");
    assert!(e["items"].as_array().unwrap().is_empty());
    let r = refusal(&e, "示范、优势企业奖励").expect("told why");
    let reason = r["reasons"][0].as_str().unwrap();
    assert!(reason.contains("本规则仅适用于江西省抚州市"), "{reason}");
    assert!(reason.contains("南昌市"), "{reason}");
    app.stop().await;
}

on_both_backends!(
    honours_pay_once_at_the_highest_expired_certificates_do_not_count_and_outsiders_get_nothing
);

/// The office keeps several rules: the list answers a page at a time like every other list,
/// and publishing a version the rule does not have is a conflict (409, refresh and retry), not
/// a rule that is not there (404).
async fn the_rules_list_pages_and_publishing_a_wrong_version_is_a_conflict(fresh: Fresh) {
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    let office = app.long_token(&fresh, "admin.fuzhou").await;
    let policy = fund_policy(&app, &office).await;
    let honours = publish_rule(&app, &office, honours_rule(policy)).await;
    let certification = publish_rule(&app, &office, certification_rule(policy)).await;

    let (status, first) = call(
        &app,
        Method::GET,
        &format!("{RULES}?per_page=1"),
        &office,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["total"], 2);
    assert_eq!(first["page"], 1);
    assert_eq!(first["per_page"], 1);
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert_eq!(first["items"][0]["id"], certification, "newest first");
    assert_eq!(first["items"][0]["status"], "published");
    let (status, second) = call(
        &app,
        Method::GET,
        &format!("{RULES}?per_page=1&page=2"),
        &office,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["items"][0]["id"], honours);
    let (status, body) = call(
        &app,
        Method::GET,
        &format!("{RULES}?per_page=0"),
        &office,
        None,
    )
    .await;
    assert_problem(status, &body, 422);

    for version in [7, 0] {
        let (status, body) = call(
            &app,
            Method::POST,
            &format!("{RULES}/{honours}/publish"),
            &office,
            Some(json!({"version": version})),
        )
        .await;
        assert_problem(status, &body, 409);
    }
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{RULES}/{}/publish", certification + 100),
        &office,
        Some(json!({"version": 1})),
    )
    .await;
    assert_problem(status, &body, 404);
    app.stop().await;
}

on_both_backends!(the_rules_list_pages_and_publishing_a_wrong_version_is_a_conflict);

/// While the 抚州 office drafts a change to a published rule, a county of 抚州 still reads the
/// version in force — never the draft, not even by its number — and sees the change once it is
/// published.
async fn a_county_reads_the_rule_in_force_while_the_city_drafts_a_change(fresh: Fresh) {
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "admin.linchuan", "admin", Some("361002"), None).await;
    let office = app.long_token(&fresh, "admin.fuzhou").await;
    let county = app.long_token(&fresh, "admin.linchuan").await;
    let policy = fund_policy(&app, &office).await;
    let rule = honours_rule(policy);
    let id = publish_rule(&app, &office, rule.clone()).await;
    let read = |token: String, query: &'static str| {
        let app = &app;
        async move {
            call(
                app,
                Method::GET,
                &format!("{RULES}/{id}{query}"),
                &token,
                None,
            )
            .await
        }
    };
    let (status, before) = read(county.clone(), "").await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["current"]["version"], 1);

    let mut changed = rule.clone();
    changed["name"] = json!("示范企业奖励（修订稿）");
    let (status, draft) = call(
        &app,
        Method::PATCH,
        &format!("{RULES}/{id}"),
        &office,
        Some(json!({"version": 1, "rule": changed})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["current"]["version"], 2);

    let (status, during) = read(county.clone(), "").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the rule in force vanished: {during}"
    );
    assert_eq!(during["current"]["version"], 1, "{during}");
    assert!(
        !during.to_string().contains("修订稿"),
        "the draft leaked: {during}"
    );
    let (status, body) = read(county.clone(), "?version=2").await;
    assert_problem(status, &body, 404);
    let (status, own) = read(office.clone(), "").await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(own["current"]["version"], 2, "the keepers see their draft");

    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{RULES}/{id}/publish"),
        &office,
        Some(json!({"version": 2})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, after) = read(county, "").await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["current"]["version"], 2);
    app.stop().await;
}

on_both_backends!(a_county_reads_the_rule_in_force_while_the_city_drafts_a_change);

/// An amount the platform cannot hold — too many decimals, too many digits — is refused on the
/// field where it was typed, with the money rule's own code and words, whether it is the rule's
/// amount, a tier's, a cap in a dry run or a declared cost in a worked example; nothing is
/// stored.
async fn a_wrong_amount_is_refused_on_its_own_field_with_the_money_rule(fresh: Fresh) {
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    let office = app.long_token(&fresh, "admin.fuzhou").await;
    let policy = fund_policy(&app, &office).await;

    let money_refusal = |status: StatusCode, body: &Value, field: &str| {
        let errors = assert_problem(status, body, 422);
        assert_eq!(
            errors,
            vec![(field.to_string(), "invalid_money".to_string())],
            "{body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("金额") && message.contains("两位小数"),
            "{body}"
        );
    };

    let mut rule = per_product_rule(policy, Some("2500.00"), "2500.00");
    rule["amount"] = json!("1000.005");
    let (status, body) = call(&app, Method::POST, RULES, &office, Some(rule)).await;
    money_refusal(status, &body, "amount");

    let mut rule = honours_rule(policy);
    rule["tiers"][1]["amount"] = json!("12345678901234567.00");
    let (status, body) = call(&app, Method::POST, RULES, &office, Some(rule)).await;
    money_refusal(status, &body, "tiers[1].amount");

    let mut rule = certification_rule(policy);
    rule["examples"][1]["facts"]["declarations"][0]["amount"] = json!("8000.123");
    let (status, body) = call(&app, Method::POST, RULES, &office, Some(rule)).await;
    money_refusal(status, &body, "examples[1].facts.declarations[0].amount");

    // Nothing was stored.
    let (status, list) = call(&app, Method::GET, RULES, &office, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 0, "{list}");

    // Inside a change and a dry run the path starts at the rule.
    let id = publish_rule(&app, &office, certification_rule(policy)).await;
    let mut rule = certification_rule(policy);
    rule["cap"] = json!("20000.001");
    let (status, body) = call(
        &app,
        Method::PATCH,
        &format!("{RULES}/{id}"),
        &office,
        Some(json!({"version": 1, "rule": rule.clone()})),
    )
    .await;
    money_refusal(status, &body, "rule.cap");
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{RULES}/dry-run"),
        &office,
        Some(json!({"rule": rule, "year": 2025})),
    )
    .await;
    money_refusal(status, &body, "rule.cap");
    let (status, detail) = call(&app, Method::GET, &format!("{RULES}/{id}"), &office, None).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["versions"].as_array().unwrap().len(), 1, "{detail}");
    app.stop().await;
}

on_both_backends!(a_wrong_amount_is_refused_on_its_own_field_with_the_money_rule);
