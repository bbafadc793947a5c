//! The auditor's view of a log that outlives its retention: entries moved to the archive are
//! searched, paged and exported exactly like live ones, marked with when they were archived.

mod common;

use common::*;
use serde_json::json;
use zhichan_service::audit::Who;
use zhichan_store::audit::{Entry, Filter};
use zhichan_testkit::{on_both_backends, Fresh};

fn objects(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.object.as_str()).collect()
}

async fn the_auditor_finds_archived_entries_like_live_ones(fresh: Fresh) {
    let (s, clock) = services_and_clock(&fresh);
    let auditor = actor(&s, "shenji", "auditor", None, None).await;
    let check = |who: &'static str, i: u32| {
        let s = s.clone();
        async move {
            s.audit_alone(
                &ctx(),
                &Who::named(who),
                "story.check",
                &format!("item:{i}"),
                "ok",
                json!({}),
            )
            .await
            .unwrap()
        }
    };
    for i in 0..3 {
        check("old.timer", i).await;
    }
    // Half a year on, everything so far moves to the archive; then the log goes on.
    clock.advance(time::Duration::days(181));
    let archived = s.archive_audit(&ctx()).await.unwrap();
    let (_, last_archived) = archived.range.unwrap();
    for i in 3..5 {
        check("new.comer", i).await;
    }

    // The whole log, newest first, one line of numbers across both tables.
    let (all, total) = s
        .audit_search(&auditor, &Filter::default(), 100, 0)
        .await
        .unwrap();
    let seqs: Vec<i64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=total).rev().collect::<Vec<_>>());
    assert!(all
        .iter()
        .all(|e| e.archived_at.is_some() == (e.seq <= last_archived)));
    assert_eq!(
        all.iter().find(|e| e.seq == 1).unwrap().archived_at,
        Some(s.now()),
        "marked with when it was archived"
    );

    // A user seen only before the archival is found, with the same filters as ever.
    let by_user = Filter {
        username: Some("old.timer".into()),
        ..Filter::default()
    };
    let (old, n) = s.audit_search(&auditor, &by_user, 50, 0).await.unwrap();
    assert_eq!((objects(&old), n), (vec!["item:2", "item:1", "item:0"], 3));
    let by_object = Filter {
        object: Some("item:1".into()),
        ..Filter::default()
    };
    let (one, n) = s.audit_search(&auditor, &by_object, 50, 0).await.unwrap();
    assert_eq!((objects(&one), n), (vec!["item:1"], 1));

    // Pages run across the boundary as if there were none.
    let stories = Filter {
        action: Some("story.".into()),
        ..Filter::default()
    };
    let (page, n) = s.audit_search(&auditor, &stories, 2, 1).await.unwrap();
    assert_eq!((objects(&page), n), (vec!["item:3", "item:2"], 5));
    let (page, _) = s.audit_search(&auditor, &stories, 2, 4).await.unwrap();
    assert_eq!(objects(&page), ["item:0"]);

    // Time filters reach into either table.
    let early = Filter {
        to: Some(s.now().minus(time::Duration::days(180))),
        ..stories.clone()
    };
    let (before, n) = s.audit_search(&auditor, &early, 50, 0).await.unwrap();
    assert_eq!(
        (objects(&before), n),
        (vec!["item:2", "item:1", "item:0"], 3)
    );
    let late = Filter {
        from: Some(s.now().minus(time::Duration::days(1))),
        ..stories.clone()
    };
    let (after, n) = s.audit_search(&auditor, &late, 50, 0).await.unwrap();
    assert_eq!((objects(&after), n), (vec!["item:4", "item:3"], 2));

    // The export walks both, oldest first, a batch at a time.
    let mut exported = Vec::new();
    let mut after_seq = 0;
    loop {
        let batch = s
            .audit_export_batch(&auditor, &stories, after_seq, 2)
            .await
            .unwrap();
        let Some(last) = batch.last() else { break };
        after_seq = last.seq;
        exported.extend(batch.iter().map(|e| e.object.clone()));
    }
    assert_eq!(exported, ["item:0", "item:1", "item:2", "item:3", "item:4"]);
    // And the chain still verifies end to end.
    assert_eq!(s.audit_verify().await.unwrap().broken, None);
}

on_both_backends!(the_auditor_finds_archived_entries_like_live_ones);
