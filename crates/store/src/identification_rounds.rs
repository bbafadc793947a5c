//! The round of an identification batch after it is computed: the experts' industry
//! evaluation, the national review, the public notice and the announcement (migration 35).
//! Each stage moves `identification_batches.status` on with a guarded UPDATE (the rows changed
//! say whether this caller made the move), and writes its part on the candidates.

use crate::db::{Exec, Sql};
use crate::identification_batches::{Candidate, CANDIDATE_COLUMNS, CANDIDATE_FROM};
use crate::StoreError;
use zhichan_domain::Timestamp;

/// Claims the first freeze of a batch (sets `frozen_at` while it is unset): 0 when another
/// computation froze it, or is freezing it, first.
pub async fn claim_freeze(
    ex: &impl Exec,
    batch_id: i64,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_batches SET frozen_at = $1 \
             WHERE id = $2 AND frozen_at IS NULL",
        )
        .bind(now)
        .bind(batch_id),
    )
    .await
}

/// Moves a batch from status `from` to `to`; the rows changed (0: not in `from`).
pub async fn move_status(
    ex: &impl Exec,
    batch_id: i64,
    from: &str,
    to: &str,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_batches SET status = $1, version = version + 1 \
             WHERE id = $2 AND status = $3",
        )
        .bind(to)
        .bind(batch_id)
        .bind(from),
    )
    .await
}

/// Starts the industry evaluation: `computed` → `evaluating` with its panel (none when no
/// candidate passed the patent evaluation).
pub async fn start_evaluation(
    ex: &impl Exec,
    batch_id: i64,
    panel_id: Option<i64>,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_batches SET status = 'evaluating', panel_id = $1, \
             version = version + 1 WHERE id = $2 AND status = 'computed'",
        )
        .bind(panel_id)
        .bind(batch_id),
    )
    .await
}

/// A candidate's item number in the batch's panel.
pub async fn set_panel_item(
    ex: &impl Exec,
    batch_id: i64,
    product_id: i64,
    item_no: i64,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_candidates SET panel_item = $1 \
             WHERE batch_id = $2 AND product_id = $3",
        )
        .bind(item_no)
        .bind(batch_id)
        .bind(product_id),
    )
    .await
}

/// The review's judgement of one candidate: the experts' aggregate, whether it goes on the
/// notice, and why not.
pub async fn set_review(
    ex: &impl Exec,
    batch_id: i64,
    product_id: i64,
    industry_score: Option<&str>,
    proposed: bool,
    reason: Option<&str>,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_candidates SET industry_score = $1, proposed = $2, \
             outcome_reason = $3 WHERE batch_id = $4 AND product_id = $5",
        )
        .bind(industry_score)
        .bind(proposed)
        .bind(reason)
        .bind(batch_id)
        .bind(product_id),
    )
    .await
}

/// `evaluating` → `reviewed`, by whom and when.
pub async fn mark_reviewed(
    ex: &impl Exec,
    batch_id: i64,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_batches SET status = 'reviewed', reviewed_by = $1, \
             reviewed_at = $2, review_reason = NULL, version = version + 1 \
             WHERE id = $3 AND status = 'evaluating'",
        )
        .bind(by)
        .bind(now)
        .bind(batch_id),
    )
    .await
}

/// The review sends the list back: `evaluating` or `reviewed` → `evaluating`, with the reason;
/// the candidates' review marks are cleared.
pub async fn send_back(
    ex: &impl Exec,
    batch_id: i64,
    reason: &str,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE identification_batches SET status = 'evaluating', review_reason = $1, \
                 reviewed_by = $2, reviewed_at = $3, version = version + 1 \
                 WHERE id = $4 AND status IN ('evaluating', 'reviewed')",
            )
            .bind(reason)
            .bind(by)
            .bind(now)
            .bind(batch_id),
        )
        .await?;
    if n > 0 {
        ex.execute(
            Sql::new(
                "UPDATE identification_candidates SET industry_score = NULL, proposed = NULL, \
                 outcome_reason = NULL WHERE batch_id = $1",
            )
            .bind(batch_id),
        )
        .await?;
    }
    Ok(n)
}

/// A candidate's final outcome (`identified` with its number, or `not_identified` with why).
pub async fn set_outcome(
    ex: &impl Exec,
    batch_id: i64,
    product_id: i64,
    outcome: &str,
    reason: Option<&str>,
    number: Option<&str>,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_candidates SET outcome = $1, outcome_reason = $2, \
             identification_number = $3 WHERE batch_id = $4 AND product_id = $5",
        )
        .bind(outcome)
        .bind(reason)
        .bind(number)
        .bind(batch_id)
        .bind(product_id),
    )
    .await
}

