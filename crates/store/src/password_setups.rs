//! One-time codes that let an account's owner set its password, and the outbox that carries
//! them to the owner's own contact (never to an administrator).

use crate::db::{Exec, Sql};
use crate::StoreError;
use zhichan_domain::Timestamp;

/// Stores a code by its hash.
pub async fn insert(
    ex: &impl Exec,
    token_hash: &str,
    user_id: i64,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO password_setups (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at),
    )
    .await?;
    Ok(())
}

/// The account a code is for, while it is unused and unexpired.
pub async fn valid_user(
    ex: &impl Exec,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<i64>, StoreError> {
    ex.fetch_optional(
        Sql::new(
            "SELECT user_id FROM password_setups \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now),
    )
    .await
}

/// Uses a code up, if it is still valid: answers whether this call did (a code serves once,
/// even when two requests race with it).
pub async fn take(ex: &impl Exec, token_hash: &str, now: Timestamp) -> Result<bool, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE password_setups SET used_at = $2 \
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now),
        )
        .await?;
    Ok(n == 1)
}

/// Voids every open code of an account (a newer one was issued, or the password was set).
pub async fn void_for_user(ex: &impl Exec, user_id: i64, now: Timestamp) -> Result<(), StoreError> {
    ex.execute(
        Sql::new("UPDATE password_setups SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .bind(now),
    )
    .await?;
    Ok(())
}

/// Queues a message to an account's own contact.
pub async fn queue(
    ex: &impl Exec,
    user_id: Option<i64>,
    channel: &str,
    address: &str,
    title: &str,
    body: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO account_outbox (user_id, channel, address, title, body, status, \
             attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6)",
        )
        .bind(user_id)
        .bind(channel)
        .bind(address)
        .bind(title)
        .bind(body)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// How many codes were issued for an account since `since` (used or not).
pub async fn issued_since(
    ex: &impl Exec,
    user_id: i64,
    since: Timestamp,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new("SELECT COUNT(*) FROM password_setups WHERE user_id = $1 AND created_at > $2")
            .bind(user_id)
            .bind(since),
    )
    .await
}

/// Cancels every open code of an account and the messages still waiting to carry one (its
/// contact changed, or it was disabled): the codes are used up, the messages given up unsent
/// with their bodies blanked. Answers how many codes were open.
pub async fn cancel_open(ex: &impl Exec, user_id: i64, now: Timestamp) -> Result<u64, StoreError> {
    let open = ex
        .execute(
            Sql::new(
                "UPDATE password_setups SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
            )
            .bind(user_id)
            .bind(now),
        )
        .await?;
    ex.execute(
        Sql::new(
            "UPDATE account_outbox SET status = 'failed', body = '', last_error = $2 \
             WHERE user_id = $1 AND status = 'pending'",
        )
        .bind(user_id)
        .bind("cancelled: the account's contact changed or it was disabled"),
    )
    .await?;
    ex.execute(Sql::new("DELETE FROM account_setups WHERE user_id = $1").bind(user_id))
        .await?;
    Ok(open)
}
