//! Enterprise profiles (企业信息): created by the enterprise for its own credit code (or by a
//! reviewer of its region), read within scope, changed with optimistic locking, every version
//! kept.

use crate::audit::record;
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_domain::access::{authorize, Action, Actor, Placement, Scope};
use zhichan_domain::enterprises::{
    format_date, parse_date, Ownership, Qualification, QualificationKind, QualificationLevel, Scale,
};
use zhichan_domain::validation::{date_between, limits, max_chars, LATEST_DATE};
use zhichan_domain::{CreditCode, IndustryCode, RegionCode, Violation};
use zhichan_store::enterprise_amendments;
use zhichan_store::enterprises::{self, Enterprise, Version, Within};
use zhichan_store::{industries, StoreError};

/// A qualification as typed.
#[derive(Clone, Debug, Default)]
pub struct QualificationInput {
    pub kind: String,
    pub level: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub certificate: String,
}

/// A profile as typed (all fields; a partial change is merged onto the stored profile first).
#[derive(Clone, Debug, Default)]
pub struct EnterpriseInput {
    pub credit_code: String,
    pub name: String,
    /// Empty: taken from the credit code's registration region.
    pub region: String,
    pub address: String,
    pub scale: String,
    pub ownership: String,
    pub industry: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub qualifications: Vec<QualificationInput>,
}

impl EnterpriseInput {
    pub fn from_stored(e: &Enterprise) -> Self {
        EnterpriseInput {
            credit_code: e.credit_code.clone(),
            name: e.name.clone(),
            region: e.region.to_string(),
            address: e.address.clone(),
            scale: e.scale.as_str().into(),
            ownership: e.ownership.as_str().into(),
            industry: e.industry.to_string(),
            contact_name: e.contact_name.clone(),
            contact_phone: e.contact_phone.clone(),
            contact_email: e.contact_email.clone(),
            qualifications: e
                .qualifications
                .iter()
                .map(|q| QualificationInput {
                    kind: q.kind.as_str().into(),
                    level: q.level.as_str().into(),
                    valid_from: q.valid_from.map(format_date),
                    valid_to: q.valid_to.map(format_date),
                    certificate: q.certificate.clone(),
                })
                .collect(),
        }
    }
}

/// The whole profile as JSON: the version snapshot and the audit's before/after.
pub fn snapshot(e: &Enterprise) -> serde_json::Value {
    json!({
        "credit_code": e.credit_code,
        "name": e.name,
        "region": e.region.to_string(),
        "address": e.address,
        "scale": e.scale.as_str(),
        "ownership": e.ownership.as_str(),
        "industry": e.industry.to_string(),
        "contact": {"name": e.contact_name, "phone": e.contact_phone, "email": e.contact_email},
        "qualifications": e.qualifications.iter().map(|q| json!({
            "kind": q.kind.as_str(), "level": q.level.as_str(),
            "valid_from": q.valid_from.map(format_date), "valid_to": q.valid_to.map(format_date),
            "certificate": q.certificate,
        })).collect::<Vec<_>>(),
    })
}

/// A snapshot as the audit log keeps it: the contact's phone and e-mail address masked (the
/// profile's versions keep them whole, for its own readers).
fn audited(snapshot: &serde_json::Value) -> serde_json::Value {
    let mut s = snapshot.clone();
    for key in ["phone", "email"] {
        if let Some(v) = s["contact"][key].as_str().filter(|v| !v.is_empty()) {
            s["contact"][key] = crate::accounts::mask_contact(v).into();
        }
    }
    s
}

pub(crate) fn placement(e: &Enterprise) -> Placement {
    Placement {
        region: Some(e.region),
        enterprise: Some(e.credit_code.clone()),
        account: None,
    }
}

/// How the audit log names a profile.
fn object(e: &Enterprise) -> String {
    format!("enterprise:{}", e.credit_code)
}

fn required(field: &str, zh: &str) -> FieldViolation {
    FieldViolation::new(
        field,
        Violation::new("required", zh, format!("{field} is required")),
    )
}

