//! The management port page: a province applies, the nation decides, an office opens, closes
//! and reopens the ports below it.

use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::AppResult;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use zhichan_domain::{RegionCode, RegionLevel};
use zhichan_service::ports::Application;
use zhichan_service::ServiceError;
use zhichan_store::ports::Port;

#[derive(Template)]
#[template(path = "ports.html")]
struct PortsPage {
    chrome: Chrome,
    csrf: String,
    region: String,
    /// The region of a port to open below the caller's.
    open_region: super::pickers::Picker,
    own_open: bool,
    own: Option<Port>,
    is_nation: bool,
    is_province: bool,
    /// Whether there are regions below the caller's (a county has none).
    has_below: bool,
    /// Each port below, its status and its region by name.
    others: Vec<(Port, &'static str, String)>,
    /// The caller's own port's status by name.
    own_status: &'static str,
    error: Option<String>,
    saved: Option<String>,
}

fn label(status: &str) -> &'static str {
    zhichan_domain::names::PortStatus::parse(status).map_or("", |s| s.label_zh())
}

async fn page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    error: Option<String>,
    saved: Option<String>,
) -> AppResult<Response> {
    page_with(state, signed, status, error, saved, Default::default()).await
}

/// The page, its region picker showing `typed` with its message.
async fn page_with(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    error: Option<String>,
    saved: Option<String>,
    typed: (String, Option<String>),
) -> AppResult<Response> {
    let s = &state.services;
    let actor = &signed.auth.actor;
    let region = actor.region.unwrap_or(RegionCode::NATION);
    let list = s.ports(actor).await?;
    let own = list.iter().find(|p| p.region == region).cloned();
    let mut names = super::names::Names::new(state);
    let mut others = Vec::new();
    for p in list.into_iter().filter(|p| p.region != region) {
        let name = names.region(p.region).await?;
        others.push((p.clone(), label(&p.status), name));
    }
    let open_region = super::pickers::Picker::region("op-region", "region", "地区")
        .required()
        .within(state, Some(region))
        .await?
        .value(state, &typed.0)
        .await?
        .error(typed.1);
    Ok(render(
        status,
        &PortsPage {
            chrome: Chrome::for_user("管理端口", "/ports", Some(&signed.auth)),
            csrf: csrf_of(signed),
            region: names.region(region).await?,
            own_status: own.as_ref().map_or("", |p| label(&p.status)),
            open_region,
            own_open: s.port_open(region).await?,
            own,
            is_nation: region == RegionCode::NATION,
            is_province: region.level() == RegionLevel::Province,
            has_below: region.level() != RegionLevel::County,
            others,
            error,
            saved,
        },
    ))
}

pub async fn show(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    page(&state, &signed, StatusCode::OK, None, None).await
}

#[derive(serde::Deserialize)]
pub struct PortForm {
    op: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    reason: String,
}

pub async fn act(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(f): Form<PortForm>,
) -> AppResult<Response> {
    let s = &state.services;
    let actor = &signed.auth.actor;
    let app = Application {
        unit: f.unit.clone(),
        contact_name: f.contact_name.clone(),
        contact_phone: f.contact_phone.clone(),
        contact_email: f.contact_email.clone(),
        purpose: f.purpose.clone(),
    };
    // The region of a port to open is picked (a name typed without JavaScript is resolved,
    // within the caller's own region).
    let region = if f.op == "open" {
        match super::pickers::region(&state, &f.region, actor.region).await? {
            Ok(Some(code)) => Ok(code),
            Ok(None) => RegionCode::parse(""),
            Err(m) => {
                return page_with(
                    &state,
                    &signed,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    None,
                    (f.region.clone(), Some(m)),
                )
                .await
            }
        }
    } else {
        RegionCode::parse(&f.region)
    };
    let result = match (f.op.as_str(), region) {
        ("apply", _) => s
            .apply_port(actor, &ctx, app)
            .await
            .map(|_| "已提交申请，等待国家知识产权局审核"),
        ("approve", Ok(r)) => s
            .decide_port(actor, &ctx, r, f.version, true, None)
            .await
            .map(|_| "已开通"),
        ("reject", Ok(r)) => s
            .decide_port(actor, &ctx, r, f.version, false, Some(&f.reason))
            .await
            .map(|_| "已不予开通"),
        ("open", Ok(r)) => s
            .open_child_port(actor, &ctx, r, app)
            .await
            .map(|_| "已开通"),
        ("close", Ok(r)) => s
            .close_port(actor, &ctx, r, f.version, &f.reason)
            .await
            .map(|_| "已关闭"),
        ("reopen", Ok(r)) => s
            .reopen_port(actor, &ctx, r, f.version)
            .await
            .map(|_| "已重新开通"),
        (_, Err(_)) => Err(ServiceError::invalid(
            "region",
            zhichan_domain::Violation::new("invalid_region", "请填写正确的地区代码", "region"),
        )),
        _ => Err(ServiceError::NotFound),
    };
    match result {
        Ok(msg) => page(&state, &signed, StatusCode::OK, None, Some(msg.to_string())).await,
        Err(ServiceError::Invalid(v)) => {
            let m = v
                .into_iter()
                .map(|f| f.violation.message_zh)
                .collect::<Vec<_>>()
                .join("；");
            page(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(m),
                None,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            page(&state, &signed, StatusCode::CONFLICT, Some(m), None).await
        }
        Err(e) => Err(e.into()),
    }
}
