//! `/api/v1/rules`: the working-day calendar and the registration rules, as versioned data the
//! national administrator keeps.

use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use zhichan_api::rules::{
    Calendar, CalendarDay, CalendarUpdate, RegistrationRules, RegistrationRulesInForce,
    RegistrationRulesUpdate, RulesVersion,
};
use zhichan_api::Problem;
use zhichan_domain::calendar::{CalendarDay as Day, DayKind};
use zhichan_domain::rules::RegistrationRules as Rules;
use zhichan_service::rules::{CalendarInForce, Versioned, CALENDAR, REGISTRATION};

fn calendar_body(c: &CalendarInForce) -> Calendar {
    Calendar {
        version: c.version,
        days: c
            .days
            .iter()
            .map(|d| CalendarDay {
                date: d.date.clone(),
                kind: d.kind.into(),
                name: d.name.clone(),
                source: d.source.clone(),
            })
            .collect(),
    }
}

pub fn rules_body(r: &Rules) -> RegistrationRules {
    RegistrationRules {
        review_working_days: r.review_working_days,
        review_source: r.review_source.clone(),
        update_opens: r.update_opens.clone(),
        update_closes: r.update_closes.clone(),
        update_source: r.update_source.clone(),
        return_reasons: r.return_reasons.clone(),
    }
}

fn in_force(v: Versioned<Rules>) -> RegistrationRulesInForce {
    RegistrationRulesInForce {
        version: v.version,
        rules: rules_body(&v.rules),
    }
}

/// The working-day calendar in force: public holidays and make-up working days (调休).
#[utoipa::path(
    get,
    path = "/api/v1/rules/calendar",
    tag = "rules",
    responses((status = 200, description = "工作日历", body = Calendar))
)]
pub async fn calendar(State(state): State<AppState>, _signed: Signed) -> AppResult<Json<Calendar>> {
    Ok(Json(calendar_body(&*state.services.calendar().await?)))
}

/// Replaces the calendar's day list as a new version (national administrator).
#[utoipa::path(
    put,
    path = "/api/v1/rules/calendar",
    tag = "rules",
    request_body = CalendarUpdate,
    responses(
        (status = 200, description = "新版本", body = Calendar),
        (status = 404, description = "非全国管理员", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已被他人修改", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "日期有误、重复，或调休日不是周末", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_calendar(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(b): ApiJson<CalendarUpdate>,
) -> AppResult<Json<Calendar>> {
    let mut days = Vec::with_capacity(b.days.len());
    for d in b.days {
        let kind = DayKind::from(d.kind);
        days.push(Day {
            date: d.date.trim().to_string(),
            kind,
            name: d.name.trim().to_string(),
            source: d.source.trim().to_string(),
        });
    }
    let c = state
        .services
        .update_calendar(&signed.auth.actor, &ctx, b.version, days, &b.reason)
        .await?;
    Ok(Json(calendar_body(&c)))
}

/// The registration rules in force.
#[utoipa::path(
    get,
    path = "/api/v1/rules/registration",
    tag = "rules",
    responses((status = 200, description = "备案规则", body = RegistrationRulesInForce))
)]
pub async fn registration(
    State(state): State<AppState>,
    _signed: Signed,
) -> AppResult<Json<RegistrationRulesInForce>> {
    Ok(Json(in_force(state.services.registration_rules().await?)))
}

/// Stores new registration rules as the next version (national administrator).
#[utoipa::path(
    put,
    path = "/api/v1/rules/registration",
    tag = "rules",
    request_body = RegistrationRulesUpdate,
    responses(
        (status = 200, description = "新版本", body = RegistrationRulesInForce),
        (status = 404, description = "非全国管理员", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已被他人修改", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "取值有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_registration(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(b): ApiJson<RegistrationRulesUpdate>,
) -> AppResult<Json<RegistrationRulesInForce>> {
    let r = b.rules;
    let v = state
        .services
        .update_registration_rules(
            &signed.auth.actor,
            &ctx,
            b.version,
            Rules {
                review_working_days: r.review_working_days,
                review_source: r.review_source,
                update_opens: r.update_opens,
                update_closes: r.update_closes,
                update_source: r.update_source,
                return_reasons: r.return_reasons,
            },
            &b.reason,
        )
        .await?;
    Ok(Json(in_force(v)))
}

/// Every stored version of a kind of rules (`calendar` or `registration`), newest first.
#[utoipa::path(
    get,
    path = "/api/v1/rules/{kind}/history",
    tag = "rules",
    params(("kind" = String, Path, description = "calendar 或 registration")),
    responses((status = 200, description = "历史版本", body = Vec<RulesVersion>))
)]
pub async fn history(
    State(state): State<AppState>,
    signed: Signed,
    Path(kind): Path<String>,
) -> AppResult<Json<Vec<RulesVersion>>> {
    if kind != CALENDAR && kind != REGISTRATION && kind != zhichan_service::rules::EVALUATION {
        return Err(AppError::NotFound);
    }
    let list = state
        .services
        .rules_history(&signed.auth.actor, &kind)
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|v| RulesVersion {
                version: v.version,
                changed_by: v.changed_by,
                changed_at: v.changed_at.to_string(),
                reason: v.reason,
                body: serde_json::from_str(&v.settings).unwrap_or_default(),
            })
            .collect(),
    ))
}
