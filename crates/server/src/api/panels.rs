//! `/api/v1/panels` and `/api/v1/expert/assignments`: expert panels (专家评审组). The national
//! administrator reads a panel and assigns experts to its items; an expert reads their own
//! assignments and scores each once. Panels are created by their subject's use case (an
//! identification batch, a programme), not over HTTP.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::{ApiJson, AppResult, Json};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::identification::ScoreItem;
use zhichan_api::panels::{
    AssignmentNew, AssignmentStatus, ExpertAssignment, Panel, PanelAssignment, PanelItem,
    PanelResult, ScoresSubmit, SuggestedExpert,
};
use zhichan_api::{Page, Problem};
use zhichan_domain::enterprises::format_date;
use zhichan_service::panels::{scores_of, AssignmentView, PanelView};
use zhichan_service::ServiceResult;
use zhichan_store::panels::StoredAssignment;

/// The sheet as people read it: full marks without trailing zeros (`40`, not `40.0000`).
fn sheet_body(sheet: &[ScoreItem]) -> Vec<ScoreItem> {
    sheet
        .iter()
        .map(|i| ScoreItem {
            name: i.name.clone(),
            max_score: i.max_score.normalize(),
        })
        .collect()
}

fn status(a: &StoredAssignment) -> AssignmentStatus {
    if a.submitted_at.is_some() {
        AssignmentStatus::Submitted
    } else {
        AssignmentStatus::Waiting
    }
}

fn scores_body(a: &StoredAssignment) -> ServiceResult<Option<Vec<String>>> {
    Ok(a.submitted_at
        .map(|_| scores_of(a))
        .transpose()?
        .map(|s| s.iter().map(|d| d.to_string()).collect()))
}

fn assignment_body(a: &StoredAssignment, conflict: bool) -> ServiceResult<PanelAssignment> {
    Ok(PanelAssignment {
        id: a.id,
        expert: a.expert_id,
        expert_username: a.expert_username.clone(),
        expert_name: a.expert_name.clone(),
        assigned_at: a.assigned_at.to_string(),
        status: status(a),
        scores: scores_body(a)?,
        total: a.total.clone(),
        opinion: a.opinion.clone(),
        submitted_at: a.submitted_at.map(|t| t.to_string()),
        conflict,
    })
}

pub fn panel_body(v: &PanelView) -> ServiceResult<Panel> {
    let p = &v.panel;
    Ok(Panel {
        id: p.id,
        kind: p.kind.into(),
        subject_id: p.subject_id,
        sheet: sheet_body(&p.sheet),
        min_experts: p.min_experts,
        aggregate: p.rule,
        deadline_days: p.deadline_days,
        opened_on: format_date(p.opened_on),
        due_on: format_date(p.due_on),
        working_days_left: v.deadline.left,
        overdue_working_days: v.deadline.overdue_by,
        closed_at: p.closed_at.map(|t| t.to_string()),
        items: v
            .items
            .iter()
            .map(|it| {
                Ok(PanelItem {
                    item: it.item.item_no,
                    enterprise: it.item.enterprise.clone(),
                    enterprise_name: it.item.enterprise_name.clone(),
                    field: it.item.field.clone(),
                    label: it.item.label.clone(),
                    assignments: it
                        .assignments
                        .iter()
                        .map(|a| assignment_body(a, it.conflicted.contains(&a.id)))
                        .collect::<ServiceResult<_>>()?,
                    suggested: it
                        .suggested
                        .iter()
                        .map(|s| SuggestedExpert {
                            id: s.user_id,
                            username: s.username.clone(),
                            display_name: s.display_name.clone(),
                            unit_name: s.unit_name.clone(),
                        })
                        .collect(),
                    result: PanelResult {
                        scored: it.result.scored,
                        assigned: it.assignments.len() as u32,
                        score: it.result.score.map(|d| d.to_string()),
                    },
                })
            })
            .collect::<ServiceResult<_>>()?,
    })
}

