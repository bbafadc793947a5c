//! From entitlement to payment (免申即享兑现). The office of a rule's region sets, per published
//! rule and year, what is paid of the ceiling (the budget, versioned); every enterprise that
//! qualifies is notified without asking — when a rule is published, or when the office asks for
//! a year — once per rule version and year; the enterprise confirms a pre-filled application in
//! one click (one per enterprise, rule and year, stamped with the rule version and the budget);
//! offices see the applications of their region with totals, export them, and record the
//! payment of each — once, at the version they saw.

use crate::audit::record;
use crate::awards::{check_year, Entitled};
use crate::export::{yuan, Cell};
use crate::notifications::{notify, Kind, Notice};
use crate::{Ctx, ServiceError, ServiceResult, Services};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use zhichan_domain::access::{authorize, Action, Actor, Placement, Refusal, Scope};
use zhichan_domain::enterprises::{format_date, parse_date};
use zhichan_domain::payouts::{check_payment, Budget, BudgetMode};
use zhichan_domain::{Money, RegionCode, Violation};
use zhichan_store::awards::{self as rules_store, Rules};
use zhichan_store::payouts::{self as store, Application, Filter, NewApplication};
use zhichan_store::{enterprises, StoreError};

/// The budget of one published rule for a year, with its history.
#[derive(Clone, Debug)]
pub struct BudgetLine {
    pub rule: i64,
    pub rule_version: i64,
    pub rule_name: String,
    pub clause: String,
    pub region: RegionCode,
    pub year: i32,
    /// The newest version, if the office set one (none: the full ceiling is paid).
    pub current: Option<store::Budget>,
    pub versions: Vec<store::Budget>,
}

impl BudgetLine {
    pub fn budget(&self) -> Budget {
        budget_of(self.current.as_ref())
    }
}

pub(crate) fn budget_of(b: Option<&store::Budget>) -> Budget {
    b.and_then(|b| {
        BudgetMode::parse(&b.mode).ok().map(|mode| Budget {
            mode,
            share_percent: u32::try_from(b.share_percent).unwrap_or(100),
        })
    })
    .unwrap_or(Budget {
        mode: BudgetMode::Full,
        share_percent: 100,
    })
}

/// An enterprise's entitlements of a year with what each pays and what is confirmed.
#[derive(Clone, Debug)]
pub struct EntitlementPage {
    pub entitlements: crate::awards::Entitlements,
    pub applications: Vec<Application>,
    /// Per rule: the payable amount under the budget, and the budget in words.
    pub payable: HashMap<i64, (Money, String)>,
}

/// One total line: applications, what their ceilings and budgets come to, what was paid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Total {
    pub applications: i64,
    pub paid_applications: i64,
    pub ceiling: Money,
    pub payable: Money,
    pub paid: Money,
}

impl Total {
    fn add(&mut self, s: &store::Sum) {
        self.applications += s.applications;
        self.paid_applications += s.paid_applications;
        self.ceiling = self.ceiling + s.ceiling;
        self.payable = self.payable + s.payable;
        self.paid = self.paid + s.paid;
    }
}

/// The payouts of a region: one page of applications and the totals over all that match.
#[derive(Clone, Debug)]
pub struct Payouts {
    pub items: Vec<Application>,
    pub total: i64,
    /// The region the totals are broken down under (the caller's, or the one filtered on).
    pub region: RegionCode,
    pub totals: Total,
    pub by_rule: Vec<(i64, String, Total)>,
    /// By the regions directly below `region` (or `region` itself for its own enterprises).
    pub by_region: Vec<(RegionCode, String, Total)>,
}

/// What an office filters the payouts by.
#[derive(Clone, Debug, Default)]
pub struct PayoutQuery {
    pub region: Option<RegionCode>,
    pub year: Option<i32>,
    pub rule: Option<i64>,
    pub paid: Option<bool>,
    pub q: Option<String>,
}

fn application_placement(a: &Application) -> Placement {
    Placement {
        region: Some(a.region),
        enterprise: Some(a.credit_code.clone()),
        account: None,
    }
}

/// The region directly below `top` that holds `r` (or `r` when it is `top` itself).
fn child_of(top: RegionCode, r: RegionCode) -> RegionCode {
    r.self_and_ancestors()
        .find(|a| a.parent() == Some(top))
        .unwrap_or(r)
}

