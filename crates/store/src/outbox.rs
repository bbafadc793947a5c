//! Delivery of the two outboxes (messages to an account's own contact, and an enterprise's
//! notifications to its phone and e-mail): claiming what is due, recording each attempt, and
//! what the system administrator sees of what did not go out.
//!
//! A claim moves a message's next attempt past a lease and writes a token in one statement
//! (on PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED`, so two server
//! processes take different messages; SQLite has one writer). The outcome is recorded only
//! where the token is still the one that sent it, so a message is sent once by one worker. A
//! worker that dies holding a claim leaves the message to be taken again when the lease ends.

use crate::db::{Backend, DbRow, Exec, FromDbRow, Sql};
use crate::notifications::OutboxItem;
use crate::StoreError;
use zhichan_domain::Timestamp;

/// Which outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outbox {
    /// Set-up codes and sign-up outcomes, to an account's own contact.
    Account,
    /// An enterprise's notifications, to its contact phone and e-mail.
    Notification,
}

impl Outbox {
    pub fn as_str(self) -> &'static str {
        match self {
            Outbox::Account => "account",
            Outbox::Notification => "notification",
        }
    }

    pub fn parse(s: &str) -> Option<Outbox> {
        match s {
            "account" => Some(Outbox::Account),
            "notification" => Some(Outbox::Notification),
            _ => None,
        }
    }

    fn table(self) -> &'static str {
        match self {
            Outbox::Account => "account_outbox",
            Outbox::Notification => "notification_outbox",
        }
    }
}

/// Claims up to `limit` messages of a channel due at `now` for the claim `token`, until
/// `lease_until`, and answers them oldest first.
pub async fn claim(
    ex: &impl Exec,
    outbox: Outbox,
    channel: &str,
    now: Timestamp,
    lease_until: Timestamp,
    token: &str,
    limit: i64,
) -> Result<Vec<OutboxItem>, StoreError> {
    let t = outbox.table();
    let lock = match ex.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    ex.execute(
        Sql::new(format!(
            "UPDATE {t} SET claimed_by = $1, next_attempt_at = $2 \
             WHERE id IN (SELECT id FROM {t} WHERE channel = $3 AND status = 'pending' \
             AND next_attempt_at <= $4 ORDER BY id LIMIT $5{lock}) \
             AND status = 'pending' AND next_attempt_at <= $4"
        ))
        .bind(token)
        .bind(lease_until)
        .bind(channel)
        .bind(now)
        .bind(limit),
    )
    .await?;
    let q = match outbox {
        Outbox::Account => {
            "SELECT a.id, a.channel, a.address, a.attempts, a.title, a.body, \
             (SELECT u.locale FROM users u WHERE u.id = a.user_id) AS locale \
             FROM account_outbox a \
             WHERE a.channel = $1 AND a.status = 'pending' AND a.next_attempt_at = $2 \
             AND a.claimed_by = $3 ORDER BY a.id"
        }
        Outbox::Notification => {
            "SELECT o.id, o.channel, o.address, o.attempts, n.title, n.body, \
             (SELECT u.locale FROM users u JOIN enterprises e ON e.credit_code = u.enterprise \
              WHERE e.id = n.enterprise_id AND u.locale IS NOT NULL ORDER BY u.id LIMIT 1) \
             AS locale \
             FROM notification_outbox o JOIN notifications n ON n.id = o.notification_id \
             WHERE o.channel = $1 AND o.status = 'pending' AND o.next_attempt_at = $2 \
             AND o.claimed_by = $3 ORDER BY o.id"
        }
    };
    ex.fetch_all(Sql::new(q).bind(channel).bind(lease_until).bind(token))
        .await
}

/// Records one attempt of a claimed message: sent (an account message's body, which may hold
/// a code, is blanked), retried at `retry_at`, or given up as failed. Answers whether the claim
/// still held (a worker whose lease ran out records nothing).
#[allow(clippy::too_many_arguments)]
pub async fn record(
    ex: &impl Exec,
    outbox: Outbox,
    id: i64,
    token: &str,
    outcome: Result<(), &str>,
    retry_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let t = outbox.table();
    let blank = match outbox {
        Outbox::Account => ", body = ''",
        Outbox::Notification => "",
    };
    let q = match (outcome, retry_at) {
        (Ok(()), _) => Sql::new(format!(
            "UPDATE {t} SET status = 'sent', attempts = attempts + 1{blank}, sent_at = $1, \
             last_error = NULL, claimed_by = NULL WHERE id = $2 AND claimed_by = $3"
        ))
        .bind(now),
        (Err(_), Some(at)) => Sql::new(format!(
            "UPDATE {t} SET attempts = attempts + 1, next_attempt_at = $1, last_error = $4, \
             claimed_by = NULL WHERE id = $2 AND claimed_by = $3"
        ))
        .bind(at),
        (Err(_), None) => Sql::new(format!(
            "UPDATE {t} SET status = 'failed', attempts = attempts + 1, last_error = $4, \
             next_attempt_at = $1, claimed_by = NULL WHERE id = $2 AND claimed_by = $3"
        ))
        .bind(now),
    };
    let q = q.bind(id).bind(token);
    let q = match outcome {
        Ok(()) => q,
        Err(e) => q.bind(e),
    };
    Ok(ex.execute(q).await? == 1)
}

