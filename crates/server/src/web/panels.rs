//! Expert panel pages (专家评审组): the expert's queue and score sheet, and the national
//! administrator's assignment page of a panel. Names, not codes: fields by their GB/T 4754
//! names, what a panel scores by its kind's name.

use super::forms::{table, FormErrors};
use super::names::Names;
use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::AppResult;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::collections::HashMap;
use zhichan_domain::calendar::Deadline;
use zhichan_domain::enterprises::format_date;
use zhichan_domain::identification::{plain, plain_text};
use zhichan_domain::panels::PanelKind;
use zhichan_service::panels::AssignmentView;
use zhichan_service::ServiceError;

/// A deadline in words: the day, and working days left or overdue.
fn deadline_words(d: &Deadline) -> (String, String, bool) {
    let due = format_date(d.due);
    if d.overdue() {
        (due, format!("已逾期 {} 个工作日", d.overdue_by), true)
    } else if d.left == 0 {
        (due, "今日到期".into(), false)
    } else {
        (due, format!("还剩 {} 个工作日", d.left), false)
    }
}

/// One row of the expert's queue.
struct QueueRow {
    id: i64,
    kind: &'static str,
    label: String,
    enterprise: String,
    field: String,
    due: String,
    left: String,
    overdue: bool,
    submitted: bool,
    total: String,
    /// The panel stopped taking scores (its subject moved on): the day it closed.
    closed: Option<String>,
}

#[derive(Template)]
#[template(path = "expert_queue.html")]
struct QueuePage {
    chrome: Chrome,
    waiting: Vec<QueueRow>,
    done: Vec<QueueRow>,
    /// Not scored, and the panel has closed: nothing more to do.
    closed: Vec<QueueRow>,
}

async fn row(names: &mut Names<'_>, v: &AssignmentView) -> AppResult<QueueRow> {
    let (due, left, overdue) = deadline_words(&v.deadline);
    let submitted = v.assignment.submitted_at.is_some();
    Ok(QueueRow {
        id: v.assignment.id,
        kind: v.panel.kind.label_zh(),
        label: v.item.label.clone(),
        enterprise: v.item.enterprise_name.clone(),
        field: names.industry(&v.item.field).await?,
        due,
        left,
        overdue: overdue && !submitted && v.panel.closed_at.is_none(),
        submitted,
        total: v
            .assignment
            .total
            .as_deref()
            .map(plain_text)
            .unwrap_or_default(),
        closed: v.panel.closed_at.map(|t| format_date(t.beijing_date())),
    })
}

/// The expert's queue: what waits for them (deadline in working days, overdue marked), then
/// what they scored.
pub async fn queue(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    let all = state.services.my_assignments(&signed.auth.actor).await?;
    let mut names = Names::new(&state);
    let (mut waiting, mut done, mut closed) = (Vec::new(), Vec::new(), Vec::new());
    for v in &all {
        let r = row(&mut names, v).await?;
        if r.submitted {
            done.push(r);
        } else if r.closed.is_some() {
            closed.push(r);
        } else {
            waiting.push(r);
        }
    }
    // The nearest deadline first.
    waiting.sort_by(|a, b| a.due.cmp(&b.due));
    let page = QueuePage {
        chrome: Chrome::for_user("评审任务", "/expert/assignments", Some(&signed.auth)),
        waiting,
        done,
        closed,
    };
    Ok(render(StatusCode::OK, &page))
}

/// One line of the score sheet: the item, its full marks, what was typed or scored.
struct SheetLine {
    index: usize,
    /// The field path the service names (`scores[0]`), the input's id and its label.
    field: String,
    id: String,
    label: String,
    name: String,
    max: String,
    value: String,
}

#[derive(Template)]
#[template(path = "expert_score.html")]
struct ScorePage {
    chrome: Chrome,
    csrf: String,
    row: QueueRow,
    lines: Vec<SheetLine>,
    opinion: String,
    errors: FormErrors,
}

fn field_of(field: &str) -> Option<(String, String)> {
    if let Some(i) = field
        .strip_prefix("scores[")
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|n| n.parse::<usize>().ok())
    {
        return Some((format!("sc-{i}"), format!("第 {} 项得分", i + 1)));
    }
    table(&[
        ("opinion", "sc-opinion", "评审意见"),
        ("scores", "sc-0", "得分"),
    ])(field)
}

