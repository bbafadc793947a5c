//! Queries on the GB/T 2260 region tree, and the subtree clause every scoped query uses.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::StoreError;
use zhichan_domain::{RegionCode, RegionLevel};

/// A row of the region tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<RegionCode>,
    /// False when the current edition of GB/T 2260 no longer lists it.
    pub active: bool,
}

fn code_of(n: i64) -> Result<RegionCode, StoreError> {
    u32::try_from(n)
        .ok()
        .and_then(RegionCode::from_u32)
        .ok_or_else(|| StoreError::ReferenceData("regions", format!("stored code {n}")))
}

impl FromDbRow for Region {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let level: String = row.get("level")?;
        Ok(Region {
            code: code_of(row.get("code")?)?,
            name: row.get("name")?,
            level: level
                .parse()
                .map_err(|_| StoreError::ReferenceData("regions", level))?,
            parent: row.get::<Option<i64>>("parent")?.map(code_of).transpose()?,
            active: row.get("active")?,
        })
    }
}

const COLUMNS: &str = "code, name, level, parent, active";

/// `column BETWEEN $n AND $n+1`, with both bounds bound on `sql`: how a query limits itself to
/// a region's subtree, answerable from an index on the region column. Products, whose lists also
/// filter by status and field, are narrowed by [`by_level`] instead.
pub fn within(sql: &mut Sql, column: &str, region: RegionCode, first_param: usize) -> String {
    let (lo, hi) = region.subtree();
    sql.push_param(lo);
    sql.push_param(hi);
    format!("{column} BETWEEN ${first_param} AND ${}", first_param + 1)
}

/// The products of a region's subtree as the index of its level reads them: a province's products are those whose
/// code divided by 10,000 is the province's, a city's those divided by 100 (one key each in
/// `products_scope_province` and `products_scope_city`), a county's its own code; the nation
/// needs no condition.
pub(crate) fn by_level(
    r: RegionCode,
    bind: &mut dyn FnMut(crate::Param) -> String,
) -> Option<String> {
    let code = i64::from(r.subtree().0);
    Some(match r.level() {
        RegionLevel::Nation => return None,
        RegionLevel::Province => format!("region / 10000 = {}", bind((code / 10_000).into())),
        RegionLevel::City => format!("region / 100 = {}", bind((code / 100).into())),
        RegionLevel::County => format!("region = {}", bind(code.into())),
    })
}

pub async fn get(ex: &impl Exec, code: RegionCode) -> Result<Option<Region>, StoreError> {
    ex.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM regions WHERE code = $1")).bind(code))
        .await
}

/// The regions directly below `code` that the current edition lists, by code.
pub async fn children(ex: &impl Exec, code: RegionCode) -> Result<Vec<Region>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM regions WHERE parent = $1 AND active ORDER BY code"
        ))
        .bind(code),
    )
    .await
}

/// The nation, then each level down to `code` itself (empty if the code is unknown).
pub async fn path(ex: &impl Exec, code: RegionCode) -> Result<Vec<Region>, StoreError> {
    let chain: Vec<RegionCode> = code.self_and_ancestors().collect();
    let marks: Vec<String> = (1..=chain.len()).map(|i| format!("${i}")).collect();
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM regions WHERE code IN ({}) ORDER BY code",
        marks.join(", ")
    ));
    for c in &chain {
        sql.push_param(*c);
    }
    let mut rows: Vec<Region> = ex.fetch_all(sql).await?;
    if rows.iter().all(|r| r.code != code) {
        return Ok(Vec::new());
    }
    // The nation's code (100000) sorts below every province but above none of their children.
    rows.sort_by_key(|r| r.level);
    Ok(rows)
}

/// Regions whose name contains `fragment`, most senior first, at most `limit`.
pub async fn search(ex: &impl Exec, fragment: &str, limit: i64) -> Result<Vec<Region>, StoreError> {
    let pattern = format!("%{}%", fragment.replace(['%', '_'], ""));
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM regions WHERE name LIKE $1 AND active \
             ORDER BY code LIMIT $2"
        ))
        .bind(pattern)
        .bind(limit),
    )
    .await
}

/// How many active regions each level holds.
pub async fn count_by_level(ex: &impl Exec) -> Result<Vec<(RegionLevel, i64)>, StoreError> {
    struct LevelCount(RegionLevel, i64);
    impl FromDbRow for LevelCount {
        fn from_row(row: &DbRow) -> Result<Self, StoreError> {
            let level: String = row.get("level")?;
            Ok(LevelCount(
                level
                    .parse()
                    .map_err(|_| StoreError::ReferenceData("regions", level))?,
                row.get("n")?,
            ))
        }
    }
    let rows: Vec<LevelCount> = ex
        .fetch_all(Sql::new(
            "SELECT level, COUNT(*) AS n FROM regions WHERE active GROUP BY level",
        ))
        .await?;
    let mut out: Vec<(RegionLevel, i64)> = rows.into_iter().map(|r| (r.0, r.1)).collect();
    out.sort();
    Ok(out)
}

/// Active regions of `root`'s subtree (the root itself included) whose name contains `fragment`
/// or whose code starts with it, most senior first, at most `limit`: what a picker offers.
pub async fn search_within(
    ex: &impl Exec,
    fragment: &str,
    root: RegionCode,
    limit: i64,
) -> Result<Vec<Region>, StoreError> {
    let clean = fragment.replace(['%', '_'], "");
    let (lo, hi) = root.subtree();
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM regions WHERE active AND code BETWEEN $3 AND $4 \
             AND (name LIKE $1 OR CAST(code AS TEXT) LIKE $2) \
             ORDER BY level <> 'nation', level <> 'province', level <> 'city', code LIMIT $5"
        ))
        .bind(format!("%{clean}%"))
        .bind(format!("{clean}%"))
        .bind(lo)
        .bind(hi)
        .bind(limit),
    )
    .await
}

/// Active regions of `root`'s subtree whose name ends `text` ("临川区" for "抚州市临川区"):
/// the candidates when a person types a name rather than a code.
pub async fn named_at_end_of(
    ex: &impl Exec,
    text: &str,
    root: RegionCode,
) -> Result<Vec<Region>, StoreError> {
    let (lo, hi) = root.subtree();
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM regions WHERE active AND code BETWEEN $2 AND $3 \
             AND $1 LIKE ('%' || name) ORDER BY code LIMIT 50"
        ))
        .bind(text.to_string())
        .bind(lo)
        .bind(hi),
    )
    .await
}

/// Every active region's code and name: what an import reads issuers' names against.
pub async fn names(ex: &impl Exec) -> Result<Vec<(RegionCode, String)>, StoreError> {
    let rows: Vec<Region> = ex
        .fetch_all(Sql::new(format!(
            "SELECT {COLUMNS} FROM regions WHERE active ORDER BY code"
        )))
        .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.name)).collect())
}
