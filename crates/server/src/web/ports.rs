//! The management port page: a province applies, the nation decides, an office opens, closes
//! and reopens the ports below it.

use super::forms::FormErrors;
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
    /// What is wrong with the application (`ap`) or opening (`op`) form, and what was typed in
    /// it; other refusals (a reason left out in a row) are listed at the top.
    errors: FormErrors,
    ap_errors: FormErrors,
    op_errors: FormErrors,
    ap: Typed,
    op: Typed,
    saved: Option<String>,
}

/// The fields of an application or opening form as typed.
#[derive(Clone, Default)]
struct Typed {
    region: String,
    unit: String,
    contact_name: String,
    contact_phone: String,
    contact_email: String,
    purpose: String,
}

/// Where a field of the form with ids `{prefix}-…` is.
fn locator(prefix: &'static str) -> impl Fn(&str) -> Option<(String, String)> {
    move |field: &str| {
        let (suffix, label) = match field {
            "region" => ("region", "地区"),
            "unit" => ("unit", "单位名称"),
            "contact_name" => ("name", "联系人"),
            "contact_phone" => ("phone", "联系电话"),
            "contact_email" => ("email", "电子邮箱"),
            "purpose" => ("purpose", "开通用途"),
            _ => return None,
        };
        Some((format!("{prefix}-{suffix}"), label.to_string()))
    }
}

/// A refusal as the page shows it: on the form that was sent, or at the top.
struct Refusal {
    op: String,
    typed: Typed,
    violations: Vec<zhichan_service::FieldViolation>,
    message: Option<String>,
}

fn label(status: &str) -> &'static str {
    zhichan_domain::names::PortStatus::parse(status).map_or("", |s| s.label_zh())
}

async fn page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    refusal: Option<Refusal>,
    saved: Option<String>,
) -> AppResult<Response> {
    let (mut errors, mut ap_errors, mut op_errors) =
        (FormErrors::none(), FormErrors::none(), FormErrors::none());
    let (mut ap, mut op) = (Typed::default(), Typed::default());
    if let Some(r) = refusal {
        let (target, typed, prefix) = match r.op.as_str() {
            "apply" => (&mut ap_errors, &mut ap, "ap"),
            "open" => (&mut op_errors, &mut op, "op"),
            _ => (&mut errors, &mut Typed::default(), ""),
        };
        *typed = r.typed;
        // A row's action (a reason left out) has no field of its own on the page.
        let locate = locator(prefix);
        let none = |_: &str| None;
        for v in r.violations {
            if prefix.is_empty() {
                target.add(v.field, v.violation.message_zh, &none);
            } else {
                target.add(v.field, v.violation.message_zh, &locate);
            }
        }
        if let Some(m) = r.message {
            target.items.extend(FormErrors::general(m).items);
        }
    }
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
        .value(state, &op.region)
        .await?
        .error(op_errors.beside("region"));
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
            errors,
            ap_errors,
            op_errors,
            ap,
            op,
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
            Ok(None) => RegionCode::parse("").map_err(|_| None),
            // The picker's own message (what it could not find) stands for the field.
            Err(m) => Err(Some(m)),
        }
    } else {
        RegionCode::parse(&f.region).map_err(|_| None)
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
        (_, Err(m)) => Err(ServiceError::invalid(
            "region",
            zhichan_domain::Violation::new(
                "invalid_region",
                m.unwrap_or_else(|| "请填写正确的地区代码".to_string()),
                "region",
            ),
        )),
        _ => Err(ServiceError::NotFound),
    };
    let refusal = |violations, message| {
        Some(Refusal {
            op: f.op.clone(),
            typed: Typed {
                region: f.region.clone(),
                unit: f.unit.clone(),
                contact_name: f.contact_name.clone(),
                contact_phone: f.contact_phone.clone(),
                contact_email: f.contact_email.clone(),
                purpose: f.purpose.clone(),
            },
            violations,
            message,
        })
    };
    match result {
        Ok(msg) => page(&state, &signed, StatusCode::OK, None, Some(msg.to_string())).await,
        Err(ServiceError::Invalid(v)) => {
            page(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                refusal(v, None),
                None,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            page(
                &state,
                &signed,
                StatusCode::CONFLICT,
                refusal(vec![], Some(m)),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
