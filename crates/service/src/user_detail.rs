//! One account as the administrators see it: who, role, region, status, last login, open
//! sessions, and what the viewer may do with it (from the same rules the actions enforce).

use crate::{ServiceError, ServiceResult, Services};
use zhichan_domain::access::{authorize, grant, may_assign, Action, Actor};
use zhichan_domain::Timestamp;
use zhichan_store::sessions::{self, Session};
use zhichan_store::users::{self, User};

/// What the viewer may do with an account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allowed {
    /// Disable or enable it (never one's own, never one of the three administrators').
    pub disable: bool,
    pub unlock: bool,
    pub reset_password: bool,
    /// Grant or change its role and region.
    pub grant: bool,
    /// Change where its one-time setup codes go (the security administrator; never one of the
    /// three administrators').
    pub contact: bool,
}

/// An account's page.
#[derive(Clone, Debug)]
pub struct UserDetail {
    pub user: User,
    pub region_name: Option<String>,
    pub last_login: Option<Timestamp>,
    /// Its open sessions, newest first.
    pub sessions: Vec<Session>,
    pub allowed: Allowed,
}

impl Services {
    /// One account for those who read accounts (404 when there is none).
    pub async fn user_detail(&self, actor: &Actor, id: i64) -> ServiceResult<UserDetail> {
        authorize(actor, Action::ReadUsers)?;
        let user = users::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let now = self.now();
        let manages =
            grant(actor.role, Action::ManageUsers).is_some() && !user.role.is_three_admin();
        let allowed = Allowed {
            disable: manages && user.id != actor.user_id,
            unlock: manages && user.locked_until.is_some_and(|t| t > now),
            reset_password: manages,
            grant: may_assign(actor.role, Action::GrantRoles, user.role),
            contact: grant(actor.role, Action::GrantRoles).is_some() && !user.role.is_three_admin(),
        };
        let region_name = match user.region {
            Some(r) => self.region_name(r).await?,
            None => None,
        };
        Ok(UserDetail {
            region_name,
            last_login: sessions::last_login(self.db(), id).await?,
            sessions: sessions::open_for_user(self.db(), id, now).await?,
            allowed,
            user,
        })
    }
}