impl Services {
    /// The newest published version of a rule (404 when it has none).
    async fn published_rule(&self, id: i64) -> ServiceResult<crate::awards::Version> {
        self.rule_history::<zhichan_domain::awards::AwardRule>(id, None)
            .await?
            .versions
            .into_iter()
            .find(|v| v.published)
            .ok_or(ServiceError::NotFound)
    }

    async fn budget_line(
        &self,
        v: &crate::awards::Version,
        year: i32,
    ) -> ServiceResult<BudgetLine> {
        let versions = store::budget_versions(self.db(), v.id, year).await?;
        Ok(BudgetLine {
            rule: v.id,
            rule_version: v.version,
            rule_name: v.rule.name.clone(),
            clause: v.rule.clause.clone(),
            region: v.rule.region,
            year,
            current: versions.first().cloned(),
            versions,
        })
    }

    /// The budget of every published rule of the caller's region and below for a year.
    pub async fn award_budgets(&self, actor: &Actor, year: i32) -> ServiceResult<Vec<BudgetLine>> {
        let scope = authorize(actor, Action::ReadPayouts)?;
        check_year(year)?;
        let within = match scope {
            Scope::Region(r) => r,
            _ => RegionCode::NATION,
        };
        let current: HashMap<i64, store::Budget> = store::current_budgets(self.db(), within, year)
            .await?
            .into_iter()
            .map(|b| (b.rule_id, b))
            .collect();
        let mut out = Vec::new();
        for v in rules_store::published(self.db(), Rules::Within(within)).await? {
            let v = crate::rule_versions::parse::<zhichan_domain::awards::AwardRule>(v)?;
            out.push(BudgetLine {
                rule: v.id,
                rule_version: v.version,
                rule_name: v.rule.name.clone(),
                clause: v.rule.clause.clone(),
                region: v.rule.region,
                year,
                current: current.get(&v.id).cloned(),
                versions: Vec::new(),
            });
        }
        Ok(out)
    }

