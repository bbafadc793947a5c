//! The annual update (信息更新): in the window (by default the first quarter) an enterprise
//! confirms each registered product and files last year's sales revenue, output value, export
//! value, profit and IP investment. The update is reviewed like a registration; on approval the
//! figures join the product's yearly figures. A product without an approved update for the year
//! of the last closed window is marked not updated (未更新).

use crate::audit::record;
use crate::notifications::{notify, Kind, Notice};
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_domain::access::{authorize, Action, Actor, Scope};
use zhichan_domain::calendar::{Deadline, WorkCalendar};
use zhichan_domain::enterprises::format_date;
use zhichan_domain::registration::{UpdateStatus, VersionEvent};
use zhichan_domain::rules::{RegistrationRules, UpdateWindow};
use zhichan_domain::{Money, Timestamp, Violation};
use zhichan_store::annual_updates::{self, AnnualUpdate};
use zhichan_store::products::{self, Figures, Product};
use zhichan_store::StoreError;

/// An update as typed.
#[derive(Clone, Debug, Default)]
pub struct UpdateInput {
    pub year: i64,
    pub sales_revenue: String,
    pub output_value: String,
    pub export_value: Option<String>,
    pub profit: Option<String>,
    pub ip_investment: Option<String>,
    /// The product is still made and sold (an enterprise that answers no is sent to withdraw).
    pub still_sold: bool,
}

/// Where a registered product stands in the update cycle, as pages show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateState {
    /// Not registered (or withdrawn): nothing to update.
    NotApplicable,
    /// Registered after the last window: its first update is next year's.
    NotYetDue,
    /// The window is open and nothing is filed yet.
    Due { closes: time::Date },
    /// Filed, waiting for review or returned.
    Filed(UpdateStatus),
    /// The update of the last closed window (or the open one) was approved.
    Done,
    /// The last window closed without an approved update.
    NotUpdated { year: i32 },
}

impl UpdateState {
    pub fn label_zh(self) -> String {
        match self {
            UpdateState::NotApplicable => String::new(),
            UpdateState::NotYetDue => "下一年度起更新".into(),
            UpdateState::Due { closes } => format!("待更新（{} 截止）", format_date(closes)),
            UpdateState::Filed(UpdateStatus::Submitted) => "更新待审核".into(),
            UpdateState::Filed(UpdateStatus::Returned) => "更新被退回".into(),
            UpdateState::Filed(UpdateStatus::Approved) | UpdateState::Done => "已更新".into(),
            UpdateState::NotUpdated { year } => format!("{year} 年度未更新"),
        }
    }

    /// Whether the enterprise has something to do.
    pub fn wants_action(self) -> bool {
        matches!(
            self,
            UpdateState::Due { .. } | UpdateState::Filed(UpdateStatus::Returned)
        )
    }
}

/// The update cycle on a given day: the window and its rules.
#[derive(Clone, Debug)]
pub struct Cycle {
    pub rules: RegistrationRules,
    pub today: time::Date,
    pub open: Option<UpdateWindow>,
    pub last_closed: Option<UpdateWindow>,
    pub next: Option<UpdateWindow>,
}

impl Cycle {
    /// The state of a product given its updates (any years).
    pub fn state(&self, p: &Product, updates: &[AnnualUpdate]) -> UpdateState {
        self.state_of(p.id, p.registered_on, p.withdrawn_on, updates)
    }

    /// The state of the product `id`, registered on `registered_on` and withdrawn on
    /// `withdrawn_on`, given its updates (any years).
    pub fn state_of(
        &self,
        id: i64,
        registered_on: Option<time::Date>,
        withdrawn_on: Option<time::Date>,
        updates: &[AnnualUpdate],
    ) -> UpdateState {
        self.state_by(registered_on, withdrawn_on, |year| {
            updates
                .iter()
                .find(|u| u.product_id == id && u.year == year)
                .map(|u| u.status)
        })
    }

    /// The state of a product registered on `registered_on` and withdrawn on `withdrawn_on`
    /// whose annual update of the cycle's year ([`Cycle::year`]) is in `status` (`None`: none
    /// filed), as a product read from its stored document has it.
    pub fn state_with(
        &self,
        registered_on: Option<time::Date>,
        withdrawn_on: Option<time::Date>,
        status: Option<UpdateStatus>,
    ) -> UpdateState {
        let year = self.year();
        self.state_by(registered_on, withdrawn_on, |y| {
            status.filter(|_| Some(y) == year)
        })
    }