async fn score_page(
    state: &AppState,
    signed: &Signed,
    v: &AssignmentView,
    typed: Option<(&[String], &str)>,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let mut names = Names::new(state);
    let lines = v
        .panel
        .sheet
        .iter()
        .enumerate()
        .map(|(i, item)| SheetLine {
            index: i,
            field: format!("scores[{i}]"),
            id: format!("sc-{i}"),
            label: {
                let p = crate::locale::punctuation();
                let full = crate::locale::t(&format!("满分 {}", plain(item.max_score)));
                let name = super::names::shipped_words(&item.name);
                format!("{name}{}{full}{}", p.open, p.close)
            },
            name: super::names::shipped_words(&item.name),
            max: plain(item.max_score),
            value: match typed {
                Some((t, _)) => t.get(i).cloned().unwrap_or_default(),
                None => v.scores.get(i).map(|d| plain(*d)).unwrap_or_default(),
            },
        })
        .collect();
    let page = ScorePage {
        chrome: Chrome::for_user("评分表", "/expert/assignments", Some(&signed.auth)),
        csrf: csrf_of(signed),
        row: row(&mut names, v).await?,
        lines,
        opinion: match typed {
            Some((_, o)) => o.to_string(),
            None => v.assignment.opinion.clone().unwrap_or_default(),
        },
        errors,
    };
    Ok(render(status, &page))
}

