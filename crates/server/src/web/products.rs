//! Product registration pages: the enterprise's products and form, the reviewer's queue and
//! decision, every version listed.

use super::forms::{self, FormErrors};
use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::AppResult;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::collections::HashMap;
use zhichan_domain::access::{grant, Action};
use zhichan_domain::enterprises::format_date;
use zhichan_domain::patents::{LegalStatus, PatentRight};
use zhichan_domain::registration::UpdateStatus;
use zhichan_domain::registration::{AmendmentStatus, ProductStatus};
use zhichan_service::annual::{UpdateInput, UpdateState};
use zhichan_service::patents::PatentInput;
use zhichan_service::products::{FiguresInput, LinkInput, ProductInput, ProductView};
use zhichan_service::ServiceError;

const FIGURE_ROWS: usize = 3;
const PATENT_ROWS: usize = 3;

struct Row {
    v: ProductView,
    /// The enterprise's name (its credit code shown beside it).
    enterprise: String,
    status: String,
    field: String,
    updated: String,
    /// In the review queue: 剩余/超期, and whether it is overdue.
    due: Option<(String, bool)>,
    update: String,
    flag: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "product_list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    total: i64,
    status: String,
    q: String,
    field: super::pickers::Picker,
    region: super::pickers::Picker,
    /// The query string of the filters, for tabs and pager links.
    keep: String,
    tabs: Vec<(&'static str, &'static str)>,
    listing: super::listing::Listing,
    can_register: bool,
    can_bulk: bool,
    /// The queue of submitted amendments (变更) is shown.
    amendment_queue: bool,
    can_review: bool,
    review_days: u32,
    csrf: String,
    notice: Option<String>,
}

fn due_text(d: zhichan_domain::calendar::Deadline) -> (String, bool) {
    if d.overdue() {
        (format!("已超期 {} 个工作日", d.overdue_by), true)
    } else if d.left == 0 {
        ("今日到期".to_string(), false)
    } else {
        (format!("剩余 {} 个工作日", d.left), false)
    }
}

/// Rows of a product table: field names, deadlines and update states fetched once per page.
async fn rows_of(
    state: &AppState,
    actor: &zhichan_domain::access::Actor,
    views: Vec<ProductView>,
) -> AppResult<Vec<Row>> {
    let cx = state.services.product_context(&views).await?;
    let mut firms = super::names::Names::new(state);
    let mut enterprise_names = Vec::with_capacity(views.len());
    for v in &views {
        enterprise_names.push(firms.enterprise(actor, &v.enterprise).await?);
    }
    let codes: Vec<String> = views.iter().map(|v| v.product.field.to_string()).collect();
    let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let names = state.services.reference().industry_names(&refs).await?;
    Ok(views
        .into_iter()
        .zip(enterprise_names)
        .map(|(v, enterprise)| {
            let code = v.product.field.to_string();
            let flag = if v.should_withdraw() {
                Some("专利已全部失效，应撤销")
            } else if v.has_lapsed_patent() && v.product.withdrawn_on.is_none() {
                Some("有专利失效")
            } else {
                None
            };
            Row {
                enterprise,
                status: match &v.product.amendment {
                    Some(a) => {
                        format!("{}（{}）", v.product.status.label_zh(), a.status.label_zh())
                    }
                    None => v.product.status.label_zh().to_string(),
                },
                field: match names.get(&code) {
                    Some(n) => format!("{code} {}", crate::locale::reference_name(n.clone())),
                    None => code,
                },
                updated: v.product.updated_at.beijing_minutes(),
                due: cx.deadline(&v).map(due_text),
                update: cx.update_state(&v).label_zh(),
                flag,
                v,
            }
        })
        .collect())
}

