//! Real-name verification over the API: sign-up, one's own application, and the reviewer's
//! queue and decisions.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppError, AppResult};
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use zhichan_api::accounts::{
    SignUpForm, SignedUp, Verification, VerificationReview, VerificationStatus,
};
use zhichan_api::{Page, Problem};
use zhichan_service::verification::Application;
use zhichan_store::verifications::Verification as Row;

pub fn body(v: &Row) -> Verification {
    Verification {
        id: v.id,
        username: v.username.clone(),
        enterprise_name: v.enterprise_name.clone(),
        credit_code: v.credit_code.clone(),
        region: v.region.map(|r| r.to_string()),
        contact_name: v.contact_name.clone(),
        contact_phone: v.contact_phone.clone(),
        document_name: v.document_name.clone(),
        document_type: v.document_type.clone(),
        document_size: v.document_size,
        // The service writes one of the listed codes; an unknown one (a row edited by hand)
        // reads as pending.
        status: VerificationStatus::parse(&v.status).unwrap_or(VerificationStatus::Pending),
        submitted_at: v.submitted_at.to_string(),
        reviewed_by: v.reviewed_by.clone(),
        reviewed_at: v.reviewed_at.map(|t| t.to_string()),
        reason: v.reason.clone(),
        conflict: None,
    }
}

/// An application as a reviewer sees it: with the warning when its credit code already has an
/// enterprise.
pub async fn reviewed_body(state: &AppState, v: &Row) -> AppResult<Verification> {
    let conflict = state.services.verification_conflict(v).await?;
    Ok(Verification {
        conflict: conflict.map(|h| h.warning_zh()),
        ..body(v)
    })
}

/// The fields of a sign-up or resubmission form.
pub struct Submitted {
    pub text: HashMap<String, String>,
    pub application: Application,
}

/// Reads a multipart application (its file part is `document`).
pub async fn read_application(form: Multipart) -> AppResult<Submitted> {
    let (text, name, document) = super::products::read_multipart(form, "document").await?;
    let document_name = if name.is_empty() && !document.is_empty() {
        "document".to_string()
    } else {
        name
    };
    let get = |k: &str| text.get(k).cloned().unwrap_or_default();
    let application = Application {
        enterprise_name: get("enterprise_name"),
        credit_code: get("credit_code"),
        region: get("region"),
        contact_name: get("contact_name"),
        contact_phone: get("contact_phone"),
        document_name,
        document,
        pledge_accepted: matches!(get("pledge").as_str(), "true" | "on" | "1" | "yes"),
    };
    Ok(Submitted { text, application })
}

/// An enterprise signs itself up (multipart form). The answer (202) is the same whether the
/// username is free or taken; the outcome goes to `contact`: a one-time code to set the
/// password (the account then logs in but can do nothing but follow its application until a
/// reviewer of its region approves it), or word that the username is taken.
#[utoipa::path(
    post,
    path = "/api/v1/signup",
    tag = "accounts",
    security(()),
    request_body(content = SignUpForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, description = "已受理，结果（设置密码的一次性代码，或用户名已被使用）已发往本人联系方式", body = SignedUp),
        (status = 409, description = "该统一社会信用代码的企业已在平台登记（credit_code_taken）", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误（逐项说明）", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn sign_up(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    form: Multipart,
) -> AppResult<(StatusCode, Json<SignedUp>)> {
    let s = read_application(form).await?;
    let get = |k: &str| s.text.get(k).cloned().unwrap_or_default();
    let sent_to = state
        .services
        .sign_up(&ctx, &get("username"), &get("contact"), s.application)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(SignedUp { sent_to })))
}

/// The caller's own newest application.
#[utoipa::path(
    get,
    path = "/api/v1/me/verification",
    tag = "accounts",
    responses(
        (status = 200, description = "本人的实名认证申请", body = Verification),
        (status = 404, description = "没有申请", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn mine(State(state): State<AppState>, signed: Signed) -> AppResult<Json<Verification>> {
    let v = state
        .services
        .my_verification(&signed.auth.actor)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(body(&v)))
}

/// Submits again after the application was returned (multipart, as at sign-up, without
/// username and password).
#[utoipa::path(
    post,
    path = "/api/v1/me/verification",
    tag = "accounts",
    request_body(content = SignUpForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "已重新提交", body = Verification),
        (status = 409, description = "当前申请不是退回状态", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn resubmit(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    form: Multipart,
) -> AppResult<(StatusCode, Json<Verification>)> {
    let s = read_application(form).await?;
    state
        .services
        .resubmit_verification(&ctx, &signed.auth.actor, s.application)
        .await?;
    let v = state
        .services
        .my_verification(&signed.auth.actor)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(body(&v))))
}

