//! In-app notifications of an enterprise and the outbox that SMS or e-mail adapters drain.

use crate::db::{Backend, DbRow, Exec, FromDbRow, Sql};
use crate::users::{ts, ts_opt};
use crate::StoreError;
use zhichan_domain::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub enterprise_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    /// A page of the platform the notification is about.
    pub link: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

impl FromDbRow for Notification {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Notification {
            id: row.get("id")?,
            enterprise_id: row.get("enterprise_id")?,
            kind: row.get("kind")?,
            title: row.get("title")?,
            body: row.get("body")?,
            link: row.get("link")?,
            created_at: ts(row, "created_at")?,
            read_at: ts_opt(row, "read_at")?,
        })
    }
}

/// A notification to write, with the key that keeps it from being written twice.
#[derive(Clone, Debug)]
pub struct NewNotification<'a> {
    pub enterprise_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    pub dedupe: &'a str,
}

/// Writes a notification unless one with the same key exists, and queues it for each outside
/// channel given as (channel, address). Answers the new id, or `None` when it was already there.
pub async fn insert(
    ex: &impl Exec,
    n: &NewNotification<'_>,
    channels: &[(&str, &str)],
    now: Timestamp,
) -> Result<Option<i64>, StoreError> {
    let id: Option<i64> = ex
        .fetch_optional(
            Sql::new(
                "INSERT INTO notifications (enterprise_id, kind, title, body, link, dedupe, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (dedupe) DO NOTHING RETURNING id",
            )
            .bind(n.enterprise_id)
            .bind(n.kind)
            .bind(n.title)
            .bind(n.body)
            .bind(n.link)
            .bind(n.dedupe)
            .bind(now),
        )
        .await?;
    if let Some(id) = id {
        for (channel, address) in channels {
            ex.execute(
                Sql::new(
                    "INSERT INTO notification_outbox (notification_id, channel, address, status, \
                     attempts, next_attempt_at) VALUES ($1, $2, $3, 'pending', 0, $4)",
                )
                .bind(id)
                .bind(*channel)
                .bind(*address)
                .bind(now),
            )
            .await?;
        }
    }
    Ok(id)
}

/// Rows per statement of the bulk writes below: 7 parameters a notification, well inside both
/// engines' limits (SQLite 32,766, PostgreSQL 65,535).
pub const ROWS_PER_STATEMENT: usize = 250;

/// `(…), (…)` with `width` placeholders a row for `rows` rows: anonymous on SQLite (a `$N` is
/// looked up by name there, which makes a long statement's binding quadratic), numbered on
/// PostgreSQL.
fn values(backend: Backend, rows: usize, width: usize) -> String {
    let mut out = String::with_capacity(rows * width * 5);
    let mut n = 0;
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            n += 1;
            match backend {
                Backend::Sqlite => out.push('?'),
                Backend::Postgres => out.push_str(&format!("${n}")),
            }
        }
        out.push(')');
    }
    out
}

/// A notification a bulk write wrote: its id and its enterprise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    pub id: i64,
    pub enterprise_id: i64,
}

impl FromDbRow for Written {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Written {
            id: row.get("id")?,
            enterprise_id: row.get("enterprise_id")?,
        })
    }
}

/// Writes notifications many to a statement, each unless one with its key exists; answers
/// those written (a key met again, here or before, is skipped, not an error). The outbox is
/// left to [`queue_many`].
pub async fn insert_many(
    ex: &impl Exec,
    items: &[NewNotification<'_>],
    now: Timestamp,
) -> Result<Vec<Written>, StoreError> {
    let mut written = Vec::with_capacity(items.len());
    for chunk in items.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(format!(
            "INSERT INTO notifications (enterprise_id, kind, title, body, link, dedupe, \
             created_at) VALUES {} ON CONFLICT (dedupe) DO NOTHING RETURNING id, enterprise_id",
            values(ex.backend(), chunk.len(), 7)
        ));
        for n in chunk {
            sql.push_param(n.enterprise_id);
            sql.push_param(n.kind);
            sql.push_param(n.title);
            sql.push_param(n.body);
            sql.push_param(n.link);
            sql.push_param(n.dedupe);
            sql.push_param(now);
        }
        written.extend(ex.fetch_all::<Written>(sql).await?);
    }
    Ok(written)
}

/// An enterprise's outside contacts, as its profile holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub enterprise_id: i64,
    pub phone: String,
    pub email: String,
}

