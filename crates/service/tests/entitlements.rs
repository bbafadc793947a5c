//! Notifying a region of its entitlements (免申即享) writes notifications many to a statement:
//! over the generated enterprises of the nation, publishing a national rule tells exactly the
//! firms its dry run counted for this year, and the office's round for the year before tells
//! every one the dry run counted for that year — each once, each queued for the firm's phone
//! and e-mail — and asking again for the same rule version and year writes nothing.

mod common;

use common::{actor, ctx, services};
use zhichan_service::generator::{Scale, UPDATE_YEAR};
use zhichan_store::{Exec, Sql};
use zhichan_testkit::{on_both_backends, Fresh};

async fn count(s: &zhichan_service::Services, sql: &'static str) -> i64 {
    s.db().fetch_one(Sql::new(sql)).await.unwrap()
}

async fn a_national_round_tells_each_qualifying_firm_once(fresh: Fresh) {
    let s = services(&fresh);
    s.generate(Scale::Small, 5).await.unwrap();
    let office = actor(&s, "office", "admin", Some("100000"), None).await;
    let policy: zhichan_service::policies::PolicyFields =
        serde_json::from_value(serde_json::json!({
            "title": "知识产权专项资金管理办法（通知测试）", "doc_number": null,
            "issuers": ["国家知识产权局"], "region": "100000", "published_on": "2023-11-10",
            "effective_on": "2023-11-10", "expires_on": null, "source": null, "posted_on": null,
            "url": null, "body": "测试用政策正文。", "topics": ["专项资金"]
        }))
        .unwrap();
    let policy = s.create_policy(&office, &ctx(), policy).await.unwrap();
    let rule: zhichan_domain::awards::AwardRule = serde_json::from_value(serde_json::json!({
        "name": "备案专利产品奖励", "policy": policy.policy.id, "clause": "第八条（三）",
        "region": "100000", "effective_on": "2023-11-10", "pattern": "per_item",
        "item": "registered_products", "amount": "1000", "cap": "30000",
        "examples": [{"name": "当年备案2件", "year": UPDATE_YEAR, "amount": "2000",
                      "facts": {"region": "361002", "registered_products": 2}}]
    }))
    .unwrap();
    let this_year = s.today().year();
    let dry_now = s
        .dry_run_award_rule(&office, rule.clone(), None, this_year)
        .await
        .unwrap();
    let dry = s
        .dry_run_award_rule(&office, rule.clone(), None, UPDATE_YEAR)
        .await
        .unwrap();
    let id = s
        .create_award_rule(&office, &ctx(), rule)
        .await
        .unwrap()
        .current
        .id;
    // Publishing notifies for the clock's year exactly the firms the dry run counted (its round
    // runs on after publishing answers).
    s.publish_award_rule(&office, &ctx(), id, 1).await.unwrap();
    s.rounds_settled().await;
    let of_year = |year: i32| {
        let s = &s;
        async move {
            s.db()
                .fetch_one::<i64>(
                    Sql::new(
                        "SELECT COUNT(*) FROM notifications WHERE kind = 'entitlement' \
                         AND dedupe LIKE $1",
                    )
                    .bind(format!("entitlement:{id}:1:{year}:%")),
                )
                .await
                .unwrap() as u64
        }
    };
    assert!(dry_now.eligible > 0, "{}", dry_now.eligible);
    assert_eq!(of_year(this_year).await, dry_now.eligible);

    // The office asks for the year before.
    let r = s
        .notify_entitlements(&office, &ctx(), id, UPDATE_YEAR)
        .await
        .unwrap();
    s.rounds_settled().await;
    let r = s.rule_round(&office, id, r.id).await.unwrap();
    let (eligible, notified) = (r.eligible.unwrap() as u64, r.notified as u64);
    // More than one transaction's worth (500), fewer than all enterprises.
    assert!(
        eligible > 500 && eligible < 2_000,
        "{r:?} (dry run: {})",
        dry.eligible
    );
    assert_eq!((eligible, notified), (dry.eligible, dry.eligible));
    assert_eq!(of_year(UPDATE_YEAR).await, eligible);
    let all = eligible + dry_now.eligible;
    let written = count(
        &s,
        "SELECT COUNT(*) FROM notifications WHERE kind = 'entitlement'",
    )
    .await as u64;
    assert_eq!(written, all);
    // Each queued for the firm's phone and its e-mail (every generated firm has both), and
    // each message to its own firm's address.
    let queued = count(
        &s,
        "SELECT COUNT(*) FROM notification_outbox o JOIN notifications n \
         ON n.id = o.notification_id WHERE n.kind = 'entitlement'",
    )
    .await as u64;
    assert_eq!(queued, 2 * all);
    let misaddressed = count(
        &s,
        "SELECT COUNT(*) FROM notification_outbox o JOIN notifications n \
         ON n.id = o.notification_id JOIN enterprises e ON e.id = n.enterprise_id \
         WHERE n.kind = 'entitlement' AND o.address <> e.contact_phone \
         AND o.address <> e.contact_email",
    )
    .await;
    assert_eq!(misaddressed, 0);

    // Again for the same version and year: nobody twice, nothing queued twice.
    let again = s
        .notify_entitlements(&office, &ctx(), id, UPDATE_YEAR)
        .await
        .unwrap();
    assert_ne!(again.id, r.id);
    s.rounds_settled().await;
    let again = s.rule_round(&office, id, again.id).await.unwrap();
    assert_eq!((again.eligible, again.notified), (Some(eligible as i64), 0));
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'entitlement'"
        )
        .await as u64,
        all
    );
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM notification_outbox").await as u64,
        queued
    );
}
on_both_backends!(a_national_round_tells_each_qualifying_firm_once);

