//! Declarations (申报事项) an enterprise makes with evidence and a reviewer of its region
//! approves or returns (migration 38), the qualifications waiting for the same review, and the
//! approved declarations that feed award entitlements.

use crate::awards::Whose;
use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{region_opt, ts, ts_opt};
use crate::StoreError;
use zhichan_domain::{RegionCode, Timestamp};

/// A declaration as stored (without the evidence's bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    pub id: i64,
    pub enterprise_id: i64,
    pub credit_code: String,
    pub enterprise_name: String,
    pub region: RegionCode,
    pub kind: String,
    pub year: i64,
    pub amount_fen: Option<i64>,
    pub note: String,
    pub evidence_name: Option<String>,
    pub evidence_type: Option<String>,
    pub evidence_size: Option<i64>,
    /// `submitted`, `approved` or `returned`.
    pub status: String,
    pub declared_by: String,
    pub declared_at: Timestamp,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    pub reason: Option<String>,
    pub version: i64,
}

const FROM: &str = "declarations d JOIN enterprises e ON e.id = d.enterprise_id \
    LEFT JOIN evidence ev ON ev.id = d.evidence_id";

const COLUMNS: &str = "d.id, d.enterprise_id, e.credit_code, e.name AS enterprise_name, e.region, \
    d.kind, d.year, d.amount_fen, d.note, ev.name AS evidence_name, \
    ev.content_type AS evidence_type, ev.size AS evidence_size, d.status, d.declared_by, d.declared_at, d.reviewed_by, d.reviewed_at, d.reason, d.version";

impl FromDbRow for Declaration {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Declaration {
            id: row.get("id")?,
            enterprise_id: row.get("enterprise_id")?,
            credit_code: row.get("credit_code")?,
            enterprise_name: row.get("enterprise_name")?,
            region: region_opt(row, "region")?
                .ok_or_else(|| StoreError::Corrupt("declaration region".into()))?,
            kind: row.get("kind")?,
            year: row.get("year")?,
            amount_fen: row.get("amount_fen")?,
            note: row.get("note")?,
            evidence_name: row.get("evidence_name")?,
            evidence_type: row.get("evidence_type")?,
            evidence_size: row.get("evidence_size")?,
            status: row.get("status")?,
            declared_by: row.get("declared_by")?,
            declared_at: ts(row, "declared_at")?,
            reviewed_by: row.get("reviewed_by")?,
            reviewed_at: ts_opt(row, "reviewed_at")?,
            reason: row.get("reason")?,
            version: row.get("version")?,
        })
    }
}

/// What an enterprise declares.
#[derive(Clone, Debug)]
pub struct NewDeclaration<'a> {
    pub enterprise_id: i64,
    pub kind: &'a str,
    pub year: i32,
    pub amount_fen: Option<i64>,
    pub note: &'a str,
    /// The evidence, kept by [`crate::evidence::put`] in the same transaction.
    pub evidence: Option<i64>,
    pub by: &'a str,
}

/// Inserts a submitted declaration (version 1); its id.
pub async fn insert(
    ex: &impl Exec,
    d: &NewDeclaration<'_>,
    now: Timestamp,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO declarations (enterprise_id, kind, year, amount_fen, note, status, \
             declared_by, declared_at, version, evidence_id) \
             VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, 1, $8) RETURNING id",
        )
        .bind(d.enterprise_id)
        .bind(d.kind)
        .bind(i64::from(d.year))
        .bind(d.amount_fen)
        .bind(d.note)
        .bind(d.by)
        .bind(now)
        .bind(d.evidence),
    )
    .await
}

pub async fn get(ex: &impl Exec, id: i64) -> Result<Option<Declaration>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM {FROM} \
             WHERE d.id = $1"
        ))
        .bind(id),
    )
    .await
}

/// An enterprise's declarations, newest first.
pub async fn of_enterprise(
    ex: &impl Exec,
    enterprise_id: i64,
) -> Result<Vec<Declaration>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM {FROM} \
             WHERE d.enterprise_id = $1 ORDER BY d.id DESC LIMIT 500"
        ))
        .bind(enterprise_id),
    )
    .await
}

/// Submitted declarations of enterprises in a region subtree, oldest first.
pub async fn queue(ex: &impl Exec, range: (u32, u32)) -> Result<Vec<Declaration>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM {FROM} \
             WHERE d.status = 'submitted' AND e.region BETWEEN $1 AND $2 \
             ORDER BY d.declared_at, d.id LIMIT 500"
        ))
        .bind(range.0)
        .bind(range.1),
    )
    .await
}

