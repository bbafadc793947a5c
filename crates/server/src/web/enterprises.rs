//! Enterprise profile pages: the enterprise fills in its own; officials browse their region's.

use super::forms::{self, FormErrors};
use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::AppResult;
use crate::locale::t;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::collections::HashMap;
use zhichan_domain::access::{grant, Action};
use zhichan_domain::accounts::Role;
use zhichan_domain::enterprises::{
    format_date, Ownership, QualificationKind, QualificationLevel, QualificationReview, Scale,
};
use zhichan_service::enterprises::{EnterpriseInput, QualificationInput};
use zhichan_service::ServiceError;
use zhichan_store::enterprises::Enterprise;

/// Rows of qualification inputs a form offers.
const QUALIFICATION_ROWS: usize = 4;

struct Row {
    e: Enterprise,
    scale: &'static str,
    region: String,
    industry: String,
    /// The qualifications by name, or 无.
    quals: String,
}

#[derive(Template)]
#[template(path = "enterprise_list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    total: i64,
    q: String,
    listing: super::listing::Listing,
    can_create: bool,
}

pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let actor = &signed.auth.actor;
    // An enterprise has one profile: straight to it, or to the form that creates it.
    if actor.role == Role::Enterprise {
        let code = actor.enterprise.clone().unwrap_or_default();
        return Ok(match state.services.enterprise(actor, &code).await {
            Ok(_) => Redirect::to(&format!("/enterprises/{code}")).into_response(),
            Err(ServiceError::NotFound) => Redirect::to("/enterprises/new").into_response(),
            Err(e) => return Err(e.into()),
        });
    }
    let spec = crate::api::sorting::EnterpriseSort::SPEC;
    let (listing, paging) =
        super::listing::Listing::read("/enterprises", &q, &spec, spec.default_order())?;
    let text = q.get("q").cloned().unwrap_or_default();
    let (rows, total) = state
        .services
        .enterprises_sorted(
            actor,
            Some(&text),
            listing.chosen(),
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let mut names = super::names::Names::new(&state);
    let mut list = Vec::with_capacity(rows.len());
    for e in rows {
        let quals: Vec<String> = e
            .qualifications
            .iter()
            .map(|q| t(q.kind.label_zh()))
            .collect();
        list.push(Row {
            scale: e.scale.label_zh(),
            region: names.region(e.region).await?,
            industry: names.industry(e.industry.as_str()).await?,
            quals: if quals.is_empty() {
                t("无")
            } else {
                quals.join(&t("、"))
            },
            e,
        });
    }
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::for_user("企业信息", "/enterprises", Some(&signed.auth)),
            rows: list,
            total,
            q: text,
            listing: listing.with_total(total),
            can_create: grant(actor.role, Action::EditEnterprise).is_some(),
        },
    ))
}

struct QualView {
    kind: &'static str,
    level: &'static str,
    /// The codes a resubmission names.
    kind_code: &'static str,
    level_code: &'static str,
    valid: String,
    certificate: String,
    review: &'static str,
    returned: bool,
    reason: Option<String>,
}

/// The change of name or region under review, as the profile page shows it.
struct AmendmentView {
    status: &'static str,
    returned: bool,
    name: Option<String>,
    region: Option<String>,
    reviewed_in: String,
    requested: String,
    reason: Option<String>,
}

/// An account of the enterprise as its page lists it.
struct AccountRow {
    username: String,
    display_name: String,
    state: String,
}

/// What the page says once after an action on it.
#[derive(Default)]
pub struct Flash {
    pub saved: bool,
    /// An account just added: its username, where its set-password code went (masked) and the
    /// code's expiry.
    pub added: Option<(String, String, String)>,
    pub message: Option<String>,
}

#[derive(Template)]
#[template(path = "enterprise_view.html")]
struct ViewPage {
    chrome: Chrome,
    e: Enterprise,
    scale: &'static str,
    ownership: &'static str,
    industry: String,
    region: String,
    quals: Vec<QualView>,
    history: Vec<(i64, String, String)>,
    can_edit: bool,
    saved: bool,
    amendment: Option<AmendmentView>,
    can_review: bool,
    accounts: Vec<AccountRow>,
    added: Option<(String, String, String)>,
    message: Option<String>,
    csrf: String,
}

/// A region by its full name (江西省抚州市临川区).
async fn region_label(state: &AppState, r: zhichan_domain::RegionCode) -> AppResult<String> {
    super::names::Names::new(state).region(r).await
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let flash = Flash {
        saved: q.contains_key("saved"),
        ..Flash::default()
    };
    view_page(&state, &signed, &code, StatusCode::OK, flash).await
}

