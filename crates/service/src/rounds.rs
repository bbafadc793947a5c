//! The round of an identification batch from computed to announced, wiring the components
//! together: the experts' industry evaluation (产业性评价) is a panel of the batch
//! ([`Services::create_panel`]); the national administrator reviews the list (approves it or
//! sends it back); the public notice (公示) with objections (异议) is the notice component
//! ([`Services::publish_notice`], kind `identification`); the announcement (公告) gives each
//! candidate its final `outcome` — `identified` with its identification number, or
//! `not_identified` with the reason — by the rule the method states for combining the computed
//! patent evaluation and the experts' score.

use crate::audit::record;
use crate::batches::{parse_candidate, BatchView, CandidateView};
use crate::notices::{NoticeItem, NoticeView};
use crate::panels::{check_deadline_days, close_panel, reopen_panel, ItemInput};
use crate::{Ctx, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_domain::access::Actor;
use zhichan_domain::enterprises::format_date;
use zhichan_domain::identification::{plain, Decimal, FinalRule, Method};
use zhichan_domain::notices::{NoticeKind, ObjectionDecision};
use zhichan_domain::panels::{Aggregated, PanelKind};
use zhichan_domain::Violation;
use zhichan_store::identification_batches::{self as batches, Candidate};
use zhichan_store::identification_rounds as store;

/// The final outcome values (`identification_candidates.outcome`).
pub const IDENTIFIED: &str = "identified";
pub const NOT_IDENTIFIED: &str = "not_identified";

/// The default deadline of the experts' evaluation, in working days.
pub const DEFAULT_EVALUATION_DAYS: u32 = 10;

/// One candidate as the review sees it: its computed patent evaluation, the experts'
/// aggregate and what the method's final rule makes of them.
#[derive(Clone, Debug)]
pub struct Proposal {
    pub view: CandidateView,
    /// The experts' aggregate (`None` for a candidate the panel does not score).
    pub experts: Option<Aggregated>,
    /// `Some(true)`: goes on the notice; `Some(false)`: not identified (with `reason`);
    /// `None`: waits for the experts.
    pub proposed: Option<bool>,
    pub reason: Option<String>,
}

/// A product identified in an announced batch.
#[derive(Clone, Debug)]
pub struct Identified {
    pub candidate: Candidate,
    pub year: i64,
    pub announced_on: String,
}

fn stage_error(zh: impl Into<String>) -> ServiceError {
    ServiceError::Conflict(zh.into())
}

/// What the method's final rule makes of a candidate's patent evaluation and experts'
/// aggregate (see [`zhichan_domain::identification::final_outcome`]).
pub fn propose(
    method: &Method,
    view: &CandidateView,
    experts: Option<&Aggregated>,
) -> (Option<bool>, Option<String>) {
    let c = &view.candidate;
    if c.check_status == "returned" {
        return (
            Some(false),
            Some(format!(
                "形式审查退回：{}",
                c.check_reason.clone().unwrap_or_default()
            )),
        );
    }
    let Some(result) = &view.result else {
        return (Some(false), Some("未参加计算".into()));
    };
    if !result.passed {
        let why = result.reasons.join("；");
        return (Some(false), Some(format!("专利性评价未通过：{why}")));
    }
    let score = experts.and_then(|a| a.score);
    match method.final_rule {
        FinalRule::PatentOnly => (Some(true), None),
        FinalRule::BothPass => match score {
            None => (None, None),
            Some(s) if s >= method.industry.pass_score => (Some(true), None),
            Some(s) => (
                Some(false),
                Some(format!(
                    "产业性评价得分 {}，低于及格分 {}",
                    plain(s),
                    plain(method.industry.pass_score)
                )),
            ),
        },
    }
}

impl Services {
    async fn batch_row(&self, id: i64) -> ServiceResult<batches::Batch> {
        batches::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Starts the experts' industry evaluation of a computed batch (national administrator):
    /// a panel of the batch with one item per candidate that passed the patent evaluation,
    /// the method's score sheet, minimum of experts and aggregate, due in `deadline_days`
    /// working days. The administrator then assigns experts per item (the panel's routes).
    pub async fn start_industry_evaluation(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        deadline_days: Option<u32>,
    ) -> ServiceResult<BatchView> {
        self.may_manage_batches(actor, &format!("identification_batch:{id}"))
            .await?;
        // The input first: a wrong deadline is a field error whatever the batch's stage.
        if let Some(days) = deadline_days {
            check_deadline_days(days).map_err(|e| ServiceError::invalid_fields(vec![e]))?;
        }
        let batch = self.batch_row(id).await?;
        if batch.status != "computed" {
            return Err(stage_error(match batch.status.as_str() {
                "open" => "本批次尚未计算，计算后才能开始产业性评价",
                _ => "本批次的产业性评价已经开始",
            }));
        }
        let method = self
            .method_of(batch.method_id, batch.method_version)
            .await?;
        let passed: Vec<Candidate> = store::all_candidates(self.db(), id)
            .await?
            .into_iter()
            .filter(|c| c.passed == Some(true))
            .collect();
        let panel_id = if passed.is_empty() {
            None
        } else {
            let existing = zhichan_store::panels::of_subject(
                self.db(),
                PanelKind::Identification.as_str(),
                id,
            )
            .await?;
            Some(match existing {
                Some(p) => p.id,
                None => {
                    let items: Vec<ItemInput> = passed
                        .iter()
                        .map(|c| ItemInput {
                            enterprise: c.enterprise_code.clone(),
                            enterprise_name: c.enterprise_name.clone(),
                            field: c.field.clone().unwrap_or_default(),
                            label: c.product_name.clone(),
                        })
                        .collect();
                    self.create_panel(
                        ctx,
                        PanelKind::Identification,
                        id,
                        &method.industry.items,
                        &items,
                        method.industry.min_experts,
                        method.industry.aggregate,
                        deadline_days.unwrap_or(DEFAULT_EVALUATION_DAYS),
                    )
                    .await?
                    .id
                }
            })
        };
        let now = self.now();
        let tx = self.db().begin().await?;
        if store::start_evaluation(&tx, id, panel_id).await? == 0 {
            return Err(stage_error("本批次的产业性评价已经开始"));
        }
        for (k, c) in passed.iter().enumerate() {
            store::set_panel_item(&tx, id, c.product_id, k as i64 + 1).await?;
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "identification_batch.evaluate",
            &format!("identification_batch:{id}"),
            "ok",
            json!({"panel": panel_id, "items": passed.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.identification_batch(actor, id).await
    }

    /// Every candidate of the batch with what the method's final rule makes of it so far (the
    /// national administrator's review list).
    pub async fn batch_proposals(&self, actor: &Actor, id: i64) -> ServiceResult<Vec<Proposal>> {
        self.may_manage_batches(actor, &format!("identification_batch:{id}"))
            .await?;
        let batch = self.batch_row(id).await?;
        self.proposals(&batch).await
    }

    async fn proposals(&self, batch: &batches::Batch) -> ServiceResult<Vec<Proposal>> {
        let method = self
            .method_of(batch.method_id, batch.method_version)
            .await?;
        // Once approved, the list is what the review stored, whatever the panel says since.
        let approved = matches!(
            batch.status.as_str(),
            "reviewed" | "published" | "announced"
        );
        let results = match batch.panel_id {
            Some(p) => self.panel_results(p).await?,
            None => Vec::new(),
        };
        store::all_candidates(self.db(), batch.id)
            .await?
            .into_iter()
            .map(|c| {
                let experts = c.panel_item.and_then(|n| {
                    results
                        .iter()
                        .find(|(item, _)| *item == n)
                        .map(|(_, a)| a.clone())
                });
                if approved {
                    let stored_score =
                        c.industry_score
                            .as_deref()
                            .map(|s| {
                                s.parse::<Decimal>().map_err(|_| {
                                    ServiceError::Store(zhichan_store::StoreError::Corrupt(
                                        format!("candidate {}: industry_score", c.product_id),
                                    ))
                                })
                            })
                            .transpose()?;
                    let (proposed, reason) = (c.proposed, c.outcome_reason.clone());
                    let experts = experts.map(|a| Aggregated {
                        scored: a.scored,
                        score: stored_score,
                    });
                    return Ok(Proposal {
                        view: parse_candidate(c)?,
                        experts,
                        proposed,
                        reason,
                    });
                }
                let view = parse_candidate(c)?;
                let (proposed, reason) = propose(&method, &view, experts.as_ref());
                Ok(Proposal {
                    view,
                    experts,
                    proposed,
                    reason,
                })
            })
            .collect()
    }

    /// The national review (审核) of the list: `approve` keeps what the method's rule makes of
    /// each candidate (every candidate the experts score must have its aggregate: 422
    /// `evaluation_incomplete` otherwise); sending back (a reason required) returns the batch
    /// to the industry evaluation, e.g. for more experts.
    pub async fn review_batch(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        approve: bool,
        reason: Option<&str>,
    ) -> ServiceResult<BatchView> {
        self.may_manage_batches(actor, &format!("identification_batch:{id}"))
            .await?;
        let batch = self.batch_row(id).await?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let now = self.now();
        if !approve {
            let Some(reason) = reason else {
                return Err(ServiceError::invalid(
                    "reason",
                    Violation::new(
                        "required",
                        "退回时请写明理由",
                        "a reason is required to send the list back",
                    ),
                ));
            };
            if !matches!(batch.status.as_str(), "evaluating" | "reviewed") {
                return Err(stage_error(
                    "只有产业性评价中或已审核、尚未公示的批次可以退回",
                ));
            }
            let tx = self.db().begin().await?;
            if store::send_back(&tx, id, reason, &actor.username, now).await? == 0 {
                return Err(stage_error("本批次已不在审核阶段，请刷新"));
            }
            // Back to the experts: their panel takes assignments and scores again.
            reopen_panel(&tx, PanelKind::Identification, id).await?;
            record(
                &tx,
                ctx,
                Some(actor),
                "identification_batch.review",
                &format!("identification_batch:{id}"),
                "ok",
                json!({"decision": "return", "reason": reason}),
                now,
            )
            .await?;
            tx.commit().await?;
            return self.identification_batch(actor, id).await;
        }
        if batch.status != "evaluating" {
            return Err(stage_error(match batch.status.as_str() {
                "open" | "computed" => "产业性评价开始后才能审核",
                _ => "本批次已经审核",
            }));
        }
        let proposals = self.proposals(&batch).await?;
        let waiting = proposals.iter().filter(|p| p.proposed.is_none()).count();
        if waiting > 0 {
            return Err(ServiceError::invalid(
                "batch",
                Violation::new(
                    "evaluation_incomplete",
                    format!("还有 {waiting} 件产品的专家评分人数不足，评分完成后才能审核通过"),
                    "the experts have not scored every candidate",
                ),
            ));
        }
        let kept = proposals
            .iter()
            .filter(|p| p.proposed == Some(true))
            .count();
        let tx = self.db().begin().await?;
        for p in &proposals {
            let score = p.experts.as_ref().and_then(|a| a.score).map(plain);
            store::set_review(
                &tx,
                id,
                p.view.candidate.product_id,
                score.as_deref(),
                p.proposed == Some(true),
                p.reason.as_deref(),
            )
            .await?;
        }
        if store::mark_reviewed(&tx, id, &actor.username, now).await? == 0 {
            return Err(stage_error("本批次已经审核"));
        }
        // The batch leaves the industry evaluation: its panel closes, so the stored list stays
        // what the experts gave.
        close_panel(&tx, PanelKind::Identification, id, now).await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "identification_batch.review",
            &format!("identification_batch:{id}"),
            "ok",
            json!({"decision": "approve", "kept": kept, "candidates": proposals.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.identification_batch(actor, id).await
    }

    /// Publishes the reviewed list for public notice (公示) for `notice_days` working days: one
    /// notice item per candidate the review kept (422 `nothing_to_publish` when none).
    pub async fn publish_batch(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        notice_days: i64,
    ) -> ServiceResult<(BatchView, NoticeView)> {
        self.may_manage_batches(actor, &format!("identification_batch:{id}"))
            .await?;
        let batch = self.batch_row(id).await?;
        if batch.status != "reviewed" {
            return Err(stage_error(match batch.status.as_str() {
                "published" | "announced" => "本批次已经公示",
                _ => "名单经审核后才能公示",
            }));
        }
        let items: Vec<NoticeItem> = store::all_candidates(self.db(), id)
            .await?
            .into_iter()
            .filter(|c| c.proposed == Some(true))
            .map(|c| NoticeItem {
                subject_item: c.product_id,
                title: c.product_name,
                enterprise: c.enterprise_name,
                region: c.region.to_string(),
                field: c.field.unwrap_or_default(),
            })
            .collect();
        if items.is_empty() {
            return Err(ServiceError::invalid(
                "batch",
                Violation::new(
                    "nothing_to_publish",
                    "审核后的名单中没有拟认定的产品，无需公示",
                    "no candidate is proposed",
                ),
            ));
        }
        let notice = match self.notice_of(NoticeKind::Identification, id).await? {
            // Published before this batch's status moved (an interrupted call): keep it.
            Some(n) => n,
            None => {
                self.publish_notice(
                    actor,
                    ctx,
                    NoticeKind::Identification,
                    id,
                    &format!("{} 年度专利密集型产品认定结果公示", batch.year),
                    &items,
                    notice_days,
                )
                .await?
            }
        };
        let now = self.now();
        let tx = self.db().begin().await?;
        if store::move_status(&tx, id, "reviewed", "published").await? == 0 {
            return Err(stage_error("本批次已经公示"));
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "identification_batch.publish",
            &format!("identification_batch:{id}"),
            "ok",
            json!({"notice": notice.id, "items": items.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((self.identification_batch(actor, id).await?, notice))
    }

    /// The batch's notice (public; 404 before it is published).
    pub async fn batch_notice(&self, id: i64) -> ServiceResult<NoticeView> {
        self.notice_of(NoticeKind::Identification, id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Announces the batch (公告) once its notice has ended and every objection is answered:
    /// every candidate gets its final outcome — `identified` with the number the notice gave
    /// it, or `not_identified` with why (an upheld objection's answer among the reasons) —
    /// and the batch its `announced_on` date.
    pub async fn announce_batch(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
    ) -> ServiceResult<BatchView> {
        self.may_manage_batches(actor, &format!("identification_batch:{id}"))
            .await?;
        let batch = self.batch_row(id).await?;
        if batch.status != "published" {
            return Err(stage_error(match batch.status.as_str() {
                "announced" => "本批次已经公告，认定结果不能更改",
                _ => "名单公示期满后才能公告",
            }));
        }
        let notice = self.batch_notice(id).await?;
        let notice = if notice.announced_at.is_some() {
            notice
        } else {
            self.announce_notice(actor, ctx, notice.id).await?
        };
        let (objections, _) = self.objections(actor, notice.id).await?;
        let upheld = |product: i64| {
            objections
                .iter()
                .filter(|o| {
                    o.subject_item == product && o.decision == Some(ObjectionDecision::Upheld)
                })
                .map(|o| o.answer.clone().unwrap_or_default())
                .collect::<Vec<_>>()
        };
        let now = self.now();
        let on = format_date(now.beijing_date());
        let candidates = store::all_candidates(self.db(), id).await?;
        let tx = self.db().begin().await?;
        let mut identified = 0;
        // What the announcement adds to the identified rollup: each product's region and field.
        let mut rolled = Vec::new();
        for c in &candidates {
            let listed = notice.items.iter().find(|i| i.subject_item == c.product_id);
            let (outcome, reason, number) = match listed {
                Some(i) if !i.removed => match &i.number {
                    Some(n) => (IDENTIFIED, None, Some(n.clone())),
                    None => {
                        return Err(ServiceError::Store(zhichan_store::StoreError::Corrupt(
                            format!("notice {}: item {} has no number", notice.id, c.product_id),
                        )))
                    }
                },
                Some(_) => (
                    NOT_IDENTIFIED,
                    Some(format!(
                        "公示期间异议成立：{}",
                        upheld(c.product_id).join("；")
                    )),
                    None,
                ),
                None => (
                    NOT_IDENTIFIED,
                    Some(
                        c.outcome_reason
                            .clone()
                            .unwrap_or_else(|| "未列入拟认定名单".into()),
                    ),
                    None,
                ),
            };
            if outcome == IDENTIFIED {
                identified += 1;
                rolled.push((c.region, c.field.clone().unwrap_or_default()));
            }
            store::set_outcome(
                &tx,
                id,
                c.product_id,
                outcome,
                reason.as_deref(),
                number.as_deref(),
            )
            .await?;
        }
        if store::mark_announced(&tx, id, &on).await? == 0 {
            return Err(stage_error("本批次已经公告，认定结果不能更改"));
        }
        zhichan_store::identified_stats::add(&tx, &rolled, now.beijing_date().year()).await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "identification_batch.announce",
            &format!("identification_batch:{id}"),
            "ok",
            json!({"notice": notice.id, "identified": identified,
                   "not_identified": candidates.len() - identified, "announced_on": on}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.identification_batch(actor, id).await
    }

    /// The identified products of an announced batch: public, with their numbers (404 until
    /// announced).
    pub async fn identified_products(
        &self,
        id: i64,
    ) -> ServiceResult<(batches::Batch, Vec<Candidate>)> {
        let batch = self.batch_row(id).await?;
        if batch.status != "announced" {
            return Err(ServiceError::NotFound);
        }
        let list = store::identified(self.db(), id).await?;
        Ok((batch, list))
    }

    /// The product's newest identification in an announced batch (`None` when it has none),
    /// for whoever may read the product.
    pub async fn product_identified(
        &self,
        actor: &Actor,
        product_id: i64,
    ) -> ServiceResult<Option<Identified>> {
        self.load(
            actor,
            product_id,
            zhichan_domain::access::Action::ReadIdentification,
        )
        .await?;
        Ok(store::identified_product(self.db(), product_id).await?.map(
            |(candidate, year, announced_on)| Identified {
                candidate,
                year,
                announced_on,
            },
        ))
    }
}
