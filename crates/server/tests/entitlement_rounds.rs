//! Publishing an award rule answers at once; its notification round (免申即享通知) runs behind
//! it and shows how far it got. Over the generated nation, in December 2025, the national
//! office publishes a rule: the answer carries the round, running, nobody told yet; the API and
//! the rule's page (which refreshes itself while the round runs) show 0, then 500, of the firms
//! that qualify. The server stops during the round; started again, it resumes the round after
//! the last firm reached, and the page says so; the round ends with every firm told once, and
//! the page stops refreshing. A 南昌 reviewer reads the national rule but not its rounds.
//! The story holds the round a chunk at a time through the services' gate (no sleeping).
//! On both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use support::TestApp;
use support::{add_user, assert_problem, call, fund_policy, national_token, spawn_services};
use zhichan_server::Settings;
use zhichan_service::clock::ManualClock;
use zhichan_service::entitlement_rounds::CHUNK;
use zhichan_service::generator::{Scale, UPDATE_YEAR};
use zhichan_service::Services;
use zhichan_store::{Exec, Sql};
use zhichan_testkit::{on_both_backends, Fresh};

const DECEMBER_2025: &str = "2025-12-15T02:00:00.000Z";

fn rule(policy: i64) -> Value {
    json!({
        "name": "备案专利产品奖励", "policy": policy, "clause": "第八条（三）",
        "region": "100000", "effective_on": "2023-11-10", "pattern": "per_item",
        "item": "registered_products", "amount": "1000.00", "cap": "30000.00",
        "examples": [{"name": "当年备案2件", "year": 2025, "amount": "2000.00",
                      "facts": {"region": "361002", "registered_products": 2}}]
    })
}

