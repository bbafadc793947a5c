//! `/api/v1/enterprises`: enterprise profiles, scoped to the caller.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::enterprises::{
    AccountSetup, AddedEnterpriseAccount, AmendmentQueueItem, AmendmentReview, Contact, Enterprise,
    EnterpriseAccount, EnterpriseAmendment, EnterprisePatch, EnterpriseVersion, NewEnterprise,
    NewEnterpriseAccount, Qualification,
};
use zhichan_api::{Page, Problem};
use zhichan_domain::enterprises::format_date;
use zhichan_service::enterprise_accounts::NewColleague;
use zhichan_service::enterprise_amendments::reviewed_in;
use zhichan_service::enterprises::{EnterpriseInput, QualificationInput};
use zhichan_store::enterprise_amendments::Amendment;
use zhichan_store::enterprises::Enterprise as Stored;

/// A change under review as the API shows it.
pub fn amendment_body(a: &Amendment, current: zhichan_domain::RegionCode) -> EnterpriseAmendment {
    EnterpriseAmendment {
        status: zhichan_api::enterprises::EnterpriseAmendmentStatus::parse(&a.status)
            .unwrap_or(zhichan_api::enterprises::EnterpriseAmendmentStatus::Submitted),
        name: a.name.clone(),
        region: a.region.map(|r| r.to_string()),
        reviewed_in: reviewed_in(a, current).to_string(),
        requested_by: a.requested_by.clone(),
        requested_at: a.requested_at.to_string(),
        reviewed_by: a.reviewed_by.clone(),
        reviewed_at: a.reviewed_at.map(|t| t.to_string()),
        reason: a.reason.clone(),
    }
}

/// A profile with its change under review.
pub fn body_with(e: &Stored, a: Option<&Amendment>) -> Enterprise {
    Enterprise {
        amendment: a.map(|a| amendment_body(a, e.region)),
        ..body(e)
    }
}

/// A qualification as the API shows it, with its review.
pub(crate) fn qualification_body(q: &zhichan_domain::enterprises::Qualification) -> Qualification {
    Qualification {
        kind: q.kind.into(),
        level: q.level.into(),
        valid_from: q.valid_from.map(format_date),
        valid_to: q.valid_to.map(format_date),
        certificate: q.certificate.clone(),
        review: Some(q.review.into()),
        review_reason: q.review_reason.clone(),
    }
}

/// A profile (without its change under review: see [`body_with`]).
pub fn body(e: &Stored) -> Enterprise {
    Enterprise {
        credit_code: e.credit_code.clone(),
        name: e.name.clone(),
        region: e.region.to_string(),
        address: e.address.clone(),
        scale: e.scale.into(),
        ownership: e.ownership.into(),
        industry: e.industry.to_string(),
        qualifications: e.qualifications.iter().map(qualification_body).collect(),
        contact: Contact {
            name: e.contact_name.clone(),
            phone: e.contact_phone.clone(),
            email: e.contact_email.clone(),
        },
        version: e.version,
        updated_at: e.updated_at.to_string(),
        amendment: None,
    }
}

fn qualification_inputs(list: Vec<Qualification>) -> Vec<QualificationInput> {
    list.into_iter()
        .map(|q| QualificationInput {
            kind: q.kind.as_str().into(),
            level: q.level.as_str().into(),
            valid_from: q.valid_from,
            valid_to: q.valid_to,
            certificate: q.certificate,
        })
        .collect()
}

