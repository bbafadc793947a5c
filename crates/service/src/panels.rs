//! Expert panels (专家评审组), a component its subjects plug into: identification's industry
//! evaluation (产业性评价) today, the programmes' expert reviews later. A subject creates its
//! panel with [`Services::create_panel`] (its items, a score sheet copied in, the minimum
//! number of experts, the aggregate rule and a deadline in working days); the national
//! administrator assigns experts per item, refusing conflicts of interest; each expert scores
//! the items assigned to them once; the aggregate is given once enough experts have scored.

use crate::audit::record;
use crate::experts::{invalid, parse_stored};
use crate::{Ctx, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_domain::access::{authorize, Action, Actor, Placement};
use zhichan_domain::accounts::Role;
use zhichan_domain::calendar::Deadline;
use zhichan_domain::enterprises::{format_date, parse_date};
use zhichan_domain::identification::{Aggregate, Decimal, ScoreItem};
use zhichan_domain::panels::{self as domain, Aggregated, PanelKind};
use zhichan_domain::{CreditCode, IndustryCode, RegionCode, Violation};
use zhichan_store::experts;
use zhichan_store::panels::{self as store, NewPanel, StoredAssignment, StoredItem, StoredPanel};
use zhichan_store::{users, Exec, StoreError};

/// The longest a deadline may be, in working days.
pub const MAX_DEADLINE_DAYS: u32 = 250;

/// One item for a panel to score, as its subject gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemInput {
    /// The credit code of the item's enterprise (conflicts are decided by it).
    pub enterprise: String,
    pub enterprise_name: String,
    /// Its GB/T 4754-2017 field (experts are suggested by it).
    pub field: String,
    /// What the item is, for people (a product's name and model).
    pub label: String,
}

/// A panel as stored, parsed.
#[derive(Clone, Debug)]
pub struct Panel {
    pub id: i64,
    pub kind: PanelKind,
    pub subject_id: i64,
    pub sheet: Vec<ScoreItem>,
    pub min_experts: u32,
    pub rule: Aggregate,
    pub deadline_days: u32,
    pub opened_on: time::Date,
    pub due_on: time::Date,
    pub created_at: zhichan_domain::Timestamp,
    /// When its subject moved on (e.g. the identification list was reviewed): no assignment or
    /// score is taken after.
    pub closed_at: Option<zhichan_domain::Timestamp>,
}

/// An expert a panel suggests for an item: their fields cover its field and their unit is not
/// its enterprise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggested {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_name: String,
}

/// One item with its assignments and aggregate.
#[derive(Clone, Debug)]
pub struct ItemView {
    pub item: StoredItem,
    pub assignments: Vec<StoredAssignment>,
    pub result: Aggregated,
    pub suggested: Vec<Suggested>,
    /// The assignments whose expert's unit is now the item's enterprise (the unit changed after
    /// the assignment): their scores are refused.
    pub conflicted: Vec<i64>,
}

/// A panel as the national administrator sees it.
#[derive(Clone, Debug)]
pub struct PanelView {
    pub panel: Panel,
    pub deadline: Deadline,
    pub items: Vec<ItemView>,
}

/// One assignment as its expert sees it.
#[derive(Clone, Debug)]
pub struct AssignmentView {
    pub assignment: StoredAssignment,
    pub item: StoredItem,
    pub panel: Panel,
    pub deadline: Deadline,
    /// The submitted scores, one per sheet item.
    pub scores: Vec<Decimal>,
}

fn corrupt(what: impl std::fmt::Display) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(what.to_string()))
}

fn parse_panel(p: StoredPanel) -> ServiceResult<Panel> {
    let bad = |what: &str| corrupt(format!("panel {}: {what}", p.id));
    Ok(Panel {
        id: p.id,
        kind: PanelKind::parse(&p.kind).map_err(|_| bad("kind"))?,
        subject_id: p.subject_id,
        sheet: serde_json::from_str(&p.sheet).map_err(|_| bad("sheet"))?,
        min_experts: u32::try_from(p.min_experts).map_err(|_| bad("min_experts"))?,
        rule: Aggregate::parse(&p.rule).map_err(|_| bad("rule"))?,
        deadline_days: u32::try_from(p.deadline_days).map_err(|_| bad("deadline_days"))?,
        opened_on: parse_date(&p.opened_on).ok_or_else(|| bad("opened_on"))?,
        due_on: parse_date(&p.due_on).ok_or_else(|| bad("due_on"))?,
        created_at: p.created_at,
        closed_at: p.closed_at,
    })
}

