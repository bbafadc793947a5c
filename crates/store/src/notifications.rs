//! In-app notifications of an enterprise and the outbox that SMS or e-mail adapters drain.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
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
