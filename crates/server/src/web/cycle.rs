//! Pages around a registration's life: the enterprise's dashboard and notifications, the diff
//! between two versions, the certificate, the reviewer's annual update queue, and the rules
//! (calendar, deadlines, update window, reason templates) officials keep.

use super::forms::FormErrors;
use super::{render, Chrome};
use crate::api::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::{AppError, AppResult};
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::collections::HashMap;
use zhichan_domain::access::{authorize, Action, Scope};
use zhichan_domain::calendar::{CalendarDay, DayKind};
use zhichan_domain::enterprises::format_date;
use zhichan_domain::registration::ProductStatus;
use zhichan_domain::rules::RegistrationRules;
use zhichan_domain::RegionCode;
use zhichan_service::dashboard::EnterpriseDashboard;
use zhichan_service::notifications::Kind;
use zhichan_service::ServiceError;

// ---- the enterprise's dashboard -------------------------------------------------------------

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    d: EnterpriseDashboard,
    tiles: Vec<(&'static str, &'static str, i64)>,
    window: String,
    window_open: bool,
    csrf: String,
    /// The newest policies of the enterprise's region and the regions above it.
    policies: Vec<zhichan_api::policies::PolicyItem>,
}

fn kind_label(kind: &str) -> &'static str {
    Kind::label_zh(kind)
}

/// The enterprise's home page; `None` when the caller has no dashboard (not an enterprise
/// account, or its profile is not filled yet).
pub async fn dashboard(
    state: &AppState,
    auth: &zhichan_service::accounts::Authenticated,
) -> AppResult<Option<Response>> {
    if auth.restriction.is_some() || !auth.actor.verified {
        return Ok(None);
    }
    let d = match state.services.enterprise_dashboard(&auth.actor).await {
        Ok(d) => d,
        Err(ServiceError::NotFound | ServiceError::Forbidden) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let count = |s: ProductStatus| {
        d.by_status
            .iter()
            .find(|(x, _)| *x == s)
            .map_or(0, |(_, n)| *n)
    };
    let tiles = ProductStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.label_zh(), count(*s)))
        .collect();
    let (window, window_open) = match (d.cycle.open, d.cycle.next) {
        (Some(w), _) => (
            format!(
                "{} 年度信息更新正在进行，{} 截止（已完成 {}/{}）",
                w.year,
                format_date(w.closes),
                d.update_done,
                d.update_due
            ),
            true,
        ),
        (None, Some(w)) => (
            format!(
                "下次信息更新：{} 至 {}，填报 {} 年度数据",
                format_date(w.opens),
                format_date(w.closes),
                w.year
            ),
            false,
        ),
        _ => (String::new(), false),
    };
    let policies = state
        .services
        .policies_applying_in(d.enterprise.region, 8)
        .await?
        .iter()
        .map(|p| crate::api::policies::item(p, &[]))
        .collect();
    Ok(Some(render(
        StatusCode::OK,
        &DashboardPage {
            policies,
            chrome: Chrome::for_user("工作台", "/", Some(auth)),
            tiles,
            window,
            window_open,
            csrf: match &auth.via {
                zhichan_service::accounts::Via::Session { csrf, .. } => csrf.clone(),
                zhichan_service::accounts::Via::Token { .. } => String::new(),
            },
            d,
        },
    )))
}

// ---- notifications --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    rows: Vec<(
        zhichan_store::notifications::Notification,
        &'static str,
        String,
    )>,
    unread: i64,
    page: u32,
    pages: u32,
    csrf: String,
}

