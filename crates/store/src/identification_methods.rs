//! Identification methods (评价方法) and their versions: drafts until published; a published
//! version is never edited (the schema refuses it too), a change is a new version.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{ts, ts_opt};
use crate::StoreError;
use zhichan_domain::Timestamp;

/// One version of a method, its body the method as JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodVersion {
    pub method_id: i64,
    pub version: i64,
    /// `draft` or `published`.
    pub status: String,
    pub name: String,
    pub body: String,
    pub changed_by: String,
    pub changed_at: Timestamp,
    pub published_by: Option<String>,
    pub published_at: Option<Timestamp>,
}

const COLUMNS: &str = "method_id, version, status, name, body, changed_by, changed_at, \
                       published_by, published_at";

impl FromDbRow for MethodVersion {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(MethodVersion {
            method_id: row.get("method_id")?,
            version: row.get("version")?,
            status: row.get("status")?,
            name: row.get("name")?,
            body: row.get("body")?,
            changed_by: row.get("changed_by")?,
            changed_at: ts(row, "changed_at")?,
            published_by: row.get("published_by")?,
            published_at: ts_opt(row, "published_at")?,
        })
    }
}

/// Creates a method with its first version as a draft; its id.
pub async fn create(
    ex: &impl Exec,
    name: &str,
    body: &str,
    by: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let id: i64 = ex
        .fetch_one(
            Sql::new(
                "INSERT INTO identification_methods (created_by, created_at) VALUES ($1, $2) \
                 RETURNING id",
            )
            .bind(by)
            .bind(now),
        )
        .await?;
    insert_version(ex, id, 1, name, body, by, now).await?;
    Ok(id)
}

/// Adds `version` of a method as a draft ([`StoreError::Unique`] when it exists already).
pub async fn insert_version(
    ex: &impl Exec,
    method_id: i64,
    version: i64,
    name: &str,
    body: &str,
    by: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO identification_method_versions \
             (method_id, version, status, name, body, changed_by, changed_at) \
             VALUES ($1, $2, 'draft', $3, $4, $5, $6)",
        )
        .bind(method_id)
        .bind(version)
        .bind(name)
        .bind(body)
        .bind(by)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Replaces a draft's body; the rows changed (0 when the version is not a draft).
pub async fn update_draft(
    ex: &impl Exec,
    method_id: i64,
    version: i64,
    name: &str,
    body: &str,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_method_versions SET name = $1, body = $2, changed_by = $3, \
             changed_at = $4 WHERE method_id = $5 AND version = $6 AND status = 'draft'",
        )
        .bind(name)
        .bind(body)
        .bind(by)
        .bind(now)
        .bind(method_id)
        .bind(version),
    )
    .await
}

/// Publishes a draft; the rows changed (0 when the version is not a draft).
pub async fn publish(
    ex: &impl Exec,
    method_id: i64,
    version: i64,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_method_versions SET status = 'published', published_by = $1, \
             published_at = $2 WHERE method_id = $3 AND version = $4 AND status = 'draft'",
        )
        .bind(by)
        .bind(now)
        .bind(method_id)
        .bind(version),
    )
    .await
}

/// Every version of a method, newest first.
pub async fn versions(ex: &impl Exec, method_id: i64) -> Result<Vec<MethodVersion>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM identification_method_versions WHERE method_id = $1 \
             ORDER BY version DESC"
        ))
        .bind(method_id),
    )
    .await
}

/// The newest version of every method, newest method first.
pub async fn latest_of_each(ex: &impl Exec) -> Result<Vec<MethodVersion>, StoreError> {
    ex.fetch_all(Sql::new(format!(
        "SELECT {COLUMNS} FROM identification_method_versions v WHERE version = \
         (SELECT MAX(version) FROM identification_method_versions w \
          WHERE w.method_id = v.method_id) ORDER BY method_id DESC"
    )))
    .await
}

/// The newest published version of every method: (method, version).
pub async fn published_versions(ex: &impl Exec) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows: Vec<MethodVersion> = ex
        .fetch_all(Sql::new(format!(
            "SELECT {COLUMNS} FROM identification_method_versions v WHERE status = 'published' \
             AND version = (SELECT MAX(version) FROM identification_method_versions w \
             WHERE w.method_id = v.method_id AND w.status = 'published')"
        )))
        .await?;
    Ok(rows.into_iter().map(|r| (r.method_id, r.version)).collect())
}
