//! Expert panels (专家评审组): a panel per subject with its score sheet and deadline, the items
//! it scores, and one assignment per expert and item, scored once.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::{ts, ts_opt};
use crate::StoreError;
use zhichan_domain::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPanel {
    pub id: i64,
    pub kind: String,
    pub subject_id: i64,
    /// The score sheet as JSON.
    pub sheet: String,
    pub min_experts: i64,
    pub rule: String,
    pub deadline_days: i64,
    /// `YYYY-MM-DD`, Beijing time.
    pub opened_on: String,
    pub due_on: String,
    pub created_by: String,
    pub created_at: Timestamp,
    /// When its subject moved on: no assignment or score is taken after.
    pub closed_at: Option<Timestamp>,
}

const PANEL_COLUMNS: &str = "id, kind, subject_id, sheet, min_experts, rule, deadline_days, \
                             opened_on, due_on, created_by, created_at, closed_at";

impl FromDbRow for StoredPanel {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(StoredPanel {
            id: row.get("id")?,
            kind: row.get("kind")?,
            subject_id: row.get("subject_id")?,
            sheet: row.get("sheet")?,
            min_experts: row.get("min_experts")?,
            rule: row.get("rule")?,
            deadline_days: row.get("deadline_days")?,
            opened_on: row.get("opened_on")?,
            due_on: row.get("due_on")?,
            created_by: row.get("created_by")?,
            created_at: ts(row, "created_at")?,
            closed_at: ts_opt(row, "closed_at")?,
        })
    }
}

/// One item a panel scores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredItem {
    pub panel_id: i64,
    /// 1, 2, … in the order the subject gave them.
    pub item_no: i64,
    pub enterprise: String,
    pub enterprise_name: String,
    pub field: String,
    pub label: String,
}

impl FromDbRow for StoredItem {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(StoredItem {
            panel_id: row.get("panel_id")?,
            item_no: row.get("item_no")?,
            enterprise: row.get("enterprise")?,
            enterprise_name: row.get("enterprise_name")?,
            field: row.get("field")?,
            label: row.get("label")?,
        })
    }
}

/// One expert on one item, with the expert's account name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAssignment {
    pub id: i64,
    pub panel_id: i64,
    pub item_no: i64,
    pub expert_id: i64,
    pub expert_username: String,
    pub expert_name: String,
    pub assigned_by: String,
    pub assigned_at: Timestamp,
    /// JSON array of decimal strings, once submitted.
    pub scores: Option<String>,
    pub total: Option<String>,
    pub opinion: Option<String>,
    pub submitted_at: Option<Timestamp>,
}

const ASSIGNMENT_COLUMNS: &str = "a.id, a.panel_id, a.item_no, a.expert_id, \
    u.username AS expert_username, u.display_name AS expert_name, a.assigned_by, a.assigned_at, \
    a.scores, a.total, a.opinion, a.submitted_at";

impl FromDbRow for StoredAssignment {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(StoredAssignment {
            id: row.get("id")?,
            panel_id: row.get("panel_id")?,
            item_no: row.get("item_no")?,
            expert_id: row.get("expert_id")?,
            expert_username: row.get("expert_username")?,
            expert_name: row.get("expert_name")?,
            assigned_by: row.get("assigned_by")?,
            assigned_at: ts(row, "assigned_at")?,
            scores: row.get("scores")?,
            total: row.get("total")?,
            opinion: row.get("opinion")?,
            submitted_at: ts_opt(row, "submitted_at")?,
        })
    }
}

/// A new panel.
#[derive(Clone, Debug)]
pub struct NewPanel<'a> {
    pub kind: &'a str,
    pub subject_id: i64,
    pub sheet: &'a str,
    pub min_experts: i64,
    pub rule: &'a str,
    pub deadline_days: i64,
    pub opened_on: &'a str,
    pub due_on: &'a str,
    pub created_by: &'a str,
}

/// Inserts a panel ([`StoreError::Unique`] when its subject has one already); its id.
pub async fn insert(ex: &impl Exec, p: &NewPanel<'_>, now: Timestamp) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO panels (kind, subject_id, sheet, min_experts, rule, deadline_days, \
             opened_on, due_on, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(p.kind)
        .bind(p.subject_id)
        .bind(p.sheet)
        .bind(p.min_experts)
        .bind(p.rule)
        .bind(p.deadline_days)
        .bind(p.opened_on)
        .bind(p.due_on)
        .bind(p.created_by)
        .bind(now),
    )
    .await
}

