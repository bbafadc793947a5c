//! Bearer tokens for API clients, stored hashed, with an expiry, revocable.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{ts, ts_opt};
use crate::StoreError;
use zhichan_domain::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub label: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

impl FromDbRow for ApiToken {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        token_from(row, "", "user_id")
    }
}

/// A token from its columns, named with `prefix` (the account's id column named apart).
fn token_from(row: &DbRow, prefix: &str, user_id: &str) -> Result<ApiToken, StoreError> {
    let col = |c: &str| format!("{prefix}{c}");
    Ok(ApiToken {
        id: row.get(&col("id"))?,
        user_id: row.get(user_id)?,
        label: row.get(&col("label"))?,
        created_at: ts(row, &col("created_at"))?,
        expires_at: ts(row, &col("expires_at"))?,
        revoked_at: ts_opt(row, &col("revoked_at"))?,
        last_used_at: ts_opt(row, &col("last_used_at"))?,
    })
}

const COLUMNS: &str = "id, user_id, label, created_at, expires_at, revoked_at, last_used_at";

pub async fn insert(
    ex: &impl Exec,
    user_id: i64,
    token_hash: &str,
    label: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<i64, StoreError> {
    crate::users::changed();
    ex.fetch_one(
        Sql::new(
            "INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(label)
        .bind(now)
        .bind(expires_at),
    )
    .await
}

/// A token with the account it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithUser(pub ApiToken, pub crate::users::User);

impl FromDbRow for WithUser {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(WithUser(
            token_from(row, "t_", "id")?,
            crate::users::User::from_row(row)?,
        ))
    }
}

/// The token of a hash and its account, in one query (every API request asks this).
pub async fn with_user_by_hash(
    ex: &impl Exec,
    token_hash: &str,
) -> Result<Option<WithUser>, StoreError> {
    let user_columns: Vec<String> = crate::users::COLUMNS
        .split(',')
        .map(|c| format!("u.{}", c.trim()))
        .collect();
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT t.id AS t_id, t.label AS t_label, t.created_at AS t_created_at, \
             t.expires_at AS t_expires_at, t.revoked_at AS t_revoked_at, \
             t.last_used_at AS t_last_used_at, {} \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
            user_columns.join(", ")
        ))
        .bind(token_hash),
    )
    .await
}

pub async fn by_hash(ex: &impl Exec, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1"
        ))
        .bind(token_hash),
    )
    .await
}

/// The account a token belongs to, for the scope check.
pub async fn owner_of(ex: &impl Exec, id: i64) -> Result<Option<i64>, StoreError> {
    ex.fetch_optional(Sql::new("SELECT user_id FROM api_tokens WHERE id = $1").bind(id))
        .await
}

pub async fn for_user(ex: &impl Exec, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(user_id),
    )
    .await
}

pub async fn revoke(
    ex: &impl Exec,
    id: i64,
    user_id: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    crate::users::changed();
    let n = ex
        .execute(
            Sql::new(
                "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 \
                 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(user_id)
            .bind(now),
        )
        .await?;
    Ok(n == 1)
}

pub async fn touch(ex: &impl Exec, id: i64, now: Timestamp) -> Result<(), StoreError> {
    ex.execute(
        Sql::new("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now),
    )
    .await?;
    Ok(())
}

/// Revokes every token of an account (its password was reset, or it was disabled).
pub async fn revoke_all(ex: &impl Exec, user_id: i64, now: Timestamp) -> Result<u64, StoreError> {
    crate::users::changed();
    ex.execute(
        Sql::new("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(user_id)
            .bind(now),
    )
    .await
}