/// A message that has not gone out (pending or failed), as the system administrator sees it:
/// never its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undelivered {
    pub outbox: Outbox,
    pub id: i64,
    pub channel: String,
    pub address: String,
    pub title: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
}

impl FromDbRow for Undelivered {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let outbox: String = row.get("outbox")?;
        Ok(Undelivered {
            outbox: Outbox::parse(&outbox).unwrap_or(Outbox::Account),
            id: row.get("id")?,
            channel: row.get("channel")?,
            address: row.get("address")?,
            title: row.get("title")?,
            status: row.get("status")?,
            attempts: row.get("attempts")?,
            next_attempt_at: crate::users::ts(row, "next_attempt_at")?,
            last_error: row.get("last_error")?,
        })
    }
}

/// The messages of both outboxes not yet delivered, failed first, then the oldest pending.
/// An account message given up because its account's contact changed or it was disabled is
/// not listed: there is nothing to retry.
pub async fn undelivered(ex: &impl Exec, limit: i64) -> Result<Vec<Undelivered>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT * FROM (\
               SELECT 'account' AS outbox, id, channel, address, title, status, attempts, \
                 next_attempt_at, last_error FROM account_outbox \
                 WHERE status = 'pending' OR (status = 'failed' AND body <> '') \
               UNION ALL \
               SELECT 'notification' AS outbox, o.id, o.channel, o.address, n.title, o.status, \
                 o.attempts, o.next_attempt_at, o.last_error \
                 FROM notification_outbox o JOIN notifications n ON n.id = o.notification_id \
                 WHERE o.status IN ('pending', 'failed')\
             ) u ORDER BY CASE WHEN status = 'failed' THEN 0 ELSE 1 END, next_attempt_at, id \
             LIMIT $1",
        )
        .bind(limit),
    )
    .await
}

/// Puts a pending or failed message back to be sent at `now` with a fresh count of attempts
/// (the system administrator's "retry now"). Answers the message as it was, if there was one
/// to retry.
pub async fn retry(
    ex: &impl Exec,
    outbox: Outbox,
    id: i64,
    now: Timestamp,
) -> Result<Option<Undelivered>, StoreError> {
    let before = undelivered_one(ex, outbox, id).await?;
    if before.is_none() {
        return Ok(None);
    }
    let t = outbox.table();
    let kept = match outbox {
        Outbox::Account => " AND body <> ''",
        Outbox::Notification => "",
    };
    let n = ex
        .execute(
            Sql::new(format!(
                "UPDATE {t} SET status = 'pending', attempts = 0, next_attempt_at = $1, \
                 claimed_by = NULL WHERE id = $2 AND status IN ('pending', 'failed'){kept}"
            ))
            .bind(now)
            .bind(id),
        )
        .await?;
    Ok(if n == 1 { before } else { None })
}

async fn undelivered_one(
    ex: &impl Exec,
    outbox: Outbox,
    id: i64,
) -> Result<Option<Undelivered>, StoreError> {
    let q = match outbox {
        Outbox::Account => {
            "SELECT 'account' AS outbox, id, channel, address, title, status, \
             attempts, next_attempt_at, last_error FROM account_outbox \
             WHERE id = $1 AND (status = 'pending' OR (status = 'failed' AND body <> ''))"
        }
        Outbox::Notification => {
            "SELECT 'notification' AS outbox, o.id, o.channel, o.address, \
             n.title, o.status, o.attempts, o.next_attempt_at, o.last_error \
             FROM notification_outbox o JOIN notifications n ON n.id = o.notification_id \
             WHERE o.id = $1 AND o.status IN ('pending', 'failed')"
        }
    };
    ex.fetch_optional(Sql::new(q).bind(id)).await
}