fn query_keep(q: &HashMap<String, String>) -> String {
    let mut parts = Vec::new();
    for k in ["q", "field", "region", "wait"] {
        if let Some(v) = q.get(k).filter(|v| !v.trim().is_empty()) {
            parts.push(format!("{k}={}", urlencode(v.trim())));
        }
    }
    parts.join("&")
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

async fn list_page(
    state: &AppState,
    signed: &Signed,
    q: &HashMap<String, String>,
    code: StatusCode,
    notice: Option<String>,
) -> AppResult<Response> {
    // The filters' pickers: a name typed without JavaScript is resolved to its code here.
    let root = signed.auth.actor.region;
    let mut q = q.clone();
    let raw = |k: &str| q.get(k).cloned().unwrap_or_default();
    let (raw_region, raw_field) = (raw("region"), raw("field"));
    let region_error = match super::pickers::region(state, &raw_region, root).await? {
        Ok(code) => {
            q.insert(
                "region".into(),
                code.map(|c| c.to_string()).unwrap_or_default(),
            );
            None
        }
        Err(m) => {
            q.remove("region");
            Some(m)
        }
    };
    let field_error = match super::pickers::industry(state, &raw_field).await? {
        Ok(code) => {
            q.insert(
                "field".into(),
                code.map(|c| c.as_str().to_string()).unwrap_or_default(),
            );
            None
        }
        Err(m) => {
            q.remove("field");
            Some(m)
        }
    };
    let region_picker = super::pickers::Picker::region("f-region", "region", "地区")
        .hint("名称或代码")
        .within(state, root)
        .await?
        .value(state, &q.get("region").cloned().unwrap_or(raw_region))
        .await?
        .error(region_error);
    let field_picker = super::pickers::Picker::industry("f-field", "field", "所属领域")
        .hint("行业名称或代码")
        .value(state, &q.get("field").cloned().unwrap_or(raw_field))
        .await?
        .error(field_error);
    let q = &q;
    let mut filter = crate::api::products::filter_of(q)?;
    let spec = crate::api::sorting::ProductSort::SPEC;
    let own = if filter.queue_order {
        zhichan_store::sorting::Order::new("submitted", false)
    } else {
        spec.default_order()
    };
    let (listing, paging) = super::listing::Listing::read("/products", q, &spec, own)?;
    filter.order = listing.chosen();
    // The workbench's filtered queues: overdue, and returned then submitted again.
    match q.get("wait").map(|w| w.trim()) {
        Some("overdue") => filter.submitted_before = Some(state.services.overdue_before().await?),
        Some("resubmitted") => filter.resubmitted = true,
        _ => {}
    }
    let (rows, total) = state
        .services
        .products(
            &signed.auth.actor,
            &filter,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let mut tabs = vec![("", "全部")];
    tabs.extend(
        ProductStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_zh())),
    );
    let status_text = filter.status.map(|s| s.as_str()).unwrap_or("").to_string();
    let reviews = grant(signed.auth.actor.role, Action::ReviewRegistrations).is_some();
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    Ok(render(
        code,
        &ListPage {
            chrome: Chrome::for_user("产品备案", "/products", Some(&signed.auth)),
            rows: rows_of(state, &signed.auth.actor, rows).await?,
            total,
            can_bulk: reviews && filter.status == Some(ProductStatus::Submitted),
            amendment_queue: filter.amendment == Some(AmendmentStatus::Submitted),
            can_review: reviews,
            status: status_text,
            q: get("q"),
            field: field_picker,
            region: region_picker,
            keep: query_keep(q),
            tabs,
            listing: listing.with_total(total),
            can_register: grant(signed.auth.actor.role, Action::RegisterProducts).is_some(),
            review_days: state
                .services
                .registration_rules()
                .await?
                .rules
                .review_working_days,
            csrf: csrf_of(signed),
            notice,
        },
    ))
}

pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    list_page(&state, &signed, &q, StatusCode::OK, None).await
}

