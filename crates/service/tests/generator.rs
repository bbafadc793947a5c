//! `zhichan demo --scale small` fills an empty database with well-formed synthetic data through
//! the bulk path, and the rollups built after it equal a direct count.

mod common;

use zhichan_domain::{CreditCode, PatentNumber, RegionCode};
use zhichan_service::generator::{Scale, Target, TABLES};
use zhichan_service::{ServiceError, Services};
use zhichan_store::{bulk, stats, Exec, Sql};
use zhichan_testkit::{on_both_backends, Fresh};

async fn the_small_scale_is_generated_well_formed(fresh: Fresh) {
    let s = Services::new(fresh.db.clone());
    let g = s.generate(Scale::Small, 7).await.unwrap();
    assert_eq!(g.enterprises, 2_000);
    assert!(
        g.products >= 2_000 && g.links >= g.products && g.patents >= g.enterprises,
        "{g:?}"
    );
    let db = s.db();
    let count = |t: &str| Sql::new(format!("SELECT COUNT(*) FROM {t}"));
    assert_eq!(
        db.fetch_one::<i64>(count("products")).await.unwrap(),
        g.products as i64
    );
    assert_eq!(
        db.fetch_one::<i64>(count("product_patents")).await.unwrap(),
        g.links as i64
    );
    // The annual updates of the figures' year: one, approved, for nine in ten of the products
    // registered by its end and not withdrawn, so that a batch of that year has candidates.
    let year = zhichan_service::generator::UPDATE_YEAR;
    let current: i64 = db
        .fetch_one(Sql::new(format!(
            "SELECT COUNT(*) FROM products WHERE withdrawn_on IS NULL \
             AND registered_on <= '{year}-12-31'"
        )))
        .await
        .unwrap();
    let approved: i64 = db
        .fetch_one(Sql::new(format!(
            "SELECT COUNT(*) FROM annual_updates a JOIN products p ON p.id = a.product_id \
             WHERE a.year = {year} AND a.status = 'approved' AND p.withdrawn_on IS NULL \
             AND p.registered_on <= '{year}-12-31'"
        )))
        .await
        .unwrap();
    assert_eq!(approved, g.updates as i64);
    assert!(
        approved * 10 >= current * 8 && approved < current,
        "{approved} of {current}"
    );
    // Every code and number parses with the same rules as a user's input.
    let codes: Vec<String> = db
        .fetch_all(Sql::new("SELECT credit_code FROM enterprises"))
        .await
        .unwrap();
    assert!(codes.iter().all(|c| CreditCode::parse(c).is_ok()));
    let numbers: Vec<String> = db
        .fetch_all(Sql::new("SELECT number FROM patents"))
        .await
        .unwrap();
    assert!(numbers.iter().all(|n| PatentNumber::parse(n).is_ok()));
    // Skewed: some enterprise has far more products than the median one.
    let most: i64 = db
        .fetch_one(Sql::new(
            "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM products GROUP BY enterprise_id) t",
        ))
        .await
        .unwrap();
    assert!(most >= 20, "largest enterprise has {most} products");
    // Rollups rebuilt after the load equal the direct count.
    for r in ["100000", "360000", "361000"] {
        let r = RegionCode::parse(r).unwrap();
        assert_eq!(
            stats::summary(db, r).await.unwrap(),
            stats::direct_summary(db, r).await.unwrap(),
            "{r}"
        );
    }
    // The naive GROUP BY of every breakdown (what the benchmark compares with) agrees too.
    let normal = |mut rows: Vec<stats::Row>| {
        rows.retain(|r| r.products != 0 || r.registered != 0);
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        rows
    };
    for r in ["100000", "360000", "361000"] {
        let r = RegionCode::parse(r).unwrap();
        assert_eq!(
            normal(stats::by_region(db, r).await.unwrap()),
            normal(stats::direct_by_region(db, r).await.unwrap()),
            "{r}"
        );
        assert_eq!(
            stats::by_field(db, r).await.unwrap(),
            stats::direct_by_field(db, r).await.unwrap(),
            "{r}"
        );
        assert_eq!(
            stats::by_month(db, r).await.unwrap(),
            stats::direct_by_month(db, r).await.unwrap(),
            "{r}"
        );
    }
    // Each product's document, written by the generator, is what the server writes from the
    // product's tables.
    let documents = || Sql::new("SELECT COALESCE(document, '') FROM products ORDER BY id");
    let generated: Vec<String> = db.fetch_all(documents()).await.unwrap();
    assert!(generated.iter().all(|d| d.starts_with('{')));
    db.execute(Sql::new("UPDATE products SET document = NULL"))
        .await
        .unwrap();
    assert_eq!(s.fill_all_documents().await.unwrap(), g.products);
    let written: Vec<String> = db.fetch_all(documents()).await.unwrap();
    if let Some((a, b)) = generated.iter().zip(&written).find(|(a, b)| a != b) {
        panic!("the generator writes the server's documents:\n{a}\n{b}");
    }
    // The CSV files of the same seed hold the same rows, every column in the table's order
    // (what the engines' own import reads without a column list).
    for (table, columns) in TABLES {
        assert_eq!(
            bulk::table_columns(db, table).await.unwrap(),
            columns.to_vec(),
            "{table}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let c = s
        .generate_into(Scale::Small, 7, Target::Csv(dir.path()))
        .await
        .unwrap();
    assert_eq!(
        (
            c.enterprises,
            c.patents,
            c.products,
            c.links,
            c.figures,
            c.updates
        ),
        (
            g.enterprises,
            g.patents,
            g.products,
            g.links,
            g.figures,
            g.updates
        )
    );
    let lines = |t: &str| {
        std::fs::read_to_string(dir.path().join(format!("{t}.csv")))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(lines("product_patents").len(), g.links);
    assert_eq!(lines("product_figures").len(), g.figures);
    assert_eq!(lines("annual_updates").len(), g.updates);
    let csv_codes: Vec<String> = lines("enterprises")
        .iter()
        .map(|l| l.split(',').nth(1).unwrap().trim_matches('"').to_string())
        .collect();
    let db_codes: Vec<String> = db
        .fetch_all(Sql::new("SELECT credit_code FROM enterprises ORDER BY id"))
        .await
        .unwrap();
    assert_eq!(csv_codes, db_codes);
    // Only into an empty database.
    assert!(matches!(
        s.generate(Scale::Small, 7).await,
        Err(ServiceError::Conflict(_))
    ));
}

on_both_backends!(the_small_scale_is_generated_well_formed);

/// An official narrows the product list to a province, a city or a county and to an industry
/// field (or a broader code above it): the list holds exactly the products of that subtree whose
/// field begins with the code, newest change first, and its total counts them all, as a plain
/// range and prefix match over the table says.
async fn lists_narrowed_by_region_and_field_hold_exactly_their_products(fresh: Fresh) {
    use zhichan_domain::registration::ProductStatus;
    use zhichan_store::products::{self, Filter, Within};
    let s = Services::new(fresh.db.clone());
    s.generate(Scale::Small, 5).await.unwrap();
    let db = s.db();
    let busiest =
        "FROM products GROUP BY region, field ORDER BY COUNT(*) DESC, region, field LIMIT 1";
    let county: i64 = db
        .fetch_one(Sql::new(format!("SELECT region {busiest}")))
        .await
        .unwrap();
    let field: String = db
        .fetch_one(Sql::new(format!("SELECT field {busiest}")))
        .await
        .unwrap();
    let broader = field[..1].to_string();
    let regions = [
        county / 10_000 * 10_000,
        county / 100 * 100,
        county,
        100_000,
    ];
    for region in regions {
        let code = RegionCode::parse(&format!("{region:06}")).unwrap();
        let (lo, hi) = code.subtree();
        // The busiest field, a broader code above it, a section letter typed in either case.
        for wanted in [field.clone(), broader.clone(), "C".into(), "c".into()] {
            for status in [None, Some(ProductStatus::Approved)] {
                let filter = Filter {
                    region: Some(code),
                    field: Some(wanted.clone()),
                    status,
                    ..Default::default()
                };
                let (page, total) = products::list(db, &Within::All, &filter, 20, 5)
                    .await
                    .unwrap();
                let mut plain = Sql::new(format!(
                    "SELECT id FROM products WHERE region BETWEEN $1 AND $2 \
                     AND UPPER(field) LIKE $3 {} ORDER BY updated_at DESC, id DESC",
                    if status.is_some() {
                        "AND status = 'approved'"
                    } else {
                        ""
                    }
                ));
                plain = plain
                    .bind(i64::from(lo))
                    .bind(i64::from(hi))
                    .bind(format!("{}%", wanted.to_uppercase()));
                let ids: Vec<i64> = db.fetch_all(plain).await.unwrap();
                let case = format!("region {region}, field {wanted:?}, {status:?}");
                assert_eq!(total, ids.len() as i64, "{case}");
                let shown: Vec<i64> = page.iter().map(|p| p.id).collect();
                let expected: Vec<i64> = ids.iter().copied().skip(5).take(20).collect();
                assert_eq!(shown, expected, "{case}");
                if !wanted.eq_ignore_ascii_case("c") && region != 100_000 {
                    assert!(total > 0, "{case}: the sample should not be empty");
                }
            }
        }
    }
}

on_both_backends!(lists_narrowed_by_region_and_field_hold_exactly_their_products);

/// The list of one division, group or class (the path of the list indexes keyed by a field's
/// first two characters): at every region level, with and without a status, the page shows the
/// products a plain prefix match over the table orders newest change first, on the first page
/// and further on, and `total` counts them all — the API's read counts up to the cap and says
/// when it stopped there.
async fn lists_of_a_division_group_or_class_agree_with_a_plain_query(fresh: Fresh) {
    use zhichan_domain::registration::ProductStatus;
    use zhichan_store::products::{self, Filter, Within};
    let s = Services::new(fresh.db.clone());
    s.generate(Scale::Small, 5).await.unwrap();
    let db = s.db();
    // Generated products all changed at the same moment; spread them so that the order is more
    // than the ids'.
    db.execute(Sql::new(
        "UPDATE products SET updated_at = CASE id % 3 \
         WHEN 0 THEN '2026-03-01T00:00:00.000Z' WHEN 1 THEN '2025-11-15T08:30:00.000Z' \
         ELSE updated_at END",
    ))
    .await
    .unwrap();
    // The busiest class of the busiest county: products name classes (小类) now.
    let busiest =
        "FROM products GROUP BY region, field ORDER BY COUNT(*) DESC, region, field LIMIT 1";
    let county: i64 = db
        .fetch_one(Sql::new(format!("SELECT region {busiest}")))
        .await
        .unwrap();
    let class: String = db
        .fetch_one(Sql::new(format!("SELECT field {busiest}")))
        .await
        .unwrap();
    assert_eq!(class.len(), 4, "the generator names classes: {class}");
    for region in [
        county / 10_000 * 10_000,
        county / 100 * 100,
        county,
        100_000,
    ] {
        let code = RegionCode::parse(&format!("{region:06}")).unwrap();
        let (lo, hi) = code.subtree();
        for wanted in [&class[..2], &class[..3], &class[..]] {
            for status in [None, Some(ProductStatus::Approved)] {
                let mut plain = Sql::new(format!(
                    "SELECT id FROM products WHERE region BETWEEN $1 AND $2 AND field LIKE $3 {} \
                     ORDER BY updated_at DESC, id DESC",
                    if status.is_some() {
                        "AND status = 'approved'"
                    } else {
                        ""
                    }
                ));
                plain = plain
                    .bind(i64::from(lo))
                    .bind(i64::from(hi))
                    .bind(format!("{wanted}%"));
                let ids: Vec<i64> = db.fetch_all(plain).await.unwrap();
                let case = format!("region {region}, field {wanted}, {status:?}");
                assert!(!ids.is_empty(), "{case}: the sample should not be empty");
                for offset in [0, 7] {
                    let filter = Filter {
                        region: Some(code),
                        field: Some(wanted.to_string()),
                        status,
                        ..Default::default()
                    };
                    let (page, total) = products::list(db, &Within::All, &filter, 10, offset)
                        .await
                        .unwrap();
                    assert_eq!(total, ids.len() as i64, "{case}");
                    let shown: Vec<i64> = page.iter().map(|p| p.id).collect();
                    let expected: Vec<i64> =
                        ids.iter().copied().skip(offset as usize).take(10).collect();
                    assert_eq!(shown, expected, "{case}, offset {offset}");
                    // The API's read of the same page: documents, and a total counted up to
                    // the cap.
                    let (documented, counted, _) = products::list_documented(
                        db,
                        &Within::All,
                        &filter,
                        10,
                        offset,
                        Some(2026),
                    )
                    .await
                    .unwrap();
                    let shown: Vec<i64> = documented.iter().map(|d| d.head.id).collect();
                    assert_eq!(shown, expected, "{case}, offset {offset}, documented");
                    assert!(documented.iter().all(|d| d.document.is_some()), "{case}");
                    assert_eq!(counted, capped(ids.len()), "{case}");
                }
            }
        }
    }
    // A list longer than the cap: its total says so, its pages still run in order to the end.
    let filter = Filter {
        status: Some(ProductStatus::Approved),
        ..Default::default()
    };
    let ids: Vec<i64> = db
        .fetch_all(Sql::new(
            "SELECT id FROM products WHERE status = 'approved' ORDER BY updated_at DESC, id DESC",
        ))
        .await
        .unwrap();
    assert!(ids.len() as i64 > products::LIST_TOTAL_CAP, "{}", ids.len());
    let last = ids.len() as i64 - 3;
    for offset in [0, products::LIST_TOTAL_CAP + 5, last] {
        let (page, counted, _) =
            products::list_documented(db, &Within::All, &filter, 10, offset, None)
                .await
                .unwrap();
        assert_eq!(counted, capped(ids.len()));
        assert!(counted.capped);
        let shown: Vec<i64> = page.iter().map(|d| d.head.id).collect();
        let expected: Vec<i64> = ids.iter().copied().skip(offset as usize).take(10).collect();
        assert_eq!(shown, expected, "offset {offset}");
    }
    // Keyset paging: each page's cursor leads to the next page, the whole list in order to the
    // end (the generated products share their change time, so the id decides), the last page
    // without a cursor, and the total still that of the whole list. In pages of 200, then in
    // the order of name.
    for order in [
        None,
        Some(zhichan_store::sorting::Order::new("name", false)),
    ] {
        let mut filter = Filter {
            status: Some(ProductStatus::Approved),
            order,
            ..Default::default()
        };
        let expected: Vec<i64> = match order {
            None => ids.clone(),
            Some(_) => db
                .fetch_all(Sql::new(
                    "SELECT id FROM products WHERE status = 'approved' ORDER BY name, id",
                ))
                .await
                .unwrap(),
        };
        let mut walked: Vec<i64> = Vec::new();
        loop {
            let (page, counted, next) =
                products::list_documented(db, &Within::All, &filter, 200, 0, None)
                    .await
                    .unwrap();
            assert_eq!(counted, capped(ids.len()));
            walked.extend(page.iter().map(|d| d.head.id));
            match next {
                Some(c) => {
                    assert_eq!(page.len(), 200);
                    let text = c.encode();
                    assert_eq!(products::Cursor::decode(&text, &filter), Some(c.clone()));
                    filter.after = Some(c);
                }
                None => break,
            }
        }
        assert_eq!(walked, expected, "{order:?}");
        // A cursor of one order is refused in another.
        let text = products::Cursor {
            column: "updated_at",
            desc: true,
            value: "2026-01-01T00:00:00.000Z".into(),
            id: 1,
        }
        .encode();
        assert_eq!(
            products::Cursor::decode(&text, &filter).is_some(),
            order.is_none()
        );
    }
}

/// The total the API answers for `n` matches.
fn capped(n: usize) -> zhichan_store::products::Total {
    let cap = zhichan_store::products::LIST_TOTAL_CAP;
    zhichan_store::products::Total {
        total: (n as i64).min(cap),
        capped: n as i64 > cap,
    }
}

on_both_backends!(lists_of_a_division_group_or_class_agree_with_a_plain_query);

/// One seed, the same data: two databases filled with seed 11 hold identical rows; another
/// seed differs.
#[tokio::test]
async fn one_seed_makes_the_same_data() {
    async fn digest(seed: u64) -> Vec<String> {
        let path = std::env::temp_dir().join(format!(
            "zhichan-gen-{}-{seed}-{}.db",
            std::process::id(),
            rand::random::<u32>()
        ));
        let url = format!("sqlite://{}", path.display());
        let db = zhichan_store::open(&url).await.unwrap();
        Services::new(db.clone())
            .generate(Scale::Small, seed)
            .await
            .unwrap();
        let rows: Vec<String> = db
            .fetch_all(Sql::new(
                "SELECT credit_code || '|' || region || '|' || industry || '|' || \
                 (SELECT COUNT(*) FROM products p WHERE p.enterprise_id = e.id) \
                 FROM enterprises e ORDER BY id",
            ))
            .await
            .unwrap();
        db.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        rows
    }
    let (a, b, c) = (digest(11).await, digest(11).await, digest(12).await);
    assert_eq!(a.len(), 2_000);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

/// The national administrator reads the same page of approved products again and again: on
/// PostgreSQL the page's statement is planned once and its plan kept, not planned anew at every
/// read (with the row count a bound argument, planning the list cost twice what running it did
/// at province scale). SQLite keeps its plan with the prepared statement and has nothing to
/// check.
async fn a_list_page_is_planned_once_not_at_every_read(fresh: Fresh) {
    use zhichan_domain::registration::ProductStatus;
    use zhichan_store::products::{self, Filter, Within};
    let s = Services::new(fresh.db.clone());
    s.generate(Scale::Small, 5).await.unwrap();
    let db = s.db();
    if db.backend() != zhichan_store::Backend::Postgres {
        return;
    }
    let filter = Filter {
        status: Some(ProductStatus::Approved),
        ..Filter::default()
    };
    let (plans, page) = zhichan_store::with_shared_connection(async {
        let mut page = 0;
        for _ in 0..8 {
            let (rows, _, _) =
                products::list_documented(db, &Within::All, &filter, 20, 0, Some(2025))
                    .await
                    .unwrap();
            page = rows.len();
        }
        let plans = |kind: &str| {
            Sql::new(format!(
                "SELECT CAST(COALESCE(SUM({kind}_plans), 0) AS BIGINT) \
                 FROM pg_prepared_statements \
                 WHERE statement LIKE '%FROM products WHERE id IN (SELECT id FROM products%'"
            ))
        };
        let kept: i64 = db.fetch_one(plans("generic")).await.unwrap();
        let planned: i64 = db.fetch_one(plans("custom")).await.unwrap();
        let plans = (kept, planned);
        (plans, page)
    })
    .await;
    assert_eq!(page, 20, "a full page");
    // PostgreSQL plans the first five executions with their arguments, then keeps a plan.
    assert!(
        plans.0 >= 3 && plans.1 <= 5,
        "eight reads: {} by a kept plan, {} planned anew",
        plans.0,
        plans.1
    );
}
on_both_backends!(a_list_page_is_planned_once_not_at_every_read);
