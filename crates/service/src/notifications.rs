//! In-app notifications of an enterprise (approved, returned, update due, patent lapsed),
//! written in the same transaction as what they report, and queued in an outbox for the
//! enterprise's contact phone (SMS) and e-mail, for adapters to drain.

use crate::{ServiceError, ServiceResult, Services};
use zhichan_domain::access::{authorize, Action, Actor, Placement, Scope};
use zhichan_domain::Timestamp;
use zhichan_store::notifications::{self, NewNotification, Notification, OutboxItem};
use zhichan_store::{enterprises, Exec};

/// What a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ProductApproved,
    ProductReturned,
    UpdateApproved,
    UpdateReturned,
    UpdateDue,
    PatentLapsed,
    WithdrawPrompt,
    ProductRevoked,
    EnterpriseChangeApproved,
    EnterpriseChangeReturned,
    ObjectionAnswered,
    DeclarationApproved,
    DeclarationReturned,
    QualificationsConfirmed,
    QualificationsReturned,
    /// 免申即享: the enterprise qualifies for an award under a published rule.
    Entitlement,
    /// An award the enterprise confirmed was paid.
    AwardPaid,
    /// The national administrator closed a batch's opt-in before its date.
    BatchOptInClosed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ProductApproved => "product_approved",
            Kind::ProductReturned => "product_returned",
            Kind::UpdateApproved => "update_approved",
            Kind::UpdateReturned => "update_returned",
            Kind::UpdateDue => "update_due",
            Kind::PatentLapsed => "patent_lapsed",
            Kind::WithdrawPrompt => "withdraw_prompt",
            Kind::ProductRevoked => "product_revoked",
            Kind::EnterpriseChangeApproved => "enterprise_change_approved",
            Kind::EnterpriseChangeReturned => "enterprise_change_returned",
            Kind::ObjectionAnswered => "objection_answered",
            Kind::DeclarationApproved => "declaration_approved",
            Kind::DeclarationReturned => "declaration_returned",
            Kind::QualificationsConfirmed => "qualifications_confirmed",
            Kind::QualificationsReturned => "qualifications_returned",
            Kind::Entitlement => "entitlement",
            Kind::AwardPaid => "award_paid",
            Kind::BatchOptInClosed => "batch_opt_in_closed",
        }
    }

    pub fn label_zh(kind: &str) -> &'static str {
        match kind {
            "product_approved" => "备案通过",
            "product_returned" => "备案退回",
            "update_approved" => "更新通过",
            "update_returned" => "更新退回",
            "update_due" => "信息更新提醒",
            "patent_lapsed" => "专利失效",
            "withdraw_prompt" => "建议撤销",
            "product_revoked" => "备案被撤销",
            "enterprise_change_approved" => "企业信息变更通过",
            "enterprise_change_returned" => "企业信息变更退回",
            "objection_answered" => "异议已答复",
            "declaration_approved" => "申报事项已确认",
            "declaration_returned" => "申报事项退回",
            "qualifications_confirmed" => "企业资质已确认",
            "qualifications_returned" => "企业资质退回",
            "entitlement" => "免申即享",
            "award_paid" => "奖补已兑付",
            "batch_opt_in_closed" => "认定申报提前截止",
            _ => "通知",
        }
    }
}

/// One notification to write.
pub struct Notice<'a> {
    pub enterprise_id: i64,
    pub kind: Kind,
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    /// What makes it unique: the same key is never written twice (a reminder repeated daily
    /// stays one notification).
    pub key: &'a str,
}

/// Writes a notification inside the caller's transaction and queues it for the enterprise's
/// phone and e-mail when the profile has them.
pub async fn notify(ex: &impl Exec, n: &Notice<'_>, now: Timestamp) -> ServiceResult<bool> {
    catalogued(n.title, n.body);
    let e = enterprises::by_id(ex, n.enterprise_id).await?;
    let channels = e
        .as_ref()
        .map(|e| channels_of(&e.contact_phone, &e.contact_email))
        .unwrap_or_default();
    let dedupe = format!("{}:{}", n.kind.as_str(), n.key);
    let id = notifications::insert(
        ex,
        &NewNotification {
            enterprise_id: n.enterprise_id,
            kind: n.kind.as_str(),
            title: n.title,
            body: n.body,
            link: n.link,
            dedupe: &dedupe,
        },
        &channels,
        now,
    )
    .await?;
    Ok(id.is_some())
}

/// The outside channels an enterprise's profile gives: its phone (SMS) when it has one, its
/// e-mail when it has one.
fn channels_of<'a>(phone: &'a str, email: &'a str) -> Vec<(&'static str, &'a str)> {
    let mut out = Vec::new();
    if !phone.trim().is_empty() {
        out.push(("sms", phone.trim()));
    }
    if email.contains('@') {
        out.push(("email", email.trim()));
    }
    out
}

