//! Failed logins per typed username and client address (known usernames and unknown alike).

use crate::db::{Exec, Sql};
use crate::StoreError;
use zhichan_domain::Timestamp;

/// Until when `username` is locked for logins from `ip`, if it is.
pub async fn locked_until(
    ex: &impl Exec,
    username: &str,
    ip: &str,
) -> Result<Option<Timestamp>, StoreError> {
    let text: Option<String> = ex
        .fetch_optional(
            Sql::new(
                "SELECT locked_until FROM login_failures \
                 WHERE username = $1 AND ip = $2 AND locked_until IS NOT NULL",
            )
            .bind(username)
            .bind(ip),
        )
        .await?;
    text.map(|t| {
        Timestamp::parse(&t).ok_or_else(|| StoreError::Corrupt(format!("locked_until: {t}")))
    })
    .transpose()
}

/// Counts one failure and answers the count; failures older than `since` are forgotten first,
/// so that a few typos spread over weeks never add up to a lock.
pub async fn count(
    ex: &impl Exec,
    username: &str,
    ip: &str,
    since: Timestamp,
    now: Timestamp,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO login_failures (username, ip, failures, updated_at) VALUES ($1, $2, 1, $4) \
             ON CONFLICT (username, ip) DO UPDATE SET \
             failures = CASE WHEN login_failures.updated_at < $3 THEN 1 \
                             ELSE login_failures.failures + 1 END, \
             updated_at = $4 \
             RETURNING failures",
        )
        .bind(username)
        .bind(ip)
        .bind(since)
        .bind(now),
    )
    .await
}

/// Locks `username` for `ip` until then, starting the count afresh for afterwards.
pub async fn lock(
    ex: &impl Exec,
    username: &str,
    ip: &str,
    until: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE login_failures SET failures = 0, locked_until = $3 \
             WHERE username = $1 AND ip = $2",
        )
        .bind(username)
        .bind(ip)
        .bind(until),
    )
    .await?;
    Ok(())
}

/// Forgets the failures of `username` from `ip` (a successful login from there).
pub async fn clear(ex: &impl Exec, username: &str, ip: &str) -> Result<(), StoreError> {
    ex.execute(
        Sql::new("DELETE FROM login_failures WHERE username = $1 AND ip = $2")
            .bind(username)
            .bind(ip),
    )
    .await?;
    Ok(())
}

/// Forgets the failures and locks of `username` from every address (an administrator unlocks).
pub async fn clear_all(ex: &impl Exec, username: &str) -> Result<(), StoreError> {
    ex.execute(Sql::new("DELETE FROM login_failures WHERE username = $1").bind(username))
        .await?;
    Ok(())
}

/// Forgets counts last touched before `before` whose lock (if any) has run out by `now`:
/// guesses at made-up names must not pile up for ever. Answers how many went.
pub async fn forget_stale(
    ex: &impl Exec,
    before: Timestamp,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "DELETE FROM login_failures WHERE updated_at < $1 \
             AND (locked_until IS NULL OR locked_until < $2)",
        )
        .bind(before)
        .bind(now),
    )
    .await
}