pub async fn notifications(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let paging = Paging::from_query(&q)?;
    let (rows, total, unread) = state
        .services
        .notifications(
            &signed.auth.actor,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    Ok(render(
        StatusCode::OK,
        &NotificationsPage {
            chrome: Chrome::for_user("通知", "/notifications", Some(&signed.auth)),
            rows: rows
                .into_iter()
                .map(|n| {
                    let label = kind_label(&n.kind);
                    let at = n.created_at.beijing_minutes();
                    (n, label, at)
                })
                .collect(),
            unread,
            page: paging.page,
            pages: ((total as u32).div_ceil(paging.per_page)).max(1),
            csrf: csrf_of(&signed),
        },
    ))
}

/// Marks a notification read and opens what it is about.
pub async fn open_notification(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let n = state
        .services
        .mark_notification_read(&signed.auth.actor, id)
        .await?;
    let link = Some(n.link)
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .unwrap_or_else(|| "/notifications".into());
    Ok(Redirect::to(&link).into_response())
}

// ---- diff between two versions -----------------------------------------------------------------

#[derive(Template)]
#[template(path = "product_diff.html")]
struct DiffPage {
    chrome: Chrome,
    id: i64,
    name: String,
    from: (i64, String, String, String),
    to: (i64, String, String, String),
    changes: Vec<super::names::ChangeRow>,
}

pub async fn diff(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let num = |k: &str| -> AppResult<i64> {
        q.get(k).and_then(|v| v.trim().parse().ok()).ok_or_else(|| {
            AppError::field(
                k,
                zhichan_domain::Violation::new("invalid_version", "请选择版本号", "a version"),
            )
        })
    };
    let (mut from, mut to) = (num("from")?, num("to")?);
    if from > to {
        std::mem::swap(&mut from, &mut to);
    }
    let actor = &signed.auth.actor;
    let product = state.services.product(actor, id).await?;
    let (a, b, changes) = state.services.product_diff(actor, id, from, to).await?;
    let changes = super::names::change_rows(&mut super::names::Names::new(&state), changes).await?;
    let head = |v: zhichan_store::products::Version| {
        let note = super::names::version_note(&v);
        (
            v.version,
            v.changed_at.beijing_minutes(),
            v.changed_by,
            note,
        )
    };
    Ok(render(
        StatusCode::OK,
        &DiffPage {
            chrome: Chrome::for_user("版本比较", "/products", Some(&signed.auth)),
            id,
            name: product.product.name,
            from: head(a),
            to: head(b),
            changes,
        },
    ))
}

// ---- the certificate ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    chrome: Chrome,
    id: i64,
    number: String,
    enterprise: String,
    credit_code: String,
    region: String,
    product: String,
    model: String,
    field: String,
    patents: Vec<(String, String, &'static str)>,
    registered_on: String,
    printed_on: String,
}

/// 备案证明: a page laid out for printing (or saving as PDF from the browser's print dialog).
pub async fn certificate(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let s = &state.services;
    let actor = &signed.auth.actor;
    let v = s.product(actor, id).await?;
    let p = &v.product;
    let (Some(number), Some(registered)) = (p.registration_number.clone(), p.registered_on) else {
        return Err(AppError::NotFound);
    };
    if p.withdrawn_on.is_some() {
        return Err(AppError::NotFound);
    }
    let e = s.enterprise(actor, &v.enterprise).await?;
    let region = s
        .reference()
        .region_path(e.region)
        .await?
        .into_iter()
        .filter(|r| r.code != RegionCode::NATION)
        .map(|r| crate::locale::reference_name(r.name))
        .collect::<Vec<_>>()
        .join("");
    let code = p.field.to_string();
    let field = match s
        .reference()
        .industry_names(&[code.as_str()])
        .await?
        .remove(&code)
    {
        Some(n) => crate::locale::with_code(crate::locale::reference_name(n), &code),
        None => code,
    };
    Ok(render(
        StatusCode::OK,
        &CertificatePage {
            chrome: Chrome::for_user("备案证明", "/products", Some(&signed.auth)),
            id,
            number,
            enterprise: e.name.clone(),
            credit_code: e.credit_code.clone(),
            region,
            product: p.name.clone(),
            model: p.model.clone(),
            field,
            patents: v
                .patents
                .iter()
                .map(|(pt, _)| {
                    (
                        pt.number.to_string(),
                        pt.title.clone(),
                        pt.number.patent_type().label_zh(),
                    )
                })
                .collect(),
            registered_on: format_date(registered),
            printed_on: format_date(s.now().beijing_date()),
        },
    ))
}

// ---- the annual update queue --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "update_queue.html")]
struct UpdateQueuePage {
    chrome: Chrome,
    rows: Vec<UpdateRow>,
    total: i64,
    page: u32,
    pages: u32,
}

struct UpdateRow {
    product_id: i64,
    product: String,
    /// The enterprise's name, and its credit code.
    enterprise: String,
    credit_code: String,
    year: i32,
    sales: String,
    output: String,
    submitted: String,
    due: String,
    overdue: bool,
}

pub async fn update_queue(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let paging = Paging::from_query(&q)?;
    let s = &state.services;
    let (rows, total) = s
        .update_queue(
            &signed.auth.actor,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let terms = s.review_terms().await?;
    let mut names = super::names::Names::new(&state);
    let mut firms = Vec::with_capacity(rows.len());
    for (_, p) in &rows {
        firms.push(
            names
                .enterprise(&signed.auth.actor, &p.enterprise_code)
                .await?,
        );
    }
    Ok(render(
        StatusCode::OK,
        &UpdateQueuePage {
            chrome: Chrome::for_user("信息更新审核", "/reviews/updates", Some(&signed.auth)),
            rows: rows
                .into_iter()
                .zip(firms)
                .map(|((u, p), enterprise)| {
                    let d = terms.deadline(u.submitted_at);
                    UpdateRow {
                        product_id: p.id,
                        product: p.name,
                        enterprise,
                        credit_code: p.enterprise_code,
                        year: u.year,
                        sales: u.sales_revenue.grouped(),
                        output: u.output_value.grouped(),
                        submitted: u.submitted_at.beijing_minutes(),
                        due: if d.overdue() {
                            format!("已超期 {} 个工作日", d.overdue_by)
                        } else {
                            format!("{} 前", format_date(d.due))
                        },
                        overdue: d.overdue(),
                    }
                })
                .collect(),
            total,
            page: paging.page,
            pages: ((total as u32).div_ceil(paging.per_page)).max(1),
        },
    ))
}

// ---- rules ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    chrome: Chrome,
    registration_version: i64,
    rules: RegistrationRules,
    calendar_version: i64,
    days: Vec<(CalendarDay, &'static str)>,
    next_year_missing: Option<i32>,
    can_manage: bool,
    history: Vec<(String, i64, String, String, String)>,
    csrf: String,
    /// The registration rules' form as typed (or as in force), and what is wrong with it.
    reg: RegistrationForm,
    reg_errors: FormErrors,
    /// The calendar's form as typed (or as in force), and what is wrong with it.
    cal: CalendarForm,
    cal_errors: FormErrors,
    saved: Option<String>,
}

/// What was typed into one of the rules page's forms, and what is wrong with it.
enum RulesTyped {
    None,
    Registration(RegistrationForm, FormErrors),
    Calendar(CalendarForm, FormErrors),
}

/// Where the registration rules' fields are.
const RULES_FIELDS: &[(&str, &str, &str)] = &[
    ("review_working_days", "r-days", "形式审查时限（工作日）"),
    ("review_source", "r-dsrc", "时限依据"),
    ("update_opens", "r-open", "信息更新开始（MM-DD）"),
    ("update_closes", "r-close", "信息更新截止（MM-DD）"),
    ("update_source", "r-usrc", "更新时间依据"),
    ("return_reasons", "r-reasons", "退回理由模板（每行一条）"),
    ("reason", "r-why", "修改原因和依据"),
];

/// Where the calendar's fields are: every day's problem is the day list's.
const CALENDAR_FIELDS: &[(&str, &str, &str)] = &[
    ("days", "c-days", "工作日历"),
    ("reason", "c-why", "修改原因和依据"),
];

/// The registration rules' errors: a template's problem (`return_reasons[2]`) is the list's.
fn rules_errors(v: Vec<zhichan_service::FieldViolation>) -> FormErrors {
    let mut e = FormErrors::none();
    let locate = super::forms::table(RULES_FIELDS);
    for f in v {
        // `return_reasons[2]`: the third template of the list.
        let row = f.field.strip_suffix(']').and_then(|s| s.split_once('['));
        match row.and_then(|(list, i)| Some((list, i.parse::<usize>().ok()?))) {
            Some((list, i)) => e.add(
                list.to_string(),
                format!("第 {} 条：{}", i + 1, f.violation.message_zh),
                &locate,
            ),
            None => e.add(f.field, f.violation.message_zh, &locate),
        }
    }
    e
}

async fn rules_page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    typed: RulesTyped,
    saved: Option<String>,
) -> AppResult<Response> {
    let s = &state.services;
    let actor = &signed.auth.actor;
    let reg = s.registration_rules().await?;
    let cal = s.calendar().await?;
    let next_year = s.now().beijing_date().year() + 1;
    let listed = cal.calendar.last_listed_year().unwrap_or(0);
    let can_manage = matches!(
        authorize(actor, Action::ManageRules),
        Ok(Scope::All) | Ok(Scope::Region(RegionCode::NATION))
    );
    let mut history = Vec::new();
    for (kind, label) in [("registration", "备案规则"), ("calendar", "工作日历")] {
        for v in s.rules_history(actor, kind).await? {
            history.push((
                label.to_string(),
                v.version,
                v.changed_at.beijing_minutes(),
                v.changed_by,
                v.reason,
            ));
        }
    }
    history.sort_by(|a, b| b.2.cmp(&a.2));
    let in_force_reg = RegistrationForm {
        version: reg.version,
        review_working_days: reg.rules.review_working_days.to_string(),
        review_source: reg.rules.review_source.clone(),
        update_opens: reg.rules.update_opens.clone(),
        update_closes: reg.rules.update_closes.clone(),
        update_source: reg.rules.update_source.clone(),
        return_reasons: reg.rules.return_reasons.join("\n"),
        reason: String::new(),
    };
    let in_force_cal = CalendarForm {
        version: cal.version,
        days: cal
            .days
            .iter()
            .map(|d| format!("{},{},{},{}", d.date, d.kind.as_str(), d.name, d.source))
            .collect::<Vec<_>>()
            .join("\n"),
        reason: String::new(),
    };
    let none = FormErrors::none;
    let (reg_form, reg_errors, cal_form, cal_errors) = match typed {
        RulesTyped::None => (in_force_reg, none(), in_force_cal, none()),
        RulesTyped::Registration(f, e) => (f, e, in_force_cal, none()),
        RulesTyped::Calendar(f, e) => (in_force_reg, none(), f, e),
    };
    Ok(render(
        status,
        &RulesPage {
            chrome: Chrome::for_user("业务规则", "/rules", Some(&signed.auth)),
            registration_version: reg.version,
            rules: {
                let mut r = reg.rules;
                r.review_source = super::names::shipped_words(&r.review_source);
                r.update_source = super::names::shipped_words(&r.update_source);
                for reason in &mut r.return_reasons {
                    *reason = super::names::shipped_words(reason);
                }
                r
            },
            calendar_version: cal.version,
            days: cal
                .days
                .iter()
                .cloned()
                .map(|mut d| {
                    let k = d.kind.label_zh();
                    d.name = super::names::shipped_words(&d.name);
                    d.source = super::names::shipped_words(&d.source);
                    (d, k)
                })
                .collect(),
            next_year_missing: (listed < next_year).then_some(next_year),
            can_manage,
            history,
            csrf: csrf_of(signed),
            reg: reg_form,
            reg_errors,
            cal: cal_form,
            cal_errors,
            saved,
        },
    ))
}

pub async fn rules(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    rules_page(&state, &signed, StatusCode::OK, RulesTyped::None, None).await
}

/// A refusal of a rules form: field by field, or (a stale version) for the whole form.
fn refusal(
    e: ServiceError,
    locate: fn(Vec<zhichan_service::FieldViolation>) -> FormErrors,
) -> AppResult<(StatusCode, FormErrors)> {
    match e {
        ServiceError::Invalid(v) => Ok((StatusCode::UNPROCESSABLE_ENTITY, locate(v))),
        ServiceError::Conflict(m) => Ok((StatusCode::CONFLICT, FormErrors::general(m))),
        other => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Clone, Default)]
pub struct RegistrationForm {
    version: i64,
    review_working_days: String,
    review_source: String,
    update_opens: String,
    update_closes: String,
    update_source: String,
    return_reasons: String,
    reason: String,
}

pub async fn save_registration_rules(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(f): Form<RegistrationForm>,
) -> AppResult<Response> {
    let typed = f.clone();
    let rules = RegistrationRules {
        review_working_days: f.review_working_days.trim().parse().unwrap_or(0),
        review_source: f.review_source.trim().into(),
        update_opens: f.update_opens.trim().into(),
        update_closes: f.update_closes.trim().into(),
        update_source: f.update_source.trim().into(),
        return_reasons: f
            .return_reasons
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    };
    match state
        .services
        .update_registration_rules(&signed.auth.actor, &ctx, f.version, rules, &f.reason)
        .await
    {
        Ok(v) => {
            rules_page(
                &state,
                &signed,
                StatusCode::OK,
                RulesTyped::None,
                Some(format!("备案规则已保存为第 {} 版", v.version)),
            )
            .await
        }
        Err(e) => {
            let (code, errors) = refusal(e, rules_errors)?;
            let typed = RulesTyped::Registration(typed, errors);
            rules_page(&state, &signed, code, typed, None).await
        }
    }
}

#[derive(serde::Deserialize, Clone, Default)]
pub struct CalendarForm {
    version: i64,
    days: String,
    reason: String,
}

pub async fn save_calendar(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(f): Form<CalendarForm>,
) -> AppResult<Response> {
    let mut days = Vec::new();
    // The line of the text area each day came from, to say where a problem is.
    let mut lines = Vec::new();
    let locate = super::forms::table(CALENDAR_FIELDS);
    let mut errors = FormErrors::none();
    for (i, line) in f.days.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.splitn(4, ',').map(str::trim).collect();
        match (cols.as_slice(), cols.get(1).map(|k| DayKind::parse(k))) {
            ([date, _, name, source], Some(Ok(kind))) => {
                days.push(CalendarDay {
                    date: date.to_string(),
                    kind,
                    name: name.to_string(),
                    source: source.to_string(),
                });
                lines.push(i + 1);
            }
            _ => errors.add(
                "days",
                format!("第 {} 行应为“日期,holiday 或 workday,节日名称,依据”", i + 1),
                &locate,
            ),
        }
    }
    if f.reason.trim().is_empty() {
        errors.add("reason", "请说明修改原因和依据", &locate);
    }
    if !errors.is_empty() {
        let typed = RulesTyped::Calendar(f, errors);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return rules_page(&state, &signed, status, typed, None).await;
    }
    match state
        .services
        .update_calendar(&signed.auth.actor, &ctx, f.version, days, &f.reason)
        .await
    {
        Ok(c) => {
            rules_page(
                &state,
                &signed,
                StatusCode::OK,
                RulesTyped::None,
                Some(format!("工作日历已保存为第 {} 版", c.version)),
            )
            .await
        }
        Err(e) => {
            let (code, errors) = match e {
                ServiceError::Invalid(v) => {
                    let mut errors = FormErrors::none();
                    for x in v {
                        // `days[3].date`: the day's line in the text area.
                        match super::forms::split_row(&x.field) {
                            Some(("days", i, _)) => errors.add(
                                "days",
                                format!(
                                    "第 {} 行：{}",
                                    lines.get(i).copied().unwrap_or(i + 1),
                                    x.violation.message_zh
                                ),
                                &locate,
                            ),
                            _ => errors.add(x.field, x.violation.message_zh, &locate),
                        }
                    }
                    (StatusCode::UNPROCESSABLE_ENTITY, errors)
                }
                ServiceError::Conflict(m) => (StatusCode::CONFLICT, FormErrors::general(m)),
                other => return Err(other.into()),
            };
            let typed = RulesTyped::Calendar(f, errors);
            rules_page(&state, &signed, code, typed, None).await
        }
    }
}