/// The document of one's own application.
#[utoipa::path(
    get,
    path = "/api/v1/me/verification/document",
    tag = "accounts",
    responses((status = 200, description = "证明材料", content_type = "application/octet-stream"))
)]
pub async fn my_document(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    let v = state
        .services
        .my_verification(&signed.auth.actor)
        .await?
        .ok_or(AppError::NotFound)?;
    document_response(&state, &signed, v.id).await
}

pub async fn document_response(state: &AppState, signed: &Signed, id: i64) -> AppResult<Response> {
    let (name, kind, bytes) = state
        .services
        .verification_document(&signed.auth.actor, id)
        .await?;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = crate::api::rfc5987(&name);
    let disposition = if shown_inline(&kind) {
        "inline"
    } else {
        "attachment"
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            // An uploaded file is somebody else's content: even shown in a tab, it runs no
            // script, reaches nothing, and is never taken for another type.
            (
                header::CONTENT_SECURITY_POLICY,
                UPLOAD_CONTENT_SECURITY_POLICY.to_string(),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The policy every served upload carries.
pub const UPLOAD_CONTENT_SECURITY_POLICY: &str = "sandbox; default-src 'none'";

/// Only a safe image or a PDF is shown in the browser; anything else is downloaded.
fn shown_inline(kind: &str) -> bool {
    matches!(kind, "application/pdf" | "image/png" | "image/jpeg")
}

/// The applications of the reviewer's region in a status (default `pending`), oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/verifications",
    tag = "administration",
    params(
        ("status" = Option<String>, Query, description = "pending、approved 或 returned"),
        Paging,
        crate::api::sorting::VerificationSort
    ),
    responses((status = 200, description = "待审核的实名认证", body = Page<Verification>))
)]
pub async fn queue(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<Verification>>> {
    let paging = Paging::from_query(&q)?;
    let order = crate::api::sorting::VerificationSort::SPEC.from_query(&q)?;
    let status = q.get("status").map(String::as_str).unwrap_or("pending");
    let (rows, total) = state
        .services
        .verification_queue_sorted(
            &signed.auth.actor,
            status,
            order,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for v in &rows {
        items.push(reviewed_body(&state, v).await?);
    }
    Ok(Json(Page {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// One application (404 outside the reviewer's region).
#[utoipa::path(
    get,
    path = "/api/v1/verifications/{id}",
    tag = "administration",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "申请", body = Verification),
        (status = 404, description = "不存在或不在本辖区", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Verification>> {
    let v = state.services.verification(&signed.auth.actor, id).await?;
    Ok(Json(reviewed_body(&state, &v).await?))
}

/// The supporting document of an application.
#[utoipa::path(
    get,
    path = "/api/v1/verifications/{id}/document",
    tag = "administration",
    params(("id" = i64, Path)),
    responses((status = 200, description = "证明材料", content_type = "application/octet-stream"))
)]
pub async fn document(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    document_response(&state, &signed, id).await
}

/// Approves an application, or returns it with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/verifications/{id}/review",
    tag = "administration",
    params(("id" = i64, Path)),
    request_body = VerificationReview,
    responses(
        (status = 200, description = "已处理", body = Verification),
        (status = 409, description = "已被处理；或该信用代码已有企业而未选择 further_account（credit_code_taken）", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "退回须说明理由", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn review(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body_in): ApiJson<VerificationReview>,
) -> AppResult<Json<Verification>> {
    let approve = body_in.decision.approves();
    let v = state
        .services
        .review_verification_with(
            &ctx,
            &signed.auth.actor,
            id,
            approve,
            body_in.reason.as_deref(),
            body_in.further_account,
        )
        .await?;
    Ok(Json(body(&v)))
}
