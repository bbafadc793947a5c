//! Logging in and out in the browser, and "my account": password, second factor, sessions.

use super::{render, Chrome};
use crate::api::session::session_infos;
use crate::auth::{clear_cookie, is_secure, session_cookie, session_token, RequestCtx, Signed};
use crate::error::AppResult;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;
use zhichan_api::accounts::SessionInfo;
use zhichan_domain::Timestamp;
use zhichan_service::accounts::Restriction;
use zhichan_service::ServiceError;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub message: Option<String>,
    pub username: String,
    pub next: String,
    pub errors: super::forms::FormErrors,
}

/// Where the login form's fields are.
fn login_field(field: &str) -> Option<(String, String)> {
    super::forms::table(&[
        ("username", "username", "用户名"),
        ("password", "password", "密码"),
        ("totp", "totp", "动态验证码"),
    ])(field)
}

/// Only a path on this site may be a redirect target after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_whitespace() || c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_on_this_site_are_followed_after_login() {
        assert_eq!(safe_next(Some("/account?x=1")), "/account?x=1");
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "https://evil.example",
            "/a b",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

pub fn login_page(
    status: StatusCode,
    message: Option<String>,
    username: String,
    next: String,
) -> Response {
    render(
        status,
        &LoginPage {
            chrome: Chrome::new("登录", "/login"),
            message,
            username,
            next,
            errors: super::forms::FormErrors::none(),
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(Some(&form.next));
    let totp = Some(form.totp.as_str()).filter(|t| !t.trim().is_empty());
    match state
        .services
        .login(
            &ctx,
            &form.username,
            &form.password,
            totp,
            session_token(&state, &headers),
        )
        .await
    {
        Ok(logged) => {
            let to = match logged.auth.restriction {
                Some(Restriction::ChangePassword) => "/account/password".to_string(),
                Some(Restriction::EnrolSecondFactor) => "/account/totp".to_string(),
                None => next,
            };
            let mut res = Redirect::to(&to).into_response();
            res.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(is_secure(&state, &headers), &logged.token),
            );
            res
        }
        Err(ServiceError::Invalid(v)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LoginPage {
                chrome: Chrome::new("登录", "/login"),
                message: None,
                username: form.username,
                next,
                errors: super::forms::FormErrors::from_violations(v, &login_field),
            },
        ),
        Err(e) => {
            let (status, message) = match e {
                ServiceError::BadCredentials => {
                    (StatusCode::UNAUTHORIZED, "用户名或密码不正确".to_string())
                }
                ServiceError::SecondFactorRequired => (
                    StatusCode::UNAUTHORIZED,
                    "此账号已启用双因素认证，请输入手机验证器上的 6 位动态验证码".to_string(),
                ),
                ServiceError::Locked(until) => (
                    StatusCode::LOCKED,
                    format!(
                        "连续登录失败次数过多，账号已锁定，请于 {}（北京时间）后再试，或联系系统管理员解锁",
                        until.beijing_minutes()
                    ),
                ),
                ServiceError::Disabled => (
                    StatusCode::FORBIDDEN,
                    "该账号已停用，请联系系统管理员".to_string(),
                ),
                ServiceError::TooManyRequests => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "尝试过于频繁，请一分钟后再试".to_string(),
                ),
                other => return crate::error::AppError::from(other).into_response(),
            };
            login_page(status, Some(message), form.username, next)
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    headers: HeaderMap,
    signed: Signed,
) -> AppResult<Response> {
    state.services.logout(&ctx, &signed.auth).await?;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        clear_cookie(is_secure(&state, &headers)),
    );
    Ok(res)
}

struct SessionRow {
    info: SessionInfo,
    created: String,
    last_seen: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    username: String,
    display_name: String,
    role: &'static str,
    region: String,
    enterprise: String,
    second_factor: bool,
    password_changed: String,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    csrf: String,
    notice: Option<&'static str>,
    /// The language chosen for the pages (`zh-Hans`, `zh-Hant`, `en`), empty: the browser's.
    locale_setting: String,
}

struct TokenRow {
    id: i64,
    label: String,
    created: String,
    expires: String,
    last_used: String,
    active: bool,
}

fn beijing(text: &str) -> String {
    Timestamp::parse(text).map_or_else(|| text.to_string(), |t| t.beijing_minutes())
}

pub async fn account(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let auth = &signed.auth;
    let sessions = session_infos(auth, state.services.my_sessions(auth).await?);
    let mut names = super::names::Names::new(&state);
    let region = match auth.user.region {
        Some(code) => names.region(code).await?,
        None => "—".into(),
    };
    let enterprise = match &auth.user.enterprise {
        Some(code) => match names.enterprise(&auth.actor, code).await? {
            name if name == *code => name,
            name => format!("{name}（{code}）"),
        },
        None => "—".into(),
    };
    let now = state.services.now();
    let tokens = state
        .services
        .my_tokens(auth)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            label: t.label,
            created: t.created_at.beijing_minutes(),
            expires: t.expires_at.beijing_minutes(),
            last_used: t
                .last_used_at
                .map(|x| x.beijing_minutes())
                .unwrap_or_else(|| "—".into()),
            active: t.revoked_at.is_none() && t.expires_at > now,
        })
        .collect();
    let notice = match q.get("done").map(String::as_str) {
        Some("token") => Some("访问令牌已吊销。"),
        Some("password") => Some("密码已修改，您的其他会话已结束。"),
        Some("totp") => Some("动态验证码已启用，今后登录需输入验证码。"),
        Some("session") => Some("会话已结束。"),
        Some("locale") => Some("界面语言已保存。"),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &AccountPage {
            chrome: Chrome::for_user("我的账号", "/account", Some(auth)),
            username: auth.user.username.clone(),
            display_name: auth.user.display_name.clone(),
            role: auth.actor.role.label_zh(),
            region,
            enterprise,
            second_factor: auth.user.totp_enabled,
            password_changed: auth.user.password_changed_at.beijing_minutes(),
            sessions: sessions
                .into_iter()
                .map(|s| SessionRow {
                    created: beijing(&s.created_at),
                    last_seen: beijing(&s.last_seen_at),
                    info: s,
                })
                .collect(),
            tokens,
            csrf: csrf_of(&signed),
            notice,
            locale_setting: auth.user.locale.clone().unwrap_or_default(),
        },
    ))
}

