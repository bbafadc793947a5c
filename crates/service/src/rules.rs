//! Rules an official keeps as versioned data: the working-day calendar and the registration
//! rules (review deadline, annual update window, return reason templates). Each change is a new
//! version with its reason; the newest is in force; version 0 is the built-in first edition.

use crate::audit::record;
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::json;
use std::any::Any;
use std::sync::Arc;
use zhichan_domain::access::{authorize, Action, Actor, Placement};
use zhichan_domain::calendar::{CalendarDay, DayKind, WorkCalendar};
use zhichan_domain::rules::{EvaluationWeights, RegistrationRules};
use zhichan_domain::{RegionCode, Violation};
use zhichan_store::settings::{self, SettingsVersion};
use zhichan_store::StoreError;

const HOLIDAYS_CSV: &str = include_str!("../../../data/calendar/holidays.csv");

/// A rules document as last read, already parsed (a `Versioned<T>` or, for the calendar, the
/// built [`CalendarInForce`]), and when it was read.
type Parsed = (std::time::Instant, Arc<dyn Any + Send + Sync>);

/// The rules documents last read, by kind. Every request that counts a deadline or judges an
/// update needs them; parsing them (and building the calendar) each time cost more than the
/// product read itself.
pub type Cache = Arc<std::sync::Mutex<std::collections::HashMap<&'static str, Parsed>>>;

/// The kinds of rules documents.
pub const CALENDAR: &str = "calendar";
pub const REGISTRATION: &str = "registration";
pub const EVALUATION: &str = "evaluation";

/// The calendar's first edition, from `data/calendar/holidays.csv`.
pub fn default_calendar() -> Vec<CalendarDay> {
    HOLIDAYS_CSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut f = l.splitn(4, ',');
            let mut next = || f.next().unwrap_or("").trim().to_string();
            let date = next();
            let kind = DayKind::parse(&next()).expect("holidays.csv: kind");
            CalendarDay {
                date,
                kind,
                name: next(),
                source: next(),
            }
        })
        .collect()
}

/// A rules document in force and its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versioned<T> {
    pub version: i64,
    pub rules: T,
}

/// The calendar in force, with the day list it was built from.
#[derive(Clone, Debug)]
pub struct CalendarInForce {
    pub version: i64,
    pub days: Vec<CalendarDay>,
    pub calendar: Arc<WorkCalendar>,
}

fn corrupt(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(e.to_string()))
}

fn violations(errs: Vec<(String, Violation)>) -> ServiceError {
    ServiceError::Invalid(
        errs.into_iter()
            .map(|(f, v)| FieldViolation::new(f, v))
            .collect(),
    )
}

