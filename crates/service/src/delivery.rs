//! Delivery of the outboxes: set-up codes and sign-up outcomes to an account's own contact,
//! and an enterprise's notifications to its phone and e-mail.
//!
//! A worker started by `serve` claims what is due (see `zhichan_store::outbox`), sends it
//! through the transport configured for its channel — an SMTP relay for e-mail, an HTTP SMS
//! gateway for phones, or a spool directory with one file per message for installations that
//! have neither — and records each attempt: sent, retried with a growing wait, or given up as
//! failed after the last attempt. A message's text is never logged (it may hold a code).

use crate::notifications::Channel;
use crate::{ServiceResult, Services};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use zhichan_store::notifications::OutboxItem;
use zhichan_store::outbox::{self, Outbox};

/// How often a message is tried and how long a claim holds.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Attempts before a message is given up as failed; the waits between them grow as
    /// 1, 4, 9, 16… minutes.
    pub max_attempts: i64,
    /// How long a claimed message is left to its worker before another may take it.
    pub lease: time::Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            max_attempts: crate::notifications::MAX_ATTEMPTS,
            lease: time::Duration::minutes(5),
        }
    }
}

impl Retry {
    /// When the next attempt is due after `attempts` failed ones, or `None` to give up.
    pub fn next_after(
        &self,
        attempts: i64,
        now: zhichan_domain::Timestamp,
    ) -> Option<zhichan_domain::Timestamp> {
        (attempts < self.max_attempts)
            .then(|| now.plus(time::Duration::minutes(attempts * attempts)))
    }
}

/// A fresh claim token: which process and which claim.
fn claim_token() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("{}-{n:016x}", std::process::id())
}

impl Services {
    /// Claims up to `limit` messages of `outbox` due on the channel's name and sends them
    /// through it; answers (sent, failed attempts).
    pub async fn deliver<C: Channel>(
        &self,
        outbox: Outbox,
        channel: &C,
        limit: i64,
        retry: &Retry,
    ) -> ServiceResult<(u32, u32)> {
        let now = self.now();
        let token = claim_token();
        let items = outbox::claim(
            self.db(),
            outbox,
            channel.name(),
            now,
            now.plus(retry.lease),
            &token,
            limit,
        )
        .await?;
        let (mut sent, mut failed) = (0, 0);
        for item in items {
            let item = in_recipients_language(item);
            let outcome = channel.send(&item).await;
            let attempts = item.attempts + 1;
            // Waits count from when the attempt ended, on the injected clock.
            let done = self.now();
            let retry_at = retry.next_after(attempts, done);
            match &outcome {
                Ok(()) => {
                    sent += 1;
                    tracing::info!(
                        outbox = outbox.as_str(),
                        id = item.id,
                        channel = channel.name(),
                        "message delivered"
                    );
                }
                Err(e) => {
                    failed += 1;
                    tracing::warn!(outbox = outbox.as_str(), id = item.id, channel = channel.name(), attempts, error = %e, gave_up = retry_at.is_none(), "message not delivered");
                }
            }
            let error = outcome.as_ref().err().map(|e| clip(e, 500));
            outbox::record(
                self.db(),
                outbox,
                item.id,
                &token,
                match &error {
                    None => Ok(()),
                    Some(e) => Err(e.as_str()),
                },
                retry_at,
                done,
            )
            .await?;
        }
        Ok((sent, failed))
    }

    /// One round of the worker: every channel that has a transport, both outboxes.
    pub async fn deliver_round(
        &self,
        transports: &Transports,
        retry: &Retry,
        batch: i64,
    ) -> ServiceResult<(u32, u32)> {
        let (mut sent, mut failed) = (0, 0);
        for route in transports.routes() {
            for outbox in [Outbox::Account, Outbox::Notification] {
                let (s, f) = self.deliver(outbox, &route, batch, retry).await?;
                sent += s;
                failed += f;
            }
        }
        Ok((sent, failed))
    }
}

/// A message in its recipient's language: stored in simplified Chinese (the catalogue's keys,
/// filled with the values), sent in the language the recipient chose (`users.locale`), through
/// the same catalogue as the pages (docs/i18n.md).
pub fn in_recipients_language(mut item: OutboxItem) -> OutboxItem {
    let locale = item
        .locale
        .as_deref()
        .and_then(zhichan_i18n::Locale::parse)
        .unwrap_or_default();
    item.title = zhichan_i18n::translate(locale, &item.title).into_owned();
    item.body = zhichan_i18n::translate(locale, &item.body).into_owned();
    item
}