pub fn csrf_of(signed: &Signed) -> String {
    match &signed.auth.via {
        zhichan_service::accounts::Via::Session { csrf, .. } => csrf.clone(),
        zhichan_service::accounts::Via::Token { .. } => String::new(),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    forced: bool,
    csrf: String,
    errors: super::forms::FormErrors,
}

/// Where the password form's fields are.
fn password_field(field: &str) -> Option<(String, String)> {
    super::forms::table(&[
        ("current_password", "current_password", "当前密码"),
        ("new_password", "new_password", "新密码"),
        ("confirm_password", "confirm_password", "再次输入新密码"),
    ])(field)
}

fn password_page_for(
    signed: &Signed,
    status: StatusCode,
    errors: Vec<zhichan_service::FieldViolation>,
) -> Response {
    let errors = super::forms::FormErrors::from_violations(errors, &password_field);
    render(
        status,
        &PasswordPage {
            chrome: Chrome::for_user("修改密码", "/account", Some(&signed.auth)),
            forced: signed.auth.restriction == Some(Restriction::ChangePassword),
            csrf: csrf_of(signed),
            errors,
        },
    )
}

pub async fn password_page(signed: Signed) -> Response {
    password_page_for(&signed, StatusCode::OK, vec![])
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    if form.new_password != form.confirm_password {
        return Ok(password_page_for(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![zhichan_service::FieldViolation::new(
                "confirm_password",
                zhichan_domain::Violation::new("mismatch", "两次输入的新密码不一致", "mismatch"),
            )],
        ));
    }
    match state
        .services
        .change_password(
            &ctx,
            &signed.auth,
            &form.current_password,
            &form.new_password,
        )
        .await
    {
        Ok(()) => {
            let needs_totp = signed
                .auth
                .actor
                .role
                .requires_second_factor(signed.auth.user.region)
                && !signed.auth.user.totp_enabled;
            Ok(Redirect::to(if needs_totp {
                "/account/totp"
            } else {
                "/account?done=password"
            })
            .into_response())
        }
        Err(ServiceError::Invalid(v)) => Ok(password_page_for(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            v,
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    chrome: Chrome,
    forced: bool,
    enabled: bool,
    secret: String,
    qr_svg: String,
    csrf: String,
    error: Option<String>,
}

fn render_totp(
    signed: &Signed,
    status: StatusCode,
    pending: Option<(String, String)>,
    error: Option<String>,
) -> Response {
    let (secret, qr_svg) = pending.unwrap_or_default();
    render(
        status,
        &TotpPage {
            chrome: Chrome::for_user("动态验证码", "/account", Some(&signed.auth)),
            forced: signed.auth.restriction == Some(Restriction::EnrolSecondFactor),
            enabled: signed.auth.user.totp_enabled,
            secret,
            qr_svg,
            csrf: csrf_of(signed),
            error,
        },
    )
}

/// Shows the secret being enrolled, if one is; otherwise the button that starts enrolment. A
/// GET never changes anything.
pub async fn totp_page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    let user = state.services.get_own_user(&signed.auth).await?;
    let pending = user.totp_pending.map(|secret| {
        let qr = zhichan_service::accounts::qr_svg_for(&user.username, &secret);
        (secret, qr)
    });
    Ok(render_totp(&signed, StatusCode::OK, pending, None))
}

#[derive(Deserialize)]
pub struct TotpStartForm {
    #[serde(default)]
    password: String,
}

/// Starts enrolment: a new secret to scan.
pub async fn start_totp(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<TotpStartForm>,
) -> AppResult<Response> {
    match state
        .services
        .start_totp(&signed.auth, Some(form.password.as_str()))
        .await
    {
        Ok(e) => Ok(render_totp(
            &signed,
            StatusCode::OK,
            Some((e.secret, e.qr_svg)),
            None,
        )),
        Err(ServiceError::Invalid(v)) => {
            let msg = v.into_iter().next().map(|f| f.violation.message_zh);
            Ok(render_totp(
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                msg,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct TotpForm {
    code: String,
}

pub async fn confirm_totp(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<TotpForm>,
) -> AppResult<Response> {
    match state
        .services
        .confirm_totp(&ctx, &signed.auth, &form.code)
        .await
    {
        Ok(()) => Ok(Redirect::to("/account?done=totp").into_response()),
        Err(ServiceError::Invalid(v)) => {
            let message = v.into_iter().next().map(|f| f.violation.message_zh);
            // A wrong code keeps the secret being enrolled: show the same one again.
            totp_retry(&state, &signed, message).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn totp_retry(
    state: &AppState,
    signed: &Signed,
    error: Option<String>,
) -> AppResult<Response> {
    let user = state.services.get_own_user(&signed.auth).await?;
    let secret = user.totp_pending.unwrap_or_default();
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &TotpPage {
            chrome: Chrome::for_user("动态验证码", "/account", Some(&signed.auth)),
            forced: signed.auth.restriction == Some(Restriction::EnrolSecondFactor),
            enabled: user.totp_enabled,
            qr_svg: zhichan_service::accounts::qr_svg_for(&user.username, &secret),
            secret,
            csrf: csrf_of(signed),
            error,
        },
    ))
}

#[derive(Deserialize)]
pub struct EndSessionForm {
    id: String,
}

pub async fn end_session(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<EndSessionForm>,
) -> AppResult<Response> {
    state
        .services
        .end_my_session(&ctx, &signed.auth, &form.id)
        .await?;
    Ok(Redirect::to("/account?done=session").into_response())
}

#[derive(Deserialize)]
pub struct RevokeTokenForm {
    id: i64,
}

pub async fn revoke_token(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<RevokeTokenForm>,
) -> AppResult<Response> {
    state
        .services
        .revoke_my_token(&ctx, &signed.auth, form.id)
        .await?;
    Ok(Redirect::to("/account?done=token").into_response())
}

#[derive(Deserialize)]
pub struct LocaleForm {
    /// `zh-Hans`, `zh-Hant`, `en`, or empty to follow the browser.
    locale: String,
}

/// Keeps the language the person chose for the pages (`users.locale`).
pub async fn set_locale(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<LocaleForm>,
) -> AppResult<Response> {
    let locale = match form.locale.as_str() {
        "" => None,
        code => match crate::locale::Locale::parse(code).filter(|l| l.code() == code) {
            Some(l) => Some(l.code()),
            None => {
                return Err(crate::error::AppError::Invalid(vec![
                    zhichan_api::FieldError {
                        field: "locale".into(),
                        code: "invalid".into(),
                        message: "界面语言应为简体中文、繁體中文或 English".into(),
                    },
                ]))
            }
        },
    };
    zhichan_store::users::set_locale(state.services.db(), signed.auth.user.id, locale).await?;
    Ok(Redirect::to("/account?done=locale").into_response())
}