    /// Sets what is paid of a published rule's ceilings in a year; `based_on` is the budget
    /// version the office saw (0 or none for the first), a stale one is 409. Each change is a new
    /// version, with who and when.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_award_budget(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        rule: i64,
        year: i32,
        mode: BudgetMode,
        share_percent: Option<u32>,
        based_on: Option<i64>,
    ) -> ServiceResult<BudgetLine> {
        authorize(actor, Action::ManagePayouts)?;
        let object = format!("award_rule:{rule}");
        let v = match self.published_rule(rule).await {
            Ok(v) => v,
            Err(ServiceError::NotFound) => {
                return Err(self
                    .refused(actor, Action::ManagePayouts, &object, Refusal::NotFound)
                    .await)
            }
            Err(e) => return Err(e),
        };
        self.scoped(
            actor,
            Action::ManagePayouts,
            &Placement {
                region: Some(v.rule.region),
                ..Placement::default()
            },
            &object,
        )
        .await?;
        let mut errs = Vec::new();
        if !(2000..=2100).contains(&year) {
            errs.push(("year".to_string(), invalid_year_violation()));
        }
        let budget = Budget::new(mode, share_percent).map_err(|v| ("share_percent".to_string(), v));
        if let Err(e) = &budget {
            errs.push(e.clone());
        }
        if !errs.is_empty() {
            return Err(ServiceError::invalid_fields(errs));
        }
        let budget = budget.expect("checked above");
        let line = self.budget_line(&v, year).await?;
        let newest = line.current.as_ref().map_or(0, |b| b.version);
        if based_on.unwrap_or(0) != newest {
            return Err(stale_budget());
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        match store::insert_budget(
            &tx,
            rule,
            year,
            newest + 1,
            budget.mode.as_str(),
            i64::from(budget.share_percent),
            &actor.username,
            now,
        )
        .await
        {
            Err(StoreError::Unique { .. }) => return Err(stale_budget()),
            other => other?,
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "award_budget.set",
            &object,
            "ok",
            json!({"year": year, "version": newest + 1, "mode": budget.mode.as_str(),
                   "share_percent": budget.share_percent}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.budget_line(&v, year).await
    }

    /// Starts, on the office's demand, the round that tells every enterprise of a published
    /// rule's region that qualifies in `year` (or answers the one running for it); an enterprise
    /// already told for that rule version and year is not told again. The round runs on after
    /// the answer (see [`crate::entitlement_rounds`]).
    pub async fn notify_entitlements(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        rule: i64,
        year: i32,
    ) -> ServiceResult<zhichan_store::entitlement_rounds::Round> {
        authorize(actor, Action::ManagePayouts)?;
        let object = format!("award_rule:{rule}");
        let v = match self.published_rule(rule).await {
            Ok(v) => v,
            Err(ServiceError::NotFound) => {
                return Err(self
                    .refused(actor, Action::ManagePayouts, &object, Refusal::NotFound)
                    .await)
            }
            Err(e) => return Err(e),
        };
        self.scoped(
            actor,
            Action::ManagePayouts,
            &Placement {
                region: Some(v.rule.region),
                ..Placement::default()
            },
            &object,
        )
        .await?;
        check_year(year)?;
        self.start_round(ctx, Some(actor), v, year).await
    }

    /// Starts the round that tells the enterprises that qualify under the newest published
    /// version of a rule in the current year: what publishing a rule does once it is committed.
    /// A failure to start is logged, not answered: the rule is published, and the office can
    /// ask again.
    pub(crate) async fn round_on_publish(
        &self,
        ctx: &Ctx,
        actor: &Actor,
        rule: i64,
    ) -> Option<zhichan_store::entitlement_rounds::Round> {
        let year = self.today().year();
        let started = match self.published_rule(rule).await {
            Ok(v) => self.start_round(ctx, Some(actor), v, year).await,
            Err(e) => Err(e),
        };
        match started {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::warn!(rule, year, error = %e, "entitlement round not started");
                None
            }
        }
    }

    /// An enterprise's applications (its own, or those of one's region), for a year or all.
    pub async fn entitlement_applications(
        &self,
        actor: &Actor,
        credit_code: &str,
        year: Option<i32>,
    ) -> ServiceResult<Vec<Application>> {
        let e = self
            .enterprise_in_scope(actor, Action::ReadEntitlements, credit_code)
            .await?;
        Ok(store::of_enterprise(self.db(), e.id, year).await?)
    }

    /// What the enterprise page shows for a year: the entitlements, what each pays under the
    /// office's budget (with the budget in words), and the applications already confirmed.
    pub async fn entitlement_page(
        &self,
        actor: &Actor,
        credit_code: &str,
        year: i32,
    ) -> ServiceResult<EntitlementPage> {
        let entitlements = self.entitlements(actor, credit_code, year).await?;
        let applications = self
            .entitlement_applications(actor, credit_code, Some(year))
            .await?;
        let mut payable = HashMap::new();
        for i in &entitlements.items {
            let b = budget_of(
                store::budget_versions(self.db(), i.rule, year)
                    .await?
                    .first(),
            );
            payable.insert(i.rule, (b.payable(i.amount), b.describe()));
        }
        Ok(EntitlementPage {
            entitlements,
            applications,
            payable,
        })
    }

    /// The enterprise confirms the pre-filled application for what it is entitled to under a
    /// rule in a year: the amount, explanation and rule version are those computed now, the
    /// payable amount that of the office's budget. One per enterprise, rule and year (a second is
    /// 409); `rule_version`, when given, must still be the published one (409 otherwise).
    pub async fn confirm_entitlement(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
        rule: i64,
        year: i32,
        rule_version: Option<i64>,
    ) -> ServiceResult<Application> {
        let e = self
            .enterprise_in_scope(actor, Action::ApplyEntitlements, credit_code)
            .await?;
        check_year(year)?;
        let ent = self.entitlements(actor, credit_code, year).await?;
        let Some(item) = ent.items.iter().find(|i| i.rule == rule) else {
            let reasons = ent
                .not_eligible
                .iter()
                .find(|n| n.rule == rule)
                .map(|n| n.reasons.join("；"));
            return Err(ServiceError::invalid(
                "rule",
                match reasons {
                    Some(r) => Violation::new(
                        "not_eligible",
                        format!("不符合该项奖补的条件：{r}"),
                        "the enterprise does not qualify under this rule",
                    ),
                    None => Violation::new(
                        "unknown_rule",
                        "没有适用于本企业的这项已发布奖补规则",
                        "no published award rule of that id applies to this enterprise",
                    ),
                },
            ));
        };
        if rule_version.is_some_and(|v| v != item.rule_version) {
            return Err(ServiceError::Conflict(
                "该项奖补规则已更新，请刷新页面后按最新版本确认".into(),
            ));
        }
        self.apply(ctx, Some(actor), &actor.username, &e, year, item)
            .await
    }

    async fn apply(
        &self,
        ctx: &Ctx,
        actor: Option<&Actor>,
        by: &str,
        e: &zhichan_store::enterprises::Enterprise,
        year: i32,
        item: &Entitled,
    ) -> ServiceResult<Application> {
        let budgets = store::budget_versions(self.db(), item.rule, year).await?;
        let budget = budget_of(budgets.first());
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = match store::insert_application(
            &tx,
            &NewApplication {
                enterprise_id: e.id,
                region: e.region,
                rule_id: item.rule,
                rule_version: item.rule_version,
                rule_name: &item.name,
                clause: &item.clause,
                year,
                ceiling: item.amount,
                payable: budget.payable(item.amount),
                budget_version: budgets.first().map(|b| b.version),
                explanation: &item.explanation,
            },
            by,
            now,
        )
        .await
        {
            Err(StoreError::Unique { .. }) => {
                return Err(ServiceError::Conflict(format!(
                    "本企业已确认过{year}年度的“{}”，同一规则每年只能确认一次",
                    item.name
                )))
            }
            other => other?,
        };
        record(
            &tx,
            ctx,
            actor,
            "entitlement.confirm",
            &format!("award_application:{id}"),
            "ok",
            json!({"enterprise": e.credit_code, "rule": item.rule,
                   "rule_version": item.rule_version, "year": year,
                   "ceiling": item.amount.to_string()}),
            now,
        )
        .await?;
        tx.commit().await?;
        store::application(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    fn payout_filter(&self, actor: &Actor, q: &PayoutQuery) -> ServiceResult<(Filter, RegionCode)> {
        let scope = authorize(actor, Action::ReadPayouts)?;
        let top = match scope {
            Scope::Region(r) => r,
            _ => RegionCode::NATION,
        };
        let region = match q.region {
            Some(r) if top.contains(r) => r,
            // A region outside one's own is not revealed to hold anything.
            Some(_) => return Err(ServiceError::NotFound),
            None => top,
        };
        if let Some(y) = q.year {
            check_year(y)?;
        }
        Ok((
            Filter {
                within: Some(region),
                year: q.year,
                rule: q.rule,
                status: q
                    .paid
                    .map(|p| if p { "paid" } else { "confirmed" }.to_string()),
                q: q.q.clone(),
            },
            region,
        ))
    }

    /// The applications of the caller's region subtree that match, one page of them, with the
    /// totals over all of them by rule and by the regions directly below.
    pub async fn payouts(
        &self,
        actor: &Actor,
        q: &PayoutQuery,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<Payouts> {
        let (filter, region) = self.payout_filter(actor, q)?;
        let (items, total) = store::list(self.db(), &filter, limit, offset).await?;
        let sums = store::sums(self.db(), &filter).await?;
        let mut totals = Total::default();
        let mut by_rule: BTreeMap<i64, (String, Total)> = BTreeMap::new();
        let mut by_region: BTreeMap<RegionCode, Total> = BTreeMap::new();
        for s in &sums {
            totals.add(s);
            by_rule
                .entry(s.rule_id)
                .or_insert_with(|| (s.rule_name.clone(), Total::default()))
                .1
                .add(s);
            by_region
                .entry(child_of(region, s.region))
                .or_default()
                .add(s);
        }
        let mut regions = Vec::new();
        for (r, t) in by_region {
            regions.push((r, self.reference().region_full_name(r).await?, t));
        }
        Ok(Payouts {
            items,
            total,
            region,
            totals,
            by_rule: by_rule.into_iter().map(|(id, (n, t))| (id, n, t)).collect(),
            by_region: regions,
        })
    }

    /// One application (its enterprise, reviewers and administrators of its region).
    pub async fn payout(&self, actor: &Actor, id: i64) -> ServiceResult<Application> {
        self.application_in_scope(actor, Action::ReadPayouts, id)
            .await
    }

    async fn application_in_scope(
        &self,
        actor: &Actor,
        action: Action,
        id: i64,
    ) -> ServiceResult<Application> {
        authorize(actor, action)?;
        let object = format!("award_application:{id}");
        let Some(a) = store::application(self.db(), id).await? else {
            return Err(self
                .refused(actor, action, &object, Refusal::NotFound)
                .await);
        };
        self.scoped(actor, action, &application_placement(&a), &object)
            .await?;
        Ok(a)
    }

    /// Records the payment of an application: a positive amount not above what is payable, the
    /// day it was paid and the voucher or transfer reference, at the `version` the office saw.
    /// Nothing is paid twice: a second payment is 409, as is a stale version.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_award_payment(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
        amount: &str,
        paid_on: &str,
        reference: &str,
    ) -> ServiceResult<Application> {
        let a = self
            .application_in_scope(actor, Action::ManagePayouts, id)
            .await?;
        let errs = check_payment(
            Money::parse(amount),
            a.payable,
            parse_date(paid_on.trim()),
            (a.confirmed_at.beijing_date(), self.today()),
            reference,
        );
        if !errs.is_empty() {
            return Err(ServiceError::invalid_fields(errs));
        }
        if a.payment.is_some() {
            return Err(already_paid());
        }
        if a.version != version {
            return Err(ServiceError::Conflict(
                "这笔申请已被他人处理，请刷新后再登记".into(),
            ));
        }
        let amount = Money::parse(amount).expect("checked above");
        let paid_on = parse_date(paid_on.trim())
            .map(format_date)
            .unwrap_or_default();
        let now = self.now();
        let tx = self.db().begin().await?;
        let recorded = match store::record_payment(
            &tx,
            id,
            version,
            amount,
            &paid_on,
            reference.trim(),
            &actor.username,
            now,
        )
        .await
        {
            Err(StoreError::Unique { .. }) => false,
            other => other?,
        };
        if !recorded {
            return Err(already_paid());
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "payout.payment",
            &format!("award_application:{id}"),
            "ok",
            json!({"amount": amount.to_string(), "paid_on": paid_on,
                   "reference": reference.trim(), "enterprise": a.credit_code}),
            now,
        )
        .await?;
        notify(
            &tx,
            &Notice {
                enterprise_id: a.enterprise_id,
                kind: Kind::AwardPaid,
                title: &format!("奖补已兑付：{}", a.rule_name),
                body: &format!(
                    "{}年度“{}”已于 {paid_on} 兑付 {} 元（凭证号 {}）。",
                    a.year,
                    a.rule_name,
                    amount.grouped(),
                    reference.trim()
                ),
                link: &format!("/entitlements?year={}", a.year),
                key: &id.to_string(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        store::application(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Every application matching, as an xlsx workbook in a temporary file written page by page
    /// (the sheet in constant-memory mode). `t` translates the headings and words (the message
    /// catalogue of the request).
    pub async fn export_payouts(
        &self,
        actor: &Actor,
        q: &PayoutQuery,
        t: &(dyn Fn(&str) -> String + Sync),
    ) -> ServiceResult<tempfile::NamedTempFile> {
        let (filter, _) = self.payout_filter(actor, q)?;
        let fail = |e: XlsxError| ServiceError::Store(StoreError::Corrupt(format!("xlsx: {e}")));
        let io =
            |e: std::io::Error| ServiceError::Store(StoreError::Corrupt(format!("temp file: {e}")));
        let headers = [
            "编号",
            "年度",
            "统一社会信用代码",
            "企业名称",
            "地区代码",
            "奖补规则",
            "规则版本",
            "条款",
            "上限（元）",
            "应兑付（元）",
            "状态",
            "兑付金额（元）",
            "兑付日期",
            "凭证号",
            "确认人",
            "确认时间",
        ];
        let (paid, confirmed) = (t("已兑付"), t("待兑付"));
        let mut wb = Workbook::new();
        {
            let ws = wb.add_worksheet_with_constant_memory();
            ws.set_name(t("奖补兑现")).map_err(fail)?;
            let bold = Format::new().set_bold();
            for (c, h) in headers.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, t(h), &bold)
                    .map_err(fail)?;
                ws.set_column_width(c as u16, 16).map_err(fail)?;
            }
        }
        let (mut after, mut row) = (0, 1u32);
        loop {
            let page = store::export_page(self.db(), &filter, after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let ws = wb.worksheet_from_index(0).map_err(fail)?;
            for a in &page {
                let p = a.payment.as_ref();
                let cells: Vec<Cell> = vec![
                    Cell::from(a.id),
                    Cell::from(i64::from(a.year)),
                    Cell::from(a.credit_code.as_str()),
                    Cell::from(a.enterprise_name.as_str()),
                    Cell::from(a.region.to_string()),
                    Cell::from(a.rule_name.as_str()),
                    Cell::from(a.rule_version),
                    Cell::from(a.clause.as_str()),
                    yuan(a.ceiling),
                    yuan(a.payable),
                    Cell::from(if p.is_some() {
                        paid.clone()
                    } else {
                        confirmed.clone()
                    }),
                    p.map_or(Cell::from(""), |p| yuan(p.amount)),
                    Cell::from(p.map(|p| p.paid_on.clone()).unwrap_or_default()),
                    Cell::from(p.map(|p| p.reference.clone()).unwrap_or_default()),
                    Cell::from(a.confirmed_by.as_str()),
                    Cell::from(a.confirmed_at.to_string()),
                ];
                for (c, cell) in cells.iter().enumerate() {
                    match cell {
                        Cell::Text(s) => ws.write_string(row, c as u16, s),
                        Cell::Number(n) => ws.write_number(row, c as u16, *n),
                    }
                    .map_err(fail)?;
                }
                row += 1;
            }
        }
        let file = tempfile::NamedTempFile::new().map_err(io)?;
        let mut writer = std::io::BufWriter::new(file.reopen().map_err(io)?);
        wb.save_to_writer(&mut writer).map_err(fail)?;
        drop(writer);
        Ok(file)
    }

    /// The demo: every enterprise that qualifies under the published rules this year is
    /// notified, and the enterprise `credit_code` confirms its first entitlement (once), so that
    /// the office's payouts page has something to show. Answers what it did, for the console.
    pub async fn demo_payouts(&self, credit_code: &str, by: &str) -> ServiceResult<String> {
        let year = self.today().year();
        let ctx = Ctx::cli();
        let mut notified = 0;
        for v in rules_store::published(self.db(), Rules::All).await? {
            let v = crate::rule_versions::parse::<zhichan_domain::awards::AwardRule>(v)?;
            notified += self.round_now(&ctx, &v, year).await?.notified;
        }
        let Some(e) = enterprises::by_credit_code(self.db(), credit_code).await? else {
            return Ok(format!("免申即享：通知 {notified} 家次"));
        };
        let system = Actor {
            user_id: 0,
            username: by.to_string(),
            role: zhichan_domain::accounts::Role::Admin,
            region: Some(RegionCode::NATION),
            enterprise: None,
            verified: true,
        };
        let ent = self.entitlements(&system, credit_code, year).await?;
        let done = store::of_enterprise(self.db(), e.id, Some(year)).await?;
        let mut confirmed = String::new();
        if done.is_empty() {
            if let Some(item) = ent.items.first() {
                let a = self.apply(&ctx, None, by, &e, year, item).await?;
                confirmed = format!("，{} 已确认“{}”", e.name, a.rule_name);
            }
        }
        Ok(format!("免申即享：通知 {notified} 家次{confirmed}"))
    }
}

fn invalid_year_violation() -> Violation {
    Violation::new(
        "invalid_year",
        "年度应在 2000～2100 之间",
        "year: 2000-2100",
    )
}

fn stale_budget() -> ServiceError {
    ServiceError::Conflict("预算已被他人修改，请刷新后在最新版本上修改".into())
}

fn already_paid() -> ServiceError {
    ServiceError::Conflict("这笔申请已经兑付，不能重复兑付".into())
}

/// Words of the payouts a page or an export shows, for the message catalogue.
pub fn status_label(a: &Application) -> &'static str {
    if a.payment.is_some() {
        "已兑付"
    } else {
        "待兑付"
    }
}
