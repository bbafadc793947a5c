//! Statistics rollups: what a registered product contributes to its region's totals, applied as
//! a difference inside the transaction of every change, and read back in one lookup per region.
//!
//! A product contributes while it is registered and not withdrawn: one product, its latest
//! year's sales revenue, its field, its enterprise and its linked patents. The distinct counts
//! (enterprises, patents) move only when a per-enterprise or per-patent counter crosses zero.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::products::Product;
use crate::StoreError;
use zhichan_domain::{IndustryCode, Money, RegionCode, RegionLevel};

/// What one registered product adds to the rollups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    pub region: RegionCode,
    pub enterprise_id: i64,
    /// The division (大类) of the product's field, or its section when it names only that.
    pub field: String,
    pub sales_fen: i64,
    pub patents: Vec<i64>,
}

/// The contribution of a product in its present state (`None` when it does not count).
pub fn contribution(p: &Product) -> Option<Contribution> {
    if p.registered_on.is_none() || p.withdrawn_on.is_some() {
        return None;
    }
    let mut patents: Vec<i64> = p.links.iter().map(|l| l.patent_id).collect();
    patents.sort_unstable();
    patents.dedup();
    Some(Contribution {
        region: p.region,
        enterprise_id: p.enterprise_id,
        // Grouped by division: a product in 3914 counts under 39 (see [`field_key`]).
        field: p.field.division().to_string(),
        sales_fen: p
            .figures
            .iter()
            .max_by_key(|f| f.year)
            .map_or(0, |f| f.sales_revenue.fen()),
        patents,
    })
}

/// The rollup key of a stored field code: its division (`3914` → `39`), a section as it is.
pub(crate) fn field_key(field: &str) -> String {
    IndustryCode::parse(field).map_or_else(|_| field.to_string(), |c| c.division().to_string())
}

/// The same key in SQL, for the direct counts that check the rollups.
const FIELD_KEY_SQL: &str =
    "CASE WHEN LENGTH(p.field) > 2 THEN SUBSTR(p.field, 1, 2) ELSE p.field END";

pub(crate) fn level_name(r: RegionCode) -> &'static str {
    match r.level() {
        RegionLevel::Nation => "nation",
        RegionLevel::Province => "province",
        RegionLevel::City => "city",
        RegionLevel::County => "county",
    }
}

async fn bump_regions(
    ex: &impl Exec,
    region: RegionCode,
    enterprises: i64,
    products: i64,
    patents: i64,
    sales: i64,
) -> Result<(), StoreError> {
    for r in region.self_and_ancestors() {
        ex.execute(
            Sql::new(
                "INSERT INTO stat_regions (region, level, enterprises, products, patents, \
                 sales_revenue) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (region) DO UPDATE SET \
                 enterprises = stat_regions.enterprises + $3, \
                 products = stat_regions.products + $4, \
                 patents = stat_regions.patents + $5, \
                 sales_revenue = stat_regions.sales_revenue + $6",
            )
            .bind(r)
            .bind(level_name(r))
            .bind(enterprises)
            .bind(products)
            .bind(patents)
            .bind(sales),
        )
        .await?;
    }
    Ok(())
}

/// Adds a counter and answers its new value.
async fn bump_counter(
    ex: &impl Exec,
    table: &str,
    key: &str,
    id: i64,
    region: RegionCode,
    by: i64,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(format!(
            "INSERT INTO {table} ({key}, region, products) VALUES ($1, $2, $3) \
             ON CONFLICT ({key}) DO UPDATE SET products = {table}.products + $3, region = $2 \
             RETURNING products"
        ))
        .bind(id)
        .bind(region)
        .bind(by),
    )
    .await
}

