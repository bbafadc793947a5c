//! Expert panels (专家评审组): the system administrator files each expert's unit and fields; an
//! identification batch creates its panel through the service (score sheet copied in, deadline
//! in working days on the holiday calendar); the national administrator assigns experts per
//! item, never one whose unit is the item's enterprise; each expert scores only their own
//! assignments, once; the aggregate follows the method's rule once enough experts scored. On
//! both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use support::{add_user, assert_problem, call, enrolled, national_token, spawn_services, TestApp};
use zhichan_domain::identification::{Aggregate, ScoreItem};
use zhichan_domain::panels::PanelKind;
use zhichan_domain::Timestamp;
use zhichan_server::Settings;
use zhichan_service::clock::ManualClock;
use zhichan_service::panels::ItemInput;
use zhichan_service::{Ctx, Services};
use zhichan_testkit::{on_both_backends, Fresh};

/// 抚州某电子有限公司: the enterprise of item 1, and expert A's own unit.
const FIRM: &str = "91361002MA35F6XK04";
const OTHER_FIRM: &str = "91350100M000100Y43";

/// A valid credit code for a unit (a university) from its first 17 characters.
fn unit_code(first17: &str) -> String {
    let c = zhichan_domain::credit_code::check_char(first17).unwrap();
    format!("{first17}{c}")
}

fn sheet() -> Vec<ScoreItem> {
    let item = |name: &str, max: &str| ScoreItem {
        name: name.into(),
        max_score: max.parse().unwrap(),
    };
    vec![
        item("技术先进性", "40"),
        item("市场前景", "30"),
        item("产业带动作用", "30"),
    ]
}

fn items() -> Vec<ItemInput> {
    vec![
        ItemInput {
            enterprise: FIRM.into(),
            enterprise_name: "抚州某电子有限公司".into(),
            field: "3911".into(),
            label: "工业控制计算机 X1".into(),
        },
        ItemInput {
            enterprise: OTHER_FIRM.into(),
            enterprise_name: "福州某机械有限公司".into(),
            field: "3511".into(),
            label: "矿山机械 M2".into(),
        },
    ]
}

struct World {
    app: TestApp,
    services: Services,
    clock: Arc<ManualClock>,
    sys: String,
    nation: String,
}

