//! One enterprise per credit code, and the further accounts of an enterprise.
//!
//! A credit code with an enterprise profile or a verified account is taken: signing up with it
//! is refused (409 `credit_code_taken`), and a reviewer approving an application for it must
//! choose explicitly to make the applicant a further account of that enterprise. Otherwise
//! further accounts are added by the enterprise's own account or a reviewer of its region; the
//! new account chooses its password with a one-time code, so whoever adds it never learns it.

use crate::audit::{record, record_as, Who};
use crate::secrets::{hash_password, random_token, token_hash};
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde_json::json;
use time::Duration;
use zhichan_domain::access::{authorize, authorize_on, Action, Actor, Placement};
use zhichan_domain::accounts::{check_password, Role, Username};
use zhichan_domain::{Timestamp, Violation};
use zhichan_store::users::{self, NewUser, User};
use zhichan_store::{account_setups, enterprises, StoreError};

/// How long a set-password code holds.
pub const SETUP_HOURS: i64 = 72;

/// Who already holds a credit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// The registered name, when the enterprise has a profile.
    pub enterprise_name: Option<String>,
    /// Its verified enterprise accounts.
    pub accounts: i64,
}

impl Holder {
    /// The reviewer's warning.
    pub fn warning_zh(&self) -> String {
        let who = match &self.enterprise_name {
            Some(n) => format!("企业“{n}”"),
            None => "一家企业".to_string(),
        };
        format!(
            "该统一社会信用代码已属于{who}（已有 {} 个认证账号）。批准即把申请人作为该企业的又一账号，\
             可查看和修改其全部信息与产品；除非确认申请人受该企业委托，请退回。",
            self.accounts
        )
    }
}

/// 409 for a sign-up (or a profile) with a credit code that already has an enterprise.
pub fn credit_code_taken(code: &str) -> ServiceError {
    ServiceError::Taken(FieldViolation::new(
        "credit_code",
        Violation::new(
            "credit_code_taken",
            format!(
                "统一社会信用代码 {code} 的企业已在平台登记，不能再次注册。如您是该企业的人员，\
                 请联系该企业现有的账号持有人在“企业信息”页为您添加账号，或联系企业所在地区的审核员。"
            ),
            "an enterprise with this credit code is already registered",
        ),
    ))
}

/// 409 for a reviewer approving an application whose credit code is taken, without choosing to
/// add the applicant as a further account.
pub fn credit_code_taken_for_review(code: &str) -> ServiceError {
    ServiceError::Taken(FieldViolation::new(
        "credit_code",
        Violation::new(
            "credit_code_taken",
            format!(
                "统一社会信用代码 {code} 已有企业：如确认申请人受该企业委托，请选择“作为该企业的又一账号批准”，否则请退回。"
            ),
            "the credit code already has an enterprise: approve as a further account, or return",
        ),
    ))
}

/// A further account to add.
#[derive(Clone, Debug, Default)]
pub struct NewColleague {
    pub username: String,
    pub display_name: String,
    /// The holder's own mobile number or e-mail address: the one-time code goes there only.
    pub contact: String,
}

/// An added account, and where its one-time set-password code was sent (masked): whoever adds
/// the account never sees the code.
#[derive(Clone, Debug)]
pub struct AddedAccount {
    pub user: User,
    pub sent_to: String,
    pub expires_at: Timestamp,
}

/// An account of an enterprise as its page lists it.
#[derive(Clone, Debug)]
pub struct EnterpriseAccount {
    pub user: User,
    /// Until then it may choose its password with its code.
    pub setup_until: Option<Timestamp>,
}

impl Services {
    /// Who holds a credit code (ignoring the account `except`): its profile or its verified
    /// accounts.
    pub async fn credit_code_holder(
        &self,
        code: &str,
        except: i64,
    ) -> ServiceResult<Option<Holder>> {
        let profile = enterprises::by_credit_code(self.db(), code).await?;
        let accounts = enterprises::verified_accounts(self.db(), code, except).await?;
        Ok((profile.is_some() || accounts > 0).then(|| Holder {
            enterprise_name: profile.map(|e| e.name),
            accounts,
        }))
    }

    /// The enterprise accounts of a profile in the caller's scope.
    pub async fn enterprise_accounts(
        &self,
        actor: &Actor,
        credit_code: &str,
    ) -> ServiceResult<Vec<EnterpriseAccount>> {
        let e = self.enterprise(actor, credit_code).await?;
        let list = enterprises::accounts(self.db(), &e.credit_code).await?;
        let ids: Vec<i64> = list.iter().map(|u| u.id).collect();
        let pending = account_setups::pending(self.db(), &ids).await?;
        Ok(list
            .into_iter()
            .map(|user| EnterpriseAccount {
                setup_until: pending
                    .iter()
                    .find(|s| s.user_id == user.id)
                    .map(|s| s.expires_at),
                user,
            })
            .collect())
    }