/// Adds (`sign` 1) or removes (`sign` -1) one contribution.
async fn add(ex: &impl Exec, c: &Contribution, sign: i64) -> Result<(), StoreError> {
    let now = bump_counter(
        ex,
        "stat_enterprises",
        "enterprise_id",
        c.enterprise_id,
        c.region,
        sign,
    )
    .await?;
    // The enterprise starts (0 → 1) or stops (1 → 0) counting.
    let enterprises = match (sign, now) {
        (1, 1) => 1,
        (-1, 0) => -1,
        _ => 0,
    };
    let mut patents = 0;
    for p in &c.patents {
        let now = bump_counter(ex, "stat_patents", "patent_id", *p, c.region, sign).await?;
        patents += match (sign, now) {
            (1, 1) => 1,
            (-1, 0) => -1,
            _ => 0,
        };
    }
    bump_regions(ex, c.region, enterprises, sign, patents, sign * c.sales_fen).await?;
    for r in c.region.self_and_ancestors() {
        ex.execute(
            Sql::new(
                "INSERT INTO stat_region_fields (region, field, products, sales_revenue) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (region, field) DO UPDATE SET \
                 products = stat_region_fields.products + $3, \
                 sales_revenue = stat_region_fields.sales_revenue + $4",
            )
            .bind(r)
            .bind(c.field.as_str())
            .bind(sign)
            .bind(sign * c.sales_fen),
        )
        .await?;
    }
    Ok(())
}

async fn bump_month(
    ex: &impl Exec,
    region: RegionCode,
    month: &str,
    registered: i64,
    withdrawn: i64,
) -> Result<(), StoreError> {
    for r in region.self_and_ancestors() {
        ex.execute(
            Sql::new(
                "INSERT INTO stat_region_months (region, month, registered, withdrawn) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (region, month) DO UPDATE SET \
                 registered = stat_region_months.registered + $3, \
                 withdrawn = stat_region_months.withdrawn + $4",
            )
            .bind(r)
            .bind(month)
            .bind(registered)
            .bind(withdrawn),
        )
        .await?;
    }
    Ok(())
}

fn month_of(d: time::Date) -> String {
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

/// Applies the change of one product from `before` (absent for a new product) to `after`.
pub async fn apply(
    ex: &impl Exec,
    before: Option<&Product>,
    after: &Product,
) -> Result<(), StoreError> {
    let b = before.and_then(contribution);
    let a = contribution(after);
    if b != a {
        if let Some(b) = &b {
            add(ex, b, -1).await?;
        }
        if let Some(a) = &a {
            add(ex, a, 1).await?;
        }
    }
    let was_registered = before.and_then(|p| p.registered_on);
    if let (None, Some(d)) = (was_registered, after.registered_on) {
        bump_month(ex, after.region, &month_of(d), 1, 0).await?;
    }
    let was_withdrawn = before.and_then(|p| p.withdrawn_on);
    if let (None, Some(d)) = (was_withdrawn, after.withdrawn_on) {
        bump_month(ex, after.region, &month_of(d), 0, 1).await?;
    }
    Ok(())
}

/// Moves what an enterprise's products contribute (all of them, as they stand) to region `to`,
/// their registrations and withdrawals by month included: the enterprise moved. Every
/// contribution is taken out before any is put back, so that the distinct counts (the
/// enterprise, its patents) leave the old region and arrive in the new one.
pub async fn relocate(ex: &impl Exec, list: &[Product], to: RegionCode) -> Result<(), StoreError> {
    for p in list {
        if let Some(c) = contribution(p) {
            add(ex, &c, -1).await?;
        }
        if let Some(d) = p.registered_on {
            bump_month(ex, p.region, &month_of(d), -1, 0).await?;
        }
        if let Some(d) = p.withdrawn_on {
            bump_month(ex, p.region, &month_of(d), 0, -1).await?;
        }
    }
    // A month left with nothing in the old region is no longer one of its months.
    let mut left: Vec<RegionCode> = list
        .iter()
        .flat_map(|p| p.region.self_and_ancestors())
        .collect();
    left.sort_unstable();
    left.dedup();
    for r in left {
        ex.execute(
            Sql::new(
                "DELETE FROM stat_region_months WHERE region = $1 AND registered = 0 \
                 AND withdrawn = 0",
            )
            .bind(r),
        )
        .await?;
    }
    for p in list {
        let moved = Product {
            region: to,
            ..p.clone()
        };
        if let Some(c) = contribution(&moved) {
            add(ex, &c, 1).await?;
        }
        if let Some(d) = p.registered_on {
            bump_month(ex, to, &month_of(d), 1, 0).await?;
        }
        if let Some(d) = p.withdrawn_on {
            bump_month(ex, to, &month_of(d), 0, 1).await?;
        }
    }
    Ok(())
}

/// A region's totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub enterprises: i64,
    pub products: i64,
    pub patents: i64,
    pub sales_revenue: Money,
}

