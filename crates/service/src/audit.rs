//! Writing and reading the audit log. Writing happens inside the transaction of the change it
//! records; reading and exporting are the auditor's alone.

use crate::{Ctx, ServiceError, ServiceResult, Services};
use zhichan_domain::access::{authorize, Action, Actor, Refusal};
use zhichan_domain::Timestamp;
use zhichan_store::audit::{self, Entry, Filter, NewEntry, Verification};
use zhichan_store::Tx;

/// Who did something: a signed-in actor, or a name (a failed login, the command line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Who {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
}

impl From<&Actor> for Who {
    fn from(a: &Actor) -> Self {
        Who {
            user_id: Some(a.user_id),
            username: a.username.clone(),
            role: a.role.as_str().to_string(),
        }
    }
}

impl Who {
    pub fn named(username: &str) -> Self {
        Who {
            user_id: None,
            username: username.to_string(),
            role: String::new(),
        }
    }

    pub fn operator() -> Self {
        Who {
            user_id: None,
            username: "(operator)".into(),
            role: "cli".into(),
        }
    }
}

/// Appends one entry in `tx`.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    tx: &Tx,
    ctx: &Ctx,
    who: Option<&Actor>,
    action: &str,
    object: &str,
    outcome: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> ServiceResult<()> {
    let who = who.map(Who::from).unwrap_or_else(Who::operator);
    record_as(tx, ctx, &who, action, object, outcome, detail, now).await
}

#[allow(clippy::too_many_arguments)]
pub async fn record_as(
    tx: &Tx,
    ctx: &Ctx,
    who: &Who,
    action: &str,
    object: &str,
    outcome: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> ServiceResult<()> {
    audit::append(
        tx,
        &NewEntry {
            at: now,
            user_id: who.user_id,
            username: who.username.clone(),
            role: who.role.clone(),
            ip: ctx.ip.clone(),
            action: action.to_string(),
            object: object.to_string(),
            outcome: outcome.to_string(),
            detail: detail.to_string(),
        },
    )
    .await?;
    Ok(())
}

impl Services {
    /// Records something that changes no other data (a refusal, a failed login, an export) in a
    /// transaction of its own.
    pub async fn audit_alone(
        &self,
        ctx: &Ctx,
        who: &Who,
        action: &str,
        object: &str,
        outcome: &str,
        detail: serde_json::Value,
    ) -> ServiceResult<()> {
        let tx = self.db().begin().await?;
        record_as(&tx, ctx, who, action, object, outcome, detail, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Authorises `action` on one object; a refusal is recorded (someone probing other regions
    /// or enterprises leaves a trace) and answered as the access table says: "not found"
    /// outside the caller's scope, "forbidden" for a role that may never do it. Every use case
    /// checks single objects here, so that no refusal goes unrecorded.
    pub async fn scoped(
        &self,
        actor: &Actor,
        action: Action,
        placement: &zhichan_domain::access::Placement,
        object: &str,
    ) -> ServiceResult<()> {
        match zhichan_domain::access::authorize_on(actor, action, placement) {
            Ok(()) => Ok(()),
            Err(refusal) => Err(self.refused(actor, action, object, refusal).await),
        }
    }

    /// Records that `action` on `object` was refused to `actor` — who, what, when and from
    /// which address (the origin of the request being served) — and answers the error to
    /// return. For the few rules the access table cannot place (a port strictly below one's
    /// own region); everything else goes through [`Services::scoped`].
    pub async fn refused(
        &self,
        actor: &Actor,
        action: Action,
        object: &str,
        refusal: Refusal,
    ) -> ServiceError {
        let what = match refusal {
            Refusal::NotFound => "access.out_of_scope",
            Refusal::Forbidden => "access.denied",
        };
        let recorded = self
            .audit_alone(
                &Ctx::current(),
                &Who::from(actor),
                what,
                object,
                "denied",
                serde_json::json!({"action": action.as_str()}),
            )
            .await;
        match recorded {
            Ok(()) => refusal.into(),
            Err(e) => e,
        }
    }

    /// Searches the log (auditor only).
    pub async fn audit_search(
        &self,
        actor: &Actor,
        filter: &Filter,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Entry>, i64)> {
        self.audit_search_sorted(actor, filter, None, limit, offset)
            .await
    }

    /// [`Self::audit_search`] in the order a person chose (newest first when `None`).
    pub async fn audit_search_sorted(
        &self,
        actor: &Actor,
        filter: &Filter,
        order: Option<zhichan_store::sorting::Order>,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Entry>, i64)> {
        authorize(actor, Action::ReadAudit).map_err(ServiceError::from)?;
        Ok(audit::search_sorted(self.db(), filter, order, limit, offset).await?)
    }

    /// One batch of an export, after `after` (auditor only). The caller records the export.
    pub async fn audit_export_batch(
        &self,
        actor: &Actor,
        filter: &Filter,
        after: i64,
        limit: i64,
    ) -> ServiceResult<Vec<Entry>> {
        authorize(actor, Action::ExportAudit).map_err(ServiceError::from)?;
        Ok(audit::page_after(self.db(), filter, after, limit).await?)
    }

    /// Moves entries older than the retention period in force into the archive, and records
    /// that it did. Run daily by the server and by `zhichan audit archive`.
    pub async fn archive_audit(&self, ctx: &Ctx) -> ServiceResult<audit::Archived> {
        let days = self
            .security_settings()
            .await?
            .settings
            .audit_retention_days;
        let now = self.now();
        let cutoff = now.minus(time::Duration::days(i64::from(days)));
        let tx = self.db().begin().await?;
        let archived = audit::archive_before(&tx, cutoff, now).await?;
        if archived.rows > 0 {
            record_as(
                &tx,
                ctx,
                &Who::operator(),
                "audit.archive",
                "audit_log",
                "ok",
                serde_json::json!({
                    "rows": archived.rows,
                    "from_seq": archived.range.map(|r| r.0),
                    "to_seq": archived.range.map(|r| r.1),
                    "retention_days": days,
                }),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(archived)
    }

    /// Checks the whole chain (the `audit verify` command; the auditor's page).
    pub async fn audit_verify(&self) -> ServiceResult<Verification> {
        Ok(audit::verify(self.db()).await?)
    }
}
