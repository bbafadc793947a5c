//! What an auditor relies on and an attacker runs into: every refusal on record with who, what,
//! when and from where; a public lookup that cannot be enumerated; an archive that searches like
//! the live log. On both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, spawn_with};
use zhichan_server::Settings;
use zhichan_testkit::{on_both_backends, Fresh};

/// Registered in 抚州市临川区 (361002).
const LINCHUAN: &str = "91361002MA35F6XK04";
/// Registered in 福州市 (350100).
const FUZHOU_FJ: &str = "91350100M000100Y43";
/// Where the prober's requests come from, as the trusted proxy says.
const PROBER: &str = "203.0.113.7";

fn behind_proxy() -> Settings {
    Settings {
        trust_proxy: true,
        ..Settings::default()
    }
}

fn profile(code: &str, name: &str) -> Value {
    json!({
        "credit_code": code, "name": name, "scale": "small", "ownership": "private",
        "industry": "C39", "contact": {"name": "王芳", "phone": "0794-8888888"}
    })
}

async fn every_refusal_is_on_record_with_its_address(fresh: Fresh) {
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    add_user(&fresh, "fuzhou.fj", "enterprise", None, Some(FUZHOU_FJ)).await;
    add_user(&fresh, "adm.nanchang", "admin", Some("360100"), None).await;
    add_user(&fresh, "adm.linchuan", "admin", Some("361002"), None).await;
    let app = spawn_with(&fresh, behind_proxy()).await;
    let firm = app.token(&fresh, "linchuan.tech").await;
    let other = app.token(&fresh, "fuzhou.fj").await;
    let office = app.token(&fresh, "adm.nanchang").await;
    let call = |method: Method, path: &str, token: &str, body: Option<Value>| {
        let mut r = app
            .client
            .request(method, app.url(path))
            .bearer_auth(token)
            .header("x-forwarded-for", PROBER);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    // The 福州 firm's code was issued in the city itself: it types its county (鼓楼区).
    for (token, code, name, region) in [
        (&firm, LINCHUAN, "抚州市临川区示例科技有限公司", "361002"),
        (&other, FUZHOU_FJ, "福州示例电子有限公司", "350102"),
    ] {
        let mut body = profile(code, name);
        body["region"] = json!(region);
        let res = call(Method::POST, "/api/v1/enterprises", token, Some(body))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    // A notification of the 福州 firm's.
    let fj = zhichan_store::enterprises::by_credit_code(&fresh.db, FUZHOU_FJ)
        .await
        .unwrap()
        .unwrap();
    let tx = fresh.db.begin().await.unwrap();
    zhichan_service::notifications::notify(
        &tx,
        &zhichan_service::notifications::Notice {
            enterprise_id: fj.id,
            kind: zhichan_service::notifications::Kind::UpdateDue,
            title: "请在 2026-06-30 前完成“测温终端”的信息更新",
            body: "请确认产品仍在生产销售，并填报 2025 年度的销售收入、产值、出口额、利润和知识产权投入。",
            link: "/products",
            key: "story",
        },
        zhichan_domain::Timestamp::parse("2026-03-02T01:00:00.000Z").unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (notes, _, _) = zhichan_store::notifications::list(&fresh.db, fj.id, 10, 0)
        .await
        .unwrap();
    let note = notes[0].id;

    // The 临川 firm and the 南昌 office reach for what is not theirs: it does not exist.
    let probes = [
        (
            Method::GET,
            format!("/api/v1/enterprises/{FUZHOU_FJ}"),
            &firm,
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/enterprises/{FUZHOU_FJ}/patents"),
            &firm,
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/notifications/{note}/read"),
            &firm,
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/enterprises/{LINCHUAN}"),
            &office,
            None,
        ),
        (
            Method::GET,
            "/api/v1/stats/summary?region=361000".to_string(),
            &office,
            None,
        ),
        (
            Method::POST,
            "/api/v1/ports/361002/close".to_string(),
            &office,
            Some(json!({"decision": "approve", "version": 1, "reason": "越权"})),
        ),
    ];
    for (method, path, token, body) in probes {
        let res = call(method, &path, token, body).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // A role that may never do it: 403, on record too.
    let res = call(Method::GET, "/api/v1/audit", &firm, None)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The notification is still unread, the port still open.
    let (notes, _, _) = zhichan_store::notifications::list(&fresh.db, fj.id, 10, 0)
        .await
        .unwrap();
    assert!(notes[0].read_at.is_none());

    // What the auditor finds (read from the store: the auditor's own login needs a second
    // factor, which is not this story).
    let filter = zhichan_store::audit::Filter {
        action: Some("access.".into()),
        ..Default::default()
    };
    let (log, _) = zhichan_store::audit::search(&fresh.db, &filter, 50, 0)
        .await
        .unwrap();
    let mut seen: Vec<(String, String, String, String)> = log
        .into_iter()
        .map(|e| {
            assert_eq!(e.outcome, "denied");
            (e.action, e.username, e.object, e.ip)
        })
        .collect();
    seen.sort();
    let row = |a: &str, u: &str, o: &str| {
        (
            a.to_string(),
            u.to_string(),
            o.to_string(),
            PROBER.to_string(),
        )
    };
    let mut want = vec![
        row("access.denied", "linchuan.tech", "/api/v1/audit"),
        row(
            "access.out_of_scope",
            "linchuan.tech",
            &format!("enterprise:{FUZHOU_FJ}"),
        ),
        row(
            "access.out_of_scope",
            "linchuan.tech",
            &format!("enterprise:{FUZHOU_FJ}"),
        ),
        row(
            "access.out_of_scope",
            "linchuan.tech",
            &format!("notification:{note}"),
        ),
        row(
            "access.out_of_scope",
            "adm.nanchang",
            &format!("enterprise:{LINCHUAN}"),
        ),
        row("access.out_of_scope", "adm.nanchang", "stats:361000"),
        row("access.out_of_scope", "adm.nanchang", "port:361002"),
    ];
    want.sort();
    assert_eq!(seen, want);
    app.stop().await;
}

on_both_backends!(every_refusal_is_on_record_with_its_address);

async fn certificate_numbers_cannot_be_walked_from_one_address(fresh: Fresh) {
    let clock = std::sync::Arc::new(zhichan_service::clock::ManualClock::at(
        zhichan_domain::Timestamp::parse("2026-03-02T01:00:20.000Z").unwrap(),
    ));
    let services = zhichan_service::Services::with_clock(fresh.db.clone(), clock.clone());
    let app = support::spawn_services(services, behind_proxy()).await;
    let look = |from: &'static str, number: String| {
        app.client
            .get(app.url(&format!("/verify?number={number}")))
            .header("x-forwarded-for", from)
            .send()
    };
    // Someone walks the numbers of one county: the first 30 of a minute are answered…
    for i in 1..=30 {
        let res = look(PROBER, format!("BA2026361002{i:06}")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("未查到备案编号"));
    }
    // …then the address is told, kindly, to wait for the next minute.
    let res = look(PROBER, "BA2026361002000031".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["retry-after"], "40");
    assert!(support::content_type(&res).starts_with("text/html"));
    let page = res.text().await.unwrap();
    assert!(page.contains("查验过于频繁，请一分钟后再试"), "{page}");
    assert!(!page.contains("未查到备案编号"));
    // Someone checking a certificate from elsewhere is not affected, nor is the empty form.
    let res = look("198.51.100.2", "BA2026361002000031".into())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .client
        .get(app.url("/verify"))
        .header("x-forwarded-for", PROBER)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The flood is on record once, with its address, however long it goes on.
    for _ in 0..5 {
        let res = look(PROBER, "BA2026361002000032".into()).await.unwrap();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let filter = zhichan_store::audit::Filter {
        action: Some("registration.verify".into()),
        ..Default::default()
    };
    let (log, _) = zhichan_store::audit::search(&fresh.db, &filter, 50, 0)
        .await
        .unwrap();
    let seen: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.ip.as_str(), e.outcome.as_str()))
        .collect();
    assert_eq!(seen, [(PROBER, "denied")]);
    // The next minute the address may look again.
    clock.advance(time::Duration::seconds(40));
    let res = look(PROBER, "BA2026361002000033".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.stop().await;
}

on_both_backends!(certificate_numbers_cannot_be_walked_from_one_address);

async fn the_evaluation_says_its_starting_weights_come_from_no_document(fresh: Fresh) {
    add_user(&fresh, "adm.fuzhou", "admin", Some("361000"), None).await;
    let app = spawn_with(&fresh, Settings::default()).await;
    let office = app.token(&fresh, "adm.fuzhou").await;
    let stated = "平台预设的初始权重，并非出自任何文件";
    let api = app.read_as("/api/v1/rules/evaluation", &office).await;
    assert_eq!(api["version"], 0);
    let source = api["weights"]["source"].as_str().unwrap();
    assert!(source.starts_with(stated), "{source}");
    let res = app
        .client
        .get(app.url("/evaluation?year=2026"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains(&format!("来源：<bdi>{stated}")), "{page}");
    // No title of a document that does not exist.
    assert!(!page.contains("工作评价办法"));
    assert!(!source.contains("工作评价办法"));
    app.stop().await;
}

on_both_backends!(the_evaluation_says_its_starting_weights_come_from_no_document);

async fn a_city_office_reopens_on_its_page_the_county_port_it_closed(fresh: Fresh) {
    add_user(&fresh, "adm.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "adm.linchuan", "admin", Some("361002"), None).await;
    let app = spawn_with(&fresh, Settings::default()).await;
    let office = app.token(&fresh, "adm.fuzhou").await;
    let page = || async {
        let res = app
            .client
            .get(app.url("/ports"))
            .bearer_auth(&office)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.unwrap()
    };
    let act = |op: &'static str, version: i64| {
        app.client
            .post(app.url("/ports"))
            .bearer_auth(&office)
            .form(&[
                ("op", op.to_string()),
                ("region", "361002".to_string()),
                ("version", version.to_string()),
                ("reason", "信息整改".to_string()),
            ])
            .send()
    };
    let version = || async {
        zhichan_store::ports::get(
            &fresh.db,
            zhichan_domain::RegionCode::parse("361002").unwrap(),
        )
        .await
        .unwrap()
        .unwrap()
        .version
    };
    let before = page().await;
    assert!(before.contains("开通本市县（区）管理端口"), "{before}");
    assert!(before.contains("value=\"close\""));
    let res = act("close", version().await).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let closed = res.text().await.unwrap();
    assert!(closed.contains("已关闭"));
    assert!(closed.contains("重新开通"), "{closed}");
    let res = act("reopen", version().await).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let reopened = res.text().await.unwrap();
    assert!(reopened.contains("已重新开通"), "{reopened}");
    assert!(reopened.contains("value=\"close\""));
    app.stop().await;
}

on_both_backends!(a_city_office_reopens_on_its_page_the_county_port_it_closed);
