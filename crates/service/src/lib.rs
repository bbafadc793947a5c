//! zhichan's use cases. The service layer owns transactions, authorisation and audit: the HTTP
//! and CLI layers call only this, and every change it makes is recorded in the audit log in
//! the same transaction.

pub mod accounts;
pub mod amendments;
pub mod annual;
pub mod audit;
pub mod awards;
pub mod batch_export;
pub mod batches;
pub mod bench;
pub mod bulk;
pub mod clock;
pub mod dashboard;
pub mod declarations;
pub mod delivery;
pub mod demo;
pub mod directories;
pub mod enterprise_accounts;
pub mod enterprise_amendments;
pub mod enterprises;
pub mod entitlement_rounds;
pub mod evaluation;
pub mod evidence;
pub mod experts;
pub mod export;
pub mod generator;
pub mod identification;
pub mod lookups;
pub mod notices;
pub mod notifications;
pub mod panels;
pub mod patents;
pub mod payouts;
pub mod pickers;
pub mod policies;
pub mod policy_demo;
pub mod ports;
pub mod product_answer;
pub mod products;
pub mod ratelimit;
pub mod reference;
pub mod reports;
pub mod rounds;
pub mod rule_versions;
pub mod rules;
pub mod search;
pub mod secrets;
pub mod security;
pub mod stats;
pub mod uploads;
pub mod user_detail;
pub mod verification;
pub mod workbench;

use clock::{Clock, SystemClock};
use std::sync::Arc;
use zhichan_domain::access::Refusal;
use zhichan_domain::{Timestamp, Violation};
use zhichan_store::{Db, StoreError};

/// Everything the application can do, over one database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Services {
    db: Db,
    clock: Arc<dyn Clock>,
    login_limiter: Arc<ratelimit::PerKey>,
    /// Sign-ups and uploads per address and hour.
    upload_limiter: Arc<ratelimit::PerKey>,
    /// Public certificate lookups per address (see [`lookups`]).
    lookup_limiter: Arc<ratelimit::PerKey>,
    /// The security settings in force, read at most every few seconds instead of on every
    /// request (every authenticated request needs them).
    settings_cache: Arc<std::sync::Mutex<Option<(std::time::Instant, security::InForce)>>>,
    /// The rules documents in force by kind (version and JSON body), read at most every few
    /// seconds: every product page and list judges deadlines and update states by them.
    rules_cache: rules::Cache,
    /// Bearer tokens recently found valid, with their accounts, for a few seconds (every API
    /// request asks); emptied by any change to an account or a token.
    token_cache: Arc<accounts::TokenCache>,
    /// How large an uploaded workbook or table may be.
    upload_limits: Arc<uploads::UploadLimits>,
    /// One upload read at a time, off the async runtime (see [`Services::read_upload`]).
    upload_readers: Arc<tokio::sync::Semaphore>,
    /// The policy search index (see [`search`]): in memory unless given a directory.
    policy_search: Arc<search::Slot>,
    /// The entitlement notification rounds this process runs (see [`entitlement_rounds`]).
    rounds: Arc<entitlement_rounds::Tracker>,
}

impl Services {
    pub fn new(db: Db) -> Self {
        Self::with_clock(db, Arc::new(SystemClock))
    }

    pub fn with_clock(db: Db, clock: Arc<dyn Clock>) -> Self {
        Services {
            db,
            clock,
            login_limiter: Arc::new(ratelimit::PerKey::default()),
            upload_limiter: Arc::new(ratelimit::PerKey::default()),
            lookup_limiter: Arc::new(ratelimit::PerKey::default()),
            settings_cache: Arc::default(),
            rules_cache: Arc::default(),
            token_cache: Arc::default(),
            upload_limits: Arc::default(),
            upload_readers: Arc::new(tokio::sync::Semaphore::new(1)),
            policy_search: Arc::default(),
            rounds: Arc::default(),
        }
    }

    /// The same services keeping the policy search index in `dir` (the server's setting).
    pub fn with_search_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.policy_search = Arc::new(search::Slot {
            dir: Some(dir.into()),
            ..search::Slot::default()
        });
        self
    }

    /// The same services with other upload limits (the server's settings).
    pub fn with_upload_limits(mut self, limits: uploads::UploadLimits) -> Self {
        self.upload_limits = Arc::new(limits);
        self
    }

    pub fn upload_limits(&self) -> &uploads::UploadLimits {
        &self.upload_limits
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Whether the database answers.
    pub async fn healthy(&self) -> bool {
        self.db.ping().await.is_ok()
    }

    pub fn reference(&self) -> reference::Reference<'_> {
        reference::Reference { db: &self.db }
    }
}

/// Where a request comes from, for the audit log and the per-address limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ctx {
    pub ip: String,
    pub user_agent: String,
}

impl Ctx {
    /// A command run on the server itself.
    pub fn cli() -> Self {
        Ctx {
            ip: "cli".into(),
            user_agent: "zhichan command".into(),
        }
    }

    /// Runs `f` as the handling of a request from this origin. A refusal that any use case
    /// finds while `f` runs is audited with this address (see [`Services::scoped`]) without
    /// every read taking the origin as an argument: the HTTP layer wraps each request in it,
    /// as the store wraps a read in its shared connection.
    pub async fn serving<F: std::future::Future>(self, f: F) -> F::Output {
        ORIGIN.scope(self, f).await
    }

    /// The origin of the request being served; outside one (a job, a command), an unknown one.
    pub fn current() -> Ctx {
        ORIGIN.try_with(Ctx::clone).unwrap_or_default()
    }
}

tokio::task_local! {
    static ORIGIN: Ctx;
}

/// A refused field: the name the client used and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub violation: Violation,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, violation: Violation) -> Self {
        FieldViolation {
            field: field.into(),
            violation,
        }
    }
}

/// How a use case can fail, in terms the HTTP layer maps to a status.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Not there, or outside the caller's scope: the two are deliberately indistinguishable.
    #[error("not found")]
    NotFound,
    /// The role may never do this.
    #[error("forbidden")]
    Forbidden,
    /// No valid credentials.
    #[error("unauthenticated")]
    Unauthenticated,
    /// Wrong username or password (the same answer for both).
    #[error("用户名或密码不正确")]
    BadCredentials,
    /// The account is locked until then.
    #[error("账号已锁定")]
    Locked(Timestamp),
    /// The account has a second factor and the code is missing.
    #[error("需要动态验证码")]
    SecondFactorRequired,
    #[error("账号已停用")]
    Disabled,
    /// An administrator whose region's management port is not open yet.
    #[error("本地区的管理端口尚未开通")]
    PortClosed,
    #[error("请求过于频繁")]
    TooManyRequests,
    #[error("invalid input")]
    Invalid(Vec<FieldViolation>),
    #[error("conflict: {0}")]
    Conflict(String),
    /// 409 naming the field whose value is already taken (a credit code with an enterprise).
    #[error("taken: {}", .0.field)]
    Taken(FieldViolation),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    pub fn invalid(field: impl Into<String>, violation: Violation) -> Self {
        ServiceError::Invalid(vec![FieldViolation::new(field, violation)])
    }

    /// Every wrong field of a domain check (`(field, violation)` pairs) as one 422.
    pub fn invalid_fields(errs: Vec<(String, Violation)>) -> Self {
        ServiceError::Invalid(
            errs.into_iter()
                .map(|(f, v)| FieldViolation::new(f, v))
                .collect(),
        )
    }
}

impl From<Refusal> for ServiceError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Forbidden => ServiceError::Forbidden,
            Refusal::NotFound => ServiceError::NotFound,
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
