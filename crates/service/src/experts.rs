//! Experts' units and fields (专家的工作单位与熟悉领域): kept by the system administrator, who
//! manages staff accounts (三员分立: the security administrator grants the role, the system
//! administrator keeps the account's particulars). The unit decides conflicts of interest, the
//! fields which experts a panel suggests for an item.

use crate::audit::record;
use crate::{Ctx, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_domain::access::{authorize, Action, Actor};
use zhichan_domain::accounts::Role;
use zhichan_domain::panels::ExpertProfile;
use zhichan_domain::Violation;
use zhichan_store::experts::{self, StoredProfile};

/// A profile as typed: the unit's credit code and name, the fields' codes.
#[derive(Clone, Debug, Default)]
pub struct ProfileInput {
    pub unit_credit_code: String,
    pub unit_name: String,
    pub fields: Vec<String>,
}

pub(crate) fn invalid(errs: Vec<(String, Violation)>) -> ServiceError {
    ServiceError::invalid_fields(errs)
}

/// The domain profile of a stored one.
pub fn parse_stored(p: &StoredProfile) -> Option<ExpertProfile> {
    ExpertProfile::parse(&p.unit_credit_code, &p.unit_name, &p.fields).ok()
}

impl Services {
    /// An account's expert profile, for those who read accounts.
    pub async fn expert_profile(
        &self,
        actor: &Actor,
        user_id: i64,
    ) -> ServiceResult<Option<StoredProfile>> {
        authorize(actor, Action::ReadUsers)?;
        Ok(experts::of_user(self.db(), user_id).await?)
    }

    /// The expert profiles of these accounts, for those who read accounts.
    pub async fn expert_profiles(
        &self,
        actor: &Actor,
        ids: &[i64],
    ) -> ServiceResult<Vec<StoredProfile>> {
        authorize(actor, Action::ReadUsers)?;
        Ok(experts::of_users(self.db(), ids).await?)
    }

    /// Sets an expert's unit and fields if `version` is the profile's current one (0 before
    /// the first). Only an expert account has one; every industry must be listed in GB/T 4754.
    pub async fn set_expert_profile(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        user_id: i64,
        input: ProfileInput,
        version: i64,
    ) -> ServiceResult<StoredProfile> {
        authorize(actor, Action::ManageUsers)?;
        let user = self
            .managed_user(actor, ctx, user_id, "user.expert_profile")
            .await?;
        if user.role != Role::Expert {
            return Err(ServiceError::invalid(
                "role",
                Violation::new(
                    "not_expert",
                    format!(
                        "该账号的角色是“{}”，不是专家，不能填写专家信息",
                        user.role.label_zh()
                    ),
                    "only an expert account has a unit and fields",
                ),
            ));
        }
        let mut profile =
            ExpertProfile::parse(&input.unit_credit_code, &input.unit_name, &input.fields)
                .map_err(invalid)?;
        // Each code must be listed in the classification, not only well formed.
        let codes: Vec<&str> = profile.fields.iter().map(|f| f.as_str()).collect();
        let names = self.reference().industry_names(&codes).await?;
        let unlisted: Vec<(String, Violation)> = input
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, typed)| {
                let code = zhichan_domain::IndustryCode::parse(typed).ok()?;
                (!names.contains_key(code.as_str())).then(|| {
                    (
                        format!("fields[{i}]"),
                        Violation::new(
                            "invalid_industry",
                            format!("“{}”不是国民经济行业分类（GB/T 4754-2017）中的代码", code),
                            "not a listed GB/T 4754-2017 code",
                        ),
                    )
                })
            })
            .collect();
        if !unlisted.is_empty() {
            return Err(invalid(unlisted));
        }
        profile.fields.dedup();
        let before = experts::of_user(self.db(), user_id).await?;
        let stored = StoredProfile {
            user_id,
            unit_credit_code: profile.unit_credit_code.as_str().to_string(),
            unit_name: profile.unit_name.clone(),
            fields: profile
                .fields
                .iter()
                .map(|f| f.as_str().to_string())
                .collect(),
            version,
            updated_by: actor.username.clone(),
            updated_at: self.now(),
        };
        let now = self.now();
        let tx = self.db().begin().await?;
        if !experts::save(&tx, &stored, version, now).await? {
            return Err(ServiceError::Conflict(
                "该专家信息已被他人修改，请刷新后重试".into(),
            ));
        }
        let show = |p: &StoredProfile| {
            json!({"unit_credit_code": p.unit_credit_code, "unit_name": p.unit_name,
                   "fields": p.fields})
        };
        record(
            &tx,
            ctx,
            Some(actor),
            "user.expert_profile",
            &format!("user:{user_id}"),
            "ok",
            json!({"before": before.as_ref().map(show), "after": show(&stored)}),
            now,
        )
        .await?;
        let after = experts::of_user(&tx, user_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok(after)
    }
}