/// The profile page, with what an action on it has to say.
pub async fn view_page(
    state: &AppState,
    signed: &Signed,
    code: &str,
    status: StatusCode,
    flash: Flash,
) -> AppResult<Response> {
    let actor = &signed.auth.actor;
    let (e, open) = state
        .services
        .enterprise_with_amendment(actor, code)
        .await?;
    let decides_in = open
        .as_ref()
        .filter(|a| a.status == "submitted")
        .map(|a| zhichan_service::enterprise_amendments::reviewed_in(a, e.region));
    let amendment = match open {
        Some(a) => {
            let decides_in = zhichan_service::enterprise_amendments::reviewed_in(&a, e.region);
            Some(AmendmentView {
                status: if a.status == "returned" {
                    "已退回"
                } else {
                    "待审核"
                },
                returned: a.status == "returned",
                name: a.name.clone(),
                region: match a.region {
                    Some(r) => Some(region_label(state, r).await?),
                    None => None,
                },
                reviewed_in: region_label(state, decides_in).await?,
                requested: format!("{}（{}）", a.requested_at.beijing_minutes(), a.requested_by),
                reason: a.reason.clone(),
            })
        }
        None => None,
    };
    // Only a reviewer of the region that decides it sees the decision form.
    let can_review = decides_in.is_some_and(|r| {
        zhichan_domain::access::authorize_on(
            actor,
            Action::ReviewRegistrations,
            &zhichan_domain::access::Placement {
                region: Some(r),
                ..Default::default()
            },
        )
        .is_ok()
    });
    let accounts = state
        .services
        .enterprise_accounts(actor, code)
        .await?
        .into_iter()
        .map(|a| AccountRow {
            state: match (
                &a.setup_until,
                a.user.disabled,
                a.user.verification.as_str(),
            ) {
                (_, true, _) => "已停用".into(),
                (Some(t), _, _) => format!("待本人设置密码（{} 前有效）", t.beijing_minutes()),
                (None, _, "verified") => "正常".into(),
                (None, _, _) => "实名认证中".into(),
            },
            username: a.user.username,
            display_name: a.user.display_name,
        })
        .collect();
    let history = state
        .services
        .enterprise_history(actor, code)
        .await?
        .into_iter()
        .map(|v| (v.version, v.changed_at.beijing_minutes(), v.changed_by))
        .collect();
    let region = region_label(state, e.region).await?;
    let industry = state
        .services
        .reference()
        .industry(&e.industry)
        .await
        .map_or(e.industry.to_string(), |i| {
            // A reference name is never cut up by the catalogue's patterns (its 、 is not a list).
            crate::locale::with_code(crate::locale::reference_name(i.name), e.industry.as_str())
        });
    Ok(render(
        status,
        &ViewPage {
            chrome: Chrome::for_user("企业信息", "/enterprises", Some(&signed.auth)),
            scale: e.scale.label_zh(),
            ownership: e.ownership.label_zh(),
            industry,
            region,
            quals: e
                .qualifications
                .iter()
                .map(|q| QualView {
                    kind: q.kind.label_zh(),
                    level: q.level.label_zh(),
                    kind_code: q.kind.as_str(),
                    level_code: q.level.as_str(),
                    review: q.review.label_zh(),
                    returned: q.review == QualificationReview::Returned,
                    reason: q.review_reason.clone(),
                    valid: format!(
                        "{} {} {}",
                        q.valid_from.map(format_date).unwrap_or_else(|| "—".into()),
                        crate::locale::t("至").trim(),
                        q.valid_to.map(format_date).unwrap_or_else(|| "—".into())
                    ),
                    certificate: q.certificate.clone(),
                })
                .collect(),
            history,
            can_edit: grant(actor.role, Action::EditEnterprise).is_some(),
            saved: flash.saved,
            amendment,
            can_review,
            accounts,
            added: flash.added,
            message: flash.message,
            csrf: csrf_of(signed),
            e,
        },
    ))
}

#[derive(Default, Clone)]
struct QualRow {
    kind: String,
    level: String,
    valid_from: String,
    valid_to: String,
    certificate: String,
}

#[derive(Template)]
#[template(path = "enterprise_form.html")]
struct FormPage {
    chrome: Chrome,
    creating: bool,
    action: String,
    csrf: String,
    version: i64,
    v: EnterpriseInput,
    quals: Vec<QualRow>,
    code_fixed: bool,
    scales: Vec<(&'static str, &'static str)>,
    ownerships: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    region: super::pickers::Picker,
    industry: super::pickers::Picker,
}

/// The subtree an enterprise's region is picked in: an official's own; the nation for the
/// enterprise itself.
fn picker_root(signed: &Signed) -> Option<zhichan_domain::RegionCode> {
    if signed.auth.actor.role == Role::Enterprise {
        None
    } else {
        signed.auth.actor.region
    }
}