impl FromDbRow for Summary {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Summary {
            enterprises: row.get("enterprises")?,
            products: row.get("products")?,
            patents: row.get("patents")?,
            sales_revenue: Money::from_fen(row.get("sales_revenue")?),
        })
    }
}

/// The totals of a region's subtree: one row.
pub async fn summary(ex: &impl Exec, region: RegionCode) -> Result<Summary, StoreError> {
    Ok(ex
        .fetch_optional(
            Sql::new(
                "SELECT enterprises, products, patents, sales_revenue FROM stat_regions \
                 WHERE region = $1",
            )
            .bind(region),
        )
        .await?
        .unwrap_or_default())
}

/// One row of a breakdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// A region code, field code, qualification kind or month.
    pub key: String,
    pub enterprises: i64,
    pub products: i64,
    pub patents: i64,
    pub sales_revenue: Money,
    /// For months: registrations and withdrawals in that month.
    pub registered: i64,
    pub withdrawn: i64,
}

impl FromDbRow for Row {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Row {
            key: row.get("k")?,
            enterprises: row.get("enterprises")?,
            products: row.get("products")?,
            patents: row.get("patents")?,
            sales_revenue: Money::from_fen(row.get("sales_revenue")?),
            registered: row.get("registered")?,
            withdrawn: row.get("withdrawn")?,
        })
    }
}

/// The next level down inside a region (provinces of the nation, cities of a province,
/// counties of a city), each with its subtree's totals.
pub async fn by_region(ex: &impl Exec, region: RegionCode) -> Result<Vec<Row>, StoreError> {
    let child = match region.level() {
        RegionLevel::Nation => "province",
        RegionLevel::Province => "city",
        RegionLevel::City | RegionLevel::County => "county",
    };
    let (lo, hi) = region.subtree();
    ex.fetch_all(
        Sql::new(
            "SELECT CAST(region AS TEXT) AS k, enterprises, products, patents, sales_revenue, \
             CAST(0 AS BIGINT) AS registered, CAST(0 AS BIGINT) AS withdrawn FROM stat_regions \
             WHERE level = $1 AND region BETWEEN $2 AND $3 AND region <> $4 \
             ORDER BY products DESC, region",
        )
        .bind(child)
        .bind(i64::from(lo))
        .bind(i64::from(hi))
        .bind(region),
    )
    .await
}

/// Products and sales by field inside a region, one row per division (大类): a product whose
/// field is a group or class counts under the division above it.
pub async fn by_field(ex: &impl Exec, region: RegionCode) -> Result<Vec<Row>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT field AS k, CAST(0 AS BIGINT) AS enterprises, products, CAST(0 AS BIGINT) AS patents, sales_revenue, \
             CAST(0 AS BIGINT) AS registered, CAST(0 AS BIGINT) AS withdrawn FROM stat_region_fields \
             WHERE region = $1 AND products <> 0 ORDER BY products DESC, field",
        )
        .bind(region),
    )
    .await
}

/// Registrations and withdrawals per month inside a region, oldest first.
pub async fn by_month(ex: &impl Exec, region: RegionCode) -> Result<Vec<Row>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT month AS k, CAST(0 AS BIGINT) AS enterprises, CAST(0 AS BIGINT) AS products, CAST(0 AS BIGINT) AS patents, \
             CAST(0 AS BIGINT) AS sales_revenue, registered, withdrawn FROM stat_region_months \
             WHERE region = $1 ORDER BY month",
        )
        .bind(region),
    )
    .await
}

/// Enterprises with registered products, and those products, by qualification kind. Reads the
/// per-enterprise rollup joined to the qualifications (never the product table).
pub async fn by_qualification(ex: &impl Exec, region: RegionCode) -> Result<Vec<Row>, StoreError> {
    let (lo, hi) = region.subtree();
    ex.fetch_all(
        Sql::new(
            "SELECT q.kind AS k, COUNT(DISTINCT s.enterprise_id) AS enterprises, \
             CAST(SUM(s.products) AS BIGINT) AS products, CAST(0 AS BIGINT) AS patents, CAST(0 AS BIGINT) AS sales_revenue, \
             CAST(0 AS BIGINT) AS registered, CAST(0 AS BIGINT) AS withdrawn \
             FROM stat_enterprises s JOIN enterprise_qualifications q \
             ON q.enterprise_id = s.enterprise_id \
             WHERE s.region BETWEEN $1 AND $2 AND s.products > 0 \
             GROUP BY q.kind ORDER BY enterprises DESC, q.kind",
        )
        .bind(i64::from(lo))
        .bind(i64::from(hi)),
    )
    .await
}