impl FromDbRow for Contact {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Contact {
            enterprise_id: row.get("id")?,
            phone: row.get("contact_phone")?,
            email: row.get("contact_email")?,
        })
    }
}

/// The contacts of the enterprises named, a statement per [`ROWS_PER_STATEMENT`] of them.
pub async fn contacts(ex: &impl Exec, enterprise_ids: &[i64]) -> Result<Vec<Contact>, StoreError> {
    let mut out = Vec::with_capacity(enterprise_ids.len());
    for chunk in enterprise_ids.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(format!(
            "SELECT id, contact_phone, contact_email FROM enterprises WHERE id IN {}",
            // One list: `(?, ?, …)`.
            values(ex.backend(), 1, chunk.len())
        ));
        for id in chunk {
            sql.push_param(*id);
        }
        out.extend(ex.fetch_all::<Contact>(sql).await?);
    }
    Ok(out)
}

/// Queues notifications for outside channels, given as (notification, channel, address), many
/// to a statement.
pub async fn queue_many(
    ex: &impl Exec,
    rows: &[(i64, &str, &str)],
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(format!(
            "INSERT INTO notification_outbox (notification_id, channel, address, status, \
             attempts, next_attempt_at) VALUES {}",
            values(ex.backend(), chunk.len(), 6)
        ));
        for (id, channel, address) in chunk {
            sql.push_param(*id);
            sql.push_param(*channel);
            sql.push_param(*address);
            sql.push_param("pending");
            sql.push_param(0i64);
            sql.push_param(now);
        }
        n += ex.execute(sql).await?;
    }
    Ok(n)
}

const COLUMNS: &str = "id, enterprise_id, kind, title, body, link, created_at, read_at";

/// An enterprise's notifications, newest first, and how many are unread.
pub async fn list(
    ex: &impl Exec,
    enterprise_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Notification>, i64, i64), StoreError> {
    let rows = ex
        .fetch_all(
            Sql::new(format!(
                "SELECT {COLUMNS} FROM notifications WHERE enterprise_id = $1 \
                 ORDER BY id DESC LIMIT $2 OFFSET $3"
            ))
            .bind(enterprise_id)
            .bind(limit)
            .bind(offset),
        )
        .await?;
    let total = ex
        .fetch_one(
            Sql::new("SELECT COUNT(*) FROM notifications WHERE enterprise_id = $1")
                .bind(enterprise_id),
        )
        .await?;
    let unread = ex
        .fetch_one(
            Sql::new(
                "SELECT COUNT(*) FROM notifications WHERE enterprise_id = $1 AND read_at IS NULL",
            )
            .bind(enterprise_id),
        )
        .await?;
    Ok((rows, total, unread))
}

/// One notification of the enterprise (none when it is another enterprise's).
pub async fn get(
    ex: &impl Exec,
    enterprise_id: i64,
    id: i64,
) -> Result<Option<Notification>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM notifications WHERE id = $1 AND enterprise_id = $2"
        ))
        .bind(id)
        .bind(enterprise_id),
    )
    .await
}

/// The credit code of the enterprise a notification was written to, for the scope check.
pub async fn credit_code_of(ex: &impl Exec, id: i64) -> Result<Option<String>, StoreError> {
    ex.fetch_optional(
        Sql::new(
            "SELECT e.credit_code FROM notifications n \
             JOIN enterprises e ON e.id = n.enterprise_id WHERE n.id = $1",
        )
        .bind(id),
    )
    .await
}

/// Marks one notification of the enterprise read; false when it is not the enterprise's.
pub async fn mark_read(
    ex: &impl Exec,
    enterprise_id: i64,
    id: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE notifications SET read_at = COALESCE(read_at, $1) \
                 WHERE id = $2 AND enterprise_id = $3",
            )
            .bind(now)
            .bind(id)
            .bind(enterprise_id),
        )
        .await?;
    Ok(n > 0)
}

/// One message waiting to go out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub channel: String,
    pub address: String,
    pub attempts: i64,
    pub title: String,
    pub body: String,
    /// The recipient's language (`users.locale`: the account's own, or for an enterprise's
    /// notification that of its first account that chose one); `None` is 简体中文.
    pub locale: Option<String>,
}

impl FromDbRow for OutboxItem {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(OutboxItem {
            id: row.get("id")?,
            channel: row.get("channel")?,
            address: row.get("address")?,
            attempts: row.get("attempts")?,
            title: row.get("title")?,
            body: row.get("body")?,
            locale: row.get("locale")?,
        })
    }
}
