//! A fixed-window counter per key (an address), in memory. Enough for one server process; a
//! cluster behind a load balancer would count per node (each node still limits).

use crate::audit::Who;
use crate::{Ctx, ServiceResult, Services};
use std::collections::HashMap;
use std::sync::Mutex;

/// What an address does that costs the platform enough to be counted per hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Costly {
    /// An unauthenticated sign-up with its documents.
    SignUp,
    /// A file: a product or directory import, a verification document.
    Upload,
}

impl Costly {
    pub fn as_str(self) -> &'static str {
        match self {
            Costly::SignUp => "signup",
            Costly::Upload => "upload",
        }
    }
}

impl Services {
    /// Counts one costly request from the caller's address against the hourly limit in the
    /// security settings. Answers `None` when it may go on, else the seconds until the window
    /// opens again (refusals are audited).
    pub async fn allow_costly(&self, ctx: &Ctx, what: Costly) -> ServiceResult<Option<i64>> {
        let settings = self.security_settings().await?.settings;
        let limit = match what {
            Costly::SignUp => settings.signups_per_hour,
            Costly::Upload => settings.uploads_per_hour,
        };
        let now = self.now().unix_seconds();
        let key = format!("{}:{}", what.as_str(), ctx.ip);
        let count = self.upload_limiter.hit(&key, now / 3600);
        if count <= limit {
            return Ok(None);
        }
        // The first refusal of the window is enough in the log: a flood must not become one.
        if count == limit + 1 {
            self.audit_alone(
                ctx,
                &Who::named("-"),
                "limit.exceeded",
                what.as_str(),
                "denied",
                serde_json::json!({"limit_per_hour": limit}),
            )
            .await?;
        }
        Ok(Some((3600 - now.rem_euclid(3600)).max(1)))
    }
}

#[derive(Debug, Default)]
pub struct PerKey {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl PerKey {
    /// Counts one attempt by `key` in the window `minute` (a minute, or whatever period the
    /// caller numbers); answers whether it is within `limit`.
    pub fn allow(&self, key: &str, minute: i64, limit: u32) -> bool {
        self.hit(key, minute) <= limit
    }

    /// Counts one attempt by `key` in the window and answers how many it has made in it.
    pub fn hit(&self, key: &str, minute: i64) -> u32 {
        let mut w = self.windows.lock().expect("rate limit lock");
        if w.len() > 10_000 {
            w.retain(|_, (m, _)| *m == minute);
        }
        let entry = w.entry(key.to_string()).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_its_limit_then_refuses_until_the_next() {
        let l = PerKey::default();
        assert!((0..3).all(|_| l.allow("a", 1, 3)));
        assert!(!l.allow("a", 1, 3));
        assert!(l.allow("b", 1, 3), "other addresses are not affected");
        assert!(l.allow("a", 2, 3));
        assert_eq!(
            l.hit("a", 2),
            2,
            "count answers the attempts made so far in the minute"
        );
    }
}