const IN_FORCE: &str = "p.registered_on IS NOT NULL AND p.withdrawn_on IS NULL";
const LATEST_SALES: &str = "COALESCE((SELECT f.sales_revenue FROM product_figures f \
    WHERE f.product_id = p.id ORDER BY f.year DESC LIMIT 1), 0)";

/// The same totals counted directly from the base tables (a full GROUP BY): what the rollups
/// must always equal, and what the benchmark compares them with.
pub async fn direct_summary(ex: &impl Exec, region: RegionCode) -> Result<Summary, StoreError> {
    let (lo, hi) = region.subtree();
    let (lo, hi) = (i64::from(lo), i64::from(hi));
    let products: i64 = ex
        .fetch_one(
            Sql::new(format!(
                "SELECT COUNT(*) FROM products p WHERE {IN_FORCE} AND p.region BETWEEN $1 AND $2"
            ))
            .bind(lo)
            .bind(hi),
        )
        .await?;
    let enterprises: i64 = ex
        .fetch_one(
            Sql::new(format!(
                "SELECT COUNT(DISTINCT p.enterprise_id) FROM products p \
                 WHERE {IN_FORCE} AND p.region BETWEEN $1 AND $2"
            ))
            .bind(lo)
            .bind(hi),
        )
        .await?;
    let patents: i64 = ex
        .fetch_one(
            Sql::new(format!(
                "SELECT COUNT(DISTINCT pp.patent_id) FROM product_patents pp \
                 JOIN products p ON p.id = pp.product_id \
                 WHERE {IN_FORCE} AND p.region BETWEEN $1 AND $2"
            ))
            .bind(lo)
            .bind(hi),
        )
        .await?;
    let sales: i64 = ex
        .fetch_one(
            Sql::new(format!(
                "SELECT CAST(COALESCE(SUM({LATEST_SALES}), 0) AS BIGINT) FROM products p \
                 WHERE {IN_FORCE} AND p.region BETWEEN $1 AND $2"
            ))
            .bind(lo)
            .bind(hi),
        )
        .await?;
    Ok(Summary {
        enterprises,
        products,
        patents,
        sales_revenue: Money::from_fen(sales),
    })
}

/// The code length that groups a subtree's products by the next level down (provinces of the
/// nation, cities of a province, counties of a city) in integer arithmetic.
fn child_divisor(region: RegionCode) -> i64 {
    match region.level() {
        RegionLevel::Nation => 10_000,
        RegionLevel::Province => 100,
        RegionLevel::City | RegionLevel::County => 1,
    }
}

struct Counted(String, i64, i64, i64);
impl FromDbRow for Counted {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Counted(
            row.get("k")?,
            row.get("a")?,
            row.get("b")?,
            row.get("c")?,
        ))
    }
}

/// [`by_region`] counted directly from the base tables (a GROUP BY of the subtree's products and
/// links), for checking the rollups and for the benchmark. Ordered like [`by_region`].
pub async fn direct_by_region(ex: &impl Exec, region: RegionCode) -> Result<Vec<Row>, StoreError> {
    let (lo, hi) = region.subtree();
    let d = child_divisor(region);
    let counts: Vec<Counted> = ex
        .fetch_all(
            Sql::new(format!(
                "SELECT CAST((p.region / $3) * $3 AS TEXT) AS k, COUNT(*) AS a, \
                 COUNT(DISTINCT p.enterprise_id) AS b, \
                 CAST(COALESCE(SUM({LATEST_SALES}), 0) AS BIGINT) AS c \
                 FROM products p WHERE {IN_FORCE} AND p.region BETWEEN $1 AND $2 \
                 AND p.region <> $4 GROUP BY (p.region / $3) * $3"
            ))
            .bind(i64::from(lo))
            .bind(i64::from(hi))
            .bind(d)
            .bind(region),
        )
        .await?;
    let patents: Vec<Counted> = ex
        .fetch_all(
            Sql::new(format!(
                "SELECT CAST((p.region / $3) * $3 AS TEXT) AS k, \
                 COUNT(DISTINCT pp.patent_id) AS a, CAST(0 AS BIGINT) AS b, CAST(0 AS BIGINT) AS c \
                 FROM product_patents pp JOIN products p ON p.id = pp.product_id \
                 WHERE {IN_FORCE} AND p.region BETWEEN $1 AND $2 AND p.region <> $4 \
                 GROUP BY (p.region / $3) * $3"
            ))
            .bind(i64::from(lo))
            .bind(i64::from(hi))
            .bind(d)
            .bind(region),
        )
        .await?;
    let patents: std::collections::HashMap<String, i64> =
        patents.into_iter().map(|c| (c.0, c.1)).collect();
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|Counted(k, products, enterprises, sales)| Row {
            patents: patents.get(&k).copied().unwrap_or(0),
            key: k,
            enterprises,
            products,
            sales_revenue: Money::from_fen(sales),
            registered: 0,
            withdrawn: 0,
        })
        .collect();
    rows.sort_by(|a, b| b.products.cmp(&a.products).then(a.key.cmp(&b.key)));
    Ok(rows)
}

