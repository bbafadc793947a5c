//! Facts an award counts must be confirmed by a reviewer of the enterprise's region.
//!
//! Declarations (申报事项): a cost or an event of a year the platform does not hold itself (a
//! certification fee, an insurance premium, a patent award won…), declared by the enterprise with
//! its evidence, approved or returned (with a reason, the enterprise notified) by a reviewer of
//! its region. Only approved ones feed entitlements. A declaration is not edited: a returned one
//! is declared again; the review is optimistic (a declaration decided meanwhile is 409).
//!
//! Qualifications: those a reviewer enters or changes on the profile are confirmed; those the
//! enterprise enters or changes wait until a reviewer of its region confirms or returns them
//! (`POST /api/v1/enterprises/{credit_code}/qualifications/review`). Only confirmed ones, in
//! force in the year, count for awards.

use crate::audit::record;
use crate::enterprises::placement;
use crate::notifications::{notify, Kind, Notice};
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_domain::access::{authorize, Action, Actor, Placement, Scope};
use zhichan_domain::awards::{DeclarationKind, Declared};
use zhichan_domain::enterprises::{Qualification, QualificationReview};
use zhichan_domain::validation::{limits, max_chars};
use zhichan_domain::{CreditCode, Money, RegionCode, Violation};
use zhichan_store::awards::Whose;
use zhichan_store::declarations::{self as store, Declaration, NewDeclaration};
use zhichan_store::enterprises::{self, Enterprise};

/// What an enterprise declares, as typed.
#[derive(Clone, Debug, Default)]
pub struct DeclarationInput {
    pub kind: String,
    pub year: String,
    /// The cost in yuan (cost kinds only).
    pub amount: Option<String>,
    pub note: Option<String>,
    /// The evidence's file name and bytes.
    pub evidence: Option<(String, Vec<u8>)>,
}

/// The longest note a declaration carries.
pub const MAX_NOTE_CHARS: usize = 500;

fn bad(field: &str, code: &'static str, zh: impl Into<String>, en: &str) -> FieldViolation {
    FieldViolation::new(field, Violation::new(code, zh, en.to_string()))
}

/// A declaration's kind, as stored.
pub fn kind_of(d: &Declaration) -> Option<DeclarationKind> {
    DeclarationKind::parse(&d.kind).ok()
}

/// The declared amount as money.
pub fn amount_of(d: &Declaration) -> Option<Money> {
    d.amount_fen.map(Money::from_fen)
}

fn declaration_placement(d: &Declaration) -> Placement {
    Placement {
        region: Some(d.region),
        enterprise: Some(d.credit_code.clone()),
        account: None,
    }
}

