//! Browser sessions, kept on the server. The cookie carries a random value; only its hash is
//! stored, so a copy of the database does not let anyone log in.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{ts, ts_opt};
use crate::StoreError;
use zhichan_domain::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// The absolute end, however active the session is.
    pub expires_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
    pub ended_at: Option<Timestamp>,
}

impl FromDbRow for Session {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Session {
            id_hash: row.get("id_hash")?,
            user_id: row.get("user_id")?,
            csrf: row.get("csrf")?,
            created_at: ts(row, "created_at")?,
            last_seen_at: ts(row, "last_seen_at")?,
            expires_at: ts(row, "expires_at")?,
            ip: row.get("ip")?,
            user_agent: row.get("user_agent")?,
            ended_at: ts_opt(row, "ended_at")?,
        })
    }
}

const COLUMNS: &str =
    "id_hash, user_id, csrf, created_at, last_seen_at, expires_at, ip, user_agent, ended_at";

pub async fn insert(ex: &impl Exec, s: &Session) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at, \
             ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(s.id_hash.as_str())
        .bind(s.user_id)
        .bind(s.csrf.as_str())
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .bind(s.ip.as_str())
        .bind(s.user_agent.as_str()),
    )
    .await?;
    Ok(())
}

pub async fn get(ex: &impl Exec, id_hash: &str) -> Result<Option<Session>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!("SELECT {COLUMNS} FROM sessions WHERE id_hash = $1")).bind(id_hash),
    )
    .await
}

pub async fn touch(ex: &impl Exec, id_hash: &str, now: Timestamp) -> Result<(), StoreError> {
    ex.execute(
        Sql::new("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(now),
    )
    .await?;
    Ok(())
}

pub async fn end(ex: &impl Exec, id_hash: &str, now: Timestamp) -> Result<bool, StoreError> {
    let n = ex
        .execute(
            Sql::new("UPDATE sessions SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL")
                .bind(id_hash)
                .bind(now),
        )
        .await?;
    Ok(n == 1)
}

/// Ends every open session of a user but `keep` (for "log out my other sessions", and after a
/// password change).
pub async fn end_others(
    ex: &impl Exec,
    user_id: i64,
    keep: Option<&str>,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE sessions SET ended_at = $3 WHERE user_id = $1 AND ended_at IS NULL \
             AND id_hash <> $2",
        )
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .bind(now),
    )
    .await
}

/// The open sessions of a user that have not passed their absolute end, newest first.
pub async fn open_for_user(
    ex: &impl Exec,
    user_id: i64,
    now: Timestamp,
) -> Result<Vec<Session>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM sessions WHERE user_id = $1 AND ended_at IS NULL \
             AND expires_at > $2 ORDER BY created_at DESC"
        ))
        .bind(user_id)
        .bind(now),
    )
    .await
}

/// When the user last logged in (the start of their newest session, ended or not).
pub async fn last_login(ex: &impl Exec, user_id: i64) -> Result<Option<Timestamp>, StoreError> {
    let at: Option<String> = ex
        .fetch_optional(
            Sql::new(
                "SELECT created_at FROM sessions WHERE user_id = $1 \
                 ORDER BY created_at DESC LIMIT 1",
            )
            .bind(user_id),
        )
        .await?;
    at.map(|t| Timestamp::parse(&t).ok_or_else(|| StoreError::Corrupt(format!("created_at: {t}"))))
        .transpose()
}