async fn round_of(app: &TestApp, token: &str, rule: i64, round: i64) -> Value {
    let (status, r) = call(
        app,
        Method::GET,
        &format!("/api/v1/award-rules/{rule}/rounds/{round}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    r
}

async fn told(fresh: &Fresh, rule: i64) -> i64 {
    fresh
        .db
        .fetch_one(
            Sql::new(
                "SELECT COUNT(*) FROM notifications WHERE kind = 'entitlement' AND dedupe LIKE $1",
            )
            .bind(format!("entitlement:{rule}:1:{UPDATE_YEAR}:%")),
        )
        .await
        .unwrap()
}

fn serve(fresh: &Fresh, clock: &Arc<ManualClock>) -> Services {
    Services::with_clock(fresh.db.clone(), clock.clone())
}

async fn a_national_publish_answers_at_once_and_shows_its_round_move(fresh: Fresh) {
    Services::new(fresh.db.clone())
        .generate(Scale::Small, 5)
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::at(
        zhichan_domain::Timestamp::parse(DECEMBER_2025).unwrap(),
    ));
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let app = spawn_services(
        serve(&fresh, &clock).with_round_gate(gate.clone()),
        Settings::default(),
    )
    .await;
    let office = national_token(&app, &fresh).await;
    add_user(&fresh, "shenhe.nanchang", "reviewer", Some("360100"), None).await;
    let nanchang = app.long_token(&fresh, "shenhe.nanchang").await;
    let policy = fund_policy(&app, &office).await;
    let (status, dry) = call(
        &app,
        Method::POST,
        "/api/v1/award-rules/dry-run",
        &office,
        Some(json!({"rule": rule(policy), "year": UPDATE_YEAR})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    let eligible = dry["eligible"].as_i64().unwrap();
    let chunk = CHUNK as i64;
    assert!(eligible > chunk, "{dry}");
    let (status, created) = call(
        &app,
        Method::POST,
        "/api/v1/award-rules",
        &office,
        Some(rule(policy)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["current"]["id"].as_i64().unwrap();

    // Publishing answers with the round it started, running, nobody told yet.
    let (status, published) = call(
        &app,
        Method::POST,
        &format!("/api/v1/award-rules/{id}/publish"),
        &office,
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["current"]["status"], "published");
    let round = &published["round"];
    assert_eq!(
        (
            round["status"].as_str(),
            round["year"].as_i64(),
            round["reached"].as_i64(),
            round["notified"].as_i64(),
            round["started_by"].as_str()
        ),
        (
            Some("running"),
            Some(2025),
            Some(0),
            Some(0),
            Some("admin.nation")
        )
    );
    let round = round["id"].as_i64().unwrap();

    // It counts the firms that qualify and waits at its first chunk: 0 of them told.
    app.services
        .round_when(round, |r| r.eligible.is_some())
        .await
        .unwrap();
    let r = round_of(&app, &office, id, round).await;
    assert_eq!(
        (
            r["status"].as_str(),
            r["eligible"].as_i64(),
            r["reached"].as_i64()
        ),
        (Some("running"), Some(eligible), Some(0))
    );
    assert_eq!(told(&fresh, id).await, 0);
    let page = |token: String| {
        let app = &app;
        async move {
            let (status, html) = app.page_as(&format!("/award-rules/{id}"), &token).await;
            assert_eq!(status, StatusCode::OK, "{html}");
            html
        }
    };
    let html = page(office.clone()).await;
    assert!(
        html.contains("<meta http-equiv=\"refresh\"")
            && html.contains(&format!("已通知 <strong>0</strong> / {eligible} 家"))
            && html.contains("进行中"),
        "{html}"
    );

    // One chunk goes out: 500 of them, on the API, on the page.
    gate.add_permits(1);
    app.services
        .round_when(round, |r| r.reached > 0)
        .await
        .unwrap();
    let r = round_of(&app, &office, id, round).await;
    assert_eq!(
        (
            r["status"].as_str(),
            r["reached"].as_i64(),
            r["notified"].as_i64()
        ),
        (Some("running"), Some(chunk), Some(chunk))
    );
    assert_eq!(told(&fresh, id).await, chunk);
    let html = page(office.clone()).await;
    assert!(
        html.contains(&format!("已通知 <strong>{chunk}</strong> / {eligible} 家")),
        "{html}"
    );
    // The rule itself carries its newest round.
    let (_, detail) = call(
        &app,
        Method::GET,
        &format!("/api/v1/award-rules/{id}"),
        &office,
        None,
    )
    .await;
    assert_eq!(detail["round"]["id"].as_i64(), Some(round), "{detail}");
    assert_eq!(detail["round"]["reached"].as_i64(), Some(chunk));

    // A 南昌 reviewer reads the national rule but none of its rounds.
    let (status, list) = call(
        &app,
        Method::GET,
        &format!("/api/v1/award-rules/{id}/rounds"),
        &nanchang,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let (status, body) = call(
        &app,
        Method::GET,
        &format!("/api/v1/award-rules/{id}/rounds/{round}"),
        &nanchang,
        None,
    )
    .await;
    assert_problem(status, &body, 404);
    let (_, detail) = call(
        &app,
        Method::GET,
        &format!("/api/v1/award-rules/{id}"),
        &nanchang,
        None,
    )
    .await;
    assert!(detail["round"].is_null(), "{detail}");

    // The server stops during the round; an hour later it starts again and resumes it.
    app.services.halt_rounds();
    app.stop().await;
    clock.advance(time::Duration::hours(1));
    let app = spawn_services(serve(&fresh, &clock), Settings::default()).await;
    // Answered only once the server serves, which it does after resuming.
    let (status, _) = call(&app, Method::GET, "/api/v1/award-rules", &office, None).await;
    assert_eq!(status, StatusCode::OK);
    app.services.rounds_settled().await;
    let r = round_of(&app, &office, id, round).await;
    assert_eq!(
        (
            r["status"].as_str(),
            r["reached"].as_i64(),
            r["notified"].as_i64(),
            r["resumes"].as_i64()
        ),
        (Some("finished"), Some(eligible), Some(eligible), Some(1))
    );
    assert!(
        r["resumed_at"].is_string() && r["finished_at"].is_string(),
        "{r}"
    );
    // Every firm that qualifies told once.
    assert_eq!(told(&fresh, id).await, eligible);
    let (status, html) = app.page_as(&format!("/award-rules/{id}"), &office).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("http-equiv=\"refresh\"")
            && html.contains(&format!(
                "已通知 <strong>{eligible}</strong> / {eligible} 家"
            ))
            && html.contains("已完成")
            && html.contains("服务重启中断了本轮通知，已于 2025-12-15 11:00 从中断处续发"),
        "{html}"
    );
    app.stop().await;
}
on_both_backends!(a_national_publish_answers_at_once_and_shows_its_round_move);