/// The region and industry typed resolved to their codes; the pickers' messages for those
/// that name nothing (or several), to replace the service's.
async fn resolve_pickers(
    state: &AppState,
    signed: &Signed,
    input: &mut EnterpriseInput,
) -> AppResult<Vec<(String, String)>> {
    let mut messages = Vec::new();
    match super::pickers::region(state, &input.region, picker_root(signed)).await? {
        Ok(Some(code)) => input.region = code.to_string(),
        Ok(None) => {}
        Err(m) => messages.push(("region".to_string(), m)),
    }
    match super::pickers::industry(state, &input.industry).await? {
        Ok(Some(code)) => input.industry = code.as_str().to_string(),
        Ok(None) => {}
        Err(m) => messages.push(("industry".to_string(), m)),
    }
    Ok(messages)
}

/// The service's errors, the pickers' own messages in place of its for their fields.
fn with_picker_messages(
    v: Vec<zhichan_service::FieldViolation>,
    messages: Vec<(String, String)>,
) -> FormErrors {
    let mut errors = field_errors(v);
    for (field, message) in messages {
        errors.replace(field, message, &locate);
    }
    errors
}

async fn form_page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    creating: bool,
    version: i64,
    v: EnterpriseInput,
    errors: FormErrors,
) -> AppResult<Response> {
    // The pickers show their fields' messages (the summary links to them).
    let (region_error, industry_error) = (errors.beside("region"), errors.beside("industry"));
    let region = super::pickers::Picker::region("f-region", "region", "所在地")
        .hint("输入地区名称或代码，如“抚州市临川区”或 361002；不填则按统一社会信用代码中的登记地。")
        .within(state, picker_root(signed))
        .await?
        .value(state, &v.region)
        .await?
        .error(region_error);
    let industry =
        super::pickers::Picker::industry("f-industry", "industry", "所属行业（GB/T 4754-2017）")
            .hint("输入行业名称或代码，如“计算机、通信和其他电子设备制造业”或 C39。")
            .required()
            .value(state, &v.industry)
            .await?
            .error(industry_error);
    let mut quals: Vec<QualRow> = v
        .qualifications
        .iter()
        .map(|q| QualRow {
            kind: q.kind.clone(),
            level: q.level.clone(),
            valid_from: q.valid_from.clone().unwrap_or_default(),
            valid_to: q.valid_to.clone().unwrap_or_default(),
            certificate: q.certificate.clone(),
        })
        .collect();
    quals.resize(QUALIFICATION_ROWS.max(quals.len()), QualRow::default());
    let action = if creating {
        "/enterprises/new".to_string()
    } else {
        format!("/enterprises/{}/edit", v.credit_code)
    };
    Ok(render(
        status,
        &FormPage {
            chrome: Chrome::for_user(
                if creating {
                    "填报企业信息"
                } else {
                    "修改企业信息"
                },
                "/enterprises",
                Some(&signed.auth),
            ),
            creating,
            action,
            csrf: csrf_of(signed),
            version,
            code_fixed: !creating || signed.auth.actor.role == Role::Enterprise,
            quals,
            v,
            scales: Scale::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            ownerships: Ownership::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            kinds: QualificationKind::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            levels: QualificationLevel::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            errors,
            region,
            industry,
        },
    ))
}

/// Reads the profile form (qualification rows are `q{n}_kind`, `q{n}_level`, …).
fn input_of(form: &HashMap<String, String>) -> EnterpriseInput {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut qualifications = Vec::new();
    for n in 0..16 {
        let kind = get(&format!("q{n}_kind"));
        if kind.trim().is_empty() {
            continue;
        }
        let opt = |k: String| Some(get(&k)).filter(|s| !s.trim().is_empty());
        qualifications.push(QualificationInput {
            kind,
            level: get(&format!("q{n}_level")),
            valid_from: opt(format!("q{n}_from")),
            valid_to: opt(format!("q{n}_to")),
            certificate: get(&format!("q{n}_certificate")),
        });
    }
    EnterpriseInput {
        credit_code: get("credit_code"),
        name: get("name"),
        region: get("region"),
        address: get("address"),
        scale: get("scale"),
        ownership: get("ownership"),
        industry: get("industry"),
        contact_name: get("contact_name"),
        contact_phone: get("contact_phone"),
        contact_email: get("contact_email"),
        qualifications,
    }
}