fn trimmed(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The review of each qualification after a save: one whose facts did not change keeps its
/// review; a new or changed one is confirmed when a reviewer of the region (`confirms`) entered
/// it, and waits for review otherwise.
pub(crate) fn settle_reviews(
    before: &[Qualification],
    after: &mut [Qualification],
    confirms: bool,
) {
    for q in after.iter_mut() {
        match before.iter().find(|b| b.same_facts(q)) {
            Some(b) => {
                q.review = b.review;
                q.review_reason = b.review_reason.clone();
            }
            None => {
                q.review = if confirms {
                    QualificationReview::Confirmed
                } else {
                    QualificationReview::Pending
                };
                q.review_reason = None;
            }
        }
    }
}

/// Whether `actor` confirms what they enter on a profile placed at `p`: a reviewer of its region.
pub(crate) fn confirms_for(actor: &Actor, p: &Placement) -> bool {
    authorize(actor, Action::ReviewRegistrations).is_ok_and(|s| s.admits(p))
}

fn region_range(scope: &Scope) -> ServiceResult<(u32, u32)> {
    match scope {
        Scope::Region(r) => Ok(r.subtree()),
        Scope::All => Ok(RegionCode::NATION.subtree()),
        _ => Err(ServiceError::Forbidden),
    }
}

fn reason_checked(approve: bool, reason: Option<&str>) -> ServiceResult<Option<String>> {
    let reason = trimmed(reason);
    if let Some(r) = reason {
        max_chars(r, limits::REASON).map_err(|v| ServiceError::invalid("reason", v))?;
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
    Ok(reason.map(str::to_string))
}

impl Services {
    pub(crate) async fn enterprise_in_scope(
        &self,
        actor: &Actor,
        action: Action,
        credit_code: &str,
    ) -> ServiceResult<Enterprise> {
        authorize(actor, action)?;
        let object = format!("enterprise:{credit_code}");
        let found = match CreditCode::parse(credit_code) {
            Ok(code) => enterprises::by_credit_code(self.db(), code.as_str()).await?,
            Err(_) => None,
        };
        let Some(e) = found else {
            return Err(self
                .refused(
                    actor,
                    action,
                    &object,
                    zhichan_domain::access::Refusal::NotFound,
                )
                .await);
        };
        self.scoped(actor, action, &placement(&e), &object).await?;
        Ok(e)
    }

    /// Declares a cost or an event of a year with its evidence: the enterprise for itself (or
    /// its reviewer on its behalf); it waits for a reviewer of the enterprise's region.
    pub async fn declare(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
        input: DeclarationInput,
    ) -> ServiceResult<Declaration> {
        let e = self
            .enterprise_in_scope(actor, Action::EditEnterprise, credit_code)
            .await?;
        let mut errors = Vec::new();
        let kind = match DeclarationKind::parse(input.kind.trim()) {
            Ok(k) => Some(k),
            Err(v) => {
                errors.push(FieldViolation::new("kind", v));
                None
            }
        };
        let this_year = self.now().beijing_date().year();
        let year = match input.year.trim().parse::<i32>() {
            Ok(y) if (2000..=this_year).contains(&y) => Some(y),
            _ => {
                errors.push(bad(
                    "year",
                    "invalid_year",
                    format!("年度应在 2000～{this_year} 之间"),
                    "year: 2000 to this year",
                ));
                None
            }
        };
        let amount = match trimmed(input.amount.as_deref()) {
            None => None,
            Some(raw) => match Money::parse(raw) {
                Ok(m) if m.fen() > 0 => Some(m),
                Ok(_) => {
                    errors.push(bad(
                        "amount",
                        "invalid_money",
                        "金额应大于零",
                        "amount must be positive",
                    ));
                    None
                }
                Err(v) => {
                    errors.push(FieldViolation::new("amount", v));
                    None
                }
            },
        };
        match kind {
            Some(k)
                if k.is_cost()
                    && amount.is_none()
                    && trimmed(input.amount.as_deref()).is_none() =>
            {
                errors.push(bad(
                    "amount",
                    "required",
                    format!("申报{}须填写实际发生的金额", k.label_zh()),
                    "a cost needs its amount",
                ))
            }
            Some(k) if !k.is_cost() && trimmed(input.amount.as_deref()).is_some() => {
                errors.push(bad(
                    "amount",
                    "not_a_cost",
                    format!("“{}”是事项，不填写金额", k.label_zh()),
                    "an event has no amount",
                ))
            }
            _ => {}
        }
        let note = trimmed(input.note.as_deref()).unwrap_or("").to_string();
        if let Err(v) = max_chars(&note, MAX_NOTE_CHARS) {
            errors.push(FieldViolation::new("note", v));
        }
        let evidence = match &input.evidence {
            Some((name, bytes)) if !bytes.is_empty() => {
                match crate::evidence::check("evidence", name, bytes) {
                    Ok(file) => Some((file, bytes.as_slice())),
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                }
            }
            _ => None,
        };
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let (kind, year) = (kind.expect("checked"), year.expect("checked"));
        let now = self.now();
        let tx = self.db().begin().await?;
        let evidence_id = match &evidence {
            Some((file, bytes)) => Some(crate::evidence::put(&tx, file, bytes, now).await?),
            None => None,
        };
        let id = store::insert(
            &tx,
            &NewDeclaration {
                enterprise_id: e.id,
                kind: kind.as_str(),
                year,
                amount_fen: amount.map(Money::fen),
                note: &note,
                evidence: evidence_id,
                by: &actor.username,
            },
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "declaration.submit",
            &format!("declaration:{id}"),
            "ok",
            json!({"enterprise": e.credit_code, "kind": kind.as_str(), "year": year,
                   "amount": amount.map(|m| m.to_string()),
                   "evidence": evidence.as_ref().map(|(f, b)| json!({"name": f.name, "size": b.len()}))}),
            now,
        )
        .await?;
        tx.commit().await?;
        store::get(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// An enterprise's declarations, newest first (the enterprise, reviewers and administrators
    /// of its region).
    pub async fn declarations_of(
        &self,
        actor: &Actor,
        credit_code: &str,
    ) -> ServiceResult<(Enterprise, Vec<Declaration>)> {
        let e = self
            .enterprise_in_scope(actor, Action::ReadEnterprise, credit_code)
            .await?;
        let list = store::of_enterprise(self.db(), e.id).await?;
        Ok((e, list))
    }

    /// One declaration, if inside the caller's scope (404 otherwise).
    pub async fn declaration(&self, actor: &Actor, id: i64) -> ServiceResult<Declaration> {
        self.declaration_in_scope(actor, Action::ReadEnterprise, id)
            .await
    }

    /// A declaration the caller may act on under `action`: 404 (audited) when it is not there
    /// or lies outside the caller's scope.
    async fn declaration_in_scope(
        &self,
        actor: &Actor,
        action: Action,
        id: i64,
    ) -> ServiceResult<Declaration> {
        authorize(actor, action)?;
        let object = format!("declaration:{id}");
        let Some(d) = store::get(self.db(), id).await? else {
            return Err(self
                .refused(
                    actor,
                    action,
                    &object,
                    zhichan_domain::access::Refusal::NotFound,
                )
                .await);
        };
        self.scoped(actor, action, &declaration_placement(&d), &object)
            .await?;
        Ok(d)
    }

    /// A declaration's evidence: its name, served type (from its own bytes) and bytes.
    pub async fn declaration_evidence(
        &self,
        actor: &Actor,
        id: i64,
    ) -> ServiceResult<(String, String, Vec<u8>)> {
        self.declaration(actor, id).await?;
        let e = store::evidence(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok((e.name, e.content_type, e.bytes))
    }

    /// The submitted declarations of the reviewer's region, oldest first.
    pub async fn declaration_queue(&self, actor: &Actor) -> ServiceResult<Vec<Declaration>> {
        let scope = authorize(actor, Action::ReviewRegistrations)?;
        Ok(store::queue(self.db(), region_range(&scope)?).await?)
    }

    /// The enterprises of the reviewer's region with qualifications waiting for review.
    pub async fn qualification_queue(
        &self,
        actor: &Actor,
    ) -> ServiceResult<Vec<store::PendingQualifications>> {
        let scope = authorize(actor, Action::ReviewRegistrations)?;
        Ok(store::pending_qualifications(self.db(), region_range(&scope)?).await?)
    }

    /// The enterprises of the reviewer's region with qualifications waiting for review, each
    /// with those qualifications (kind, level, certificate, validity): what the reviewer decides
    /// from the queue.
    pub async fn qualification_queue_detail(
        &self,
        actor: &Actor,
    ) -> ServiceResult<Vec<(store::PendingQualifications, Vec<Qualification>)>> {
        let waiting = self.qualification_queue(actor).await?;
        self.with_qualifications_in(waiting, QualificationReview::Pending)
            .await
    }

    /// The enterprise submits a returned qualification again for review, unchanged (it was
    /// returned, say, only because of another one): it waits for a reviewer of its region again,
    /// the return's reason kept in the audit log. `version` is the profile version the
    /// enterprise read (409 when it has moved on); a qualification that is not returned is 409.
    /// The profile's version moves on, so that a reviewer who read it before decides nothing
    /// unseen.
    #[allow(clippy::too_many_arguments)]
    pub async fn resubmit_qualification(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
        version: i64,
        kind: &str,
        level: &str,
    ) -> ServiceResult<Enterprise> {
        let before = self
            .enterprise_in_scope(actor, Action::EditEnterprise, credit_code)
            .await?;
        let kind = zhichan_domain::enterprises::QualificationKind::parse(kind)
            .map_err(|v| ServiceError::invalid("kind", v))?;
        let level = zhichan_domain::enterprises::QualificationLevel::parse(level)
            .map_err(|v| ServiceError::invalid("level", v))?;
        let Some(q) = before
            .qualifications
            .iter()
            .find(|q| q.kind == kind && q.level == level)
            .cloned()
        else {
            return Err(ServiceError::invalid(
                "kind",
                Violation::new(
                    "unknown_qualification",
                    "本企业没有这项资质",
                    "the enterprise holds no such qualification",
                ),
            ));
        };
        if before.version != version {
            return Err(ServiceError::Conflict(
                "企业信息已被他人修改，请刷新后重新填写".into(),
            ));
        }
        if q.review != QualificationReview::Returned {
            return Err(ServiceError::Conflict(
                "这项资质不是退回状态，无需重新提交".into(),
            ));
        }
        let mut after = before.clone();
        for a in after.qualifications.iter_mut() {
            if a.kind == kind && a.level == level {
                a.review = QualificationReview::Pending;
                a.review_reason = None;
            }
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        let Some(new_version) = enterprises::update(&tx, &after, version, now).await? else {
            return Err(ServiceError::Conflict(
                "企业信息已被他人修改，请刷新后重新填写".into(),
            ));
        };
        let after = Enterprise {
            version: new_version,
            updated_at: now,
            ..after
        };
        enterprises::insert_version(
            &tx,
            after.id,
            new_version,
            &crate::enterprises::snapshot(&after).to_string(),
            &actor.username,
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "enterprise.qualification_resubmit",
            &format!("enterprise:{}", after.credit_code),
            "ok",
            json!({"kind": kind.as_str(), "level": level.as_str(),
                   "certificate": q.certificate, "returned_reason": q.review_reason,
                   "version": new_version}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One page of the enterprises of the reviewer's region subtree (or of `region` within it;
    /// 404 outside it) with qualifications in a review state, by name, and how many there are.
    pub async fn qualifications_by_review(
        &self,
        actor: &Actor,
        review: QualificationReview,
        region: Option<RegionCode>,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<(store::PendingQualifications, Vec<Qualification>)>, i64)> {
        let scope = authorize(actor, Action::ReviewRegistrations)?;
        let own = match scope {
            Scope::Region(r) => r,
            Scope::All => RegionCode::NATION,
            _ => return Err(ServiceError::Forbidden),
        };
        let within = match region {
            Some(r) if own.contains(r) => r,
            // A region outside one's own is not revealed to hold anything.
            Some(_) => return Err(ServiceError::NotFound),
            None => own,
        };
        let (list, total) = store::qualifications_in_state(
            self.db(),
            within.subtree(),
            review.as_str(),
            limit,
            offset,
        )
        .await?;
        Ok((self.with_qualifications_in(list, review).await?, total))
    }

    /// Each enterprise listed with its qualifications in `review`, read in one query.
    async fn with_qualifications_in(
        &self,
        list: Vec<store::PendingQualifications>,
        review: QualificationReview,
    ) -> ServiceResult<Vec<(store::PendingQualifications, Vec<Qualification>)>> {
        let ids: Vec<i64> = list.iter().map(|w| w.enterprise_id).collect();
        let mut quals: std::collections::HashMap<i64, Vec<Qualification>> = Default::default();
        for (id, q) in enterprises::qualifications_in_review(self.db(), &ids, review).await? {
            quals.entry(id).or_default().push(q);
        }
        Ok(list
            .into_iter()
            .map(|w| {
                let items = quals.remove(&w.enterprise_id).unwrap_or_default();
                (w, items)
            })
            .collect())
    }

    /// Approves a submitted declaration (it counts for awards from now on) or returns it with a
    /// reason; the enterprise is notified. A reviewer of the enterprise's region only (404 for
    /// anyone else); never the one who declared it.
    pub async fn review_declaration(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        approve: bool,
        reason: Option<&str>,
    ) -> ServiceResult<Declaration> {
        let d = self
            .declaration_in_scope(actor, Action::ReviewRegistrations, id)
            .await?;
        let object = format!("declaration:{id}");
        if d.declared_by == actor.username {
            return Err(ServiceError::invalid(
                "decision",
                Violation::new(
                    "own_request",
                    "不能审核本人提交的申报，请由本地区其他审核人员处理",
                    "the declarant may not decide the declaration",
                ),
            ));
        }
        let reason = reason_checked(approve, reason)?;
        if d.status != "submitted" {
            return Err(ServiceError::Conflict("该申报已审核，请刷新".into()));
        }
        let now = self.now();
        let status = if approve { "approved" } else { "returned" };
        let tx = self.db().begin().await?;
        if !store::decide(
            &tx,
            id,
            d.version,
            status,
            &actor.username,
            reason.as_deref(),
            now,
        )
        .await?
        {
            return Err(ServiceError::Conflict("该申报已被他人审核，请刷新".into()));
        }
        let what = format!(
            "{}年度{}",
            d.year,
            kind_of(&d).map_or(d.kind.as_str(), |k| k.label_zh())
        );
        let what = match amount_of(&d) {
            Some(m) => format!("{what}（{}元）", m.grouped()),
            None => what,
        };
        let body = if approve {
            format!("申报编号 {id}：{what}已审核确认，将计入免申即享奖补。")
        } else {
            format!(
                "申报编号 {id}：{what}被退回：{}。如需申报，请补充材料后重新提交。",
                reason.as_deref().unwrap_or_default()
            )
        };
        notify(
            &tx,
            &Notice {
                enterprise_id: d.enterprise_id,
                kind: if approve {
                    Kind::DeclarationApproved
                } else {
                    Kind::DeclarationReturned
                },
                title: if approve {
                    "申报事项已确认"
                } else {
                    "申报事项被退回"
                },
                body: &body,
                link: &format!("/enterprises/{}/declarations", d.credit_code),
                key: &format!("{id}:{status}"),
            },
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            if approve {
                "declaration.approve"
            } else {
                "declaration.return"
            },
            &object,
            "ok",
            json!({"enterprise": d.credit_code, "kind": d.kind, "year": d.year,
                   "amount": amount_of(&d).map(|m| m.to_string()), "reason": reason,
                   "version": d.version + 1}),
            now,
        )
        .await?;
        tx.commit().await?;
        store::get(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Confirms the qualifications of an enterprise that wait for review (they count for awards
    /// from now on), or returns them with a reason; the enterprise is notified. A reviewer of the
    /// enterprise's region only (404 for anyone else). The reviewer names the profile `version`
    /// read: qualifications changed since are not decided unseen (409), and of two decisions on
    /// the same qualifications only the first is taken (409 for the other).
    pub async fn review_qualifications(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
        version: i64,
        approve: bool,
        reason: Option<&str>,
    ) -> ServiceResult<Enterprise> {
        let e = self
            .enterprise_in_scope(actor, Action::ReviewRegistrations, credit_code)
            .await?;
        let reason = reason_checked(approve, reason)?;
        let changed = || {
            ServiceError::Conflict(
                "企业资质在您查看后已有变更或已被他人审核，请刷新后核对再审核".into(),
            )
        };
        if e.version != version {
            return Err(changed());
        }
        let pending: Vec<&Qualification> = e
            .qualifications
            .iter()
            .filter(|q| q.review == QualificationReview::Pending)
            .collect();
        if pending.is_empty() {
            return Err(ServiceError::Conflict(
                "该企业没有待审核的资质，请刷新".into(),
            ));
        }
        let listed = pending
            .iter()
            .map(|q| format!("{}{}", q.level.label_zh(), q.kind.label_zh()))
            .collect::<Vec<_>>()
            .join("、");
        let audited: Vec<serde_json::Value> = pending
            .iter()
            .map(|q| {
                json!({"kind": q.kind.as_str(), "level": q.level.as_str(),
                            "certificate": q.certificate})
            })
            .collect();
        let now = self.now();
        let to = if approve {
            QualificationReview::Confirmed
        } else {
            QualificationReview::Returned
        };
        let tx = self.db().begin().await?;
        // The profile row is held first, at the version read, so that a change of the
        // qualifications cannot slip in between; then only rows still pending are decided, and
        // none left means another reviewer decided them first. Dropping `tx` rolls back.
        if !enterprises::hold_at_version(&tx, e.id, version).await? {
            return Err(changed());
        }
        let decided = enterprises::review_qualifications(
            &tx,
            e.id,
            QualificationReview::Pending,
            to,
            reason.as_deref(),
        )
        .await?;
        if decided != pending.len() as u64 {
            return Err(changed());
        }
        let body = if approve {
            format!("企业资质（{listed}）已审核确认，将计入免申即享奖补。")
        } else {
            format!(
                "企业资质（{listed}）被退回：{}。请在企业信息中核对后重新填写。",
                reason.as_deref().unwrap_or_default()
            )
        };
        notify(
            &tx,
            &Notice {
                enterprise_id: e.id,
                kind: if approve {
                    Kind::QualificationsConfirmed
                } else {
                    Kind::QualificationsReturned
                },
                title: if approve {
                    "企业资质已确认"
                } else {
                    "企业资质被退回"
                },
                body: &body,
                link: &format!("/enterprises/{}", e.credit_code),
                key: &format!("{}:{}:{}", e.version, now, to.as_str()),
            },
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "enterprise.qualifications_review",
            &format!("enterprise:{}", e.credit_code),
            "ok",
            json!({"decision": if approve { "approve" } else { "return" },
                   "qualifications": audited, "reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        enterprises::by_id(self.db(), e.id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// The approved declarations of `year` of the enterprises `whose` names, by enterprise:
    /// the facts an entitlement counts.
    pub(crate) async fn approved_declarations(
        &self,
        whose: Whose,
        year: i32,
    ) -> ServiceResult<std::collections::HashMap<i64, Vec<Declared>>> {
        let mut out: std::collections::HashMap<i64, Vec<Declared>> = Default::default();
        for d in store::approved(self.db(), whose, year).await? {
            let kind = DeclarationKind::parse(&d.kind).map_err(|_| {
                ServiceError::Store(zhichan_store::StoreError::Corrupt(format!(
                    "declaration {} kind {}",
                    d.id, d.kind
                )))
            })?;
            out.entry(d.enterprise_id).or_default().push(Declared {
                kind,
                amount: d.amount_fen.map(Money::from_fen),
                id: Some(d.id),
            });
        }
        Ok(out)
    }
}
