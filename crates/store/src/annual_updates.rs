//! Annual updates (信息更新) of registered products: one per product and year of figures.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::StoreError;
use zhichan_domain::{Money, RegionCode, Timestamp};

pub use zhichan_domain::registration::UpdateStatus;

/// One filed update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnualUpdate {
    pub id: i64,
    pub product_id: i64,
    pub region: RegionCode,
    /// The year the figures are for (the year before the window's).
    pub year: i32,
    pub sales_revenue: Money,
    pub output_value: Money,
    pub export_value: Money,
    pub profit: Money,
    pub ip_investment: Money,
    /// The enterprise confirms the product is still made and sold.
    pub still_sold: bool,
    pub status: UpdateStatus,
    pub submitted_by: String,
    pub submitted_at: Timestamp,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    pub return_reason: Option<String>,
    pub version: i64,
}

/// An update as stored, its text columns not yet parsed: read from a row, or from the JSON a
/// product read carries its update in (a JSON array in column order).
#[derive(serde::Deserialize)]
pub(crate) struct Stored {
    id: i64,
    product_id: i64,
    region: i64,
    year: i64,
    sales_revenue: i64,
    output_value: i64,
    export_value: i64,
    profit: i64,
    ip_investment: i64,
    still_sold: crate::db::Flag,
    status: String,
    submitted_by: String,
    submitted_at: String,
    reviewed_by: Option<String>,
    reviewed_at: Option<String>,
    return_reason: Option<String>,
    version: i64,
}

/// The JSON array expression that [`Stored`] reads, over annual_updates aliased `alias`, with
/// the engine's array function `array`.
pub(crate) fn json_of(array: &str, alias: &str) -> String {
    crate::db::json_array_of(array, alias, COLUMNS)
}

impl TryFrom<Stored> for AnnualUpdate {
    type Error = StoreError;

    fn try_from(s: Stored) -> Result<Self, StoreError> {
        let bad = |what: &str, v: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("annual update {what}: {v}"))
        };
        let time = |what: &str, v: &str| Timestamp::parse(v).ok_or_else(|| bad(what, &v));
        Ok(AnnualUpdate {
            id: s.id,
            product_id: s.product_id,
            region: u32::try_from(s.region)
                .ok()
                .and_then(RegionCode::from_u32)
                .ok_or_else(|| bad("region", &s.region))?,
            year: i32::try_from(s.year).map_err(|_| bad("year", &s.year))?,
            sales_revenue: Money::from_fen(s.sales_revenue),
            output_value: Money::from_fen(s.output_value),
            export_value: Money::from_fen(s.export_value),
            profit: Money::from_fen(s.profit),
            ip_investment: Money::from_fen(s.ip_investment),
            still_sold: s.still_sold.0,
            status: UpdateStatus::parse(&s.status).map_err(|_| bad("status", &s.status))?,
            submitted_by: s.submitted_by,
            submitted_at: time("submitted_at", &s.submitted_at)?,
            reviewed_by: s.reviewed_by,
            reviewed_at: s.reviewed_at.map(|t| time("reviewed_at", &t)).transpose()?,
            return_reason: s.return_reason,
            version: s.version,
        })
    }
}

impl FromDbRow for AnnualUpdate {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Stored {
            id: row.get("id")?,
            product_id: row.get("product_id")?,
            region: row.get("region")?,
            year: row.get("year")?,
            sales_revenue: row.get("sales_revenue")?,
            output_value: row.get("output_value")?,
            export_value: row.get("export_value")?,
            profit: row.get("profit")?,
            ip_investment: row.get("ip_investment")?,
            still_sold: crate::db::Flag(row.get("still_sold")?),
            status: row.get("status")?,
            submitted_by: row.get("submitted_by")?,
            submitted_at: row.get("submitted_at")?,
            reviewed_by: row.get("reviewed_by")?,
            reviewed_at: row.get("reviewed_at")?,
            return_reason: row.get("return_reason")?,
            version: row.get("version")?,
        }
        .try_into()
    }
}

const COLUMNS: &str = "id, product_id, region, year, sales_revenue, output_value, export_value, \
    profit, ip_investment, still_sold, status, submitted_by, submitted_at, reviewed_by, \
    reviewed_at, return_reason, version";

pub async fn by_id(ex: &impl Exec, id: i64) -> Result<Option<AnnualUpdate>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM annual_updates WHERE id = $1"
        ))
        .bind(id),
    )
    .await
}

pub async fn for_product(ex: &impl Exec, product_id: i64) -> Result<Vec<AnnualUpdate>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM annual_updates WHERE product_id = $1 ORDER BY year DESC"
        ))
        .bind(product_id),
    )
    .await
}

