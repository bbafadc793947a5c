//! The system administrator's user management and the security administrator's policy page.

use super::forms::{self, FormErrors};
use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::AppResult;
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;
use zhichan_domain::access::{assignable_roles, grant, may_assign, Action, GRANTS};
use zhichan_domain::accounts::Role;
use zhichan_service::accounts::NewAccount;
use zhichan_service::security::SecuritySettings;
use zhichan_service::ServiceError;
use zhichan_store::users::User;

struct UserRow {
    user: User,
    role: &'static str,
    region: String,
    locked: bool,
    contact: String,
    /// Whether the security administrator may grant this account a role here.
    grantable: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    csrf: String,
    /// Only the accounts waiting for their grant are listed.
    pending: bool,
    can_manage: bool,
    can_grant: bool,
    rows: Vec<UserRow>,
    total: i64,
    q: String,
    role: String,
    roles: Vec<(&'static str, &'static str)>,
    /// The roles the viewer may create accounts with: exactly those the service
    /// allows ([`zhichan_domain::access::assignable_roles`]).
    create_roles: Vec<(&'static str, &'static str)>,
    listing: super::listing::Listing,
    notice: Option<String>,
    errors: super::forms::FormErrors,
    form: NewUserForm,
    /// The new account's region.
    new_region: super::pickers::Picker,
}

/// Where the fields of the new-account form are.
fn new_user_field(field: &str) -> Option<(String, String)> {
    super::forms::table(&[
        ("username", "n-username", "用户名"),
        ("display_name", "n-name", "姓名"),
        ("role", "n-role", "角色"),
        ("region", "n-region", "所辖地区"),
        ("contact", "n-contact", "本人手机号或电子邮箱"),
    ])(field)
}

#[derive(Deserialize, Default, Clone)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    enterprise: String,
    #[serde(default)]
    contact: String,
}

async fn users_page_for(
    state: &AppState,
    signed: &Signed,
    q: &HashMap<String, String>,
    status: StatusCode,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    form: NewUserForm,
) -> AppResult<Response> {
    let spec = crate::api::sorting::UserSort::SPEC;
    let (listing, paging) =
        super::listing::Listing::read("/admin/users", q, &spec, spec.default_order())?;
    let errors = {
        let mut e = super::forms::FormErrors::none();
        for (field, message) in errors {
            e.add(field, message, &new_user_field);
        }
        e
    };
    // The region's message is shown beside its picker (the summary links to it).
    let region_error = errors.beside("region");
    let new_region = super::pickers::Picker::region("n-region", "region", "所辖地区")
        .hint("管理部门和审核员账号必填：输入名称或代码，如“江西省”“抚州市”或 361000；全国为 100000。")
        .within(state, signed.auth.actor.region)
        .await?
        .value(state, &form.region)
        .await?
        .error(region_error);
    let role_filter: Option<Role> = q.get("role").and_then(|r| r.parse().ok());
    let text = q.get("q").cloned().unwrap_or_default();
    let viewer = signed.auth.actor.role;
    // The workbench's count of accounts waiting for their grant links here.
    let pending = q.get("pending").is_some_and(|p| p == "grant");
    let (users, total) = if pending {
        state
            .services
            .users_awaiting_grant(
                &signed.auth.actor,
                paging.per_page.into(),
                paging.offset() as i64,
            )
            .await?
    } else {
        state
            .services
            .list_users_sorted(
                &signed.auth.actor,
                role_filter,
                Some(&text),
                listing.chosen(),
                paging.per_page.into(),
                paging.offset() as i64,
            )
            .await?
    };
    let now = state.services.now();
    let mut names = super::names::Names::new(state);
    let mut rows = Vec::with_capacity(users.len());
    for u in users {
        rows.push(UserRow {
            role: u.role.label_zh(),
            region: match u.region {
                Some(r) => names.region(r).await?,
                None => "—".into(),
            },
            locked: u.locked_until.is_some_and(|t| t > now),
            contact: zhichan_service::accounts::mask_contact(&u.contact),
            grantable: may_assign(viewer, Action::GrantRoles, u.role),
            user: u,
        });
    }
    Ok(render(
        status,
        &UsersPage {
            chrome: Chrome::for_user("用户管理", "/admin/users", Some(&signed.auth)),
            csrf: csrf_of(signed),
            pending,
            can_manage: grant(signed.auth.actor.role, Action::ManageUsers).is_some(),
            can_grant: grant(signed.auth.actor.role, Action::GrantRoles).is_some(),
            rows,
            total,
            listing: listing.with_total(total),
            q: text,
            role: role_filter
                .map(|r| r.as_str().to_string())
                .unwrap_or_default(),
            roles: Role::ALL
                .iter()
                .map(|r| (r.as_str(), r.label_zh()))
                .collect(),
            create_roles: assignable_roles(viewer, Action::ManageUsers)
                .into_iter()
                .map(|r| (r.as_str(), r.label_zh()))
                .collect(),
            notice,
            errors,
            form,
            new_region,
        },
    ))
}