/// Writes many notifications inside the caller's transaction, a few statements per
/// [`notifications::ROWS_PER_STATEMENT`] of them rather than a look-up and an insert each: those
/// whose key exists are skipped, the new ones are queued for their enterprise's phone and e-mail
/// as [`notify`] does. Answers how many were new.
pub async fn notify_many(ex: &impl Exec, ns: &[Notice<'_>], now: Timestamp) -> ServiceResult<u64> {
    let keys: Vec<String> = ns
        .iter()
        .map(|n| {
            catalogued(n.title, n.body);
            format!("{}:{}", n.kind.as_str(), n.key)
        })
        .collect();
    let rows: Vec<NewNotification<'_>> = ns
        .iter()
        .zip(&keys)
        .map(|(n, dedupe)| NewNotification {
            enterprise_id: n.enterprise_id,
            kind: n.kind.as_str(),
            title: n.title,
            body: n.body,
            link: n.link,
            dedupe,
        })
        .collect();
    let written = notifications::insert_many(ex, &rows, now).await?;
    if written.is_empty() {
        return Ok(0);
    }
    let mut ids: Vec<i64> = written.iter().map(|w| w.enterprise_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let contacts: std::collections::HashMap<i64, notifications::Contact> =
        notifications::contacts(ex, &ids)
            .await?
            .into_iter()
            .map(|c| (c.enterprise_id, c))
            .collect();
    let mut queued: Vec<(i64, &str, &str)> = Vec::new();
    for w in &written {
        if let Some(c) = contacts.get(&w.enterprise_id) {
            for (channel, address) in channels_of(&c.phone, &c.email) {
                queued.push((w.id, channel, address));
            }
        }
    }
    notifications::queue_many(ex, &queued, now).await?;
    Ok(written.len() as u64)
}

/// A message's title and body must be catalogue messages (docs/i18n.md), so that it can be
/// sent in its recipient's language: a debug build (and so every test) stops on one that is
/// not, naming it; a release build sends it as written.
pub(crate) fn catalogued(title: &str, body: &str) {
    for text in [title, body] {
        debug_assert!(
            zhichan_i18n::catalogued(text),
            "message outside the catalogue (add it to locales/en.toml): {text}"
        );
    }
}

/// Queues a message to an account's own contact (a set-up code, a sign-up's outcome), its
/// title and body from the catalogue.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn queue_account_message(
    ex: &impl Exec,
    user_id: Option<i64>,
    channel: &str,
    address: &str,
    title: &str,
    body: &str,
    now: Timestamp,
) -> ServiceResult<()> {
    catalogued(title, body);
    Ok(
        zhichan_store::password_setups::queue(ex, user_id, channel, address, title, body, now)
            .await?,
    )
}

/// Delivers one outbox message on its channel (an SMS gateway, a mail relay).
pub trait Channel: Send + Sync {
    /// `sms` or `email`.
    fn name(&self) -> &'static str;
    fn send(
        &self,
        item: &OutboxItem,
    ) -> impl std::future::Future<Output = Result<(), String>> + Send;
}

/// Attempts before a message is given up as failed; retries back off 1, 4, 9… minutes.
pub const MAX_ATTEMPTS: i64 = 5;

impl Services {
    async fn own_enterprise_id(&self, actor: &Actor) -> ServiceResult<i64> {
        match authorize(actor, Action::OwnNotifications)? {
            Scope::Enterprise(code) => Ok(enterprises::by_credit_code(self.db(), &code)
                .await?
                .ok_or(ServiceError::NotFound)?
                .id),
            _ => Err(ServiceError::Forbidden),
        }
    }

    /// The caller's enterprise's notifications, newest first, with the unread count.
    pub async fn notifications(
        &self,
        actor: &Actor,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Notification>, i64, i64)> {
        let id = self.own_enterprise_id(actor).await?;
        Ok(notifications::list(self.db(), id, limit, offset).await?)
    }

    /// Marks one of the caller's enterprise's notifications read and answers it (404 for
    /// anyone else's).
    pub async fn mark_notification_read(
        &self,
        actor: &Actor,
        id: i64,
    ) -> ServiceResult<Notification> {
        let e = self.own_enterprise_id(actor).await?;
        // Another enterprise's notification is out of scope (recorded), not merely missing.
        if let Some(code) = notifications::credit_code_of(self.db(), id).await? {
            let place = Placement {
                enterprise: Some(code),
                ..Placement::default()
            };
            self.scoped(
                actor,
                Action::OwnNotifications,
                &place,
                &format!("notification:{id}"),
            )
            .await?;
        }
        if !notifications::mark_read(self.db(), e, id, self.now()).await? {
            return Err(ServiceError::NotFound);
        }
        notifications::get(self.db(), e, id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Sends what is due on one channel; answers (sent, failed attempts).
    pub async fn drain_outbox<C: Channel>(
        &self,
        channel: &C,
        limit: i64,
    ) -> ServiceResult<(u32, u32)> {
        let retry = crate::delivery::Retry::default();
        self.deliver(
            zhichan_store::outbox::Outbox::Notification,
            channel,
            limit,
            &retry,
        )
        .await
    }
}