/// The score sheet of one of the expert's own assignments (another's is 404).
pub async fn score_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let v = state.services.my_assignment(&signed.auth.actor, id).await?;
    score_page(
        &state,
        &signed,
        &v,
        None,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// Submits the score sheet: refused fields come back beside their inputs, as typed.
pub async fn score_submit(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let v = state.services.my_assignment(&signed.auth.actor, id).await?;
    let scores: Vec<String> = (0..v.panel.sheet.len())
        .map(|i| form.get(&format!("score{i}")).cloned().unwrap_or_default())
        .collect();
    let opinion = form.get("opinion").cloned().unwrap_or_default();
    match state
        .services
        .submit_scores(&signed.auth.actor, &ctx, id, &scores, &opinion)
        .await
    {
        Ok(_) => Ok(Redirect::to("/expert/assignments").into_response()),
        Err(ServiceError::Invalid(violations)) => {
            let errors = FormErrors::from_violations(violations, &field_of);
            let typed = Some((scores.as_slice(), opinion.as_str()));
            score_page(
                &state,
                &signed,
                &v,
                typed,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            let typed = Some((scores.as_slice(), opinion.as_str()));
            let errors = FormErrors::general(m);
            score_page(&state, &signed, &v, typed, errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// One assignment on the panel page.
struct AssignedRow {
    expert: String,
    /// The expert's unit is now the item's enterprise: they must stand aside.
    conflict: bool,
    status: &'static str,
    total: String,
    opinion: String,
}

struct ItemRow {
    no: i64,
    /// The ids of the form's expert select and username input.
    sid: String,
    fid: String,
    label: String,
    enterprise: String,
    field: String,
    assigned: Vec<AssignedRow>,
    /// (account id, "name（unit）").
    suggested: Vec<(i64, String)>,
    scored: u32,
    score: String,
}

#[derive(Template)]
#[template(path = "panel.html")]
struct PanelPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    kind: &'static str,
    /// The subject by name (its year, then what it is) and its page.
    subject_lead: String,
    subject_name: &'static str,
    subject_href: Option<String>,
    /// The subject moved on: no more assignments or scores.
    closed: bool,
    sheet: Vec<(String, String)>,
    min_experts: u32,
    rule: &'static str,
    due: String,
    left: String,
    overdue: bool,
    items: Vec<ItemRow>,
    /// The item whose form was refused, what was typed, and why.
    failed_item: i64,
    typed_username: String,
    errors: FormErrors,
}

async fn panel_page(
    state: &AppState,
    signed: &Signed,
    id: i64,
    failed: Option<(i64, String, FormErrors)>,
    status: StatusCode,
) -> AppResult<Response> {
    let v = state.services.panel(&signed.auth.actor, id).await?;
    let mut names = Names::new(state);
    let mut items = Vec::new();
    for it in &v.items {
        items.push(ItemRow {
            no: it.item.item_no,
            sid: format!("as-{}-expert", it.item.item_no),
            fid: format!("as-{}-username", it.item.item_no),
            label: it.item.label.clone(),
            enterprise: it.item.enterprise_name.clone(),
            field: names.industry(&it.item.field).await?,
            assigned: it
                .assignments
                .iter()
                .map(|a| AssignedRow {
                    conflict: it.conflicted.contains(&a.id),
                    expert: if a.expert_name.is_empty() {
                        a.expert_username.clone()
                    } else {
                        format!("{}（{}）", a.expert_name, a.expert_username)
                    },
                    status: if a.submitted_at.is_some() {
                        "已评分"
                    } else {
                        "待评分"
                    },
                    total: a.total.as_deref().map(plain_text).unwrap_or_default(),
                    opinion: a.opinion.clone().unwrap_or_default(),
                })
                .collect(),
            suggested: it
                .suggested
                .iter()
                .map(|s| {
                    let who = if s.display_name.is_empty() {
                        s.username.clone()
                    } else {
                        s.display_name.clone()
                    };
                    (s.user_id, format!("{who}（{}）", s.unit_name))
                })
                .collect(),
            scored: it.result.scored,
            score: it.result.score.map(plain).unwrap_or_default(),
        });
    }
    let (due, left, overdue) = deadline_words(&v.deadline);
    let (failed_item, typed_username, errors) =
        failed.unwrap_or((0, String::new(), FormErrors::none()));
    let p = &v.panel;
    // What the panel scores, named as its subject names itself.
    let (subject_lead, subject_name, subject_href) = match p.kind {
        PanelKind::Identification => match state
            .services
            .identification_batch(&signed.auth.actor, p.subject_id)
            .await
        {
            Ok(b) => (
                b.batch.year.to_string(),
                "年度认定批次",
                Some(format!("/identification/batches/{}", p.subject_id)),
            ),
            // A panel made for a subject this reader cannot open: its number only.
            Err(ServiceError::NotFound) => (p.subject_id.to_string(), "", None),
            Err(e) => return Err(e.into()),
        },
        // No programme pages yet: its number.
        PanelKind::Programme => (p.subject_id.to_string(), "", None),
    };
    let page = PanelPage {
        chrome: Chrome::for_user(format!("专家评审组 {id}"), "", Some(&signed.auth)),
        csrf: csrf_of(signed),
        id,
        kind: p.kind.label_zh(),
        subject_lead,
        subject_name,
        subject_href,
        closed: p.closed_at.is_some(),
        sheet: p
            .sheet
            .iter()
            .map(|s| (s.name.clone(), plain(s.max_score)))
            .collect(),
        min_experts: p.min_experts,
        rule: p.rule.label_zh(),
        due,
        left,
        overdue,
        items,
        failed_item,
        typed_username,
        errors,
    };
    Ok(render(status, &page))
}

/// The national administrator's assignment page of a panel.
pub async fn panel(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    panel_page(&state, &signed, id, None, StatusCode::OK).await
}

/// Assigns an expert to an item: one chosen among those suggested, or named by username.
pub async fn assign(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let item: i64 = form
        .get("item")
        .and_then(|i| i.trim().parse().ok())
        .unwrap_or(0);
    let typed = form.get("username").cloned().unwrap_or_default();
    let anchor = format!("as-{item}-username");
    let locate = |field: &str| {
        (field == "expert" || field == "item").then(|| (anchor.clone(), "专家".to_string()))
    };
    let chosen = form
        .get("expert")
        .and_then(|e| e.trim().parse::<i64>().ok());
    let expert = match (typed.trim().is_empty(), chosen) {
        (false, _) => {
            match state
                .services
                .panel_expert_by_username(&signed.auth.actor, id, &typed)
                .await
            {
                Ok(e) => Some(e),
                Err(ServiceError::Invalid(v)) => {
                    let errors = FormErrors::from_violations(v, &locate);
                    let failed = Some((item, typed, errors));
                    return panel_page(
                        &state,
                        &signed,
                        id,
                        failed,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        (true, c) => c,
    };
    let Some(expert) = expert else {
        let mut errors = FormErrors::none();
        errors.add("expert", "请选择建议的专家或填写专家用户名", &locate);
        let failed = Some((item, typed, errors));
        return panel_page(
            &state,
            &signed,
            id,
            failed,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match state
        .services
        .assign_expert(&signed.auth.actor, &ctx, id, item, expert)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/panels/{id}")).into_response()),
        Err(ServiceError::Invalid(v)) => {
            let errors = FormErrors::from_violations(v, &locate);
            panel_page(
                &state,
                &signed,
                id,
                Some((item, typed, errors)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            let mut errors = FormErrors::none();
            errors.add("expert", m, &locate);
            panel_page(
                &state,
                &signed,
                id,
                Some((item, typed, errors)),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
