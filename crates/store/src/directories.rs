//! Key-enterprise directories (重点名录) and the rows coverage is computed from.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{region_opt, ts};
use crate::StoreError;
use zhichan_domain::{RegionCode, Timestamp};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directory {
    pub id: i64,
    pub region: RegionCode,
    pub name: String,
    pub file_name: String,
    pub listed: i64,
    pub created_by: String,
    pub created_at: Timestamp,
}

impl FromDbRow for Directory {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Directory {
            id: row.get("id")?,
            region: region_opt(row, "region")?
                .ok_or_else(|| StoreError::Corrupt("directory without region".into()))?,
            name: row.get("name")?,
            file_name: row.get("file_name")?,
            listed: row.get("listed")?,
            created_by: row.get("created_by")?,
            created_at: ts(row, "created_at")?,
        })
    }
}

/// One listed enterprise as imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub row_number: i64,
    pub credit_code: String,
    pub name: String,
    pub category: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
}

const COLUMNS: &str = "id, region, name, file_name, listed, created_by, created_at";

/// Stores a directory and its entries (inside the caller's transaction); answers its id.
pub async fn insert(
    ex: &impl Exec,
    region: RegionCode,
    name: &str,
    file_name: &str,
    entries: &[Entry],
    created_by: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let id: i64 = ex
        .fetch_one(
            Sql::new(
                "INSERT INTO directories (region, name, file_name, listed, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(region)
            .bind(name)
            .bind(file_name)
            .bind(entries.len() as i64)
            .bind(created_by)
            .bind(now),
        )
        .await?;
    // Multi-row inserts, a few hundred rows per statement.
    for chunk in entries.chunks(200) {
        let mut values = Vec::with_capacity(chunk.len());
        for (i, _) in chunk.iter().enumerate() {
            let b = i * 6;
            values.push(format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
        }
        let mut q = Sql::new(format!(
            "INSERT INTO directory_entries (directory_id, row_number, credit_code, name, \
             category, deadline) VALUES {}",
            values.join(", ")
        ));
        for e in chunk {
            q.push_param(id);
            q.push_param(e.row_number);
            q.push_param(e.credit_code.as_str());
            q.push_param(e.name.as_str());
            q.push_param(e.category.as_str());
            q.push_param(e.deadline.as_str());
        }
        ex.execute(q).await?;
    }
    Ok(id)
}

pub async fn by_id(ex: &impl Exec, id: i64) -> Result<Option<Directory>, StoreError> {
    ex.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM directories WHERE id = $1")).bind(id))
        .await
}

/// The directories of every region inside `within` (a subtree), newest first.
pub async fn within(ex: &impl Exec, within: RegionCode) -> Result<Vec<Directory>, StoreError> {
    let (lo, hi) = within.subtree();
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM directories WHERE region BETWEEN $1 AND $2 ORDER BY id DESC"
        ))
        .bind(i64::from(lo))
        .bind(i64::from(hi)),
    )
    .await
}

/// The keys a directory list sorts by, and their columns.
pub const SORT_COLUMNS: &[(&str, &str)] = &[
    ("name", "name"),
    ("created", "created_at"),
    ("listed", "listed"),
];

/// One page of the directories inside `within`, in the order a person chose (newest first when
/// `None`), and how many there are in all.
pub async fn within_sorted(
    ex: &impl Exec,
    within: RegionCode,
    order: Option<crate::sorting::Order>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Directory>, i64), StoreError> {
    let order = order
        .and_then(|o| o.sql(SORT_COLUMNS, "id"))
        .unwrap_or_else(|| "id DESC".into());
    let (lo, hi) = within.subtree();
    let list = ex
        .fetch_all(
            Sql::new(format!(
                "SELECT {COLUMNS} FROM directories WHERE region BETWEEN $1 AND $2 \
                 ORDER BY {order} LIMIT $3 OFFSET $4"
            ))
            .bind(i64::from(lo))
            .bind(i64::from(hi))
            .bind(limit)
            .bind(offset),
        )
        .await?;
    let total = ex
        .fetch_one(
            Sql::new("SELECT COUNT(*) FROM directories WHERE region BETWEEN $1 AND $2")
                .bind(i64::from(lo))
                .bind(i64::from(hi)),
        )
        .await?;
    Ok((list, total))
}

/// An entry with what the platform knows of its enterprise and whether it is covered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageRow {
    pub entry: Entry,
    pub enterprise_id: Option<i64>,
    pub region: Option<RegionCode>,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    /// The first registration that counts for the deadline.
    pub covered_on: Option<String>,
}

impl FromDbRow for CoverageRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(CoverageRow {
            entry: Entry {
                row_number: row.get("row_number")?,
                credit_code: row.get("credit_code")?,
                name: row.get("name")?,
                category: row.get("category")?,
                deadline: row.get("deadline")?,
            },
            enterprise_id: row.get("enterprise_id")?,
            region: region_opt(row, "region")?,
            contact_name: row
                .get::<Option<String>>("contact_name")?
                .unwrap_or_default(),
            contact_phone: row
                .get::<Option<String>>("contact_phone")?
                .unwrap_or_default(),
            contact_email: row
                .get::<Option<String>>("contact_email")?
                .unwrap_or_default(),
            covered_on: row.get("covered_on")?,
        })
    }
}

/// Every entry of a directory with its coverage: an enterprise is covered when it has a
/// product registered by the deadline and not withdrawn by then. One indexed look-up per
/// entry (the products of that enterprise), never a scan of the product table.
pub async fn coverage(ex: &impl Exec, id: i64) -> Result<Vec<CoverageRow>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT d.row_number, d.credit_code, d.name, d.category, d.deadline, \
             e.id AS enterprise_id, e.region AS region, e.contact_name, e.contact_phone, \
             e.contact_email, \
             (SELECT MIN(p.registered_on) FROM products p WHERE p.enterprise_id = e.id \
              AND p.registered_on IS NOT NULL AND p.registered_on <= d.deadline \
              AND (p.withdrawn_on IS NULL OR p.withdrawn_on > d.deadline)) AS covered_on \
             FROM directory_entries d LEFT JOIN enterprises e ON e.credit_code = d.credit_code \
             WHERE d.directory_id = $1 ORDER BY d.row_number",
        )
        .bind(id),
    )
    .await
}
