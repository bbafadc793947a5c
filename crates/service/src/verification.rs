//! Real-name verification (实名认证): an enterprise signs itself up with its name, credit code,
//! a supporting document and the integrity pledge (诚信承诺书); a platform reviewer of its
//! region approves it or returns it with a reason. Until approved the account can do nothing
//! but look at and complete its application.

use crate::audit::{record, record_as, Who};
use crate::evidence::{self, Checked};
use crate::secrets::hash_password;
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_domain::access::{authorize, Action, Actor, Placement};
use zhichan_domain::accounts::{Role, Username};
use zhichan_domain::{CreditCode, RegionCode, Violation};
use zhichan_store::users::{self, NewUser};
use zhichan_store::verifications::{self, NewVerification, Verification};
use zhichan_store::StoreError;

/// What an enterprise fills in to sign up, or to resubmit.
#[derive(Clone, Debug, Default)]
pub struct Application {
    pub enterprise_name: String,
    pub credit_code: String,
    /// The region the enterprise is registered in; taken from the credit code when empty.
    pub region: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub document_name: String,
    pub document: Vec<u8>,
    pub pledge_accepted: bool,
}

fn required(field: &str, zh: &str) -> FieldViolation {
    FieldViolation::new(
        field,
        Violation::new("required", zh, format!("{field} is required")),
    )
}

