//! `/api/v1/session` and `/api/v1/me`: logging in and out, and one's own account.

use crate::auth::{clear_cookie, is_secure, session_cookie, session_token, RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use zhichan_api::accounts::{
    ApiToken, LoginRequest, Me, PasswordChange, SessionInfo, TotpConfirm, TotpEnrolment, TotpStart,
};
use zhichan_api::Problem;
use zhichan_service::accounts::{Authenticated, Restriction, Via};

/// An account's stored verification state. The service writes one of the listed codes; an
/// unknown one (a row edited by hand) reads as still pending.
pub fn verification_state(stored: &str) -> zhichan_api::accounts::VerificationState {
    use zhichan_api::accounts::VerificationState;
    VerificationState::parse(stored).unwrap_or(VerificationState::Pending)
}

pub fn me_of(auth: &Authenticated) -> Me {
    let u = &auth.user;
    Me {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.into(),
        region: u.region.map(|r| r.to_string()),
        enterprise: u.enterprise.clone(),
        verification: verification_state(&u.verification),
        second_factor: u.totp_enabled,
        restriction: auth.restriction.map(|r| match r {
            Restriction::ChangePassword => zhichan_api::accounts::Restriction::ChangePassword,
            Restriction::EnrolSecondFactor => zhichan_api::accounts::Restriction::EnrolSecondFactor,
        }),
        csrf_token: match &auth.via {
            Via::Session { csrf, .. } => Some(csrf.clone()),
            Via::Token { .. } => None,
        },
    }
}

/// Logs in (browser style): sets the session cookie and answers the caller with its CSRF
/// token. A locked account answers 423 with the time it unlocks.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "accounts",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "已登录；Set-Cookie 携带会话", body = Me),
        (status = 401, description = "用户名或密码不正确，或需要动态验证码", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "账号已锁定", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "尝试过于频繁", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn login(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    let logged = state
        .services
        .login(
            &ctx,
            &body.username,
            &body.password,
            body.totp.as_deref(),
            session_token(&state, &headers),
        )
        .await?;
    let secure = is_secure(&state, &headers);
    let mut res = Json(me_of(&logged.auth)).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(secure, &logged.token));
    Ok(res)
}

/// Logs out: the session ends on the server and the cookie is cleared.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "accounts",
    responses((status = 204, description = "已退出"))
)]
pub async fn logout(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    headers: HeaderMap,
) -> AppResult<Response> {
    state.services.logout(&ctx, &signed.auth).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        clear_cookie(is_secure(&state, &headers)),
    );
    Ok(res)
}

/// The caller: username, role, region, enterprise.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    responses(
        (status = 200, description = "当前用户", body = Me),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn me(signed: Signed) -> Json<Me> {
    Json(me_of(&signed.auth))
}

/// Changes one's own password; the other sessions of the account end.
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "accounts",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "已修改"),
        (status = 422, description = "当前密码不正确或新密码不合规则", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(body): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    state
        .services
        .change_password(
            &ctx,
            &signed.auth,
            &body.current_password,
            &body.new_password,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts enrolling a second factor (TOTP): a new secret for the authenticator app.
#[utoipa::path(
    post,
    path = "/api/v1/me/totp",
    tag = "accounts",
    request_body = TotpStart,
    responses(
        (status = 200, description = "新的密钥", body = TotpEnrolment),
        (status = 422, description = "更换已启用的验证器须输入当前密码", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn start_totp(
    State(state): State<AppState>,
    signed: Signed,
    ApiJson(body): ApiJson<TotpStart>,
) -> AppResult<Json<TotpEnrolment>> {
    let e = state
        .services
        .start_totp(&signed.auth, body.password.as_deref())
        .await?;
    Ok(Json(TotpEnrolment {
        secret: e.secret,
        otpauth_url: e.otpauth_url,
    }))
}

/// Confirms the second factor with a code from the app.
#[utoipa::path(
    post,
    path = "/api/v1/me/totp/confirm",
    tag = "accounts",
    request_body = TotpConfirm,
    responses(
        (status = 204, description = "已启用"),
        (status = 422, description = "验证码不正确", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn confirm_totp(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(body): ApiJson<TotpConfirm>,
) -> AppResult<StatusCode> {
    state
        .services
        .confirm_totp(&ctx, &signed.auth, &body.code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn session_infos(
    auth: &Authenticated,
    sessions: Vec<zhichan_store::sessions::Session>,
) -> Vec<SessionInfo> {
    let current = match &auth.via {
        Via::Session { id_hash, .. } => Some(id_hash.clone()),
        Via::Token { .. } => None,
    };
    sessions
        .into_iter()
        .map(|s| SessionInfo {
            current: current.as_deref() == Some(s.id_hash.as_str()),
            id: s.id_hash,
            created_at: s.created_at.to_string(),
            last_seen_at: s.last_seen_at.to_string(),
            expires_at: s.expires_at.to_string(),
            ip: s.ip,
            user_agent: s.user_agent,
        })
        .collect()
}

/// The caller's open sessions, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/sessions",
    tag = "accounts",
    responses((status = 200, description = "会话列表", body = Vec<SessionInfo>))
)]
pub async fn sessions(
    State(state): State<AppState>,
    signed: Signed,
) -> AppResult<Json<Vec<SessionInfo>>> {
    let list = state.services.my_sessions(&signed.auth).await?;
    Ok(Json(session_infos(&signed.auth, list)))
}

/// Ends one of the caller's sessions (404 for anyone else's).
#[utoipa::path(
    delete,
    path = "/api/v1/me/sessions/{id}",
    tag = "accounts",
    params(("id" = String, Path, description = "会话标识")),
    responses(
        (status = 204, description = "已结束"),
        (status = 404, description = "没有这个会话", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn end_session(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    state
        .services
        .end_my_session(&ctx, &signed.auth, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's API tokens (issued with `zhichan token issue`), newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/tokens",
    tag = "accounts",
    responses((status = 200, description = "访问令牌", body = Vec<ApiToken>))
)]
pub async fn tokens(
    State(state): State<AppState>,
    signed: Signed,
) -> AppResult<Json<Vec<ApiToken>>> {
    let list = state.services.my_tokens(&signed.auth).await?;
    Ok(Json(
        list.into_iter()
            .map(|t| ApiToken {
                id: t.id,
                label: t.label,
                created_at: t.created_at.to_string(),
                expires_at: t.expires_at.to_string(),
                revoked_at: t.revoked_at.map(|x| x.to_string()),
                last_used_at: t.last_used_at.map(|x| x.to_string()),
            })
            .collect(),
    ))
}

/// Revokes one of the caller's tokens at once.
#[utoipa::path(
    delete,
    path = "/api/v1/me/tokens/{id}",
    tag = "accounts",
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "已吊销"),
        (status = 404, description = "没有这个令牌", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    state
        .services
        .revoke_my_token(&ctx, &signed.auth, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
