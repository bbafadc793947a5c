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
    step!(19, "list_by_division"),
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
        Db::Sqlite(p) => m.run(p).await?,
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

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    STEPS.last().map_or(0, |s| s.version)
}