/// Approves the ticked items of the review queue (批量通过); each is decided on its own.
pub async fn bulk_review(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let items: Vec<(i64, i64)> = form
        .iter()
        .filter(|(k, _)| k == "item")
        .filter_map(|(_, v)| {
            let (id, version) = v.split_once(':')?;
            Some((id.parse().ok()?, version.parse().ok()?))
        })
        .collect();
    let mut q = HashMap::new();
    q.insert("status".to_string(), "submitted".to_string());
    if items.is_empty() {
        return list_page(
            &state,
            &signed,
            &q,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("请先勾选要通过的产品".into()),
        )
        .await;
    }
    let results = match state
        .services
        .review_products(&signed.auth.actor, &ctx, &items, true, None)
        .await
    {
        Ok(r) => r,
        Err(ServiceError::Invalid(v)) => {
            let msg = v
                .into_iter()
                .map(|f| f.violation.message_zh)
                .collect::<Vec<_>>();
            return list_page(
                &state,
                &signed,
                &q,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg.join("；")),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    let ok = results.iter().filter(|(_, r)| r.is_ok()).count();
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(id, r)| {
            r.as_ref().err().map(|e| {
                let why = match e {
                    ServiceError::Conflict(m) => m.clone(),
                    ServiceError::Invalid(v) => v
                        .iter()
                        .map(|f| f.violation.message_zh.clone())
                        .collect::<Vec<_>>()
                        .join("；"),
                    ServiceError::NotFound => "不存在或不在本辖区".into(),
                    _ => "处理出错".into(),
                };
                format!("#{id}：{why}")
            })
        })
        .collect();
    let mut notice = format!("已通过 {ok} 项。");
    if !failed.is_empty() {
        notice.push_str(&format!(
            "未能通过 {} 项：{}",
            failed.len(),
            failed.join("；")
        ));
    }
    list_page(&state, &signed, &q, StatusCode::OK, Some(notice)).await
}

struct PatentRow {
    number: String,
    title: String,
    status: &'static str,
    in_force: bool,
    right: &'static str,
    core: bool,
    embodiment: String,
}

#[derive(Template)]
#[template(path = "product_view.html")]
struct ViewPage {
    chrome: Chrome,
    v: ProductView,
    /// The enterprise's name.
    enterprise: String,
    status: &'static str,
    field: String,
    patents: Vec<PatentRow>,
    history: Vec<(i64, &'static str, String, String, String)>,
    csrf: String,
    can_edit: bool,
    can_submit: bool,
    can_review: bool,
    can_withdraw: bool,
    /// A reviewer of the region may revoke the registration (撤销备案).
    can_revoke: bool,
    /// The amendment (变更) in progress: its state and what it changes.
    amendment: Option<AmendmentView>,
    can_discard: bool,
    /// Registered and in force: the certificate can be printed.
    certified: bool,
    /// Its identification number, when identified as a patent-intensive product.
    identified: Option<String>,
    due: Option<(String, bool, String)>,
    update_label: String,
    /// The window is open and this enterprise has this product's update to file.
    update_form: Option<UpdateForm>,
    updates: Vec<UpdateRow>,
    /// An update waiting for this reviewer: (id, version, year).
    update_to_review: Option<(i64, i64, i32)>,
    reasons: Vec<String>,
    error: Option<String>,
    /// The annual update as typed and what is wrong with it, after a refusal.
    update_errors: FormErrors,
    update_typed: UpdateTyped,
    /// A form with a reason (退回, 退回更新, 撤销, 撤销备案) as left and what is wrong with
    /// it, after a refusal.
    returned: ReturnTyped,
    /// Why the submission (提交审核) was refused, each problem by the part of the product it
    /// is about (the patents, the figures), to be fixed on the edit page.
    submit_errors: FormErrors,
}

impl ViewPage {
    /// The reason form of `op` as it was left (empty unless that form was just refused).
    fn reason_of(&self, op: &str) -> ReturnTyped {
        if self.returned.op == op {
            self.returned.clone()
        } else {
            ReturnTyped::default()
        }
    }
}

/// A reason form as the person left it: which form (`op`), the template picked and the words
/// typed.
#[derive(Clone, Default)]
struct ReturnTyped {
    op: String,
    errors: FormErrors,
    template: String,
    reason: String,
}

/// Where a reason form's box sits on the product page, and its label.
fn reason_field(op: &str) -> impl Fn(&str) -> Option<(String, String)> + '_ {
    move |field: &str| {
        let (id, label) = match op {
            "update_return" => ("ur-reason", "退回更新的理由"),
            "withdraw" => ("pw-reason", "撤销原因"),
            "revoke" => ("rv-reason", "撤销理由"),
            _ => ("pr-reason", "退回理由"),
        };
        (field == "reason").then(|| (id.to_string(), label.to_string()))
    }
}

/// What a refused submission is about, in the words of the product form (no anchor on the
/// product page: the link beside the summary opens the edit page).
fn submit_field(field: &str) -> Option<(String, String)> {
    let label = match forms::split_row(field) {
        Some(("patents", i, _)) => format!("关联专利第 {} 项", i + 1),
        Some(("figures", i, _)) => format!("年度数据第 {} 行", i + 1),
        _ => match field.split(['.', '[']).next().unwrap_or("") {
            "patents" => "关联专利".to_string(),
            "figures" => "年度数据".to_string(),
            "field" => "所属领域".to_string(),
            "status" => "备案状态".to_string(),
            _ => return None,
        },
    };
    Some((String::new(), label))
}

/// The annual update form's amounts as typed (the page shows them again after a refusal).
#[derive(Clone)]
struct UpdateTyped {
    sales: String,
    output: String,
    export: String,
    profit: String,
    ip: String,
}

impl Default for UpdateTyped {
    fn default() -> Self {
        UpdateTyped {
            sales: String::new(),
            output: String::new(),
            export: "0".into(),
            profit: "0".into(),
            ip: "0".into(),
        }
    }
}

/// Where a field of the annual update form is.
fn update_field(field: &str) -> Option<(String, String)> {
    forms::table(&[
        ("sales_revenue", "au-sales", "销售收入"),
        ("output_value", "au-output", "产值"),
        ("export_value", "au-export", "出口额"),
        ("profit", "au-profit", "利润"),
        ("ip_investment", "au-ip", "知识产权投入"),
    ])(field)
}

struct AmendmentView {
    status: &'static str,
    return_reason: Option<String>,
    changes: Vec<super::names::ChangeRow>,
}

struct UpdateForm {
    year: i32,
    closes: String,
}

struct UpdateRow {
    year: i32,
    sales: String,
    output: String,
    export: String,
    profit: String,
    ip: String,
    status: &'static str,
    reason: String,
}

async fn view_page(
    state: &AppState,
    signed: &Signed,
    id: i64,
    status: StatusCode,
    error: Option<String>,
) -> AppResult<Response> {
    view_page_with(
        state,
        signed,
        id,
        status,
        error,
        (FormErrors::none(), UpdateTyped::default()),
        ReturnTyped::default(),
        FormErrors::none(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn view_page_with(
    state: &AppState,
    signed: &Signed,
    id: i64,
    status: StatusCode,
    error: Option<String>,
    (update_errors, update_typed): (FormErrors, UpdateTyped),
    returned: ReturnTyped,
    submit_errors: FormErrors,
) -> AppResult<Response> {
    let actor = &signed.auth.actor;
    let services = &state.services;
    let (v, cx) = state.services.product_in_context(actor, id).await?;
    let history = services
        .product_history(actor, id)
        .await?
        .into_iter()
        .map(|h| {
            let label = ProductStatus::parse(&h.status).map_or("", |s| s.label_zh());
            let note = super::names::version_note(&h);
            (
                h.version,
                label,
                h.changed_at.beijing_minutes(),
                h.changed_by,
                note,
            )
        })
        .collect();
    // 已认定: the badge, with the identification certificate, for whoever reads identification.
    let identified = if zhichan_domain::access::grant(
        actor.role,
        zhichan_domain::access::Action::ReadIdentification,
    )
    .is_some()
    {
        services
            .product_identified(actor, id)
            .await
            .ok()
            .flatten()
            .and_then(|f| f.candidate.identification_number)
    } else {
        None
    };
    let s = v.product.status;
    let amendment_status = v.product.amendment.as_ref().map(|a| a.status);
    let registers = grant(actor.role, Action::RegisterProducts).is_some();
    let reviews = grant(actor.role, Action::ReviewRegistrations).is_some();
    let update = cx.update_state(&v);
    let updates = services.annual_updates(actor, id).await?;
    let update_form = match (update, cx.cycle().open) {
        (UpdateState::Due { .. } | UpdateState::Filed(UpdateStatus::Returned), Some(w))
            if registers =>
        {
            Some(UpdateForm {
                year: w.year,
                closes: format_date(w.closes),
            })
        }
        _ => None,
    };
    let update_to_review = updates
        .iter()
        .find(|u| u.status == UpdateStatus::Submitted)
        .filter(|_| reviews)
        .map(|u| (u.id, u.version, u.year));
    let code = v.product.field.to_string();
    let field = match services
        .reference()
        .industry_names(&[code.as_str()])
        .await?
        .remove(&code)
    {
        Some(n) => format!("{code} {}", crate::locale::reference_name(n)),
        None => code,
    };
    let due = cx.deadline(&v).map(|d| {
        let (t, over) = due_text(d);
        (t, over, format_date(d.due))
    });
    let enterprise = super::names::Names::new(state)
        .enterprise(actor, &v.enterprise)
        .await?;
    let amendment_changes = super::names::change_rows(
        &mut super::names::Names::new(state),
        services.amendment_diff(&v),
    )
    .await?;
    Ok(render(
        status,
        &ViewPage {
            chrome: Chrome::for_user("产品备案", "/products", Some(&signed.auth)),
            enterprise,
            status: s.label_zh(),
            field,
            patents: v
                .patents
                .iter()
                .map(|(p, l)| PatentRow {
                    number: p.number.to_string(),
                    title: p.title.clone(),
                    status: p.legal_status.label_zh(),
                    in_force: p.legal_status.in_force(),
                    right: p.right.label_zh(),
                    core: l.core,
                    embodiment: l.embodiment.clone(),
                })
                .collect(),
            history,
            csrf: csrf_of(signed),
            can_edit: registers
                && (matches!(s, ProductStatus::Draft | ProductStatus::Returned)
                    || (s == ProductStatus::Approved
                        && amendment_status != Some(AmendmentStatus::Submitted))),
            can_submit: registers
                && (matches!(s, ProductStatus::Draft | ProductStatus::Returned)
                    || matches!(
                        amendment_status,
                        Some(AmendmentStatus::Draft | AmendmentStatus::Returned)
                    )),
            can_review: reviews
                && (s == ProductStatus::Submitted
                    || amendment_status == Some(AmendmentStatus::Submitted)),
            can_withdraw: registers && s == ProductStatus::Approved,
            can_revoke: reviews && s == ProductStatus::Approved,
            can_discard: registers && amendment_status.is_some(),
            amendment: v.product.amendment.as_ref().map(|a| AmendmentView {
                status: a.status.label_zh(),
                return_reason: a
                    .return_reason
                    .clone()
                    .filter(|_| a.status == AmendmentStatus::Returned),
                changes: amendment_changes,
            }),
            identified,
            certified: v.product.registration_number.is_some()
                && v.product.registered_on.is_some()
                && v.product.withdrawn_on.is_none(),
            due,
            update_label: update.label_zh(),
            update_form,
            updates: updates
                .iter()
                .map(|u| UpdateRow {
                    year: u.year,
                    sales: u.sales_revenue.grouped(),
                    output: u.output_value.grouped(),
                    export: u.export_value.grouped(),
                    profit: u.profit.grouped(),
                    ip: u.ip_investment.grouped(),
                    status: u.status.label_zh(),
                    reason: u.return_reason.clone().unwrap_or_default(),
                })
                .collect(),
            update_to_review,
            reasons: services
                .registration_rules()
                .await?
                .rules
                .return_reasons
                .iter()
                .map(|r| super::names::shipped_words(r))
                .collect(),
            error,
            update_errors,
            update_typed,
            returned,
            submit_errors,
            v,
        },
    ))
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    view_page(&state, &signed, id, StatusCode::OK, None).await
}

#[derive(serde::Deserialize)]
pub struct StepForm {
    op: String,
    version: i64,
    #[serde(default)]
    reason: String,
    /// A reason template picked from the rules' list.
    #[serde(default)]
    template: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    sales: String,
    #[serde(default)]
    output: String,
    #[serde(default)]
    export: String,
    #[serde(default)]
    profit: String,
    #[serde(default)]
    ip: String,
    #[serde(default)]
    update: Option<i64>,
}

impl StepForm {
    /// The reason as the reviewer composed it: a template, their own words, or both.
    /// A template the text box already holds (the page fills it in) is not added again.
    fn composed_reason(&self) -> String {
        match (self.template.trim(), self.reason.trim()) {
            ("", r) => r.to_string(),
            (t, "") => t.to_string(),
            (t, r) if r.contains(t) => r.to_string(),
            (t, r) => format!("{t}；{r}"),
        }
    }
}

/// Submit, approve or return, from the product page.
pub async fn step(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let s = &state.services;
    let actor = &signed.auth.actor;
    let result = match f.op.as_str() {
        "submit" => s
            .submit_product(actor, &ctx, id, f.version)
            .await
            .map(|_| ()),
        "approve" => s
            .review_product(actor, &ctx, id, f.version, true, None)
            .await
            .map(|_| ()),
        "return" => s
            .review_product(
                actor,
                &ctx,
                id,
                f.version,
                false,
                Some(&f.composed_reason()),
            )
            .await
            .map(|_| ()),
        "annual_update" => s
            .file_annual_update(
                actor,
                &ctx,
                id,
                UpdateInput {
                    year: f.year.trim().parse().unwrap_or(-1),
                    sales_revenue: f.sales.clone(),
                    output_value: f.output.clone(),
                    export_value: Some(f.export.clone()),
                    profit: Some(f.profit.clone()),
                    ip_investment: Some(f.ip.clone()),
                    still_sold: true,
                },
            )
            .await
            .map(|_| ()),
        "update_approve" | "update_return" => {
            let approve = f.op == "update_approve";
            let reason = f.composed_reason();
            s.review_annual_update(
                actor,
                &ctx,
                f.update.unwrap_or(0),
                f.version,
                approve,
                (!approve).then_some(reason.as_str()),
            )
            .await
            .map(|_| ())
        }
        "withdraw" => s
            .withdraw_product(actor, &ctx, id, f.version, &f.reason)
            .await
            .map(|_| ()),
        "revoke" => s
            .revoke_product(actor, &ctx, id, f.version, &f.reason)
            .await
            .map(|_| ()),
        "discard" => s
            .discard_amendment(actor, &ctx, id, f.version)
            .await
            .map(|_| ()),
        _ => return Ok(StatusCode::BAD_REQUEST.into_response()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/products/{id}")).into_response()),
        Err(ServiceError::Invalid(v)) if f.op == "annual_update" => {
            // The amounts come back as typed, each message beside its field.
            let typed = UpdateTyped {
                sales: f.sales.clone(),
                output: f.output.clone(),
                export: f.export.clone(),
                profit: f.profit.clone(),
                ip: f.ip.clone(),
            };
            // What is not about an amount (the window, the year) is said at the top of the page.
            let (amounts, other): (Vec<_>, Vec<_>) = v
                .into_iter()
                .partition(|f| update_field(&f.field).is_some());
            let other = super::violations_text(other);
            view_page_with(
                &state,
                &signed,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(other).filter(|m| !m.is_empty()),
                (FormErrors::from_violations(amounts, &update_field), typed),
                ReturnTyped::default(),
                FormErrors::none(),
            )
            .await
        }
        Err(ServiceError::Invalid(v))
            if matches!(
                f.op.as_str(),
                "return" | "update_return" | "withdraw" | "revoke"
            ) && v.iter().all(|x| x.field == "reason") =>
        {
            // The reason's message beside its box; the template and the words come back as left.
            view_page_with(
                &state,
                &signed,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                (FormErrors::none(), UpdateTyped::default()),
                ReturnTyped {
                    errors: FormErrors::from_violations(v, &reason_field(&f.op)),
                    op: f.op.clone(),
                    template: f.template.clone(),
                    reason: f.reason.clone(),
                },
                FormErrors::none(),
            )
            .await
        }
        Err(ServiceError::Invalid(v)) if f.op == "submit" => {
            // Each problem named by the part of the product it is about, listed above the
            // button with the way to the edit page.
            view_page_with(
                &state,
                &signed,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                (FormErrors::none(), UpdateTyped::default()),
                ReturnTyped::default(),
                FormErrors::from_violations(v, &submit_field),
            )
            .await
        }
        Err(ServiceError::Invalid(v)) => {
            let msg = super::violations_text(v);
            view_page(
                &state,
                &signed,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            view_page(&state, &signed, id, StatusCode::CONFLICT, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Clone, Default)]
struct FigRow {
    year: String,
    sales: String,
    output: String,
    export: String,
    profit: String,
    ip: String,
}

impl FigRow {
    /// A cell by its form name (`year`, `sales`, …), as typed.
    fn get(&self, name: &str) -> &str {
        match name {
            "year" => &self.year,
            "sales" => &self.sales,
            "output" => &self.output,
            "export" => &self.export,
            "profit" => &self.profit,
            "ip" => &self.ip,
            _ => "",
        }
    }
}

#[derive(Clone, Default)]
struct PatRow {
    number: String,
    title: String,
    patentees: String,
    grant_date: String,
    status: String,
    right: String,
    licence: String,
    core: bool,
    embodiment: String,
}

impl PatRow {
    fn get(&self, name: &str) -> &str {
        match name {
            "number" => &self.number,
            "title" => &self.title,
            "patentees" => &self.patentees,
            "grant" => &self.grant_date,
            "licence" => &self.licence,
            "embodiment" => &self.embodiment,
            _ => "",
        }
    }
}

/// A column of a figures row: (field key, id suffix, label, form name).
type Col = (&'static str, &'static str, &'static str, &'static str);

const FIG_COLS: [Col; 6] = [
    ("year", "y", "年度", "year"),
    ("sales_revenue", "s", "销售收入", "sales"),
    ("output_value", "o", "产值", "output"),
    ("export_value", "x", "出口额", "export"),
    ("profit", "p", "利润", "profit"),
    ("ip_investment", "i", "知识产权投入", "ip"),
];

const PAT_COLS: [Col; 8] = [
    ("number", "n", "申请号", "number"),
    ("title", "t", "专利名称", "title"),
    ("patentees", "p", "专利权人（多个用顿号分隔）", "patentees"),
    ("grant_date", "g", "授权日", "grant"),
    ("legal_status", "s", "法律状态", "status"),
    ("right", "r", "本企业权利", "right"),
    (
        "licence_record",
        "l",
        "许可备案号（独占、排他或普通许可时必填）",
        "licence",
    ),
    ("embodiment", "e", "在产品中的实施方式", "embodiment"),
];

/// Where a field of the product form is: its input's id and its label.
fn locate(field: &str) -> Option<(String, String)> {
    if let Some((list, n, key)) = forms::split_row(field) {
        let (cols, prefix, what) = match list {
            "figures" => (&FIG_COLS[..], "f", "年度数据"),
            "patents" => (&PAT_COLS[..], "p", "专利"),
            _ => return None,
        };
        let c = cols.iter().find(|c| c.0 == key)?;
        let label = c.2.split('（').next().unwrap_or(c.2);
        return Some((
            format!("{prefix}{n}{}", c.1),
            format!("{what}第 {} 行 · {label}", n + 1),
        ));
    }
    let (id, label) = match field {
        "name" => ("pf-name", "产品名称"),
        "model" => ("pf-model", "型号规格"),
        "field" => ("pf-field", "所属领域"),
        "first_sold_on" => ("pf-sold", "首次销售日期"),
        "description" => ("pf-desc", "产品说明"),
        "patents" => ("p0n", "关联专利"),
        "figures" => ("f0y", "年度数据"),
        _ => return None,
    };
    Some((id.to_string(), label.to_string()))
}

#[derive(Template)]
#[template(path = "product_form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    csrf: String,
    version: i64,
    enterprise: String,
    name: String,
    model: String,
    field: super::pickers::Picker,
    description: String,
    first_sold_on: String,
    figures: Vec<FigRow>,
    patents: Vec<PatRow>,
    fig_cols: [Col; 6],
    pat_cols: [Col; 8],
    statuses: Vec<(&'static str, &'static str)>,
    rights: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    /// Why the registration (or its change) was returned: what this edit is to fix.
    returned: Option<String>,
}

impl FormPage {
    /// A box of the figures table by its row and column, for screen readers: 第 2 行销售收入.
    fn row_label(&self, n: &&usize, column: &str) -> String {
        crate::locale::t(&format!("第 {} 行{column}", **n + 1))
    }
}

/// The product form as typed: what goes to the service, and every row as the page shows it
/// (raw strings, a bad year "20x5" included), with the page row of each item sent.
#[derive(Clone, Default)]
struct Typed {
    input: ProductInput,
    figures: Vec<FigRow>,
    patents: Vec<PatRow>,
    figure_rows: Vec<usize>,
    patent_rows: Vec<usize>,
    /// Page rows whose year is not a number.
    bad_years: Vec<usize>,
}

impl Typed {
    /// A stored product (or a new, empty one) as its form shows it.
    fn from_input(input: ProductInput) -> Typed {
        let figures = input
            .figures
            .iter()
            .map(|f| FigRow {
                year: f.year.to_string(),
                sales: f.sales_revenue.clone(),
                output: f.output_value.clone(),
                export: f.export_value.clone().unwrap_or_default(),
                profit: f.profit.clone().unwrap_or_default(),
                ip: f.ip_investment.clone().unwrap_or_default(),
            })
            .collect();
        let patents = input
            .patents
            .iter()
            .map(|l| PatRow {
                number: l.patent.number.clone(),
                title: l.patent.title.clone(),
                patentees: l.patent.patentees.join("、"),
                grant_date: l.patent.grant_date.clone().unwrap_or_default(),
                status: l.patent.legal_status.clone(),
                right: l.patent.right.clone(),
                licence: l.patent.licence_record.clone(),
                core: l.core,
                embodiment: l.embodiment.clone(),
            })
            .collect();
        Typed {
            figure_rows: (0..input.figures.len()).collect(),
            patent_rows: (0..input.patents.len()).collect(),
            input,
            figures,
            patents,
            bad_years: Vec::new(),
        }
    }

    /// The service's refusal placed on the page's rows; a year that is not a number is told so.
    fn errors(&self, v: Vec<zhichan_service::FieldViolation>) -> FormErrors {
        let v = forms::renumber(v, "figures", &self.figure_rows);
        let v = forms::renumber(v, "patents", &self.patent_rows);
        let mut errors = FormErrors::none();
        for f in v {
            let bad_year = forms::split_row(&f.field).is_some_and(|(l, n, k)| {
                l == "figures" && k == "year" && self.bad_years.contains(&n)
            });
            let message = if bad_year {
                "年度应为四位数字，如 2025".to_string()
            } else {
                f.violation.message_zh
            };
            errors.add(f.field, message, &locate);
        }
        errors
    }
}

async fn form_page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    action: String,
    version: i64,
    typed: &Typed,
    errors: FormErrors,
) -> AppResult<Response> {
    form_page_returned(state, signed, status, action, version, typed, errors, None).await
}

#[allow(clippy::too_many_arguments)]
async fn form_page_returned(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    action: String,
    version: i64,
    typed: &Typed,
    errors: FormErrors,
    returned: Option<String>,
) -> AppResult<Response> {
    let input = &typed.input;
    // The field's message goes beside its picker (the summary links to it).
    let field =
        super::pickers::Picker::industry("pf-field", "field", "所属领域（GB/T 4754-2017 行业）")
            .required()
            .value(state, &input.field)
            .await?
            .error(errors.beside("field"));
    let mut figures = typed.figures.clone();
    figures.resize(FIGURE_ROWS.max(figures.len()), FigRow::default());
    let mut patents = typed.patents.clone();
    patents.resize(PATENT_ROWS.max(patents.len()), PatRow::default());
    Ok(render(
        status,
        &FormPage {
            chrome: Chrome::for_user("产品备案", "/products", Some(&signed.auth)),
            action,
            csrf: csrf_of(signed),
            version,
            enterprise: input.enterprise.clone(),
            name: input.name.clone(),
            model: input.model.clone(),
            field,
            description: input.description.clone(),
            first_sold_on: input.first_sold_on.clone().unwrap_or_default(),
            figures,
            patents,
            fig_cols: FIG_COLS,
            pat_cols: PAT_COLS,
            statuses: LegalStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            rights: PatentRight::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
            errors,
            returned,
        },
    ))
}

/// Reads the product form: figure rows `f{n}_year|sales|output`, patent rows `p{n}_…`. Every
/// row typed is kept as typed for the page, empty rows are left out of the input.
fn input_of(form: &HashMap<String, String>, enterprise: String) -> Typed {
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut typed = Typed::default();
    let mut figures = Vec::new();
    for n in 0..12 {
        let row = FigRow {
            year: get(&format!("f{n}_year")),
            sales: get(&format!("f{n}_sales")),
            output: get(&format!("f{n}_output")),
            export: get(&format!("f{n}_export")),
            profit: get(&format!("f{n}_profit")),
            ip: get(&format!("f{n}_ip")),
        };
        let blank = [&row.sales, &row.output, &row.export, &row.profit, &row.ip]
            .iter()
            .all(|v| v.is_empty());
        if row.year.is_empty() && blank {
            typed.figures.push(row);
            continue;
        }
        let year = match row.year.parse::<i64>() {
            Ok(y) if row.year.len() == 4 => y,
            _ => {
                typed.bad_years.push(n);
                0
            }
        };
        figures.push(FiguresInput {
            year,
            sales_revenue: row.sales.clone(),
            output_value: row.output.clone(),
            export_value: Some(row.export.clone()),
            profit: Some(row.profit.clone()),
            ip_investment: Some(row.ip.clone()),
        });
        typed.figure_rows.push(n);
        typed.figures.push(row);
    }
    let mut patents = Vec::new();
    for n in 0..12 {
        let row = PatRow {
            number: get(&format!("p{n}_number")),
            title: get(&format!("p{n}_title")),
            patentees: get(&format!("p{n}_patentees")),
            grant_date: get(&format!("p{n}_grant")),
            status: get(&format!("p{n}_status")),
            right: get(&format!("p{n}_right")),
            licence: get(&format!("p{n}_licence")),
            core: form.contains_key(&format!("p{n}_core")),
            embodiment: get(&format!("p{n}_embodiment")),
        };
        if row.number.is_empty() {
            typed.patents.push(row);
            continue;
        }
        patents.push(LinkInput {
            patent: PatentInput {
                number: row.number.clone(),
                title: row.title.clone(),
                patentees: row
                    .patentees
                    .split(['、', ',', '，', ';', '；'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                grant_date: Some(row.grant_date.clone()).filter(|g| !g.is_empty()),
                legal_status: row.status.clone(),
                right: row.right.clone(),
                licence_record: row.licence.clone(),
            },
            core: row.core,
            embodiment: row.embodiment.clone(),
        });
        typed.patent_rows.push(n);
        typed.patents.push(row);
    }
    // Empty rows past the last typed one are not shown again (the page adds its own).
    let last = |rows: &[usize]| rows.last().map_or(0, |n| n + 1);
    typed
        .figures
        .truncate(last(&typed.figure_rows).max(FIGURE_ROWS));
    typed
        .patents
        .truncate(last(&typed.patent_rows).max(PATENT_ROWS));
    typed.input = ProductInput {
        enterprise,
        name: get("name"),
        model: get("model"),
        field: get("field"),
        description: get("description"),
        first_sold_on: Some(get("first_sold_on")).filter(|s| !s.is_empty()),
        figures,
        patents,
    };
    typed
}

/// The field's picker resolved: a name typed without JavaScript becomes its code; a name that
/// names nothing (or several) is kept as typed, with the message that replaces the service's.
async fn resolve_field(state: &AppState, input: &mut ProductInput) -> AppResult<Option<String>> {
    Ok(match super::pickers::industry(state, &input.field).await? {
        Ok(Some(code)) => {
            input.field = code.as_str().to_string();
            None
        }
        Ok(None) => None,
        Err(m) => Some(m),
    })
}

/// The service's errors, with the picker's own message for the field when it has one.
fn with_field_message(
    typed: &Typed,
    v: Vec<zhichan_service::FieldViolation>,
    message: Option<String>,
) -> FormErrors {
    let mut errors = typed.errors(v);
    if let Some(m) = message {
        errors.replace("field", m, &locate);
    }
    errors
}

pub async fn new_form(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    let input = ProductInput {
        enterprise: signed.auth.actor.enterprise.clone().unwrap_or_default(),
        ..ProductInput::default()
    };
    form_page(
        &state,
        &signed,
        StatusCode::OK,
        NEW_PRODUCT.into(),
        0,
        &Typed::from_input(input),
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
    let enterprise = signed.auth.actor.enterprise.clone().unwrap_or_default();
    let mut typed = input_of(&form, enterprise);
    let field_message = resolve_field(&state, &mut typed.input).await?;
    match state
        .services
        .create_product(&signed.auth.actor, &ctx, typed.input.clone())
        .await
    {
        Ok(v) => Ok(Redirect::to(&format!("/products/{}", v.product.id)).into_response()),
        Err(e) => {
            let action = NEW_PRODUCT.to_string();
            form_refused(&state, &signed, action, 0, &typed, field_message, e).await
        }
    }
}

/// Where a new product's form is sent.
const NEW_PRODUCT: &str = "/products/new";

/// A refused product form shown again as typed: 422 with each message beside its field, 409
/// for a stale version, and for a new product of an enterprise without a profile yet, what to
/// do first. Any other refusal is answered as an error.
async fn form_refused(
    state: &AppState,
    signed: &Signed,
    action: String,
    version: i64,
    typed: &Typed,
    field_message: Option<String>,
    refusal: ServiceError,
) -> AppResult<Response> {
    let (status, errors) = match refusal {
        ServiceError::Invalid(v) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            with_field_message(typed, v, field_message),
        ),
        ServiceError::Conflict(m) => (StatusCode::CONFLICT, FormErrors::general(m)),
        ServiceError::NotFound if action == NEW_PRODUCT => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::general("请先在“企业信息”中填报本企业信息"),
        ),
        e => return Err(e.into()),
    };
    form_page(state, signed, status, action, version, typed, errors).await
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    // An approved product's form edits its amendment (变更), starting from it if there is one.
    let (input, version) = state
        .services
        .product_edit_input(&signed.auth.actor, id)
        .await?;
    // The reason being fixed stays in sight at the top of the form.
    let view = state.services.product(&signed.auth.actor, id).await?;
    let p = &view.product;
    let returned = match &p.amendment {
        Some(a) if a.status == AmendmentStatus::Returned => a.return_reason.clone(),
        _ if p.status == ProductStatus::Returned => p.return_reason.clone(),
        _ => None,
    };
    form_page_returned(
        &state,
        &signed,
        StatusCode::OK,
        format!("/products/{id}/edit"),
        version,
        &Typed::from_input(input),
        FormErrors::none(),
        returned.filter(|r| !r.trim().is_empty()),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let enterprise = signed.auth.actor.enterprise.clone().unwrap_or_default();
    let mut shown = input_of(&form, enterprise);
    let field_message = resolve_field(&state, &mut shown.input).await?;
    let typed = shown.input.clone();
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    match state
        .services
        .update_product(&signed.auth.actor, &ctx, id, version, move |i| {
            let enterprise = i.enterprise.clone();
            *i = typed;
            i.enterprise = enterprise;
        })
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/products/{id}")).into_response()),
        Err(e) => {
            let action = format!("/products/{id}/edit");
            form_refused(&state, &signed, action, version, &shown, field_message, e).await
        }
    }
}

#[derive(Template)]
#[template(path = "product_import.html")]
struct ImportPage {
    chrome: Chrome,
    csrf: String,
    enterprise: String,
    created: Option<usize>,
    problem: Option<String>,
    errors: Vec<zhichan_service::bulk::RowError>,
    /// The annotated workbook as a data URL to download.
    annotated: Option<String>,
}

fn import_page(signed: &Signed, status: StatusCode, page: ImportPageParts) -> Response {
    render(
        status,
        &ImportPage {
            chrome: Chrome::for_user("批量备案", "/products", Some(&signed.auth)),
            csrf: csrf_of(signed),
            enterprise: signed.auth.actor.enterprise.clone().unwrap_or_default(),
            created: page.created,
            problem: page.problem,
            errors: page.errors,
            annotated: page.annotated,
        },
    )
}

#[derive(Default)]
struct ImportPageParts {
    created: Option<usize>,
    problem: Option<String>,
    errors: Vec<zhichan_service::bulk::RowError>,
    annotated: Option<String>,
}

pub async fn import_form(signed: Signed) -> AppResult<Response> {
    Ok(import_page(
        &signed,
        StatusCode::OK,
        ImportPageParts::default(),
    ))
}

/// Bulk registration from the page: all rows or none; errors listed and marked in a workbook.
pub async fn import(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    use base64::Engine;
    let (text, _, file) = crate::api::products::read_upload(form).await?;
    let enterprise = text
        .get("enterprise")
        .cloned()
        .or_else(|| signed.auth.actor.enterprise.clone())
        .unwrap_or_default();
    match state
        .services
        .import_products(&signed.auth.actor, &ctx, &enterprise, &file)
        .await
    {
        Ok(Ok(ids)) => Ok(import_page(
            &signed,
            StatusCode::OK,
            ImportPageParts {
                created: Some(ids.len()),
                ..Default::default()
            },
        )),
        Ok(Err(rejected)) => Ok(import_page(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportPageParts {
                annotated: Some(format!(
                    "data:{};base64,{}",
                    crate::api::products::XLSX,
                    base64::engine::general_purpose::STANDARD.encode(&rejected.annotated)
                )),
                errors: rejected.errors,
                ..Default::default()
            },
        )),
        Err(ServiceError::Invalid(v)) => Ok(import_page(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportPageParts {
                problem: Some(super::violations_text(v)),
                ..Default::default()
            },
        )),
        Err(e) => Err(e.into()),
    }
}
