//! Accounts: creating users, logging in and out, sessions, API tokens, passwords and the second
//! factor (TOTP, RFC 6238), and the system administrator's user management.

use crate::audit::{record, record_as, Who};
use crate::secrets::{
    decoy_hash, hash_password, random_token, temporary_password, token_hash, verify_password,
};
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde_json::json;
use time::Duration;
use totp_rs::{Algorithm, Secret, TOTP};
use zhichan_domain::access::{authorize, Action, Actor};
use zhichan_domain::accounts::{check_password, Role, Username};
use zhichan_domain::{CreditCode, RegionCode, Timestamp, Violation};
use zhichan_store::sessions::{self, Session};
use zhichan_store::users::{self, NewUser, User};
use zhichan_store::{login_failures, password_setups, regions, tokens, StoreError};

/// What a new account is made of, as typed by whoever creates it.
#[derive(Clone, Debug, Default)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub region: Option<String>,
    pub enterprise: Option<String>,
    /// None: a temporary password is generated (and must be changed at first login).
    pub password: Option<String>,
    /// The owner's own e-mail address or mobile number. When given, no password is answered to
    /// whoever creates the account: a one-time setup code goes to this contact instead.
    pub contact: Option<String>,
}

/// How long a one-time password setup code stays valid.
pub const SETUP_CODE_HOURS: i64 = 24;

/// At most this many one-time setup codes are issued for an account within an hour.
pub const SETUP_CODES_PER_HOUR: i64 = 5;

/// A setup code was queued for the account's owner: where to (masked), never the code.
#[derive(Clone, Debug)]
pub struct SetupSent {
    pub user: User,
    /// The contact, masked (`13*******88`, `wa***@example.cn`).
    pub sent_to: String,
}

/// An account's own contact, checked: the channel and the address.
pub(crate) fn parse_contact(raw: &str) -> Result<(&'static str, String), Violation> {
    let c = raw.trim();
    let phone = c.len() == 11 && c.starts_with('1') && c.chars().all(|d| d.is_ascii_digit());
    let email = c.len() <= 100
        && !c.chars().any(char::is_whitespace)
        && c.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if phone {
        Ok(("sms", c.to_string()))
    } else if email {
        Ok(("email", c.to_string()))
    } else if c.is_empty() {
        Err(Violation::new(
            "required",
            "请填写账号本人的手机号或电子邮箱：首次设置密码的一次性设置码只发给本人",
            "the owner's mobile number or e-mail address is required",
        ))
    } else {
        Err(Violation::new(
            "invalid_contact",
            "联系方式应为 11 位手机号或电子邮箱地址",
            "a contact is an 11-digit mobile number or an e-mail address",
        ))
    }
}

/// An enterprise's accounts are its own business (its sign-up, its existing account, a reviewer
/// of its region): neither the system nor the security administrator binds anyone to one.
fn not_an_enterprise_account(role: &str) -> ServiceResult<()> {
    if role.parse::<Role>() == Ok(Role::Enterprise) {
        return Err(ServiceError::invalid(
            "role",
            Violation::new(
                "not_allowed",
                "企业账号由企业自行注册，或由其已有账号、所在地区的审核员添加，不由系统或安全管理员创建和授权",
                "enterprise accounts are not made by the administrators",
            ),
        ));
    }
    Ok(())
}

/// A contact as administrators may see it: enough to recognise, not to use. Never more than a
/// third of an e-mail address's name (none of one or two letters), and of anything else only
/// the first and last two characters of eight or more.
pub fn mask_contact(contact: &str) -> String {
    match contact.split_once('@') {
        Some((local, domain)) => {
            let shown = (local.chars().count() / 3).min(2);
            let head: String = local.chars().take(shown).collect();
            format!("{head}***@{domain}")
        }
        // By characters, not bytes: whatever was stored, masking never splits one.
        None if contact.chars().count() >= 8 => {
            let chars: Vec<char> = contact.chars().collect();
            let n = chars.len();
            let head: String = chars[..2].iter().collect();
            let tail: String = chars[n - 2..].iter().collect();
            format!("{head}{}{tail}", "*".repeat(n - 4))
        }
        None => "***".into(),
    }
}

/// How a request proved who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    Session { id_hash: String, csrf: String },
    Token { id: i64 },
}

/// What an account must do before anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restriction {
    /// First login with a password set by an administrator, or the password has expired.
    ChangePassword,
    /// The role requires a second factor and none is enrolled yet.
    EnrolSecondFactor,
}

/// A caller whose credentials checked out.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub actor: Actor,
    pub user: User,
    pub via: Via,
    pub restriction: Option<Restriction>,
}

/// A successful login: the cookie value to set (shown once) and the new session.
#[derive(Clone, Debug)]
pub struct LoggedIn {
    pub token: String,
    pub auth: Authenticated,
}

/// A second factor being enrolled: what the authenticator app needs.
#[derive(Clone, Debug)]
pub struct TotpEnrolment {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

pub fn actor_of(user: &User) -> Actor {
    Actor {
        user_id: user.id,
        username: user.username.clone(),
        role: user.role,
        region: user.region,
        enterprise: user.enterprise.clone(),
        // An account the system administrator created has no power until the security
        // administrator grants its role (三员分立): until then it may only look after itself.
        verified: user.verification == "verified" && user.granted,
    }
}

/// Bearer tokens found valid in the last few seconds, with their accounts. An entry serves only
/// while no account or token has changed in this process since it was read (`users::changes`);
/// another process's change is seen within [`TokenCache::TTL`].
#[derive(Debug, Default)]
pub struct TokenCache(
    std::sync::Mutex<
        std::collections::HashMap<String, (std::time::Instant, u64, tokens::WithUser)>,
    >,
);

impl TokenCache {
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(5);
    const MAX: usize = 10_000;

    fn get(&self, hash: &str) -> Option<tokens::WithUser> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (at, changes, found) = map.get(hash)?;
        (at.elapsed() < Self::TTL && *changes == users::changes()).then(|| found.clone())
    }