pub async fn users_page(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let notice = q.get("done").map(|d| match d.as_str() {
        "disable" => "账号已停用，其会话已结束。".to_string(),
        "enable" => "账号已启用。".to_string(),
        "unlock" => "账号已解锁。".to_string(),
        "grant" => "已授予角色与区域，立即生效。".to_string(),
        _ => "已完成。".to_string(),
    });
    users_page_for(
        &state,
        &signed,
        &q,
        StatusCode::OK,
        notice,
        vec![],
        NewUserForm::default(),
    )
    .await
}

pub async fn create_user(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(mut form): Form<NewUserForm>,
) -> AppResult<Response> {
    // The region is picked: a name typed without JavaScript is resolved to its code.
    let picked = super::pickers::region(&state, &form.region, signed.auth.actor.region).await?;
    if let Ok(Some(code)) = &picked {
        form.region = code.to_string();
    }
    let input = NewAccount {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        region: Some(form.region.clone()).filter(|s| !s.trim().is_empty()),
        enterprise: Some(form.enterprise.clone()).filter(|s| !s.trim().is_empty()),
        password: None,
        contact: Some(form.contact.clone()),
    };
    let none = HashMap::new();
    match state
        .services
        .create_user(&signed.auth.actor, &ctx, input)
        .await
    {
        Ok(sent) => {
            let notice = format!(
                "已创建账号 {}。一次性设置码已发往本人联系方式 {}，由本人设置密码；\
                 安全管理员授予角色与区域后账号方可办理业务。",
                sent.user.username, sent.sent_to
            );
            users_page_for(
                &state,
                &signed,
                &none,
                StatusCode::CREATED,
                Some(notice),
                vec![],
                NewUserForm::default(),
            )
            .await
        }
        Err(ServiceError::Invalid(v)) => {
            let mut errors: Vec<(String, String)> = v
                .into_iter()
                .map(|f| (f.field, f.violation.message_zh))
                .collect();
            if let Err(m) = picked {
                errors.retain(|e| e.0 != "region");
                errors.push(("region".into(), m));
            }
            users_page_for(
                &state,
                &signed,
                &none,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                errors,
                form,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct UserActionForm {
    op: String,
    #[serde(default)]
    version: i64,
}

pub async fn user_action(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<UserActionForm>,
) -> AppResult<Response> {
    let actor = &signed.auth.actor;
    let s = &state.services;
    match form.op.as_str() {
        "disable" | "enable" => {
            s.set_user_disabled(actor, &ctx, id, form.op == "disable", form.version)
                .await?;
        }
        "unlock" => s.unlock_user(actor, &ctx, id).await?,
        "reset" => {
            let notice = match s.reset_user_password(actor, &ctx, id).await {
                Ok(sent) => format!(
                    "已重置 {} 的密码：原密码、会话和访问令牌均已失效，一次性设置码已发往本人联系方式 {}。",
                    sent.user.username, sent.sent_to
                ),
                Err(ServiceError::Invalid(v)) => super::violations_text(v),
                Err(e) => return Err(e.into()),
            };
            return users_page_for(
                &state,
                &signed,
                &HashMap::new(),
                StatusCode::OK,
                Some(notice),
                vec![],
                NewUserForm::default(),
            )
            .await;
        }
        _ => return Ok(StatusCode::BAD_REQUEST.into_response()),
    }
    Ok(Redirect::to(&format!("/admin/users?done={}", form.op)).into_response())
}

#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    enterprise: String,
    #[serde(default)]
    version: i64,
}

/// The security administrator grants an account its role and region.
pub async fn grant_user(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<GrantForm>,
) -> AppResult<Response> {
    let some = |v: &str| Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_string);
    // A region typed by name is resolved; one that names nothing (or several) goes on as typed
    // and is refused by the service.
    let mut form = form;
    let typed_region = form.region.clone();
    match super::pickers::region(&state, &form.region, None).await? {
        Ok(Some(code)) => form.region = code.to_string(),
        Ok(None) => {}
        Err(message) => {
            // The picker's own words, naming what it could not find, beside the field.
            let mut errors = super::forms::FormErrors::none();
            errors.add("region", message, &grant_field);
            return user_page_for(
                &state,
                &signed,
                id,
                UserForms {
                    grant: Some((form.role, typed_region)),
                    grant_errors: errors,
                    ..UserForms::none()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    }
    match state
        .services
        .grant_user(
            &signed.auth.actor,
            &ctx,
            id,
            &form.role,
            some(&form.region).as_deref(),
            some(&form.enterprise).as_deref(),
            form.version,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/users?done=grant").into_response()),
        Err(ServiceError::Invalid(v)) => {
            let errors = super::forms::FormErrors::from_violations(v, &grant_field);
            user_page_for(
                &state,
                &signed,
                id,
                UserForms {
                    grant: Some((form.role, typed_region)),
                    grant_errors: errors,
                    ..UserForms::none()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            user_page_for(
                &state,
                &signed,
                id,
                UserForms {
                    grant: Some((form.role, typed_region)),
                    grant_errors: super::forms::FormErrors::general(m),
                    ..UserForms::none()
                },
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Where the grant form's fields are.
fn grant_field(field: &str) -> Option<(String, String)> {
    super::forms::table(&[
        ("role", "g-role", "角色"),
        ("region", "g-region", "所辖地区"),
    ])(field)
}

struct GrantRow {
    role: &'static str,
    cells: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "admin_security.html")]
struct SecurityPage {
    chrome: Chrome,
    csrf: String,
    can_manage: bool,
    actions: Vec<&'static str>,
    grants: Vec<GrantRow>,
    version: i64,
    settings: SecuritySettings,
    history: Vec<(i64, String, String, String)>,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn security_page_for(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let in_force = state.services.security_settings().await?;
    let history = state
        .services
        .security_history(&signed.auth.actor)
        .await?
        .into_iter()
        .map(|v| {
            (
                v.version,
                v.changed_at.beijing_minutes(),
                v.changed_by,
                v.reason,
            )
        })
        .collect();
    let grants = Role::ALL
        .iter()
        .map(|role| GrantRow {
            role: role.label_zh(),
            cells: Action::ALL
                .iter()
                .map(|a| grant(*role, *a).map_or("", |r| r.label_zh()))
                .collect(),
        })
        .collect();
    debug_assert!(!GRANTS.is_empty());
    Ok(render(
        status,
        &SecurityPage {
            chrome: Chrome::for_user("安全策略", "/admin/security", Some(&signed.auth)),
            csrf: csrf_of(signed),
            can_manage: grant(signed.auth.actor.role, Action::ManageSecurityPolicy).is_some(),
            actions: Action::ALL.iter().map(|a| a.label_zh()).collect(),
            grants,
            version: in_force.version,
            settings: in_force.settings,
            history,
            notice,
            errors,
        },
    ))
}

pub async fn security_page(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let notice = q
        .contains_key("saved")
        .then_some("安全策略已保存为新版本。");
    security_page_for(&state, &signed, StatusCode::OK, notice, vec![]).await
}

#[derive(Deserialize)]
pub struct SecurityForm {
    version: String,
    reason: String,
    #[serde(flatten)]
    values: HashMap<String, String>,
}

pub async fn update_security(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<SecurityForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let mut num = |name: &str| -> u32 {
        match form.values.get(name).map(|v| v.trim().parse::<u32>()) {
            Some(Ok(n)) => n,
            _ => {
                errors.push((
                    name.to_string(),
                    format!("{}：应为整数", setting_label(name)),
                ));
                0
            }
        }
    };
    let settings = SecuritySettings {
        max_failed_logins: num("max_failed_logins"),
        lockout_minutes: num("lockout_minutes"),
        password_days_admin: num("password_days_admin"),
        password_days_other: num("password_days_other"),
        session_idle_minutes: num("session_idle_minutes"),
        session_absolute_hours: num("session_absolute_hours"),
        login_attempts_per_minute: num("login_attempts_per_minute"),
        audit_retention_days: num("audit_retention_days"),
        signups_per_hour: num("signups_per_hour"),
        uploads_per_hour: num("uploads_per_hour"),
        verify_lookups_per_minute: num("verify_lookups_per_minute"),
    };
    if !errors.is_empty() {
        return security_page_for(
            &state,
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            errors,
        )
        .await;
    }
    match state
        .services
        .update_security_settings(
            &signed.auth.actor,
            &ctx,
            form.version.trim().parse().unwrap_or(-1),
            settings,
            &form.reason,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/security?saved=1").into_response()),
        Err(ServiceError::Invalid(v)) => {
            let errors = v
                .into_iter()
                .map(|f| {
                    (
                        f.field.clone(),
                        format!("{}：{}", setting_label(&f.field), f.violation.message_zh),
                    )
                })
                .collect();
            security_page_for(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                errors,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            security_page_for(
                &state,
                &signed,
                StatusCode::CONFLICT,
                None,
                vec![("version".into(), m)],
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The name of a security setting as the form shows it.
fn setting_label(field: &str) -> &str {
    match field {
        "max_failed_logins" => "连续登录失败锁定次数",
        "lockout_minutes" => "锁定时长",
        "password_days_admin" => "管理类账号密码有效期",
        "password_days_other" => "其他账号密码有效期",
        "session_idle_minutes" => "会话空闲超时",
        "session_absolute_hours" => "会话最长时长",
        "login_attempts_per_minute" => "同一地址每分钟登录尝试上限",
        "audit_retention_days" => "审计日志在线保留天数",
        "signups_per_hour" => "同一地址每小时注册上限",
        "uploads_per_hour" => "同一地址每小时上传上限",
        "verify_lookups_per_minute" => "同一地址每分钟备案查验上限",
        "reason" => "修改原因",
        other => other,
    }
}

/// An expert's unit and fields as typed on the user page.
#[derive(Clone, Debug, Default)]
struct ExpertTyped {
    unit_credit_code: String,
    unit_name: String,
    fields: Vec<String>,
}

/// The expert section of the user page: the profile by name, and the form when the viewer
/// keeps it.
struct ExpertSection {
    unit: String,
    fields: Vec<String>,
    version: i64,
    editable: bool,
    unit_credit_code: String,
    unit_name: String,
    pickers: Vec<super::pickers::Picker>,
    errors: super::forms::FormErrors,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    chrome: Chrome,
    csrf: String,
    d: zhichan_service::user_detail::UserDetail,
    role: &'static str,
    region: String,
    contact: String,
    status: Vec<(&'static str, &'static str)>,
    created: String,
    last_login: String,
    sessions: Vec<(String, String, String, String)>,
    grant_roles: Vec<(&'static str, &'static str)>,
    expert: Option<ExpertSection>,
    /// The contact form: what was typed, and what was wrong with it.
    contact_typed: String,
    errors: FormErrors,
    notice: Option<&'static str>,
    /// The grant form: the role chosen, the region picker, and what is wrong with them.
    grant_role: String,
    grant_region: super::pickers::Picker,
    grant_errors: FormErrors,
}

/// What the forms of the user page bring back: the expert's details and the contact, as typed,
/// with their problems, and a notice after a change.
struct UserForms {
    expert: Option<ExpertTyped>,
    expert_errors: FormErrors,
    contact: String,
    contact_errors: FormErrors,
    notice: Option<&'static str>,
    /// The grant form's role and region as chosen and typed.
    grant: Option<(String, String)>,
    grant_errors: FormErrors,
}

impl UserForms {
    fn none() -> Self {
        UserForms {
            expert: None,
            expert_errors: FormErrors::none(),
            contact: String::new(),
            contact_errors: FormErrors::none(),
            notice: None,
            grant: None,
            grant_errors: FormErrors::none(),
        }
    }
}

const CONTACT_FIELDS: &[(&str, &str, &str)] = &[("contact", "u-contact", "新的联系方式")];

/// One account: who, role, region, status, last login, open sessions, and the actions the
/// viewer may take on it.
pub async fn user_page(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let notice = (query.get("done").map(String::as_str) == Some("contact"))
        .then_some("联系方式已更改：此前发出、尚未使用的设置码均已作废。");
    user_page_for(
        &state,
        &signed,
        id,
        UserForms {
            notice,
            ..UserForms::none()
        },
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    contact: String,
    #[serde(default)]
    version: i64,
}

/// The security administrator changes where an account's one-time setup codes go; every code
/// still open for it is cancelled (as `POST /api/v1/users/{id}/contact`).
pub async fn change_contact(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<ContactForm>,
) -> AppResult<Response> {
    let (status, errors) = match state
        .services
        .change_user_contact(&signed.auth.actor, &ctx, id, &form.contact, form.version)
        .await
    {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/admin/users/{id}?done=contact")).into_response())
        }
        Err(ServiceError::Invalid(v)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::from_violations(v, &forms::table(CONTACT_FIELDS)),
        ),
        Err(ServiceError::Conflict(m)) => (StatusCode::CONFLICT, FormErrors::general(m)),
        Err(e) => return Err(e.into()),
    };
    let forms = UserForms {
        contact: form.contact,
        contact_errors: errors,
        ..UserForms::none()
    };
    user_page_for(&state, &signed, id, forms, status).await
}

async fn expert_section(
    state: &AppState,
    signed: &Signed,
    user: &User,
    typed: Option<ExpertTyped>,
    errors: super::forms::FormErrors,
) -> AppResult<Option<ExpertSection>> {
    if user.role != Role::Expert {
        return Ok(None);
    }
    let stored = state
        .services
        .expert_profile(&signed.auth.actor, user.id)
        .await?;
    let mut names = super::names::Names::new(state);
    let mut fields = Vec::new();
    for f in stored.iter().flat_map(|p| p.fields.iter()) {
        fields.push(format!("{}（{}）", names.industry(f).await?, f));
    }
    let shown = typed.unwrap_or_else(|| ExpertTyped {
        unit_credit_code: stored
            .as_ref()
            .map(|p| p.unit_credit_code.clone())
            .unwrap_or_default(),
        unit_name: stored
            .as_ref()
            .map(|p| p.unit_name.clone())
            .unwrap_or_default(),
        fields: stored
            .as_ref()
            .map(|p| p.fields.clone())
            .unwrap_or_default(),
    });
    // Every field on file and two more to add.
    let slots = shown.fields.len() + 2;
    let mut pickers = Vec::new();
    for i in 0..slots {
        let key = format!("fields[{i}]");
        let picker = super::pickers::Picker::industry(
            &format!("ex-field-{i}"),
            &format!("field{i}"),
            &format!("熟悉领域 {}", i + 1),
        )
        .value(state, shown.fields.get(i).map(String::as_str).unwrap_or(""))
        .await?
        .error(errors.beside(&key));
        pickers.push(picker);
    }
    Ok(Some(ExpertSection {
        unit: stored
            .as_ref()
            .map(|p| crate::locale::with_code(p.unit_name.clone(), &p.unit_credit_code))
            .unwrap_or_else(|| crate::locale::t("尚未登记")),
        fields,
        version: stored.as_ref().map(|p| p.version).unwrap_or(0),
        editable: grant(signed.auth.actor.role, Action::ManageUsers).is_some(),
        unit_credit_code: shown.unit_credit_code,
        unit_name: shown.unit_name,
        pickers,
        errors,
    }))
}

/// The account's page; after a refused form, with what was chosen and typed and the errors.
async fn user_page_for(
    state: &AppState,
    signed: &Signed,
    id: i64,
    forms: UserForms,
    code: StatusCode,
) -> AppResult<Response> {
    let typed = forms.grant;
    let grant_errors = forms.grant_errors;
    let d = state.services.user_detail(&signed.auth.actor, id).await?;
    let expert = expert_section(state, signed, &d.user, forms.expert, forms.expert_errors).await?;
    let now = state.services.now();
    let u = &d.user;
    let mut status = Vec::new();
    if !u.granted {
        status.push(("bad", "待授权"));
    }
    status.push(if u.disabled {
        ("bad", "已停用")
    } else {
        ("ok", "正常")
    });
    if u.locked_until.is_some_and(|t| t > now) {
        status.push(("bad", "已锁定"));
    }
    if u.must_change_password {
        status.push(("", "待设置密码"));
    }
    if u.totp_enabled {
        status.push(("", "已绑定动态验证码"));
    }
    let (grant_role, typed_region) = typed.unwrap_or_else(|| {
        (
            u.role.as_str().to_string(),
            u.region.map(|r| r.to_string()).unwrap_or_default(),
        )
    });
    let grant_region = super::pickers::Picker::region("g-region", "region", "所辖地区")
        .required()
        .hint("输入名称或代码，如“江西省”“抚州市”或 361000；全国为 100000。")
        .value(state, &typed_region)
        .await?
        .error(grant_errors.beside("region"));
    let page = UserPage {
        chrome: Chrome::for_user(
            format!("账号 {}", u.username),
            "/admin/users",
            Some(&signed.auth),
        ),
        csrf: csrf_of(signed),
        role: u.role.label_zh(),
        region: match (u.region, &d.region_name) {
            (Some(_), Some(name)) => crate::locale::reference_name(name.clone()),
            (Some(r), None) => r.to_string(),
            (None, _) => "—".into(),
        },
        contact: zhichan_service::accounts::mask_contact(&u.contact),
        status,
        created: u.created_at.beijing_minutes(),
        last_login: d
            .last_login
            .map(|t| t.beijing_minutes())
            .unwrap_or_else(|| "从未登录".into()),
        sessions: d
            .sessions
            .iter()
            .map(|s| {
                (
                    s.created_at.beijing_minutes(),
                    s.last_seen_at.beijing_minutes(),
                    s.ip.clone(),
                    s.user_agent.chars().take(80).collect(),
                )
            })
            .collect(),
        grant_roles: assignable_roles(signed.auth.actor.role, Action::GrantRoles)
            .into_iter()
            .map(|r| (r.as_str(), r.label_zh()))
            .collect(),
        grant_role,
        grant_region,
        grant_errors,
        d,
        expert,
        contact_typed: forms.contact,
        errors: forms.contact_errors,
        notice: forms.notice,
    };
    Ok(render(code, &page))
}

/// The system administrator files an expert's unit and fields (fields picked by name).
pub async fn set_expert(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    use super::forms::FormErrors;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut typed = ExpertTyped {
        unit_credit_code: get("unit_credit_code"),
        unit_name: get("unit_name"),
        fields: Vec::new(),
    };
    let mut i = 0;
    while let Some(f) = form.get(&format!("field{i}")) {
        typed.fields.push(f.clone());
        i += 1;
    }
    let locate = |field: &str| -> Option<(String, String)> {
        if let Some(n) = field
            .strip_prefix("fields[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|n| n.parse::<usize>().ok())
        {
            return Some((format!("ex-field-{n}"), format!("熟悉领域 {}", n + 1)));
        }
        super::forms::table(&[
            ("unit_credit_code", "ex-code", "工作单位统一社会信用代码"),
            ("unit_name", "ex-name", "工作单位名称"),
            ("fields", "ex-field-0", "熟悉领域"),
            ("role", "", "角色"),
        ])(field)
    };
    // A field typed by name is resolved to its code; one that names nothing stays as typed
    // with the message beside it.
    let mut errors = FormErrors::none();
    let mut codes = Vec::new();
    for (n, f) in typed.fields.iter().enumerate() {
        match super::pickers::industry(&state, f).await? {
            Ok(Some(code)) => codes.push(code.to_string()),
            Ok(None) => {}
            Err(message) => errors.add(format!("fields[{n}]"), message, &locate),
        }
    }
    if !errors.is_empty() {
        return user_page_for(
            &state,
            &signed,
            id,
            UserForms {
                expert: Some(typed),
                expert_errors: errors,
                ..UserForms::none()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let version = get("version").trim().parse::<i64>().unwrap_or(0);
    match state
        .services
        .set_expert_profile(
            &signed.auth.actor,
            &ctx,
            id,
            zhichan_service::experts::ProfileInput {
                unit_credit_code: typed.unit_credit_code.clone(),
                unit_name: typed.unit_name.clone(),
                fields: codes.clone(),
            },
            version,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(ServiceError::Invalid(v)) => {
            // The service numbers the fields it was given (the resolved ones, in order).
            typed.fields = codes;
            let errors = FormErrors::from_violations(v, &locate);
            user_page_for(
                &state,
                &signed,
                id,
                UserForms {
                    expert: Some(typed),
                    expert_errors: errors,
                    ..UserForms::none()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            user_page_for(
                &state,
                &signed,
                id,
                UserForms {
                    expert: Some(typed),
                    expert_errors: FormErrors::general(m),
                    ..UserForms::none()
                },
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
