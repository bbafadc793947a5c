//! Management ports of the IP offices, one row per region.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{region_opt, ts, ts_opt};
use crate::StoreError;
use zhichan_domain::{RegionCode, Timestamp};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub region: RegionCode,
    /// `applied`, `open`, `rejected` or `closed`.
    pub status: String,
    pub unit: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub purpose: String,
    pub applied_by: String,
    pub applied_at: Timestamp,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub reason: Option<String>,
    pub version: i64,
}

impl FromDbRow for Port {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Port {
            region: region_opt(row, "region")?
                .ok_or_else(|| StoreError::Corrupt("port without region".into()))?,
            status: row.get("status")?,
            unit: row.get("unit")?,
            contact_name: row.get("contact_name")?,
            contact_phone: row.get("contact_phone")?,
            contact_email: row.get("contact_email")?,
            purpose: row.get("purpose")?,
            applied_by: row.get("applied_by")?,
            applied_at: ts(row, "applied_at")?,
            decided_by: row.get("decided_by")?,
            decided_at: ts_opt(row, "decided_at")?,
            reason: row.get("reason")?,
            version: row.get("version")?,
        })
    }
}

const COLUMNS: &str = "region, status, unit, contact_name, contact_phone, contact_email, purpose, \
    applied_by, applied_at, decided_by, decided_at, reason, version";

pub async fn get(ex: &impl Exec, region: RegionCode) -> Result<Option<Port>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!("SELECT {COLUMNS} FROM ports WHERE region = $1")).bind(region),
    )
    .await
}

/// The ports inside a subtree, by region.
pub async fn within(ex: &impl Exec, region: RegionCode) -> Result<Vec<Port>, StoreError> {
    let (lo, hi) = region.subtree();
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM ports WHERE region BETWEEN $1 AND $2 ORDER BY region"
        ))
        .bind(i64::from(lo))
        .bind(i64::from(hi)),
    )
    .await
}

/// Writes a port's whole row (insert or replace) if it is still at `version` (0: absent).
/// Answers false when someone changed it first.
pub async fn put(ex: &impl Exec, p: &Port, version: i64) -> Result<bool, StoreError> {
    let n = if version == 0 {
        ex.execute(
            Sql::new(format!(
                "INSERT INTO ports ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                 $11, $12, 1) ON CONFLICT (region) DO NOTHING"
            ))
            .bind(p.region)
            .bind(p.status.as_str())
            .bind(p.unit.as_str())
            .bind(p.contact_name.as_str())
            .bind(p.contact_phone.as_str())
            .bind(p.contact_email.as_str())
            .bind(p.purpose.as_str())
            .bind(p.applied_by.as_str())
            .bind(p.applied_at)
            .bind(p.decided_by.clone())
            .bind(p.decided_at)
            .bind(p.reason.clone()),
        )
        .await?
    } else {
        ex.execute(
            Sql::new(
                "UPDATE ports SET status = $2, unit = $3, contact_name = $4, contact_phone = $5, \
                 contact_email = $6, purpose = $7, applied_by = $8, applied_at = $9, \
                 decided_by = $10, decided_at = $11, reason = $12, version = version + 1 \
                 WHERE region = $1 AND version = $13",
            )
            .bind(p.region)
            .bind(p.status.as_str())
            .bind(p.unit.as_str())
            .bind(p.contact_name.as_str())
            .bind(p.contact_phone.as_str())
            .bind(p.contact_email.as_str())
            .bind(p.purpose.as_str())
            .bind(p.applied_by.as_str())
            .bind(p.applied_at)
            .bind(p.decided_by.clone())
            .bind(p.decided_at)
            .bind(p.reason.clone())
            .bind(version),
        )
        .await?
    };
    Ok(n > 0)
}
