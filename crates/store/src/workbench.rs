//! The counts of the workbenches (工作台) on each role's home page. Each is one indexed query
//! or a read of the rollups, never a scan of a large table: the product counts go through the
//! list indexes (see [`crate::products::count_matching`]), the rest through the indexes named
//! beside each function.

use crate::db::{Exec, Sql};
use crate::StoreError;
use zhichan_domain::{RegionCode, Timestamp};

/// Real-name verifications waiting in a subtree (`verifications_status`: status, region).
pub async fn verifications_pending(ex: &impl Exec, within: RegionCode) -> Result<i64, StoreError> {
    let (lo, hi) = within.subtree();
    ex.fetch_one(
        Sql::new(
            "SELECT COUNT(*) FROM verifications WHERE status = 'pending' \
             AND region BETWEEN $1 AND $2",
        )
        .bind(i64::from(lo))
        .bind(i64::from(hi)),
    )
    .await
}

/// Submitted enterprise changes that concern a subtree, as its queue lists them.
pub async fn enterprise_changes_waiting(
    ex: &impl Exec,
    within: RegionCode,
) -> Result<i64, StoreError> {
    let (lo, hi) = within.subtree();
    ex.fetch_one(
        Sql::new(
            "SELECT COUNT(*) FROM enterprise_amendments a JOIN enterprises e \
             ON e.id = a.enterprise_id WHERE a.status = 'submitted' \
             AND (COALESCE(a.region, e.region) BETWEEN $1 AND $2 OR e.region BETWEEN $1 AND $2)",
        )
        .bind(i64::from(lo))
        .bind(i64::from(hi)),
    )
    .await
}

/// The version a product was returned at, before its version `current` (submitted again):
/// the diff from it to `current` is what the enterprise changed. The first returned version
/// after the submission before (the versions' primary key).
pub async fn returned_version(
    ex: &impl Exec,
    product_id: i64,
    current: i64,
) -> Result<Option<i64>, StoreError> {
    ex.fetch_optional(
        Sql::new(
            "SELECT version FROM product_versions WHERE product_id = $1 \
             AND status = 'returned' AND version < $2 AND version > COALESCE( \
             (SELECT MAX(s.version) FROM product_versions s WHERE s.product_id = $1 \
              AND s.status = 'submitted' AND s.version < $2), 0) \
             ORDER BY version LIMIT 1",
        )
        .bind(product_id)
        .bind(current),
    )
    .await
}

/// How many entries of a directory are covered by their deadline: one look-up per entry by
/// credit code and then by enterprise (`directory_entries` primary key, `enterprises`
/// credit code, the products' enterprise index).
pub async fn directory_covered(ex: &impl Exec, directory_id: i64) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "SELECT COUNT(*) FROM directory_entries d JOIN enterprises e \
             ON e.credit_code = d.credit_code WHERE d.directory_id = $1 AND EXISTS \
             (SELECT 1 FROM products p WHERE p.enterprise_id = e.id \
              AND p.registered_on IS NOT NULL AND p.registered_on <= d.deadline \
              AND (p.withdrawn_on IS NULL OR p.withdrawn_on > d.deadline))",
        )
        .bind(directory_id),
    )
    .await
}

/// Accounts created by the system administrator that wait for the security administrator's
/// grant (the partial index `users_awaiting_grant`, migration 26).
pub async fn awaiting_grant(ex: &impl Exec) -> Result<i64, StoreError> {
    ex.fetch_one(Sql::new(
        "SELECT COUNT(*) FROM users WHERE granted = FALSE AND disabled = FALSE",
    ))
    .await
}

/// A page of the accounts waiting for their grant, oldest first.
pub async fn awaiting_grant_list(
    ex: &impl Exec,
    limit: i64,
    offset: i64,
) -> Result<Vec<crate::users::User>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {} FROM users WHERE granted = FALSE AND disabled = FALSE \
             ORDER BY created_at, id LIMIT $1 OFFSET $2",
            crate::users::COLUMNS
        ))
        .bind(limit)
        .bind(offset),
    )
    .await
}

/// One login lock in force: the typed username, the address it holds for, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lockout {
    pub username: String,
    pub ip: String,
    pub until: Timestamp,
}

impl crate::db::FromDbRow for Lockout {
    fn from_row(row: &crate::db::DbRow) -> Result<Self, StoreError> {
        Ok(Lockout {
            username: row.get("username")?,
            ip: row.get("ip")?,
            until: crate::users::ts(row, "locked_until")?,
        })
    }
}

/// The login locks in force at `now`, latest first (the partial index `login_failures_locked`,
/// migration 26), at most `limit`, and how many there are.
pub async fn lockouts(
    ex: &impl Exec,
    now: Timestamp,
    limit: i64,
) -> Result<(Vec<Lockout>, i64), StoreError> {
    let rows = ex
        .fetch_all(
            Sql::new(
                "SELECT username, ip, locked_until FROM login_failures \
                 WHERE locked_until IS NOT NULL AND locked_until > $1 \
                 ORDER BY locked_until DESC LIMIT $2",
            )
            .bind(now)
            .bind(limit),
        )
        .await?;
    let n = ex
        .fetch_one(
            Sql::new(
                "SELECT COUNT(*) FROM login_failures \
                 WHERE locked_until IS NOT NULL AND locked_until > $1",
            )
            .bind(now),
        )
        .await?;
    Ok((rows, n))
}

/// Live audit entries since `from` (`audit_log_at`), all of them or of one action.
pub async fn audit_since(
    ex: &impl Exec,
    from: Timestamp,
    action: Option<&str>,
) -> Result<i64, StoreError> {
    match action {
        None => {
            ex.fetch_one(Sql::new("SELECT COUNT(*) FROM audit_log WHERE at >= $1").bind(from))
                .await
        }
        Some(a) => {
            ex.fetch_one(
                Sql::new("SELECT COUNT(*) FROM audit_log WHERE at >= $1 AND action = $2")
                    .bind(from)
                    .bind(a),
            )
            .await
        }
    }
}

/// The latest live audit entries (the primary key, newest first).
pub async fn recent_audit(
    ex: &impl Exec,
    limit: i64,
) -> Result<Vec<crate::audit::Entry>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT seq, at, user_id, username, role, ip, action, object, outcome, detail, \
             prev_hash, hash, CAST(NULL AS TEXT) AS archived_at FROM audit_log \
             ORDER BY seq DESC LIMIT $1",
        )
        .bind(limit),
    )
    .await
}
