//! The office's pages of entitlement payouts (奖补兑现): the applications of its region with
//! totals by rule and by region, filters, paging and the xlsx export; one application with the
//! form that records its payment; and the budget of each published rule (what is paid of the
//! ceiling) with the button that notifies the enterprises that qualify.

use super::forms::{self, FormErrors};
use super::{render, Chrome};
use crate::api::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::AppResult;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;
use zhichan_domain::access::{authorize, Action};
use zhichan_domain::payouts::BudgetMode;
use zhichan_service::payouts::{BudgetLine, Payouts, Total};
use zhichan_service::ServiceError;
use zhichan_store::payouts::Application;

fn may_manage(signed: &Signed) -> bool {
    authorize(&signed.auth.actor, Action::ManagePayouts).is_ok()
}

fn this_year(state: &AppState) -> i32 {
    state.services.today().year()
}

#[derive(Template)]
#[template(path = "payouts.html")]
struct ListPage {
    chrome: Chrome,
    p: Payouts,
    region_name: String,
    year: String,
    status: String,
    q: String,
    rule: String,
    years: Vec<i32>,
    page: u32,
    pages: u32,
    /// The query of this list without `page`, for the pager and the export.
    query: String,
    can_manage: bool,
}

impl ListPage {
    fn status_word(&self, a: &Application) -> &'static str {
        zhichan_service::payouts::status_label(a)
    }
    fn money(&self, t: &Total) -> [String; 3] {
        [t.ceiling.grouped(), t.payable.grouped(), t.paid.grouped()]
    }
}

pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut q = q;
    // The page opens on this year; "全部年度" is an explicit empty choice.
    if !q.contains_key("year") {
        q.insert("year".into(), this_year(&state).to_string());
    }
    let query = crate::api::payouts::payout_query(&q)?;
    let paging = Paging::from_query(&q)?;
    let p = state
        .services
        .payouts(
            &signed.auth.actor,
            &query,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let region_name = state
        .services
        .reference()
        .region_full_name(p.region)
        .await?;
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mut keep: Vec<(String, String)> = ["year", "status", "q", "rule", "region"]
        .iter()
        .filter(|k| !get(k).is_empty())
        .map(|k| (k.to_string(), get(k)))
        .collect();
    keep.push(("per_page".into(), paging.per_page.to_string()));
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(keep)
        .finish();
    let pages = ((p.total.max(1) as u32).div_ceil(paging.per_page)).max(1);
    let y = this_year(&state);
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::for_user("奖补兑现", "/payouts", Some(&signed.auth)),
            region_name,
            year: get("year"),
            status: get("status"),
            q: get("q"),
            rule: get("rule"),
            years: (y - 3..=y).rev().collect(),
            page: paging.page,
            pages,
            query,
            can_manage: may_manage(&signed),
            p,
        },
    ))
}

#[derive(Template)]
#[template(path = "payout.html")]
struct DetailPage {
    chrome: Chrome,
    a: Application,
    csrf: String,
    can_pay: bool,
    form_errors: FormErrors,
    amount: String,
    paid_on: String,
    reference: String,
}

impl DetailPage {
    fn status_word(&self) -> &'static str {
        zhichan_service::payouts::status_label(&self.a)
    }
}

#[derive(Deserialize, Default)]
pub struct PaymentForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    version: i64,
}

const PAYMENT_FIELDS: &[(&str, &str, &str)] = &[
    ("amount", "p-amount", "兑付金额（元）"),
    ("paid_on", "p-date", "兑付日期"),
    ("reference", "p-ref", "凭证号"),
];

async fn detail_page(
    state: &AppState,
    signed: &Signed,
    id: i64,
    status: StatusCode,
    form_errors: FormErrors,
    form: PaymentForm,
) -> AppResult<Response> {
    let a = state.services.payout(&signed.auth.actor, id).await?;
    let amount = if form.amount.is_empty() {
        a.payable.to_string()
    } else {
        form.amount
    };
    let paid_on = if form.paid_on.is_empty() {
        zhichan_domain::enterprises::format_date(state.services.today())
    } else {
        form.paid_on
    };
    Ok(render(
        status,
        &DetailPage {
            chrome: Chrome::for_user("兑现申请", "/payouts", Some(&signed.auth)),
            can_pay: may_manage(signed) && a.payment.is_none(),
            csrf: csrf_of(signed),
            a,
            form_errors,
            amount,
            paid_on,
            reference: form.reference,
        },
    ))
}

pub async fn detail(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    detail_page(
        &state,
        &signed,
        id,
        StatusCode::OK,
        FormErrors::none(),
        PaymentForm::default(),
    )
    .await
}

/// Records the payment; what is wrong is said beside each field, a second payment at the top.
pub async fn pay(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<PaymentForm>,
) -> AppResult<Response> {
    let done = state
        .services
        .record_award_payment(
            &signed.auth.actor,
            &ctx,
            id,
            form.version,
            &form.amount,
            &form.paid_on,
            &form.reference,
        )
        .await;
    let (status, errors) = match done {
        Ok(_) => return Ok(Redirect::to(&format!("/payouts/{id}")).into_response()),
        Err(ServiceError::Invalid(v)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::from_violations(v, &forms::table(PAYMENT_FIELDS)),
        ),
        Err(ServiceError::Conflict(m)) => (StatusCode::CONFLICT, FormErrors::general(m)),
        Err(e) => return Err(e.into()),
    };
    detail_page(&state, &signed, id, status, errors, form).await
}

