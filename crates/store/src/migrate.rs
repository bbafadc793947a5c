//! Schema migrations, one SQL file per backend and version, embedded in the binary.
//!
//! sqlx's migrator does the bookkeeping (checksums, a lock on PostgreSQL, one transaction per
//! migration); the list is built here instead of by its macro so that no driver is compiled a
//! second time for the macro.

use crate::{Backend, Db, StoreError};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use std::borrow::Cow;

struct Step {
    version: i64,
    description: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! step {
    ($version:literal, $name:literal) => {
        Step {
            version: $version,
            description: $name,
            sqlite: include_str!(concat!(
                "../migrations/sqlite/",
                $version,
                "_",
                $name,
                ".sql"
            )),
            postgres: include_str!(concat!(
                "../migrations/postgres/",
                $version,
                "_",
                $name,
                ".sql"
            )),
        }
    };
}

const STEPS: &[Step] = &[
    step!(1, "reference"),
    step!(2, "accounts"),
    step!(3, "audit_archive"),
    step!(4, "enterprises"),
    step!(5, "patents"),
    step!(6, "products"),
    step!(7, "registration_cycle"),
    step!(8, "stats"),
    step!(9, "directories"),
    step!(10, "reports"),
    step!(11, "ports"),
    step!(12, "list_indexes"),
    step!(13, "region_levels"),
    step!(14, "product_documents"),
    // On SQLite, completed by `sqlite_products_revoked`.
    step!(15, "amendments"),
    step!(16, "enterprise_amendments"),
    step!(17, "account_separation"),
    step!(19, "list_by_division"),
    step!(20, "audit_archive_search"),
    step!(23, "list_sorting"),
    step!(24, "user_locale"),
    step!(25, "identification_methods"),
    step!(26, "workbench"),
    step!(27, "identification_batches"),
    step!(28, "expert_panels"),
    step!(29, "notices"),
    step!(30, "policies"),
    step!(31, "policy_attachments"),
    step!(32, "signup_outcomes"),
    step!(37, "award_rules"),
];

fn migrator(backend: Backend) -> Migrator {
    let migrations: Vec<Migration> = STEPS
        .iter()
        .map(|s| {
            let sql = match backend {
                Backend::Sqlite => s.sqlite,
                Backend::Postgres => s.postgres,
            };
            Migration::new(
                s.version,
                Cow::Borrowed(s.description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// Applies every migration not yet applied. Safe to run again and from several processes.
pub async fn run(db: &Db) -> Result<(), StoreError> {
    let m = migrator(db.backend());
    match db {
        Db::Sqlite(p) => {
            m.run(p).await?;
            sqlite_products_revoked(p).await?;
        }
        Db::Postgres(p) => m.run(p).await?,
    }
    // A database registered before the statistics rollups existed gets them built once.
    use crate::Exec;
    let rolled: Option<i64> = db
        .fetch_optional(crate::Sql::new("SELECT region FROM stat_regions LIMIT 1"))
        .await?;
    if rolled.is_none() {
        let registered: Option<i64> = db
            .fetch_optional(crate::Sql::new(
                "SELECT id FROM products WHERE registered_on IS NOT NULL LIMIT 1",
            ))
            .await?;
        if registered.is_some() {
            let tx = db.begin().await?;
            crate::stats::rebuild(&tx).await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// The part of migration 15 that SQLite cannot run inside the migrator's transaction: rebuilding
/// `products` so that its status may be `revoked` (foreign keys must be off, which a transaction
/// ignores). Runs once, when the table's constraint lacks `revoked`, after every migration: so
/// the new table is the current one's own definition with the wider constraint, and the indexes
/// put back are the ones the table has at that moment (a later migration's included). The
/// connection goes back to the pool (an in-memory database lives in its only connection) with
/// foreign keys on again, whether the rebuild succeeded or not.
async fn sqlite_products_revoked(pool: &sqlx::SqlitePool) -> Result<(), StoreError> {
    const OLD: &str = "'withdrawn'))";
    const NEW: &str = "'withdrawn', 'revoked'))";
    let mut conn = pool.acquire().await?;
    let schema: Option<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'products'",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(table) = schema.filter(|sql| !sql.contains("'revoked'")) else {
        return Ok(());
    };
    if !table.contains(OLD) {
        return Err(StoreError::Corrupt(format!(
            "products: status constraint not found in {table}"
        )));
    }
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'products' \
         AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let create = table
        .replacen("CREATE TABLE products", "CREATE TABLE products_new", 1)
        .replacen(OLD, NEW, 1);
    let mut script = String::from("PRAGMA foreign_keys = OFF;\nBEGIN IMMEDIATE;\n");
    script.push_str(&create);
    script.push_str(
        ";\nINSERT INTO products_new SELECT * FROM products;\nDROP TABLE products;\n\
         ALTER TABLE products_new RENAME TO products;\n",
    );
    for index in &indexes {
        script.push_str(index);
        script.push_str(";\n");
    }
    script.push_str("COMMIT;\nPRAGMA foreign_keys = ON;\n");
    let result = sqlx::raw_sql(&script).execute(&mut *conn).await;
    if result.is_err() {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        sqlx::raw_sql("PRAGMA foreign_keys = ON")
            .execute(&mut *conn)
            .await?;
    }
    result?;
    Ok(())
}

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    STEPS.last().map_or(0, |s| s.version)
}
