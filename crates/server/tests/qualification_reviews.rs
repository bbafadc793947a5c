//! A reviewer decides qualifications from the queue, and a firm resubmits one returned only
//! because of another. The 临川 firm enters its GB/T 29490 certificate and a city
//! demonstration-enterprise honour; the 抚州 reviewer's page lists both — name, level,
//! certificate number, validity — under the firm, and the reviewer returns them together
//! because the honour's dates are wrong. The firm corrects the honour; the certificate, saved
//! unchanged, stays returned, so the firm resubmits it (重新提交) at the version it read: once,
//! audited with the return's reason, not at a stale version, not when it is not returned, and
//! not by anyone outside the firm's region. Both then wait for the reviewer, who confirms them. On both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::LINCHUAN;
use support::{add_user, app_in_2025, assert_problem, call, linchuan_firm, people, TestApp};
use zhichan_store::{Exec, Sql};
use zhichan_testkit::{on_both_backends, Fresh};

const CERT: &str = "18125IP0042";
const HONOUR: &str = "FZ-SF-2025-017";

async fn profile(app: &TestApp, token: &str) -> Value {
    let (status, p) = call(
        app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    p
}

fn review_of(p: &Value, kind: &str) -> String {
    p["qualifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["kind"] == kind)
        .unwrap_or_else(|| panic!("{kind} in {p}"))["review"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn set_qualifications(app: &TestApp, firm: &str, honour_to: &str) {
    let version = profile(app, firm).await["version"].as_i64().unwrap();
    let (status, p) = call(
        app,
        Method::PATCH,
        &format!("/api/v1/enterprises/{LINCHUAN}"),
        firm,
        Some(json!({"version": version, "qualifications": [
            {"kind": "gbt29490", "level": "national", "valid_from": "2025-03-01",
             "valid_to": "2028-02-28", "certificate": CERT},
            {"kind": "ip_demonstration", "level": "city", "valid_from": "2025-06-01",
             "valid_to": honour_to, "certificate": HONOUR}
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
}

async fn resubmit(app: &TestApp, token: &str, version: i64) -> (StatusCode, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/qualifications/resubmit"),
        token,
        Some(json!({"kind": "gbt29490", "level": "national", "version": version})),
    )
    .await
}

async fn a_certificate_returned_with_another_is_resubmitted_and_confirmed(fresh: Fresh) {
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "shenhe.fuzhou", "reviewer", Some("361000"), None).await;
    let reviewer = app.long_token(&fresh, "shenhe.fuzhou").await;
    let firm = linchuan_firm(&app, &fresh, "C39").await;
    set_qualifications(&app, &firm, "2028-05-31").await;

    // The reviewer's queue lists what waits under the firm: name, level, certificate, dates.
    let (status, page) = app.page_as("/reviews/facts", &reviewer).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "抚州市临川区示例科技有限公司",
        "国家级通过《企业知识产权管理规范》（GB/T 29490）认证",
        "市级知识产权示范企业",
        CERT,
        HONOUR,
        "2025-03-01",
        "2028-02-28",
        "2025-06-01",
        "2028-05-31",
        "待确认资质 2 项",
    ] {
        assert!(page.contains(text), "{text} not in the queue:\n{page}");
    }

    // Returned together, because of the honour.
    let version = profile(&app, &reviewer).await["version"].as_i64().unwrap();
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/qualifications/review"),
        &reviewer,
        Some(
            json!({"decision": "return", "reason": "示范企业证书编号与文件不符",
                    "version": version}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The firm corrects the honour; the certificate, saved unchanged, stays returned.
    set_qualifications(&app, &firm, "2028-06-30").await;
    let p = profile(&app, &firm).await;
    assert_eq!(review_of(&p, "ip_demonstration"), "pending");
    assert_eq!(review_of(&p, "gbt29490"), "returned");
    // Its page offers to resubmit the returned one.
    let (_, page) = app
        .page_as(&format!("/enterprises/{LINCHUAN}"), &firm)
        .await;
    assert!(
        page.contains(&format!(
            "action=\"/enterprises/{LINCHUAN}/qualifications/resubmit\""
        )) && page.contains("重新提交")
            && page.contains("示范企业证书编号与文件不符"),
        "{page}"
    );

    // Not at a stale version; not by anyone outside the firm's region (404); then at the
    // version read.
    let version = p["version"].as_i64().unwrap();
    let (status, body) = resubmit(&app, &firm, version - 1).await;
    assert_problem(status, &body, 409);
    let [other] = people(&fresh, ["rev.nanchang"]).await;
    let (status, body) = resubmit(&app, &other, version).await;
    assert_problem(status, &body, 404);
    let (status, body) = resubmit(&app, &firm, version).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(review_of(&body, "gbt29490"), "pending");
    assert_eq!(body["version"].as_i64(), Some(version + 1));
    // Once: it is no longer returned.
    let (status, body) = resubmit(&app, &firm, version + 1).await;
    assert_problem(status, &body, 409);
    // A qualification the firm does not hold is named on its field.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/qualifications/resubmit"),
        &firm,
        Some(json!({"kind": "high_tech", "level": "national", "version": version + 1})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        vec![("kind".to_string(), "unknown_qualification".to_string())]
    );

    // Audited, with the return's reason.
    let detail: String = fresh
        .db
        .fetch_one(Sql::new(
            "SELECT detail FROM audit_log WHERE action = 'enterprise.qualification_resubmit'",
        ))
        .await
        .unwrap();
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(
        detail["returned_reason"], "示范企业证书编号与文件不符",
        "{detail}"
    );
    assert_eq!(detail["certificate"], CERT);

    // Both wait for the reviewer again, who confirms them from the queue.
    let (_, page) = app.page_as("/reviews/facts", &reviewer).await;
    assert!(
        page.contains("待确认资质 2 项") && page.contains(CERT),
        "{page}"
    );
    let version = profile(&app, &reviewer).await["version"].as_i64().unwrap();
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/enterprises/{LINCHUAN}/qualifications/review"),
        &reviewer,
        Some(json!({"decision": "approve", "version": version})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(review_of(&body, "gbt29490"), "confirmed");
    assert_eq!(review_of(&body, "ip_demonstration"), "confirmed");
    app.stop().await;
}
on_both_backends!(a_certificate_returned_with_another_is_resubmitted_and_confirmed);
