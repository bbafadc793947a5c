//! The audit log (审计日志): append-only rows chained with SM3, and the check of that chain.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{ts, ts_opt};
use crate::{Db, StoreError, Tx};
use zhichan_domain::audit::{chain_hash, AuditFields, GENESIS};
use zhichan_domain::Timestamp;

/// An entry to append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntry {
    pub at: Timestamp,
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
    pub ip: String,
    /// What happened, e.g. `session.login`, `user.create`.
    pub action: String,
    /// What it happened to, e.g. `user:12`.
    pub object: String,
    /// `ok`, `denied` or `failed`.
    pub outcome: String,
    /// A JSON summary: before and after, or the reason of a refusal.
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at: Timestamp,
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
    pub ip: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
    /// When the entry moved to the archive; `None` while it is in the live log.
    pub archived_at: Option<Timestamp>,
}

impl FromDbRow for Entry {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Entry {
            seq: row.get("seq")?,
            at: ts(row, "at")?,
            user_id: row.get("user_id")?,
            username: row.get("username")?,
            role: row.get("role")?,
            ip: row.get("ip")?,
            action: row.get("action")?,
            object: row.get("object")?,
            outcome: row.get("outcome")?,
            detail: row.get("detail")?,
            prev_hash: row.get("prev_hash")?,
            hash: row.get("hash")?,
            archived_at: ts_opt(row, "archived_at")?,
        })
    }
}

const COLUMNS: &str =
    "seq, at, user_id, username, role, ip, action, object, outcome, detail, prev_hash, hash";

/// The entries matching `clause` in both tables as one log, then `tail` (its order and page):
/// an archived entry is found, ordered and paged exactly like a live one, and says when it was
/// archived. Each table is filtered by its own indexes; both engines merge the two ordered
/// halves rather than sorting them.
fn entries(clause: &str, tail: &str) -> String {
    format!(
        "SELECT {COLUMNS}, archived_at FROM audit_archive WHERE {clause} \
         UNION ALL SELECT {COLUMNS}, NULL AS archived_at FROM audit_log WHERE {clause} {tail}"
    )
}

struct Head {
    seq: i64,
    hash: String,
}

impl FromDbRow for Head {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Head {
            seq: row.get("seq")?,
            hash: row.get("hash")?,
        })
    }
}

