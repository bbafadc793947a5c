//! Each role's home page is its workbench: what waits for it, counted in its own region and
//! nowhere else, every number a link to the list it counts. On both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use support::{add_user, call, enrolled, TestApp};
use zhichan_domain::Timestamp;
use zhichan_service::clock::ManualClock;
use zhichan_testkit::{on_both_backends, Fresh};

/// Registered in 抚州市临川区 (361002).
const LINCHUAN: &str = "91361002MA35F6XK04";

/// A firm registered in 抚州市东乡区 (361003), the sibling county.
fn dongxiang() -> String {
    let first = "91361003MA35F6XK0";
    format!(
        "{first}{}",
        zhichan_domain::credit_code::check_char(first).unwrap()
    )
}

fn patent(seed: u32) -> String {
    let first = format!("2019107{seed:05}");
    format!(
        "{first}.{}",
        zhichan_domain::patent_number::check_char12(&first).unwrap()
    )
}

/// The page at `path` as the holder of `token` sees it, its escaped ampersands read as `&`.
async fn page(app: &TestApp, path: &str, token: &str) -> String {
    let (status, html) = app.page_as(path, token).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    html.replace("&#38;", "&").replace("&amp;", "&")
}

/// The number a workbench shows in its link to `href`, if it shows one.
fn figure(html: &str, href: &str) -> Option<i64> {
    let at = format!("href=\"{}\"><span class=\"n\">", href);
    let rest = &html[html.find(&at)? + at.len()..];
    rest[..rest.find('<')?].trim().parse().ok()
}

/// The figure of a bar chart's row linking to `href`.
fn bar(html: &str, href: &str) -> Option<i64> {
    let at = format!("href=\"{}\">", href);
    let rest = &html[html.find(&at)? + at.len()..];
    rest[..rest.find('<')?].trim().parse().ok()
}