/// An error as recorded: at most `max` characters.
fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// An SMTP relay (an intranet mail server), plain or with STARTTLS.
#[derive(Clone, Debug, Default)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `none` (plain, for a relay on a trusted network) or `starttls` (required).
    pub security: SmtpSecurity,
    /// Sign in to the relay, when it asks (over STARTTLS only).
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `知产平台 <noreply@ip.example.gov.cn>`.
    pub from: String,
    /// A PEM file of the CA that issued the relay's certificate (an intranet CA), trusted in
    /// addition to the system's.
    pub ca_file: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SmtpSecurity {
    #[default]
    None,
    StartTls,
}

impl std::str::FromStr for SmtpSecurity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(SmtpSecurity::None),
            "starttls" => Ok(SmtpSecurity::StartTls),
            _ => Err(format!("unknown SMTP security {s:?} (none or starttls)")),
        }
    }
}

/// An SMS gateway that takes an HTTP POST of `{"to": …, "text": …}` and answers 2xx when it
/// has accepted the message.
#[derive(Clone, Debug, Default)]
pub struct GatewaySettings {
    pub url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<String>,
}

/// Where the worker sends each channel.
#[derive(Clone, Debug, Default)]
pub struct DeliverySettings {
    pub smtp: Option<SmtpSettings>,
    pub sms_gateway: Option<GatewaySettings>,
    /// One file per message, for channels without a transport of their own.
    pub spool_dir: Option<PathBuf>,
    pub retry: Retry,
    /// How often the worker looks for due messages.
    pub interval: Duration,
}

/// How one channel's messages leave.
enum Transport {
    Smtp {
        mailer: Box<lettre::AsyncSmtpTransport<lettre::Tokio1Executor>>,
        from: lettre::message::Mailbox,
    },
    Gateway {
        client: reqwest::Client,
        url: String,
        token: Option<String>,
    },
    Spool(PathBuf),
}

/// A channel with its transport: what [`Services::deliver`] sends through.
pub struct Route {
    channel: &'static str,
    transport: Arc<Transport>,
}

/// The transports built from [`DeliverySettings`].
#[derive(Default)]
pub struct Transports {
    email: Option<Arc<Transport>>,
    sms: Option<Arc<Transport>>,
}

impl Transports {
    pub fn from_settings(s: &DeliverySettings) -> Result<Transports, String> {
        let spool = match &s.spool_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("spool directory {}: {e}", dir.display()))?;
                Some(Arc::new(Transport::Spool(dir.clone())))
            }
            None => None,
        };
        let email = match &s.smtp {
            Some(smtp) => Some(Arc::new(smtp_transport(smtp)?)),
            None => spool.clone(),
        };
        let sms = match &s.sms_gateway {
            Some(g) => Some(Arc::new(Transport::Gateway {
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .map_err(|e| format!("SMS gateway client: {e}"))?,
                url: g.url.clone(),
                token: g.token.clone(),
            })),
            None => spool,
        };
        Ok(Transports { email, sms })
    }

    /// What each channel goes through, in words for the server's start-up line.
    pub fn describe(&self) -> String {
        let one = |t: &Option<Arc<Transport>>| match t.as_deref() {
            Some(Transport::Smtp { .. }) => "SMTP 中继".to_string(),
            Some(Transport::Gateway { .. }) => "短信网关".to_string(),
            Some(Transport::Spool(dir)) => {
                let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
                format!("写入目录 {}（每条消息一个文件）", dir.display())
            }
            None => "未配置（消息保留在待发送队列）".into(),
        };
        format!("电子邮件 {}；短信 {}", one(&self.email), one(&self.sms))
    }

    fn routes(&self) -> Vec<Route> {
        let mut out = Vec::new();
        if let Some(t) = &self.email {
            out.push(Route {
                channel: "email",
                transport: t.clone(),
            });
        }
        if let Some(t) = &self.sms {
            out.push(Route {
                channel: "sms",
                transport: t.clone(),
            });
        }
        out
    }
}