    /// The state given the status of the product's update of a year, if it filed one.
    fn state_by(
        &self,
        registered_on: Option<time::Date>,
        withdrawn_on: Option<time::Date>,
        status_of: impl Fn(i32) -> Option<UpdateStatus>,
    ) -> UpdateState {
        let Some(registered) = registered_on else {
            return UpdateState::NotApplicable;
        };
        if withdrawn_on.is_some() {
            return UpdateState::NotApplicable;
        }
        if let Some(w) = self.open {
            if registered >= w.opens {
                return UpdateState::NotYetDue;
            }
            return match status_of(w.year) {
                Some(UpdateStatus::Approved) => UpdateState::Done,
                Some(s) => UpdateState::Filed(s),
                None => UpdateState::Due { closes: w.closes },
            };
        }
        match self.last_closed {
            Some(w) if registered < w.opens => match status_of(w.year) {
                Some(UpdateStatus::Approved) => UpdateState::Done,
                // Filed in time and still under review or returned: not yet a failure.
                Some(s) => UpdateState::Filed(s),
                None => UpdateState::NotUpdated { year: w.year },
            },
            _ => UpdateState::NotYetDue,
        }
    }

    /// The figures year the states refer to (the open window's, or the last closed one's).
    pub fn year(&self) -> Option<i32> {
        self.open.or(self.last_closed).map(|w| w.year)
    }
}

/// The review deadline terms in force on a day.
#[derive(Clone, Debug)]
pub struct ReviewTerms {
    pub calendar: std::sync::Arc<WorkCalendar>,
    pub working_days: u32,
    pub today: time::Date,
}

impl ReviewTerms {
    pub fn deadline(&self, received: Timestamp) -> Deadline {
        self.calendar
            .deadline(received.beijing_date(), self.working_days, self.today)
    }
}

fn field(field: &str, code: &'static str, zh: impl Into<String>) -> ServiceError {
    ServiceError::invalid(field, Violation::new(code, zh, code))
}

impl Services {
    /// The update cycle today.
    pub async fn cycle(&self) -> ServiceResult<Cycle> {
        let rules = self.registration_rules().await?.rules;
        let today = self.now().beijing_date();
        Ok(Cycle {
            open: rules.open_window(today),
            last_closed: rules.last_closed(today),
            next: rules.current_or_next(today),
            rules,
            today,
        })
    }

    /// The review deadline terms today.
    pub async fn review_terms(&self) -> ServiceResult<ReviewTerms> {
        let rules = self.registration_rules().await?.rules;
        Ok(ReviewTerms {
            calendar: self.calendar().await?.calendar.clone(),
            working_days: rules.review_working_days,
            today: self.now().beijing_date(),
        })
    }

