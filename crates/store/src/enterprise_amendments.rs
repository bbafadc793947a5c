//! Changes of an enterprise's name or region (变更) waiting for a reviewer, and their history.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{region_opt, ts, ts_opt};
use crate::StoreError;
use zhichan_domain::{RegionCode, Timestamp};

/// A requested change: the new name and region (`None`: unchanged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amendment {
    pub id: i64,
    pub enterprise_id: i64,
    pub name: Option<String>,
    pub region: Option<RegionCode>,
    /// `submitted`, `returned`, `approved` or `discarded`.
    pub status: String,
    pub requested_by: String,
    pub requested_at: Timestamp,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    pub reason: Option<String>,
}

impl FromDbRow for Amendment {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Amendment {
            id: row.get("id")?,
            enterprise_id: row.get("enterprise_id")?,
            name: row.get("name")?,
            region: region_opt(row, "region")?,
            status: row.get("status")?,
            requested_by: row.get("requested_by")?,
            requested_at: ts(row, "requested_at")?,
            reviewed_by: row.get("reviewed_by")?,
            reviewed_at: ts_opt(row, "reviewed_at")?,
            reason: row.get("reason")?,
        })
    }
}

const COLUMNS: &str = "a.id, a.enterprise_id, a.name, a.region, a.status, a.requested_by, \
    a.requested_at, a.reviewed_by, a.reviewed_at, a.reason";
const OPEN: &str = "a.status IN ('submitted', 'returned')";

/// The open change (submitted or returned) of an enterprise.
pub async fn open_for(ex: &impl Exec, enterprise_id: i64) -> Result<Option<Amendment>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM enterprise_amendments a WHERE a.enterprise_id = $1 AND {OPEN}"
        ))
        .bind(enterprise_id),
    )
    .await
}

/// The open changes of a page of enterprises, in one query.
pub async fn open_for_many(ex: &impl Exec, ids: &[i64]) -> Result<Vec<Amendment>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM enterprise_amendments a WHERE a.enterprise_id IN ({}) AND {OPEN}",
        marks.join(", ")
    ));
    for id in ids {
        sql.push_param(*id);
    }
    ex.fetch_all(sql).await
}

/// Submits a change: replaces the enterprise's open one (a returned change submitted again, or
/// a newer request) or starts one. Answers its id.
pub async fn submit(
    ex: &impl Exec,
    enterprise_id: i64,
    name: Option<&str>,
    region: Option<RegionCode>,
    by: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let updated: Option<i64> = ex
        .fetch_optional(
            Sql::new(
                "UPDATE enterprise_amendments SET name = $2, region = $3, status = 'submitted', \
                 requested_by = $4, requested_at = $5, reviewed_by = NULL, reviewed_at = NULL, \
                 reason = NULL WHERE enterprise_id = $1 AND status IN ('submitted', 'returned') \
                 RETURNING id",
            )
            .bind(enterprise_id)
            .bind(name)
            .bind(region)
            .bind(by)
            .bind(now),
        )
        .await?;
    if let Some(id) = updated {
        return Ok(id);
    }
    ex.fetch_one(
        Sql::new(
            "INSERT INTO enterprise_amendments (enterprise_id, name, region, status, \
             requested_by, requested_at) VALUES ($1, $2, $3, 'submitted', $4, $5) RETURNING id",
        )
        .bind(enterprise_id)
        .bind(name)
        .bind(region)
        .bind(by)
        .bind(now),
    )
    .await
}

/// Records a decision on a submitted change; false when it was no longer submitted (decided,
/// discarded or replaced meanwhile).
pub async fn decide(
    ex: &impl Exec,
    id: i64,
    status: &str,
    by: &str,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE enterprise_amendments SET status = $2, reviewed_by = $3, reason = $4, \
                 reviewed_at = $5 WHERE id = $1 AND status = 'submitted'",
            )
            .bind(id)
            .bind(status)
            .bind(by)
            .bind(reason)
            .bind(now),
        )
        .await?;
    Ok(n == 1)
}

/// Discards the enterprise's open change; false when there was none.
pub async fn discard(
    ex: &impl Exec,
    enterprise_id: i64,
    by: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE enterprise_amendments SET status = 'discarded', reviewed_by = $2, \
                 reviewed_at = $3 WHERE enterprise_id = $1 AND status IN ('submitted', 'returned')",
            )
            .bind(enterprise_id)
            .bind(by)
            .bind(now),
        )
        .await?;
    Ok(n == 1)
}

/// A submitted change as a reviewer's queue lists it, with the enterprise as it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    pub amendment: Amendment,
    pub credit_code: String,
    pub enterprise_name: String,
    pub enterprise_region: RegionCode,
}

impl FromDbRow for Queued {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Queued {
            amendment: Amendment::from_row(row)?,
            credit_code: row.get("credit_code")?,
            enterprise_name: row.get("enterprise_name")?,
            enterprise_region: region_opt(row, "enterprise_region")?
                .ok_or_else(|| StoreError::Corrupt("enterprise region: null".into()))?,
        })
    }
}

/// Submitted changes that concern a region subtree: those it reviews (the name changes of its
/// enterprises, the moves into it) and the moves out of it (shown to the source region's
/// reviewers, who are told but do not decide), oldest first.
pub async fn queue(ex: &impl Exec, range: (u32, u32)) -> Result<Vec<Queued>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS}, e.credit_code, e.name AS enterprise_name, \
             e.region AS enterprise_region FROM enterprise_amendments a \
             JOIN enterprises e ON e.id = a.enterprise_id WHERE a.status = 'submitted' \
             AND (COALESCE(a.region, e.region) BETWEEN $1 AND $2 OR e.region BETWEEN $1 AND $2) \
             ORDER BY a.requested_at, a.id LIMIT 500"
        ))
        .bind(range.0)
        .bind(range.1),
    )
    .await
}

/// Moves an enterprise's products (and their annual updates) and accounts to region `to`, as
/// part of an approved move; answers the products' ids, whose stored documents are forgotten
/// here for the caller to write again in the same transaction.
pub async fn move_belongings(
    ex: &impl Exec,
    enterprise_id: i64,
    credit_code: &str,
    to: RegionCode,
) -> Result<Vec<i64>, StoreError> {
    let ids = product_ids(ex, enterprise_id).await?;
    ex.execute(
        Sql::new("UPDATE products SET region = $1, document = NULL WHERE enterprise_id = $2")
            .bind(to)
            .bind(enterprise_id),
    )
    .await?;
    ex.execute(
        Sql::new(
            "UPDATE annual_updates SET region = $1 WHERE product_id IN \
             (SELECT id FROM products WHERE enterprise_id = $2)",
        )
        .bind(to)
        .bind(enterprise_id),
    )
    .await?;
    crate::users::changed();
    ex.execute(
        Sql::new("UPDATE users SET region = $1 WHERE enterprise = $2 AND role = 'enterprise'")
            .bind(to)
            .bind(credit_code),
    )
    .await?;
    Ok(ids)
}

/// The ids of an enterprise's products, lowest first.
pub async fn product_ids(ex: &impl Exec, enterprise_id: i64) -> Result<Vec<i64>, StoreError> {
    ex.fetch_all(
        Sql::new("SELECT id FROM products WHERE enterprise_id = $1 ORDER BY id")
            .bind(enterprise_id),
    )
    .await
}
