//! Queries on the GB/T 4754-2017 industry classification.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::StoreError;
use zhichan_domain::{IndustryCode, IndustryLevel};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Industry {
    pub code: IndustryCode,
    pub name: String,
    pub level: IndustryLevel,
    pub parent: Option<IndustryCode>,
    pub active: bool,
}

impl FromDbRow for Industry {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let bad = |v: String| StoreError::ReferenceData("industries", v);
        let code: String = row.get("code")?;
        let level: String = row.get("level")?;
        let parent: Option<String> = row.get("parent")?;
        Ok(Industry {
            code: IndustryCode::parse(&code).map_err(|_| bad(code.clone()))?,
            name: row.get("name")?,
            level: level.parse().map_err(|_| bad(level.clone()))?,
            parent: parent
                .map(|p| IndustryCode::parse(&p).map_err(|_| bad(p.clone())))
                .transpose()?,
            active: row.get("active")?,
        })
    }
}

const COLUMNS: &str = "code, name, level, parent, active";

pub async fn get(ex: &impl Exec, code: &IndustryCode) -> Result<Option<Industry>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!("SELECT {COLUMNS} FROM industries WHERE code = $1")).bind(code.as_str()),
    )
    .await
}

/// The codes directly below `parent`, or the 20 sections when `parent` is `None`.
pub async fn children(
    ex: &impl Exec,
    parent: Option<&IndustryCode>,
) -> Result<Vec<Industry>, StoreError> {
    let sql = match parent {
        Some(p) => Sql::new(format!(
            "SELECT {COLUMNS} FROM industries WHERE parent = $1 AND active ORDER BY code"
        ))
        .bind(p.as_str()),
        None => Sql::new(format!(
            "SELECT {COLUMNS} FROM industries WHERE parent IS NULL AND active ORDER BY code"
        )),
    };
    ex.fetch_all(sql).await
}

/// The industries of the given codes (a page's worth), in one query.
pub async fn by_codes(ex: &impl Exec, codes: &[&str]) -> Result<Vec<Industry>, StoreError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let list = (1..=codes.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = Sql::new(format!(
        "SELECT {COLUMNS} FROM industries WHERE code IN ({list})"
    ));
    for c in codes {
        q.push_param(*c);
    }
    ex.fetch_all(q).await
}

/// Active codes whose name contains `fragment` or whose code starts with it (a section letter
/// is taken as its section), broadest first, at most `limit`: what a picker offers.
pub async fn search(
    ex: &impl Exec,
    fragment: &str,
    limit: i64,
) -> Result<Vec<Industry>, StoreError> {
    let clean = fragment.replace(['%', '_'], "");
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM industries WHERE active AND (name LIKE $1 OR code LIKE $2) \
             ORDER BY LENGTH(code), code LIMIT $3"
        ))
        .bind(format!("%{clean}%"))
        .bind(format!("{}%", clean.to_uppercase()))
        .bind(limit),
    )
    .await
}

/// Active codes named exactly `name`.
pub async fn named(ex: &impl Exec, name: &str) -> Result<Vec<Industry>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM industries WHERE active AND name = $1 ORDER BY code"
        ))
        .bind(name),
    )
    .await
}