#[derive(Template)]
#[template(path = "award_budgets.html")]
struct BudgetPage {
    chrome: Chrome,
    lines: Vec<BudgetLine>,
    year: i32,
    years: Vec<i32>,
    csrf: String,
    can_manage: bool,
    form_errors: FormErrors,
    /// The rule whose form the errors belong to.
    failed_rule: i64,
    /// What was typed in that rule's form (mode, share), shown again as typed.
    typed: (String, String),
    done: String,
}

impl BudgetPage {
    fn describe(&self, l: &BudgetLine) -> String {
        match &l.current {
            Some(_) => l.budget().describe(),
            None => "未设置（按上限全额兑现）".into(),
        }
    }
    fn is_share(&self, l: &BudgetLine) -> bool {
        if self.failed_rule == l.rule {
            return self.typed.0 == BudgetMode::Share.as_str();
        }
        l.budget().mode == BudgetMode::Share
    }
    fn percent(&self, l: &BudgetLine) -> String {
        if self.failed_rule == l.rule {
            return self.typed.1.clone();
        }
        match l.budget().mode {
            BudgetMode::Share => l.budget().share_percent.to_string(),
            BudgetMode::Full => String::new(),
        }
    }
    fn version(&self, l: &BudgetLine) -> i64 {
        l.current.as_ref().map_or(0, |b| b.version)
    }
}

async fn budget_page(
    state: &AppState,
    signed: &Signed,
    year: i32,
    status: StatusCode,
    form_errors: FormErrors,
    (failed_rule, typed): (i64, (String, String)),
    done: String,
) -> AppResult<Response> {
    let lines = state
        .services
        .award_budgets(&signed.auth.actor, year)
        .await?;
    let y = this_year(state);
    Ok(render(
        status,
        &BudgetPage {
            chrome: Chrome::for_user("奖补预算", "/payouts", Some(&signed.auth)),
            lines,
            year,
            years: (y - 3..=y + 1).rev().collect(),
            csrf: csrf_of(signed),
            can_manage: may_manage(signed),
            form_errors,
            failed_rule,
            typed,
            done,
        },
    ))
}

pub async fn budgets(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let year = q
        .get("year")
        .and_then(|y| y.trim().parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| this_year(&state));
    let done = q.get("done").cloned().unwrap_or_default();
    budget_page(
        &state,
        &signed,
        year,
        StatusCode::OK,
        FormErrors::none(),
        Default::default(),
        done,
    )
    .await
}

#[derive(Deserialize)]
pub struct BudgetForm {
    rule: i64,
    year: i32,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    share_percent: String,
    #[serde(default)]
    version: i64,
}

/// Saves a budget; errors beside the rule's own form.
pub async fn set_budget(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<BudgetForm>,
) -> AppResult<Response> {
    let (mode_id, id) = (
        format!("b-{}-mode", form.rule),
        format!("b-{}-percent", form.rule),
    );
    let fields = [
        ("mode", mode_id.as_str(), "兑现方式"),
        ("share_percent", id.as_str(), "比例（%）"),
    ];
    let locate = forms::table(&fields);
    let typed = (form.mode.clone(), form.share_percent.clone());
    let refuse = |errors: FormErrors, status: StatusCode| {
        let (state, signed, typed) = (&state, &signed, typed.clone());
        async move {
            budget_page(
                state,
                signed,
                form.year,
                status,
                errors,
                (form.rule, typed),
                String::new(),
            )
            .await
        }
    };
    let mode = match BudgetMode::parse(&form.mode) {
        Ok(m) => m,
        Err(v) => {
            let mut e = FormErrors::none();
            e.add("mode", v.message_zh, &locate);
            return refuse(e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let share = match form.share_percent.trim() {
        "" => None,
        p => match p.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => Some(0),
        },
    };
    match state
        .services
        .set_award_budget(
            &signed.auth.actor,
            &ctx,
            form.rule,
            form.year,
            mode,
            share,
            Some(form.version),
        )
        .await
    {
        Ok(l) => {
            let done: String = form_urlencoded::byte_serialize(
                format!("{}：{}", l.rule_name, l.budget().describe()).as_bytes(),
            )
            .collect();
            Ok(
                Redirect::to(&format!("/payouts/budgets?year={}&done={done}", form.year))
                    .into_response(),
            )
        }
        Err(ServiceError::Invalid(v)) => {
            refuse(
                FormErrors::from_violations(v, &locate),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            refuse(FormErrors::general(m), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct NotifyForm {
    rule: i64,
    year: i32,
}

/// Starts the round that tells the enterprises that qualify under a rule in the year (again:
/// only those not yet told for this rule version and year); the rule's page shows it run.
pub async fn notify(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<NotifyForm>,
) -> AppResult<Response> {
    state
        .services
        .notify_entitlements(&signed.auth.actor, &ctx, form.rule, form.year)
        .await?;
    Ok(Redirect::to(&format!("/award-rules/{}", form.rule)).into_response())
}
