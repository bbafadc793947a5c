//! Public notice (公示) and objections (异议), the component an identification batch plugs
//! into: the national administrator publishes a notice over the 2026 Spring Festival (its end
//! counted in working days, the make-up Saturday counted, the holiday not); anyone reads it;
//! a verified enterprise objects, an unverified account and a late objection are refused; an
//! upheld objection removes the item and tells the objector; the announcement waits for the
//! notice to end and every objection to be answered, then numbers what remains. On both
//! databases.

use crate::support;

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use support::{add_user, assert_problem, call, enrolled, spawn_services};
use zhichan_domain::notices::NoticeKind;
use zhichan_service::clock::ManualClock;
use zhichan_service::notices::NoticeItem;
use zhichan_service::{Ctx, Services};
use zhichan_testkit::{on_both_backends, Fresh};

const LINCHUAN: &str = "91361002MA35F6XK04";

fn items() -> Vec<NoticeItem> {
    vec![
        NoticeItem {
            subject_item: 11,
            title: "智能数据采集终端".into(),
            enterprise: "抚州市临川区示例科技有限公司".into(),
            region: "361002".into(),
            field: "3911".into(),
        },
        NoticeItem {
            subject_item: 12,
            title: "高精度光纤传感器".into(),
            enterprise: "江西某光电有限公司".into(),
            region: "360102".into(),
            field: "3976".into(),
        },
        NoticeItem {
            subject_item: 13,
            title: "工业机器人减速器".into(),
            enterprise: "抚州市临川区示例科技有限公司".into(),
            region: "361002".into(),
            field: "3491".into(),
        },
    ]
}

/// 10:00 in Beijing on the given day of February 2026.
/// Fails when a JSON object anywhere in `text` has the same key twice (serde_json keeps the
/// last silently).
fn assert_no_duplicate_keys(text: &str) {
    use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
    struct Checked;
    impl<'de> Deserialize<'de> for Checked {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(Checked)
        }
    }
    impl<'de> Visitor<'de> for Checked {
        type Value = Checked;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_unit<E>(self) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Checked, A::Error> {
            while a.next_element::<Checked>()?.is_some() {}
            Ok(Checked)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Checked, A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(k) = a.next_key::<String>()? {
                if !seen.insert(k.clone()) {
                    return Err(A::Error::custom(format!("duplicate key {k:?}")));
                }
                a.next_value::<Checked>()?;
            }
            Ok(Checked)
        }
    }
    if let Err(e) = serde_json::from_str::<Checked>(text) {
        panic!("{e}: {text}");
    }
}

fn february(day: u8) -> zhichan_domain::Timestamp {
    zhichan_domain::Timestamp::parse(&format!("2026-02-{day:02}T02:00:00Z")).unwrap()
}