/// Decides a submitted declaration still at `version`; false when it was decided or changed
/// meanwhile (nothing is written then).
pub async fn decide(
    ex: &impl Exec,
    id: i64,
    version: i64,
    status: &str,
    by: &str,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE declarations SET status = $1, reviewed_by = $2, reviewed_at = $3, \
                 reason = $4, version = version + 1 \
                 WHERE id = $5 AND version = $6 AND status = 'submitted'",
            )
            .bind(status)
            .bind(by)
            .bind(now)
            .bind(reason)
            .bind(id)
            .bind(version),
        )
        .await?;
    Ok(n == 1)
}

/// The evidence of a declaration: its name, served type and bytes.
pub async fn evidence(
    ex: &impl Exec,
    id: i64,
) -> Result<Option<crate::evidence::Evidence>, StoreError> {
    crate::evidence::of_record(ex, crate::evidence::Table::Declarations, id).await
}

/// An approved declaration as the facts read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approved {
    pub id: i64,
    pub enterprise_id: i64,
    pub kind: String,
    pub amount_fen: Option<i64>,
}

impl FromDbRow for Approved {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Approved {
            id: row.get("id")?,
            enterprise_id: row.get("enterprise_id")?,
            kind: row.get("kind")?,
            amount_fen: row.get("amount_fen")?,
        })
    }
}

/// The approved declarations of `year` of the enterprises `w` names.
pub async fn approved(ex: &impl Exec, w: Whose, year: i32) -> Result<Vec<Approved>, StoreError> {
    let (filter, params) = crate::awards::whose(w);
    let mut sql = Sql::new(format!(
        "SELECT d.id, d.enterprise_id, d.kind, d.amount_fen FROM declarations d \
         JOIN enterprises e ON e.id = d.enterprise_id \
         WHERE {filter} AND d.status = 'approved' AND d.year = $3 ORDER BY d.enterprise_id, d.id"
    ));
    for p in params {
        sql.push_param(p);
    }
    ex.fetch_all(sql.bind(i64::from(year))).await
}

/// An enterprise with qualifications waiting for review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingQualifications {
    pub enterprise_id: i64,
    pub credit_code: String,
    pub name: String,
    pub region: RegionCode,
    pub pending: i64,
    /// The enterprise's version, which a review names.
    pub version: i64,
}

impl FromDbRow for PendingQualifications {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(PendingQualifications {
            enterprise_id: row.get("id")?,
            credit_code: row.get("credit_code")?,
            name: row.get("name")?,
            region: region_opt(row, "region")?
                .ok_or_else(|| StoreError::Corrupt("enterprise region".into()))?,
            pending: row.get("pending")?,
            version: row.get("version")?,
        })
    }
}

/// The enterprises of a region subtree with qualifications waiting for review, by name (the
/// reviewer's page: the first 500).
pub async fn pending_qualifications(
    ex: &impl Exec,
    range: (u32, u32),
) -> Result<Vec<PendingQualifications>, StoreError> {
    qualifications_page(ex, range, "pending", 500, 0).await
}

/// The enterprises of a region subtree with qualifications in a review state, by name, with their
/// count in that state and the profile version a review names.
async fn qualifications_page(
    ex: &impl Exec,
    range: (u32, u32),
    review: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<PendingQualifications>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT e.id, e.credit_code, e.name, e.region, e.version, \
             CAST(COUNT(*) AS BIGINT) AS pending \
             FROM enterprise_qualifications q JOIN enterprises e ON e.id = q.enterprise_id \
             WHERE q.review = $1 AND e.region BETWEEN $2 AND $3 \
             GROUP BY e.id, e.credit_code, e.name, e.region, e.version ORDER BY e.name, e.id \
             LIMIT $4 OFFSET $5",
        )
        .bind(review)
        .bind(range.0)
        .bind(range.1)
        .bind(limit)
        .bind(offset),
    )
    .await
}

/// One page of the enterprises of a region subtree with qualifications in a review state
/// (`pending`, `confirmed`, `returned`), by name, and how many there are in all.
pub async fn qualifications_in_state(
    ex: &impl Exec,
    range: (u32, u32),
    review: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PendingQualifications>, i64), StoreError> {
    let items = qualifications_page(ex, range, review, limit, offset).await?;
    let total = ex
        .fetch_one(
            Sql::new(
                "SELECT COUNT(DISTINCT q.enterprise_id) FROM enterprise_qualifications q \
                 JOIN enterprises e ON e.id = q.enterprise_id \
                 WHERE q.review = $1 AND e.region BETWEEN $2 AND $3",
            )
            .bind(review)
            .bind(range.0)
            .bind(range.1),
        )
        .await?;
    Ok((items, total))
}