// ---- the public certificate check -----------------------------------------------------------

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    chrome: Chrome,
    number: String,
    found: Option<zhichan_service::products::Verified>,
    /// Too many lookups from this address this minute.
    limited: bool,
}

/// 备案证明查验: open to anyone, by registration number, a limited number of times a minute
/// from one address (then 429, with a page that says when to try again).
pub async fn verify(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    crate::auth::MaybeSigned(auth): crate::auth::MaybeSigned,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let number: String = q
        .get("number")
        .map(|n| n.trim().chars().take(30).collect())
        .unwrap_or_default();
    let actor = auth.as_ref().map(|a| &a.actor);
    let (found, limited) = if number.is_empty() {
        (None, false)
    } else {
        match state
            .services
            .lookup_registration(&ctx, actor, &number)
            .await
        {
            Ok(found) => (found, false),
            Err(ServiceError::TooManyRequests) => (None, true),
            Err(e) => return Err(e.into()),
        }
    };
    let status = if limited {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::OK
    };
    let mut res = render(
        status,
        &VerifyPage {
            chrome: Chrome::for_user("备案证明查验", "/verify", auth.as_ref()),
            number,
            found,
            limited,
        },
    );
    if limited {
        // The limit counts per minute of the platform's clock: try again when the next begins.
        let wait = 60 - state.services.now().unix_seconds().rem_euclid(60);
        res.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, wait.into());
    }
    Ok(res)
}
