//! The store's contract: the same stories, run against SQLite and PostgreSQL.

use zhichan_domain::{IndustryCode, RegionCode, RegionLevel};
use zhichan_store::{industries, reference, regions, Db, Exec, Sql, StoreError};
use zhichan_testkit::{on_both_backends, Fresh};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

async fn a_fresh_database_knows_every_region_of_china(Fresh { db, .. }: Fresh) {
    let counts = regions::count_by_level(&db).await.unwrap();
    let of = |l| counts.iter().find(|(k, _)| *k == l).map_or(0, |(_, n)| *n);
    assert_eq!(of(RegionLevel::Nation), 1);
    assert_eq!(of(RegionLevel::Province), 34);
    assert!(of(RegionLevel::City) > 330, "{counts:?}");
    assert!(of(RegionLevel::County) > 2_800, "{counts:?}");

    let path = regions::path(&db, code("361002")).await.unwrap();
    let names: Vec<&str> = path.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["全国", "江西省", "抚州市", "临川区"]);

    let jiangxi = regions::children(&db, code("360000")).await.unwrap();
    assert!(jiangxi
        .iter()
        .any(|r| r.code == code("361000") && r.name == "抚州市"));
    assert!(jiangxi.iter().all(|r| r.level == RegionLevel::City));

    assert!(regions::get(&db, code("369999")).await.unwrap().is_none());
    assert!(regions::path(&db, code("369999")).await.unwrap().is_empty());
}
on_both_backends!(a_fresh_database_knows_every_region_of_china);

async fn a_city_subtree_is_one_range_query(Fresh { db, .. }: Fresh) {
    let fuzhou = code("361000");
    let mut sql = Sql::new("");
    let clause = regions::within(&mut sql, "code", fuzhou, 1);
    let mut counted = Sql::new(format!("SELECT COUNT(*) FROM regions WHERE {clause}"));
    let (lo, hi) = fuzhou.subtree();
    counted.push_param(lo);
    counted.push_param(hi);
    let n: i64 = db.fetch_one(counted).await.unwrap();
    let children = regions::children(&db, fuzhou).await.unwrap();
    assert_eq!(n as usize, children.len() + 1, "the city and its counties");
    assert!(n > 5);
}
on_both_backends!(a_city_subtree_is_one_range_query);

async fn industries_are_browsable_from_section_to_division(Fresh { db, .. }: Fresh) {
    let sections = industries::children(&db, None).await.unwrap();
    assert_eq!(sections.len(), 20);
    assert_eq!(sections[2].code.as_str(), "C");
    assert_eq!(sections[2].name, "制造业");
    let c = IndustryCode::parse("C").unwrap();
    let manufacturing = industries::children(&db, Some(&c)).await.unwrap();
    assert_eq!(manufacturing.len(), 31, "divisions 13 to 43");
    let ict = industries::get(&db, &IndustryCode::parse("C39").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ict.name, "计算机、通信和其他电子设备制造业");
    assert_eq!(ict.parent, Some(c));
}
on_both_backends!(industries_are_browsable_from_section_to_division);

async fn reference_data_loads_once_and_is_left_alone_after(Fresh { db, .. }: Fresh) {
    let again = reference::load(&db).await.unwrap();
    assert!(again.iter().all(|d| !d.reloaded), "{again:?}");
    let stored: i64 = db
        .fetch_one(Sql::new("SELECT COUNT(*) FROM reference_datasets"))
        .await
        .unwrap();
    assert_eq!(stored, 2);
}
on_both_backends!(reference_data_loads_once_and_is_left_alone_after);

async fn opening_twice_migrates_once(url: String) {
    let first = zhichan_store::open(&url).await.unwrap();
    first.close().await;
    let second = zhichan_store::open(&url).await.unwrap();
    let n: i64 = second
        .fetch_one(Sql::new(
            "SELECT COUNT(*) FROM regions WHERE level = 'province'",
        ))
        .await
        .unwrap();
    assert_eq!(n, 34);
    second.close().await;
}
on_both_backends!(raw opening_twice_migrates_once);