async fn sign_up_unverified(app: &support::TestApp, fresh: &Fresh, username: &str) {
    let form = Form::new()
        .text("username", username.to_string())
        .text("contact", support::contact_of(username))
        .text("enterprise_name", "抚州市东乡区待认证科技有限公司")
        .text("credit_code", "91350100M000100Y43")
        .text("region", "350102")
        .text("contact_name", "李明")
        .text("contact_phone", "0794-7777777")
        .text("pledge", "true")
        .part(
            "document",
            Part::bytes(&b"%PDF-1.4 licence"[..]).file_name("营业执照.pdf"),
        );
    let res = app
        .client
        .post(app.url("/api/v1/signup"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::ACCEPTED,
        "{}",
        res.text().await.unwrap()
    );
    // The applicant sets the password with the code sent to the contact.
    support::set_password_with_code(app, fresh, username).await;
}

async fn a_notice_over_the_spring_festival_from_objection_to_announcement(fresh: Fresh) {
    // Thursday 12 February 2026, two days before the make-up Saturday and the holiday.
    let clock = Arc::new(ManualClock::at(february(12)));
    let services = Services::with_clock(fresh.db.clone(), clock.clone());
    let app = spawn_services(services.clone(), Default::default()).await;
    add_user(&fresh, "guojia", "admin", Some("100000"), None).await;
    add_user(&fresh, "qiye", "enterprise", None, Some(LINCHUAN)).await;
    add_user(&fresh, "zhuanjia", "expert", None, None).await;
    add_user(&fresh, "jiangxi", "admin", Some("360000"), None).await;
    enrolled(&fresh, "guojia").await;
    enrolled(&fresh, "jiangxi").await;
    // Tokens that outlive the notice (the story moves the clock two weeks on).
    let nation = app.long_token(&fresh, "guojia").await;
    let firm = app.long_token(&fresh, "qiye").await;
    let expert = app.long_token(&fresh, "zhuanjia").await;
    let province = app.long_token(&fresh, "jiangxi").await;
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/enterprises",
        &firm,
        Some(json!({
            "credit_code": LINCHUAN, "name": "抚州市临川区示例科技有限公司", "scale": "small",
            "ownership": "private", "industry": "C39",
            "contact": {"name": "王芳", "phone": "0794-8888888"}
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The batch (its owner, the national administrator) publishes its notice: five working
    // days from Thursday 12 — Thu 12, Fri 13, the make-up Saturday 14, then the holiday
    // (15–23) does not count, Tue 24, Wed 25.
    let owner = services.authenticate_bearer(&nation).await.unwrap().actor;
    let notice = services
        .publish_notice(
            &owner,
            &Ctx::cli(),
            NoticeKind::Identification,
            7,
            "2025 年度专利密集型产品认定结果公示",
            &items(),
            5,
        )
        .await
        .unwrap();
    assert_eq!(notice.status.as_str(), "open");
    assert_eq!(notice.days_left, 5);
    // A province office is not the owner of an identification notice.
    let provincial = services.authenticate_bearer(&province).await.unwrap().actor;
    let refused = services
        .publish_notice(
            &provincial,
            &Ctx::cli(),
            NoticeKind::Identification,
            8,
            "省级试行公示",
            &items(),
            5,
        )
        .await;
    assert!(
        matches!(refused, Err(zhichan_service::ServiceError::NotFound)),
        "{refused:?}"
    );
    let path = format!("/api/v1/notices/{}", notice.id);

    // Anyone reads it, signed in or not.
    let (status, read) = app.get_json(&path).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["opens_on"], "2026-02-12");
    assert_eq!(read["closes_on"], "2026-02-25");
    assert_eq!(read["notice_days"], 5);
    assert_eq!(read["status"], "open");
    assert_eq!(read["items"].as_array().unwrap().len(), 3);
    assert_eq!(read["items"][0]["item"], 11);
    assert_eq!(read["items"][0]["region"], "361002");
    assert_eq!(read["item_count"], 3);
    // The count and the list have names of their own: one key once (a parser keeping the last
    // of two `items` would read a number or a list depending on the library).
    let raw = app
        .client
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_no_duplicate_keys(&raw);
    let (status, list) = app.get_json("/api/v1/notices").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["item_count"], 3);
    let (status, _) = app.get_json(&format!("{path}/announced")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not announced yet");
    // Nobody writes without signing in.
    let res = app
        .client
        .post(app.url(&format!("{path}/objections")))
        .json(&json!({"item": 11, "reason": "匿名"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .client
        .post(app.url(&format!("{path}/announce")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Monday 16 February is in the holiday: two working days are left (Tue 24, Wed 25).
    clock.advance(time::Duration::days(4));
    let (_, read) = app.get_json(&path).await;
    assert_eq!(read["days_left"], 2, "{read}");

    // An account whose real-name verification is pending is told to verify first.
    sign_up_unverified(&app, &fresh, "daiding").await;
    let pending = app.login("daiding").await;
    let res = pending
        .client
        .post(app.url(&format!("{path}/objections")))
        .header("x-csrf-token", &pending.csrf)
        .json(&json!({"item": 11, "reason": "该产品的专利已失效"}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        assert_problem(status, &body, 422),
        [("account".to_string(), "not_verified".to_string())]
    );

    // A verified enterprise objects; a reason is required and bounded.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{path}/objections"),
        &firm,
        Some(json!({"item": 12, "reason": "  "})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("reason".to_string(), "required".to_string())]
    );
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{path}/objections"),
        &firm,
        Some(json!({"item": 99, "reason": "字".repeat(2001)})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [
            ("item".to_string(), "not_listed".to_string()),
            ("reason".to_string(), "too_long".to_string())
        ]
    );
    let (status, upheld) = call(
        &app,
        Method::POST,
        &format!("{path}/objections"),
        &firm,
        Some(json!({"item": 12, "reason": "该产品关联的发明专利已于 2025 年终止，不应认定"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{upheld}");
    assert_eq!(upheld["item_title"], "高精度光纤传感器");
    let (status, other) = call(
        &app,
        Method::POST,
        &format!("{path}/objections"),
        &expert,
        Some(json!({"item": 11, "reason": "销售收入与公开年报不符"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    // The same objector cannot file again to the same item while its objection waits: a flood
    // of objections would hold the announcement back (found by an attacker).
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{path}/objections"),
        &firm,
        Some(json!({"item": 12, "reason": "再次提出同一异议"})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("item".to_string(), "objection_pending".to_string())]
    );

    // The objector sees its own objections; the owner sees all; a province office only its
    // own (none).
    let (_, mine) = call(
        &app,
        Method::GET,
        &format!("{path}/objections"),
        &firm,
        None,
    )
    .await;
    assert_eq!(mine["all"], false);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["item"], 12);
    let (_, all) = call(
        &app,
        Method::GET,
        &format!("{path}/objections"),
        &nation,
        None,
    )
    .await;
    assert_eq!(all["all"], true);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let (_, theirs) = call(
        &app,
        Method::GET,
        &format!("{path}/objections"),
        &province,
        None,
    )
    .await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);

    // The national administrator answers this notice's objections: he cannot file one (an
    // objection he upheld himself would remove an item without anyone else's review), even
    // with his real name verified. A province office is not the owner and may.
    {
        use zhichan_store::Exec;
        fresh
            .db
            .execute(zhichan_store::Sql::new(
                "UPDATE users SET verification = 'verified' WHERE username = 'guojia'",
            ))
            .await
            .unwrap();
    }
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{path}/objections"),
        &nation,
        Some(json!({"item": 11, "reason": "本机关提出的异议"})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("account".to_string(), "notice_owner".to_string())]
    );

    // No announcement while the notice is open.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{path}/announce"),
        &nation,
        None,
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("notice".to_string(), "notice_open".to_string())]
    );

    // The owner upholds the first objection: the item will not be announced and the objector
    // is told, with the reason. A province office may not answer; nobody answers twice.
    let answer = format!("/api/v1/notices/objections/{}/answer", upheld["id"]);
    let (status, _) = call(
        &app,
        Method::POST,
        &answer,
        &province,
        Some(json!({"decision": "upheld", "reason": "核实属实"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = call(
        &app,
        Method::POST,
        &answer,
        &nation,
        Some(json!({"decision": "upheld", "reason": ""})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("reason".to_string(), "required".to_string())]
    );
    let (status, answered) = call(
        &app,
        Method::POST,
        &answer,
        &nation,
        Some(json!({"decision": "upheld", "reason": "经核实，关联发明专利已终止"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(answered["decision"], "upheld");
    let (status, _) = call(
        &app,
        Method::POST,
        &answer,
        &nation,
        Some(json!({"decision": "dismissed", "reason": "改判"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, read) = app.get_json(&path).await;
    assert_eq!(read["items"][1]["removed"], true);
    let (_, notes) = call(&app, Method::GET, "/api/v1/notifications", &firm, None).await;
    let note = &notes["items"][0];
    assert_eq!(note["kind"], "objection_answered", "{notes}");
    assert!(
        note["body"]
            .as_str()
            .unwrap()
            .contains("经核实，关联发明专利已终止"),
        "{note}"
    );

    // Thursday 26 February: the notice has ended. A late objection is refused; the
    // announcement waits for the expert's objection to be answered.
    clock.advance(time::Duration::days(10));
    let (_, read) = app.get_json(&path).await;
    assert_eq!(read["status"], "closed");
    assert_eq!(read["days_left"], 0);
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{path}/objections"),
        &firm,
        Some(json!({"item": 13, "reason": "迟到的异议"})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("notice".to_string(), "notice_closed".to_string())]
    );
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{path}/announce"),
        &nation,
        None,
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [(
            "objections".to_string(),
            "objections_unanswered".to_string()
        )]
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("1 件异议未答复"));
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/notices/objections/{}/answer", other["id"]),
        &nation,
        Some(json!({"decision": "dismissed", "reason": "销售收入以审定的年度更新为准"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // The announcement: the two items that remain, numbered by year, region and sequence.
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{path}/announce"),
        &nation,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "announced");
    let (status, announced) = app.get_json(&format!("{path}/announced")).await;
    assert_eq!(status, StatusCode::OK);
    let got: Vec<(i64, String)> = announced["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["item"].as_i64().unwrap(),
                i["number"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (11, "RD20263610020001".to_string()),
            (13, "RD20263610020002".to_string())
        ]
    );
    // Final: not announced again, no answer changes it.
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("{path}/announce"),
        &nation,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.stop().await;
}
on_both_backends!(a_notice_over_the_spring_festival_from_objection_to_announcement);

/// The pages: anyone reads the list and the notice (regions and fields by name, working days
/// left, how to object); the objection form keeps what was typed and puts each error beside its
/// field; a visitor is sent to log in and an unverified account to its verification; the owner
/// answers on the objections page and announces; the announced list is public.
async fn the_notice_pages_from_reading_to_the_announced_list(fresh: Fresh) {
    // Monday 16 November 2026: a three-day notice ends on Wednesday 18.
    let clock = Arc::new(ManualClock::at(
        zhichan_domain::Timestamp::parse("2026-11-16T02:00:00Z").unwrap(),
    ));
    let services = Services::with_clock(fresh.db.clone(), clock.clone());
    let app = spawn_services(services.clone(), Default::default()).await;
    add_user(&fresh, "guojia", "admin", Some("100000"), None).await;
    enrolled(&fresh, "guojia").await;
    add_user(&fresh, "qiye", "enterprise", None, Some(LINCHUAN)).await;
    let nation = app.long_token(&fresh, "guojia").await;
    let owner = services.authenticate_bearer(&nation).await.unwrap().actor;
    let n = services
        .publish_notice(
            &owner,
            &Ctx::cli(),
            NoticeKind::Identification,
            9,
            "2025 年度专利密集型产品认定结果公示",
            &items(),
            3,
        )
        .await
        .unwrap();
    let page = format!("/notices/{}", n.id);

    let (status, _, list) = app.get_text("/notices").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("href=\"{page}\"")), "{list}");
    let (status, _, html) = app.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "智能数据采集终端",
        "临川区",
        "2026-11-16",
        "2026-11-18",
        "剩余工作日",
        "如何提出异议",
        "/login?next=",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }
    assert!(!html.contains("name=\"reason\""), "no form for a visitor");
    assert!(!html.contains(">3911<"), "fields by name, not code");
    let res = app
        .client
        .post(app.url(&format!("{page}/objections")))
        .form(&[("item", "11"), ("reason", "匿名")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // An unverified account is pointed to its verification.
    sign_up_unverified(&app, &fresh, "daiding").await;
    let pending = app.login("daiding").await;
    let html = pending
        .client
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("href=\"/verification\""), "{html}");
    assert!(!html.contains("name=\"reason\""));

    // A verified enterprise: an empty reason is refused beside its field, the choice kept;
    // then an item left out, the reason kept as typed.
    let firm = app.login("qiye").await;
    let post = |form: Vec<(&'static str, String)>| {
        let client = firm.client.clone();
        let url = app.url(&format!("{page}/objections"));
        let csrf = firm.csrf.clone();
        async move {
            let mut form = form;
            form.push(("csrf", csrf));
            let res = client.post(url).form(&form).send().await.unwrap();
            let status = res.status();
            (status, res.text().await.unwrap())
        }
    };
    let (status, html) = post(vec![("item", "13".into()), ("reason", " ".into())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"ob-reason-error\""), "{html}");
    assert!(html.contains("<option value=\"13\" selected>"), "{html}");
    assert!(
        html.contains("href=\"#ob-reason\""),
        "the summary links to the field"
    );
    let (status, html) = post(vec![("item", "".into()), ("reason", "已停产多年".into())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"ob-item-error\""), "{html}");
    assert!(html.contains(">已停产多年</textarea>"), "{html}");
    let (status, _) = post(vec![("item", "13".into()), ("reason", "已停产多年".into())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let html = firm
        .client
        .get(app.url(&format!("{page}/objections?done=filed")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("已停产多年") && html.contains("待答复"),
        "{html}"
    );
    assert!(!html.contains("提交答复"), "the objector does not answer");

    // The owner answers on the objections page; a refused answer stays beside its fields.
    let owner_post = |path: String, form: Vec<(&'static str, String)>| {
        let client = app.client.clone();
        let url = app.url(&path);
        let token = nation.clone();
        async move {
            let res = client
                .post(url)
                .bearer_auth(token)
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = res.status();
            (status, res.text().await.unwrap())
        }
    };
    let objections = services.objections(&owner, n.id).await.unwrap().0;
    let oid = objections[0].id;
    let answer = format!("/notices/objections/{oid}/answer");
    let (status, html) = owner_post(
        answer.clone(),
        vec![
            ("notice", n.id.to_string()),
            ("decision", "upheld".into()),
            ("reason", "".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(&format!("id=\"an-{oid}-reason-error\"")),
        "{html}"
    );
    assert!(html.contains("value=\"upheld\" selected"), "{html}");
    let (status, html) = owner_post(format!("{page}/announce"), vec![]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("期满后才能公告"), "{html}");
    let (status, _) = owner_post(
        answer,
        vec![
            ("notice", n.id.to_string()),
            ("decision", "upheld".into()),
            ("reason", "经核实已停产".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Thursday 19: announced; the list is public and leaves the removed item out.
    clock.advance(time::Duration::days(3));
    let (status, _) = owner_post(format!("{page}/announce"), vec![]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, html) = app.get_text(&format!("{page}/announced")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("RD20263610020001"), "{html}");
    assert!(html.contains("智能数据采集终端"));
    assert!(
        !html.contains("工业机器人减速器"),
        "removed by the upheld objection"
    );
    app.stop().await;
}
on_both_backends!(the_notice_pages_from_reading_to_the_announced_list);