async fn user_id(fresh: &Fresh, username: &str) -> i64 {
    zhichan_store::users::by_username(&fresh.db, username)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A Wednesday before the Spring Festival of 2026 (15–23 February off, Saturday 14 worked).
async fn world(fresh: &Fresh) -> World {
    let clock = Arc::new(ManualClock::at(
        Timestamp::parse("2026-02-11T02:00:00.000Z").unwrap(),
    ));
    let services = Services::with_clock(fresh.db.clone(), clock.clone());
    let app = spawn_services(services.clone(), Settings::default()).await;
    add_user(fresh, "xitong", "sysadmin", None, None).await;
    enrolled(fresh, "xitong").await;
    let sys = app.long_token(fresh, "xitong").await;
    let nation = national_token(&app, fresh).await;
    World {
        app,
        services,
        clock,
        sys,
        nation,
    }
}

/// An expert account with its unit and fields filed by the system administrator.
async fn expert(w: &World, fresh: &Fresh, username: &str, unit: &str, fields: &[&str]) -> String {
    add_user(fresh, username, "expert", None, None).await;
    let id = user_id(fresh, username).await;
    let (status, body) = call(
        &w.app,
        Method::PUT,
        &format!("/api/v1/users/{id}/expert"),
        &w.sys,
        Some(
            json!({"unit_credit_code": unit, "unit_name": format!("{username} 的单位"),
                    "fields": fields, "version": 0}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    w.app.long_token(fresh, username).await
}

async fn panel(w: &World, subject: i64, min: u32, rule: Aggregate, days: u32) -> i64 {
    w.services
        .create_panel(
            &Ctx::cli(),
            PanelKind::Identification,
            subject,
            &sheet(),
            &items(),
            min,
            rule,
            days,
        )
        .await
        .unwrap()
        .id
}

async fn assign(w: &World, panel: i64, item: i64, expert: i64) -> (StatusCode, Value) {
    call(
        &w.app,
        Method::POST,
        &format!("/api/v1/panels/{panel}/assignments"),
        &w.nation,
        Some(json!({"item": item, "expert": expert})),
    )
    .await
}

async fn score(w: &World, token: &str, assignment: i64, scores: Value) -> (StatusCode, Value) {
    call(
        &w.app,
        Method::POST,
        &format!("/api/v1/expert/assignments/{assignment}/scores"),
        token,
        Some(json!({"scores": scores, "opinion": "技术路线清晰，市场前景较好。"})),
    )
    .await
}

async fn an_expert_of_the_items_own_enterprise_is_refused_and_each_expert_sees_only_their_own(
    fresh: Fresh,
) {
    let w = world(&fresh).await;
    let university = unit_code("12360000MB0000001");

    // The system administrator files the experts' units and fields.
    let a = expert(&w, &fresh, "zhuanjia.a", FIRM, &["39"]).await;
    let b = expert(&w, &fresh, "zhuanjia.b", &university, &["C39"]).await;
    let c = expert(&w, &fresh, "zhuanjia.c", &university, &["3911", "35"]).await;
    expert(&w, &fresh, "zhuanjia.d", &university, &["35"]).await;
    let (a_id, b_id, c_id) = (
        user_id(&fresh, "zhuanjia.a").await,
        user_id(&fresh, "zhuanjia.b").await,
        user_id(&fresh, "zhuanjia.c").await,
    );
    let user = w
        .app
        .read_as(&format!("/api/v1/users/{b_id}"), &w.sys)
        .await;
    assert_eq!(user["expert"]["fields"], json!(["39"]));
    assert_eq!(user["expert"]["unit_credit_code"], university);
    assert_eq!(user["expert"]["version"], 1);

    // A stale version, a bad unit code, an unlisted field, a non-expert: each refused.
    let put = |id: i64, body: Value| {
        let w = &w;
        async move {
            call(
                &w.app,
                Method::PUT,
                &format!("/api/v1/users/{id}/expert"),
                &w.sys,
                Some(body),
            )
            .await
        }
    };
    let (status, body) = put(
        b_id,
        json!({"unit_credit_code": university, "unit_name": "某大学", "fields": ["39"], "version": 0}),
    )
    .await;
    assert_problem(status, &body, 409);
    let (status, body) = put(
        b_id,
        json!({"unit_credit_code": "91361002MA35F6XK05", "unit_name": "某大学",
               "fields": ["3999", "39"], "version": 1}),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [(
            "unit_credit_code".to_string(),
            "invalid_credit_code".to_string()
        )]
    );
    let (status, body) = put(
        b_id,
        json!({"unit_credit_code": university, "unit_name": "某大学",
               "fields": ["3999", "39"], "version": 1}),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("fields[0]".to_string(), "invalid_industry".to_string())]
    );
    let nation_id = user_id(&fresh, "admin.nation").await;
    let (status, body) = put(
        nation_id,
        json!({"unit_credit_code": university, "unit_name": "某大学", "fields": ["39"], "version": 0}),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("role".to_string(), "not_expert".to_string())]
    );

    // A batch creates its panel; the national administrator sees who covers each item's field.
    let id = panel(&w, 7, 3, Aggregate::TrimmedMean, 5).await;
    let p = w
        .app
        .read_as(&format!("/api/v1/panels/{id}"), &w.nation)
        .await;
    assert_eq!(p["kind"], "identification");
    assert_eq!(p["subject_id"], 7);
    assert_eq!(
        p["sheet"][0],
        json!({"name": "技术先进性", "max_score": "40"})
    );
    let suggested = |item: usize| -> Vec<String> {
        p["items"][item]["suggested"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["username"].as_str().unwrap().to_string())
            .collect()
    };
    // A covers 3911 by 39 but stands aside for his own firm; D knows only 35.
    assert_eq!(suggested(0), ["zhuanjia.b", "zhuanjia.c"]);
    assert_eq!(suggested(1), ["zhuanjia.c", "zhuanjia.d"]);

    // Assigning A to his own enterprise's product is refused, and so is a non-expert.
    let (status, body) = assign(&w, id, 1, a_id).await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("expert".to_string(), "conflict_of_interest".to_string())]
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("回避"), "{message}");
    let (status, body) = assign(&w, id, 1, nation_id).await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("expert".to_string(), "not_expert".to_string())]
    );
    // A may score the other firm's product.
    let (status, _) = assign(&w, id, 2, a_id).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, b_on_1) = assign(&w, id, 1, b_id).await;
    assert_eq!(status, StatusCode::CREATED, "{b_on_1}");
    let (status, c_on_1) = assign(&w, id, 1, c_id).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = assign(&w, id, 1, b_id).await;
    assert_problem(status, &body, 409);
    let (b_on_1, c_on_1) = (
        b_on_1["id"].as_i64().unwrap(),
        c_on_1["id"].as_i64().unwrap(),
    );

    // Each expert sees only their own assignments; another's is 404.
    let mine = w.app.read_as("/api/v1/expert/assignments", &b).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["id"], b_on_1);
    assert_eq!(mine["items"][0]["label"], "工业控制计算机 X1");
    assert_eq!(mine["items"][0]["status"], "waiting");
    let mine = w.app.read_as("/api/v1/expert/assignments", &a).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["label"], "矿山机械 M2");
    let mine = w.app.read_as("/api/v1/expert/assignments", &c).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["id"], c_on_1);
    let (status, _) = call(
        &w.app,
        Method::GET,
        &format!("/api/v1/expert/assignments/{c_on_1}"),
        &b,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = score(&w, &b, c_on_1, json!(["30", "20", "20"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Scores outside full marks, not numbers or missing an opinion are refused field by field.
    let (status, body) = call(
        &w.app,
        Method::POST,
        &format!("/api/v1/expert/assignments/{b_on_1}/scores"),
        &b,
        Some(json!({"scores": ["41", "二十", "20.12345"], "opinion": " "})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [
            ("scores[0]".to_string(), "invalid_score".to_string()),
            ("scores[1]".to_string(), "invalid_score".to_string()),
            ("scores[2]".to_string(), "invalid_score".to_string()),
            ("opinion".to_string(), "required".to_string()),
        ]
    );
    let (status, body) = score(&w, &b, b_on_1, json!(["35.5", "25", "20"])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "submitted");
    assert_eq!(body["total"], "80.5000");
    assert_eq!(body["scores"], json!(["35.5000", "25.0000", "20.0000"]));
    // Once: a second submission is refused and changes nothing.
    let (status, body) = score(&w, &b, b_on_1, json!(["40", "30", "30"])).await;
    assert_problem(status, &body, 409);

    // The administrator sees the submitted scores and opinion, not yet an aggregate.
    let p = w
        .app
        .read_as(&format!("/api/v1/panels/{id}"), &w.nation)
        .await;
    let item = &p["items"][0];
    assert_eq!(item["assignments"][0]["expert_username"], "zhuanjia.b");
    assert_eq!(item["assignments"][0]["total"], "80.5000");
    assert_eq!(
        item["assignments"][0]["opinion"],
        "技术路线清晰，市场前景较好。"
    );
    assert_eq!(item["assignments"][1]["status"], "waiting");
    assert_eq!(item["assignments"][1]["scores"], Value::Null);
    assert_eq!(
        item["result"],
        json!({"scored": 1, "assigned": 2, "score": null})
    );
    w.app.stop().await;
}
on_both_backends!(
    an_expert_of_the_items_own_enterprise_is_refused_and_each_expert_sees_only_their_own
);

async fn the_aggregate_waits_for_the_minimum_and_follows_the_rule(fresh: Fresh) {
    let w = world(&fresh).await;
    let university = unit_code("12360000MB0000001");
    let mut experts = Vec::new();
    for n in 1..=4 {
        let name = format!("zhuanjia.{n}");
        let token = expert(&w, &fresh, &name, &university, &["39"]).await;
        experts.push((user_id(&fresh, &name).await, token));
    }
    let trimmed = panel(&w, 1, 3, Aggregate::TrimmedMean, 10).await;
    let mean = panel(&w, 2, 2, Aggregate::Mean, 10).await;
    let result = |panel: i64| {
        let w = &w;
        async move {
            w.app
                .read_as(&format!("/api/v1/panels/{panel}"), &w.nation)
                .await["items"][0]["result"]
                .clone()
        }
    };
    // Totals 90, 60, 70 and 80: the trimmed mean drops 90 and 60.
    let totals = [
        json!(["40", "30", "20"]),
        json!(["20", "20", "20"]),
        json!(["30", "20", "20"]),
        json!(["30", "25", "25"]),
    ];
    for (i, ((id, token), scores)) in experts.iter().zip(&totals).enumerate() {
        let (status, a) = assign(&w, trimmed, 1, *id).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = score(&w, token, a["id"].as_i64().unwrap(), scores.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let r = result(trimmed).await;
        assert_eq!(r["scored"], i + 1);
        if i < 2 {
            assert_eq!(r["score"], Value::Null, "{i}: fewer than 3 experts");
        }
        if i == 2 {
            // 90, 60, 70: 70.
            assert_eq!(r["score"], "70.0000");
        }
    }
    assert_eq!(result(trimmed).await["score"], "75.0000");

    // The arithmetic mean of 72.5 and 80 with two experts at least.
    for ((id, token), scores) in experts
        .iter()
        .zip([json!(["32.5", "20", "20"]), json!(["30", "25", "25"])])
    {
        let (_, a) = assign(&w, mean, 1, *id).await;
        score(&w, token, a["id"].as_i64().unwrap(), scores).await;
    }
    assert_eq!(
        result(mean).await,
        json!({"scored": 2, "assigned": 2, "score": "76.2500"})
    );
    // The subject reads the same through the service.
    let results = w.services.panel_results(mean).await.unwrap();
    assert_eq!(results[0].1.score.unwrap().to_string(), "76.2500");
    assert_eq!(results[1].1.scored, 0);
    w.app.stop().await;
}
on_both_backends!(the_aggregate_waits_for_the_minimum_and_follows_the_rule);

async fn the_deadline_counts_working_days_across_the_spring_festival(fresh: Fresh) {
    let w = world(&fresh).await;
    let token = expert(
        &w,
        &fresh,
        "zhuanjia.b",
        &unit_code("12360000MB0000001"),
        &["39"],
    )
    .await;
    let b = user_id(&fresh, "zhuanjia.b").await;
    // Opened Wednesday 11 February with 5 working days: Thursday 12, Friday 13, Saturday 14
    // (worked to make up for the festival), then 15–23 off, Tuesday 24 and Wednesday 25.
    let id = panel(&w, 3, 1, Aggregate::Mean, 5).await;
    let p = w
        .app
        .read_as(&format!("/api/v1/panels/{id}"), &w.nation)
        .await;
    assert_eq!(p["opened_on"], "2026-02-11");
    assert_eq!(p["due_on"], "2026-02-25");
    assert_eq!(p["working_days_left"], 5);
    assign(&w, id, 1, b).await;
    let mine = w.app.read_as("/api/v1/expert/assignments", &token).await;
    assert_eq!(mine["items"][0]["due_on"], "2026-02-25");
    assert_eq!(mine["items"][0]["working_days_left"], 5);
    assert_eq!(mine["items"][0]["overdue_working_days"], 0);

    // On Tuesday 24 one working day is left; on Thursday 26 it is one working day overdue.
    w.clock.advance(time::Duration::days(13));
    let mine = w.app.read_as("/api/v1/expert/assignments", &token).await;
    assert_eq!(mine["items"][0]["working_days_left"], 1);
    w.clock.advance(time::Duration::days(2));
    let mine = w.app.read_as("/api/v1/expert/assignments", &token).await;
    assert_eq!(mine["items"][0]["working_days_left"], 0);
    assert_eq!(mine["items"][0]["overdue_working_days"], 1);
    w.app.stop().await;
}
on_both_backends!(the_deadline_counts_working_days_across_the_spring_festival);

async fn panels_are_for_the_national_administrator_and_assignments_for_their_expert(fresh: Fresh) {
    let w = world(&fresh).await;
    let university = unit_code("12360000MB0000001");
    let b = expert(&w, &fresh, "zhuanjia.b", &university, &["39"]).await;
    let c = expert(&w, &fresh, "zhuanjia.c", &university, &["39"]).await;
    let b_id = user_id(&fresh, "zhuanjia.b").await;
    let id = panel(&w, 4, 1, Aggregate::Mean, 5).await;
    let (_, a) = assign(&w, id, 1, b_id).await;
    let a = a["id"].as_i64().unwrap();

    add_user(&fresh, "firm.user", "enterprise", None, Some(FIRM)).await;
    add_user(&fresh, "rev.jiangxi", "reviewer", Some("360000"), None).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "anquan", "secadmin", None, None).await;
    enrolled(&fresh, "anquan").await;
    let firm = w.app.long_token(&fresh, "firm.user").await;
    let reviewer = w.app.long_token(&fresh, "rev.jiangxi").await;
    let city = w.app.long_token(&fresh, "admin.fuzhou").await;
    let sec = w.app.long_token(&fresh, "anquan").await;

    let panel_path = format!("/api/v1/panels/{id}");
    let assign_path = format!("{panel_path}/assignments");
    let mine = "/api/v1/expert/assignments".to_string();
    let one = format!("/api/v1/expert/assignments/{a}");
    let scores = format!("{one}/scores");
    let profile = format!("/api/v1/users/{b_id}/expert");
    let assign_body = json!({"item": 1, "expert": b_id});
    let score_body = json!({"scores": ["30", "20", "20"], "opinion": "同意"});
    let profile_body = json!({"unit_credit_code": university, "unit_name": "某大学", "fields": ["39"], "version": 1});
    /// Who, with which token, asks what, and the status the conventions give.
    type Case<'a> = (
        &'a str,
        &'a String,
        Method,
        &'a String,
        Option<&'a Value>,
        StatusCode,
    );
    let cases: Vec<Case> = vec![
        (
            "enterprise",
            &firm,
            Method::GET,
            &panel_path,
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "reviewer",
            &reviewer,
            Method::GET,
            &panel_path,
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "city office",
            &city,
            Method::GET,
            &panel_path,
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "expert",
            &b,
            Method::GET,
            &panel_path,
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "sysadmin",
            &w.sys,
            Method::GET,
            &panel_path,
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "nation",
            &w.nation,
            Method::GET,
            &panel_path,
            None,
            StatusCode::OK,
        ),
        (
            "enterprise",
            &firm,
            Method::POST,
            &assign_path,
            Some(&assign_body),
            StatusCode::FORBIDDEN,
        ),
        (
            "city office",
            &city,
            Method::POST,
            &assign_path,
            Some(&assign_body),
            StatusCode::NOT_FOUND,
        ),
        (
            "expert",
            &c,
            Method::POST,
            &assign_path,
            Some(&assign_body),
            StatusCode::FORBIDDEN,
        ),
        (
            "enterprise",
            &firm,
            Method::GET,
            &mine,
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "reviewer",
            &reviewer,
            Method::GET,
            &mine,
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "nation",
            &w.nation,
            Method::GET,
            &mine,
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "other expert",
            &c,
            Method::GET,
            &one,
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "other expert",
            &c,
            Method::POST,
            &scores,
            Some(&score_body),
            StatusCode::NOT_FOUND,
        ),
        (
            "enterprise",
            &firm,
            Method::POST,
            &scores,
            Some(&score_body),
            StatusCode::FORBIDDEN,
        ),
        (
            "nation",
            &w.nation,
            Method::POST,
            &scores,
            Some(&score_body),
            StatusCode::FORBIDDEN,
        ),
        ("own expert", &b, Method::GET, &one, None, StatusCode::OK),
        (
            "secadmin",
            &sec,
            Method::PUT,
            &profile,
            Some(&profile_body),
            StatusCode::FORBIDDEN,
        ),
        (
            "nation",
            &w.nation,
            Method::PUT,
            &profile,
            Some(&profile_body),
            StatusCode::FORBIDDEN,
        ),
        (
            "expert",
            &b,
            Method::PUT,
            &profile,
            Some(&profile_body),
            StatusCode::FORBIDDEN,
        ),
        (
            "sysadmin",
            &w.sys,
            Method::PUT,
            &profile,
            Some(&profile_body),
            StatusCode::OK,
        ),
    ];
    for (who, token, method, path, body, want) in cases {
        let (status, answer) = call(&w.app, method.clone(), path, token, body.cloned()).await;
        assert_eq!(status, want, "{who} {method} {path}: {answer}");
    }
    // The expert's own assignment is still waiting: nobody else scored it.
    let own = w.app.read_as(&one, &b).await;
    assert_eq!(own["status"], "waiting");
    w.app.stop().await;
}
on_both_backends!(panels_are_for_the_national_administrator_and_assignments_for_their_expert);

async fn the_pages_an_expert_scores_on_and_the_administrator_assigns_from(fresh: Fresh) {
    let w = world(&fresh).await;
    let university = unit_code("12360000MB0000001");
    let b = expert(&w, &fresh, "zhuanjia.b", &university, &["39"]).await;
    expert(&w, &fresh, "zhuanjia.a", FIRM, &["39"]).await;
    let b_id = user_id(&fresh, "zhuanjia.b").await;
    let id = panel(&w, 5, 1, Aggregate::Mean, 5).await;

    // The system administrator sees the expert's fields by name on the user page.
    let page = |path: String, token: String| {
        let w = &w;
        async move {
            let res = w
                .app
                .client
                .get(w.app.url(&path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let (status, html) = page(format!("/admin/users/{b_id}"), w.sys.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("计算机、通信和其他电子设备制造业（39）"),
        "{html}"
    );
    assert!(html.contains("zhuanjia.b 的单位"), "{html}");

    // The national administrator's page suggests B (A stands aside) and refuses A by name,
    // beside the field, keeping what was typed.
    let (status, html) = page(format!("/panels/{id}"), w.nation.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("计算机整机制造"), "{html}");
    assert!(html.contains("zhuanjia.b（zhuanjia.b 的单位）"), "{html}");
    assert!(!html.contains("zhuanjia.a（zhuanjia.a 的单位）"), "{html}");
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let w = &w;
        async move {
            let res = w
                .app
                .client
                .post(w.app.url(&path))
                .bearer_auth(&w.nation)
                .form(&form)
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let assign_path = format!("/panels/{id}/assignments");
    let (status, html) = post(
        assign_path.clone(),
        vec![("item", "1".into()), ("username", "zhuanjia.a".into())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(r#"<p class="error" id="as-1-username-error">"#),
        "{html}"
    );
    assert!(html.contains("须回避"), "{html}");
    assert!(html.contains(r#"value="zhuanjia.a""#), "{html}");
    let (status, _) = post(
        assign_path,
        vec![("item", "1".into()), ("expert", b_id.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The expert's queue shows the item, its field by name and its deadline.
    let browser = w.app.login("zhuanjia.b").await;
    let get = |path: &str| {
        let c = browser.client.clone();
        let url = w.app.url(path);
        async move {
            let res = c.get(url).send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let (status, html) = get("/expert/assignments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("工业控制计算机 X1"), "{html}");
    assert!(html.contains("计算机整机制造"), "{html}");
    assert!(html.contains("2026-02-25"), "{html}");
    assert!(html.contains("还剩 5 个工作日"), "{html}");
    let mine = w
        .services
        .my_assignments(&zhichan_domain::access::Actor {
            user_id: b_id,
            username: "zhuanjia.b".into(),
            role: zhichan_domain::accounts::Role::Expert,
            region: None,
            enterprise: None,
            verified: true,
        })
        .await
        .unwrap();
    let sheet_path = format!("/expert/assignments/{}", mine[0].assignment.id);

    // A score over full marks comes back beside its input, as typed.
    let submit = |form: Vec<(&'static str, String)>| {
        let c = browser.client.clone();
        let url = w.app.url(&sheet_path);
        let csrf = browser.csrf.clone();
        async move {
            let mut form = form;
            form.push(("csrf", csrf));
            let res = c.post(url).form(&form).send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let (status, html) = submit(vec![
        ("score0", "45".into()),
        ("score1", "25".into()),
        ("score2", "20".into()),
        ("opinion", "很好".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(
            r#"<p class="error" id="sc-0-error">“技术先进性”的得分应在 0 到 40 之间</p>"#
        ),
        "{html}"
    );
    assert!(html.contains(r#"value="45""#), "{html}");
    assert!(html.contains("很好"), "{html}");
    let (status, _) = submit(vec![
        ("score0", "35.5".into()),
        ("score1", "25".into()),
        ("score2", "20.0".into()),
        ("opinion", "很好".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Scores read as people write them: 80.5 and 20, not the stored 80.5000 and 20.0000, on
    // the sheet, in the queue and on the administrator's panel page (total and aggregate).
    let (_, html) = get(&sheet_path).await;
    assert!(html.contains(r#"<td class="num">80.5</td>"#), "{html}");
    assert!(html.contains(r#"<td class="num">20</td>"#), "{html}");
    assert!(!html.contains(".0000"), "{html}");
    let (_, html) = get("/expert/assignments").await;
    assert!(html.contains(r#"<td class="num">80.5</td>"#), "{html}");
    assert!(!html.contains(".0000"), "{html}");
    let (_, html) = page(format!("/panels/{id}"), w.nation.clone()).await;
    assert!(html.contains(r#"<td class="num">80.5</td>"#), "{html}");
    assert!(html.contains("汇总得分：80.5"), "{html}");
    assert!(!html.contains(".0000"), "{html}");

    // Past the deadline an unscored item is marked overdue in the queue (the browser's
    // session has lapsed by then: the expert's token reads it).
    let id2 = panel(&w, 6, 1, Aggregate::Mean, 1).await;
    assign(&w, id2, 2, b_id).await;
    w.clock.advance(time::Duration::days(6));
    let (status, html) = page("/expert/assignments".into(), b.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<span class="badge bad">已逾期"#), "{html}");
    w.app.stop().await;
}
on_both_backends!(the_pages_an_expert_scores_on_and_the_administrator_assigns_from);
