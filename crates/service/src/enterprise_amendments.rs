//! Changes of who an enterprise is (变更): its name and its region. Renaming an enterprise
//! changes the 备案主体 of every certificate and of /verify, and a move takes it out of its
//! reviewers' scope, so neither holds until a reviewer approves it: a name change by a reviewer
//! of the enterprise's region, a move by a reviewer of the destination (the source region's
//! reviewers see the move in their queue but do not decide it). Approved, a move takes the
//! enterprise, its products (their region is a copy of the enterprise's), their annual updates,
//! its accounts and the statistics rollups to the new region in one transaction.

use crate::audit::record;
use crate::enterprises::placement;
use crate::notifications::{notify, Kind, Notice};
use crate::{Ctx, ServiceError, ServiceResult, Services};
use serde_json::json;
use std::collections::HashMap;
use zhichan_domain::access::{authorize, authorize_on, Action, Actor, Placement, Scope};
use zhichan_domain::{CreditCode, RegionCode, Timestamp, Violation};
use zhichan_store::enterprise_amendments::{self, Amendment, Queued};
use zhichan_store::enterprises::{self, Enterprise};
use zhichan_store::{products, stats, Tx};

/// What a save asks to change beyond the directly editable fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Asked {
    pub name: Option<String>,
    pub region: Option<RegionCode>,
}

/// The region whose reviewers decide a change: the destination of a move, else the
/// enterprise's own.
pub fn reviewed_in(a: &Amendment, current: RegionCode) -> RegionCode {
    a.region.unwrap_or(current)
}

/// A change in a reviewer's queue: `reviewable` when the reviewer decides it, otherwise it is a
/// move out of the reviewer's region, shown so that the source region knows.
#[derive(Clone, Debug)]
pub struct QueueItem {
    pub queued: Queued,
    pub reviewable: bool,
}

