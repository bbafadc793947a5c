//! Test support: each story gets a fresh, migrated database on SQLite or PostgreSQL, dropped
//! afterwards, so the same story proves the same behaviour on both backends.
//!
//! PostgreSQL is found at `ZHICHAN_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be reached the PostgreSQL half
//! of a story is skipped with a message, except under `CI=true`, where it fails.

use futures_util::FutureExt;
use sqlx::{Connection, Executor, PgConnection};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use zhichan_store::Db;

pub use zhichan_store::Backend;

/// A fresh database for one story.
pub struct Fresh {
    pub db: Db,
    pub url: String,
}

enum Cleanup {
    SqliteFile(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "zt_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// The PostgreSQL server tests use, as an administrative URL.
pub fn pg_admin_url() -> String {
    std::env::var("ZHICHAN_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let (server, _) = base.rsplit_once('/').unwrap_or((base, ""));
    format!("{server}/{name}{query}")
}

async fn create(backend: Backend) -> Option<(String, Cleanup)> {
    let name = unique_name();
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            Some((
                format!("sqlite://{}", path.display()),
                Cleanup::SqliteFile(path),
            ))
        }
        Backend::Postgres => {
            let admin_url = pg_admin_url();
            let mut admin = match PgConnection::connect(&admin_url).await {
                Ok(c) => c,
                Err(e) if in_ci() => panic!("PostgreSQL is required in CI ({admin_url}): {e}"),
                Err(e) => {
                    eprintln!("skipping the PostgreSQL half of this story: {admin_url}: {e}");
                    return None;
                }
            };
            admin
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create a test database");
            let _ = admin.close().await;
            Some((
                with_database(&admin_url, &name),
                Cleanup::PgDatabase { admin_url, name },
            ))
        }
    }
}

async fn clean(cleanup: Cleanup) {
    match cleanup {
        Cleanup::SqliteFile(path) => {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
        Cleanup::PgDatabase { admin_url, name } => {
            if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                let _ = admin
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
                let _ = admin.close().await;
            }
        }
    }
}

/// Runs `story` against a fresh, migrated database with reference data on `backend`, then
/// drops the database, whether the story passed or panicked.
pub async fn run<F, Fut>(backend: Backend, story: F)
where
    F: FnOnce(Fresh) -> Fut,
    Fut: Future<Output = ()>,
{
    run_raw(backend, |url| async move {
        let db = zhichan_store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        story(Fresh {
            db: db.clone(),
            url,
        })
        .await;
        db.close().await;
    })
    .await
}

/// Like [`run`] but hands over only the URL of an empty database, for stories about opening,
/// migrating or serving.
pub async fn run_raw<F, Fut>(backend: Backend, story: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some((url, cleanup)) = create(backend).await else {
        return;
    };
    let outcome = AssertUnwindSafe(story(url)).catch_unwind().await;
    clean(cleanup).await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Declares a story once and runs it as two tests, `NAME::sqlite` and `NAME::postgres`.
/// The story is an `async fn(Fresh)` (or, with `raw`, an `async fn(String)` taking the URL of
/// an empty database).
#[macro_export]
macro_rules! on_both_backends {
    ($story:ident) => {
        $crate::on_both_backends!(@with run, $story);
    };
    (raw $story:ident) => {
        $crate::on_both_backends!(@with run_raw, $story);
    };
    (@with $runner:ident, $story:ident) => {
        mod $story {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::$runner($crate::Backend::Sqlite, super::$story).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::$runner($crate::Backend::Postgres, super::$story).await
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_swapped_in_the_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "zt_1"),
            "postgres://postgres@127.0.0.1:5432/zt_1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "zt_2"),
            "postgres://u:p@h/zt_2?sslmode=disable"
        );
    }
}
