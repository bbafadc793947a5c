//! `/api/v1/users`: the system administrator's account management.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use zhichan_api::accounts::{NewUser, User, UserStatus, UserWithPassword};
use zhichan_api::{Page, Problem};
use zhichan_service::accounts::NewAccount;

pub fn user_body(u: &zhichan_store::users::User) -> User {
    User {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.as_str().into(),
        region: u.region.map(|r| r.to_string()),
        enterprise: u.enterprise.clone(),
        verification: u.verification.clone(),
        disabled: u.disabled,
        locked_until: u.locked_until.map(|t| t.to_string()),
        second_factor: u.totp_enabled,
        must_change_password: u.must_change_password,
        created_at: u.created_at.to_string(),
        version: u.version,
    }
}

/// Accounts, by username; filter by `role` or a part of the username (`q`).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "administration",
    params(
        ("role" = Option<String>, Query, description = "角色"),
        ("q" = Option<String>, Query, description = "用户名包含"),
        Paging
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
    let role = match query.get("role").filter(|r| !r.is_empty()) {
        Some(r) => Some(
            r.parse()
                .map_err(|v| zhichan_service::ServiceError::invalid("role", v))?,
        ),
        None => None,
    };
    let (users, total) = state
        .services
        .list_users(
            &signed.auth.actor,
            role,
            query.get("q").map(String::as_str),
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

/// Creates an account. Its password must be changed at first login.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "administration",
    request_body = NewUser,
    responses(
        (status = 201, description = "已创建", body = UserWithPassword),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(body): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<UserWithPassword>)> {
    let (user, temporary_password) = state
        .services
        .create_user(
            &signed.auth.actor,
            &ctx,
            NewAccount {
                username: body.username,
                display_name: body.display_name,
                role: body.role,
                region: body.region,
                enterprise: body.enterprise,
                password: body.password,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(UserWithPassword {
            user: user_body(&user),
            temporary_password,
        }),
    ))
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

/// Sets a temporary password (shown once) that must be changed at the next login.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password-reset",
    tag = "administration",
    params(("id" = i64, Path)),
    responses((status = 200, description = "临时密码", body = UserWithPassword))
)]
pub async fn reset_password(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<UserWithPassword>> {
    let password = state
        .services
        .reset_user_password(&signed.auth.actor, &ctx, id)
        .await?;
    let user = state.services.get_user(&signed.auth.actor, id).await?;
    Ok(Json(UserWithPassword {
        user: user_body(&user),
        temporary_password: Some(password),
    }))
}
