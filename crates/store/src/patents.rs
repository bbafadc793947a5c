//! The patents of each enterprise.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::StoreError;
use zhichan_domain::enterprises::{format_date, parse_date};
use zhichan_domain::patents::{LegalStatus, PatentRight};
use zhichan_domain::{PatentNumber, Timestamp};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patent {
    pub id: i64,
    pub enterprise_id: i64,
    pub number: PatentNumber,
    pub title: String,
    /// In the order the certificate lists them.
    pub patentees: Vec<String>,
    pub grant_date: Option<time::Date>,
    pub legal_status: LegalStatus,
    pub right: PatentRight,
    pub licence_record: String,
    /// When the legal status last changed.
    pub status_since: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// Patentees are stored joined by a character no name contains.
const SEP: char = '\u{1f}';

/// A patent as stored, its text columns not yet parsed: read from a row, or from the JSON a
/// product read carries its linked patents in (a JSON array in column order).
#[derive(serde::Deserialize)]
pub(crate) struct Stored {
    id: i64,
    enterprise_id: i64,
    number: String,
    title: String,
    patentees: String,
    grant_date: Option<String>,
    legal_status: String,
    patent_right: String,
    licence_record: String,
    status_since: String,
    created_at: String,
    updated_at: String,
    version: i64,
}

/// The JSON array expression that [`Stored`] reads, over patents aliased `alias`: the engine's
/// array function (`json_array` on SQLite, `json_build_array` on PostgreSQL) is `array`.
pub(crate) fn json_of(array: &str, alias: &str) -> String {
    crate::db::json_array_of(array, alias, COLUMNS)
}

impl TryFrom<Stored> for Patent {
    type Error = StoreError;

    fn try_from(s: Stored) -> Result<Self, StoreError> {
        let bad = |what: &str, v: &str| StoreError::Corrupt(format!("{what}: {v}"));
        let time = |what: &str, v: &str| Timestamp::parse(v).ok_or_else(|| bad(what, v));
        Ok(Patent {
            id: s.id,
            enterprise_id: s.enterprise_id,
            number: PatentNumber::parse(&s.number).map_err(|_| bad("number", &s.number))?,
            title: s.title,
            patentees: s
                .patentees
                .split(SEP)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            grant_date: s
                .grant_date
                .map(|g| parse_date(&g).ok_or_else(|| bad("grant_date", &g)))
                .transpose()?,
            legal_status: LegalStatus::parse(&s.legal_status)
                .map_err(|_| bad("legal_status", &s.legal_status))?,
            right: PatentRight::parse(&s.patent_right)
                .map_err(|_| bad("patent_right", &s.patent_right))?,
            licence_record: s.licence_record,
            status_since: time("status_since", &s.status_since)?,
            created_at: time("created_at", &s.created_at)?,
            updated_at: time("updated_at", &s.updated_at)?,
            version: s.version,
        })
    }
}

impl FromDbRow for Patent {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Stored {
            id: row.get("id")?,
            enterprise_id: row.get("enterprise_id")?,
            number: row.get("number")?,
            title: row.get("title")?,
            patentees: row.get("patentees")?,
            grant_date: row.get("grant_date")?,
            legal_status: row.get("legal_status")?,
            patent_right: row.get("patent_right")?,
            licence_record: row.get("licence_record")?,
            status_since: row.get("status_since")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
            version: row.get("version")?,
        }
        .try_into()
    }
}

const COLUMNS: &str = "id, enterprise_id, number, title, patentees, grant_date, legal_status, \
    patent_right, licence_record, status_since, created_at, updated_at, version";

fn joined(p: &Patent) -> String {
    p.patentees.join(&SEP.to_string())
}

/// Adds a patent to an enterprise; the same number twice is [`StoreError::Unique`].
pub async fn insert(ex: &impl Exec, p: &Patent, now: Timestamp) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO patents (enterprise_id, number, patent_type, title, patentees, \
             grant_date, legal_status, patent_right, licence_record, status_since, created_at, \
             updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10, 1) \
             RETURNING id",
        )
        .bind(p.enterprise_id)
        .bind(p.number.digits())
        .bind(p.number.patent_type().as_str())
        .bind(p.title.as_str())
        .bind(joined(p))
        .bind(p.grant_date.map(format_date))
        .bind(p.legal_status.as_str())
        .bind(p.right.as_str())
        .bind(p.licence_record.as_str())
        .bind(now),
    )
    .await
}

/// Saves a changed patent if it is still at `version`; the new version, or `None` if someone
/// saved first.
pub async fn update(
    ex: &impl Exec,
    p: &Patent,
    version: i64,
    status_changed: bool,
    now: Timestamp,
) -> Result<Option<i64>, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE patents SET title = $1, patentees = $2, grant_date = $3, legal_status = $4, \
                 patent_right = $5, licence_record = $6, \
                 status_since = CASE WHEN $7 THEN $8 ELSE status_since END, \
                 updated_at = $8, version = version + 1 WHERE id = $9 AND version = $10",
            )
            .bind(p.title.as_str())
            .bind(joined(p))
            .bind(p.grant_date.map(format_date))
            .bind(p.legal_status.as_str())
            .bind(p.right.as_str())
            .bind(p.licence_record.as_str())
            .bind(status_changed)
            .bind(now)
            .bind(p.id)
            .bind(version),
        )
        .await?;
    if n == 0 {
        return Ok(None);
    }
    // What the products linked to it answer names the patent: written again by the caller.
    crate::products::forget_documents_of_patent(ex, p.id).await?;
    Ok(Some(version + 1))
}

pub async fn by_number(
    ex: &impl Exec,
    enterprise_id: i64,
    number: &PatentNumber,
) -> Result<Option<Patent>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM patents WHERE enterprise_id = $1 AND number = $2"
        ))
        .bind(enterprise_id)
        .bind(number.digits()),
    )
    .await
}

/// An enterprise's patents, newest application first.
pub async fn of_enterprise(ex: &impl Exec, enterprise_id: i64) -> Result<Vec<Patent>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM patents WHERE enterprise_id = $1 ORDER BY number DESC"
        ))
        .bind(enterprise_id),
    )
    .await
}

/// The patents with these ids.
pub async fn by_ids(ex: &impl Exec, ids: &[i64]) -> Result<Vec<Patent>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM patents WHERE id IN ({}) ORDER BY id",
        marks.join(", ")
    ));
    for id in ids {
        sql.push_param(*id);
    }
    ex.fetch_all(sql).await
}
