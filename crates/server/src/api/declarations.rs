//! `/api/v1/enterprises/{credit_code}/declarations`, `/api/v1/declarations`: facts an enterprise
//! declares with evidence and a reviewer of its region confirms; and the review of the
//! qualifications an enterprise entered itself.

use crate::auth::{RequestCtx, Signed};
use crate::error::{ApiJson, AppError, AppResult, Json};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use zhichan_api::awards::DeclarationKind;
use zhichan_api::declarations::{
    Declaration, DeclarationStatus, Evidence, FactReview, NewDeclaration, QualificationResubmit,
    QualificationReview, QualificationsOfEnterprise, QualificationsReview,
};
use zhichan_api::enterprises::Enterprise;
use zhichan_api::{Page, Problem};
use zhichan_domain::{RegionCode, Violation};
use zhichan_service::declarations::{amount_of, kind_of, DeclarationInput};
use zhichan_store::declarations::Declaration as Stored;

/// A declaration as the API shows it.
pub fn body(d: &Stored) -> Declaration {
    let kind = kind_of(d);
    Declaration {
        id: d.id,
        credit_code: d.credit_code.clone(),
        enterprise_name: d.enterprise_name.clone(),
        kind: kind.unwrap_or(DeclarationKind::CertificationFee),
        kind_name: kind.map_or_else(|| d.kind.clone(), |k| k.label_zh().to_string()),
        year: d.year,
        amount: amount_of(d).map(|m| m.to_string()),
        note: d.note.clone(),
        evidence: match (&d.evidence_name, &d.evidence_type, d.evidence_size) {
            (Some(name), Some(kind), Some(size)) => Some(Evidence {
                name: name.clone(),
                content_type: kind.clone(),
                size,
                href: format!("/api/v1/declarations/{}/evidence", d.id),
            }),
            _ => None,
        },
        status: DeclarationStatus::parse(&d.status).unwrap_or(DeclarationStatus::Submitted),
        declared_by: d.declared_by.clone(),
        declared_at: d.declared_at.to_string(),
        reviewed_by: d.reviewed_by.clone(),
        reviewed_at: d.reviewed_at.map(|t| t.to_string()),
        reason: d.reason.clone(),
        version: d.version,
    }
}

/// Declares a cost or an event of a year, with its evidence (the enterprise for itself, or its
/// reviewer on its behalf); it counts for awards once a reviewer of the region approves it.
#[utoipa::path(post, path = "/api/v1/enterprises/{credit_code}/declarations", tag = "awards",
    params(("credit_code" = String, Path)),
    request_body = NewDeclaration,
    responses(
        (status = 201, description = "已提交，待所在地区审核人员确认", body = Declaration),
        (status = 404, description = "不在本人或本辖区范围内", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误（invalid_year、invalid_money、invalid_document、too_large 等）", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<NewDeclaration>,
) -> AppResult<(StatusCode, Json<Declaration>)> {
    let evidence = match b.evidence {
        None => None,
        Some(e) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(e.content_base64.trim())
                .map_err(|_| {
                    AppError::field(
                        "evidence.content_base64",
                        Violation::new(
                            "invalid_base64",
                            "证明材料应为 base64 编码的文件内容",
                            "content_base64 is not base64",
                        ),
                    )
                })?;
            // The page's file box left empty means "no evidence"; an API client that sends an
            // evidence object with nothing in it has made a mistake, and is told so.
            if bytes.is_empty() {
                return Err(AppError::field(
                    "evidence.content_base64",
                    Violation::new(
                        "invalid_document",
                        "证明材料是空文件，请上传 PDF、JPG 或 PNG 文件，或不附证明材料",
                        "the evidence is empty: send a PDF, JPEG or PNG file, or no evidence",
                    ),
                ));
            }
            Some((e.name, bytes))
        }
    };
    let d = state
        .services
        .declare(
            &signed.auth.actor,
            &ctx,
            &code,
            DeclarationInput {
                kind: b.kind.as_str().into(),
                year: b.year.to_string(),
                amount: b.amount,
                note: b.note,
                evidence,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(body(&d))))
}

/// The enterprise's declarations, newest first.
#[utoipa::path(get, path = "/api/v1/enterprises/{credit_code}/declarations", tag = "awards",
    params(("credit_code" = String, Path)),
    responses(
        (status = 200, description = "申报事项", body = Page<Declaration>),
        (status = 404, description = "不在本人或本辖区范围内", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<Json<Page<Declaration>>> {
    let (_, list) = state
        .services
        .declarations_of(&signed.auth.actor, &code)
        .await?;
    let items: Vec<Declaration> = list.iter().map(body).collect();
    let n = items.len();
    Ok(Json(Page {
        total: n as i64,
        page: 1,
        per_page: n.max(1) as u32,
        items,
    }))
}

/// The declarations waiting for review in the reviewer's region, oldest first.
#[utoipa::path(get, path = "/api/v1/declarations", tag = "awards",
    responses((status = 200, description = "待审核的申报事项", body = Vec<Declaration>)))]
pub async fn queue(
    State(state): State<AppState>,
    signed: Signed,
) -> AppResult<Json<Vec<Declaration>>> {
    let list = state.services.declaration_queue(&signed.auth.actor).await?;
    Ok(Json(list.iter().map(body).collect()))
}