/// `published` → `announced` on the Beijing date `on` (`YYYY-MM-DD`).
pub async fn mark_announced(ex: &impl Exec, batch_id: i64, on: &str) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_batches SET status = 'announced', announced_on = $1, \
             version = version + 1 WHERE id = $2 AND status = 'published'",
        )
        .bind(on)
        .bind(batch_id),
    )
    .await
}

/// Every candidate of a batch, in product order (no scope: the caller has decided).
pub async fn all_candidates(ex: &impl Exec, batch_id: i64) -> Result<Vec<Candidate>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {CANDIDATE_COLUMNS} FROM {CANDIDATE_FROM} WHERE c.batch_id = $1 \
             ORDER BY c.product_id"
        ))
        .bind(batch_id),
    )
    .await
}

/// The identified products of an announced batch, by identification number.
pub async fn identified(ex: &impl Exec, batch_id: i64) -> Result<Vec<Candidate>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {CANDIDATE_COLUMNS} FROM {CANDIDATE_FROM} \
             JOIN identification_batches b ON b.id = c.batch_id \
             WHERE c.batch_id = $1 AND b.status = 'announced' AND c.outcome = 'identified' \
             ORDER BY c.identification_number"
        ))
        .bind(batch_id),
    )
    .await
}

/// The product's identification in an announced batch, newest first: (candidate, year,
/// announced_on).
pub async fn identified_product(
    ex: &impl Exec,
    product_id: i64,
) -> Result<Option<(Candidate, i64, String)>, StoreError> {
    let c: Option<Candidate> = ex
        .fetch_optional(
            Sql::new(format!(
                "SELECT {CANDIDATE_COLUMNS} FROM {CANDIDATE_FROM} \
                 JOIN identification_batches b ON b.id = c.batch_id \
                 WHERE c.product_id = $1 AND b.status = 'announced' \
                 AND c.outcome = 'identified' ORDER BY c.batch_id DESC LIMIT 1"
            ))
            .bind(product_id),
        )
        .await?;
    let Some(c) = c else { return Ok(None) };
    let (year, on): (i64, String) = (
        ex.fetch_one(
            Sql::new("SELECT year FROM identification_batches WHERE id = $1").bind(c.batch_id),
        )
        .await?,
        ex.fetch_one(
            Sql::new("SELECT announced_on FROM identification_batches WHERE id = $1")
                .bind(c.batch_id),
        )
        .await?,
    );
    Ok(Some((c, year, on)))
}

/// An enterprise's products identified in announced batches, newest announcement first, each
/// with its batch's year and announcement date (the enterprise index: never the whole table).
pub async fn identified_of_enterprise(
    ex: &impl Exec,
    enterprise_id: i64,
) -> Result<Vec<(Candidate, i64, String)>, StoreError> {
    let rows: Vec<Candidate> = ex
        .fetch_all(
            Sql::new(format!(
                "SELECT {CANDIDATE_COLUMNS} FROM {CANDIDATE_FROM} \
                 JOIN identification_batches b ON b.id = c.batch_id \
                 WHERE c.enterprise_id = $1 AND c.outcome = 'identified' \
                 AND b.status = 'announced' ORDER BY b.announced_on DESC, c.batch_id DESC, \
                 c.product_id"
            ))
            .bind(enterprise_id),
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let b = crate::identification_batches::by_id(ex, c.batch_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("batch {} of a candidate", c.batch_id)))?;
        out.push((c, i64::from(b.year), b.announced_on.unwrap_or_default()));
    }
    Ok(out)
}

/// Products identified in announced batches in a region subtree, announced on `from` ≤ date <
/// `until` (`YYYY-MM-DD`), by the field they were judged in. Reads the identified candidates
/// only (the `outcome` index), never the products.
pub async fn identified_by_field(
    ex: &impl Exec,
    region: zhichan_domain::RegionCode,
    from: &str,
    until: &str,
) -> Result<Vec<FieldCount>, StoreError> {
    let (lo, hi) = region.subtree();
    ex.fetch_all(
        Sql::new(
            "SELECT COALESCE(r.field, '') AS field, COUNT(*) AS n \
             FROM identification_candidates c \
             JOIN identification_batches b ON b.id = c.batch_id \
             LEFT JOIN identification_results r ON r.batch_id = c.batch_id \
             AND r.product_id = c.product_id \
             WHERE c.outcome = 'identified' AND b.status = 'announced' \
             AND b.announced_on >= $1 AND b.announced_on < $2 \
             AND c.region BETWEEN $3 AND $4 GROUP BY r.field ORDER BY field",
        )
        .bind(from)
        .bind(until)
        .bind(i64::from(lo))
        .bind(i64::from(hi)),
    )
    .await
}

/// A count per field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldCount {
    pub field: String,
    pub n: i64,
}

impl crate::db::FromDbRow for FieldCount {
    fn from_row(row: &crate::db::DbRow) -> Result<Self, StoreError> {
        Ok(FieldCount {
            field: row.get("field")?,
            n: row.get("n")?,
        })
    }
}