/// The submitted scores of an assignment (none before it is submitted).
pub fn scores_of(a: &StoredAssignment) -> ServiceResult<Vec<Decimal>> {
    match &a.scores {
        None => Ok(Vec::new()),
        Some(s) => serde_json::from_str(s).map_err(|_| corrupt(format!("assignment {}", a.id))),
    }
}

fn total_of(a: &StoredAssignment) -> ServiceResult<Option<Decimal>> {
    a.total
        .as_deref()
        .map(|t| {
            t.parse::<Decimal>()
                .map_err(|_| corrupt(format!("assignment {} total", a.id)))
        })
        .transpose()
}

fn closed() -> ServiceError {
    ServiceError::Conflict("评审已结束：评审事项已进入下一阶段，不能再指派专家或提交评分".into())
}

/// The deadline a subject may give its panel, checked before anything else is looked at.
pub fn check_deadline_days(deadline_days: u32) -> Result<(), (String, Violation)> {
    if deadline_days == 0 || deadline_days > MAX_DEADLINE_DAYS {
        return Err((
            "deadline_days".into(),
            Violation::new(
                "invalid_deadline",
                format!("评审时限应为 1 到 {MAX_DEADLINE_DAYS} 个工作日"),
                "deadline out of range",
            ),
        ));
    }
    Ok(())
}

/// Closes the panel of a subject that moves on, in the subject's own transaction: the panel
/// takes no assignment or score after, so what the subject stores at its decision stays what
/// the experts gave. Nothing happens when the subject has no panel.
pub async fn close_panel(
    ex: &impl Exec,
    kind: PanelKind,
    subject_id: i64,
    now: zhichan_domain::Timestamp,
) -> ServiceResult<()> {
    store::close(ex, kind.as_str(), subject_id, now).await?;
    Ok(())
}

/// Reopens the panel of a subject that comes back to its experts (in its own transaction).
pub async fn reopen_panel(ex: &impl Exec, kind: PanelKind, subject_id: i64) -> ServiceResult<()> {
    store::reopen(ex, kind.as_str(), subject_id).await?;
    Ok(())
}

fn field_error(field: &str, code: &'static str, zh: String, en: &str) -> ServiceError {
    ServiceError::invalid(field, Violation::new(code, zh, en.to_string()))
}

impl Services {
    /// Panels serve subjects of the whole country: only an administrator whose region is the
    /// nation manages them (anyone else with the grant is outside their scope: 404).
    async fn may_manage_panels(&self, actor: &Actor, object: &str) -> ServiceResult<()> {
        authorize(actor, Action::ManagePanels)?;
        self.scoped(
            actor,
            Action::ManagePanels,
            &Placement {
                region: Some(RegionCode::NATION),
                ..Placement::default()
            },
            object,
        )
        .await
    }

    /// Where an item's deadline stands today.
    async fn deadline_of(&self, panel: &Panel) -> ServiceResult<Deadline> {
        let cal = self.calendar().await?;
        let today = self.now().beijing_date();
        Ok(Deadline {
            due: panel.due_on,
            overdue_by: cal.calendar.working_days_between(panel.due_on, today),
            left: cal.calendar.working_days_between(today, panel.due_on),
        })
    }

