//! One-time codes with which a further account of an enterprise chooses its own password.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::ts;
use crate::StoreError;
use zhichan_domain::Timestamp;

/// A code waiting to be used (only its hash is kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    pub user_id: i64,
    pub expires_at: Timestamp,
}

impl FromDbRow for Setup {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Setup {
            user_id: row.get("user_id")?,
            expires_at: ts(row, "expires_at")?,
        })
    }
}

/// Stores the code of an account, replacing an earlier one.
pub async fn put(
    ex: &impl Exec,
    user_id: i64,
    code_hash: &str,
    by: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(Sql::new("DELETE FROM account_setups WHERE user_id = $1").bind(user_id))
        .await?;
    ex.execute(
        Sql::new(
            "INSERT INTO account_setups (user_id, code_hash, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user_id)
        .bind(code_hash)
        .bind(by)
        .bind(now)
        .bind(expires_at),
    )
    .await?;
    Ok(())
}

/// Takes the code with this hash: it is gone afterwards, whether it still held or not.
pub async fn take(ex: &impl Exec, code_hash: &str) -> Result<Option<Setup>, StoreError> {
    ex.fetch_optional(
        Sql::new("DELETE FROM account_setups WHERE code_hash = $1 RETURNING user_id, expires_at")
            .bind(code_hash),
    )
    .await
}

/// The accounts among these still waiting to choose their password.
pub async fn pending(ex: &impl Exec, user_ids: &[i64]) -> Result<Vec<Setup>, StoreError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=user_ids.len()).map(|i| format!("${i}")).collect();
    let mut sql = Sql::new(format!(
        "SELECT user_id, expires_at FROM account_setups WHERE user_id IN ({})",
        marks.join(", ")
    ));
    for id in user_ids {
        sql.push_param(*id);
    }
    ex.fetch_all(sql).await
}