pub fn expert_assignment_body(v: &AssignmentView) -> ServiceResult<ExpertAssignment> {
    let a = &v.assignment;
    Ok(ExpertAssignment {
        id: a.id,
        panel: v.panel.id,
        kind: v.panel.kind.into(),
        label: v.item.label.clone(),
        enterprise_name: v.item.enterprise_name.clone(),
        field: v.item.field.clone(),
        sheet: sheet_body(&v.panel.sheet),
        due_on: format_date(v.deadline.due),
        working_days_left: v.deadline.left,
        overdue_working_days: v.deadline.overdue_by,
        status: status(a),
        scores: scores_body(a)?,
        total: a.total.clone(),
        opinion: a.opinion.clone(),
        submitted_at: a.submitted_at.map(|t| t.to_string()),
    })
}

/// A panel: its score sheet, deadline, items with their assignments, submitted scores and
/// opinions, the experts suggested for each item, and each item's aggregate (the national
/// administrator).
#[utoipa::path(get, path = "/api/v1/panels/{id}", tag = "panels",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "专家评审组", body = Panel),
        (status = 403, description = "无权查看", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "不存在或不在本辖区", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Panel>> {
    let v = state.services.panel(&signed.auth.actor, id).await?;
    Ok(Json(panel_body(&v)?))
}

/// Assigns an expert to an item (the national administrator). Refused with 422: an account
/// that is not an expert (`not_expert`), an expert whose unit is the item's enterprise
/// (`conflict_of_interest`), an expert without a unit on file (`expert_profile_missing`);
/// 409 when the expert is already on the item.
#[utoipa::path(post, path = "/api/v1/panels/{id}/assignments", tag = "panels",
    params(("id" = i64, Path)),
    request_body = AssignmentNew,
    responses(
        (status = 201, description = "已指派", body = PanelAssignment),
        (status = 403, description = "无权指派", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "不存在或不在本辖区", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已指派，或评审已结束", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "不是专家、须回避或字段有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn assign(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AssignmentNew>,
) -> AppResult<(StatusCode, Json<PanelAssignment>)> {
    let a = state
        .services
        .assign_expert(&signed.auth.actor, &ctx, id, body.item, body.expert)
        .await?;
    Ok((StatusCode::CREATED, Json(assignment_body(&a, false)?)))
}

/// The caller's own assignments (an expert), newest first: what waits for them, with its
/// deadline in working days, and what they scored.
#[utoipa::path(get, path = "/api/v1/expert/assignments", tag = "panels",
    params(Paging),
    responses(
        (status = 200, description = "本人的评审任务", body = Page<ExpertAssignment>),
        (status = 403, description = "仅专家", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn mine(
    State(state): State<AppState>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<ExpertAssignment>>> {
    let paging = Paging::from_query(&query)?;
    let all = state.services.my_assignments(&signed.auth.actor).await?;
    let items = all
        .iter()
        .skip(paging.offset())
        .take(paging.per_page as usize)
        .map(expert_assignment_body)
        .collect::<ServiceResult<Vec<_>>>()?;
    Ok(Json(Page {
        items,
        total: all.len() as i64,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// One of the caller's own assignments; another expert's is 404.
#[utoipa::path(get, path = "/api/v1/expert/assignments/{id}", tag = "panels",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "评审任务", body = ExpertAssignment),
        (status = 403, description = "仅专家", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "不存在或不是本人的任务", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn get_mine(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<ExpertAssignment>> {
    let v = state.services.my_assignment(&signed.auth.actor, id).await?;
    Ok(Json(expert_assignment_body(&v)?))
}

/// Submits the caller's scores for one assignment: one per score-sheet item (0 to the item's
/// full marks, at most four decimals) and an opinion of at most 2000 characters. Once: again
/// is 409.
#[utoipa::path(post, path = "/api/v1/expert/assignments/{id}/scores", tag = "panels",
    params(("id" = i64, Path)),
    request_body = ScoresSubmit,
    responses(
        (status = 200, description = "已提交", body = ExpertAssignment),
        (status = 403, description = "仅专家", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "不存在或不是本人的任务", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已提交过，或评审已结束", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "分数或意见有误，或须回避", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn score(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ScoresSubmit>,
) -> AppResult<Json<ExpertAssignment>> {
    let v = state
        .services
        .submit_scores(&signed.auth.actor, &ctx, id, &body.scores, &body.opinion)
        .await?;
    Ok(Json(expert_assignment_body(&v)?))
}