    /// The updates of the cycle's year for a page of products, in one query.
    pub async fn cycle_updates(
        &self,
        cycle: &Cycle,
        product_ids: &[i64],
    ) -> ServiceResult<Vec<AnnualUpdate>> {
        match cycle.year() {
            Some(y) => Ok(annual_updates::of_year(self.db(), y, product_ids).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Every update of a product, newest year first.
    pub async fn annual_updates(
        &self,
        actor: &Actor,
        product_id: i64,
    ) -> ServiceResult<Vec<AnnualUpdate>> {
        self.load(actor, product_id, Action::ReadEnterprise).await?;
        Ok(annual_updates::for_product(self.db(), product_id).await?)
    }

    /// Files (or, after a return, files again) the update of a registered product.
    pub async fn file_annual_update(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        product_id: i64,
        input: UpdateInput,
    ) -> ServiceResult<AnnualUpdate> {
        let p = self
            .load(actor, product_id, Action::RegisterProducts)
            .await?;
        // Validation of the body first, then the business checks.
        let mut errors = Vec::new();
        let mut money = |k: &str, raw: Option<&str>, required: bool, signed: bool| match raw
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            None if required => {
                errors.push(FieldViolation::new(
                    k,
                    Violation::new("required", "请填写金额", "required"),
                ));
                None
            }
            None => Some(Money::from_fen(0)),
            Some(r) => match Money::parse(r) {
                Ok(m) if signed || !m.is_negative() => Some(m),
                Ok(_) => {
                    errors.push(FieldViolation::new(
                        k,
                        Violation::new("invalid_money", "金额不能为负数", "negative"),
                    ));
                    None
                }
                Err(v) => {
                    errors.push(FieldViolation::new(k, v));
                    None
                }
            },
        };
        let sales = money("sales_revenue", Some(&input.sales_revenue), true, false);
        let output = money("output_value", Some(&input.output_value), true, false);
        let export = money("export_value", input.export_value.as_deref(), false, false);
        let profit = money("profit", input.profit.as_deref(), false, true);
        let ip = money(
            "ip_investment",
            input.ip_investment.as_deref(),
            false,
            false,
        );
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        if !input.still_sold {
            return Err(field(
                "still_sold",
                "withdraw_instead",
                "产品已不再生产销售的，请撤销备案而不是更新",
            ));
        }
        if p.registered_on.is_none() || p.withdrawn_on.is_some() {
            return Err(field(
                "status",
                "invalid_transition",
                "只有备案成功且未撤销的产品需要信息更新",
            ));
        }
        let cycle = self.cycle().await?;
        let Some(window) = cycle.open else {
            let next = cycle
                .next
                .map(|w| {
                    format!(
                        "，下次为 {} 至 {}",
                        format_date(w.opens),
                        format_date(w.closes)
                    )
                })
                .unwrap_or_default();
            return Err(field(
                "year",
                "window_closed",
                format!("现在不在信息更新时间内{next}"),
            ));
        };
        if input.year != i64::from(window.year) {
            return Err(field(
                "year",
                "invalid_year",
                format!("本次信息更新填报 {} 年度数据", window.year),
            ));
        }
        if p.registered_on.is_some_and(|d| d >= window.opens) {
            return Err(field(
                "year",
                "not_due",
                "本年度新备案的产品，从下一年度开始更新",
            ));
        }
        let now = self.now();
        let mut u = AnnualUpdate {
            id: 0,
            product_id: p.id,
            region: p.region,
            year: window.year,
            sales_revenue: sales.expect("checked"),
            output_value: output.expect("checked"),
            export_value: export.expect("checked"),
            profit: profit.expect("checked"),
            ip_investment: ip.expect("checked"),
            still_sold: true,
            status: UpdateStatus::Submitted,
            submitted_by: actor.username.clone(),
            submitted_at: now,
            reviewed_by: None,
            reviewed_at: None,
            return_reason: None,
            version: 1,
        };
        let existing = annual_updates::of_year(self.db(), window.year, &[p.id])
            .await?
            .pop();
        let tx = self.db().begin().await?;
        match existing {
            None => {
                u.id = match annual_updates::insert(&tx, &u).await {
                    Err(StoreError::Unique { .. }) => {
                        return Err(ServiceError::Conflict("本年度的信息更新已经提交".into()))
                    }
                    other => other?,
                };
            }
            Some(old) if old.status == UpdateStatus::Returned => {
                u.id = old.id;
                u.version = annual_updates::save(&tx, &u, old.version)
                    .await?
                    .ok_or_else(|| {
                        ServiceError::Conflict("信息更新已被他人修改，请刷新后重试".into())
                    })?;
            }
            Some(_) => return Err(ServiceError::Conflict("本年度的信息更新已经提交".into())),
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "product.annual_update",
            &format!("product:{}", p.id),
            "ok",
            json!({"update": u.id, "year": u.year, "sales_revenue": u.sales_revenue.to_string(),
                   "output_value": u.output_value.to_string(),
                   "export_value": u.export_value.to_string(), "profit": u.profit.to_string(),
                   "ip_investment": u.ip_investment.to_string()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(u)
    }

    /// Updates waiting for review in the reviewer's region, oldest first.
    pub async fn update_queue(
        &self,
        actor: &Actor,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<(AnnualUpdate, Product)>, i64)> {
        let region = match authorize(actor, Action::ReviewRegistrations)? {
            Scope::All => None,
            Scope::Region(r) => Some(r),
            _ => return Err(ServiceError::Forbidden),
        };
        let (rows, total) =
            annual_updates::queue(self.db(), region, UpdateStatus::Submitted, limit, offset)
                .await?;
        // The page's products in one query, not one per update.
        let ids: Vec<i64> = rows.iter().map(|u| u.product_id).collect();
        let found = products::by_ids(self.db(), &ids).await?;
        let out = rows
            .into_iter()
            .filter_map(|u| {
                let p = found.iter().find(|p| p.id == u.product_id)?.clone();
                Some((u, p))
            })
            .collect();
        Ok((out, total))
    }

    /// The reviewer approves an update (its figures join the product's) or returns it.
    pub async fn review_annual_update(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        update_id: i64,
        version: i64,
        approve: bool,
        reason: Option<&str>,
    ) -> ServiceResult<AnnualUpdate> {
        let mut u = annual_updates::by_id(self.db(), update_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut p = self
            .load(actor, u.product_id, Action::ReviewRegistrations)
            .await?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason {
            zhichan_domain::validation::max_chars(r, zhichan_domain::validation::limits::REASON)
                .map_err(|v| crate::ServiceError::invalid("reason", v))?;
        }
        if !approve && reason.is_none() {
            return Err(field("reason", "required", "退回须说明理由"));
        }
        if u.status != UpdateStatus::Submitted {
            return Err(field(
                "status",
                "invalid_transition",
                format!("“{}”的信息更新不能再审核", u.status.label_zh()),
            ));
        }
        let now = self.now();
        u.status = if approve {
            UpdateStatus::Approved
        } else {
            UpdateStatus::Returned
        };
        u.reviewed_by = Some(actor.username.clone());
        u.reviewed_at = Some(now);
        u.return_reason = reason.map(str::to_string);
        let tx = self.db().begin().await?;
        u.version = annual_updates::save(&tx, &u, version)
            .await?
            .ok_or_else(|| ServiceError::Conflict("信息更新已被他人处理，请刷新".into()))?;
        let link = format!("/products/{}", p.id);
        let key = format!("update:{}:v{}", u.id, u.version);
        if approve {
            let before = p.clone();
            p.figures.retain(|f| f.year != u.year);
            p.figures.push(Figures {
                year: u.year,
                sales_revenue: u.sales_revenue,
                output_value: u.output_value,
                export_value: Some(u.export_value),
                profit: Some(u.profit),
                ip_investment: Some(u.ip_investment),
            });
            p.figures.sort_by_key(|f| f.year);
            let stale = p.version;
            self.save_product(
                &tx,
                actor,
                ctx,
                Some(&before),
                &p,
                stale,
                "product.annual_update.approve",
                (
                    VersionEvent::AnnualUpdateApproved,
                    Some(&u.year.to_string()),
                ),
            )
            .await?;
            notify(
                &tx,
                &Notice {
                    enterprise_id: p.enterprise_id,
                    kind: Kind::UpdateApproved,
                    title: &format!("“{}”{} 年度信息更新通过", p.name, u.year),
                    body: "更新的年度数据已记入产品备案信息。",
                    link: &link,
                    key: &key,
                },
                now,
            )
            .await?;
        } else {
            record(
                &tx,
                ctx,
                Some(actor),
                "product.annual_update.return",
                &format!("product:{}", p.id),
                "ok",
                json!({"update": u.id, "year": u.year, "reason": reason}),
                now,
            )
            .await?;
            notify(
                &tx,
                &Notice {
                    enterprise_id: p.enterprise_id,
                    kind: Kind::UpdateReturned,
                    title: &format!("“{}”{} 年度信息更新被退回", p.name, u.year),
                    body: &format!(
                        "退回理由：{}。请修改后重新提交。",
                        reason.unwrap_or_default()
                    ),
                    link: &link,
                    key: &key,
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(u)
    }

    /// Writes the update-due reminders while a window is open (once per product and year; run
    /// daily by the server). Answers how many were written.
    pub async fn remind_annual_updates(&self) -> ServiceResult<u32> {
        let cycle = self.cycle().await?;
        let Some(w) = cycle.open else {
            return Ok(0);
        };
        let ids =
            annual_updates::not_updated(self.db(), None, w.year, &format_date(w.opens)).await?;
        let now = self.now();
        let mut written = 0;
        for chunk in ids.chunks(500) {
            let tx = self.db().begin().await?;
            for id in chunk {
                let Some(p) = products::by_id(&tx, *id).await? else {
                    continue;
                };
                let filed = annual_updates::of_year(&tx, w.year, &[p.id]).await?;
                if !filed.is_empty() {
                    continue;
                }
                let link = format!("/products/{}", p.id);
                let title = format!(
                    "请在 {} 前完成“{}”的信息更新",
                    format_date(w.closes),
                    p.name
                );
                let body = format!(
                    "请确认产品仍在生产销售，并填报 {} 年度的销售收入、产值、出口额、利润和知识产权投入。",
                    w.year
                );
                if notify(
                    &tx,
                    &Notice {
                        enterprise_id: p.enterprise_id,
                        kind: Kind::UpdateDue,
                        title: &title,
                        body: &body,
                        link: &link,
                        key: &format!("{}:product:{}", w.year, p.id),
                    },
                    now,
                )
                .await?
                {
                    written += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(written)
    }
}
