//! Security settings (安全策略): versioned data the security administrator changes, never code.

use crate::{ServiceError, ServiceResult, Services};
use serde::{Deserialize, Serialize};
use zhichan_domain::access::{authorize, Action, Actor};
use zhichan_domain::Violation;
use zhichan_store::settings;

/// What the security administrator can tune. The defaults follow GB/T 22239-2019 level 3
/// practice and the issue that introduced them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecuritySettings {
    /// Failed logins in a row that lock an account.
    pub max_failed_logins: u32,
    /// How long a lock lasts.
    pub lockout_minutes: u32,
    /// Password lifetime of administrative accounts (0: never expires).
    pub password_days_admin: u32,
    /// Password lifetime of other accounts (0: never expires).
    pub password_days_other: u32,
    /// A session unused this long ends.
    pub session_idle_minutes: u32,
    /// A session ends this long after login, however active.
    pub session_absolute_hours: u32,
    /// Login attempts allowed from one address per minute.
    pub login_attempts_per_minute: u32,
    /// How long audit entries stay in the live log before they are archived.
    pub audit_retention_days: u32,
    /// Sign-ups (each with its documents) allowed from one address per hour.
    pub signups_per_hour: u32,
    /// Uploads (product and directory imports, verification documents) allowed from one
    /// address per hour.
    pub uploads_per_hour: u32,
    /// Public certificate lookups (备案证明查验) allowed from one address per minute: enough
    /// for anyone checking certificates by hand, too few to enumerate registration numbers.
    pub verify_lookups_per_minute: u32,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            max_failed_logins: 5,
            lockout_minutes: 15,
            password_days_admin: 90,
            password_days_other: 0,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            login_attempts_per_minute: 20,
            audit_retention_days: 180,
            signups_per_hour: 10,
            uploads_per_hour: 60,
            verify_lookups_per_minute: 30,
        }
    }
}

impl SecuritySettings {
    /// Refuses values that would weaken the platform below its floor (GB/T 22239 level 3 and
    /// the rules the platform was built to): a setting may be made stricter, never looser.
    pub fn check(&self) -> Result<(), Vec<(String, Violation)>> {
        let mut errors = Vec::new();
        let mut within = |field: &str, v: u32, lo: u32, hi: u32| {
            if !(lo..=hi).contains(&v) {
                errors.push((
                    field.to_string(),
                    Violation::new(
                        "out_of_range",
                        format!("应在 {lo} 到 {hi} 之间"),
                        format!("must be between {lo} and {hi}"),
                    ),
                ));
            }
        };
        within("max_failed_logins", self.max_failed_logins, 3, 5);
        within("lockout_minutes", self.lockout_minutes, 15, 1440);
        within("password_days_admin", self.password_days_admin, 0, 365);
        within("password_days_other", self.password_days_other, 0, 3650);
        within("session_idle_minutes", self.session_idle_minutes, 5, 30);
        within("session_absolute_hours", self.session_absolute_hours, 1, 12);
        within(
            "login_attempts_per_minute",
            self.login_attempts_per_minute,
            5,
            600,
        );
        within("audit_retention_days", self.audit_retention_days, 180, 3650);
        within("signups_per_hour", self.signups_per_hour, 1, 100);
        within("uploads_per_hour", self.uploads_per_hour, 1, 1000);
        within(
            "verify_lookups_per_minute",
            self.verify_lookups_per_minute,
            5,
            600,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// How long the settings read from the database are reused.
pub const SETTINGS_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// The settings in force and their version (0 for the built-in defaults).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InForce {
    pub version: i64,
    pub settings: SecuritySettings,
}

impl Services {
    /// The settings in force. Another server process's change is seen within
    /// [`SETTINGS_FRESH_FOR`]; this process's own changes at once.
    pub async fn security_settings(&self) -> ServiceResult<InForce> {
        if let Some((read_at, v)) = self.settings_cache.lock().expect("settings cache").as_ref() {
            if read_at.elapsed() < SETTINGS_FRESH_FOR {
                return Ok(v.clone());
            }
        }
        let v = self.read_security_settings().await?;
        *self.settings_cache.lock().expect("settings cache") =
            Some((std::time::Instant::now(), v.clone()));
        Ok(v)
    }

    async fn read_security_settings(&self) -> ServiceResult<InForce> {
        Ok(match settings::latest_security(self.db()).await? {
            Some(v) => InForce {
                version: v.version,
                settings: serde_json::from_str(&v.settings).map_err(|e| {
                    ServiceError::Store(zhichan_store::StoreError::Corrupt(e.to_string()))
                })?,
            },
            None => InForce {
                version: 0,
                settings: SecuritySettings::default(),
            },
        })
    }

    /// Every version of the settings, newest first.
    pub async fn security_history(
        &self,
        actor: &Actor,
    ) -> ServiceResult<Vec<settings::SettingsVersion>> {
        authorize(actor, Action::ReadSecurityPolicy).map_err(ServiceError::from)?;
        Ok(settings::security_history(self.db()).await?)
    }

    /// Stores new settings as the next version, if `based_on` is still the version in force.
    pub async fn update_security_settings(
        &self,
        actor: &Actor,
        ctx: &crate::Ctx,
        based_on: i64,
        new: SecuritySettings,
        reason: &str,
    ) -> ServiceResult<InForce> {
        authorize(actor, Action::ManageSecurityPolicy).map_err(ServiceError::from)?;
        new.check().map_err(|errs| {
            ServiceError::Invalid(
                errs.into_iter()
                    .map(|(f, v)| crate::FieldViolation::new(f, v))
                    .collect(),
            )
        })?;
        if reason.trim().is_empty() {
            return Err(ServiceError::invalid(
                "reason",
                Violation::new("required", "请说明修改原因", "a reason is required"),
            ));
        }
        zhichan_domain::validation::max_chars(reason, zhichan_domain::validation::limits::REASON)
            .map_err(|v| crate::ServiceError::invalid("reason", v))?;
        // The check against the stored version reads the database, never the cache.
        let current = self.read_security_settings().await?;
        if current.version != based_on {
            return Err(ServiceError::Conflict(
                "安全策略已被他人修改，请刷新后重试".into(),
            ));
        }
        let now = self.now();
        let version = current.version + 1;
        let json = serde_json::to_string(&new).expect("settings serialise");
        let tx = self.db().begin().await?;
        settings::insert_security(&tx, version, &json, &actor.username, reason.trim(), now)
            .await
            .map_err(|e| match e {
                zhichan_store::StoreError::Unique { .. } => {
                    ServiceError::Conflict("安全策略已被他人修改，请刷新后重试".into())
                }
                other => other.into(),
            })?;
        crate::audit::record(
            &tx,
            ctx,
            Some(actor),
            "security.update",
            &format!("security_settings:{version}"),
            "ok",
            serde_json::json!({
                "before": current.settings,
                "after": new,
                "reason": reason.trim(),
            }),
            now,
        )
        .await?;
        tx.commit().await?;
        let saved = InForce {
            version,
            settings: new,
        };
        *self.settings_cache.lock().expect("settings cache") =
            Some((std::time::Instant::now(), saved.clone()));
        Ok(saved)
    }
}