/// Appends an entry inside `tx`, so that it is stored exactly when the change it records is.
/// Taking the next number from `audit_head` locks it until the transaction ends: appenders
/// queue there and the chain stays a line.
pub async fn append(tx: &Tx, e: &NewEntry) -> Result<i64, StoreError> {
    let head: Head = tx
        .fetch_one(Sql::new(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
        ))
        .await?;
    let at = e.at.to_string();
    let hash = chain_hash(
        &head.hash,
        &AuditFields {
            seq: head.seq,
            at: &at,
            user_id: e.user_id,
            username: &e.username,
            role: &e.role,
            ip: &e.ip,
            action: &e.action,
            object: &e.object,
            outcome: &e.outcome,
            detail: &e.detail,
        },
    );
    tx.execute(
        Sql::new(
            "INSERT INTO audit_log (seq, at, user_id, username, role, ip, action, object, \
             outcome, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(head.seq)
        .bind(at)
        .bind(e.user_id)
        .bind(e.username.as_str())
        .bind(e.role.as_str())
        .bind(e.ip.as_str())
        .bind(e.action.as_str())
        .bind(e.object.as_str())
        .bind(e.outcome.as_str())
        .bind(e.detail.as_str())
        .bind(head.hash.as_str())
        .bind(hash.as_str()),
    )
    .await?;
    tx.execute(Sql::new("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(hash))
        .await?;
    Ok(head.seq)
}

/// What an archival moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Archived {
    pub rows: i64,
    /// The first and last entry moved.
    pub range: Option<(i64, i64)>,
}

/// Moves every entry up to the last one written before `cutoff` into `audit_archive`: copied
/// first, then removed from the live log (which the database allows only for rows whose
/// identical copy is archived). The chain is untouched; `verify` walks both tables.
pub async fn archive_before(
    tx: &Tx,
    cutoff: Timestamp,
    now: Timestamp,
) -> Result<Archived, StoreError> {
    struct Bounds(Option<i64>, Option<i64>);
    impl FromDbRow for Bounds {
        fn from_row(row: &DbRow) -> Result<Self, StoreError> {
            Ok(Bounds(row.get("lo")?, row.get("hi")?))
        }
    }
    // A prefix of the chain, by number: the clock may step back, the numbers never do.
    let b: Bounds = tx
        .fetch_one(
            Sql::new(
                "SELECT MIN(seq) AS lo, \
                 (SELECT MAX(seq) FROM audit_log WHERE at < $1) AS hi FROM audit_log",
            )
            .bind(cutoff),
        )
        .await?;
    let (Some(lo), Some(hi)) = (b.0, b.1) else {
        return Ok(Archived {
            rows: 0,
            range: None,
        });
    };
    let moved = tx
        .execute(
            Sql::new(format!(
                "INSERT INTO audit_archive ({COLUMNS}, archived_at) \
                 SELECT {COLUMNS}, $2 FROM audit_log WHERE seq <= $1"
            ))
            .bind(hi)
            .bind(now),
        )
        .await?;
    tx.execute(Sql::new("DELETE FROM audit_log WHERE seq <= $1").bind(hi))
        .await?;
    Ok(Archived {
        rows: moved as i64,
        range: Some((lo, hi)),
    })
}

/// What to look for in the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub username: Option<String>,
    /// An action, or a prefix of one ending in `.` (`session.` finds every session action).
    pub action: Option<String>,
    pub object: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

fn where_clause(f: &Filter) -> (String, Vec<crate::Param>) {
    let mut parts = Vec::new();
    let mut params: Vec<crate::Param> = Vec::new();
    let mut next = |parts: &mut Vec<String>, clause: &str, p: crate::Param| {
        params.push(p);
        parts.push(clause.replace('?', &format!("${}", params.len())));
    };
    if let Some(u) = f.username.as_ref().filter(|s| !s.is_empty()) {
        next(&mut parts, "username = ?", u.clone().into());
    }
    if let Some(a) = f.action.as_ref().filter(|s| !s.is_empty()) {
        if a.ends_with('.') {
            next(&mut parts, "action LIKE ?", format!("{a}%").into());
        } else {
            next(&mut parts, "action = ?", a.clone().into());
        }
    }
    if let Some(o) = f.object.as_ref().filter(|s| !s.is_empty()) {
        next(&mut parts, "object = ?", o.clone().into());
    }
    if let Some(t) = f.from {
        next(&mut parts, "at >= ?", t.into());
    }
    if let Some(t) = f.to {
        next(&mut parts, "at < ?", t.into());
    }
    let clause = if parts.is_empty() {
        "TRUE".to_string()
    } else {
        parts.join(" AND ")
    };
    (clause, params)
}

/// Entries matching `f`, live or archived, newest first, and how many match in all.
pub async fn search(
    ex: &impl Exec,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Entry>, i64), StoreError> {
    search_sorted(ex, f, None, limit, offset).await
}

/// The keys the log sorts by: its sequence, which is the order of time.
pub const SORT_COLUMNS: &[(&str, &str)] = &[("time", "seq")];

/// [`search`] in the order a person chose (newest first when `None`).
pub async fn search_sorted(
    ex: &impl Exec,
    f: &Filter,
    order: Option<crate::sorting::Order>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Entry>, i64), StoreError> {
    let (clause, params) = where_clause(f);
    let n = params.len();
    let order = order
        .and_then(|o| o.sql(SORT_COLUMNS, "seq"))
        .unwrap_or_else(|| "seq DESC".into());
    let mut rows = Sql::new(entries(
        &clause,
        &format!("ORDER BY {order} LIMIT ${} OFFSET ${}", n + 1, n + 2),
    ));
    let mut count = Sql::new(format!(
        "SELECT (SELECT COUNT(*) FROM audit_archive WHERE {clause}) \
         + (SELECT COUNT(*) FROM audit_log WHERE {clause})"
    ));
    for p in params {
        rows.push_param(p.clone());
        count.push_param(p);
    }
    rows.push_param(limit);
    rows.push_param(offset);
    Ok((ex.fetch_all(rows).await?, ex.fetch_one(count).await?))
}

/// Entries with `seq` above `after`, live or archived, oldest first, at most `limit`: for
/// exports that stream.
pub async fn page_after(
    ex: &impl Exec,
    f: &Filter,
    after: i64,
    limit: i64,
) -> Result<Vec<Entry>, StoreError> {
    let (clause, params) = where_clause(f);
    let n = params.len();
    let mut sql = Sql::new(entries(
        &format!("{clause} AND seq > ${}", n + 1),
        &format!("ORDER BY seq LIMIT ${}", n + 2),
    ));
    for p in params {
        sql.push_param(p);
    }
    sql.push_param(after);
    sql.push_param(limit);
    ex.fetch_all(sql).await
}

/// The outcome of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub checked: i64,
    /// The first entry where the chain breaks, and why; `None` when it is intact.
    pub broken: Option<(i64, String)>,
}

/// Walks the whole chain in order, recomputing every hash, and stops at the first break: a
/// changed row (its hash), a deleted row (a gap in the numbers, or the next row's link), an
/// inserted row (its link or hash), or a truncated tail (the head).
pub async fn verify(db: &Db) -> Result<Verification, StoreError> {
    const BATCH: i64 = 2_000;
    // The head first: entries appended while the check runs are left for the next check
    // instead of looking like a broken tail.
    let head: Head = db
        .fetch_one(Sql::new("SELECT seq, hash FROM audit_head WHERE id = 1"))
        .await?;
    let mut prev_hash = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut checked = 0;
    loop {
        let rows: Vec<Entry> = db
            .fetch_all(
                Sql::new(entries("seq >= $1 AND seq <= $3", "ORDER BY seq LIMIT $2"))
                    .bind(expected_seq)
                    .bind(BATCH)
                    .bind(head.seq),
            )
            .await?;
        let done = (rows.len() as i64) < BATCH;
        for e in rows {
            let broken = |why: String| {
                Ok(Verification {
                    checked,
                    broken: Some((e.seq, why)),
                })
            };
            if e.seq != expected_seq {
                return Ok(Verification {
                    checked,
                    broken: Some((
                        expected_seq,
                        format!("第 {expected_seq} 条缺失（下一条是第 {} 条）", e.seq),
                    )),
                });
            }
            if e.prev_hash != prev_hash {
                return broken("与前一条的链接不符（前一条被删除、插入或改动）".into());
            }
            let at = e.at.to_string();
            let hash = chain_hash(
                &prev_hash,
                &AuditFields {
                    seq: e.seq,
                    at: &at,
                    user_id: e.user_id,
                    username: &e.username,
                    role: &e.role,
                    ip: &e.ip,
                    action: &e.action,
                    object: &e.object,
                    outcome: &e.outcome,
                    detail: &e.detail,
                },
            );
            if hash != e.hash {
                return broken("内容与其哈希不符（本条被改动）".into());
            }
            prev_hash = e.hash;
            expected_seq += 1;
            checked += 1;
        }
        if done {
            break;
        }
    }
    if head.seq != checked || head.hash != prev_hash {
        return Ok(Verification {
            checked,
            broken: Some((
                checked + 1,
                format!("链尾不符：记录应有 {} 条，现存 {checked} 条", head.seq),
            )),
        });
    }
    Ok(Verification {
        checked,
        broken: None,
    })
}