    fn put(&self, hash: &str, changes: u64, found: &tokens::WithUser) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::MAX {
            map.clear();
        }
        map.insert(
            hash.to_string(),
            (std::time::Instant::now(), changes, found.clone()),
        );
    }

    /// The token's last use was just written (not a change that matters to authentication).
    fn touched(&self, hash: &str, now: Timestamp) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, found)) = map.get_mut(hash) {
            found.0.last_used_at = Some(now);
        }
    }
}

fn totp_for(secret_b32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).ok()
}

/// The time step a code belongs to (allowing one step of clock drift), if it is right.
fn totp_step(secret_b32: &str, code: &str, now: Timestamp) -> Option<i64> {
    let totp = totp_for(secret_b32)?;
    let code = code.trim();
    let t = now.unix_seconds();
    [t - 30, t, t + 30].into_iter().find_map(|at| {
        let at = u64::try_from(at).ok()?;
        (totp.generate(at) == code).then_some((at / 30) as i64)
    })
}

/// The address authenticator apps read from the QR code.
pub fn otpauth_url(username: &str, secret: &str) -> String {
    format!(
        "otpauth://totp/zhichan:{username}?secret={secret}&issuer=zhichan&algorithm=SHA1&digits=6&period=30"
    )
}

/// The QR code of [`otpauth_url`] as an SVG element.
pub fn qr_svg_for(username: &str, secret: &str) -> String {
    qrcode::QrCode::new(otpauth_url(username, secret).as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

/// The current code for a secret: for tests and the demo.
pub fn totp_code(secret_b32: &str, now: Timestamp) -> Option<String> {
    Some(totp_for(secret_b32)?.generate(u64::try_from(now.unix_seconds()).ok()?))
}

/// Verifies a password on a blocking thread: argon2 takes tens of milliseconds of CPU, which
/// must not stall the async workers serving other requests.
async fn verify_blocking(password: &str, hash: &str) -> bool {
    let (p, h) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || verify_password(&p, &h))
        .await
        .unwrap_or(false)
}

impl Services {
    fn restriction(
        &self,
        user: &User,
        s: &crate::security::SecuritySettings,
    ) -> Option<Restriction> {
        let days = if user.role.is_administrative() {
            s.password_days_admin
        } else {
            s.password_days_other
        };
        let expired = days > 0
            && self.now()
                >= user
                    .password_changed_at
                    .plus(Duration::days(i64::from(days)));
        if user.must_change_password || expired {
            Some(Restriction::ChangePassword)
        } else if user.role.requires_second_factor(user.region) && !user.totp_enabled {
            Some(Restriction::EnrolSecondFactor)
        } else {
            None
        }
    }

    async fn validate_new_account(
        &self,
        input: &NewAccount,
    ) -> ServiceResult<(
        Username,
        Role,
        Option<RegionCode>,
        Option<CreditCode>,
        String,
        bool,
    )> {
        let mut errors = Vec::new();
        let username = Username::parse(&input.username)
            .map_err(|v| errors.push(FieldViolation::new("username", v)))
            .ok();
        let role: Option<Role> = input
            .role
            .parse()
            .map_err(|v| errors.push(FieldViolation::new("role", v)))
            .ok();
        let region = match input
            .region
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw) => match RegionCode::parse(raw) {
                Ok(code) if self.reference().region_exists(code).await? => Some(code),
                Ok(_) => {
                    errors.push(FieldViolation::new(
                        "region",
                        Violation::new(
                            "invalid_region",
                            format!("行政区划代码“{raw}”不在现行 GB/T 2260 中"),
                            format!("{raw} is not a current GB/T 2260 region"),
                        ),
                    ));
                    None
                }
                Err(v) => {
                    errors.push(FieldViolation::new("region", v));
                    None
                }
            },
            None => None,
        };
        // An enterprise account sits where its enterprise does: in a county-level region.
        let region = match (role, region) {
            (Some(Role::Enterprise), Some(r)) => match self.reference().enterprise_region(r).await?
            {
                None => Some(r),
                Some(v) => {
                    errors.push(FieldViolation::new("region", v));
                    None
                }
            },
            (_, r) => r,
        };
        let enterprise = match input
            .enterprise
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw) => CreditCode::parse(raw)
                .map_err(|v| errors.push(FieldViolation::new("enterprise", v)))
                .ok(),
            None => None,
        };
        if let Some(role) = role {
            if role.needs_region() && region.is_none() && input.region.is_none() {
                errors.push(FieldViolation::new(
                    "region",
                    Violation::new(
                        "required",
                        "管理部门和审核员账号必须指定所辖行政区划（全国为 100000）",
                        "an administrator needs a region",
                    ),
                ));
            }
            if role == Role::Enterprise && enterprise.is_none() && input.enterprise.is_none() {
                errors.push(FieldViolation::new(
                    "enterprise",
                    Violation::new(
                        "required",
                        "企业用户必须绑定统一社会信用代码",
                        "an enterprise user needs its credit code",
                    ),
                ));
            }
        }
        if let Err(v) = zhichan_domain::validation::max_chars(
            &input.display_name,
            zhichan_domain::validation::limits::CONTACT_NAME,
        ) {
            errors.push(FieldViolation::new("display_name", v));
        }
        let (password, generated) = match &input.password {
            Some(p) => (p.clone(), false),
            None => (temporary_password(), true),
        };
        if let Err(v) = check_password(&input.username, &password) {
            errors.push(FieldViolation::new("password", v));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        Ok((
            username.expect("checked"),
            role.expect("checked"),
            region,
            enterprise,
            password,
            generated,
        ))
    }

    async fn insert_account(
        &self,
        ctx: &Ctx,
        by: Option<&Actor>,
        input: &NewAccount,
        must_change: bool,
    ) -> ServiceResult<(User, Option<String>)> {
        let contact = input.contact.as_deref().map(parse_contact);
        let (username, role, region, enterprise, password, generated) =
            match (self.validate_new_account(input).await, &contact) {
                (Ok(v), None | Some(Ok(_))) => v,
                (Ok(_), Some(Err(c))) => {
                    return Err(ServiceError::invalid("contact", c.clone()));
                }
                (Err(ServiceError::Invalid(mut v)), Some(Err(c))) => {
                    v.push(FieldViolation::new("contact", c.clone()));
                    return Err(ServiceError::Invalid(v));
                }
                (Err(e), _) => return Err(e),
            };
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = users::insert(
            &tx,
            &NewUser {
                username: username.as_str().to_string(),
                display_name: input.display_name.trim().to_string(),
                role,
                region,
                enterprise: enterprise.as_ref().map(|c| c.to_string()),
                password_hash: hash_password(&password),
                must_change_password: must_change || generated,
                verification: "verified",
            },
            now,
        )
        .await
        .map_err(|e| match e {
            StoreError::Unique { .. } => ServiceError::Invalid(vec![FieldViolation::new(
                "username",
                Violation::new("taken", "该用户名已被使用", "this username is taken"),
            )]),
            other => other.into(),
        })?;
        record(
            &tx,
            ctx,
            by,
            "user.create",
            &format!("user:{id}"),
            "ok",
            json!({"after": {"username": username.as_str(), "role": role.as_str(),
                   "region": region.map(|r| r.to_string()),
                   "enterprise": enterprise.as_ref().map(|c| c.to_string())}}),
            now,
        )
        .await?;
        // What the system administrator creates waits for the security administrator's grant.
        let granted = by.is_none_or(|a| a.role != Role::Sysadmin);
        let mut shown = generated.then_some(password);
        if let Some(Ok((_, address))) = &contact {
            users::set_contact_and_grant(&tx, id, address, granted).await?;
            if generated {
                // The owner sets the first password with a code sent to them; the generated
                // one is never shown to anyone.
                self.queue_setup_code(&tx, id, username.as_str(), address, "已创建", now)
                    .await?;
                shown = None;
            }
        } else if !granted {
            users::set_contact_and_grant(&tx, id, "", false).await?;
        }
        let user = users::by_id(&tx, id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok((user, shown))
    }

    /// Issues a one-time password setup code for an account (voiding older ones) and queues it
    /// to the owner's contact, inside the caller's transaction. Only its hash is stored.
    pub(crate) async fn queue_setup_code(
        &self,
        tx: &zhichan_store::Tx,
        user_id: i64,
        username: &str,
        contact: &str,
        what: &str,
        now: Timestamp,
    ) -> ServiceResult<()> {
        let (channel, address) =
            parse_contact(contact).map_err(|v| ServiceError::invalid("contact", v))?;
        let issued =
            password_setups::issued_since(tx, user_id, now.minus(Duration::hours(1))).await?;
        if issued >= SETUP_CODES_PER_HOUR {
            return Err(ServiceError::invalid(
                "user",
                Violation::new(
                    "too_many_codes",
                    format!("一小时内已为该账号发送 {SETUP_CODES_PER_HOUR} 个设置码，请稍后再试"),
                    "too many setup codes for this account within the hour",
                ),
            ));
        }
        let code = random_token();
        password_setups::void_for_user(tx, user_id, now).await?;
        password_setups::insert(
            tx,
            &token_hash(&code),
            user_id,
            now,
            now.plus(Duration::hours(SETUP_CODE_HOURS)),
        )
        .await?;
        let body = format!(
            "您在知产平台的账号 {username} {what}。设置码：{code}（{SETUP_CODE_HOURS} 小时内有效，\
             仅能使用一次）。请打开平台的“设置密码”页面（/password/setup），输入设置码并设置新密码。\
             管理员看不到此设置码；如非本人申请，请联系安全管理员。"
        );
        crate::notifications::queue_account_message(
            tx,
            Some(user_id),
            channel,
            &address,
            "设置登录密码",
            &body,
            now,
        )
        .await?;
        Ok(())
    }

    /// The owner sets the password with the one-time code sent to them (a new account, or
    /// after a reset). The code serves once; every session and token of the account ends.
    pub async fn complete_password_setup(
        &self,
        ctx: &Ctx,
        code: &str,
        new_password: &str,
    ) -> ServiceResult<()> {
        let settings = self.security_settings().await?.settings;
        let now = self.now();
        // Guessing codes counts like guessing passwords.
        if !self.login_limiter.allow(
            &ctx.ip,
            now.unix_seconds() / 60,
            settings.login_attempts_per_minute,
        ) {
            return Err(ServiceError::TooManyRequests);
        }
        let bad_code = || {
            ServiceError::invalid(
                "code",
                Violation::new(
                    "invalid_code",
                    "设置码无效、已使用或已过期，请联系系统管理员重新发送",
                    "the code is invalid, used or expired",
                ),
            )
        };
        let hash = token_hash(code.trim());
        let Some(user_id) = password_setups::valid_user(self.db(), &hash, now).await? else {
            // Someone guessing codes shows in the log (bounded by the per-address limit above).
            self.audit_alone(
                ctx,
                &Who::named("-"),
                "user.password_setup",
                "password_setup",
                "failed",
                json!({"reason": "invalid_code"}),
            )
            .await?;
            return Err(bad_code());
        };
        let user = users::by_id(self.db(), user_id)
            .await?
            .ok_or_else(bad_code)?;
        if user.disabled {
            return Err(bad_code());
        }
        check_password(&user.username, new_password)
            .map_err(|v| ServiceError::invalid("new_password", v))?;
        let tx = self.db().begin().await?;
        if !password_setups::take(&tx, &hash, now).await? {
            return Err(bad_code());
        }
        password_setups::void_for_user(&tx, user.id, now).await?;
        users::set_password(&tx, user.id, &hash_password(new_password), false, now).await?;
        sessions::end_others(&tx, user.id, None, now).await?;
        tokens::revoke_all(&tx, user.id, now).await?;
        login_failures::clear_all(&tx, &user.username).await?;
        users::clear_failures(&tx, user.id).await?;
        record_as(
            &tx,
            ctx,
            &Who {
                user_id: Some(user.id),
                username: user.username.clone(),
                role: user.role.as_str().to_string(),
            },
            "user.password_setup",
            &format!("user:{}", user.id),
            "ok",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        users::changed();
        Ok(())
    }

    /// Sends what is due to accounts' own contacts on one channel; answers (sent, failed).
    pub async fn drain_account_outbox<C: crate::notifications::Channel>(
        &self,
        channel: &C,
        limit: i64,
    ) -> ServiceResult<(u32, u32)> {
        let retry = crate::delivery::Retry::default();
        self.deliver(
            zhichan_store::outbox::Outbox::Account,
            channel,
            limit,
            &retry,
        )
        .await
    }

    /// The security administrator grants an account its business role and region (and, for an
    /// enterprise account, its enterprise), if `version` is current. The three administrators
    /// are made on the server only, so neither their accounts nor their roles are granted here.
    #[allow(clippy::too_many_arguments)]
    pub async fn grant_user(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        role: &str,
        region: Option<&str>,
        enterprise: Option<&str>,
        version: i64,
    ) -> ServiceResult<User> {
        authorize(actor, Action::GrantRoles)?;
        let before = users::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        // The one rule the grant form's roles come from too: the account's role and the new
        // one must both be grantable.
        let may = |r: Role| zhichan_domain::access::may_assign(actor.role, Action::GrantRoles, r);
        let new_role = role.parse::<Role>().ok();
        if !may(before.role) || new_role.is_some_and(|r| !may(r)) {
            if before.role.is_three_admin() || new_role.is_some_and(Role::is_three_admin) {
                self.refuse_three_admin(actor, ctx, "user.grant", &format!("user:{id}"))
                    .await?;
            }
            // An enterprise's account stays with the enterprise, and nobody is made one here.
            not_an_enterprise_account(before.role.as_str())?;
            not_an_enterprise_account(role)?;
            return Err(ServiceError::Forbidden);
        }
        // The same checks as at creation: a reviewer or office needs a region.
        let probe = NewAccount {
            username: before.username.clone(),
            role: role.to_string(),
            region: region.map(str::to_string),
            enterprise: enterprise.map(str::to_string),
            password: Some("Probe-Only-9x".into()),
            ..NewAccount::default()
        };
        let (_, role, region, enterprise, _, _) = self.validate_new_account(&probe).await?;
        let now = self.now();
        let tx = self.db().begin().await?;
        let enterprise = enterprise.map(|c| c.to_string());
        if !users::grant(&tx, id, role, region, enterprise.as_deref(), version, now).await? {
            return Err(ServiceError::Conflict(
                "该账号已被他人修改，请刷新后重试".into(),
            ));
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "user.grant",
            &format!("user:{id}"),
            "ok",
            json!({"before": {"role": before.role.as_str(), "granted": before.granted,
                              "region": before.region.map(|r| r.to_string()),
                              "enterprise": before.enterprise},
                   "after": {"role": role.as_str(), "region": region.map(|r| r.to_string()),
                             "enterprise": enterprise}}),
            now,
        )
        .await?;
        let after = users::by_id(&tx, id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        users::changed();
        Ok(after)
    }

    /// `zhichan user add`: the operator on the server creates a verified account with the
    /// password it chose.
    pub async fn create_user_by_operator(&self, input: NewAccount) -> ServiceResult<User> {
        if input.password.is_none() {
            return Err(ServiceError::invalid(
                "password",
                Violation::new("required", "请提供密码", "a password is required"),
            ));
        }
        Ok(self
            .insert_account(&Ctx::cli(), None, &input, false)
            .await?
            .0)
    }

    /// The system administrator creates an account (三员分立): it has no power until the
    /// security administrator grants its role and region, and its owner sets the first
    /// password with a one-time code sent to the owner's own contact. Nothing answered here
    /// lets the administrator log in as it.
    pub async fn create_user(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        mut input: NewAccount,
    ) -> ServiceResult<SetupSent> {
        authorize(actor, Action::ManageUsers)?;
        // The one rule the creation form's roles come from too.
        if let Ok(role) = input.role.parse::<Role>() {
            if !zhichan_domain::access::may_assign(actor.role, Action::ManageUsers, role) {
                if role.is_three_admin() {
                    self.refuse_three_admin(actor, ctx, "user.create", &input.username)
                        .await?;
                }
                not_an_enterprise_account(&input.role)?;
                return Err(ServiceError::Forbidden);
            }
        }
        if input.password.is_some() {
            return Err(ServiceError::invalid(
                "password",
                Violation::new(
                    "not_allowed",
                    "密码由账号本人用一次性设置码设置，管理员不能指定",
                    "the owner sets the password; an administrator cannot",
                ),
            ));
        }
        input.contact = Some(input.contact.unwrap_or_default());
        let (user, _) = self.insert_account(ctx, Some(actor), &input, true).await?;
        Ok(SetupSent {
            sent_to: mask_contact(&user.contact),
            user,
        })
    }

    /// The three administrators keep each other in check, so none of them is created or changed
    /// through another's account: that is done on the server with `zhichan user add`. Refused
    /// and recorded.
    async fn refuse_three_admin(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        action: &str,
        object: &str,
    ) -> ServiceResult<()> {
        self.audit_alone(
            ctx,
            &Who::from(actor),
            action,
            object,
            "denied",
            json!({"reason": "three_admin_separation"}),
        )
        .await?;
        Err(ServiceError::Forbidden)
    }

    /// Loads an account the system administrator is about to change, refusing the three
    /// administrators' accounts.
    pub(crate) async fn managed_user(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        action: &str,
    ) -> ServiceResult<User> {
        let user = users::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if user.role.is_three_admin() {
            self.refuse_three_admin(actor, ctx, action, &format!("user:{id}"))
                .await?;
        }
        Ok(user)
    }

    /// Logs in with a password (and a TOTP code when the account has one). A wrong password
    /// and an unknown user get the same answer after the same work; failures count towards
    /// the lock; every attempt is audited. `previous` is the session the browser had, ended
    /// here so that an old session id never survives a login.
    pub async fn login(
        &self,
        ctx: &Ctx,
        username: &str,
        password: &str,
        totp: Option<&str>,
        previous: Option<&str>,
    ) -> ServiceResult<LoggedIn> {
        // An empty field is told to be filled, not taken for a wrong password.
        let mut missing = Vec::new();
        if username.trim().is_empty() {
            missing.push(FieldViolation::new(
                "username",
                Violation::new("required", "请填写用户名", "username is required"),
            ));
        }
        if password.is_empty() {
            missing.push(FieldViolation::new(
                "password",
                Violation::new("required", "请填写密码", "password is required"),
            ));
        }
        if !missing.is_empty() {
            return Err(ServiceError::Invalid(missing));
        }
        let settings = self.security_settings().await?.settings;
        let now = self.now();
        // What the audit log keeps of a typed name: enough to recognise, never a flood.
        let who = Who::named(&username.trim().chars().take(64).collect::<String>());
        if !self.login_limiter.allow(
            &ctx.ip,
            now.unix_seconds() / 60,
            settings.login_attempts_per_minute,
        ) {
            self.audit_alone(
                ctx,
                &who,
                "session.login",
                "session",
                "denied",
                json!({"reason": "rate_limited"}),
            )
            .await?;
            return Err(ServiceError::TooManyRequests);
        }
        // Locks hold per typed username and address, known names and unknown alike: a stranger
        // locks out only himself, and a lock says nothing about whether the name exists.
        let key: String = username.trim().to_lowercase().chars().take(64).collect();
        if let Some(until) = login_failures::locked_until(self.db(), &key, &ctx.ip)
            .await?
            .filter(|u| *u > now)
        {
            let _ = verify_blocking(password, decoy_hash()).await;
            self.audit_alone(
                ctx,
                &who,
                "session.login",
                "session",
                "denied",
                json!({"reason": "locked", "until": until.to_string()}),
            )
            .await?;
            return Err(ServiceError::Locked(until));
        }
        let user = match Username::parse(username) {
            Ok(u) => users::by_username(self.db(), u.as_str()).await?,
            Err(_) => None,
        };
        let Some(user) = user else {
            // Same work as a real check, so that timing does not tell who exists.
            let _ = verify_blocking(password, decoy_hash()).await;
            return Err(self
                .login_failed(ctx, &who, "session", &key, "bad_credentials", &settings)
                .await?);
        };
        let who = Who {
            user_id: Some(user.id),
            username: user.username.clone(),
            role: user.role.as_str().to_string(),
        };
        let object = format!("user:{}", user.id);
        let password_ok = verify_blocking(password, &user.password_hash).await;
        let second_ok = if !password_ok || !user.totp_enabled {
            Ok(())
        } else {
            match totp.map(str::trim).filter(|c| !c.is_empty()) {
                None => Err(ServiceError::SecondFactorRequired),
                Some(code) => match user
                    .totp_secret
                    .as_deref()
                    .and_then(|s| totp_step(s, code, now))
                {
                    Some(step) if users::use_totp_step(self.db(), user.id, step).await? => Ok(()),
                    _ => Err(ServiceError::BadCredentials),
                },
            }
        };
        if !password_ok || matches!(second_ok, Err(ServiceError::BadCredentials)) {
            let reason = if password_ok {
                "bad_second_factor"
            } else {
                "bad_credentials"
            };
            return Err(self
                .login_failed(ctx, &who, &object, &key, reason, &settings)
                .await?);
        }
        second_ok?;
        if user.disabled {
            self.audit_alone(
                ctx,
                &who,
                "session.login",
                &object,
                "denied",
                json!({"reason": "disabled"}),
            )
            .await?;
            return Err(ServiceError::Disabled);
        }
        let token = random_token();
        let session = Session {
            id_hash: token_hash(&token),
            user_id: user.id,
            csrf: random_token(),
            created_at: now,
            last_seen_at: now,
            expires_at: now.plus(Duration::hours(i64::from(settings.session_absolute_hours))),
            ip: ctx.ip.clone(),
            user_agent: ctx.user_agent.chars().take(300).collect(),
            ended_at: None,
        };
        let tx = self.db().begin().await?;
        if let Some(old) = previous {
            sessions::end(&tx, &token_hash(old), now).await?;
        }
        login_failures::clear(&tx, &key, &ctx.ip).await?;
        sessions::insert(&tx, &session).await?;
        record_as(
            &tx,
            ctx,
            &who,
            "session.login",
            &object,
            "ok",
            json!({"session": &session.id_hash[..12]}),
            now,
        )
        .await?;
        tx.commit().await?;
        let restriction = self.restriction(&user, &settings);
        Ok(LoggedIn {
            token,
            auth: Authenticated {
                actor: actor_of(&user),
                via: Via::Session {
                    id_hash: session.id_hash,
                    csrf: session.csrf,
                },
                user,
                restriction,
            },
        })
    }

    /// Counts a failed login of the typed name `key` from the caller's address (in the
    /// database, so that guesses in parallel cannot slip past the limit), locks that name for
    /// that address when the failures reach the limit, audits, and answers the error to give:
    /// the same for a known and an unknown name.
    async fn login_failed(
        &self,
        ctx: &Ctx,
        who: &Who,
        object: &str,
        key: &str,
        reason: &str,
        settings: &crate::security::SecuritySettings,
    ) -> ServiceResult<ServiceError> {
        let now = self.now();
        let window = Duration::minutes(i64::from(settings.lockout_minutes));
        let tx = self.db().begin().await?;
        let failures = login_failures::count(&tx, key, &ctx.ip, now.minus(window), now).await?;
        let lock = (failures >= i64::from(settings.max_failed_logins)).then(|| now.plus(window));
        if let Some(until) = lock {
            login_failures::lock(&tx, key, &ctx.ip, until).await?;
            if who.user_id.is_some() {
                // Shown in the administrators' list; the login itself asks login_failures.
                users::mark_locked(&tx, &who.username, until).await?;
            }
        }
        record_as(
            &tx,
            ctx,
            who,
            "session.login",
            object,
            "failed",
            json!({"reason": reason, "failures": failures}),
            now,
        )
        .await?;
        if let Some(until) = lock {
            record_as(
                &tx,
                ctx,
                who,
                "user.lock",
                object,
                "ok",
                json!({"until": until.to_string(), "failures": failures, "address_only": true}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(match lock {
            Some(until) => ServiceError::Locked(until),
            None => ServiceError::BadCredentials,
        })
    }

    /// The caller behind a session cookie, if the session is open, not idle too long, not past
    /// its absolute end, and its user is enabled.
    pub async fn authenticate_session(&self, token: &str) -> ServiceResult<Authenticated> {
        let settings = self.security_settings().await?.settings;
        let now = self.now();
        let hash = token_hash(token);
        let session = sessions::get(self.db(), &hash)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if session.ended_at.is_some() {
            return Err(ServiceError::Unauthenticated);
        }
        let idle = Duration::minutes(i64::from(settings.session_idle_minutes));
        if now >= session.expires_at || now >= session.last_seen_at.plus(idle) {
            sessions::end(self.db(), &hash, now).await?;
            return Err(ServiceError::Unauthenticated);
        }
        let user = users::by_id(self.db(), session.user_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if user.disabled {
            return Err(ServiceError::Unauthenticated);
        }
        // Most requests come in bursts: record activity at most once a minute.
        if now >= session.last_seen_at.plus(Duration::minutes(1)) {
            sessions::touch(self.db(), &hash, now).await?;
        }
        let restriction = self.restriction(&user, &settings);
        Ok(Authenticated {
            actor: actor_of(&user),
            via: Via::Session {
                id_hash: hash,
                csrf: session.csrf,
            },
            user,
            restriction,
        })
    }

    /// The caller behind a bearer token, if it is neither revoked nor expired.
    pub async fn authenticate_bearer(&self, token: &str) -> ServiceResult<Authenticated> {
        let settings = self.security_settings().await?.settings;
        let now = self.now();
        let hash = token_hash(token);
        let tokens::WithUser(t, user) = match self.token_cache.get(&hash) {
            Some(found) => found,
            None => {
                // Read the change count first: a change while this query runs leaves the entry stale.
                let changes = users::changes();
                let found = tokens::with_user_by_hash(self.db(), &hash)
                    .await?
                    .ok_or(ServiceError::Unauthenticated)?;
                self.token_cache.put(&hash, changes, &found);
                found
            }
        };
        if t.revoked_at.is_some() || now >= t.expires_at {
            return Err(ServiceError::Unauthenticated);
        }
        if user.disabled {
            return Err(ServiceError::Unauthenticated);
        }
        if t.last_used_at
            .is_none_or(|u| now >= u.plus(Duration::minutes(1)))
        {
            tokens::touch(self.db(), t.id, now).await?;
            self.token_cache.touched(&hash, now);
        }
        let restriction = self.restriction(&user, &settings);
        Ok(Authenticated {
            actor: actor_of(&user),
            via: Via::Token { id: t.id },
            user,
            restriction,
        })
    }

    /// Ends the caller's session on the server.
    pub async fn logout(&self, ctx: &Ctx, auth: &Authenticated) -> ServiceResult<()> {
        if let Via::Session { id_hash, .. } = &auth.via {
            let now = self.now();
            let tx = self.db().begin().await?;
            sessions::end(&tx, id_hash, now).await?;
            record(
                &tx,
                ctx,
                Some(&auth.actor),
                "session.logout",
                &format!("user:{}", auth.user.id),
                "ok",
                json!({}),
                now,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Changes one's own password: the current one proves it is the owner; the new one must
    /// meet the rules and differ; every other session of the account ends.
    pub async fn change_password(
        &self,
        ctx: &Ctx,
        auth: &Authenticated,
        current: &str,
        new: &str,
    ) -> ServiceResult<()> {
        authorize(&auth.actor, Action::OwnAccount)?;
        if !verify_password(current, &auth.user.password_hash) {
            return Err(ServiceError::invalid(
                "current_password",
                Violation::new(
                    "wrong_password",
                    "当前密码不正确",
                    "the current password is wrong",
                ),
            ));
        }
        check_password(&auth.user.username, new)
            .map_err(|v| ServiceError::invalid("new_password", v))?;
        if verify_password(new, &auth.user.password_hash) {
            return Err(ServiceError::invalid(
                "new_password",
                Violation::new(
                    "same_password",
                    "新密码不能与当前密码相同",
                    "the new password must differ",
                ),
            ));
        }
        let now = self.now();
        let keep = match &auth.via {
            Via::Session { id_hash, .. } => Some(id_hash.as_str()),
            Via::Token { .. } => None,
        };
        let tx = self.db().begin().await?;
        users::set_password(&tx, auth.user.id, &hash_password(new), false, now).await?;
        let ended = sessions::end_others(&tx, auth.user.id, keep, now).await?;
        record(
            &tx,
            ctx,
            Some(&auth.actor),
            "user.password_change",
            &format!("user:{}", auth.user.id),
            "ok",
            json!({"other_sessions_ended": ended}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts enrolling a second factor: a fresh secret, not in force (and not replacing the
    /// one in force) until a code from it is confirmed.
    pub async fn start_totp(
        &self,
        auth: &Authenticated,
        password: Option<&str>,
    ) -> ServiceResult<TotpEnrolment> {
        authorize(&auth.actor, Action::OwnAccount)?;
        // Replacing a factor in force takes the password too: a session alone must not be
        // enough to take over the account's second factor.
        if auth.user.totp_enabled
            && !verify_blocking(password.unwrap_or(""), &auth.user.password_hash).await
        {
            return Err(ServiceError::invalid(
                "password",
                Violation::new(
                    "wrong_password",
                    "更换验证器须输入当前密码",
                    "the current password is required",
                ),
            ));
        }
        let mut raw = [0u8; 20];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut raw);
        let encoded = Secret::Raw(raw.to_vec()).to_encoded().to_string();
        users::set_totp_pending(self.db(), auth.user.id, &encoded, self.now()).await?;
        Ok(TotpEnrolment {
            otpauth_url: otpauth_url(&auth.user.username, &encoded),
            qr_svg: qr_svg_for(&auth.user.username, &encoded),
            secret: encoded,
        })
    }

    /// Confirms enrolment with a code from the app: from now on the account needs it to log in.
    pub async fn confirm_totp(
        &self,
        ctx: &Ctx,
        auth: &Authenticated,
        code: &str,
    ) -> ServiceResult<()> {
        authorize(&auth.actor, Action::OwnAccount)?;
        let user = users::by_id(self.db(), auth.user.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let now = self.now();
        let pending = user.totp_pending.clone().unwrap_or_default();
        let step = Some(pending.as_str())
            .filter(|p| !p.is_empty())
            .and_then(|s| totp_step(s, code, now))
            .ok_or_else(|| {
                ServiceError::invalid(
                    "code",
                    Violation::new(
                        "wrong_code",
                        "动态验证码不正确，请核对手机时间后重试",
                        "the code is wrong",
                    ),
                )
            })?;
        let tx = self.db().begin().await?;
        if !users::activate_totp(&tx, user.id, &pending, step, now).await? {
            return Err(ServiceError::Conflict(
                "绑定已在另一处重新开始，请刷新后重试".into(),
            ));
        }
        record(
            &tx,
            ctx,
            Some(&auth.actor),
            "user.totp_enrol",
            &format!("user:{}", user.id),
            "ok",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One's own account as stored now.
    pub async fn get_own_user(&self, auth: &Authenticated) -> ServiceResult<User> {
        authorize(&auth.actor, Action::OwnAccount)?;
        users::by_id(self.db(), auth.user.id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// One's own open sessions, newest first.
    pub async fn my_sessions(&self, auth: &Authenticated) -> ServiceResult<Vec<Session>> {
        authorize(&auth.actor, Action::OwnAccount)?;
        Ok(sessions::open_for_user(self.db(), auth.user.id, self.now()).await?)
    }

    /// Ends one of one's own sessions (404 for anyone else's).
    pub async fn end_my_session(
        &self,
        ctx: &Ctx,
        auth: &Authenticated,
        id_hash: &str,
    ) -> ServiceResult<()> {
        authorize(&auth.actor, Action::OwnAccount)?;
        let s = sessions::get(self.db(), id_hash)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.scoped(
            &auth.actor,
            Action::OwnAccount,
            &own(s.user_id),
            &format!("session:{}", &id_hash[..12.min(id_hash.len())]),
        )
        .await?;
        let now = self.now();
        let tx = self.db().begin().await?;
        sessions::end(&tx, id_hash, now).await?;
        record(
            &tx,
            ctx,
            Some(&auth.actor),
            "session.end",
            &format!("user:{}", auth.user.id),
            "ok",
            json!({"session": &id_hash[..12.min(id_hash.len())]}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `zhichan token issue`: a bearer token for an account, valid `days` days, shown once.
    pub async fn issue_token(
        &self,
        username: &str,
        days: u32,
        label: &str,
    ) -> ServiceResult<String> {
        if !(1..=365).contains(&days) {
            return Err(ServiceError::invalid(
                "days",
                Violation::new(
                    "out_of_range",
                    "有效期应为 1 到 365 天",
                    "days must be 1 to 365",
                ),
            ));
        }
        let user = match Username::parse(username) {
            Ok(u) => users::by_username(self.db(), u.as_str()).await?,
            Err(_) => None,
        }
        .ok_or(ServiceError::NotFound)?;
        if user.disabled {
            return Err(ServiceError::Disabled);
        }
        let token = random_token();
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = tokens::insert(
            &tx,
            user.id,
            &token_hash(&token),
            label,
            now,
            now.plus(Duration::days(i64::from(days))),
        )
        .await?;
        record(
            &tx,
            &Ctx::cli(),
            None,
            "token.issue",
            &format!("token:{id}"),
            "ok",
            json!({"user": user.username, "days": days}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// One's own API tokens, newest first.
    pub async fn my_tokens(&self, auth: &Authenticated) -> ServiceResult<Vec<tokens::ApiToken>> {
        authorize(&auth.actor, Action::OwnAccount)?;
        Ok(tokens::for_user(self.db(), auth.user.id).await?)
    }

    /// Revokes one of one's own tokens (404 for anyone else's, or one already revoked).
    pub async fn revoke_my_token(
        &self,
        ctx: &Ctx,
        auth: &Authenticated,
        id: i64,
    ) -> ServiceResult<()> {
        authorize(&auth.actor, Action::OwnAccount)?;
        if let Some(owner) = tokens::owner_of(self.db(), id).await? {
            self.scoped(
                &auth.actor,
                Action::OwnAccount,
                &own(owner),
                &format!("token:{id}"),
            )
            .await?;
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        if !tokens::revoke(&tx, id, auth.user.id, now).await? {
            return Err(ServiceError::NotFound);
        }
        record(
            &tx,
            ctx,
            Some(&auth.actor),
            "token.revoke",
            &format!("token:{id}"),
            "ok",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The accounts the caller may read, by username.
    pub async fn list_users(
        &self,
        actor: &Actor,
        role: Option<Role>,
        q: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<User>, i64)> {
        self.list_users_sorted(actor, role, q, None, limit, offset)
            .await
    }

    /// [`Self::list_users`] in the order a person chose (by username when `None`).
    pub async fn list_users_sorted(
        &self,
        actor: &Actor,
        role: Option<Role>,
        q: Option<&str>,
        order: Option<zhichan_store::sorting::Order>,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<User>, i64)> {
        authorize(actor, Action::ReadUsers)?;
        Ok(users::list_sorted(self.db(), role, q, order, limit, offset).await?)
    }

    pub async fn get_user(&self, actor: &Actor, id: i64) -> ServiceResult<User> {
        authorize(actor, Action::ReadUsers)?;
        users::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Disables or re-enables an account (optimistic: `version` must be current). Disabling
    /// ends its sessions.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        disabled: bool,
        version: i64,
    ) -> ServiceResult<User> {
        authorize(actor, Action::ManageUsers)?;
        if id == actor.user_id {
            return Err(ServiceError::invalid(
                "disabled",
                Violation::new(
                    "own_account",
                    "不能停用自己的账号",
                    "you cannot disable yourself",
                ),
            ));
        }
        let before = self
            .managed_user(
                actor,
                ctx,
                id,
                if disabled {
                    "user.disable"
                } else {
                    "user.enable"
                },
            )
            .await?;
        let now = self.now();
        let tx = self.db().begin().await?;
        if !users::set_disabled(&tx, id, disabled, version, now).await? {
            return Err(ServiceError::Conflict(
                "该账号已被他人修改，请刷新后重试".into(),
            ));
        }
        if disabled {
            // A disabled account's sessions and tokens die, and stay dead if it is enabled again.
            sessions::end_others(&tx, id, None, now).await?;
            tokens::revoke_all(&tx, id, now).await?;
            // …and so do its one-time codes: enabled again, it needs a fresh reset.
            password_setups::cancel_open(&tx, id, now).await?;
        }
        record(
            &tx,
            ctx,
            Some(actor),
            if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            &format!("user:{id}"),
            "ok",
            json!({"before": {"disabled": before.disabled}, "after": {"disabled": disabled}}),
            now,
        )
        .await?;
        let after = users::by_id(&tx, id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        // Forget cached tokens once more after the commit: one read in between must not last.
        users::changed();
        Ok(after)
    }

    /// Changes where an account's one-time setup codes go (the owner's own mobile number or
    /// e-mail address), if `version` is current. Every code still open for the account and
    /// every message still waiting to carry one is cancelled: a code sent to the old contact
    /// no longer works. The log keeps both contacts masked. The security administrator does
    /// it, not the system administrator who resets passwords: else he could point an account
    /// at his own phone, reset it, and log in as its owner (三员分立).
    pub async fn change_user_contact(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        contact: &str,
        version: i64,
    ) -> ServiceResult<User> {
        authorize(actor, Action::GrantRoles)?;
        let before = self.managed_user(actor, ctx, id, "user.contact").await?;
        let (_, address) =
            parse_contact(contact).map_err(|v| ServiceError::invalid("contact", v))?;
        let now = self.now();
        let tx = self.db().begin().await?;
        if !users::set_contact(&tx, id, &address, version, now).await? {
            return Err(ServiceError::Conflict(
                "该账号已被他人修改，请刷新后重试".into(),
            ));
        }
        let cancelled = password_setups::cancel_open(&tx, id, now).await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "user.contact",
            &format!("user:{id}"),
            "ok",
            json!({"before": mask_contact(&before.contact), "after": mask_contact(&address),
                   "codes_cancelled": cancelled}),
            now,
        )
        .await?;
        let after = users::by_id(&tx, id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        users::changed();
        Ok(after)
    }

    /// Lifts a lock before it runs out.
    pub async fn unlock_user(&self, actor: &Actor, ctx: &Ctx, id: i64) -> ServiceResult<()> {
        authorize(actor, Action::ManageUsers)?;
        let user = self.managed_user(actor, ctx, id, "user.unlock").await?;
        let now = self.now();
        let tx = self.db().begin().await?;
        users::clear_failures(&tx, id).await?;
        login_failures::clear_all(&tx, &user.username).await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "user.unlock",
            &format!("user:{id}"),
            "ok",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resets an account's password: the old one stops working, every session and token of the
    /// account ends at once, and a one-time setup code goes to the owner's own contact. The
    /// administrator learns where it was sent (masked), never the code.
    pub async fn reset_user_password(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
    ) -> ServiceResult<SetupSent> {
        authorize(actor, Action::ManageUsers)?;
        let user = self
            .managed_user(actor, ctx, id, "user.password_reset")
            .await?;
        if user.contact.trim().is_empty() {
            return Err(ServiceError::invalid(
                "contact",
                Violation::new(
                    "contact_missing",
                    "该账号没有登记本人联系方式，无法发送设置码；请由运维人员在服务器上处理",
                    "the account has no contact to send a setup code to",
                ),
            ));
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        // Nobody knows this password: the owner replaces it with the code.
        users::set_password(&tx, id, &hash_password(&random_token()), true, now).await?;
        sessions::end_others(&tx, id, None, now).await?;
        let revoked = tokens::revoke_all(&tx, id, now).await?;
        self.queue_setup_code(
            &tx,
            id,
            &user.username,
            &user.contact,
            "的密码已被重置",
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "user.password_reset",
            &format!("user:{id}"),
            "ok",
            json!({"sent_to": mask_contact(&user.contact), "tokens_revoked": revoked}),
            now,
        )
        .await?;
        let after = users::by_id(&tx, id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        users::changed();
        Ok(SetupSent {
            sent_to: mask_contact(&after.contact),
            user: after,
        })
    }

    /// Forgets failed-login counts untouched for a day whose lock has run out (the server does
    /// it daily). Answers how many went.
    pub async fn forget_stale_login_failures(&self) -> ServiceResult<u64> {
        let now = self.now();
        Ok(login_failures::forget_stale(self.db(), now.minus(Duration::days(1)), now).await?)
    }

    /// Whether a region code names a current region (used by forms before they submit).
    pub async fn region_name(&self, code: RegionCode) -> ServiceResult<Option<String>> {
        Ok(regions::get(self.db(), code).await?.map(|r| r.name))
    }
}

/// Where an account's own things (sessions, tokens) sit, for the scope check.
fn own(user_id: i64) -> zhichan_domain::access::Placement {
    zhichan_domain::access::Placement {
        account: Some(user_id),
        ..Default::default()
    }
}

#[cfg(test)]
mod mask_tests {
    use super::mask_contact;

    #[test]
    fn a_masked_contact_never_gives_away_most_of_a_short_name() {
        // A name of one to three letters shows at most one; never the whole of a short one.
        assert_eq!(mask_contact("a@x.cn"), "***@x.cn");
        assert_eq!(mask_contact("ab@x.cn"), "***@x.cn");
        assert_eq!(mask_contact("wan@x.cn"), "w***@x.cn");
        assert_eq!(mask_contact("wangfang@x.cn"), "wa***@x.cn");
        assert_eq!(mask_contact("13800000088"), "13*******88");
        // Anything short that is no e-mail address is hidden whole.
        assert_eq!(mask_contact("12345"), "***");
        assert_eq!(mask_contact("一二三四五六七八"), "一二****七八");
    }
}