impl Services {
    /// Checks every field, collecting one violation per bad field; the parsed profile when all
    /// are good.
    async fn parse_enterprise(&self, input: &EnterpriseInput) -> ServiceResult<Enterprise> {
        let mut errors = Vec::new();
        let code = CreditCode::parse(&input.credit_code)
            .map_err(|v| errors.push(FieldViolation::new("credit_code", v)))
            .ok();
        if input.name.trim().chars().count() < 2 {
            errors.push(required("name", "请填写企业名称（与营业执照一致）"));
        }
        // The code's registration region is taken only when it names a county-level one: a
        // city's or a province's authority registers firms of many counties.
        let hint = match code.as_ref().and_then(|c| c.region_hint()) {
            Some(r) if self.reference().enterprise_region(r).await?.is_none() => Some(r),
            _ => None,
        };
        let region = match input.region.trim() {
            "" => match hint {
                Some(r) => Some(r),
                None => {
                    if code.is_some() {
                        errors.push(required("region", "请填写企业所在地的行政区划代码"));
                    }
                    None
                }
            },
            raw => RegionCode::parse(raw)
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
            None => None,
        };
        let scale = Scale::parse(&input.scale)
            .map_err(|v| errors.push(FieldViolation::new("scale", v)))
            .ok();
        let ownership = Ownership::parse(&input.ownership)
            .map_err(|v| errors.push(FieldViolation::new("ownership", v)))
            .ok();
        let industry = match IndustryCode::parse(&input.industry) {
            Ok(code) => match industries::get(self.db(), &code).await? {
                Some(i) if i.active => Some(code),
                _ => {
                    errors.push(FieldViolation::new(
                        "industry",
                        Violation::new(
                            "invalid_industry",
                            format!(
                                "行业代码“{}”不在 GB/T 4754-2017 中",
                                zhichan_domain::validation::echo(input.industry.trim())
                            ),
                            "not a GB/T 4754-2017 code",
                        ),
                    ));
                    None
                }
            },
            Err(v) => {
                errors.push(FieldViolation::new("industry", v));
                None
            }
        };
        let mut quals = Vec::new();
        for (i, q) in input.qualifications.iter().enumerate() {
            let at = |f: &str| format!("qualifications[{i}].{f}");
            let kind = QualificationKind::parse(&q.kind)
                .map_err(|v| errors.push(FieldViolation::new(at("kind"), v)))
                .ok();
            let level = QualificationLevel::parse(&q.level)
                .map_err(|v| errors.push(FieldViolation::new(at("level"), v)))
                .ok();
            let mut date = |f: &str, raw: &Option<String>| match raw.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(t) => {
                    let d = parse_date(t);
                    if let Some(Err(v)) = d.map(|d| date_between(d, LATEST_DATE, "日期")) {
                        errors.push(FieldViolation::new(at(f), v));
                        return None;
                    }
                    if d.is_none() {
                        errors.push(FieldViolation::new(
                            at(f),
                            Violation::new(
                                "invalid_date",
                                "日期格式应为 YYYY-MM-DD",
                                "a date is YYYY-MM-DD",
                            ),
                        ));
                    }
                    d
                }
            };
            let from = date("valid_from", &q.valid_from);
            let to = date("valid_to", &q.valid_to);
            if let (Some(f), Some(t)) = (from, to) {
                if t < f {
                    errors.push(FieldViolation::new(
                        at("valid_to"),
                        Violation::new(
                            "invalid_date",
                            "有效期截止日不能早于起始日",
                            "valid_to before valid_from",
                        ),
                    ));
                }
            }
            if let (Some(kind), Some(level)) = (kind, level) {
                if quals
                    .iter()
                    .any(|x: &Qualification| x.kind == kind && x.level == level)
                {
                    errors.push(FieldViolation::new(
                        at("kind"),
                        Violation::new("duplicate", "同一资质同一级别只能填写一次", "listed twice"),
                    ));
                }
                if let Err(v) = max_chars(&q.certificate, limits::CERTIFICATE) {
                    errors.push(FieldViolation::new(at("certificate"), v));
                }
                quals.push(Qualification {
                    kind,
                    level,
                    valid_from: from,
                    valid_to: to,
                    certificate: q.certificate.trim().to_string(),
                    // Settled against the stored profile by who saves it.
                    review: zhichan_domain::enterprises::QualificationReview::Pending,
                    review_reason: None,
                });
            }
        }
        if input.contact_name.trim().is_empty() {
            errors.push(required("contact.name", "请填写联系人"));
        }
        for (field, value, limit) in [
            ("name", &input.name, limits::ENTERPRISE_NAME),
            ("address", &input.address, limits::ADDRESS),
            ("contact.name", &input.contact_name, limits::CONTACT_NAME),
            ("contact.phone", &input.contact_phone, limits::CONTACT_PHONE),
            ("contact.email", &input.contact_email, limits::CONTACT_EMAIL),
        ] {
            if let Err(v) = max_chars(value, limit) {
                // Only the length is reported: the other checks of the field would repeat it.
                errors.retain(|e: &FieldViolation| e.field != field);
                errors.push(FieldViolation::new(field, v));
            }
        }
        let phone = input.contact_phone.trim();
        if phone.len() < 7
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || "-+ ".contains(c))
        {
            errors.push(FieldViolation::new(
                "contact.phone",
                Violation::new("invalid_phone", "请填写有效的联系电话", "invalid phone"),
            ));
        }
        let email = input.contact_email.trim();
        let email_ok = email.is_empty() || (email.contains('@') && email.contains('.'));
        if !email_ok {
            errors.push(FieldViolation::new(
                "contact.email",
                Violation::new("invalid_email", "电子邮箱格式不正确", "invalid e-mail"),
            ));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let now = self.now();
        Ok(Enterprise {
            id: 0,
            credit_code: code.expect("checked").to_string(),
            name: input.name.trim().to_string(),
            region: region.expect("checked"),
            address: input.address.trim().to_string(),
            scale: scale.expect("checked"),
            ownership: ownership.expect("checked"),
            industry: industry.expect("checked"),
            contact_name: input.contact_name.trim().to_string(),
            contact_phone: phone.to_string(),
            contact_email: email.to_string(),
            qualifications: quals,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// Creates a profile: an enterprise for its own credit code, a reviewer inside its region.
    pub async fn create_enterprise(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        input: EnterpriseInput,
    ) -> ServiceResult<Enterprise> {
        authorize(actor, Action::EditEnterprise)?;
        // Another firm's code is out of an enterprise's scope whatever else the form holds
        // (its region may be missing: a city-issued code names none).
        if let (Ok(code), Some(own)) = (
            CreditCode::parse(&input.credit_code),
            actor.enterprise.as_deref(),
        ) {
            if code.as_str() != own {
                let elsewhere = Placement {
                    region: None,
                    enterprise: Some(code.to_string()),
                    account: None,
                };
                self.scoped(
                    actor,
                    Action::EditEnterprise,
                    &elsewhere,
                    &format!("enterprise:{code}"),
                )
                .await?;
            }
        }
        let mut e = self.parse_enterprise(&input).await?;
        self.scoped(actor, Action::EditEnterprise, &placement(&e), &object(&e))
            .await?;
        let confirms = crate::declarations::confirms_for(actor, &placement(&e));
        crate::declarations::settle_reviews(&[], &mut e.qualifications, confirms);
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = enterprises::insert(&tx, &e, now)
            .await
            .map_err(|err| match err {
                StoreError::Unique { .. } => {
                    crate::enterprise_accounts::credit_code_taken(&e.credit_code)
                }
                other => other.into(),
            })?;
        let stored = Enterprise { id, ..e };
        let snap = snapshot(&stored);
        enterprises::insert_version(&tx, id, 1, &snap.to_string(), &actor.username, now).await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "enterprise.create",
            &format!("enterprise:{}", stored.credit_code),
            "ok",
            json!({"after": audited(&snap)}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// One profile, if inside the caller's scope (404 otherwise, as for one that does not exist).
    pub async fn enterprise(&self, actor: &Actor, credit_code: &str) -> ServiceResult<Enterprise> {
        authorize(actor, Action::ReadEnterprise)?;
        let code = CreditCode::parse(credit_code).map_err(|_| ServiceError::NotFound)?;
        let e = enterprises::by_credit_code(self.db(), code.as_str())
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.scoped(actor, Action::ReadEnterprise, &placement(&e), &object(&e))
            .await?;
        Ok(e)
    }

    /// The profiles inside the caller's scope whose name contains `q`.
    pub async fn enterprises(
        &self,
        actor: &Actor,
        q: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Enterprise>, i64)> {
        self.enterprises_sorted(actor, q, None, limit, offset).await
    }

    /// [`Self::enterprises`] in the order a person chose (by name when `None`).
    pub async fn enterprises_sorted(
        &self,
        actor: &Actor,
        q: Option<&str>,
        order: Option<zhichan_store::sorting::Order>,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Enterprise>, i64)> {
        let within = match authorize(actor, Action::ReadEnterprise)? {
            Scope::All => Within::All,
            Scope::Region(r) => Within::Region(r),
            Scope::Enterprise(c) => Within::CreditCode(c),
            Scope::Account(_) => return Err(ServiceError::Forbidden),
        };
        Ok(enterprises::list_sorted(self.db(), &within, q, order, limit, offset).await?)
    }

    /// Saves a changed profile if `version` is still current (409 otherwise, losing nothing).
    /// The credit code never changes. A new name or region is not saved here: it becomes the
    /// enterprise's change under review (see `enterprise_amendments`), and the approved ones
    /// stay in force until a reviewer approves it.
    pub async fn update_enterprise(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
        version: i64,
        change: impl FnOnce(&mut EnterpriseInput),
    ) -> ServiceResult<Enterprise> {
        authorize(actor, Action::EditEnterprise)?;
        let before = self.enterprise(actor, credit_code).await?;
        self.scoped(
            actor,
            Action::EditEnterprise,
            &placement(&before),
            &object(&before),
        )
        .await?;
        // The form starts from the change under review, so a save keeps what was asked.
        let open = enterprise_amendments::open_for(self.db(), before.id).await?;
        let mut input = EnterpriseInput::from_stored(&before);
        if let Some(a) = &open {
            if let Some(n) = &a.name {
                input.name = n.clone();
            }
            if let Some(r) = a.region {
                input.region = r.to_string();
            }
        }
        change(&mut input);
        input.credit_code = before.credit_code.clone();
        let mut parsed = self.parse_enterprise(&input).await?;
        let confirms = crate::declarations::confirms_for(actor, &placement(&before));
        crate::declarations::settle_reviews(
            &before.qualifications,
            &mut parsed.qualifications,
            confirms,
        );
        let now = self.now();
        let asked = crate::enterprise_amendments::Asked {
            name: (parsed.name != before.name).then(|| parsed.name.clone()),
            region: (parsed.region != before.region).then_some(parsed.region),
        };
        let after = Enterprise {
            id: before.id,
            created_at: before.created_at,
            name: before.name.clone(),
            region: before.region,
            ..parsed
        };
        let tx = self.db().begin().await?;
        self.ask_amendment(&tx, ctx, actor, &before, open.as_ref(), &asked, now)
            .await?;
        let Some(new_version) = enterprises::update(&tx, &after, version, now).await? else {
            return Err(ServiceError::Conflict(
                "企业信息已被他人修改，请刷新后重新填写".into(),
            ));
        };
        let after = Enterprise {
            version: new_version,
            updated_at: now,
            ..after
        };
        let snap = snapshot(&after);
        enterprises::insert_version(
            &tx,
            after.id,
            new_version,
            &snap.to_string(),
            &actor.username,
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "enterprise.update",
            &format!("enterprise:{}", after.credit_code),
            "ok",
            json!({"before": audited(&snapshot(&before)), "after": audited(&snap),
                   "version": new_version}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every saved version of a profile, newest first.
    pub async fn enterprise_history(
        &self,
        actor: &Actor,
        credit_code: &str,
    ) -> ServiceResult<Vec<Version>> {
        let e = self.enterprise(actor, credit_code).await?;
        Ok(enterprises::versions(self.db(), e.id).await?)
    }
}