/// Where a field of the profile form is: its input's id and its label.
fn locate(field: &str) -> Option<(String, String)> {
    if let Some(("qualifications", n, key)) = forms::split_row(field) {
        let (suffix, label) = match key {
            "kind" => ("k", "资质"),
            "level" => ("l", "级别"),
            "valid_from" => ("f", "有效期起"),
            "valid_to" => ("t", "有效期止"),
            "certificate" => ("c", "证书编号"),
            _ => return None,
        };
        return Some((
            format!("q{n}{suffix}"),
            format!("资质第 {} 行 · {label}", n + 1),
        ));
    }
    forms::table(&[
        ("credit_code", "f-code", "统一社会信用代码"),
        ("name", "f-name", "企业名称"),
        ("region", "f-region", "所在地"),
        ("address", "f-address", "地址"),
        ("industry", "f-industry", "所属行业"),
        ("scale", "f-scale", "企业规模"),
        ("ownership", "f-ownership", "所有制类型"),
        ("contact.name", "f-cname", "联系人"),
        ("contact.phone", "f-cphone", "联系电话"),
        ("contact.email", "f-cemail", "电子邮箱"),
        ("contact_name", "f-cname", "联系人"),
        ("contact_phone", "f-cphone", "联系电话"),
        ("contact_email", "f-cemail", "电子邮箱"),
    ])(field)
}

fn field_errors(v: Vec<zhichan_service::FieldViolation>) -> FormErrors {
    FormErrors::from_violations(v, &locate)
}

pub async fn new_form(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    let v = EnterpriseInput {
        credit_code: signed.auth.actor.enterprise.clone().unwrap_or_default(),
        ..EnterpriseInput::default()
    };
    form_page(
        &state,
        &signed,
        StatusCode::OK,
        true,
        0,
        v,
        FormErrors::none(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut input = input_of(&form);
    if signed.auth.actor.role == Role::Enterprise {
        input.credit_code = signed.auth.actor.enterprise.clone().unwrap_or_default();
    }
    let messages = resolve_pickers(&state, &signed, &mut input).await?;
    match state
        .services
        .create_enterprise(&signed.auth.actor, &ctx, input.clone())
        .await
    {
        Ok(e) => {
            Ok(Redirect::to(&format!("/enterprises/{}?saved=1", e.credit_code)).into_response())
        }
        Err(ServiceError::Invalid(v)) => {
            form_page(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                true,
                0,
                input,
                with_picker_messages(v, messages),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            form_page(&state, &signed, StatusCode::CONFLICT, true, 0, input, {
                let mut e = FormErrors::none();
                e.add("credit_code", m, &locate);
                e
            })
            .await
        }
        Err(ServiceError::Taken(t)) => {
            form_page(
                &state,
                &signed,
                StatusCode::CONFLICT,
                true,
                0,
                input,
                field_errors(vec![t]),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let (e, open) = state
        .services
        .enterprise_with_amendment(&signed.auth.actor, &code)
        .await?;
    // The form shows what is asked for while a change is under review.
    let mut input = EnterpriseInput::from_stored(&e);
    if let Some(a) = open {
        if let Some(n) = a.name {
            input.name = n;
        }
        if let Some(r) = a.region {
            input.region = r.to_string();
        }
    }
    form_page(
        &state,
        &signed,
        StatusCode::OK,
        false,
        e.version,
        input,
        FormErrors::none(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut typed = input_of(&form);
    typed.credit_code = code.clone();
    let messages = resolve_pickers(&state, &signed, &mut typed).await?;
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let submitted = typed.clone();
    match state
        .services
        .update_enterprise(&signed.auth.actor, &ctx, &code, version, move |i| {
            *i = typed
        })
        .await
    {
        Ok(e) => {
            Ok(Redirect::to(&format!("/enterprises/{}?saved=1", e.credit_code)).into_response())
        }
        Err(ServiceError::Invalid(v)) => {
            form_page(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
                version,
                submitted,
                with_picker_messages(v, messages),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            form_page(
                &state,
                &signed,
                StatusCode::CONFLICT,
                false,
                version,
                submitted,
                FormErrors::general(m),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct ResubmitForm {
    version: i64,
    kind: String,
    level: String,
}

/// The enterprise submits a returned qualification again for review, unchanged (重新提交).
pub async fn resubmit_qualification(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<ResubmitForm>,
) -> AppResult<Response> {
    match state
        .services
        .resubmit_qualification(
            &signed.auth.actor,
            &ctx,
            &code,
            form.version,
            &form.kind,
            &form.level,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/enterprises/{code}?saved=1")).into_response()),
        Err(ServiceError::Conflict(m)) => {
            let flash = Flash {
                message: Some(m),
                ..Flash::default()
            };
            view_page(&state, &signed, &code, StatusCode::CONFLICT, flash).await
        }
        Err(ServiceError::Invalid(v)) => {
            let flash = Flash {
                message: v.into_iter().next().map(|f| f.violation.message_zh),
                ..Flash::default()
            };
            view_page(
                &state,
                &signed,
                &code,
                StatusCode::UNPROCESSABLE_ENTITY,
                flash,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