impl Services {
    async fn check_application(
        &self,
        a: &Application,
        errors: &mut Vec<FieldViolation>,
    ) -> ServiceResult<(Option<CreditCode>, Option<RegionCode>, Option<Checked>)> {
        if a.enterprise_name.trim().chars().count() < 2 {
            errors.push(required(
                "enterprise_name",
                "请填写企业名称（与营业执照一致）",
            ));
        }
        let code = CreditCode::parse(&a.credit_code)
            .map_err(|v| errors.push(FieldViolation::new("credit_code", v)))
            .ok();
        // The region decides which reviewers see the application, so it follows the code's
        // registration region whenever the code names a current one; it is typed only when not.
        // A code issued by a city's or a province's authority names no county: the firm's own
        // county-level region is then typed, and must lie inside the code's.
        let hint = match code.as_ref().and_then(|c| c.region_hint()) {
            Some(r) if self.reference().region_exists(r).await? => Some(r),
            _ => None,
        };
        let leaf = match hint {
            Some(h) => self.reference().enterprise_region(h).await?.is_none(),
            None => false,
        };
        let region = match (hint, a.region.trim()) {
            (Some(h), "") if leaf => Some(h),
            (Some(h), "") => {
                errors.push(required(
                    "region",
                    &format!(
                        "统一社会信用代码所示的登记地（{h}）下辖区县，请选择企业注册地所在的区县"
                    ),
                ));
                None
            }
            (Some(h), raw) => match RegionCode::parse(raw) {
                Ok(r) if r == h || (!leaf && h.contains(r)) => Some(r),
                _ => {
                    errors.push(FieldViolation::new(
                        "region",
                        Violation::new(
                            "invalid_region",
                            format!("注册地应与统一社会信用代码所示的登记地（{h}）一致"),
                            "the region must match the credit code's",
                        ),
                    ));
                    None
                }
            },
            (None, "") => None,
            (None, raw) => RegionCode::parse(raw)
                .map_err(|v| errors.push(FieldViolation::new("region", v)))
                .ok(),
        };
        let region = match region {
            Some(r) => match self.reference().enterprise_region(r).await? {
                None => Some(r),
                Some(v) => {
                    errors.push(FieldViolation::new("region", v));
                    None
                }
            },
            None => {
                let reported = errors.iter().any(|e| e.field == "region");
                if !reported && (!a.region.trim().is_empty() || code.is_some()) {
                    errors.push(required("region", "请填写企业注册地的行政区划代码"));
                }
                None
            }
        };
        if a.contact_name.trim().is_empty() {
            errors.push(required("contact_name", "请填写联系人"));
        }
        use zhichan_domain::validation::{limits, max_chars};
        for (field, value, limit) in [
            (
                "enterprise_name",
                &a.enterprise_name,
                limits::ENTERPRISE_NAME,
            ),
            ("contact_name", &a.contact_name, limits::CONTACT_NAME),
            ("contact_phone", &a.contact_phone, limits::CONTACT_PHONE),
        ] {
            if let Err(v) = max_chars(value, limit) {
                errors.push(FieldViolation::new(field, v));
            }
        }
        let phone_ok = a.contact_phone.trim().len() >= 7
            && a.contact_phone
                .trim()
                .chars()
                .all(|c| c.is_ascii_digit() || "-+ ".contains(c));
        if !phone_ok {
            errors.push(FieldViolation::new(
                "contact_phone",
                Violation::new("invalid_phone", "请填写有效的联系电话", "invalid phone"),
            ));
        }
        let kind = if a.document.is_empty() {
            errors.push(required(
                "document",
                "请上传营业执照等证明材料（PDF、JPG 或 PNG）",
            ));
            None
        } else {
            match crate::evidence::check("document", &a.document_name, &a.document) {
                Ok(file) => Some(file),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        if !a.pledge_accepted {
            errors.push(FieldViolation::new(
                "pledge",
                Violation::new(
                    "required",
                    "请阅读并同意诚信承诺书",
                    "the pledge must be accepted",
                ),
            ));
        }
        Ok((code, region, kind))
    }

    fn new_verification(
        user_id: i64,
        a: Application,
        code: &CreditCode,
        region: RegionCode,
        document: i64,
    ) -> NewVerification {
        NewVerification {
            user_id,
            enterprise_name: a.enterprise_name.trim().to_string(),
            credit_code: code.to_string(),
            region: Some(region),
            contact_name: a.contact_name.trim().to_string(),
            contact_phone: a.contact_phone.trim().to_string(),
            document,
        }
    }

    /// An enterprise signs itself up. The answer is the same whether the username is free or
    /// taken, so that a stranger learns nothing about which usernames exist: where the outcome
    /// goes (`contact`, answered masked) is the only thing said. A free name: the account is
    /// created pending verification, with its application, in one transaction, and a one-time
    /// setup code goes to the contact, with which the applicant sets the password
    /// (`/password/setup`) and then logs in. A taken name: nothing is stored, and the contact is
    /// told to sign up again with another name. Field errors and a taken credit code (which the
    /// contract names) are answered as before.
    pub async fn sign_up(
        &self,
        ctx: &Ctx,
        username: &str,
        contact: &str,
        application: Application,
    ) -> ServiceResult<String> {
        let mut errors = Vec::new();
        let name = Username::parse(username)
            .map_err(|v| errors.push(FieldViolation::new("username", v)))
            .ok();
        let address = crate::accounts::parse_contact(contact)
            .map_err(|v| errors.push(FieldViolation::new("contact", v)))
            .ok();
        let (code, region, kind) = self.check_application(&application, &mut errors).await?;
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let (name, (channel, address), code, region, kind) = (
            name.expect("checked"),
            address.expect("checked"),
            code.expect("checked"),
            region.expect("checked"),
            kind.expect("checked"),
        );
        // One enterprise per credit code: a code that already has an enterprise is never
        // claimed by signing up (its accounts are added by its own account or a reviewer).
        if self.credit_code_holder(code.as_str(), 0).await?.is_some() {
            return Err(crate::enterprise_accounts::credit_code_taken(code.as_str()));
        }
        let sent_to = crate::accounts::mask_contact(&address);
        let now = self.now();
        // Hashed whether the name is free or not: both answers take the same work. Nobody
        // knows this password; the applicant sets one with the code.
        let password_hash = hash_password(&crate::secrets::random_token());
        let tx = self.db().begin().await?;
        let inserted = users::insert(
            &tx,
            &NewUser {
                username: name.as_str().to_string(),
                display_name: application.contact_name.trim().to_string(),
                role: Role::Enterprise,
                region: Some(region),
                enterprise: Some(code.to_string()),
                password_hash,
                must_change_password: false,
                verification: "pending",
            },
            now,
        )
        .await;
        let user_id = match inserted {
            Ok(id) => id,
            Err(StoreError::Unique { .. }) => {
                // The statement failed inside the transaction: a fresh one tells the contact.
                tx.rollback().await?;
                let tx = self.db().begin().await?;
                let body = format!(
                    "您在知产平台提交的企业注册（{}）未能完成：用户名 {} 已被使用。\
                     所填资料没有保存，请换一个用户名重新注册。如非本人操作，请忽略本消息。",
                    application.enterprise_name.trim(),
                    name.as_str()
                );
                crate::notifications::queue_account_message(
                    &tx,
                    None,
                    channel,
                    &address,
                    "企业注册未完成",
                    &body,
                    now,
                )
                .await?;
                record_as(
                    &tx,
                    ctx,
                    &Who::named("-"),
                    "verification.submit",
                    "signup",
                    "refused",
                    json!({"reason": "username_taken", "sent_to": sent_to}),
                    now,
                )
                .await?;
                tx.commit().await?;
                return Ok(sent_to);
            }
            Err(other) => return Err(other.into()),
        };
        users::set_contact_and_grant(&tx, user_id, &address, true).await?;
        let document = evidence::put(&tx, &kind, &application.document, now).await?;
        let id = verifications::insert(
            &tx,
            Self::new_verification(user_id, application, &code, region, document),
            now,
        )
        .await?;
        self.queue_setup_code(
            &tx,
            user_id,
            name.as_str(),
            &address,
            "已注册，等待实名认证审核",
            now,
        )
        .await?;
        let who = Who {
            user_id: Some(user_id),
            username: name.as_str().to_string(),
            role: "enterprise".into(),
        };
        record_as(
            &tx,
            ctx,
            &who,
            "verification.submit",
            &format!("verification:{id}"),
            "ok",
            json!({"credit_code": code.to_string(), "region": region.to_string(), "signup": true,
                   "sent_to": sent_to}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(sent_to)
    }

    /// A returned applicant submits again (a new application; the old one stays as it was).
    pub async fn resubmit_verification(
        &self,
        ctx: &Ctx,
        actor: &Actor,
        application: Application,
    ) -> ServiceResult<i64> {
        authorize(actor, Action::SubmitVerification)?;
        let current = verifications::latest_for_user(self.db(), actor.user_id).await?;
        if current.as_ref().is_some_and(|v| v.status != "returned") {
            return Err(ServiceError::Conflict(
                "当前申请不是退回状态，无需重新提交".into(),
            ));
        }
        let mut errors = Vec::new();
        let (code, region, kind) = self.check_application(&application, &mut errors).await?;
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let (code, region, kind) = (
            code.expect("checked"),
            region.expect("checked"),
            kind.expect("checked"),
        );
        if self
            .credit_code_holder(code.as_str(), actor.user_id)
            .await?
            .is_some()
        {
            return Err(crate::enterprise_accounts::credit_code_taken(code.as_str()));
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        let document = evidence::put(&tx, &kind, &application.document, now).await?;
        let id = verifications::insert(
            &tx,
            Self::new_verification(actor.user_id, application, &code, region, document),
            now,
        )
        .await?;
        users::set_verification(&tx, actor.user_id, "pending", now).await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "verification.submit",
            &format!("verification:{id}"),
            "ok",
            json!({"credit_code": code.to_string(), "region": region.to_string()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The caller's own newest application.
    pub async fn my_verification(&self, actor: &Actor) -> ServiceResult<Option<Verification>> {
        authorize(actor, Action::SubmitVerification)?;
        Ok(verifications::latest_for_user(self.db(), actor.user_id).await?)
    }

    /// The applications in a status inside the reviewer's region, oldest first.
    pub async fn verification_queue(
        &self,
        actor: &Actor,
        status: &str,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Verification>, i64)> {
        self.verification_queue_sorted(actor, status, None, limit, offset)
            .await
    }

    /// [`Self::verification_queue`] in the order a person chose.
    pub async fn verification_queue_sorted(
        &self,
        actor: &Actor,
        status: &str,
        order: Option<zhichan_store::sorting::Order>,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Verification>, i64)> {
        let scope = authorize(actor, Action::ReviewVerification)?;
        let range = match scope {
            zhichan_domain::access::Scope::Region(r) => r.subtree(),
            zhichan_domain::access::Scope::All => RegionCode::NATION.subtree(),
            _ => return Err(ServiceError::Forbidden),
        };
        let status = match status {
            "approved" | "returned" => status,
            _ => "pending",
        };
        Ok(verifications::queue_sorted(self.db(), status, range, order, limit, offset).await?)
    }

    fn placement(v: &Verification) -> Placement {
        Placement {
            region: v.region,
            ..Placement::default()
        }
    }

    /// One application, if it lies in the reviewer's region (404 otherwise).
    pub async fn verification(&self, actor: &Actor, id: i64) -> ServiceResult<Verification> {
        let v = verifications::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.scoped(
            actor,
            Action::ReviewVerification,
            &Self::placement(&v),
            &format!("verification:{id}"),
        )
        .await?;
        Ok(v)
    }

    /// The supporting document of an application: the reviewer of its region, or its owner.
    pub async fn verification_document(
        &self,
        actor: &Actor,
        id: i64,
    ) -> ServiceResult<(String, String, Vec<u8>)> {
        let v = verifications::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let owner =
            v.user_id == actor.user_id && authorize(actor, Action::SubmitVerification).is_ok();
        if !owner {
            self.scoped(
                actor,
                Action::ReviewVerification,
                &Self::placement(&v),
                &format!("verification:{id}"),
            )
            .await?;
        }
        let d = verifications::document(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok((d.name, d.content_type, d.bytes))
    }

    /// Approves an application (the account can then work) or returns it with a reason. An
    /// application whose credit code already has an enterprise is not approved this way (409
    /// `credit_code_taken`): see [`Services::review_verification_with`].
    pub async fn review_verification(
        &self,
        ctx: &Ctx,
        actor: &Actor,
        id: i64,
        approve: bool,
        reason: Option<&str>,
    ) -> ServiceResult<Verification> {
        self.review_verification_with(ctx, actor, id, approve, reason, false)
            .await
    }

    /// What a reviewer is warned of before deciding an application: the enterprise that
    /// already holds its credit code (a profile, verified accounts), if any.
    pub async fn verification_conflict(
        &self,
        v: &Verification,
    ) -> ServiceResult<Option<crate::enterprise_accounts::Holder>> {
        if v.status != "pending" {
            return Ok(None);
        }
        self.credit_code_holder(&v.credit_code, v.user_id).await
    }

    /// Decides an application. When its credit code already has an enterprise, approving it
    /// must be the reviewer's explicit choice (`further_account`) to make the applicant a
    /// further account of that enterprise, with access to all its data; otherwise it is 409
    /// `credit_code_taken` and the reviewer returns it.
    pub async fn review_verification_with(
        &self,
        ctx: &Ctx,
        actor: &Actor,
        id: i64,
        approve: bool,
        reason: Option<&str>,
        further_account: bool,
    ) -> ServiceResult<Verification> {
        let v = self.verification(actor, id).await?;
        let holder = self.verification_conflict(&v).await?;
        if approve && holder.is_some() && !further_account {
            return Err(crate::enterprise_accounts::credit_code_taken_for_review(
                &v.credit_code,
            ));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason {
            zhichan_domain::validation::max_chars(r, zhichan_domain::validation::limits::REASON)
                .map_err(|v| crate::ServiceError::invalid("reason", v))?;
        }
        if !approve && reason.is_none() {
            return Err(ServiceError::invalid(
                "reason",
                Violation::new(
                    "required",
                    "退回时须说明理由",
                    "a reason is required to return",
                ),
            ));
        }
        let now = self.now();
        let status = if approve { "approved" } else { "returned" };
        let tx = self.db().begin().await?;
        if !verifications::decide(&tx, id, status, &actor.username, reason, now).await? {
            return Err(ServiceError::Conflict("该申请已被处理，请刷新".into()));
        }
        users::set_verification(
            &tx,
            v.user_id,
            if approve { "verified" } else { "returned" },
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            if approve {
                "verification.approve"
            } else {
                "verification.return"
            },
            &format!("verification:{id}"),
            "ok",
            json!({"user": v.username, "credit_code": v.credit_code, "reason": reason,
                   "further_account": approve && holder.is_some()}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.verification(actor, id).await
    }
}
