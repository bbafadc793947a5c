//! `/api/v1/users`: the system administrator's account management.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::accounts::{
    NewUser, PasswordSetup, SetupSent, User, UserContact, UserGrant, UserStatus,
};
use zhichan_api::panels::{ExpertProfile, ExpertProfileEdit};
use zhichan_api::{Page, Problem};
use zhichan_service::accounts::{mask_contact, NewAccount};
use zhichan_service::experts::ProfileInput;
use zhichan_store::experts::StoredProfile;

/// The expert profile answered on the user resource.
pub fn expert_body(p: &StoredProfile) -> ExpertProfile {
    ExpertProfile {
        unit_credit_code: p.unit_credit_code.clone(),
        unit_name: p.unit_name.clone(),
        fields: p.fields.clone(),
        version: p.version,
    }
}

/// An account as answered, with its expert profile when `profiles` has one for it.
pub fn user_body(u: &zhichan_store::users::User, profiles: &[StoredProfile]) -> User {
    User {
        expert: profiles.iter().find(|p| p.user_id == u.id).map(expert_body),
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.into(),
        region: u.region.map(|r| r.to_string()),
        enterprise: u.enterprise.clone(),
        verification: crate::api::session::verification_state(&u.verification),
        disabled: u.disabled,
        locked_until: u.locked_until.map(|t| t.to_string()),
        second_factor: u.totp_enabled,
        must_change_password: u.must_change_password,
        created_at: u.created_at.to_string(),
        version: u.version,
        contact: mask_contact(&u.contact),
        granted: u.granted,
    }
}

/// One account as answered, its expert profile read.
async fn answer(
    state: &AppState,
    signed: &Signed,
    u: &zhichan_store::users::User,
) -> AppResult<User> {
    let profiles = state
        .services
        .expert_profiles(&signed.auth.actor, &[u.id])
        .await?;
    Ok(user_body(u, &profiles))
}

async fn sent_body(
    state: &AppState,
    signed: &Signed,
    s: &zhichan_service::accounts::SetupSent,
) -> AppResult<SetupSent> {
    Ok(SetupSent {
        user: answer(state, signed, &s.user).await?,
        sent_to: s.sent_to.clone(),
    })
}

