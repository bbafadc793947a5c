//! Pages of real-name verification: the enterprise's sign-up and status, the reviewer's queue.

use super::forms::{self, FormErrors};
use super::{render, Chrome};

/// Where the sign-up form's fields are: (field, input id, label).
const SIGNUP_FIELDS: &[(&str, &str, &str)] = &[
    ("username", "su-username", "用户名"),
    ("contact", "su-account-contact", "本人手机号或电子邮箱"),
    ("enterprise_name", "su-name", "单位名称"),
    ("credit_code", "su-code", "统一社会信用代码"),
    ("region", "su-region", "注册地"),
    ("contact_name", "su-contact", "联系人"),
    ("contact_phone", "su-phone", "联系电话"),
    ("document", "su-doc", "证明材料"),
    ("pledge", "su-pledge", "诚信承诺"),
];

fn signup_errors(v: Vec<zhichan_service::FieldViolation>) -> FormErrors {
    FormErrors::from_violations(v, &forms::table(SIGNUP_FIELDS))
}
use crate::api::verifications::{document_response, read_application};
use crate::auth::{MaybeSigned, RequestCtx, Signed};
use crate::error::{AppError, AppResult};
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;
use time::Duration;
use zhichan_service::ServiceError;
use zhichan_store::verifications::Verification;

/// What the integrity pledge says; shown in full before it is accepted.
pub const PLEDGE: &[&str] = &[
    "本单位承诺，所填报的单位名称、统一社会信用代码、联系人等信息及上传的证明材料真实、准确、完整，与原件一致。",
    "本单位承诺，在平台登记的产品、专利、销售等数据如实反映实际情况，不虚报、不瞒报、不冒用他人专利或资质。",
    "本单位知悉，提供虚假信息或材料的，将被撤销认证及相关备案、认定结果，并依法依规承担相应责任。",
    "本单位同意平台及各级知识产权管理部门为审核、统计和公共服务目的使用上述信息。",
];

#[derive(Default, Clone)]
struct SignUpValues {
    username: String,
    contact: String,
    enterprise_name: String,
    credit_code: String,
    contact_name: String,
    contact_phone: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage {
    chrome: Chrome,
    values: SignUpValues,
    errors: FormErrors,
    pledge: &'static [&'static str],
    /// After a sign-up: where the outcome went (masked).
    done: Option<String>,
    region: super::pickers::Picker,
}

/// The registered region's picker, showing `typed` with the message for it.
fn region_picker(typed: &str, error: Option<String>) -> super::pickers::Picker {
    super::pickers::Picker {
        value: typed.to_string(),
        ..super::pickers::Picker::region("su-region", "region", "注册地（可不填）").hint(
            "不填则按统一社会信用代码识别；代码中的注册地已撤销时，输入现在的地区名称或代码。",
        )
    }
    .error(error)
}

pub async fn signup_page(MaybeSigned(auth): MaybeSigned) -> Response {
    render(
        StatusCode::OK,
        &SignUpPage {
            chrome: Chrome::for_user("企业注册", "/signup", auth.as_ref()),
            values: SignUpValues::default(),
            errors: FormErrors::none(),
            pledge: PLEDGE,
            done: None,
            region: region_picker("", None),
        },
    )
}