/// [`by_field`] counted directly from the base tables. Ordered like [`by_field`].
pub async fn direct_by_field(ex: &impl Exec, region: RegionCode) -> Result<Vec<Row>, StoreError> {
    let (lo, hi) = region.subtree();
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {FIELD_KEY_SQL} AS k, CAST(0 AS BIGINT) AS enterprises, COUNT(*) AS products, \
             CAST(0 AS BIGINT) AS patents, \
             CAST(COALESCE(SUM({LATEST_SALES}), 0) AS BIGINT) AS sales_revenue, \
             CAST(0 AS BIGINT) AS registered, CAST(0 AS BIGINT) AS withdrawn \
             FROM products p WHERE {IN_FORCE} AND p.region BETWEEN $1 AND $2 \
             GROUP BY {FIELD_KEY_SQL} ORDER BY COUNT(*) DESC, {FIELD_KEY_SQL}"
        ))
        .bind(i64::from(lo))
        .bind(i64::from(hi)),
    )
    .await
}

/// [`by_month`] counted directly from the base tables. Ordered like [`by_month`].
pub async fn direct_by_month(ex: &impl Exec, region: RegionCode) -> Result<Vec<Row>, StoreError> {
    let (lo, hi) = region.subtree();
    let cells: Vec<Counted> = ex
        .fetch_all(
            Sql::new(
                "SELECT m AS k, CAST(SUM(r) AS BIGINT) AS a, CAST(SUM(w) AS BIGINT) AS b, \
                 CAST(0 AS BIGINT) AS c FROM ( \
                 SELECT substr(registered_on, 1, 7) AS m, 1 AS r, 0 AS w FROM products \
                 WHERE registered_on IS NOT NULL AND region BETWEEN $1 AND $2 \
                 UNION ALL \
                 SELECT substr(withdrawn_on, 1, 7) AS m, 0 AS r, 1 AS w FROM products \
                 WHERE withdrawn_on IS NOT NULL AND region BETWEEN $1 AND $2) t \
                 GROUP BY m ORDER BY m",
            )
            .bind(i64::from(lo))
            .bind(i64::from(hi)),
        )
        .await?;
    Ok(cells
        .into_iter()
        .map(|Counted(k, registered, withdrawn, _)| Row {
            key: k,
            enterprises: 0,
            products: 0,
            patents: 0,
            sales_revenue: Money::from_fen(0),
            registered,
            withdrawn,
        })
        .collect())
}

struct Cell(i64, String, i64, i64);
impl FromDbRow for Cell {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Cell(
            row.get("region")?,
            row.get("k")?,
            row.get("n")?,
            row.get("s")?,
        ))
    }
}

