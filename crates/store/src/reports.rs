//! Monthly reports, stored as JSON documents with every version kept, and the few counts they
//! need beyond the rollups.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::ts;
use crate::StoreError;
use zhichan_domain::{RegionCode, Timestamp};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReport {
    pub region: i64,
    pub month: String,
    pub version: i64,
    pub body: String,
    pub generated_at: Timestamp,
    pub generated_by: String,
}

impl FromDbRow for StoredReport {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(StoredReport {
            region: row.get("region")?,
            month: row.get("month")?,
            version: row.get("version")?,
            body: row.get("body")?,
            generated_at: ts(row, "generated_at")?,
            generated_by: row.get("generated_by")?,
        })
    }
}

const COLUMNS: &str = "region, month, version, body, generated_at, generated_by";

pub async fn latest(
    ex: &impl Exec,
    region: RegionCode,
    month: &str,
) -> Result<Option<StoredReport>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM monthly_reports WHERE region = $1 AND month = $2 \
             ORDER BY version DESC LIMIT 1"
        ))
        .bind(region)
        .bind(month),
    )
    .await
}

pub async fn versions(
    ex: &impl Exec,
    region: RegionCode,
    month: &str,
) -> Result<Vec<StoredReport>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM monthly_reports WHERE region = $1 AND month = $2 \
             ORDER BY version DESC"
        ))
        .bind(region)
        .bind(month),
    )
    .await
}

/// Stores the next version of a report; answers it.
pub async fn insert(
    ex: &impl Exec,
    region: RegionCode,
    month: &str,
    body: &str,
    by: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO monthly_reports (region, month, version, body, generated_at, generated_by) \
             SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5 FROM monthly_reports \
             WHERE region = $1 AND month = $2 RETURNING version",
        )
        .bind(region)
        .bind(month)
        .bind(body)
        .bind(now)
        .bind(by),
    )
    .await
}

/// Registrations (net of withdrawals) of a region up to and including a month, from the
/// monthly rollup: (registered, withdrawn).
pub async fn cumulative(
    ex: &impl Exec,
    region: RegionCode,
    month: &str,
) -> Result<(i64, i64), StoreError> {
    struct Two(i64, i64);
    impl FromDbRow for Two {
        fn from_row(row: &DbRow) -> Result<Self, StoreError> {
            Ok(Two(row.get("r")?, row.get("w")?))
        }
    }
    let t: Two = ex
        .fetch_one(
            Sql::new(
                "SELECT CAST(COALESCE(SUM(registered), 0) AS BIGINT) AS r, \
                 CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS w \
                 FROM stat_region_months WHERE region = $1 AND month <= $2",
            )
            .bind(region)
            .bind(month),
        )
        .await?;
    Ok((t.0, t.1))
}

/// One region's registrations and withdrawals in a month.
pub async fn in_month(
    ex: &impl Exec,
    region: RegionCode,
    month: &str,
) -> Result<(i64, i64), StoreError> {
    struct Two(i64, i64);
    impl FromDbRow for Two {
        fn from_row(row: &DbRow) -> Result<Self, StoreError> {
            Ok(Two(row.get("registered")?, row.get("withdrawn")?))
        }
    }
    Ok(ex
        .fetch_optional(
            Sql::new(
                "SELECT registered, withdrawn FROM stat_region_months \
                 WHERE region = $1 AND month = $2",
            )
            .bind(region)
            .bind(month),
        )
        .await?
        .map_or((0, 0), |t: Two| (t.0, t.1)))
}

/// Annual updates approved between two moments (a month's bounds) inside a region's subtree.
pub async fn updates_approved(
    ex: &impl Exec,
    region: RegionCode,
    from: Timestamp,
    until: Timestamp,
) -> Result<i64, StoreError> {
    let (lo, hi) = region.subtree();
    ex.fetch_one(
        Sql::new(
            "SELECT COUNT(*) FROM annual_updates WHERE region BETWEEN $1 AND $2 \
             AND status = 'approved' AND reviewed_at >= $3 AND reviewed_at < $4",
        )
        .bind(i64::from(lo))
        .bind(i64::from(hi))
        .bind(from)
        .bind(until),
    )
    .await
}

/// The latest month up to `until` (`YYYY-MM`) in which anything was registered or withdrawn
/// inside a region (the rollup's primary key), if any.
pub async fn latest_month_with_data(
    ex: &impl Exec,
    region: RegionCode,
    until: &str,
) -> Result<Option<String>, StoreError> {
    ex.fetch_optional(
        Sql::new(
            "SELECT month FROM stat_region_months WHERE region = $1 AND month <= $2 \
             AND (registered <> 0 OR withdrawn <> 0) ORDER BY month DESC LIMIT 1",
        )
        .bind(region)
        .bind(until),
    )
    .await
}