    /// Adds a further account to an enterprise: by one of its accounts or a reviewer of its
    /// region. The account is verified (whoever adds it vouches for it) and has no usable
    /// password until its holder chooses one with the one-time code sent to the holder's own
    /// contact (as for staff accounts): the code is never answered to whoever adds it.
    pub async fn add_enterprise_account(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
        input: NewColleague,
    ) -> ServiceResult<AddedAccount> {
        authorize(actor, Action::EditEnterprise)?;
        let e = self.enterprise(actor, credit_code).await?;
        authorize_on(
            actor,
            Action::EditEnterprise,
            &Placement {
                region: Some(e.region),
                enterprise: Some(e.credit_code.clone()),
                account: None,
            },
        )?;
        let mut errors = Vec::new();
        let username = Username::parse(&input.username)
            .map_err(|v| errors.push(FieldViolation::new("username", v)))
            .ok();
        let contact = crate::accounts::parse_contact(&input.contact)
            .map_err(|v| errors.push(FieldViolation::new("contact", v)))
            .ok();
        let (Some(username), Some((channel, address))) = (username, contact) else {
            return Err(ServiceError::Invalid(errors));
        };
        let now = self.now();
        let code = random_token();
        let expires_at = now.plus(Duration::hours(SETUP_HOURS));
        let tx = self.db().begin().await?;
        // The same name again for an account of this enterprise that has never chosen its
        // password (its code went to a mistyped contact, never arrived, or expired): the adder
        // still owns it, so a fresh code goes to the contact given now and the old one dies.
        // Any other holder of the name — an account in use, another enterprise's — is taken.
        let existing = users::by_username(&tx, username.as_str()).await?;
        let mut reissue = None;
        if let Some(u) = existing.filter(|u| {
            u.role == Role::Enterprise
                && u.enterprise.as_deref() == Some(e.credit_code.as_str())
                && !u.disabled
        }) {
            if !account_setups::pending(&tx, &[u.id]).await?.is_empty() {
                reissue = Some(u.id);
            }
        }
        let id = match reissue {
            Some(id) => {
                // Its earlier code and the messages still carrying it are cancelled.
                zhichan_store::password_setups::cancel_open(&tx, id, now).await?;
                if !input.display_name.trim().is_empty() {
                    users::set_display_name(
                        &tx,
                        id,
                        &input
                            .display_name
                            .trim()
                            .chars()
                            .take(64)
                            .collect::<String>(),
                    )
                    .await?;
                }
                id
            }
            None => users::insert(
                &tx,
                &NewUser {
                    username: username.as_str().to_string(),
                    display_name: input.display_name.trim().chars().take(64).collect(),
                    role: Role::Enterprise,
                    region: Some(e.region),
                    enterprise: Some(e.credit_code.clone()),
                    // Nobody knows this password: the holder chooses one with the code.
                    password_hash: hash_password(&random_token()),
                    must_change_password: false,
                    verification: "verified",
                },
                now,
            )
            .await
            .map_err(|err| match err {
                StoreError::Unique { .. } => ServiceError::invalid(
                    "username",
                    Violation::new("taken", "该用户名已被使用", "this username is taken"),
                ),
                other => other.into(),
            })?,
        };
        users::set_contact_and_grant(&tx, id, &address, true).await?;
        account_setups::put(
            &tx,
            id,
            &token_hash(&code),
            &actor.username,
            now,
            expires_at,
        )
        .await?;
        let body = format!(
            "{}为您在知产平台添加了企业 {} 的账号 {}。设置码：{code}（{SETUP_HOURS} 小时内有效，\
             仅能使用一次）。请打开平台的“设置密码”页面（/account/setup），输入用户名和设置码并\
             设置密码。添加账号的人看不到此设置码。",
            actor.username,
            e.name,
            username.as_str()
        );
        crate::notifications::queue_account_message(
            &tx,
            Some(id),
            channel,
            &address,
            "设置登录密码",
            &body,
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "enterprise.account_add",
            &format!("enterprise:{}", e.credit_code),
            "ok",
            json!({"user": id, "username": username.as_str(), "sent_to": crate::accounts::mask_contact(&address),
                   "reissued": reissue.is_some()}),
            now,
        )
        .await?;
        let user = users::by_id(&tx, id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok(AddedAccount {
            user,
            sent_to: crate::accounts::mask_contact(&address),
            expires_at,
        })
    }

    /// The holder of an added account chooses its password with the one-time code (no login
    /// needed). The code works once, for that username, until it expires.
    pub async fn complete_account_setup(
        &self,
        ctx: &Ctx,
        username: &str,
        code: &str,
        password: &str,
    ) -> ServiceResult<()> {
        let bad_code = || {
            ServiceError::invalid(
                "code",
                Violation::new(
                    "invalid_code",
                    "设置密码的代码无效、已使用或已过期，请联系为您添加账号的人重新添加",
                    "the code is invalid, used or expired",
                ),
            )
        };
        let name = Username::parse(username).map_err(|_| bad_code())?;
        check_password(name.as_str(), password)
            .map_err(|v| ServiceError::invalid("password", v))?;
        let now = self.now();
        let tx = self.db().begin().await?;
        let Some(setup) = account_setups::take(&tx, &token_hash(code.trim())).await? else {
            return Err(bad_code());
        };
        let user = users::by_id(&tx, setup.user_id)
            .await?
            .filter(|u| u.username == name.as_str() && !u.disabled);
        let Some(user) = user.filter(|_| now < setup.expires_at) else {
            // Nothing is written: the transaction that took the code is rolled back.
            return Err(bad_code());
        };
        users::set_password(&tx, user.id, &hash_password(password), false, now).await?;
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
        Ok(())
    }
}
