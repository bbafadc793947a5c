//! The bulk path for large loads: rows gathered per table and written in a few large steps —
//! `COPY … FROM STDIN (FORMAT csv)` on PostgreSQL, multi-row INSERTs on SQLite — or kept as CSV
//! files with every column of the table in its order (what `sqlite3 .import` and `psql \copy`
//! read, so that the raw limit of an engine can be measured on the very same rows).

use crate::db::{Backend, Exec, Param, Sql, Tx};
use crate::StoreError;
use std::io::Write;

/// Parameters per INSERT statement on SQLite (its limit is 32,766). They are anonymous (`?`):
/// sqlx looks the name of every `$N` up in a list as long as the statement's, which makes a
/// large statement's binding quadratic, while an anonymous one has no name to look up.
const PARAMS_PER_STATEMENT: usize = 4_000;

/// Appends one row as a CSV line: NULL is an empty unquoted field, text is always quoted (so an
/// empty string stays an empty string), booleans are `1`/`0` (both engines read those).
pub fn encode_csv(row: &[Param], out: &mut Vec<u8>) {
    for (i, p) in row.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match p {
            Param::Null(_) => {}
            Param::Bool(b) => out.push(if *b { b'1' } else { b'0' }),
            Param::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Param::Text(s) => {
                out.push(b'"');
                for b in s.bytes() {
                    if b == b'"' {
                        out.push(b'"');
                    }
                    out.push(b);
                }
                out.push(b'"');
            }
            // Hex as PostgreSQL's bytea input reads it; the bulk tables hold no blobs.
            Param::Bytes(v) => {
                out.extend_from_slice(b"\"\\x");
                for b in v {
                    let _ = write!(out, "{b:02x}");
                }
                out.push(b'"');
            }
        }
    }
    out.push(b'\n');
}

/// One table's rows on their way in. `columns` are all the table's columns in their order.
pub struct Batch {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    rows: Vec<Vec<Param>>,
}

impl Batch {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Batch {
        Batch {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Param>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.table);
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes the rows gathered so far into the database inside `tx`, and forgets them.
    pub async fn flush(&mut self, tx: &Tx) -> Result<u64, StoreError> {
        if self.rows.is_empty() {
            return Ok(0);
        }
        let n = match tx.backend() {
            Backend::Postgres => {
                let mut data = Vec::with_capacity(self.rows.len() * 96);
                for row in &self.rows {
                    encode_csv(row, &mut data);
                }
                tx.copy_csv(self.table, self.columns, &data).await?
            }
            Backend::Sqlite => {
                let width = self.columns.len();
                let mut n = 0;
                for chunk in self.rows.chunks((PARAMS_PER_STATEMENT / width).max(1)) {
                    let mut text = format!(
                        "INSERT INTO {} ({}) VALUES ",
                        self.table,
                        self.columns.join(", ")
                    );
                    let row = format!("({})", vec!["?"; width].join(", "));
                    for i in 0..chunk.len() {
                        if i > 0 {
                            text.push_str(", ");
                        }
                        text.push_str(&row);
                    }
                    let mut q = Sql::new(text);
                    for row in chunk {
                        for p in row {
                            q.push_param(p.clone());
                        }
                    }
                    n += tx.execute(q).await?;
                }
                n
            }
        };
        self.rows.clear();
        Ok(n)
    }

    /// Appends the rows gathered so far to a CSV file, and forgets them.
    pub fn write_csv(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        let mut data = Vec::with_capacity(self.rows.len() * 96);
        for row in &self.rows {
            encode_csv(row, &mut data);
        }
        out.write_all(&data)?;
        self.rows.clear();
        Ok(())
    }
}

/// Moves PostgreSQL's identity sequence of `table` past the largest id a bulk load wrote
/// (nothing to do on SQLite, where the next rowid follows the largest).
pub async fn advance_ids(ex: &impl Exec, table: &str) -> Result<(), StoreError> {
    if ex.backend() == Backend::Postgres {
        ex.execute(Sql::new(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )))
        .await?;
    }
    Ok(())
}

/// Refreshes the query planner's statistics after a bulk load (without them SQLite may pick an
/// index by status over one by region for a region's list). PostgreSQL also vacuums, which marks
/// the new pages all-visible so that counts are answered from the indexes alone, instead of
/// waiting for autovacuum to do it in the middle of the day's work.
pub async fn analyze(ex: &impl Exec) -> Result<(), StoreError> {
    let sql = match ex.backend() {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM (ANALYZE)",
    };
    ex.execute(Sql::new(sql)).await.map(|_| ())
}

/// The columns of a table in their order, as the database reports them.
pub async fn table_columns(ex: &impl Exec, table: &str) -> Result<Vec<String>, StoreError> {
    match ex.backend() {
        Backend::Sqlite => {
            ex.fetch_all(Sql::new(format!(
                "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
            )))
            .await
        }
        Backend::Postgres => {
            ex.fetch_all(
                Sql::new(
                    "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                )
                .bind(table),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::NullOf;

    #[test]
    fn csv_keeps_null_apart_from_the_empty_string() {
        let mut out = Vec::new();
        encode_csv(
            &[
                Param::Int(7),
                Param::Text("合成\"产品\", 一号".into()),
                Param::Text(String::new()),
                Param::Null(NullOf::Text),
                Param::Bool(true),
            ],
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "7,\"合成\"\"产品\"\", 一号\",\"\",,1\n"
        );
    }
}
