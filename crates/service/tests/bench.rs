//! What `zhichan bench` computes at scale is what the platform computes one by one: a batch
//! over the generated data (thousands of candidates, their results written many to a
//! statement) holds, for every candidate, exactly the bytes its own evaluation gives; and the
//! award dry run evaluates every enterprise once.

mod common;

use common::{actor, ctx, services};
use zhichan_domain::identification::Method;
use zhichan_service::batches::{
    benchmark_book, canonical_line, digest_inputs, figures_of, parse_canonical_line, stored_result,
};
use zhichan_service::generator::Scale;
use zhichan_store::identification_batches as batches;
use zhichan_testkit::{on_both_backends, Fresh};

/// A candidate's stored result: its field, whether it passed, its result document.
type Stored = (Option<String>, Option<bool>, Option<String>);

async fn a_batch_over_generated_data_gives_each_candidate_its_own_result(fresh: Fresh) {
    let s = services(&fresh);
    s.generate(Scale::Small, 3).await.unwrap();
    let admin = actor(&s, "bench", "admin", Some("100000"), None).await;
    let t = s.bench_batch(&ctx(), "bench").await.unwrap();
    // More candidates than one statement writes, and than one page reads.
    assert!(t.candidates > 2 * 2_000, "{t:?}");
    assert!(t.inputs >= t.candidates && t.benchmarks > 0, "{t:?}");
    assert!(t.passed > 0 && t.passed < t.candidates, "{t:?}");

    let db = s.db();
    let batch = batches::list(db).await.unwrap().remove(0);
    let method: Method = s
        .identification_method(&admin, batch.method_id, Some(batch.method_version))
        .await
        .unwrap()
        .current
        .rule;
    // The digest the computation took from the lines the database rendered is the one the
    // inputs give rendered here, row by row; and each line reads back as its input.
    let (count, digest) = digest_inputs(db, batch.id, batch.year).await.unwrap();
    assert_eq!(count, t.inputs);
    assert_eq!(batch.inputs_digest.as_deref(), Some(digest.as_str()));
    let book = benchmark_book(db, batch.id, &method).await.unwrap();
    let stored: std::collections::BTreeMap<i64, Stored> =
        batches::candidates(db, batch.id, &batches::CandidateFilter::default())
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.product_id, (c.field, c.passed, c.result)))
            .collect();
    assert_eq!(stored.len() as i64, t.candidates);
    let mut checked = 0;
    let mut after = 0;
    loop {
        let page = batches::inputs_page(db, batch.id, after, 1_000)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = last.product_id;
        for i in &page {
            let line = canonical_line(i);
            assert_eq!(
                parse_canonical_line(line.trim_end_matches('\n')).as_ref(),
                Some(i)
            );
            let Some((field, passed, result)) = stored.get(&i.product_id) else {
                continue;
            };
            let industry = zhichan_domain::IndustryCode::parse(&i.industry).unwrap();
            let own = stored_result(
                &method,
                &method.field_level.field_of(&industry),
                &figures_of(i),
                &book,
            );
            assert_eq!(field.as_deref(), Some(own.field.as_str()));
            assert_eq!(*passed, Some(own.passed));
            assert_eq!(
                result.as_deref(),
                Some(serde_json::to_string(&own).unwrap().as_str()),
                "product {}",
                i.product_id
            );
            checked += 1;
        }
    }
    // Every candidate frozen was checked; one withdrawn since has the fixed explanation.
    let passed: i64 = stored.values().filter(|v| v.1 == Some(true)).count() as i64;
    assert_eq!(passed, t.passed);
    assert!(
        stored.values().all(|v| v.2.is_some()),
        "every result written"
    );
    assert!(
        checked as i64 >= t.candidates - 10,
        "{checked} of {}",
        t.candidates
    );

    // The award dry run reads every enterprise's facts and evaluates each once.
    let a = s.bench_awards("bench").await.unwrap();
    assert_eq!(a.enterprises, 2_000);
    assert!(a.eligible > 0 && a.eligible < a.enterprises, "{a:?}");
    assert!(a.seconds > 0.0 && a.floor_seconds > 0.0);
}
on_both_backends!(a_batch_over_generated_data_gives_each_candidate_its_own_result);
