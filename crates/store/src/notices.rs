//! Public notices (公示), their items and the objections (异议) to them.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{ts, ts_opt};
use crate::StoreError;
use zhichan_domain::Timestamp;

/// A stored notice. Dates are `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeRow {
    pub id: i64,
    pub kind: String,
    pub subject_id: i64,
    /// The owner's region (six digits).
    pub region: String,
    pub title: String,
    pub notice_days: i64,
    pub opens_on: String,
    pub closes_on: String,
    pub published_by: String,
    pub published_at: Timestamp,
    pub announced_by: Option<String>,
    pub announced_at: Option<Timestamp>,
    /// Items listed.
    pub items: i64,
}

const NOTICE_COLUMNS: &str = "n.id, n.kind, n.subject_id, n.region, n.title, n.notice_days, \
    n.opens_on, n.closes_on, n.published_by, n.published_at, n.announced_by, n.announced_at, \
    (SELECT COUNT(*) FROM notice_items i WHERE i.notice_id = n.id) AS items";

impl FromDbRow for NoticeRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(NoticeRow {
            id: row.get("id")?,
            kind: row.get("kind")?,
            subject_id: row.get("subject_id")?,
            region: row.get("region")?,
            title: row.get("title")?,
            notice_days: row.get("notice_days")?,
            opens_on: row.get("opens_on")?,
            closes_on: row.get("closes_on")?,
            published_by: row.get("published_by")?,
            published_at: ts(row, "published_at")?,
            announced_by: row.get("announced_by")?,
            announced_at: ts_opt(row, "announced_at")?,
            items: row.get("items")?,
        })
    }
}

/// One item of a notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRow {
    pub id: i64,
    pub notice_id: i64,
    /// The subject's own id of the item (for identification: the product).
    pub subject_item: i64,
    pub position: i64,
    pub title: String,
    pub enterprise: String,
    pub region: String,
    pub field: String,
    /// When an upheld objection removed it.
    pub removed_at: Option<Timestamp>,
    /// Its number, once announced.
    pub number: Option<String>,
}

const ITEM_COLUMNS: &str = "id, notice_id, subject_item, position, title, enterprise, region, \
                            field, removed_at, number";

impl FromDbRow for ItemRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(ItemRow {
            id: row.get("id")?,
            notice_id: row.get("notice_id")?,
            subject_item: row.get("subject_item")?,
            position: row.get("position")?,
            title: row.get("title")?,
            enterprise: row.get("enterprise")?,
            region: row.get("region")?,
            field: row.get("field")?,
            removed_at: ts_opt(row, "removed_at")?,
            number: row.get("number")?,
        })
    }
}

/// One objection, with the item it is against and who filed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectionRow {
    pub id: i64,
    pub notice_id: i64,
    pub item_id: i64,
    pub subject_item: i64,
    pub item_title: String,
    pub user_id: i64,
    pub username: String,
    pub reason: String,
    pub filed_at: Timestamp,
    pub decision: Option<String>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<Timestamp>,
}

const OBJECTION_SELECT: &str = "SELECT o.id, o.notice_id, o.item_id, i.subject_item, \
    i.title AS item_title, o.user_id, u.username, o.reason, o.filed_at, o.decision, o.answer, \
    o.answered_by, o.answered_at FROM objections o JOIN notice_items i ON i.id = o.item_id \
    JOIN users u ON u.id = o.user_id";

impl FromDbRow for ObjectionRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(ObjectionRow {
            id: row.get("id")?,
            notice_id: row.get("notice_id")?,
            item_id: row.get("item_id")?,
            subject_item: row.get("subject_item")?,
            item_title: row.get("item_title")?,
            user_id: row.get("user_id")?,
            username: row.get("username")?,
            reason: row.get("reason")?,
            filed_at: ts(row, "filed_at")?,
            decision: row.get("decision")?,
            answer: row.get("answer")?,
            answered_by: row.get("answered_by")?,
            answered_at: ts_opt(row, "answered_at")?,
        })
    }
}