/// The national office's policy and a rule over the nation: 1,000 per product registered in
/// the year, at most 30,000 per enterprise.
async fn national_rule(
    s: &zhichan_service::Services,
    office: &zhichan_domain::access::Actor,
) -> zhichan_domain::awards::AwardRule {
    let policy: zhichan_service::policies::PolicyFields =
        serde_json::from_value(serde_json::json!({
            "title": "知识产权专项资金管理办法（通知测试）", "doc_number": null,
            "issuers": ["国家知识产权局"], "region": "100000", "published_on": "2023-11-10",
            "effective_on": "2023-11-10", "expires_on": null, "source": null, "posted_on": null,
            "url": null, "body": "测试用政策正文。", "topics": ["专项资金"]
        }))
        .unwrap();
    let policy = s.create_policy(office, &ctx(), policy).await.unwrap();
    serde_json::from_value(serde_json::json!({
        "name": "备案专利产品奖励", "policy": policy.policy.id, "clause": "第八条（三）",
        "region": "100000", "effective_on": "2023-11-10", "pattern": "per_item",
        "item": "registered_products", "amount": "1000", "cap": "30000",
        "examples": [{"name": "当年备案2件", "year": UPDATE_YEAR, "amount": "2000",
                      "facts": {"region": "361002", "registered_products": 2}}]
    }))
    .unwrap()
}