impl Services {
    /// Records what a save asks for: a new or replaced change under review, the open one
    /// discarded when the save asks for the approved values again, or nothing.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn ask_amendment(
        &self,
        tx: &Tx,
        ctx: &Ctx,
        actor: &Actor,
        e: &Enterprise,
        open: Option<&Amendment>,
        asked: &Asked,
        now: Timestamp,
    ) -> ServiceResult<()> {
        let object = format!("enterprise:{}", e.credit_code);
        if asked.name.is_none() && asked.region.is_none() {
            if open.is_some() {
                enterprise_amendments::discard(tx, e.id, &actor.username, now).await?;
                record(
                    tx,
                    ctx,
                    Some(actor),
                    "enterprise.amendment_discard",
                    &object,
                    "ok",
                    json!({}),
                    now,
                )
                .await?;
            }
            return Ok(());
        }
        // Saving the same request again leaves it waiting as it is; a returned one is
        // submitted again. A submitted one is not changed under its reviewer's eyes: the
        // reviewer would approve what they never saw.
        if let Some(a) = open.filter(|a| a.status == "submitted") {
            if a.name == asked.name && a.region == asked.region {
                return Ok(());
            }
            return Err(ServiceError::invalid(
                if a.name != asked.name {
                    "name"
                } else {
                    "region"
                },
                Violation::new(
                    "amendment_pending",
                    "名称或所在地的变更正在审核，不能再修改；如需修改，请先撤回该变更",
                    "a change is under review: withdraw it first",
                ),
            ));
        }
        let id = enterprise_amendments::submit(
            tx,
            e.id,
            asked.name.as_deref(),
            asked.region,
            &actor.username,
            now,
        )
        .await?;
        record(
            tx,
            ctx,
            Some(actor),
            "enterprise.amendment_submit",
            &object,
            "ok",
            json!({"amendment": id, "name": asked.name,
                   "region": asked.region.map(|r| r.to_string()),
                   "from_region": e.region.to_string(),
                   "reviewed_in": asked.region.unwrap_or(e.region).to_string()}),
            now,
        )
        .await?;
        Ok(())
    }

    /// A profile in the caller's scope with its open change (submitted or returned).
    pub async fn enterprise_with_amendment(
        &self,
        actor: &Actor,
        credit_code: &str,
    ) -> ServiceResult<(Enterprise, Option<Amendment>)> {
        let e = self.enterprise(actor, credit_code).await?;
        let a = enterprise_amendments::open_for(self.db(), e.id).await?;
        Ok((e, a))
    }

    /// The open changes of profiles the caller has read (a page of a list), by profile id.
    pub async fn amendments_of(
        &self,
        list: &[Enterprise],
    ) -> ServiceResult<HashMap<i64, Amendment>> {
        let ids: Vec<i64> = list.iter().map(|e| e.id).collect();
        Ok(enterprise_amendments::open_for_many(self.db(), &ids)
            .await?
            .into_iter()
            .map(|a| (a.enterprise_id, a))
            .collect())
    }

    /// Withdraws the enterprise's open change (404 when there is none).
    pub async fn discard_enterprise_amendment(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
    ) -> ServiceResult<()> {
        let scope = authorize(actor, Action::EditEnterprise)?;
        let e = self.enterprise(actor, credit_code).await?;
        authorize_on(actor, Action::EditEnterprise, &placement(&e))?;
        // The enterprise withdraws its own change; a reviewer only one they asked for (a move
        // is decided by the destination, which the source's reviewers may not cut short).
        let open = enterprise_amendments::open_for(self.db(), e.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !matches!(scope, Scope::Enterprise(_)) && open.requested_by != actor.username {
            return Err(ServiceError::NotFound);
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        if !enterprise_amendments::discard(&tx, e.id, &actor.username, now).await? {
            return Err(ServiceError::NotFound);
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "enterprise.amendment_discard",
            &format!("enterprise:{}", e.credit_code),
            "ok",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The submitted changes that concern the reviewer's region, oldest first.
    pub async fn enterprise_amendment_queue(&self, actor: &Actor) -> ServiceResult<Vec<QueueItem>> {
        let scope = authorize(actor, Action::ReviewRegistrations)?;
        let range = match &scope {
            Scope::Region(r) => r.subtree(),
            Scope::All => RegionCode::NATION.subtree(),
            _ => return Err(ServiceError::Forbidden),
        };
        Ok(enterprise_amendments::queue(self.db(), range)
            .await?
            .into_iter()
            .map(|queued| QueueItem {
                reviewable: scope.admits(&Placement {
                    region: Some(reviewed_in(&queued.amendment, queued.enterprise_region)),
                    ..Placement::default()
                }),
                queued,
            })
            .collect())
    }

    /// Approves a submitted change (it holds from now on) or returns it with a reason; the
    /// enterprise is notified. Only a reviewer of the region that decides it (the destination
    /// of a move) may; to anyone else it does not exist (404).
    pub async fn review_enterprise_amendment(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
        approve: bool,
        reason: Option<&str>,
    ) -> ServiceResult<Enterprise> {
        authorize(actor, Action::ReviewRegistrations)?;
        let code = CreditCode::parse(credit_code).map_err(|_| ServiceError::NotFound)?;
        let e = enterprises::by_credit_code(self.db(), code.as_str())
            .await?
            .ok_or(ServiceError::NotFound)?;
        let open = enterprise_amendments::open_for(self.db(), e.id).await?;
        let decides_in = open.as_ref().map_or(e.region, |a| reviewed_in(a, e.region));
        let object = format!("enterprise:{}", e.credit_code);
        self.scoped(
            actor,
            Action::ReviewRegistrations,
            &Placement {
                region: Some(decides_in),
                ..Placement::default()
            },
            &object,
        )
        .await?;
        let a = open
            .filter(|a| a.status == "submitted")
            .ok_or(ServiceError::NotFound)?;
        // Four eyes: whoever asked for a change does not decide it.
        if a.requested_by == actor.username {
            return Err(ServiceError::invalid(
                "decision",
                Violation::new(
                    "own_request",
                    "不能审核本人提出的变更，请由本地区其他审核人员处理",
                    "the requester may not decide the change",
                ),
            ));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason {
            zhichan_domain::validation::max_chars(r, zhichan_domain::validation::limits::REASON)
                .map_err(|v| crate::ServiceError::invalid("reason", v))?;
        }
        if !approve && reason.is_none() {
            return Err(ServiceError::invalid(
                "reason",
                Violation::new(
                    "required",
                    "退回时须说明理由",
                    "a reason is required to return",
                ),
            ));
        }
        let now = self.now();
        let status = if approve { "approved" } else { "returned" };
        let tx = self.db().begin().await?;
        if !enterprise_amendments::decide(&tx, a.id, status, &actor.username, reason, now).await? {
            return Err(ServiceError::Conflict(
                "该变更已被处理或撤回，请刷新".into(),
            ));
        }
        let mut result = e.clone();
        if approve {
            result = self.apply_amendment(&tx, actor, &e, &a, now).await?;
        }
        let what = match (&a.name, a.region) {
            (Some(n), Some(r)) => format!("名称变更为“{n}”、注册地迁至 {r}"),
            (Some(n), None) => format!("名称变更为“{n}”"),
            (None, Some(r)) => format!("注册地迁至 {r}"),
            (None, None) => "企业信息变更".to_string(),
        };
        let (kind, title, body) = if approve {
            (
                Kind::EnterpriseChangeApproved,
                "企业信息变更已通过",
                format!("{what}已审核通过，自即日起生效。"),
            )
        } else {
            (
                Kind::EnterpriseChangeReturned,
                "企业信息变更被退回",
                format!(
                    "{what}被退回：{}。原登记信息继续有效。",
                    reason.unwrap_or_default()
                ),
            )
        };
        notify(
            &tx,
            &Notice {
                enterprise_id: e.id,
                kind,
                title,
                body: &body,
                link: &format!("/enterprises/{}", e.credit_code),
                key: &format!("{}:{status}", a.id),
            },
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            if approve {
                "enterprise.amendment_approve"
            } else {
                "enterprise.amendment_return"
            },
            &object,
            "ok",
            json!({"amendment": a.id, "name": a.name,
                   "region": a.region.map(|r| r.to_string()),
                   "from_region": e.region.to_string(), "reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(result)
    }

    /// Makes an approved change the enterprise's registered facts, in the caller's transaction:
    /// a new version of the profile and, for a move, its products, their documents, annual
    /// updates, accounts and the statistics rollups in the new region.
    async fn apply_amendment(
        &self,
        tx: &Tx,
        actor: &Actor,
        e: &Enterprise,
        a: &Amendment,
        now: Timestamp,
    ) -> ServiceResult<Enterprise> {
        let after = Enterprise {
            name: a.name.clone().unwrap_or_else(|| e.name.clone()),
            region: a.region.unwrap_or(e.region),
            ..e.clone()
        };
        let Some(version) = enterprises::update(tx, &after, e.version, now).await? else {
            return Err(ServiceError::Conflict(
                "企业信息刚被修改，请刷新后重新审核".into(),
            ));
        };
        let after = Enterprise {
            version,
            updated_at: now,
            ..after
        };
        enterprises::insert_version(
            tx,
            after.id,
            version,
            &crate::enterprises::snapshot(&after).to_string(),
            &actor.username,
            now,
        )
        .await?;
        if after.region != e.region {
            // All of them at once: every contribution leaves before any arrives.
            let ids = enterprise_amendments::product_ids(tx, e.id).await?;
            let mut list = Vec::with_capacity(ids.len());
            for page in ids.chunks(200) {
                list.extend(products::by_ids(tx, page).await?);
            }
            stats::relocate(tx, &list, after.region).await?;
            let moved =
                enterprise_amendments::move_belongings(tx, e.id, &e.credit_code, after.region)
                    .await?;
            self.write_documents(tx, &moved).await?;
        }
        Ok(after)
    }
}
