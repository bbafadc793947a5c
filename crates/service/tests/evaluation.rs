//! The year-end evaluation ranks a city's counties by their registration work, with weights
//! the national administrator keeps as versioned data.

mod common;

use common::*;
use std::sync::Arc;
use zhichan_domain::rules::EvaluationWeights;
use zhichan_domain::Timestamp;
use zhichan_service::clock::ManualClock;
use zhichan_service::{ServiceError, Services};
use zhichan_store::Exec;
use zhichan_testkit::{on_both_backends, Fresh};

async fn a_city_ranks_its_counties_for_the_year(fresh: Fresh) {
    let clock = Arc::new(ManualClock::at(
        Timestamp::parse("2026-11-20T02:00:00.000Z").unwrap(),
    ));
    let s = Services::with_clock(fresh.db.clone(), clock);
    s.prepare_demo().await.unwrap();
    let fuzhou = actor(&s, "adm.fuzhou", "admin", Some("361000"), None).await;
    let (region, version, rows) = s.evaluation(&fuzhou, None, 2026).await.unwrap();
    assert_eq!((region.to_string().as_str(), version), ("361000", 0));
    assert!(rows.len() >= 3, "every county of 抚州 is ranked");
    let direct = |code: &str| {
        let code = code.to_string();
        let s = s.clone();
        async move {
            s.db()
                .fetch_one::<i64>(
                    zhichan_store::Sql::new(
                        "SELECT COUNT(*) FROM products WHERE region = $1 \
                         AND registered_on LIKE '2026-%'",
                    )
                    .bind(code.parse::<i64>().unwrap()),
                )
                .await
                .unwrap()
        }
    };
    let first = &rows[0];
    assert_eq!(first.name, "临川区");
    assert_eq!(first.products, direct("361002").await);
    assert_eq!(first.score, 100.0, "most products, nothing returned");
    let dongxiang = rows.iter().find(|r| r.name == "东乡区").unwrap();
    assert_eq!(dongxiang.products, direct("361003").await);
    let expected = EvaluationWeights::default().score(
        None,
        Some(dongxiang.products as f64 / first.products as f64),
        None,
        Some(1.0),
    );
    assert_eq!(dongxiang.score, expected);
    assert!(rows.windows(2).all(|w| w[0].score >= w[1].score));
    // A neighbouring city does not learn 抚州's ranking; an enterprise has no evaluation.
    let nanchang = actor(&s, "adm.nanchang", "admin", Some("360100"), None).await;
    assert!(matches!(
        s.evaluation(&nanchang, Some("361000"), 2026).await,
        Err(ServiceError::NotFound)
    ));
    let firm = s
        .login(
            &ctx(),
            "qiye",
            zhichan_service::demo::DEMO_PASSWORD,
            None,
            None,
        )
        .await
        .unwrap()
        .auth
        .actor;
    assert!(matches!(
        s.evaluation(&firm, None, 2026).await,
        Err(ServiceError::Forbidden)
    ));

    // New weights (a new version, only from the nation) change the ranking's scores.
    let weights = EvaluationWeights {
        coverage: 0,
        products: 100,
        updates: 0,
        returns: 0,
        source: "测试文件第三条".into(),
    };
    assert!(matches!(
        s.update_evaluation_weights(&fuzhou, &ctx(), 0, weights.clone(), "调整")
            .await,
        Err(ServiceError::NotFound)
    ));
    let nation = actor(&s, "adm.nation", "admin", Some("100000"), None).await;
    let bad = EvaluationWeights {
        products: 90,
        ..weights.clone()
    };
    assert!(matches!(
        s.update_evaluation_weights(&nation, &ctx(), 0, bad, "调整")
            .await,
        Err(ServiceError::Invalid(_))
    ));
    s.update_evaluation_weights(&nation, &ctx(), 0, weights, "按新办法")
        .await
        .unwrap();
    let (_, version, rows) = s.evaluation(&fuzhou, None, 2026).await.unwrap();
    assert_eq!(version, 1);
    let dongxiang = rows.iter().find(|r| r.name == "东乡区").unwrap();
    let want = (dongxiang.products as f64 / rows[0].products as f64 * 10_000.0).round() / 100.0;
    assert_eq!(dongxiang.score, want);
}

on_both_backends!(a_city_ranks_its_counties_for_the_year);