    /// Creates the panel of a subject, for the subject's own use case (an identification
    /// batch, a programme) which has authorised its caller: the score sheet is copied in, so
    /// a later edit of the method does not change it; the deadline is `deadline_days` working
    /// days after today on the holiday calendar in force. A subject has at most one panel (409).
    #[allow(clippy::too_many_arguments)]
    pub async fn create_panel(
        &self,
        ctx: &Ctx,
        kind: PanelKind,
        subject_id: i64,
        sheet: &[ScoreItem],
        items: &[ItemInput],
        min_experts: u32,
        rule: Aggregate,
        deadline_days: u32,
    ) -> ServiceResult<Panel> {
        let mut errs = domain::check_sheet(sheet);
        if items.is_empty() {
            errs.push((
                "items".into(),
                Violation::new("required", "评审组至少需要一个评审对象", "no items"),
            ));
        }
        for (i, it) in items.iter().enumerate() {
            if let Err(v) = CreditCode::parse(&it.enterprise) {
                errs.push((format!("items[{i}].enterprise"), v));
            }
            if let Err(v) = IndustryCode::parse(&it.field) {
                errs.push((format!("items[{i}].field"), v));
            }
            if it.label.trim().is_empty() {
                errs.push((
                    format!("items[{i}].label"),
                    Violation::new("required", "请填写评审对象名称", "label required"),
                ));
            }
        }
        if min_experts == 0 || (rule == Aggregate::TrimmedMean && min_experts < 3) {
            errs.push((
                "min_experts".into(),
                Violation::new(
                    "invalid_min_experts",
                    "专家人数至少 1 人；去掉最高分和最低分时至少 3 人",
                    "min_experts too small",
                ),
            ));
        }
        if let Err(e) = check_deadline_days(deadline_days) {
            errs.push(e);
        }
        if !errs.is_empty() {
            return Err(invalid(errs));
        }
        let now = self.now();
        let opened = now.beijing_date();
        let due = self
            .calendar()
            .await?
            .calendar
            .add_working_days(opened, deadline_days);
        let sheet_json = serde_json::to_string(sheet).expect("a sheet serialises");
        let tx = self.db().begin().await?;
        if store::of_subject(&tx, kind.as_str(), subject_id)
            .await?
            .is_some()
        {
            return Err(ServiceError::Conflict("该评审事项已有专家评审组".into()));
        }
        let id = store::insert(
            &tx,
            &NewPanel {
                kind: kind.as_str(),
                subject_id,
                sheet: &sheet_json,
                min_experts: min_experts.into(),
                rule: rule.as_str(),
                deadline_days: deadline_days.into(),
                opened_on: &format_date(opened),
                due_on: &format_date(due),
                created_by: "system",
            },
            now,
        )
        .await?;
        for (i, it) in items.iter().enumerate() {
            store::insert_item(
                &tx,
                &StoredItem {
                    panel_id: id,
                    item_no: i as i64 + 1,
                    enterprise: CreditCode::parse(&it.enterprise)
                        .expect("checked")
                        .as_str()
                        .to_string(),
                    enterprise_name: it.enterprise_name.trim().to_string(),
                    field: IndustryCode::parse(&it.field)
                        .expect("checked")
                        .as_str()
                        .to_string(),
                    label: it.label.trim().to_string(),
                },
            )
            .await?;
        }
        record(
            &tx,
            ctx,
            None,
            "panel.create",
            &format!("panel:{id}"),
            "ok",
            json!({"kind": kind.as_str(), "subject": subject_id, "items": items.len(),
                   "min_experts": min_experts, "rule": rule.as_str(),
                   "deadline_days": deadline_days, "due_on": format_date(due)}),
            now,
        )
        .await?;
        let panel = store::by_id(&tx, id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        parse_panel(panel)
    }

    /// Each item's aggregate for the subject that owns the panel (no caller: the subject's use
    /// case has authorised its own).
    pub async fn panel_results(&self, panel_id: i64) -> ServiceResult<Vec<(i64, Aggregated)>> {
        let panel = parse_panel(
            store::by_id(self.db(), panel_id)
                .await?
                .ok_or(ServiceError::NotFound)?,
        )?;
        let assignments = store::assignments(self.db(), panel_id).await?;
        let items = store::items(self.db(), panel_id).await?;
        items
            .iter()
            .map(|it| {
                let totals = assignments
                    .iter()
                    .filter(|a| a.item_no == it.item_no)
                    .filter_map(|a| total_of(a).transpose())
                    .collect::<ServiceResult<Vec<_>>>()?;
                Ok((
                    it.item_no,
                    domain::aggregate(&panel.sheet, panel.min_experts, panel.rule, &totals),
                ))
            })
            .collect()
    }

    /// A panel with its items, assignments, scores, aggregates and the experts suggested for
    /// each item (the national administrator).
    pub async fn panel(&self, actor: &Actor, id: i64) -> ServiceResult<PanelView> {
        self.may_manage_panels(actor, &format!("panel:{id}"))
            .await?;
        let panel = parse_panel(
            store::by_id(self.db(), id)
                .await?
                .ok_or(ServiceError::NotFound)?,
        )?;
        let deadline = self.deadline_of(&panel).await?;
        let assignments = store::assignments(self.db(), id).await?;
        let experts = experts::active_experts(self.db()).await?;
        let results = self.panel_results(id).await?;
        let mut items = Vec::new();
        for it in store::items(self.db(), id).await? {
            let mine: Vec<StoredAssignment> = assignments
                .iter()
                .filter(|a| a.item_no == it.item_no)
                .cloned()
                .collect();
            let field = IndustryCode::parse(&it.field).ok();
            let suggested = experts
                .iter()
                .filter(|e| !mine.iter().any(|a| a.expert_id == e.profile.user_id))
                .filter_map(|e| {
                    let profile = parse_stored(&e.profile)?;
                    let covers = field.as_ref().is_some_and(|f| profile.covers(f));
                    let clear = profile
                        .conflict_with(&it.enterprise, &it.enterprise_name)
                        .is_none();
                    (covers && clear).then(|| Suggested {
                        user_id: e.profile.user_id,
                        username: e.username.clone(),
                        display_name: e.display_name.clone(),
                        unit_name: e.profile.unit_name.clone(),
                    })
                })
                .collect();
            let mut conflicted = Vec::new();
            for a in &mine {
                let profile = experts::of_user(self.db(), a.expert_id).await?;
                if profile.as_ref().and_then(parse_stored).is_some_and(|p| {
                    p.conflict_with(&it.enterprise, &it.enterprise_name)
                        .is_some()
                }) {
                    conflicted.push(a.id);
                }
            }
            let result = results
                .iter()
                .find(|(n, _)| *n == it.item_no)
                .map(|(_, r)| r.clone())
                .unwrap_or(Aggregated {
                    scored: 0,
                    score: None,
                });
            items.push(ItemView {
                item: it,
                assignments: mine,
                result,
                suggested,
                conflicted,
            });
        }
        Ok(PanelView {
            panel,
            deadline,
            items,
        })
    }

    /// Assigns an expert to an item of an open panel (the national administrator; 409 once the
    /// panel's subject moved on). Refused: an
    /// account that is not an enabled expert, an expert without a unit on file, an expert whose
    /// unit is the item's enterprise (`conflict_of_interest`), an expert already on the item.
    pub async fn assign_expert(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        panel_id: i64,
        item_no: i64,
        expert_id: i64,
    ) -> ServiceResult<StoredAssignment> {
        self.may_manage_panels(actor, &format!("panel:{panel_id}"))
            .await?;
        let panel = store::by_id(self.db(), panel_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if panel.closed_at.is_some() {
            return Err(closed());
        }
        let item = store::items(self.db(), panel_id)
            .await?
            .into_iter()
            .find(|i| i.item_no == item_no)
            .ok_or_else(|| {
                field_error(
                    "item",
                    "invalid_item",
                    format!("评审组中没有第 {item_no} 项评审对象"),
                    "no such item",
                )
            })?;
        let account = users::by_id(self.db(), expert_id).await?;
        let account = match account {
            Some(u) if u.role == Role::Expert && !u.disabled && u.granted => u,
            Some(u) if u.role == Role::Expert => {
                return Err(field_error(
                    "expert",
                    "not_expert",
                    format!("专家账号 {} 已停用或尚未授权，不能指派", u.username),
                    "the expert account is disabled or not granted",
                ))
            }
            _ => {
                return Err(field_error(
                    "expert",
                    "not_expert",
                    "所选账号不是专家，只能指派专家评分".to_string(),
                    "not an expert account",
                ))
            }
        };
        let profile = experts::of_user(self.db(), expert_id)
            .await?
            .as_ref()
            .and_then(parse_stored)
            .ok_or_else(|| {
                field_error(
                    "expert",
                    "expert_profile_missing",
                    format!(
                        "专家 {} 尚未登记工作单位和熟悉领域，无法判断是否须回避，请先由系统管理员补充",
                        account.username
                    ),
                    "the expert's unit is not on file",
                )
            })?;
        if let Some(v) = profile.conflict_with(&item.enterprise, &item.enterprise_name) {
            return Err(ServiceError::invalid("expert", v));
        }
        let existing = store::assignments(self.db(), panel_id).await?;
        if existing
            .iter()
            .any(|a| a.item_no == item_no && a.expert_id == expert_id)
        {
            return Err(ServiceError::Conflict(format!(
                "专家 {} 已指派到该评审对象",
                account.username
            )));
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = store::assign(&tx, panel_id, item_no, expert_id, &actor.username, now)
            .await?
            .ok_or_else(closed)?;
        record(
            &tx,
            ctx,
            Some(actor),
            "panel.assign",
            &format!("panel:{panel_id}"),
            "ok",
            json!({"assignment": id, "item": item_no, "expert": account.username,
                   "covers_field": IndustryCode::parse(&item.field).is_ok_and(|f| profile.covers(&f))}),
            now,
        )
        .await?;
        let a = store::assignment(&tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok(a)
    }

    async fn assignment_view(&self, a: StoredAssignment) -> ServiceResult<AssignmentView> {
        let panel = parse_panel(
            store::by_id(self.db(), a.panel_id)
                .await?
                .ok_or(ServiceError::NotFound)?,
        )?;
        let item = store::items(self.db(), a.panel_id)
            .await?
            .into_iter()
            .find(|i| i.item_no == a.item_no)
            .ok_or_else(|| corrupt(format!("assignment {}: item", a.id)))?;
        Ok(AssignmentView {
            deadline: self.deadline_of(&panel).await?,
            scores: scores_of(&a)?,
            assignment: a,
            item,
            panel,
        })
    }

    /// The expert's own assignments, newest first: what waits for them and what they scored.
    pub async fn my_assignments(&self, actor: &Actor) -> ServiceResult<Vec<AssignmentView>> {
        authorize(actor, Action::ScorePanels)?;
        let mut out = Vec::new();
        for a in store::assignments_of_expert(self.db(), actor.user_id).await? {
            out.push(self.assignment_view(a).await?);
        }
        Ok(out)
    }

    /// One of the expert's own assignments; another's is 404.
    pub async fn my_assignment(&self, actor: &Actor, id: i64) -> ServiceResult<AssignmentView> {
        authorize(actor, Action::ScorePanels)?;
        let a = store::assignment(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.scoped(
            actor,
            Action::ScorePanels,
            &Placement {
                account: Some(a.expert_id),
                ..Placement::default()
            },
            &format!("panel_assignment:{id}"),
        )
        .await?;
        self.assignment_view(a).await
    }

    /// The expert submits their scores, one per sheet item, and an opinion: once (again is 409),
    /// while the panel is open (409 once its subject moved on), and not on an item of their own
    /// unit (422 `conflict_of_interest`, decided again now: the unit may have changed since).
    pub async fn submit_scores(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        scores: &[String],
        opinion: &str,
    ) -> ServiceResult<AssignmentView> {
        let view = self.my_assignment(actor, id).await?;
        let checked = domain::check_scores(&view.panel.sheet, scores, opinion).map_err(invalid)?;
        if view.assignment.submitted_at.is_some() {
            return Err(ServiceError::Conflict(
                "评分已提交，不能再次提交或修改".into(),
            ));
        }
        if view.panel.closed_at.is_some() {
            return Err(closed());
        }
        // The unit may have changed since the assignment: the conflict is decided again now.
        let profile = experts::of_user(self.db(), actor.user_id).await?;
        if let Some(v) = profile
            .as_ref()
            .and_then(parse_stored)
            .and_then(|p| p.conflict_with(&view.item.enterprise, &view.item.enterprise_name))
        {
            return Err(ServiceError::invalid("assignment", v));
        }
        let total = domain::total(&checked);
        let scores_json = serde_json::to_string(&checked).expect("scores serialise");
        let now = self.now();
        let tx = self.db().begin().await?;
        if !store::submit(
            &tx,
            id,
            &scores_json,
            &total.to_string(),
            opinion.trim(),
            now,
        )
        .await?
        {
            // Submitted meanwhile, or the panel closed meanwhile.
            let again = store::assignment(&tx, id).await?;
            return Err(match again {
                Some(a) if a.submitted_at.is_none() => closed(),
                _ => ServiceError::Conflict("评分已提交，不能再次提交或修改".into()),
            });
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "panel.score",
            &format!("panel:{}", view.panel.id),
            "ok",
            json!({"assignment": id, "item": view.item.item_no, "total": total.to_string()}),
            now,
        )
        .await?;
        let a = store::assignment(&tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        self.assignment_view(a).await
    }
}

impl Services {
    /// The account id of an expert named by username, for the national administrator's
    /// assignment form (`not_expert` when the name is no expert's).
    pub async fn panel_expert_by_username(
        &self,
        actor: &Actor,
        panel_id: i64,
        username: &str,
    ) -> ServiceResult<i64> {
        self.may_manage_panels(actor, &format!("panel:{panel_id}"))
            .await?;
        let name = username.trim().to_lowercase();
        match users::by_username(self.db(), &name).await? {
            Some(u) if u.role == Role::Expert => Ok(u.id),
            _ => Err(field_error(
                "expert",
                "not_expert",
                format!(
                    "“{}”不是专家账号的用户名",
                    zhichan_domain::validation::echo(username.trim())
                ),
                "no expert of that username",
            )),
        }
    }
}
