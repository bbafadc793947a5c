//! The measures of the year-end evaluation of a region's registration work.

use crate::db::{Exec, Sql};
use crate::StoreError;
use zhichan_domain::RegionCode;

/// Products first registered in `year` inside a region (from the monthly rollup).
pub async fn registered_in_year(
    ex: &impl Exec,
    region: RegionCode,
    year: i32,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "SELECT CAST(COALESCE(SUM(registered), 0) AS BIGINT) FROM stat_region_months \
             WHERE region = $1 AND month >= $2 AND month <= $3",
        )
        .bind(region)
        .bind(format!("{year:04}-01"))
        .bind(format!("{year:04}-12")),
    )
    .await
}

/// Annual updates due in a window (products registered before it opened and not withdrawn
/// before it closed) and those approved: (due, approved).
pub async fn updates(
    ex: &impl Exec,
    region: RegionCode,
    figures_year: i32,
    opens: &str,
    closes: &str,
) -> Result<(i64, i64), StoreError> {
    let (lo, hi) = region.subtree();
    let due: i64 = ex
        .fetch_one(
            Sql::new(
                "SELECT COUNT(*) FROM products p WHERE p.region BETWEEN $1 AND $2 \
                 AND p.registered_on IS NOT NULL AND p.registered_on < $3 \
                 AND (p.withdrawn_on IS NULL OR p.withdrawn_on > $4)",
            )
            .bind(i64::from(lo))
            .bind(i64::from(hi))
            .bind(opens)
            .bind(closes),
        )
        .await?;
    let approved: i64 = ex
        .fetch_one(
            Sql::new(
                "SELECT COUNT(*) FROM annual_updates u WHERE u.region BETWEEN $1 AND $2 \
                 AND u.year = $3 AND u.status = 'approved'",
            )
            .bind(i64::from(lo))
            .bind(i64::from(hi))
            .bind(i64::from(figures_year)),
        )
        .await?;
    Ok((due, approved))
}

/// Registration decisions taken in `year` inside a region: (decisions, returns).
pub async fn decisions(
    ex: &impl Exec,
    region: RegionCode,
    year: i32,
) -> Result<(i64, i64), StoreError> {
    let (lo, hi) = region.subtree();
    let count = |status: &'static str| {
        Sql::new(format!(
            "SELECT COUNT(*) FROM product_versions v JOIN products p ON p.id = v.product_id \
             WHERE p.region BETWEEN $1 AND $2 AND v.changed_at >= $3 AND v.changed_at < $4 \
             AND v.status IN ({status})"
        ))
        .bind(i64::from(lo))
        .bind(i64::from(hi))
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{:04}-01-01", year + 1))
    };
    let all: i64 = ex.fetch_one(count("'approved', 'returned'")).await?;
    let returned: i64 = ex.fetch_one(count("'returned'")).await?;
    Ok((all, returned))
}