/// A notice to write.
pub struct NewNotice<'a> {
    pub kind: &'a str,
    pub subject_id: i64,
    pub region: &'a str,
    pub title: &'a str,
    pub notice_days: i64,
    pub opens_on: &'a str,
    pub closes_on: &'a str,
    pub by: &'a str,
}

/// An item to list.
pub struct NewItem<'a> {
    pub subject_item: i64,
    pub title: &'a str,
    pub enterprise: &'a str,
    pub region: &'a str,
    pub field: &'a str,
}

/// Writes a notice and its items in order; its id ([`StoreError::Unique`] when the subject has
/// one already).
pub async fn insert(
    ex: &impl Exec,
    n: &NewNotice<'_>,
    items: &[NewItem<'_>],
    now: Timestamp,
) -> Result<i64, StoreError> {
    let id: i64 = ex
        .fetch_one(
            Sql::new(
                "INSERT INTO notices (kind, subject_id, region, title, notice_days, opens_on, \
                 closes_on, published_by, published_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(n.kind)
            .bind(n.subject_id)
            .bind(n.region)
            .bind(n.title)
            .bind(n.notice_days)
            .bind(n.opens_on)
            .bind(n.closes_on)
            .bind(n.by)
            .bind(now),
        )
        .await?;
    for (k, item) in items.iter().enumerate() {
        ex.execute(
            Sql::new(
                "INSERT INTO notice_items (notice_id, subject_item, position, title, enterprise, \
                 region, field) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(item.subject_item)
            .bind(k as i64 + 1)
            .bind(item.title)
            .bind(item.enterprise)
            .bind(item.region)
            .bind(item.field),
        )
        .await?;
    }
    Ok(id)
}

pub async fn get(ex: &impl Exec, id: i64) -> Result<Option<NoticeRow>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {NOTICE_COLUMNS} FROM notices n WHERE n.id = $1"
        ))
        .bind(id),
    )
    .await
}

/// The notice of a subject.
pub async fn of_subject(
    ex: &impl Exec,
    kind: &str,
    subject_id: i64,
) -> Result<Option<NoticeRow>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {NOTICE_COLUMNS} FROM notices n WHERE n.kind = $1 AND n.subject_id = $2"
        ))
        .bind(kind)
        .bind(subject_id),
    )
    .await
}

/// One page of notices, newest first, and how many there are in all.
pub async fn list(
    ex: &impl Exec,
    limit: i64,
    offset: i64,
) -> Result<(Vec<NoticeRow>, i64), StoreError> {
    let rows = ex
        .fetch_all(
            Sql::new(format!(
                "SELECT {NOTICE_COLUMNS} FROM notices n ORDER BY n.published_at DESC, n.id DESC \
                 LIMIT $1 OFFSET $2"
            ))
            .bind(limit)
            .bind(offset),
        )
        .await?;
    let total: i64 = ex
        .fetch_one(Sql::new("SELECT COUNT(*) FROM notices"))
        .await?;
    Ok((rows, total))
}

/// A notice's items in their order.
pub async fn items(ex: &impl Exec, notice_id: i64) -> Result<Vec<ItemRow>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {ITEM_COLUMNS} FROM notice_items WHERE notice_id = $1 ORDER BY position"
        ))
        .bind(notice_id),
    )
    .await
}

/// The item of a notice with the subject's item id.
pub async fn item_by_subject(
    ex: &impl Exec,
    notice_id: i64,
    subject_item: i64,
) -> Result<Option<ItemRow>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {ITEM_COLUMNS} FROM notice_items WHERE notice_id = $1 AND subject_item = $2"
        ))
        .bind(notice_id)
        .bind(subject_item),
    )
    .await
}

pub async fn insert_objection(
    ex: &impl Exec,
    notice_id: i64,
    item_id: i64,
    user_id: i64,
    reason: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO objections (notice_id, item_id, user_id, reason, filed_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(notice_id)
        .bind(item_id)
        .bind(user_id)
        .bind(reason)
        .bind(now),
    )
    .await
}

