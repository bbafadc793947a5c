//! Versioned settings documents: every change is a new row; the newest is in force.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::ts;
use crate::StoreError;
use zhichan_domain::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsVersion {
    pub version: i64,
    /// The settings as JSON.
    pub settings: String,
    pub changed_by: String,
    pub changed_at: Timestamp,
    pub reason: String,
}

impl FromDbRow for SettingsVersion {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(SettingsVersion {
            version: row.get("version")?,
            settings: row.get("settings")?,
            changed_by: row.get("changed_by")?,
            changed_at: ts(row, "changed_at")?,
            reason: row.get("reason")?,
        })
    }
}

pub async fn latest_security(ex: &impl Exec) -> Result<Option<SettingsVersion>, StoreError> {
    ex.fetch_optional(Sql::new(
        "SELECT version, settings, changed_by, changed_at, reason FROM security_settings \
         ORDER BY version DESC LIMIT 1",
    ))
    .await
}

pub async fn security_history(ex: &impl Exec) -> Result<Vec<SettingsVersion>, StoreError> {
    ex.fetch_all(Sql::new(
        "SELECT version, settings, changed_by, changed_at, reason FROM security_settings \
         ORDER BY version DESC",
    ))
    .await
}

/// Stores `settings` as `version`, which must be one more than the newest: two officials
/// saving at once cannot both win ([`StoreError::Unique`] for the second).
pub async fn insert_security(
    ex: &impl Exec,
    version: i64,
    settings: &str,
    changed_by: &str,
    reason: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO security_settings (version, settings, changed_by, changed_at, reason) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(version)
        .bind(settings)
        .bind(changed_by)
        .bind(now)
        .bind(reason),
    )
    .await?;
    Ok(())
}

/// The newest version of a rules document of `kind` (e.g. `calendar`, `registration`).
pub async fn latest_rules(
    ex: &impl Exec,
    kind: &str,
) -> Result<Option<SettingsVersion>, StoreError> {
    ex.fetch_optional(
        Sql::new(
            "SELECT version, body AS settings, changed_by, changed_at, reason FROM rules \
             WHERE kind = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(kind),
    )
    .await
}

pub async fn rules_history(ex: &impl Exec, kind: &str) -> Result<Vec<SettingsVersion>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT version, body AS settings, changed_by, changed_at, reason FROM rules \
             WHERE kind = $1 ORDER BY version DESC",
        )
        .bind(kind),
    )
    .await
}

/// Stores a rules document as `version` of its kind, which must be one more than the newest
/// ([`StoreError::Unique`] when someone stored that version first).
pub async fn insert_rules(
    ex: &impl Exec,
    kind: &str,
    version: i64,
    body: &str,
    changed_by: &str,
    reason: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO rules (kind, version, body, changed_by, changed_at, reason) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(kind)
        .bind(version)
        .bind(body)
        .bind(changed_by)
        .bind(now)
        .bind(reason),
    )
    .await?;
    Ok(())
}
