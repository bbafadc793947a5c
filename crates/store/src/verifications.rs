//! Real-name verification (实名认证) of self-registered accounts: the application with its
//! supporting document, and the reviewer's decision.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{region_opt, ts, ts_opt};
use crate::StoreError;
use zhichan_domain::{RegionCode, Timestamp};

/// An application without its document (lists never load documents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub enterprise_name: String,
    pub credit_code: String,
    pub region: Option<RegionCode>,
    pub contact_name: String,
    pub contact_phone: String,
    pub document_name: String,
    pub document_type: String,
    pub document_size: i64,
    pub pledge_accepted: Timestamp,
    /// `pending`, `approved` or `returned`.
    pub status: String,
    pub submitted_at: Timestamp,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    pub reason: Option<String>,
}

impl FromDbRow for Verification {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Verification {
            id: row.get("id")?,
            user_id: row.get("user_id")?,
            username: row.get("username")?,
            enterprise_name: row.get("enterprise_name")?,
            credit_code: row.get("credit_code")?,
            region: region_opt(row, "region")?,
            contact_name: row.get("contact_name")?,
            contact_phone: row.get("contact_phone")?,
            document_name: row.get("document_name")?,
            document_type: row.get("document_type")?,
            document_size: row.get("document_size")?,
            pledge_accepted: ts(row, "pledge_accepted")?,
            status: row.get("status")?,
            submitted_at: ts(row, "submitted_at")?,
            reviewed_by: row.get("reviewed_by")?,
            reviewed_at: ts_opt(row, "reviewed_at")?,
            reason: row.get("reason")?,
        })
    }
}

const COLUMNS: &str = "v.id, v.user_id, u.username, v.enterprise_name, v.credit_code, v.region, \
    v.contact_name, v.contact_phone, ev.name AS document_name, ev.content_type AS document_type, \
    ev.size AS document_size, v.pledge_accepted, v.status, v.submitted_at, v.reviewed_by, \
    v.reviewed_at, v.reason";
const FROM: &str = "verifications v JOIN users u ON u.id = v.user_id \
    JOIN evidence ev ON ev.id = v.evidence_id";

/// An application to store.
#[derive(Clone, Debug)]
pub struct NewVerification {
    pub user_id: i64,
    pub enterprise_name: String,
    pub credit_code: String,
    pub region: Option<RegionCode>,
    pub contact_name: String,
    pub contact_phone: String,
    /// The supporting document, kept by [`crate::evidence::put`] in the same transaction.
    pub document: i64,
}

pub async fn insert(ex: &impl Exec, v: NewVerification, now: Timestamp) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO verifications (user_id, enterprise_name, credit_code, region, \
             contact_name, contact_phone, evidence_id, pledge_accepted, status, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $8) RETURNING id",
        )
        .bind(v.user_id)
        .bind(v.enterprise_name)
        .bind(v.credit_code)
        .bind(v.region)
        .bind(v.contact_name)
        .bind(v.contact_phone)
        .bind(v.document)
        .bind(now),
    )
    .await
}

pub async fn by_id(ex: &impl Exec, id: i64) -> Result<Option<Verification>, StoreError> {
    ex.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM {FROM} WHERE v.id = $1")).bind(id))
        .await
}

/// The newest application of a user.
pub async fn latest_for_user(
    ex: &impl Exec,
    user_id: i64,
) -> Result<Option<Verification>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE v.user_id = $1 ORDER BY v.id DESC LIMIT 1"
        ))
        .bind(user_id),
    )
    .await
}

/// The document of an application: file name, type and bytes.
pub async fn document(
    ex: &impl Exec,
    id: i64,
) -> Result<Option<crate::evidence::Evidence>, StoreError> {
    crate::evidence::of_record(ex, crate::evidence::Table::Verifications, id).await
}

/// Applications in a status whose region lies in `[lo, hi]`, oldest first (the review order).
pub async fn queue(
    ex: &impl Exec,
    status: &str,
    region: (u32, u32),
    limit: i64,
    offset: i64,
) -> Result<(Vec<Verification>, i64), StoreError> {
    queue_sorted(ex, status, region, None, limit, offset).await
}

/// The keys the review queue sorts by, and their columns.
pub const SORT_COLUMNS: &[(&str, &str)] = &[
    ("submitted", "v.submitted_at"),
    ("name", "v.enterprise_name"),
];

/// [`queue`] in the order a person chose (oldest first when `None`).
pub async fn queue_sorted(
    ex: &impl Exec,
    status: &str,
    region: (u32, u32),
    order: Option<crate::sorting::Order>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Verification>, i64), StoreError> {
    let order = order
        .and_then(|o| o.sql(SORT_COLUMNS, "v.id"))
        .unwrap_or_else(|| "v.submitted_at, v.id".into());
    let filter = "v.status = $1 AND v.region BETWEEN $2 AND $3";
    let rows = ex
        .fetch_all(
            Sql::new(format!(
                "SELECT {COLUMNS} FROM {FROM} WHERE {filter} ORDER BY {order} \
                 LIMIT $4 OFFSET $5"
            ))
            .bind(status)
            .bind(region.0)
            .bind(region.1)
            .bind(limit)
            .bind(offset),
        )
        .await?;
    let total = ex
        .fetch_one(
            Sql::new(format!(
                "SELECT COUNT(*) FROM verifications v WHERE {filter}"
            ))
            .bind(status)
            .bind(region.0)
            .bind(region.1),
        )
        .await?;
    Ok((rows, total))
}

/// Records a decision on a pending application. Answers false when it was no longer pending
/// (another reviewer decided first).
pub async fn decide(
    ex: &impl Exec,
    id: i64,
    status: &str,
    reviewer: &str,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE verifications SET status = $2, reviewed_by = $3, reason = $4, \
                 reviewed_at = $5 WHERE id = $1 AND status = 'pending'",
            )
            .bind(id)
            .bind(status)
            .bind(reviewer)
            .bind(reason)
            .bind(now),
        )
        .await?;
    Ok(n == 1)
}
