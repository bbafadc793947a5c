//! Public lookups: the certificate check (备案证明查验) anyone may make, limited per address
//! so that nobody can walk the registration numbers and list every registered product.

use crate::audit::Who;
use crate::products::Verified;
use crate::{Ctx, ServiceError, ServiceResult, Services};
use zhichan_domain::access::Actor;

impl Services {
    /// Checks a registration number for a request from `ctx` (signed in or not): beyond the
    /// per-minute limit in force for its address the answer is "too many requests" until the
    /// next minute. The first lookup refused in a minute is recorded; the rest of a flood is
    /// not, so that it cannot flood the audit log too.
    pub async fn lookup_registration(
        &self,
        ctx: &Ctx,
        who: Option<&Actor>,
        number: &str,
    ) -> ServiceResult<Option<Verified>> {
        let limit = self
            .security_settings()
            .await?
            .settings
            .verify_lookups_per_minute;
        let made = self
            .lookup_limiter
            .hit(&ctx.ip, self.now().unix_seconds() / 60);
        if made > limit {
            if made == limit + 1 {
                let who = who.map_or_else(|| Who::named("(anonymous)"), Who::from);
                self.audit_alone(
                    ctx,
                    &who,
                    "registration.verify",
                    "verify",
                    "denied",
                    serde_json::json!({"reason": "rate_limited", "limit": limit}),
                )
                .await?;
            }
            return Err(ServiceError::TooManyRequests);
        }
        self.verify_registration(number).await
    }
}
