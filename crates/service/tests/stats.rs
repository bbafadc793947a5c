//! The statistics rollups equal a direct count of the base tables after any sequence of
//! registrations, approvals, changes, annual updates and withdrawals — in every region of the
//! tree — and an office sees only its own subtree.

mod common;

use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use zhichan_domain::access::Actor;
use zhichan_domain::{RegionCode, Timestamp};
use zhichan_service::annual::UpdateInput;
use zhichan_service::clock::ManualClock;
use zhichan_service::demo::DEMO_PASSWORD;
use zhichan_service::products::{FiguresInput, LinkInput, ProductInput};
use zhichan_service::stats::By;
use zhichan_service::{ServiceError, Services};
use zhichan_store::stats;
use zhichan_testkit::{on_both_backends, Fresh};

async fn login(s: &Services, name: &str) -> Actor {
    s.login(&ctx(), name, DEMO_PASSWORD, None, None)
        .await
        .unwrap()
        .auth
        .actor
}

/// Every region where anything was registered, and their ancestors.
async fn check_everywhere(s: &Services, when: &str) {
    let codes: Vec<i64> = s
        .db()
        .fetch_all(zhichan_store::Sql::new(
            "SELECT DISTINCT region FROM products",
        ))
        .await
        .unwrap();
    let mut regions: Vec<RegionCode> = codes
        .iter()
        .flat_map(|c| {
            RegionCode::from_u32(*c as u32)
                .unwrap()
                .self_and_ancestors()
                .collect::<Vec<_>>()
        })
        .collect();
    regions.sort();
    regions.dedup();
    for r in &regions {
        let rolled = stats::summary(s.db(), *r).await.unwrap();
        let direct = stats::direct_summary(s.db(), *r).await.unwrap();
        assert_eq!(rolled, direct, "{when}: region {r}");
    }
    // A rebuild from scratch gives the same figures as the running totals.
    let before: Vec<_> = {
        let mut v = Vec::new();
        for r in &regions {
            v.push((
                stats::summary(s.db(), *r).await.unwrap(),
                stats::by_field(s.db(), *r).await.unwrap(),
                stats::by_month(s.db(), *r).await.unwrap(),
                stats::by_region(s.db(), *r).await.unwrap(),
            ));
        }
        v
    };
    let tx = s.db().begin().await.unwrap();
    stats::rebuild(&tx).await.unwrap();
    tx.commit().await.unwrap();
    for (i, r) in regions.iter().enumerate() {
        let after = (
            stats::summary(s.db(), *r).await.unwrap(),
            stats::by_field(s.db(), *r).await.unwrap(),
            stats::by_month(s.db(), *r).await.unwrap(),
            stats::by_region(s.db(), *r).await.unwrap(),
        );
        assert_eq!(before[i], after, "{when}: rebuild differs at {r}");
    }
}

use zhichan_store::Exec;