fn smtp_transport(s: &SmtpSettings) -> Result<Transport, String> {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    use lettre::AsyncSmtpTransport;
    let from = s
        .from
        .parse::<lettre::message::Mailbox>()
        .map_err(|e| format!("SMTP sender {:?}: {e}", s.from))?;
    let mut b = AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(&s.host)
        .port(s.port)
        .timeout(Some(Duration::from_secs(30)));
    if s.security == SmtpSecurity::StartTls {
        let mut tls = TlsParameters::builder(s.host.clone());
        if let Some(ca) = &s.ca_file {
            let pem =
                std::fs::read(ca).map_err(|e| format!("SMTP CA file {}: {e}", ca.display()))?;
            tls = tls.add_root_certificate(
                Certificate::from_pem(&pem)
                    .map_err(|e| format!("SMTP CA file {}: {e}", ca.display()))?,
            );
        }
        let params = tls.build_rustls().map_err(|e| format!("SMTP TLS: {e}"))?;
        b = b.tls(Tls::Required(params));
        if let (Some(u), Some(p)) = (&s.username, &s.password) {
            b = b.credentials(Credentials::new(u.clone(), p.clone()));
        }
    } else if s.username.is_some() {
        return Err(
            "SMTP sign-in needs --smtp-security starttls: a password is not sent in clear".into(),
        );
    }
    Ok(Transport::Smtp {
        mailer: Box::new(b.build()),
        from,
    })
}

impl Channel for Route {
    fn name(&self) -> &'static str {
        self.channel
    }

    async fn send(&self, item: &OutboxItem) -> Result<(), String> {
        match &*self.transport {
            Transport::Smtp { mailer, from } => {
                use lettre::AsyncTransport;
                let to = item
                    .address
                    .parse::<lettre::message::Mailbox>()
                    .map_err(|e| format!("recipient address: {e}"))?;
                let message = lettre::Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(item.title.clone())
                    .header(lettre::message::header::ContentType::TEXT_PLAIN)
                    // Base64 whatever the text: any relay carries it, and no line is too long.
                    .body(
                        lettre::message::Body::new_with_encoding(
                            item.body.clone(),
                            lettre::message::header::ContentTransferEncoding::Base64,
                        )
                        .map_err(|_| "message: not encodable".to_string())?,
                    )
                    .map_err(|e| format!("message: {e}"))?;
                mailer
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("SMTP: {e}"))
            }
            Transport::Gateway { client, url, token } => {
                let text = if item.title.is_empty() || item.body.starts_with(&item.title) {
                    item.body.clone()
                } else {
                    format!("【{}】{}", item.title, item.body)
                };
                let mut req = client
                    .post(url)
                    .json(&serde_json::json!({"to": item.address, "text": text}));
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let res = req
                    .send()
                    .await
                    .map_err(|e| format!("gateway: {}", without_url(&e)))?;
                if res.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("gateway answered {}", res.status()))
                }
            }
            Transport::Spool(dir) => spool(dir, self.channel, item).await,
        }
    }
}

/// What a delivery error (as the transports record it: a category, a colon, the library's or the
/// system's words) means, in Chinese for the administrator who has to act on it; the raw text
/// stays beside it as the detail.
pub fn explain_error(raw: &str) -> &'static str {
    let lower = raw.to_lowercase();
    let has = |w: &str| lower.contains(w);
    if raw.starts_with("spool:") {
        if has("not a directory") || has("no such file") {
            "投递目录不存在或不是目录，请检查服务的 --spool-dir 设置"
        } else if has("permission denied") || has("read-only") {
            "服务无权写入投递目录，请检查目录权限"
        } else if has("no space") || has("quota") {
            "投递目录所在磁盘已满"
        } else {
            "写入投递目录失败"
        }
    } else if raw.starts_with("recipient address:") {
        "收件地址格式有误，请核对收件人的联系方式"
    } else if raw.starts_with("message:") {
        "消息内容无法编码发送"
    } else if raw.starts_with("SMTP:") {
        if has("auth") || has("535") {
            "邮件服务器拒绝登录，请检查邮件账号和密码"
        } else if has("timed out") || has("timeout") {
            "连接邮件服务器超时"
        } else if has("connection refused") || has("dns") || has("resolve") {
            "无法连接邮件服务器，请检查服务器地址和网络"
        } else {
            "邮件服务器拒收或发送失败"
        }
    } else if raw.starts_with("gateway answered") {
        "短信网关拒绝了请求"
    } else if raw.starts_with("gateway:") {
        if has("timed out") || has("timeout") {
            "连接短信网关超时"
        } else {
            "无法连接短信网关，请检查网关地址和网络"
        }
    } else {
        "发送失败"
    }
}

/// A reqwest error without the URL (which may carry a gateway's key in its query).
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "<gateway>");
    }
    s
}