impl Services {
    /// The newest version of a kind, parsed by `build` (from its version and body; version 0
    /// and no body when none is stored), from the cache when it is fresh (another server
    /// process's change is seen within [`crate::security::SETTINGS_FRESH_FOR`], this process's
    /// at once).
    async fn cached<T: Send + Sync + 'static>(
        &self,
        kind: &'static str,
        build: impl FnOnce(i64, &str) -> ServiceResult<T>,
    ) -> ServiceResult<Arc<T>> {
        let hit = self
            .rules_cache
            .lock()
            .expect("rules cache")
            .get(kind)
            .filter(|(at, _)| at.elapsed() < crate::security::SETTINGS_FRESH_FOR)
            .map(|(_, v)| v.clone());
        if let Some(v) = hit.and_then(|v| v.downcast::<T>().ok()) {
            return Ok(v);
        }
        let (version, body) = match settings::latest_rules(self.db(), kind).await? {
            Some(v) => (v.version, v.settings),
            None => (0, String::new()),
        };
        let parsed = Arc::new(build(version, &body)?);
        self.rules_cache
            .lock()
            .expect("rules cache")
            .insert(kind, (std::time::Instant::now(), parsed.clone()));
        Ok(parsed)
    }

    /// The newest version of a rules document (the built-in first edition as version 0).
    async fn latest<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &self,
        kind: &'static str,
        default: impl FnOnce() -> T,
    ) -> ServiceResult<Versioned<T>> {
        let v = self
            .cached(kind, |version, body| {
                Ok(Versioned {
                    version,
                    rules: if version == 0 {
                        default()
                    } else {
                        serde_json::from_str(body).map_err(corrupt)?
                    },
                })
            })
            .await?;
        Ok(Versioned::clone(&v))
    }

    fn forget_rules(&self, kind: &str) {
        self.rules_cache.lock().expect("rules cache").remove(kind);
    }

    /// The working-day calendar in force.
    pub async fn calendar(&self) -> ServiceResult<Arc<CalendarInForce>> {
        self.cached(CALENDAR, |version, body| {
            let days: Vec<CalendarDay> = if version == 0 {
                default_calendar()
            } else {
                serde_json::from_str(body).map_err(corrupt)?
            };
            let calendar = WorkCalendar::from_days(&days)
                .map_err(|e| corrupt(format!("calendar version {version}: {e:?}")))?;
            Ok(CalendarInForce {
                version,
                days,
                calendar: Arc::new(calendar),
            })
        })
        .await
    }

    /// The registration rules in force.
    pub async fn registration_rules(&self) -> ServiceResult<Versioned<RegistrationRules>> {
        self.latest(REGISTRATION, RegistrationRules::default).await
    }

    /// The year-end evaluation weights in force.
    pub async fn evaluation_weights(&self) -> ServiceResult<Versioned<EvaluationWeights>> {
        self.latest(EVALUATION, EvaluationWeights::default).await
    }

    /// Replaces the evaluation weights, as a new version.
    pub async fn update_evaluation_weights(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        based_on: i64,
        weights: EvaluationWeights,
        reason: &str,
    ) -> ServiceResult<Versioned<EvaluationWeights>> {
        self.may_manage_rules(actor, EVALUATION).await?;
        weights.check().map_err(violations)?;
        self.store_rules(actor, ctx, EVALUATION, based_on, &weights, reason)
            .await?;
        self.evaluation_weights().await
    }

    /// Every stored version of a kind of rules, newest first (version 0, the built-in first
    /// edition, is not stored).
    pub async fn rules_history(
        &self,
        actor: &Actor,
        kind: &str,
    ) -> ServiceResult<Vec<SettingsVersion>> {
        authorize(actor, Action::ReadRules)?;
        Ok(settings::rules_history(self.db(), kind).await?)
    }

    async fn store_rules<T: Serialize>(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        kind: &str,
        based_on: i64,
        rules: &T,
        reason: &str,
    ) -> ServiceResult<i64> {
        if reason.trim().is_empty() {
            return Err(ServiceError::invalid(
                "reason",
                Violation::new("required", "请说明修改原因和依据", "a reason is required"),
            ));
        }
        zhichan_domain::validation::max_chars(reason, zhichan_domain::validation::limits::REASON)
            .map_err(|v| crate::ServiceError::invalid("reason", v))?;
        // The check against the stored version reads the database, never the cache.
        self.forget_rules(kind);
        let current = settings::latest_rules(self.db(), kind)
            .await?
            .map_or(0, |v| v.version);
        if current != based_on {
            return Err(ServiceError::Conflict(
                "规则已被他人修改，请刷新后在最新版本上修改".into(),
            ));
        }
        let body = serde_json::to_string(rules).map_err(corrupt)?;
        let version = current + 1;
        let now = self.now();
        let tx = self.db().begin().await?;
        match settings::insert_rules(
            &tx,
            kind,
            version,
            &body,
            &actor.username,
            reason.trim(),
            now,
        )
        .await
        {
            Err(StoreError::Unique { .. }) => {
                return Err(ServiceError::Conflict(
                    "规则已被他人修改，请刷新后在最新版本上修改".into(),
                ))
            }
            other => other?,
        }
        record(
            &tx,
            ctx,
            Some(actor),
            &format!("rules.{kind}.update"),
            &format!("rules:{kind}"),
            "ok",
            json!({"version": version, "reason": reason.trim(),
                   "after": serde_json::from_str::<serde_json::Value>(&body).unwrap_or_default()}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.forget_rules(kind);
        Ok(version)
    }

    /// The rules hold for the whole country: only an administrator whose region is the nation
    /// may change them (anyone else is outside their scope).
    async fn may_manage_rules(&self, actor: &Actor, kind: &str) -> ServiceResult<()> {
        authorize(actor, Action::ManageRules)?;
        self.scoped(
            actor,
            Action::ManageRules,
            &Placement {
                region: Some(RegionCode::NATION),
                ..Placement::default()
            },
            &format!("rules:{kind}"),
        )
        .await
    }

    /// Replaces the calendar's day list, as a new version.
    pub async fn update_calendar(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        based_on: i64,
        mut days: Vec<CalendarDay>,
        reason: &str,
    ) -> ServiceResult<Arc<CalendarInForce>> {
        self.may_manage_rules(actor, CALENDAR).await?;
        WorkCalendar::from_days(&days).map_err(|errs| {
            violations(
                errs.into_iter()
                    .map(|(i, v)| (format!("days[{i}].date"), v))
                    .collect(),
            )
        })?;
        let mut errs = Vec::new();
        for (i, d) in days.iter().enumerate() {
            if d.source.trim().is_empty() {
                errs.push((
                    format!("days[{i}].source"),
                    Violation::new("required", "请注明依据的通知", "source required"),
                ));
            }
        }
        if !errs.is_empty() {
            return Err(violations(errs));
        }
        days.sort_by(|a, b| a.date.cmp(&b.date));
        self.store_rules(actor, ctx, CALENDAR, based_on, &days, reason)
            .await?;
        self.calendar().await
    }

    /// Replaces the registration rules, as a new version.
    pub async fn update_registration_rules(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        based_on: i64,
        mut rules: RegistrationRules,
        reason: &str,
    ) -> ServiceResult<Versioned<RegistrationRules>> {
        self.may_manage_rules(actor, REGISTRATION).await?;
        rules.return_reasons = rules
            .return_reasons
            .into_iter()
            .map(|r| r.trim().to_string())
            .collect();
        rules.check().map_err(violations)?;
        self.store_rules(actor, ctx, REGISTRATION, based_on, &rules, reason)
            .await?;
        self.registration_rules().await
    }
}
