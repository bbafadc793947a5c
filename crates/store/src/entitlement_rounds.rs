//! Notification rounds of entitlements (免申即享通知): one row per round, its progress written in
//! the same transaction as each chunk of notifications it writes, so that what the row says was
//! reached is exactly what was written, and a round cut short resumes after its last enterprise.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{ts, ts_opt};
use crate::StoreError;
use zhichan_domain::Timestamp;

/// A round and how far it got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round {
    pub id: i64,
    pub rule_id: i64,
    pub rule_version: i64,
    pub year: i32,
    /// `running`, `finished` or `failed`.
    pub status: String,
    /// Enterprises that qualify; none until the round has read the facts.
    pub eligible: Option<i64>,
    /// Of those, reached so far (told now, or told before for this rule version and year).
    pub reached: i64,
    /// Of those reached, told by this round.
    pub notified: i64,
    /// The last enterprise reached (by id): a resumed round goes on after it.
    pub last_enterprise: i64,
    pub started_by: Option<String>,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// How often it was resumed after the server stopped during it, and when last.
    pub resumes: i64,
    pub resumed_at: Option<Timestamp>,
    pub error: Option<String>,
}

impl FromDbRow for Round {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let year: i64 = row.get("year")?;
        Ok(Round {
            id: row.get("id")?,
            rule_id: row.get("rule_id")?,
            rule_version: row.get("rule_version")?,
            year: i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("year {year}")))?,
            status: row.get("status")?,
            eligible: row.get("eligible")?,
            reached: row.get("reached")?,
            notified: row.get("notified")?,
            last_enterprise: row.get("last_enterprise")?,
            started_by: row.get("started_by")?,
            started_at: ts(row, "started_at")?,
            finished_at: ts_opt(row, "finished_at")?,
            resumes: row.get("resumes")?,
            resumed_at: ts_opt(row, "resumed_at")?,
            error: row.get("error")?,
        })
    }
}

const COLUMNS: &str = "id, rule_id, rule_version, year, status, eligible, reached, notified, \
                       last_enterprise, started_by, started_at, finished_at, resumes, resumed_at, \
                       error";

/// Starts a round (running, nothing reached); answers its id.
pub async fn insert(
    ex: &impl Exec,
    rule_id: i64,
    rule_version: i64,
    year: i32,
    by: Option<&str>,
    now: Timestamp,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO entitlement_rounds (rule_id, rule_version, year, status, started_by, \
             started_at) VALUES ($1, $2, $3, 'running', $4, $5) RETURNING id",
        )
        .bind(rule_id)
        .bind(rule_version)
        .bind(year)
        .bind(by)
        .bind(now),
    )
    .await
}

pub async fn get(ex: &impl Exec, id: i64) -> Result<Option<Round>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM entitlement_rounds WHERE id = $1"
        ))
        .bind(id),
    )
    .await
}

/// The rounds of a rule, newest first (at most `limit`).
pub async fn of_rule(ex: &impl Exec, rule_id: i64, limit: i64) -> Result<Vec<Round>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM entitlement_rounds WHERE rule_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(rule_id)
        .bind(limit),
    )
    .await
}

/// The running round of a rule version and year, if any (the newest).
pub async fn running_for(
    ex: &impl Exec,
    rule_id: i64,
    rule_version: i64,
    year: i32,
) -> Result<Option<Round>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM entitlement_rounds WHERE rule_id = $1 AND rule_version = $2 \
             AND year = $3 AND status = 'running' ORDER BY id DESC LIMIT 1"
        ))
        .bind(rule_id)
        .bind(rule_version)
        .bind(year),
    )
    .await
}

/// Every round still marked running, oldest first.
pub async fn running(ex: &impl Exec) -> Result<Vec<Round>, StoreError> {
    ex.fetch_all(Sql::new(format!(
        "SELECT {COLUMNS} FROM entitlement_rounds WHERE status = 'running' ORDER BY id"
    )))
    .await
}

/// Records how many qualify, read from the facts (again, when resumed).
pub async fn set_eligible(ex: &impl Exec, id: i64, eligible: i64) -> Result<(), StoreError> {
    ex.execute(
        Sql::new("UPDATE entitlement_rounds SET eligible = $1 WHERE id = $2")
            .bind(eligible)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Adds a chunk's progress: `reached` more enterprises, `notified` of them told now, the last
/// one `last_enterprise`. Written in the chunk's own transaction.
pub async fn advance(
    ex: &impl Exec,
    id: i64,
    reached: i64,
    notified: i64,
    last_enterprise: i64,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE entitlement_rounds SET reached = reached + $1, notified = notified + $2, \
             last_enterprise = $3 WHERE id = $4 AND status = 'running'",
        )
        .bind(reached)
        .bind(notified)
        .bind(last_enterprise)
        .bind(id),
    )
    .await?;
    Ok(())
}

/// Marks a round resumed now (it goes on running).
pub async fn resumed(ex: &impl Exec, id: i64, now: Timestamp) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE entitlement_rounds SET resumes = resumes + 1, resumed_at = $1, \
             status = 'running', error = NULL, finished_at = NULL WHERE id = $2",
        )
        .bind(now)
        .bind(id),
    )
    .await?;
    Ok(())
}

/// Ends a round: `finished`, or `failed` with the error.
pub async fn finish(
    ex: &impl Exec,
    id: i64,
    error: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE entitlement_rounds SET status = $1, error = $2, finished_at = $3 WHERE id = $4",
        )
        .bind(if error.is_some() {
            "failed"
        } else {
            "finished"
        })
        .bind(error)
        .bind(now)
        .bind(id),
    )
    .await?;
    Ok(())
}
