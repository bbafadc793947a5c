//! `/api/v1/security/settings`: the security administrator's settings, as versioned data.

use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppResult};
use crate::AppState;
use axum::extract::State;
use zhichan_api::accounts::{SecuritySettings, SecuritySettingsUpdate, SecuritySettingsVersion};
use zhichan_api::Problem;
use zhichan_service::security::{InForce, SecuritySettings as Settings};

pub fn to_body(s: &Settings) -> SecuritySettings {
    SecuritySettings {
        max_failed_logins: s.max_failed_logins,
        lockout_minutes: s.lockout_minutes,
        password_days_admin: s.password_days_admin,
        password_days_other: s.password_days_other,
        session_idle_minutes: s.session_idle_minutes,
        session_absolute_hours: s.session_absolute_hours,
        login_attempts_per_minute: s.login_attempts_per_minute,
        audit_retention_days: s.audit_retention_days,
        signups_per_hour: s.signups_per_hour,
        uploads_per_hour: s.uploads_per_hour,
        verify_lookups_per_minute: s.verify_lookups_per_minute,
    }
}

pub fn from_body(s: &SecuritySettings) -> Settings {
    Settings {
        max_failed_logins: s.max_failed_logins,
        lockout_minutes: s.lockout_minutes,
        password_days_admin: s.password_days_admin,
        password_days_other: s.password_days_other,
        session_idle_minutes: s.session_idle_minutes,
        session_absolute_hours: s.session_absolute_hours,
        login_attempts_per_minute: s.login_attempts_per_minute,
        audit_retention_days: s.audit_retention_days,
        signups_per_hour: s.signups_per_hour,
        uploads_per_hour: s.uploads_per_hour,
        verify_lookups_per_minute: s.verify_lookups_per_minute,
    }
}

fn version_body(v: InForce) -> SecuritySettingsVersion {
    SecuritySettingsVersion {
        version: v.version,
        settings: to_body(&v.settings),
    }
}

/// The settings in force and their version.
#[utoipa::path(
    get,
    path = "/api/v1/security/settings",
    tag = "administration",
    responses((status = 200, description = "安全策略", body = SecuritySettingsVersion))
)]
pub async fn get(
    State(state): State<AppState>,
    _signed: Signed,
) -> AppResult<Json<SecuritySettingsVersion>> {
    Ok(Json(version_body(
        state.services.security_settings().await?,
    )))
}

/// Stores new settings as the next version (the `version` sent must be the one in force).
#[utoipa::path(
    put,
    path = "/api/v1/security/settings",
    tag = "administration",
    request_body = SecuritySettingsUpdate,
    responses(
        (status = 200, description = "新版本", body = SecuritySettingsVersion),
        (status = 409, description = "已被他人修改", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "取值越界", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(body): ApiJson<SecuritySettingsUpdate>,
) -> AppResult<Json<SecuritySettingsVersion>> {
    let v = state
        .services
        .update_security_settings(
            &signed.auth.actor,
            &ctx,
            body.version,
            from_body(&body.settings),
            &body.reason,
        )
        .await?;
    Ok(Json(version_body(v)))
}