pub async fn insert_item(ex: &impl Exec, item: &StoredItem) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO panel_items (panel_id, item_no, enterprise, enterprise_name, field, label) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(item.panel_id)
        .bind(item.item_no)
        .bind(item.enterprise.as_str())
        .bind(item.enterprise_name.as_str())
        .bind(item.field.as_str())
        .bind(item.label.as_str()),
    )
    .await?;
    Ok(())
}

pub async fn by_id(ex: &impl Exec, id: i64) -> Result<Option<StoredPanel>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!("SELECT {PANEL_COLUMNS} FROM panels WHERE id = $1")).bind(id),
    )
    .await
}

/// The panel of a subject, if it has one.
pub async fn of_subject(
    ex: &impl Exec,
    kind: &str,
    subject_id: i64,
) -> Result<Option<StoredPanel>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {PANEL_COLUMNS} FROM panels WHERE kind = $1 AND subject_id = $2"
        ))
        .bind(kind)
        .bind(subject_id),
    )
    .await
}

/// Closes the panel of a subject (its subject moved on); how many rows changed (0 when it has
/// no panel or the panel is closed already).
pub async fn close(
    ex: &impl Exec,
    kind: &str,
    subject_id: i64,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE panels SET closed_at = $3 \
             WHERE kind = $1 AND subject_id = $2 AND closed_at IS NULL",
        )
        .bind(kind)
        .bind(subject_id)
        .bind(now),
    )
    .await
}

/// Reopens the panel of a subject (its subject came back to the experts).
pub async fn reopen(ex: &impl Exec, kind: &str, subject_id: i64) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new("UPDATE panels SET closed_at = NULL WHERE kind = $1 AND subject_id = $2")
            .bind(kind)
            .bind(subject_id),
    )
    .await
}

/// A panel's items in order.
pub async fn items(ex: &impl Exec, panel_id: i64) -> Result<Vec<StoredItem>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT panel_id, item_no, enterprise, enterprise_name, field, label FROM panel_items \
             WHERE panel_id = $1 ORDER BY item_no",
        )
        .bind(panel_id),
    )
    .await
}

/// A panel's assignments, by item and then in the order they were made.
pub async fn assignments(
    ex: &impl Exec,
    panel_id: i64,
) -> Result<Vec<StoredAssignment>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM panel_assignments a JOIN users u ON u.id = a.expert_id \
             WHERE a.panel_id = $1 ORDER BY a.item_no, a.id"
        ))
        .bind(panel_id),
    )
    .await
}

pub async fn assignment(ex: &impl Exec, id: i64) -> Result<Option<StoredAssignment>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM panel_assignments a JOIN users u ON u.id = a.expert_id \
             WHERE a.id = $1"
        ))
        .bind(id),
    )
    .await
}

/// An expert's assignments, newest first.
pub async fn assignments_of_expert(
    ex: &impl Exec,
    expert_id: i64,
) -> Result<Vec<StoredAssignment>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM panel_assignments a JOIN users u ON u.id = a.expert_id \
             WHERE a.expert_id = $1 ORDER BY a.id DESC"
        ))
        .bind(expert_id),
    )
    .await
}

/// Assigns an expert to an item of an open panel; its id (`None` when the panel is closed).
pub async fn assign(
    ex: &impl Exec,
    panel_id: i64,
    item_no: i64,
    expert_id: i64,
    by: &str,
    now: Timestamp,
) -> Result<Option<i64>, StoreError> {
    ex.fetch_optional(
        Sql::new(
            "INSERT INTO panel_assignments (panel_id, item_no, expert_id, assigned_by, assigned_at) \
             SELECT $1, $2, $3, $4, $5 FROM panels WHERE id = $1 AND closed_at IS NULL \
             RETURNING id",
        )
        .bind(panel_id)
        .bind(item_no)
        .bind(expert_id)
        .bind(by)
        .bind(now),
    )
    .await
}

/// Records an expert's scores once, while the panel is open; whether they were recorded (false
/// when already submitted or the panel closed).
pub async fn submit(
    ex: &impl Exec,
    id: i64,
    scores: &str,
    total: &str,
    opinion: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE panel_assignments SET scores = $2, total = $3, opinion = $4, \
                 submitted_at = $5 WHERE id = $1 AND submitted_at IS NULL \
                 AND panel_id IN (SELECT id FROM panels WHERE closed_at IS NULL)",
            )
            .bind(id)
            .bind(scores)
            .bind(total)
            .bind(opinion)
            .bind(now),
        )
        .await?;
    Ok(n == 1)
}