/// Accounts, by username or as `sort` asks; filter by `role` or a part of the username (`q`).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "administration",
    params(
        ("role" = Option<String>, Query, description = "角色"),
        ("q" = Option<String>, Query, description = "用户名包含"),
        Paging,
        crate::api::sorting::UserSort
    ),
    responses(
        (status = 200, description = "用户列表", body = Page<User>),
        (status = 403, description = "无权查看", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<User>>> {
    let paging = Paging::from_query(&query)?;
    let order = crate::api::sorting::UserSort::SPEC.from_query(&query)?;
    let role = match query.get("role").filter(|r| !r.is_empty()) {
        Some(r) => Some(
            r.parse()
                .map_err(|v| zhichan_service::ServiceError::invalid("role", v))?,
        ),
        None => None,
    };
    let (users, total) = state
        .services
        .list_users_sorted(
            &signed.auth.actor,
            role,
            query.get("q").map(String::as_str),
            order,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let profiles = state
        .services
        .expert_profiles(&signed.auth.actor, &ids)
        .await?;
    Ok(Json(Page {
        items: users.iter().map(|u| user_body(u, &profiles)).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Creates an account (the system administrator). It can do nothing until the security
/// administrator grants its role and region; its owner sets the first password with a
/// one-time code sent to `contact`. No password or code is answered.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "administration",
    request_body = NewUser,
    responses(
        (status = 201, description = "已创建，设置码已发往本人联系方式", body = SetupSent),
        (status = 403, description = "无权创建（三员账号只能在服务器上创建）", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(body): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<SetupSent>)> {
    let sent = state
        .services
        .create_user(
            &signed.auth.actor,
            &ctx,
            NewAccount {
                username: body.username,
                display_name: body.display_name,
                role: body.role.as_str().into(),
                region: body.region,
                enterprise: body.enterprise,
                password: body.password,
                contact: body.contact,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(sent_body(&state, &signed, &sent).await?),
    ))
}

/// Grants an account its business role and region (the security administrator).
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/grant",
    tag = "administration",
    params(("id" = i64, Path)),
    request_body = UserGrant,
    responses(
        (status = 200, description = "已授权", body = User),
        (status = 403, description = "无权授权", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn grant(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UserGrant>,
) -> AppResult<Json<User>> {
    let user = state
        .services
        .grant_user(
            &signed.auth.actor,
            &ctx,
            id,
            body.role.as_str(),
            body.region.as_deref(),
            body.enterprise.as_deref(),
            body.version,
        )
        .await?;
    Ok(Json(answer(&state, &signed, &user).await?))
}

/// The owner sets the password with the one-time code sent to them (no login needed).
#[utoipa::path(
    post,
    path = "/api/v1/password-setup",
    tag = "accounts",
    security(()),
    request_body = PasswordSetup,
    responses(
        (status = 204, description = "密码已设置，请登录"),
        (status = 422, description = "设置码无效或密码不合要求", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "尝试过于频繁", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn password_setup(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    ApiJson(body): ApiJson<PasswordSetup>,
) -> AppResult<StatusCode> {
    state
        .services
        .complete_password_setup(&ctx, &body.code, &body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One account.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    tag = "administration",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "用户", body = User),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<User>> {
    let user = state.services.get_user(&signed.auth.actor, id).await?;
    Ok(Json(answer(&state, &signed, &user).await?))
}

/// Disables or enables an account (with the `version` it is based on).
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/status",
    tag = "administration",
    params(("id" = i64, Path)),
    request_body = UserStatus,
    responses(
        (status = 200, description = "已更新", body = User),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn set_status(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UserStatus>,
) -> AppResult<Json<User>> {
    let user = state
        .services
        .set_user_disabled(&signed.auth.actor, &ctx, id, body.disabled, body.version)
        .await?;
    Ok(Json(answer(&state, &signed, &user).await?))
}

/// The security administrator changes where the account's one-time setup codes go (with the
/// `version` it is based on): every code still open for the account is cancelled. Answered
/// with the contact masked.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/contact",
    tag = "administration",
    params(("id" = i64, Path)),
    request_body = UserContact,
    responses(
        (status = 200, description = "已更新", body = User),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn set_contact(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UserContact>,
) -> AppResult<Json<User>> {
    let user = state
        .services
        .change_user_contact(&signed.auth.actor, &ctx, id, &body.contact, body.version)
        .await?;
    Ok(Json(answer(&state, &signed, &user).await?))
}

/// Lifts a lock after failed logins.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/unlock",
    tag = "administration",
    params(("id" = i64, Path)),
    responses((status = 204, description = "已解锁"))
)]
pub async fn unlock(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    state
        .services
        .unlock_user(&signed.auth.actor, &ctx, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resets the password: the old one stops working, the account's sessions and tokens end, and a
/// one-time setup code goes to the owner's own contact (answered masked, never the code).
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password-reset",
    tag = "administration",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "设置码已发往本人联系方式", body = SetupSent),
        (status = 422, description = "账号没有登记联系方式", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<SetupSent>> {
    let sent = state
        .services
        .reset_user_password(&signed.auth.actor, &ctx, id)
        .await?;
    Ok(Json(sent_body(&state, &signed, &sent).await?))
}

/// Sets an expert account's unit (统一社会信用代码 and name) and fields (GB/T 4754-2017 codes,
/// any level): the system administrator, with the profile's `version` (0 before the first).
/// Conflicts of interest are decided by the unit; panels suggest experts by their fields.
#[utoipa::path(
    put,
    path = "/api/v1/users/{id}/expert",
    tag = "administration",
    params(("id" = i64, Path)),
    request_body = ExpertProfileEdit,
    responses(
        (status = 200, description = "已保存", body = User),
        (status = 403, description = "无权修改（系统管理员维护）", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误，或账号不是专家（not_expert）", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn set_expert(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ExpertProfileEdit>,
) -> AppResult<Json<User>> {
    state
        .services
        .set_expert_profile(
            &signed.auth.actor,
            &ctx,
            id,
            ProfileInput {
                unit_credit_code: body.unit_credit_code,
                unit_name: body.unit_name,
                fields: body.fields,
            },
            body.version,
        )
        .await?;
    let user = state.services.get_user(&signed.auth.actor, id).await?;
    Ok(Json(answer(&state, &signed, &user).await?))
}