async fn the_rollups_equal_a_direct_count_after_any_sequence(fresh: Fresh) {
    let clock = Arc::new(ManualClock::at(
        Timestamp::parse("2026-12-01T02:00:00.000Z").unwrap(),
    ));
    let s = Services::with_clock(fresh.db.clone(), clock.clone());
    s.prepare_demo().await.unwrap();
    let reviewer = login(&s, "shenhe").await;
    let firms = [
        login(&s, "qiye").await,
        login(&s, "dongxiang").await,
        login(&s, "nancheng").await,
    ];
    check_everywhere(&s, "after the demo").await;

    let mut rng = StdRng::seed_from_u64(20261122);
    let mut ids: Vec<(usize, i64)> = Vec::new();
    // How many of each kind of step took effect: [approved, changed, withdrawn, updated].
    let mut done = [0; 4];
    for round in 0..2 {
        for step in 0..40 {
            let who = rng.gen_range(0..firms.len());
            let firm = &firms[who];
            let code = firm.enterprise.clone().unwrap();
            // In the update window (second round) many steps are annual updates.
            let op = if round == 1 && rng.gen_bool(0.4) {
                9
            } else {
                rng.gen_range(0..10)
            };
            if op < 4 || ids.is_empty() {
                // A new product on some of the enterprise's patents, submitted and approved.
                let patents = s.patents(firm, &code).await.unwrap();
                let k = rng.gen_range(1..=patents.len().min(2));
                let input = ProductInput {
                    enterprise: code.clone(),
                    name: format!("产品{round}-{step}"),
                    model: format!("M{step}"),
                    field: ["39", "34", "35"][rng.gen_range(0..3)].into(),
                    description: String::new(),
                    first_sold_on: None,
                    figures: vec![FiguresInput {
                        year: 2025,
                        sales_revenue: format!(
                            "{}.{:02}",
                            rng.gen_range(0..5_000_000),
                            rng.gen_range(0..100)
                        ),
                        output_value: "1".into(),
                        ..FiguresInput::default()
                    }],
                    patents: patents
                        .iter()
                        .skip(rng.gen_range(0..patents.len()))
                        .chain(patents.iter())
                        .take(k)
                        .map(|p| LinkInput {
                            patent: zhichan_service::patents::PatentInput::from_stored(p),
                            core: true,
                            embodiment: "x".into(),
                        })
                        .collect(),
                };
                let Ok(v) = s.create_product(firm, &ctx(), input).await else {
                    continue;
                };
                let v = s
                    .submit_product(firm, &ctx(), v.product.id, v.product.version)
                    .await
                    .unwrap();
                if rng.gen_bool(0.8) {
                    s.review_product(
                        &reviewer,
                        &ctx(),
                        v.product.id,
                        v.product.version,
                        true,
                        None,
                    )
                    .await
                    .unwrap();
                    done[0] += 1;
                }
                ids.push((who, v.product.id));
                continue;
            }
            let (owner, id) = ids[rng.gen_range(0..ids.len())];
            let firm = &firms[owner];
            let v = s.product(firm, id).await.unwrap();
            match op {
                4..=5 => {
                    // A change: new figures, maybe another field; approved again or not.
                    let r = s
                        .update_product(firm, &ctx(), id, v.product.version, |p| {
                            p.figures[0].sales_revenue = "777.77".into();
                            p.field = "36".into();
                        })
                        .await;
                    if let Ok(v) = r {
                        let v = s
                            .submit_product(firm, &ctx(), id, v.product.version)
                            .await
                            .unwrap();
                        s.review_product(&reviewer, &ctx(), id, v.product.version, true, None)
                            .await
                            .unwrap();
                        done[1] += 1;
                    }
                }
                6..=7 => {
                    if s.withdraw_product(firm, &ctx(), id, v.product.version, "停产")
                        .await
                        .is_ok()
                    {
                        done[2] += 1;
                    }
                }
                _ => {
                    let r = s
                        .file_annual_update(
                            firm,
                            &ctx(),
                            id,
                            UpdateInput {
                                year: 2026,
                                sales_revenue: "4200000.00".into(),
                                output_value: "1".into(),
                                still_sold: true,
                                ..UpdateInput::default()
                            },
                        )
                        .await;
                    if let Ok(u) = r {
                        s.review_annual_update(&reviewer, &ctx(), u.id, u.version, true, None)
                            .await
                            .unwrap();
                        done[3] += 1;
                    }
                }
            }
        }
        check_everywhere(&s, &format!("round {round}")).await;
        // The second round runs in the 2027 update window.
        clock.advance(time::Duration::days(71));
    }
    let nation = stats::summary(s.db(), RegionCode::NATION).await.unwrap();
    assert!(nation.products > 3 && nation.enterprises == 3, "{nation:?}");
    assert!(
        done.iter().all(|n| *n > 0),
        "every kind of step happened: {done:?}"
    );
}

async fn an_office_sees_its_own_subtree_only(fresh: Fresh) {
    let s = services(&fresh);
    s.prepare_demo().await.unwrap();
    let fuzhou = actor(&s, "adm.fuzhou", "admin", Some("361000"), None).await;
    let nanchang = actor(&s, "adm.nanchang", "admin", Some("360100"), None).await;
    let jiangxi = actor(&s, "adm.jiangxi", "admin", Some("360000"), None).await;
    let (r, sum) = s.stats_summary(&fuzhou, None).await.unwrap();
    assert_eq!(r.to_string(), "361000");
    assert_eq!(sum, stats::direct_summary(s.db(), r).await.unwrap());
    assert!(sum.products >= 3);
    // The neighbour city sees its own (empty) figures and nothing of 抚州.
    assert_eq!(
        s.stats_summary(&nanchang, None).await.unwrap().1.products,
        0
    );
    assert!(matches!(
        s.stats_summary(&nanchang, Some("361000")).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        s.stats_summary(&fuzhou, Some("360000")).await,
        Err(ServiceError::NotFound)
    ));
    // The province sees its cities, 抚州 among them with the same totals.
    let (_, cities) = s.stats_breakdown(&jiangxi, None, By::Region).await.unwrap();
    let fz = cities.iter().find(|c| c.key == "361000").unwrap();
    assert_eq!(
        (fz.name.as_str(), fz.row.products),
        ("抚州市", sum.products)
    );
    let (_, fields) = s.stats_breakdown(&fuzhou, None, By::Field).await.unwrap();
    assert_eq!(
        fields.iter().map(|f| f.row.products).sum::<i64>(),
        sum.products
    );
    assert!(fields.iter().all(|f| !f.name.is_empty()));
    let (_, months) = s
        .stats_breakdown(&fuzhou, Some("361002"), By::Month)
        .await
        .unwrap();
    assert!(months.iter().map(|m| m.row.registered).sum::<i64>() >= 1);
    // Enterprises and reviewers have no statistics grant at all.
    let firm = login(&s, "qiye").await;
    assert!(matches!(
        s.stats_summary(&firm, None).await,
        Err(ServiceError::Forbidden)
    ));
}

on_both_backends!(the_rollups_equal_a_direct_count_after_any_sequence);
on_both_backends!(an_office_sees_its_own_subtree_only);