/// Creates a profile: an enterprise user for its own credit code, a reviewer inside its region.
#[utoipa::path(
    post,
    path = "/api/v1/enterprises",
    tag = "registration",
    request_body = NewEnterprise,
    responses(
        (status = 201, description = "已创建", body = Enterprise),
        (status = 404, description = "不在本人或本辖区范围内", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "该统一社会信用代码的企业已存在（credit_code_taken）", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误（invalid_credit_code、invalid_region、invalid_industry 等）", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(b): ApiJson<NewEnterprise>,
) -> AppResult<(StatusCode, Json<Enterprise>)> {
    let input = EnterpriseInput {
        credit_code: b.credit_code,
        name: b.name,
        region: b.region.unwrap_or_default(),
        address: b.address,
        scale: b.scale.as_str().into(),
        ownership: b.ownership.as_str().into(),
        industry: b.industry,
        contact_name: b.contact.name,
        contact_phone: b.contact.phone,
        contact_email: b.contact.email,
        qualifications: qualification_inputs(b.qualifications),
    };
    let e = state
        .services
        .create_enterprise(&signed.auth.actor, &ctx, input)
        .await?;
    Ok((StatusCode::CREATED, Json(body(&e))))
}

/// The profiles the caller may see, by name or as `sort` asks; `q` filters by a part of the name.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises",
    tag = "registration",
    params(
        ("q" = Option<String>, Query, description = "名称包含"),
        ("format" = Option<String>, Query, description = "json（默认）或 xlsx：全部匹配的企业（不分页），流式发送"),
        Paging,
        crate::api::sorting::EnterpriseSort
    ),
    responses((status = 200, description = "企业列表", body = Page<Enterprise>))
)]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let order = crate::api::sorting::EnterpriseSort::SPEC.from_query(&q)?;
    // Checked for the export too, though it sends every match: a bad page is refused either way.
    let paging = Paging::from_query(&q)?;
    if q.get("format").map(String::as_str) == Some("xlsx") {
        let file = state
            .services
            .export_enterprises(
                &signed.auth.actor,
                q.get("q").map(String::as_str),
                crate::locale::current(),
            )
            .await?;
        return crate::api::products::stream_file(
            file,
            &format!("{}.xlsx", crate::locale::t("企业")),
        )
        .await;
    }
    let (rows, total) = state
        .services
        .enterprises_sorted(
            &signed.auth.actor,
            q.get("q").map(String::as_str),
            order,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let open = state.services.amendments_of(&rows).await?;
    Ok(Json(Page {
        items: rows.iter().map(|e| body_with(e, open.get(&e.id))).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
    .into_response())
}

/// One profile (404 outside the caller's scope).
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{credit_code}",
    tag = "registration",
    params(("credit_code" = String, Path, description = "统一社会信用代码")),
    responses(
        (status = 200, description = "企业信息", body = Enterprise),
        (status = 404, description = "不存在或不在范围内", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<Json<Enterprise>> {
    let (e, a) = state
        .services
        .enterprise_with_amendment(&signed.auth.actor, &code)
        .await?;
    Ok(Json(body_with(&e, a.as_ref())))
}

/// Changes the fields given, if `version` is still current (409 otherwise). A new `name` or
/// `region` is not saved at once: it becomes the `amendment` under review (a move is reviewed by
/// the destination region), and the registered ones stay in force until it is approved.
#[utoipa::path(
    patch,
    path = "/api/v1/enterprises/{credit_code}",
    tag = "registration",
    params(("credit_code" = String, Path)),
    request_body = EnterprisePatch,
    responses(
        (status = 200, description = "已保存为新版本（名称、注册地的变更待审核，见 amendment）", body = Enterprise),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    ApiJson(p): ApiJson<EnterprisePatch>,
) -> AppResult<Json<Enterprise>> {
    let e = state
        .services
        .update_enterprise(&signed.auth.actor, &ctx, &code, p.version, move |i| {
            if let Some(v) = p.name {
                i.name = v;
            }
            if let Some(v) = p.region {
                i.region = v;
            }
            if let Some(v) = p.address {
                i.address = v;
            }
            if let Some(v) = p.scale {
                i.scale = v.as_str().into();
            }
            if let Some(v) = p.ownership {
                i.ownership = v.as_str().into();
            }
            if let Some(v) = p.industry {
                i.industry = v;
            }
            if let Some(v) = p.qualifications {
                i.qualifications = qualification_inputs(v);
            }
            if let Some(c) = p.contact {
                i.contact_name = c.name;
                i.contact_phone = c.phone;
                i.contact_email = c.email;
            }
        })
        .await?;
    let (e, a) = state
        .services
        .enterprise_with_amendment(&signed.auth.actor, &e.credit_code)
        .await?;
    Ok(Json(body_with(&e, a.as_ref())))
}

/// Every saved version of a profile, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{credit_code}/history",
    tag = "registration",
    params(("credit_code" = String, Path)),
    responses((status = 200, description = "历史版本", body = Vec<EnterpriseVersion>))
)]
pub async fn history(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<Json<Vec<EnterpriseVersion>>> {
    let versions = state
        .services
        .enterprise_history(&signed.auth.actor, &code)
        .await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| EnterpriseVersion {
                version: v.version,
                changed_by: v.changed_by,
                changed_at: v.changed_at.to_string(),
                profile: serde_json::from_str(&v.snapshot).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    ))
}

/// Approves the enterprise's change of name or region, or returns it with a reason. Decided by
/// a reviewer of the region it concerns: the destination of a move, else the enterprise's own
/// (404 for anyone else).
#[utoipa::path(
    post,
    path = "/api/v1/enterprises/{credit_code}/amendment/review",
    tag = "registration",
    params(("credit_code" = String, Path)),
    request_body = AmendmentReview,
    responses(
        (status = 200, description = "已处理：通过则新名称、注册地生效", body = Enterprise),
        (status = 404, description = "没有待审核的变更，或不由本辖区审核", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已被处理", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "退回须说明理由", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn review_amendment(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<AmendmentReview>,
) -> AppResult<Json<Enterprise>> {
    let approve = b.decision == zhichan_api::Decision::Approve;
    let e = state
        .services
        .review_enterprise_amendment(
            &signed.auth.actor,
            &ctx,
            &code,
            approve,
            b.reason.as_deref(),
        )
        .await?;
    Ok(Json(body(&e)))
}

/// Discards the enterprise's change under review (or returned); the registered facts stay.
#[utoipa::path(
    delete,
    path = "/api/v1/enterprises/{credit_code}/amendment",
    tag = "registration",
    params(("credit_code" = String, Path)),
    responses(
        (status = 204, description = "已撤回"),
        (status = 404, description = "没有待审核的变更", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn discard_amendment(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<StatusCode> {
    state
        .services
        .discard_enterprise_amendment(&signed.auth.actor, &ctx, &code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The changes of name or region that concern the reviewer's region: those it decides (name
/// changes of its enterprises, moves into it) and, marked `reviewable: false`, moves out of it.
#[utoipa::path(
    get,
    path = "/api/v1/enterprise-amendments",
    tag = "registration",
    responses((status = 200, description = "待审核的企业信息变更", body = Vec<AmendmentQueueItem>))
)]
pub async fn amendment_queue(
    State(state): State<AppState>,
    signed: Signed,
) -> AppResult<Json<Vec<AmendmentQueueItem>>> {
    let items = state
        .services
        .enterprise_amendment_queue(&signed.auth.actor)
        .await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| AmendmentQueueItem {
                amendment: amendment_body(&i.queued.amendment, i.queued.enterprise_region),
                credit_code: i.queued.credit_code,
                name: i.queued.enterprise_name,
                region: i.queued.enterprise_region.to_string(),
                reviewable: i.reviewable,
            })
            .collect(),
    ))
}

/// The enterprise's accounts.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{credit_code}/accounts",
    tag = "registration",
    params(("credit_code" = String, Path)),
    responses(
        (status = 200, description = "本企业的账号", body = Vec<EnterpriseAccount>),
        (status = 404, description = "不存在或不在范围内", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn accounts(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> AppResult<Json<Vec<EnterpriseAccount>>> {
    let list = state
        .services
        .enterprise_accounts(&signed.auth.actor, &code)
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|a| EnterpriseAccount {
                user_id: a.user.id,
                username: a.user.username,
                display_name: a.user.display_name,
                verification: crate::api::session::verification_state(&a.user.verification),
                disabled: a.user.disabled,
                setup_until: a.setup_until.map(|t| t.to_string()),
            })
            .collect(),
    ))
}

/// Adds a further account to the enterprise: by its own account or a reviewer of its region.
/// A one-time code, with which the holder chooses the password, goes to the holder's own
/// contact only: whoever adds the account learns neither the code nor the password.
#[utoipa::path(
    post,
    path = "/api/v1/enterprises/{credit_code}/accounts",
    tag = "registration",
    params(("credit_code" = String, Path)),
    request_body = NewEnterpriseAccount,
    responses(
        (status = 201, description = "已添加；设置密码的代码已发往账号持有人本人的联系方式", body = AddedEnterpriseAccount),
        (status = 404, description = "不存在或不在范围内", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "用户名有误或已被使用", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn add_account(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<NewEnterpriseAccount>,
) -> AppResult<(StatusCode, Json<AddedEnterpriseAccount>)> {
    let added = state
        .services
        .add_enterprise_account(
            &signed.auth.actor,
            &ctx,
            &code,
            NewColleague {
                username: b.username,
                display_name: b.display_name.unwrap_or_default(),
                contact: b.contact,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(AddedEnterpriseAccount {
            user_id: added.user.id,
            username: added.user.username,
            sent_to: added.sent_to,
            setup_expires_at: added.expires_at.to_string(),
        }),
    ))
}

/// The holder of an added account chooses its password with the one-time code, then logs in.
#[utoipa::path(
    post,
    path = "/api/v1/account-setup",
    tag = "accounts",
    security(()),
    request_body = AccountSetup,
    responses(
        (status = 204, description = "密码已设置，可以登录"),
        (status = 422, description = "代码无效、已使用或已过期，或密码不合要求", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn account_setup(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    ApiJson(b): ApiJson<AccountSetup>,
) -> AppResult<StatusCode> {
    state
        .services
        .complete_account_setup(&ctx, &b.username, &b.code, &b.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