/// Writes one message as a file `<channel>-<id>-<random>.txt` (both outboxes number their
/// messages from 1, hence the random part), written whole under a temporary name and then
/// renamed, so that a reader never sees half a message.
async fn spool(dir: &std::path::Path, channel: &str, item: &OutboxItem) -> Result<(), String> {
    let tag: u32 = {
        use rand::Rng;
        rand::thread_rng().gen()
    };
    let name = format!("{channel}-{}-{tag:08x}.txt", item.id);
    let text = format!(
        "To: {}\nSubject: {}\n\n{}\n",
        item.address, item.title, item.body
    );
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, text)
        .await
        .map_err(|e| format!("spool: {e}"))?;
    tokio::fs::rename(&tmp, dir.join(&name))
        .await
        .map_err(|e| format!("spool: {e}"))
}

/// The worker `serve` starts: a round every `interval` until `stop` turns true, then the round
/// in progress finishes and the task ends (await the handle for a clean shutdown).
pub fn spawn_worker(
    services: Services,
    transports: Transports,
    settings: &DeliverySettings,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let retry = settings.retry;
    let interval = settings.interval.max(Duration::from_millis(50));
    tokio::spawn(async move {
        loop {
            if *stop.borrow() {
                break;
            }
            let worked = match services.deliver_round(&transports, &retry, 50).await {
                Ok((0, 0)) => false,
                Ok((sent, failed)) => {
                    tracing::info!(sent, failed, "outbox delivery round");
                    true
                }
                Err(e) => {
                    tracing::error!(error = %e, "outbox delivery round failed");
                    false
                }
            };
            // More may be due at once (a backlog larger than a round); failures wait their turn.
            if worked {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                r = stop.changed() => {
                    if r.is_err() {
                        break;
                    }
                }
            }
        }
    })
}

/// A message not yet delivered, as the system administrator's page shows it: the recipient
/// masked, never the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingDelivery {
    pub outbox: Outbox,
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub title: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: zhichan_domain::Timestamp,
    pub last_error: Option<String>,
}

impl Services {
    /// The failed and pending deliveries (the system administrator, who creates accounts and
    /// sends their set-up codes; nobody sees a message's text).
    pub async fn undelivered(
        &self,
        actor: &zhichan_domain::access::Actor,
        limit: i64,
    ) -> ServiceResult<Vec<PendingDelivery>> {
        use zhichan_domain::access::{authorize, Action};
        authorize(actor, Action::ManageUsers)?;
        Ok(outbox::undelivered(self.db(), limit)
            .await?
            .into_iter()
            .map(|u| PendingDelivery {
                outbox: u.outbox,
                id: u.id,
                channel: u.channel,
                recipient: crate::accounts::mask_contact(&u.address),
                title: u.title,
                status: u.status,
                attempts: u.attempts,
                next_attempt_at: u.next_attempt_at,
                last_error: u.last_error,
            })
            .collect())
    }

    /// Sends a failed or pending message again at the next round, with its attempts counted
    /// afresh (audited). A message already sent, or cancelled with its account's codes, is
    /// not found.
    pub async fn retry_delivery(
        &self,
        actor: &zhichan_domain::access::Actor,
        ctx: &crate::Ctx,
        outbox: Outbox,
        id: i64,
    ) -> ServiceResult<()> {
        use zhichan_domain::access::{authorize, Action};
        authorize(actor, Action::ManageUsers)?;
        let now = self.now();
        let tx = self.db().begin().await?;
        let Some(before) = outbox::retry(&tx, outbox, id, now).await? else {
            return Err(crate::ServiceError::NotFound);
        };
        crate::audit::record(
            &tx,
            ctx,
            Some(actor),
            "outbox.retry",
            &format!("outbox:{}:{id}", outbox.as_str()),
            "ok",
            serde_json::json!({
                "channel": before.channel,
                "sent_to": crate::accounts::mask_contact(&before.address),
                "status": before.status,
                "attempts": before.attempts,
                "last_error": before.last_error,
            }),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod explain_tests {
    use super::explain_error;

    #[test]
    fn an_os_error_of_the_spool_is_explained_in_chinese() {
        assert_eq!(
            explain_error("spool: Not a directory (os error 20)"),
            "投递目录不存在或不是目录，请检查服务的 --spool-dir 设置"
        );
        assert_eq!(
            explain_error("spool: Permission denied (os error 13)"),
            "服务无权写入投递目录，请检查目录权限"
        );
        assert_eq!(
            explain_error("gateway answered 503 Service Unavailable"),
            "短信网关拒绝了请求"
        );
        assert_eq!(
            explain_error("SMTP: Connection refused (os error 111)"),
            "无法连接邮件服务器，请检查服务器地址和网络"
        );
        assert_eq!(explain_error("something else"), "发送失败");
    }
}