/// Rebuilds every rollup from the base tables (after a bulk load, or when a database that
/// predates them is migrated). Run it inside a transaction.
pub async fn rebuild(ex: &impl Exec) -> Result<(), StoreError> {
    for t in [
        "stat_regions",
        "stat_region_fields",
        "stat_region_months",
        "stat_enterprises",
        "stat_patents",
    ] {
        ex.execute(Sql::new(format!("DELETE FROM {t}"))).await?;
    }
    ex.execute(Sql::new(format!(
        "INSERT INTO stat_enterprises (enterprise_id, region, products) \
         SELECT p.enterprise_id, MIN(p.region), COUNT(*) FROM products p WHERE {IN_FORCE} \
         GROUP BY p.enterprise_id"
    )))
    .await?;
    ex.execute(Sql::new(format!(
        "INSERT INTO stat_patents (patent_id, region, products) \
         SELECT pp.patent_id, MIN(p.region), COUNT(*) FROM product_patents pp \
         JOIN products p ON p.id = pp.product_id WHERE {IN_FORCE} GROUP BY pp.patent_id"
    )))
    .await?;
    // Per county (the products' own regions), then added up the tree here.
    let fields: Vec<Cell> = ex
        .fetch_all(Sql::new(format!(
            "SELECT p.region AS region, p.field AS k, COUNT(*) AS n, \
             CAST(COALESCE(SUM({LATEST_SALES}), 0) AS BIGINT) AS s FROM products p WHERE {IN_FORCE} \
             GROUP BY p.region, p.field"
        )))
        .await?;
    let enterprises: Vec<Cell> = ex
        .fetch_all(Sql::new(
            "SELECT region, '' AS k, COUNT(*) AS n, CAST(0 AS BIGINT) AS s FROM stat_enterprises GROUP BY region",
        ))
        .await?;
    let patents: Vec<Cell> = ex
        .fetch_all(Sql::new(
            "SELECT region, '' AS k, COUNT(*) AS n, CAST(0 AS BIGINT) AS s FROM stat_patents GROUP BY region",
        ))
        .await?;
    let months: Vec<Cell> = ex
        .fetch_all(Sql::new(
            "SELECT p.region AS region, substr(p.registered_on, 1, 7) AS k, COUNT(*) AS n, \
             CAST(0 AS BIGINT) AS s FROM products p WHERE p.registered_on IS NOT NULL \
             GROUP BY p.region, substr(p.registered_on, 1, 7)",
        ))
        .await?;
    let withdrawals: Vec<Cell> = ex
        .fetch_all(Sql::new(
            "SELECT p.region AS region, substr(p.withdrawn_on, 1, 7) AS k, COUNT(*) AS n, \
             CAST(0 AS BIGINT) AS s FROM products p WHERE p.withdrawn_on IS NOT NULL \
             GROUP BY p.region, substr(p.withdrawn_on, 1, 7)",
        ))
        .await?;
    use std::collections::BTreeMap;
    let up = |code: i64| {
        RegionCode::from_u32(code as u32)
            .map(|r| r.self_and_ancestors().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let mut regions: BTreeMap<RegionCode, [i64; 4]> = BTreeMap::new();
    let mut by_field: BTreeMap<(RegionCode, String), [i64; 2]> = BTreeMap::new();
    for Cell(r, f, n, s) in &fields {
        for a in up(*r) {
            let e = regions.entry(a).or_default();
            e[1] += n;
            e[3] += s;
            let e = by_field.entry((a, field_key(f))).or_default();
            e[0] += n;
            e[1] += s;
        }
    }
    for (cells, slot) in [(&enterprises, 0), (&patents, 2)] {
        for Cell(r, _, n, _) in cells.iter() {
            for a in up(*r) {
                regions.entry(a).or_default()[slot] += n;
            }
        }
    }
    let mut by_month: BTreeMap<(RegionCode, String), [i64; 2]> = BTreeMap::new();
    for (cells, slot) in [(&months, 0), (&withdrawals, 1)] {
        for Cell(r, m, n, _) in cells.iter() {
            for a in up(*r) {
                by_month.entry((a, m.clone())).or_default()[slot] += n;
            }
        }
    }
    for (r, [e, p, pt, s]) in regions {
        ex.execute(
            Sql::new(
                "INSERT INTO stat_regions (region, level, enterprises, products, patents, \
                 sales_revenue) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(r)
            .bind(level_name(r))
            .bind(e)
            .bind(p)
            .bind(pt)
            .bind(s),
        )
        .await?;
    }
    for ((r, f), [n, s]) in by_field {
        ex.execute(
            Sql::new(
                "INSERT INTO stat_region_fields (region, field, products, sales_revenue) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(r)
            .bind(f)
            .bind(n)
            .bind(s),
        )
        .await?;
    }
    for ((r, m), [reg, wd]) in by_month {
        ex.execute(
            Sql::new(
                "INSERT INTO stat_region_months (region, month, registered, withdrawn) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(r)
            .bind(m)
            .bind(reg)
            .bind(wd),
        )
        .await?;
    }
    Ok(())
}
