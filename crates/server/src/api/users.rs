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
use zhichan_api::{Page, Problem};
use zhichan_service::accounts::{mask_contact, NewAccount};

pub fn user_body(u: &zhichan_store::users::User) -> User {
    User {
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

fn sent_body(s: &zhichan_service::accounts::SetupSent) -> SetupSent {
    SetupSent {
        user: user_body(&s.user),
        sent_to: s.sent_to.clone(),
    }
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
    Ok(Json(Page {
        items: users.iter().map(user_body).collect(),
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
    Ok((StatusCode::CREATED, Json(sent_body(&sent))))
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
    Ok(Json(user_body(&user)))
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
    Ok(Json(user_body(
        &state.services.get_user(&signed.auth.actor, id).await?,
    )))
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
    Ok(Json(user_body(&user)))
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
    Ok(Json(user_body(&user)))
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
    Ok(Json(sent_body(&sent)))
}
