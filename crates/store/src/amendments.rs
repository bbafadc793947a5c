//! Amendments (变更) of approved products: the one change in progress of each, kept apart from
//! the registered version until it is approved.

use crate::db::{Exec, Sql};
use crate::StoreError;
use zhichan_domain::registration::AmendmentStatus;
use zhichan_domain::Timestamp;

/// The change in progress of an approved product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amendment {
    pub product_id: i64,
    pub status: AmendmentStatus,
    /// The proposed product as typed (JSON, written and read by the service).
    pub content: String,
    pub submitted_at: Option<Timestamp>,
    pub reviewed_at: Option<Timestamp>,
    pub reviewed_by: Option<String>,
    pub return_reason: Option<String>,
    pub updated_at: Timestamp,
}

/// An amendment as the JSON of a product read has it (see `products`).
#[derive(serde::Deserialize)]
pub(crate) struct Stored(
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// The JSON array of an amendment row `alias`, in the order of [`Stored`].
pub(crate) fn json_of(array: &str, alias: &str) -> String {
    format!(
        "{array}({alias}.status, {alias}.content, {alias}.submitted_at, {alias}.reviewed_at, \
         {alias}.reviewed_by, {alias}.return_reason, {alias}.updated_at)"
    )
}

impl Stored {
    pub(crate) fn into_amendment(self, product_id: i64) -> Result<Amendment, StoreError> {
        let Stored(status, content, submitted, reviewed, by, reason, updated) = self;
        let bad = |what: &str, v: &str| StoreError::Corrupt(format!("amendment {what}: {v}"));
        let time = |what: &str, v: Option<String>| -> Result<Option<Timestamp>, StoreError> {
            v.map(|s| Timestamp::parse(&s).ok_or_else(|| bad(what, &s)))
                .transpose()
        };
        Ok(Amendment {
            product_id,
            status: AmendmentStatus::parse(&status).map_err(|_| bad("status", &status))?,
            content,
            submitted_at: time("submitted_at", submitted)?,
            reviewed_at: time("reviewed_at", reviewed)?,
            reviewed_by: by,
            return_reason: reason,
            updated_at: time("updated_at", Some(updated))?.expect("given"),
        })
    }
}

/// Writes a product's amendment (creating it or replacing the one there is).
pub async fn put(ex: &impl Exec, a: &Amendment) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO product_amendments (product_id, status, content, submitted_at, \
             reviewed_at, reviewed_by, return_reason, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (product_id) DO UPDATE SET status = excluded.status, \
             content = excluded.content, submitted_at = excluded.submitted_at, \
             reviewed_at = excluded.reviewed_at, reviewed_by = excluded.reviewed_by, \
             return_reason = excluded.return_reason, updated_at = excluded.updated_at",
        )
        .bind(a.product_id)
        .bind(a.status.as_str())
        .bind(a.content.as_str())
        .bind(a.submitted_at)
        .bind(a.reviewed_at)
        .bind(a.reviewed_by.clone())
        .bind(a.return_reason.clone())
        .bind(a.updated_at),
    )
    .await?;
    Ok(())
}

/// Removes a product's amendment (approved into the registered version, discarded, or ended
/// with the registration).
pub async fn delete(ex: &impl Exec, product_id: i64) -> Result<u64, StoreError> {
    ex.execute(Sql::new("DELETE FROM product_amendments WHERE product_id = $1").bind(product_id))
        .await
}