/// The national office publishes a rule over the generated nation in December of the generated
/// year: publishing answers while its round has told nobody; the round counts the firms that
/// qualify (those the dry run counted), reaches the first 500 — the rule's rounds show it —
/// and the server stops there. Started again an hour later, the server resumes the round after
/// the last firm it reached, says so (on the round and in the audit log), and the round ends
/// with every firm that qualifies told exactly once.
async fn a_publish_answers_at_once_and_its_round_survives_a_restart(fresh: Fresh) {
    use std::sync::Arc;
    use zhichan_service::clock::ManualClock;
    use zhichan_service::entitlement_rounds::CHUNK;
    use zhichan_service::Services;

    services(&fresh).generate(Scale::Small, 5).await.unwrap();
    let clock = Arc::new(ManualClock::at(
        zhichan_domain::Timestamp::parse("2025-12-15T02:00:00.000Z").unwrap(),
    ));
    // The story's hand on the round: each chunk of notifications waits for a permit.
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let before =
        Services::with_clock(fresh.db.clone(), clock.clone()).with_round_gate(gate.clone());
    let office = actor(&before, "office", "admin", Some("100000"), None).await;
    let rule = national_rule(&before, &office).await;
    let dry = before
        .dry_run_award_rule(&office, rule.clone(), None, UPDATE_YEAR)
        .await
        .unwrap();
    let eligible = dry.eligible as i64;
    assert!(eligible > CHUNK as i64, "{eligible}");
    let id = before
        .create_award_rule(&office, &ctx(), rule)
        .await
        .unwrap()
        .current
        .id;
    let told = |s: &Services| {
        let s = s.clone();
        async move {
            s.db()
                .fetch_one::<i64>(
                    Sql::new(
                        "SELECT COUNT(*) FROM notifications WHERE kind = 'entitlement' \
                         AND dedupe LIKE $1",
                    )
                    .bind(format!("entitlement:{id}:1:{UPDATE_YEAR}:%")),
                )
                .await
                .unwrap()
        }
    };

    let (published, round) = before
        .publish_award_rule(&office, &ctx(), id, 1)
        .await
        .unwrap();
    assert_eq!(published.published_version(), Some(1));
    let round = round.expect("publishing starts a round");
    assert_eq!(
        (
            round.status.as_str(),
            round.year,
            round.reached,
            round.notified
        ),
        ("running", UPDATE_YEAR, 0, 0)
    );
    assert_eq!(round.started_by.as_deref(), Some("office"));

    // The round counts the firms that qualify, then waits at its first chunk.
    let r = before
        .round_when(round.id, |r| r.eligible.is_some())
        .await
        .unwrap();
    assert_eq!((r.eligible, r.reached), (Some(eligible), 0));
    assert_eq!(told(&before).await, 0);
    gate.add_permits(1);
    let r = before
        .round_when(round.id, |r| r.reached > 0)
        .await
        .unwrap();
    let chunk = CHUNK as i64;
    assert_eq!(
        (r.status.as_str(), r.reached, r.notified),
        ("running", chunk, chunk)
    );
    assert_eq!(told(&before).await, chunk);
    let listed = before.rule_rounds(&office, id).await.unwrap();
    assert_eq!(
        (listed.len(), listed[0].id, listed[0].reached),
        (1, round.id, chunk)
    );

    // The server stops during the round; an hour later it starts again.
    before.halt_rounds();
    clock.advance(time::Duration::hours(1));
    let after = Services::with_clock(fresh.db.clone(), clock.clone());
    assert_eq!(after.resume_rounds().await.unwrap(), vec![round.id]);
    after.rounds_settled().await;
    let r = after.rule_round(&office, id, round.id).await.unwrap();
    assert_eq!(
        (r.status.as_str(), r.reached, r.notified, r.resumes),
        ("finished", eligible, eligible, 1)
    );
    assert_eq!(r.resumed_at, Some(after.now()));
    assert_eq!(r.finished_at, Some(after.now()));
    // Every firm that qualifies told once: none twice across the restart.
    assert_eq!(told(&after).await, eligible);
    let audited = |action: &'static str| {
        let s = after.clone();
        async move {
            s.db()
                .fetch_one::<i64>(
                    Sql::new("SELECT COUNT(*) FROM audit_log WHERE action = $1").bind(action),
                )
                .await
                .unwrap()
        }
    };
    assert_eq!(audited("entitlement.notify_resume").await, 1);
    assert_eq!(audited("entitlement.notify").await, 1);
    // Nothing is left to resume.
    assert!(after.resume_rounds().await.unwrap().is_empty());
}
on_both_backends!(a_publish_answers_at_once_and_its_round_survives_a_restart);