/// The updates of a year for the given products (a page's worth), in one query.
pub async fn of_year(
    ex: &impl Exec,
    year: i32,
    product_ids: &[i64],
) -> Result<Vec<AnnualUpdate>, StoreError> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = (0..product_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = Sql::new(format!(
        "SELECT {COLUMNS} FROM annual_updates WHERE year = $1 AND product_id IN ({list})"
    ))
    .bind(i64::from(year));
    for id in product_ids {
        q.push_param(*id);
    }
    ex.fetch_all(q).await
}

/// Updates waiting for review in a region subtree (or everywhere), oldest first.
pub async fn queue(
    ex: &impl Exec,
    region: Option<RegionCode>,
    status: UpdateStatus,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AnnualUpdate>, i64), StoreError> {
    let (lo, hi) = match region {
        Some(r) => {
            let (lo, hi) = r.subtree();
            (i64::from(lo), i64::from(hi))
        }
        None => (0, i64::MAX),
    };
    let rows = ex
        .fetch_all(
            Sql::new(format!(
                "SELECT {COLUMNS} FROM annual_updates WHERE region BETWEEN $1 AND $2 \
                 AND status = $3 ORDER BY submitted_at, id LIMIT $4 OFFSET $5"
            ))
            .bind(lo)
            .bind(hi)
            .bind(status.as_str())
            .bind(limit)
            .bind(offset),
        )
        .await?;
    let total = ex
        .fetch_one(
            Sql::new(
                "SELECT COUNT(*) FROM annual_updates WHERE region BETWEEN $1 AND $2 \
                 AND status = $3",
            )
            .bind(lo)
            .bind(hi)
            .bind(status.as_str()),
        )
        .await?;
    Ok((rows, total))
}

/// Files an update (version 1); [`StoreError::Unique`] when one exists for the product and year.
pub async fn insert(ex: &impl Exec, u: &AnnualUpdate) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO annual_updates (product_id, region, year, sales_revenue, output_value, \
             export_value, profit, ip_investment, still_sold, status, submitted_by, \
             submitted_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1) RETURNING id",
        )
        .bind(u.product_id)
        .bind(u.region)
        .bind(i64::from(u.year))
        .bind(u.sales_revenue.fen())
        .bind(u.output_value.fen())
        .bind(u.export_value.fen())
        .bind(u.profit.fen())
        .bind(u.ip_investment.fen())
        .bind(u.still_sold)
        .bind(u.status.as_str())
        .bind(u.submitted_by.as_str())
        .bind(u.submitted_at),
    )
    .await
}

/// Saves an update if it is still at `version`; the new version or `None` (nothing written).
pub async fn save(
    ex: &impl Exec,
    u: &AnnualUpdate,
    version: i64,
) -> Result<Option<i64>, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE annual_updates SET sales_revenue = $1, output_value = $2, \
                 export_value = $3, profit = $4, ip_investment = $5, still_sold = $6, \
                 status = $7, submitted_by = $8, submitted_at = $9, reviewed_by = $10, \
                 reviewed_at = $11, return_reason = $12, version = version + 1 \
                 WHERE id = $13 AND version = $14",
            )
            .bind(u.sales_revenue.fen())
            .bind(u.output_value.fen())
            .bind(u.export_value.fen())
            .bind(u.profit.fen())
            .bind(u.ip_investment.fen())
            .bind(u.still_sold)
            .bind(u.status.as_str())
            .bind(u.submitted_by.as_str())
            .bind(u.submitted_at)
            .bind(u.reviewed_by.clone())
            .bind(u.reviewed_at)
            .bind(u.return_reason.clone())
            .bind(u.id)
            .bind(version),
        )
        .await?;
    Ok((n > 0).then_some(version + 1))
}

/// Registered products of an enterprise (or a region subtree) that have no approved update
/// for `year`: the ones to remind, or to mark 未更新 once the window has closed.
pub async fn not_updated(
    ex: &impl Exec,
    enterprise_id: Option<i64>,
    year: i32,
    registered_before: &str,
) -> Result<Vec<i64>, StoreError> {
    let (cond, a) = match enterprise_id {
        Some(id) => ("p.enterprise_id = $1", id),
        None => ("$1 = $1", 0),
    };
    ex.fetch_all(
        Sql::new(format!(
            "SELECT p.id FROM products p WHERE {cond} AND p.registered_on IS NOT NULL \
             AND p.withdrawn_on IS NULL AND p.registered_on < $2 \
             AND NOT EXISTS (SELECT 1 FROM annual_updates u WHERE u.product_id = p.id \
             AND u.year = $3 AND u.status = 'approved') ORDER BY p.id"
        ))
        .bind(a)
        .bind(registered_before)
        .bind(i64::from(year)),
    )
    .await
}
