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
    // Publishing notifies for the clock's year exactly the firms the dry run counted.
    s.publish_award_rule(&office, &ctx(), id, 1).await.unwrap();
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
    // More than one transaction's worth (500), fewer than all enterprises.
    assert!(
        r.eligible > 500 && r.eligible < 2_000,
        "{r:?} (dry run: {})",
        dry.eligible
    );
    assert_eq!((r.eligible, r.notified), (dry.eligible, dry.eligible));
    assert_eq!(of_year(UPDATE_YEAR).await, r.eligible);
    let all = r.eligible + dry_now.eligible;
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
    assert_eq!((again.eligible, again.notified), (r.eligible, 0));
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