/// How many objections `user_id` has filed to a notice in all, and how many of those to
/// `item_id` are still unanswered.
pub async fn objections_by(
    ex: &impl Exec,
    notice_id: i64,
    item_id: i64,
    user_id: i64,
) -> Result<(i64, i64), StoreError> {
    let all: i64 = ex
        .fetch_one(
            Sql::new("SELECT COUNT(*) FROM objections WHERE notice_id = $1 AND user_id = $2")
                .bind(notice_id)
                .bind(user_id),
        )
        .await?;
    let open: i64 = ex
        .fetch_one(
            Sql::new(
                "SELECT COUNT(*) FROM objections \
                 WHERE notice_id = $1 AND item_id = $2 AND user_id = $3 AND decision IS NULL",
            )
            .bind(notice_id)
            .bind(item_id)
            .bind(user_id),
        )
        .await?;
    Ok((all, open))
}

pub async fn objection(ex: &impl Exec, id: i64) -> Result<Option<ObjectionRow>, StoreError> {
    ex.fetch_optional(Sql::new(format!("{OBJECTION_SELECT} WHERE o.id = $1")).bind(id))
        .await
}

/// The objections to a notice, oldest first; only `user_id`'s when given.
pub async fn objections(
    ex: &impl Exec,
    notice_id: i64,
    user_id: Option<i64>,
) -> Result<Vec<ObjectionRow>, StoreError> {
    let sql = match user_id {
        Some(u) => Sql::new(format!(
            "{OBJECTION_SELECT} WHERE o.notice_id = $1 AND o.user_id = $2 ORDER BY o.id"
        ))
        .bind(notice_id)
        .bind(u),
        None => Sql::new(format!(
            "{OBJECTION_SELECT} WHERE o.notice_id = $1 ORDER BY o.id"
        ))
        .bind(notice_id),
    };
    ex.fetch_all(sql).await
}

/// How many objections to a notice wait for their answer.
pub async fn unanswered(ex: &impl Exec, notice_id: i64) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new("SELECT COUNT(*) FROM objections WHERE notice_id = $1 AND decision IS NULL")
            .bind(notice_id),
    )
    .await
}

/// Answers an objection not yet answered; the rows changed (0 when it was answered already).
pub async fn answer(
    ex: &impl Exec,
    id: i64,
    decision: &str,
    answer: &str,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE objections SET decision = $1, answer = $2, answered_by = $3, \
             answered_at = $4 WHERE id = $5 AND decision IS NULL",
        )
        .bind(decision)
        .bind(answer)
        .bind(by)
        .bind(now)
        .bind(id),
    )
    .await
}

/// Removes an item from what will be announced (an upheld objection); a removed item stays.
pub async fn remove_item(ex: &impl Exec, item_id: i64, now: Timestamp) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new("UPDATE notice_items SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
            .bind(now)
            .bind(item_id),
    )
    .await
}

/// Marks a notice announced; the rows changed (0 when it was announced already).
pub async fn announce(
    ex: &impl Exec,
    id: i64,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE notices SET announced_by = $1, announced_at = $2 \
             WHERE id = $3 AND announced_at IS NULL",
        )
        .bind(by)
        .bind(now)
        .bind(id),
    )
    .await
}

/// Gives an item its number.
pub async fn set_number(ex: &impl Exec, item_id: i64, number: &str) -> Result<(), StoreError> {
    ex.execute(
        Sql::new("UPDATE notice_items SET number = $1 WHERE id = $2")
            .bind(number)
            .bind(item_id),
    )
    .await?;
    Ok(())
}

/// The highest number already issued that starts with `prefix`.
pub async fn last_number(ex: &impl Exec, prefix: &str) -> Result<Option<String>, StoreError> {
    ex.fetch_optional(
        Sql::new(
            "SELECT number FROM notice_items WHERE number LIKE $1 \
             ORDER BY LENGTH(number) DESC, number DESC LIMIT 1",
        )
        .bind(format!("{prefix}%")),
    )
    .await
}