pub async fn sign_up(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    form: Multipart,
) -> AppResult<Response> {
    let mut s = read_application(form).await?;
    // The region is picked: a name typed without JavaScript is resolved to its code.
    let region_error = match super::pickers::region(&state, &s.application.region, None).await? {
        Ok(Some(code)) => {
            s.application.region = code.to_string();
            None
        }
        Ok(None) => None,
        Err(m) => Some(m),
    };
    let get = |k: &str| s.text.get(k).cloned().unwrap_or_default();
    let values = SignUpValues {
        username: get("username"),
        contact: get("contact"),
        enterprise_name: get("enterprise_name"),
        credit_code: get("credit_code"),
        contact_name: get("contact_name"),
        contact_phone: get("contact_phone"),
    };
    let region = super::pickers::Picker {
        value: super::pickers::region_label(&state, &s.application.region).await?,
        ..region_picker("", region_error.clone())
    };
    if let Some(m) = region_error {
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SignUpPage {
                chrome: Chrome::new("企业注册", "/signup"),
                values,
                errors: {
                    let mut e = FormErrors::none();
                    e.add("region", m.clone(), &forms::table(SIGNUP_FIELDS));
                    e
                },
                pledge: PLEDGE,
                done: None,
                region: region.error(Some(m)),
            },
        ));
    }
    match state
        .services
        .sign_up(&ctx, &get("username"), &get("contact"), s.application)
        .await
    {
        Ok(sent_to) => Ok(render(
            StatusCode::OK,
            &SignUpPage {
                chrome: Chrome::new("企业注册", "/signup"),
                values,
                errors: FormErrors::none(),
                pledge: PLEDGE,
                done: Some(sent_to),
                region: region.clone(),
            },
        )),
        Err(ServiceError::Taken(t)) => Ok(render(
            StatusCode::CONFLICT,
            &SignUpPage {
                chrome: Chrome::new("企业注册", "/signup"),
                values,
                errors: signup_errors(vec![t]),
                pledge: PLEDGE,
                done: None,
                region: region.clone(),
            },
        )),
        Err(ServiceError::Invalid(v)) => {
            let errors = signup_errors(v);
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SignUpPage {
                    chrome: Chrome::new("企业注册", "/signup"),
                    values,
                    region: region.clone().error(errors.beside("region")),
                    errors,
                    pledge: PLEDGE,
                    done: None,
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

fn status_zh(s: &str) -> &'static str {
    match s {
        "approved" => "已通过",
        "returned" => "已退回",
        _ => "审核中",
    }
}

#[derive(Template)]
#[template(path = "verification.html")]
struct MinePage {
    chrome: Chrome,
    v: Option<Verification>,
    status: &'static str,
    submitted: String,
    csrf: String,
    errors: FormErrors,
    /// The resubmission form's values: what was typed, else the application's.
    values: SignUpValues,
    pledge: &'static [&'static str],
}

/// Where the resubmission form's fields are.
const RESUBMIT_FIELDS: &[(&str, &str, &str)] = &[
    ("enterprise_name", "rv-name", "单位名称"),
    ("credit_code", "rv-code", "统一社会信用代码"),
    ("contact_name", "rv-contact", "联系人"),
    ("contact_phone", "rv-phone", "联系电话"),
    ("document", "rv-doc", "证明材料"),
    ("pledge", "rv-pledge", "诚信承诺"),
];

async fn mine_page_for(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    errors: FormErrors,
    typed: Option<SignUpValues>,
) -> AppResult<Response> {
    let v = state.services.my_verification(&signed.auth.actor).await?;
    let values = typed.unwrap_or_else(|| {
        v.as_ref()
            .map(|v| SignUpValues {
                username: String::new(),
                contact: String::new(),
                enterprise_name: v.enterprise_name.clone(),
                credit_code: v.credit_code.clone(),
                contact_name: v.contact_name.clone(),
                contact_phone: v.contact_phone.clone(),
            })
            .unwrap_or_default()
    });
    Ok(render(
        status,
        &MinePage {
            chrome: Chrome::for_user("实名认证", "/verification", Some(&signed.auth)),
            status: v.as_ref().map_or("", |v| status_zh(&v.status)),
            submitted: v
                .as_ref()
                .map(|v| v.submitted_at.beijing_minutes())
                .unwrap_or_default(),
            v,
            csrf: csrf_of(signed),
            errors,
            values,
            pledge: PLEDGE,
        },
    ))
}

pub async fn mine(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    mine_page_for(&state, &signed, StatusCode::OK, FormErrors::none(), None).await
}

pub async fn resubmit(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    form: Multipart,
) -> AppResult<Response> {
    let s = read_application(form).await?;
    let get = |k: &str| s.text.get(k).cloned().unwrap_or_default();
    let typed = SignUpValues {
        username: String::new(),
        contact: String::new(),
        enterprise_name: get("enterprise_name"),
        credit_code: get("credit_code"),
        contact_name: get("contact_name"),
        contact_phone: get("contact_phone"),
    };
    let locate = forms::table(RESUBMIT_FIELDS);
    match state
        .services
        .resubmit_verification(&ctx, &signed.auth.actor, s.application)
        .await
    {
        Ok(_) => Ok(Redirect::to("/verification").into_response()),
        Err(ServiceError::Invalid(v)) => {
            let errors = FormErrors::from_violations(v, &locate);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            mine_page_for(&state, &signed, status, errors, Some(typed)).await
        }
        Err(ServiceError::Taken(t)) => {
            let errors = FormErrors::from_violations(vec![t], &locate);
            mine_page_for(&state, &signed, StatusCode::CONFLICT, errors, Some(typed)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn my_document(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    let v = state
        .services
        .my_verification(&signed.auth.actor)
        .await?
        .ok_or(AppError::NotFound)?;
    document_response(&state, &signed, v.id).await
}

struct QueueRow {
    /// Its credit code already has an enterprise.
    taken: bool,
    /// The registered region by its full name (empty when not given).
    region: String,
    status: &'static str,
    v: Verification,
    submitted: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "review_queue.html")]
struct QueuePage {
    chrome: Chrome,
    rows: Vec<QueueRow>,
    total: i64,
    status: String,
    tabs: [(&'static str, &'static str); 3],
    listing: super::listing::Listing,
}

/// Verification is promised within two working days; until the working-day calendar lands,
/// two calendar days mark an application overdue.
const REVIEW_DAYS: i64 = 2;

pub async fn queue(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let spec = crate::api::sorting::VerificationSort::SPEC;
    let (listing, paging) =
        super::listing::Listing::read("/reviews/verifications", &q, &spec, spec.default_order())?;
    let status = q.get("status").cloned().unwrap_or_else(|| "pending".into());
    let (rows, total) = state
        .services
        .verification_queue_sorted(
            &signed.auth.actor,
            &status,
            listing.chosen(),
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let now = state.services.now();
    let mut list = Vec::with_capacity(rows.len());
    let mut names = super::names::Names::new(&state);
    for v in rows {
        list.push(QueueRow {
            region: match v.region {
                Some(r) => names.region(r).await?,
                None => String::new(),
            },
            status: status_zh(&v.status),
            submitted: v.submitted_at.beijing_minutes(),
            overdue: v.status == "pending"
                && now >= v.submitted_at.plus(Duration::days(REVIEW_DAYS)),
            taken: state.services.verification_conflict(&v).await?.is_some(),
            v,
        });
    }
    Ok(render(
        StatusCode::OK,
        &QueuePage {
            chrome: Chrome::for_user("实名认证审核", "/reviews/verifications", Some(&signed.auth)),
            rows: list,
            total,
            status,
            tabs: [
                ("pending", "待审核"),
                ("returned", "已退回"),
                ("approved", "已通过"),
            ],
            listing: listing.with_total(total),
        },
    ))
}

#[derive(Template)]
#[template(path = "review_detail.html")]
struct DetailPage {
    chrome: Chrome,
    v: Verification,
    /// The registered region by its full name (empty when not given).
    region: String,
    status: &'static str,
    submitted: String,
    reviewed: String,
    csrf: String,
    errors: FormErrors,
    /// The return reason as typed (kept when the return is refused).
    reason: String,
    templates: &'static [&'static str],
    /// The enterprise that already holds the credit code, as a warning.
    conflict: Option<String>,
}

/// Reasons reviewers give most often, offered as a starting point.
const RETURN_REASONS: &[&str] = &[
    "证明材料不清晰，请重新上传清晰的营业执照扫描件",
    "企业名称与营业执照不一致",
    "统一社会信用代码与证明材料不一致",
    "联系人或联系电话无法核实",
];

async fn detail_for(
    state: &AppState,
    signed: &Signed,
    id: i64,
    status: StatusCode,
    errors: FormErrors,
    reason: String,
) -> AppResult<Response> {
    let v = state.services.verification(&signed.auth.actor, id).await?;
    let conflict = state
        .services
        .verification_conflict(&v)
        .await?
        .map(|h| h.warning_zh());
    Ok(render(
        status,
        &DetailPage {
            chrome: Chrome::for_user("实名认证审核", "/reviews/verifications", Some(&signed.auth)),
            status: status_zh(&v.status),
            region: match v.region {
                Some(r) => super::names::Names::new(state).region(r).await?,
                None => String::new(),
            },
            submitted: v.submitted_at.beijing_minutes(),
            reviewed: v
                .reviewed_at
                .map(|t| t.beijing_minutes())
                .unwrap_or_default(),
            v,
            csrf: csrf_of(signed),
            errors,
            reason,
            templates: RETURN_REASONS,
            conflict,
        },
    ))
}

pub async fn detail(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let none = FormErrors::none();
    detail_for(&state, &signed, id, StatusCode::OK, none, String::new()).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    reason: String,
    /// Set by the button that approves a conflicting application as a further account.
    #[serde(default)]
    further_account: Option<String>,
}

pub async fn decide(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let approve = form.decision == "approve";
    match state
        .services
        .review_verification_with(
            &ctx,
            &signed.auth.actor,
            id,
            approve,
            Some(&form.reason),
            form.further_account.is_some(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/reviews/verifications").into_response()),
        Err(ServiceError::Taken(v)) => {
            let errors = FormErrors::general(v.violation.message_zh);
            detail_for(
                &state,
                &signed,
                id,
                StatusCode::CONFLICT,
                errors,
                form.reason,
            )
            .await
        }
        Err(ServiceError::Invalid(v)) => {
            let errors = FormErrors::from_violations(v, &forms::table(DECISION_FIELDS));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            detail_for(&state, &signed, id, status, errors, form.reason).await
        }
        Err(ServiceError::Conflict(m)) => {
            let errors = FormErrors::general(m);
            detail_for(
                &state,
                &signed,
                id,
                StatusCode::CONFLICT,
                errors,
                form.reason,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Where the review form's fields are.
const DECISION_FIELDS: &[(&str, &str, &str)] = &[("reason", "rd-reason", "退回理由")];

pub async fn document(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    document_response(&state, &signed, id).await
}
