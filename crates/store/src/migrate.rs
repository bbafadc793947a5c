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
    step!(33, "outbox_delivery"),
    // On SQLite, completed by `sqlite_batch_stages`.
    step!(35, "identification_round"),
    step!(36, "policy_search"),
    step!(37, "award_rules"),
    step!(38, "confirmed_facts"),
    step!(39, "payouts"),
    step!(40, "identified_stats"),
    step!(41, "evidence"),
    step!(42, "opt_in_closing"),
    step!(43, "panel_closing"),
    step!(44, "entitlement_rounds"),
    step!(45, "identification_results"),
    step!(46, "version_events"),
    step!(47, "registered_inputs"),
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
            sqlite_batch_stages(p).await?;
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
    // A database whose batches were announced before the identified rollup existed.
    if crate::identified_stats::needs_rebuild(db).await? {
        let tx = db.begin().await?;
        crate::identified_stats::rebuild(&tx).await?;
        tx.commit().await?;
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
    sqlite_widen_check(
        pool,
        "products",
        "'withdrawn'))",
        "'withdrawn', 'revoked'))",
    )
    .await
}

/// The part of migration 35 that SQLite cannot run inside the migrator's transaction: the
/// status of `identification_batches` gains the stages after `computed` (the same rebuild as
/// [`sqlite_products_revoked`]).
async fn sqlite_batch_stages(pool: &sqlx::SqlitePool) -> Result<(), StoreError> {
    sqlite_widen_check(
        pool,
        "identification_batches",
        "'open', 'computed'))",
        "'open', 'computed', 'evaluating', 'reviewed', 'published', 'announced'))",
    )
    .await
}

/// Rebuilds `table` with its constraint text `old` replaced by `new` (once, when `new` is not
/// there yet), keeping its rows and indexes, with foreign keys off during the rebuild.
async fn sqlite_widen_check(
    pool: &sqlx::SqlitePool,
    table_name: &str,
    old: &str,
    new: &str,
) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    let schema: Option<String> =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1")
            .bind(table_name)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(table) = schema.filter(|sql| !sql.contains(new)) else {
        return Ok(());
    };
    if !table.contains(old) {
        return Err(StoreError::Corrupt(format!(
            "{table_name}: status constraint not found in {table}"
        )));
    }
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 \
         AND sql IS NOT NULL ORDER BY name",
    )
    .bind(table_name)
    .fetch_all(&mut *conn)
    .await?;
    let create = table
        .replacen(
            &format!("CREATE TABLE {table_name}"),
            &format!("CREATE TABLE {table_name}_new"),
            1,
        )
        .replacen(old, new, 1);
    let mut script = String::from("PRAGMA foreign_keys = OFF;\nBEGIN IMMEDIATE;\n");
    script.push_str(&create);
    script.push_str(&format!(
        ";\nINSERT INTO {table_name}_new SELECT * FROM {table_name};\nDROP TABLE {table_name};\n\
         ALTER TABLE {table_name}_new RENAME TO {table_name};\n",
    ));
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

#[cfg(test)]
mod tests {
    use super::STEPS;

    /// A migration file nobody listed is never applied (migration 47 was written and
    /// measured by hand before it was listed): every file of both engines is a step, and
    /// both engines have the same steps.
    #[test]
    fn every_migration_file_is_a_step() {
        let listed: std::collections::BTreeSet<String> = STEPS
            .iter()
            .map(|s| format!("{}_{}.sql", s.version, s.description))
            .collect();
        for engine in ["sqlite", "postgres"] {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/").to_string() + engine;
            let files: std::collections::BTreeSet<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".sql"))
                .collect();
            assert_eq!(files, listed, "{engine}: the files and the steps differ");
        }
    }
}