/// One declaration.
#[utoipa::path(get, path = "/api/v1/declarations/{id}", tag = "awards",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "申报事项", body = Declaration),
        (status = 404, description = "不存在或不在范围内", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Declaration>> {
    let d = state.services.declaration(&signed.auth.actor, id).await?;
    Ok(Json(body(&d)))
}

/// A declaration's evidence, as a download typed from its own bytes (never rendered as a page).
#[utoipa::path(get, path = "/api/v1/declarations/{id}/evidence", tag = "awards",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "证明材料", content_type = "application/octet-stream"),
        (status = 404, description = "不存在或不在范围内", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn evidence(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (name, kind, bytes) = state
        .services
        .declaration_evidence(&signed.auth.actor, id)
        .await?;
    Ok(super::policies::download(&name, &kind, bytes))
}

/// Approves a declaration (it counts for awards) or returns it with a reason; the enterprise is
/// notified. A reviewer of the enterprise's region only.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/review", tag = "awards",
    params(("id" = i64, Path)),
    request_body = FactReview,
    responses(
        (status = 200, description = "已处理", body = Declaration),
        (status = 404, description = "不存在或不由本辖区审核", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已被审核", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "退回须说明理由；不能审核本人提交的申报（own_request）", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn review(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<FactReview>,
) -> AppResult<Json<Declaration>> {
    let d = state
        .services
        .review_declaration(
            &signed.auth.actor,
            &ctx,
            id,
            b.decision.approves(),
            b.reason.as_deref(),
        )
        .await?;
    Ok(Json(body(&d)))
}

/// Confirms the qualifications the enterprise entered or changed (they count for awards), or
/// returns them with a reason; the enterprise is notified. A reviewer of its region only.
#[utoipa::path(post, path = "/api/v1/enterprises/{credit_code}/qualifications/review",
    tag = "awards",
    params(("credit_code" = String, Path)),
    request_body = QualificationsReview,
    responses(
        (status = 200, description = "已处理", body = Enterprise),
        (status = 404, description = "不存在或不由本辖区审核", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "没有待审核的资质，或企业信息在审核人读取后已变更（version）", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "退回须说明理由", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn review_qualifications(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<QualificationsReview>,
) -> AppResult<Json<Enterprise>> {
    let e = state
        .services
        .review_qualifications(
            &signed.auth.actor,
            &ctx,
            &code,
            b.version,
            b.decision.approves(),
            b.reason.as_deref(),
        )
        .await?;
    Ok(Json(super::enterprises::body(&e)))
}

/// The enterprise submits a returned qualification again for review, unchanged — one returned,
/// say, only because of another qualification decided with it. It waits for a reviewer of the
/// region again; the submission is audited with the return's reason, and the profile's
/// `version` moves on.
#[utoipa::path(post, path = "/api/v1/enterprises/{credit_code}/qualifications/resubmit",
    tag = "awards",
    params(("credit_code" = String, Path)),
    request_body = QualificationResubmit,
    responses(
        (status = 200, description = "已重新提交，等待审核", body = Enterprise),
        (status = 404, description = "不存在或不在本人范围内", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "该资质不是退回状态，或企业信息在读取后已变更（version）", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "本企业没有这项资质（unknown_qualification）", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn resubmit_qualification(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<QualificationResubmit>,
) -> AppResult<Json<Enterprise>> {
    let e = state
        .services
        .resubmit_qualification(
            &signed.auth.actor,
            &ctx,
            &code,
            b.version,
            b.kind.as_str(),
            b.level.as_str(),
        )
        .await?;
    Ok(Json(super::enterprises::body(&e)))
}

/// The enterprises of the reviewer's region subtree with qualifications in a review state — by
/// default `pending`, waiting for a reviewer of the region — by name, a page at a time. A
/// reviewer of another region sees none of them; `region` outside one's own is 404.
#[utoipa::path(get, path = "/api/v1/qualifications", tag = "awards",
    params(
        ("state" = Option<QualificationReview>, Query, description = "pending（默认，待审核）、confirmed 或 returned"),
        ("region" = Option<String>, Query, description = "本辖区内的下级地区（GB/T 2260 代码）"),
        crate::api::paging::Paging
    ),
    responses(
        (status = 200, description = "有该状态资质的企业", body = Page<QualificationsOfEnterprise>),
        (status = 403, description = "仅审核人员可查看", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "地区不在本辖区内", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "筛选条件有误（invalid_state、invalid_region）或分页参数有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn qualifications(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> AppResult<Json<Page<QualificationsOfEnterprise>>> {
    let text = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let review = match text("state") {
        None => QualificationReview::Pending,
        Some(s) => QualificationReview::parse(s).ok_or_else(|| {
            AppError::field(
                "state",
                Violation::new(
                    "invalid_state",
                    "状态应为 pending（待审核）、confirmed（已确认）或 returned（已退回）",
                    "state is pending, confirmed or returned",
                ),
            )
        })?,
    };
    let region = text("region")
        .map(|r| {
            r.parse::<RegionCode>()
                .map_err(|v| AppError::field("region", v))
        })
        .transpose()?;
    let paging = crate::api::paging::Paging::from_query(&q)?;
    let (list, total) = state
        .services
        .qualifications_by_review(
            &signed.auth.actor,
            review.into(),
            region,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let mut items = Vec::with_capacity(list.len());
    for (e, quals) in list {
        items.push(QualificationsOfEnterprise {
            qualifications: quals
                .iter()
                .map(super::enterprises::qualification_body)
                .collect(),
            region_name: state
                .services
                .reference()
                .region_full_name(e.region)
                .await?,
            review: format!(
                "/api/v1/enterprises/{}/qualifications/review",
                e.credit_code
            ),
            credit_code: e.credit_code,
            enterprise_name: e.name,
            region: e.region.to_string(),
            state: review,
            count: e.pending,
            version: e.version,
        });
    }
    Ok(Json(Page {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}