async fn ok(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = call(app, method, path, token, Some(body)).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

async fn profile(app: &TestApp, token: &str, code: &str, name: &str) {
    ok(
        app,
        Method::POST,
        "/api/v1/enterprises",
        token,
        json!({"credit_code": code, "name": name, "scale": "small", "ownership": "private",
               "industry": "C39", "contact": {"name": "王芳", "phone": "0794-8888888"}}),
    )
    .await;
}

/// A product of the firm, submitted for review: its id and version.
async fn submitted(
    app: &TestApp,
    token: &str,
    code: &str,
    firm: &str,
    name: &str,
    seed: u32,
) -> (i64, i64) {
    let p = ok(
        app,
        Method::POST,
        "/api/v1/products",
        token,
        json!({
            "enterprise": code, "name": name, "model": "ZC-100", "field": "39",
            "first_sold_on": "2022-05-01",
            "figures": [{"year": 2025, "sales_revenue": "1000000", "output_value": "1200000"}],
            "patents": [{"number": patent(seed), "title": "一种数据采集装置",
                         "patentees": [firm], "grant_date": "2021-03-02",
                         "legal_status": "valid", "right": "own", "core": true,
                         "embodiment": "采集模块"}]
        }),
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    let s = ok(
        app,
        Method::POST,
        &format!("/api/v1/products/{id}/submit"),
        token,
        json!({"version": p["version"]}),
    )
    .await;
    (id, s["version"].as_i64().unwrap())
}

async fn review(app: &TestApp, token: &str, id: i64, version: i64, decision: &str) -> i64 {
    let r = ok(
        app,
        Method::POST,
        &format!("/api/v1/products/{id}/review"),
        token,
        json!({"decision": decision, "version": version, "reason": "型号与说明书不一致"}),
    )
    .await;
    r["version"].as_i64().unwrap()
}

fn clock_at(t: &str) -> Arc<ManualClock> {
    Arc::new(ManualClock::at(Timestamp::parse(t).unwrap()))
}

async fn a_reviewer_sees_the_queue_of_its_county_overdue_and_resubmitted(fresh: Fresh) {
    let dx = dongxiang();
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    add_user(&fresh, "dongxiang.tech", "enterprise", None, Some(&dx)).await;
    add_user(&fresh, "rev.linchuan", "reviewer", Some("361002"), None).await;
    add_user(&fresh, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    // A Monday.
    let clock = clock_at("2026-11-02T02:00:00.000Z");
    let s = zhichan_service::Services::with_clock(fresh.db.clone(), clock.clone());
    let app = support::spawn_services(s, zhichan_server::Settings::default()).await;
    let firm = app.long_token(&fresh, "linchuan.tech").await;
    let other = app.long_token(&fresh, "dongxiang.tech").await;
    let county = app.long_token(&fresh, "rev.linchuan").await;
    let city = app.long_token(&fresh, "rev.fuzhou").await;
    let lc_name = "抚州市临川区示例科技有限公司";
    let dx_name = "抚州市东乡区示例电子有限公司";
    profile(&app, &firm, LINCHUAN, lc_name).await;
    profile(&app, &other, &dx, dx_name).await;

    // Two of the 临川 firm's products and one of the 东乡 firm's wait; one is returned.
    let (a1, v1) = submitted(&app, &firm, LINCHUAN, lc_name, "采集终端甲", 1).await;
    let (a2, _) = submitted(&app, &firm, LINCHUAN, lc_name, "采集终端乙", 2).await;
    submitted(&app, &other, &dx, dx_name, "东乡控制器", 3).await;
    let returned_at = review(&app, &county, a1, v1, "return").await;

    // Six weeks later the returned one comes back changed, and a new one arrives.
    clock.advance(time::Duration::days(42));
    let p = ok(
        &app,
        Method::PATCH,
        &format!("/api/v1/products/{a1}"),
        &firm,
        json!({"version": returned_at, "model": "ZC-100A"}),
    )
    .await;
    let again = ok(
        &app,
        Method::POST,
        &format!("/api/v1/products/{a1}/submit"),
        &firm,
        json!({"version": p["version"]}),
    )
    .await;
    let now_at = again["version"].as_i64().unwrap();
    submitted(&app, &firm, LINCHUAN, lc_name, "采集终端丙", 4).await;

    // The county reviewer: three waiting, one past its deadline, one resubmitted.
    let home = page(&app, "/", &county).await;
    assert!(home.contains("审核工作台"), "{home}");
    assert_eq!(figure(&home, "/products?status=submitted"), Some(3));
    assert_eq!(
        figure(&home, "/products?status=submitted&wait=overdue"),
        Some(1)
    );
    assert_eq!(
        figure(&home, "/products?status=submitted&wait=resubmitted"),
        Some(1)
    );
    assert_eq!(figure(&home, "/products?amendment=submitted"), Some(0));
    let diff = format!("/products/{a1}/diff?from={returned_at}&to={now_at}");
    assert!(home.contains(&diff), "what changed is linked: {home}");
    // The city reviewer counts both counties.
    let home = page(&app, "/", &city).await;
    assert_eq!(figure(&home, "/products?status=submitted"), Some(4));
    assert_eq!(
        figure(&home, "/products?status=submitted&wait=overdue"),
        Some(2)
    );
    assert_eq!(
        figure(&home, "/products?status=submitted&wait=resubmitted"),
        Some(1)
    );

    // Each number opens the list it counts.
    let overdue = page(&app, "/products?status=submitted&wait=overdue", &county).await;
    assert!(overdue.contains("采集终端乙"), "{overdue}");
    for absent in ["采集终端甲", "采集终端丙", "东乡控制器"] {
        assert!(!overdue.contains(absent), "{absent} is not overdue here");
    }
    // Sorting the queue keeps it the queue.
    assert!(
        overdue.contains("href=\"/products?status=submitted&wait=overdue&sort="),
        "{overdue}"
    );
    let resubmitted = page(&app, "/products?status=submitted&wait=resubmitted", &city).await;
    assert!(resubmitted.contains("采集终端甲"));
    for absent in ["采集终端乙", "采集终端丙", "东乡控制器"] {
        assert!(!resubmitted.contains(absent), "{absent} was never returned");
    }
    let queue = page(&app, "/products?status=submitted", &county).await;
    assert!(
        !queue.contains("东乡控制器"),
        "the sibling county's is not seen"
    );
    let changed = page(&app, &diff, &county).await;
    assert!(changed.contains("ZC-100A"), "{changed}");
    let _ = a2;
    app.stop().await;
}
on_both_backends!(a_reviewer_sees_the_queue_of_its_county_overdue_and_resubmitted);

async fn an_office_sees_this_months_registrations_by_sub_region_and_not_its_siblings(fresh: Fresh) {
    let dx = dongxiang();
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    add_user(&fresh, "dongxiang.tech", "enterprise", None, Some(&dx)).await;
    add_user(&fresh, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    add_user(&fresh, "adm.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "adm.linchuan", "admin", Some("361002"), None).await;
    add_user(&fresh, "adm.dongxiang", "admin", Some("361003"), None).await;
    let clock = clock_at("2026-11-10T02:00:00.000Z");
    let s = zhichan_service::Services::with_clock(fresh.db.clone(), clock.clone());
    let app = support::spawn_services(s, zhichan_server::Settings::default()).await;
    let firm = app.long_token(&fresh, "linchuan.tech").await;
    let other = app.long_token(&fresh, "dongxiang.tech").await;
    let reviewer = app.long_token(&fresh, "rev.fuzhou").await;
    let city = app.long_token(&fresh, "adm.fuzhou").await;
    let county = app.long_token(&fresh, "adm.linchuan").await;
    let sibling = app.long_token(&fresh, "adm.dongxiang").await;
    let lc_name = "抚州市临川区示例科技有限公司";
    let dx_name = "抚州市东乡区示例电子有限公司";
    profile(&app, &firm, LINCHUAN, lc_name).await;
    profile(&app, &other, &dx, dx_name).await;
    // Two registrations in 临川 and one in 东乡 this month; a fourth waits for review.
    for (token, code, name, product, seed) in [
        (&firm, LINCHUAN, lc_name, "采集终端甲", 11),
        (&firm, LINCHUAN, lc_name, "采集终端乙", 12),
        (&other, dx.as_str(), dx_name, "东乡控制器", 13),
    ] {
        let (id, v) = submitted(&app, token, code, name, product, seed).await;
        review(&app, &reviewer, id, v, "approve").await;
    }
    let waiting = submitted(&app, &firm, LINCHUAN, lc_name, "采集终端丙", 14).await;

    let month = "/reports/monthly?month=2026-11";
    let home = page(&app, "/", &city).await;
    assert!(home.contains("<bdi>抚州市</bdi> · 工作台"), "{home}");
    assert_eq!(figure(&home, month), Some(3), "{home}");
    assert_eq!(figure(&home, "/products?status=approved"), Some(3));
    assert_eq!(
        bar(&home, "/reports/monthly?region=361002&month=2026-11"),
        Some(2)
    );
    assert_eq!(
        bar(&home, "/reports/monthly?region=361003&month=2026-11"),
        Some(1)
    );
    // Every county of the city but the two opened in this story still waits for its port.
    let counties = zhichan_store::regions::children(
        &fresh.db,
        zhichan_domain::RegionCode::parse("361000").unwrap(),
    )
    .await
    .unwrap()
    .len() as i64;
    assert_eq!(figure(&home, "/ports").map(|_| ()), Some(()));
    assert!(
        home.contains(&format!(
            "<span class=\"n\">{}</span>尚未开通管理端口的下级地区",
            counties - 2
        )),
        "{home}"
    );

    // The stats page's breadcrumbs name the province above the city as plain text: a link
    // would lead the city office to a 404.
    let stats = page(&app, "/stats?region=361002", &city).await;
    assert!(stats.contains("<span>江西省</span>"), "{stats}");
    assert!(!stats.contains("href=\"/stats?region=360000\""));
    assert!(stats.contains("<a href=\"/stats?region=361000\">抚州市</a>"));

    // The county office counts its own county only.
    let home = page(&app, "/", &county).await;
    assert_eq!(figure(&home, month), Some(2), "{home}");
    assert_eq!(figure(&home, "/products?status=approved"), Some(2));
    assert!(!home.contains("东乡"), "the sibling county is not shown");
    let home = page(&app, "/", &sibling).await;
    assert_eq!(figure(&home, month), Some(1));
    assert!(!home.contains("临川"), "nor to the sibling");
    // The monthly report opens on the month with data (not the empty one before), ranks the
    // counties by it with ties sharing a rank and the zeros unranked, under its own menu item.
    clock.advance(time::Duration::days(25));
    let monthly = page(&app, "/reports/monthly", &city).await;
    assert!(
        monthly.contains("<bdi>抚州市</bdi> 2026-11 专利产品备案月度通报"),
        "{monthly}"
    );
    assert!(monthly.contains(
        "<tr><td>1</td><td><a href=\"/reports/monthly?region=361002&month=2026-11\">临川区</a>"
    ));
    assert!(monthly.contains(
        "<tr><td>2</td><td><a href=\"/reports/monthly?region=361003&month=2026-11\">东乡区</a>"
    ));
    assert!(
        monthly.contains("<tr><td>—</td>"),
        "the counties with nothing are not ranked"
    );
    assert!(monthly.contains("href=\"/reports/monthly\" aria-current=\"page\""));
    assert!(!monthly.contains("href=\"/stats\" aria-current"));
    // In December two counties with one each share the first rank.
    let (id, v) = submitted(&app, &other, &dx, dx_name, "东乡传感器", 15).await;
    review(&app, &reviewer, id, v, "approve").await;
    review(&app, &reviewer, waiting.0, waiting.1, "approve").await;
    let monthly = page(&app, "/reports/monthly?month=2026-12", &city).await;
    let firsts = monthly.matches("<tr><td>1</td>").count();
    assert_eq!(firsts, 2, "{monthly}");
    app.stop().await;
}
on_both_backends!(an_office_sees_this_months_registrations_by_sub_region_and_not_its_siblings);

async fn the_administrators_see_accounts_to_grant_lockouts_and_the_days_audit(fresh: Fresh) {
    for (name, role) in [
        ("xitong", "sysadmin"),
        ("anquan", "secadmin"),
        ("shenji", "auditor"),
    ] {
        add_user(&fresh, name, role, None, None).await;
        enrolled(&fresh, name).await;
    }
    let app = support::spawn_app(&fresh).await;
    let sys = app.token(&fresh, "xitong").await;
    let sec = app.token(&fresh, "anquan").await;
    let auditor = app.token(&fresh, "shenji").await;

    // Nothing waits at first.
    let home = page(&app, "/", &sys).await;
    assert_eq!(figure(&home, "/admin/users?pending=grant"), Some(0));
    assert!(home.contains("暂无待授权账号"));
    let list = page(&app, "/admin/users?pending=grant", &sys).await;
    assert!(
        list.contains("<td class=\"empty\" colspan=\"9\">暂无数据</td>"),
        "{list}"
    );

    // The system administrator creates two accounts; they wait for their grant.
    for (username, contact) in [("shen.he", "13800138000"), ("li.si", "13800138001")] {
        ok(
            &app,
            Method::POST,
            "/api/v1/users",
            &sys,
            json!({"username": username, "role": "reviewer", "region": "361000",
                   "contact": contact}),
        )
        .await;
    }
    for token in [&sys, &sec] {
        let home = page(&app, "/", token).await;
        assert_eq!(figure(&home, "/admin/users?pending=grant"), Some(2));
        assert!(home.contains("shen.he") && home.contains("li.si"));
    }
    let list = page(&app, "/admin/users?pending=grant", &sec).await;
    assert!(list.contains("待授权的账号共 2 个"), "{list}");
    assert!(
        !list.contains(">xitong<"),
        "granted accounts are not listed"
    );

    // Someone guesses a password until the login locks.
    for _ in 0..6 {
        app.client
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": "anquan", "password": "wrong-password-1"}))
            .send()
            .await
            .unwrap();
    }
    let home = page(&app, "/", &sec).await;
    assert_eq!(figure(&home, "#w-locks-table"), Some(1), "{home}");
    assert!(home.contains("127.0.0.1"));

    // The auditor's figures are what the audit search finds for the same filters.
    let today = zhichan_domain::enterprises::format_date(
        zhichan_domain::Timestamp::from_datetime(time::OffsetDateTime::now_utc()).beijing_date(),
    );
    let home = page(&app, "/", &auditor).await;
    let logins = format!("/audit?action=session.login&from={today}");
    let searched = app
        .read_as(
            &format!("/api/v1/audit?action=session.login&from={today}"),
            &auditor,
        )
        .await;
    assert_eq!(figure(&home, &logins), searched["total"].as_i64());
    assert!(searched["total"].as_i64().unwrap() >= 6);
    let all = app
        .read_as(&format!("/api/v1/audit?from={today}"), &auditor)
        .await;
    assert_eq!(
        figure(&home, &format!("/audit?from={today}")),
        all["total"].as_i64()
    );
    // Each action by its own name, never its code.
    assert!(home.contains("<td>登录</td>"), "actions in words: {home}");
    assert!(!home.contains("session.login<"), "{home}");
    app.stop().await;
}
on_both_backends!(the_administrators_see_accounts_to_grant_lockouts_and_the_days_audit);

async fn every_page_names_who_runs_the_site_as_configured(fresh: Fresh) {
    let site = zhichan_server::web::SiteInfo {
        sponsor: "抚州市市场监督管理局（知识产权局）".into(),
        phone: "0794-8260000".into(),
        icp: "赣ICP备12345678号".into(),
        psb: "赣公网安备36100202000001号".into(),
    };
    let app = support::spawn_with(
        &fresh,
        zhichan_server::Settings {
            site,
            ..Default::default()
        },
    )
    .await;
    for path in ["/", "/login", "/about", "/verify", "/no-such-page"] {
        let (_, _, html) = app.get_text(path).await;
        for want in [
            "主办单位：抚州市市场监督管理局（知识产权局）",
            "联系电话：0794-8260000",
            "赣ICP备12345678号",
            "赣公网安备36100202000001号",
        ] {
            assert!(html.contains(want), "{path} lacks {want}");
        }
    }
    app.stop().await;
}
on_both_backends!(every_page_names_who_runs_the_site_as_configured);

async fn a_reason_from_a_template_reaches_the_enterprise_once_and_stays_beside_its_form(
    fresh: Fresh,
) {
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    add_user(&fresh, "rev.linchuan", "reviewer", Some("361002"), None).await;
    let app = support::spawn_app(&fresh).await;
    let firm = app.token(&fresh, "linchuan.tech").await;
    let lc_name = "抚州市临川区示例科技有限公司";
    profile(&app, &firm, LINCHUAN, lc_name).await;
    let (id, v) = submitted(&app, &firm, LINCHUAN, lc_name, "采集终端甲", 21).await;

    // The page writes the chosen template into the text box; the reviewer sends both.
    let template = "产品名称或型号规格填写不规范，请按产品铭牌或说明书填写";
    let reviewer = app.login("rev.linchuan").await;
    let view = reviewer
        .client
        .get(app.url(&format!("/products/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        view.contains("data-fills=\"pr-reason\""),
        "the template fills the box"
    );
    let res = reviewer
        .client
        .post(app.url(&format!("/products/{id}")))
        .form(&[
            ("csrf", reviewer.csrf.as_str()),
            ("op", "return"),
            ("version", &v.to_string()),
            ("template", template),
            ("reason", &format!("{template}，型号应为 ZC-100A")),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection() || res.status().is_success());
    let p = app.read_as(&format!("/api/v1/products/{id}"), &firm).await;
    assert_eq!(p["status"], "returned");
    assert_eq!(
        p["return_reason"],
        format!("{template}，型号应为 ZC-100A"),
        "the reason once"
    );
    let notes = app.read_as("/api/v1/notifications", &firm).await;
    let text = notes.to_string();
    assert_eq!(text.matches(template).count(), 1, "{text}");

    // The enterprise's edit form shows what is to be fixed at its top.
    let form = page(&app, &format!("/products/{id}/edit"), &firm).await;
    let at = form.find("退回理由：").expect("reason on the form");
    assert!(form[at..].contains("型号应为 ZC-100A"));
    assert!(at < form.find("<form class=\"card\"").unwrap());
    app.stop().await;
}
on_both_backends!(a_reason_from_a_template_reaches_the_enterprise_once_and_stays_beside_its_form);
