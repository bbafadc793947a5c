//! The identified-products rollup (migration 40): how many products were identified (认定) in
//! announced batches, per region at every level, field (division) and year of announcement.
//! Added to in the transaction that announces a batch; read by the dashboards and the year-end
//! evaluation in one lookup per region, never by reading the candidates.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::stats::{field_key, level_name};
use crate::StoreError;
use std::collections::BTreeMap;
use zhichan_domain::{RegionCode, RegionLevel};

/// A count by key (a region code or a field code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Count {
    pub key: String,
    pub n: i64,
}

impl FromDbRow for Count {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Count {
            key: row.get("k")?,
            n: row.get("n")?,
        })
    }
}

/// The rows to add for identified products, each `(its region, its field)`: one per region
/// level above each product and its field's division.
fn tally<'a>(
    products: impl IntoIterator<Item = (RegionCode, &'a str, i64)>,
) -> BTreeMap<(RegionCode, String), i64> {
    let mut out = BTreeMap::new();
    for (region, field, n) in products {
        let key = field_key(field);
        for r in region.self_and_ancestors() {
            *out.entry((r, key.clone())).or_default() += n;
        }
    }
    out
}

async fn upsert(
    ex: &impl Exec,
    rows: BTreeMap<(RegionCode, String), i64>,
    year: i32,
) -> Result<(), StoreError> {
    for ((r, field), n) in rows {
        ex.execute(
            Sql::new(
                "INSERT INTO stat_identified (region, level, field, year, identified) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (region, field, year) DO UPDATE SET \
                 identified = stat_identified.identified + $5",
            )
            .bind(r)
            .bind(level_name(r))
            .bind(field)
            .bind(i64::from(year))
            .bind(n),
        )
        .await?;
    }
    Ok(())
}

/// Adds the products identified by one announcement (each `(region, field)`) in `year`, the
/// year of the announcement. Run in the announcement's transaction.
pub async fn add(
    ex: &impl Exec,
    identified: &[(RegionCode, String)],
    year: i32,
) -> Result<(), StoreError> {
    upsert(
        ex,
        tally(identified.iter().map(|(r, f)| (*r, f.as_str(), 1))),
        year,
    )
    .await
}

struct Grouped(i64, String, String, i64);
impl FromDbRow for Grouped {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Grouped(
            row.get("region")?,
            row.get("field")?,
            row.get("y")?,
            row.get("n")?,
        ))
    }
}

/// Rebuilds the rollup from the identified candidates of announced batches (a database whose
/// batches were announced before the rollup existed). Run it inside a transaction.
pub async fn rebuild(ex: &impl Exec) -> Result<(), StoreError> {
    ex.execute(Sql::new("DELETE FROM stat_identified")).await?;
    let groups: Vec<Grouped> = ex
        .fetch_all(Sql::new(
            "SELECT c.region AS region, COALESCE(r.field, '') AS field, \
             substr(b.announced_on, 1, 4) AS y, COUNT(*) AS n \
             FROM identification_candidates c JOIN identification_batches b ON b.id = c.batch_id \
             LEFT JOIN identification_results r ON r.batch_id = c.batch_id \
             AND r.product_id = c.product_id \
             WHERE c.outcome = 'identified' AND b.status = 'announced' \
             GROUP BY c.region, COALESCE(r.field, ''), substr(b.announced_on, 1, 4)",
        ))
        .await?;
    let mut by_year: BTreeMap<i32, Vec<(RegionCode, String, i64)>> = BTreeMap::new();
    for Grouped(region, field, y, n) in groups {
        let (Some(region), Ok(y)) = (RegionCode::from_u32(region as u32), y.parse::<i32>()) else {
            return Err(StoreError::Corrupt(format!(
                "identified candidate in region {region}, announced in {y}"
            )));
        };
        by_year.entry(y).or_default().push((region, field, n));
    }
    for (year, list) in by_year {
        upsert(
            ex,
            tally(list.iter().map(|(r, f, n)| (*r, f.as_str(), *n))),
            year,
        )
        .await?;
    }
    Ok(())
}

/// Whether the rollup is empty while some batch has identified products (a database migrated
/// after its announcements).
pub async fn needs_rebuild(ex: &impl Exec) -> Result<bool, StoreError> {
    let rolled: Option<i64> = ex
        .fetch_optional(Sql::new("SELECT region FROM stat_identified LIMIT 1"))
        .await?;
    if rolled.is_some() {
        return Ok(false);
    }
    let identified: Option<i64> = ex
        .fetch_optional(Sql::new(
            "SELECT product_id FROM identification_candidates WHERE outcome = 'identified' LIMIT 1",
        ))
        .await?;
    Ok(identified.is_some())
}

/// Products identified in a region's subtree: in `year` (of announcement), or in every year.
pub async fn total(
    ex: &impl Exec,
    region: RegionCode,
    year: Option<i32>,
) -> Result<i64, StoreError> {
    let mut q = String::from(
        "SELECT CAST(COALESCE(SUM(identified), 0) AS BIGINT) FROM stat_identified WHERE region = $1",
    );
    if year.is_some() {
        q.push_str(" AND year = $2");
    }
    let mut sql = Sql::new(q).bind(region);
    if let Some(y) = year {
        sql = sql.bind(i64::from(y));
    }
    ex.fetch_one(sql).await
}

/// By field (division) inside a region, most first.
pub async fn by_field(
    ex: &impl Exec,
    region: RegionCode,
    year: Option<i32>,
) -> Result<Vec<Count>, StoreError> {
    let mut q = String::from(
        "SELECT field AS k, CAST(SUM(identified) AS BIGINT) AS n FROM stat_identified \
         WHERE region = $1",
    );
    if year.is_some() {
        q.push_str(" AND year = $2");
    }
    q.push_str(" GROUP BY field HAVING SUM(identified) <> 0 ORDER BY n DESC, k");
    let mut sql = Sql::new(q).bind(region);
    if let Some(y) = year {
        sql = sql.bind(i64::from(y));
    }
    ex.fetch_all(sql).await
}

/// By the next level down inside a region (provinces of the nation, cities of a province,
/// counties of a city), most first; sub-regions with none are left out.
pub async fn by_region(
    ex: &impl Exec,
    region: RegionCode,
    year: Option<i32>,
) -> Result<Vec<Count>, StoreError> {
    let child = match region.level() {
        RegionLevel::Nation => "province",
        RegionLevel::Province => "city",
        RegionLevel::City | RegionLevel::County => "county",
    };
    let (lo, hi) = region.subtree();
    let mut q = String::from(
        "SELECT CAST(region AS TEXT) AS k, CAST(SUM(identified) AS BIGINT) AS n \
         FROM stat_identified WHERE level = $1 AND region BETWEEN $2 AND $3 AND region <> $4",
    );
    if year.is_some() {
        q.push_str(" AND year = $5");
    }
    q.push_str(" GROUP BY region HAVING SUM(identified) <> 0 ORDER BY n DESC, region");
    let mut sql = Sql::new(q)
        .bind(child)
        .bind(i64::from(lo))
        .bind(i64::from(hi))
        .bind(region);
    if let Some(y) = year {
        sql = sql.bind(i64::from(y));
    }
    ex.fetch_all(sql).await
}
