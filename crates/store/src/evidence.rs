//! Uploaded evidence (证明材料), one store for every record that asks for it (migration 41):
//! a file kept as it was uploaded, with its name, the type read from its own bytes (by the
//! service, never from the name) and its size. A record holds the evidence's id; lists read
//! the name, type and size by a join and never load the bytes.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::StoreError;
use zhichan_domain::Timestamp;

/// A file to keep: its name, the type it is served as, its bytes.
#[derive(Clone, Copy, Debug)]
pub struct NewEvidence<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// A kept file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl FromDbRow for Evidence {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Evidence {
            name: row.get("name")?,
            content_type: row.get("content_type")?,
            bytes: row.get("bytes")?,
        })
    }
}

/// Keeps a file; its id (for the record that refers to it, in the same transaction).
pub async fn put(ex: &impl Exec, e: NewEvidence<'_>, now: Timestamp) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO evidence (name, content_type, size, bytes, stored_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(e.name)
        .bind(e.content_type)
        .bind(e.bytes.len() as i64)
        .bind(e.bytes.to_vec())
        .bind(now),
    )
    .await
}

/// The file `id` refers to.
pub async fn get(ex: &impl Exec, id: i64) -> Result<Option<Evidence>, StoreError> {
    ex.fetch_optional(
        Sql::new("SELECT name, content_type, bytes FROM evidence WHERE id = $1").bind(id),
    )
    .await
}

/// The file of the record of `table` (a table with an `evidence_id` column) whose id is `id`.
pub async fn of_record(
    ex: &impl Exec,
    table: Table,
    id: i64,
) -> Result<Option<Evidence>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT ev.name, ev.content_type, ev.bytes FROM {} r \
             JOIN evidence ev ON ev.id = r.evidence_id WHERE r.id = $1",
            table.name()
        ))
        .bind(id),
    )
    .await
}

/// The tables whose records refer to evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Declarations,
    Verifications,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Declarations => "declarations",
            Table::Verifications => "verifications",
        }
    }
}