async fn placeholders_are_numbered_not_positional(Fresh { db, .. }: Fresh) {
    let got: String = db
        .fetch_one(
            Sql::new("SELECT name FROM regions WHERE level = $2 AND code = $1")
                .bind(code("360000"))
                .bind("province"),
        )
        .await
        .unwrap();
    assert_eq!(got, "江西省");
}
on_both_backends!(placeholders_are_numbered_not_positional);

async fn a_transaction_not_committed_leaves_nothing(Fresh { db, .. }: Fresh) {
    let insert = || {
        Sql::new(
            "INSERT INTO reference_datasets (name, version, source, row_count, loaded_at) \
             VALUES ('scratch', 'v1', 'test', 0, '2026-01-01T00:00:00Z')",
        )
    };
    let count = || Sql::new("SELECT COUNT(*) FROM reference_datasets WHERE name = 'scratch'");
    {
        let tx = db.begin().await.unwrap();
        tx.execute(insert()).await.unwrap();
        let inside: i64 = tx.fetch_one(count()).await.unwrap();
        assert_eq!(inside, 1);
        // dropped without commit
    }
    let after: i64 = db.fetch_one(count()).await.unwrap();
    assert_eq!(after, 0);

    let tx = db.begin().await.unwrap();
    tx.execute(insert()).await.unwrap();
    tx.commit().await.unwrap();
    let err = db.execute(insert()).await.unwrap_err();
    assert!(matches!(err, StoreError::Unique { .. }), "{err:?}");
}
on_both_backends!(a_transaction_not_committed_leaves_nothing);

#[tokio::test]
async fn an_unknown_url_scheme_is_one_clear_sentence() {
    let err = Db::connect("mysql://localhost/zhichan").await.unwrap_err();
    assert!(matches!(err, StoreError::UnsupportedScheme(_)));
    assert!(err.to_string().contains("sqlite://"), "{err}");
}

#[tokio::test]
async fn an_unreachable_postgres_says_so_without_the_password() {
    let err = Db::connect("postgres://app:hunter2@127.0.0.1:1/zhichan")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Connect(..)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("无法连接数据库"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

/// Migration 15 lets a registration be revoked; on SQLite it rebuilds `products` outside the
/// migrator's transaction, and the connection it used keeps enforcing foreign keys after.
async fn products_may_be_revoked_and_keys_still_hold(Fresh { db, .. }: Fresh) {
    let orphan = db
        .execute(Sql::new(
            "INSERT INTO product_figures (product_id, year, sales_revenue, output_value) \
             VALUES (999999, 2025, 1, 1)",
        ))
        .await;
    assert!(orphan.is_err(), "figures of no product are refused");
    let schema: Option<String> = match db.backend() {
        zhichan_store::Backend::Sqlite => db
            .fetch_optional(Sql::new(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'products'",
            ))
            .await
            .unwrap(),
        zhichan_store::Backend::Postgres => db
            .fetch_optional(Sql::new(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE conname = 'products_status_check'",
            ))
            .await
            .unwrap(),
    };
    assert!(schema.unwrap().contains("revoked"));
}
on_both_backends!(products_may_be_revoked_and_keys_still_hold);

#[tokio::test]
async fn an_in_memory_database_keeps_its_data_through_the_products_rebuild() {
    let db = zhichan_store::open("sqlite::memory:").await.unwrap();
    let n: i64 = db
        .fetch_one(Sql::new(
            "SELECT COUNT(*) FROM regions WHERE level = 'province'",
        ))
        .await
        .unwrap();
    assert_eq!(n, 34, "the one connection, and its database, survived");
    let keys: i64 = db
        .fetch_one(Sql::new("SELECT foreign_keys FROM pragma_foreign_keys"))
        .await
        .unwrap();
    assert_eq!(keys, 1);
    db.close().await;
}
