//! Accounts, sessions, administration and the audit log.

use crate::edge::{format, nullable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhichan_domain::accounts::Role as DomainRole;

edge_enum!(
    /// An account's role.
    Role, "role", mirrors DomainRole, {
        Enterprise = "enterprise",
        Reviewer = "reviewer",
        Admin = "admin",
        Expert = "expert",
        University = "university",
        Service = "service",
        Sysadmin = "sysadmin",
        Secadmin = "secadmin",
        Auditor = "auditor",
    }
);

edge_enum!(
    /// Where an account's real-name verification (实名认证) stands.
    VerificationState, "verification", {
        Pending = "pending",
        Returned = "returned",
        Verified = "verified",
    }
);

edge_enum!(
    /// What an account must do before anything else.
    Restriction, "restriction", {
        ChangePassword = "change_password",
        EnrolSecondFactor = "enrol_second_factor",
    }
);

edge_enum!(
    /// Where a real-name verification application stands.
    VerificationStatus, "status", {
        Pending = "pending",
        Approved = "approved",
        Returned = "returned",
    }
);

/// `POST /api/v1/session`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "wang.fang")]
    pub username: String,
    pub password: String,
    /// The six-digit code of the authenticator app, for accounts with a second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

/// The caller (`GET /api/v1/me`), also the answer to a login.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    #[schema(example = "wang.fang")]
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[schema(value_type = Option<format::RegionCode>)]
    pub region: Option<String>,
    /// The credit code of the caller's enterprise.
    #[schema(example = "91350100M000100Y43")]
    pub enterprise: Option<String>,
    /// 实名认证.
    pub verification: VerificationState,
    pub second_factor: bool,
    /// What the account must do first, or null.
    pub restriction: Option<Restriction>,
    /// For browser sessions: the token to send as `X-CSRF-Token` with every change.
    pub csrf_token: Option<String>,
}

/// `POST /api/v1/me/password`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/v1/me/totp`
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TotpStart {
    /// The current password; required when a second factor is already in force.
    #[serde(default)]
    pub password: Option<String>,
}

/// A second factor being enrolled.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32 secret, for typing into an authenticator app.
    pub secret: String,
    pub otpauth_url: String,
}

/// `POST /api/v1/me/totp/confirm`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TotpConfirm {
    #[schema(example = "492039")]
    pub code: String,
}

/// One of the caller's open sessions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionInfo {
    /// Pass to `DELETE /api/v1/me/sessions/{id}` to end it.
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub ip: String,
    pub user_agent: String,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// An account as administrators see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region: Option<String>,
    pub enterprise: Option<String>,
    pub verification: VerificationState,
    pub disabled: bool,
    /// Set while the account is locked after failed logins.
    pub locked_until: Option<String>,
    pub second_factor: bool,
    pub must_change_password: bool,
    pub created_at: String,
    pub version: i64,
    /// The owner's contact for setup codes, masked (`13*******88`, `wa***@example.cn`).
    pub contact: String,
    /// Whether the security administrator has granted the role and region (an account the
    /// system administrator creates can do nothing until then).
    pub granted: bool,
    /// An expert's unit and fields (`null` for other roles and for an expert not yet filled in).
    pub expert: Option<crate::panels::ExpertProfile>,
}

/// `POST /api/v1/users`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub display_name: String,
    pub role: Role,
    /// Required for reviewers and administrators.
    #[serde(default)]
    #[schema(value_type = Option<format::RegionCode>)]
    pub region: Option<String>,
    /// The credit code, for an enterprise account.
    #[serde(default)]
    #[schema(value_type = Option<format::CreditCode>)]
    pub enterprise: Option<String>,
    /// The owner's own mobile number or e-mail address: the one-time code to set the first
    /// password goes there, never to the administrator.
    #[serde(default)]
    pub contact: Option<String>,
    /// Refused (422 `not_allowed`): the owner sets the password, not the administrator.
    #[serde(default)]
    pub password: Option<String>,
}

/// The answer to creating a user or resetting a password: where the one-time setup code was
/// sent (masked). No password or code is ever answered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SetupSent {
    pub user: User,
    #[schema(example = "13*******88")]
    pub sent_to: String,
}

/// `POST /api/v1/users/{id}/grant` (the security administrator)
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UserGrant {
    pub role: Role,
    #[serde(default)]
    #[schema(example = "100000")]
    pub region: Option<String>,
    #[serde(default)]
    pub enterprise: Option<String>,
    /// The `version` the grant is based on; a stale one is 409.
    pub version: i64,
}

/// `POST /api/v1/password-setup`: the owner sets the password with the one-time code.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PasswordSetup {
    pub code: String,
    pub new_password: String,
}

/// `POST /api/v1/users/{id}/status`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UserStatus {
    pub disabled: bool,
    /// The `version` the change is based on; a stale one is 409.
    pub version: i64,
}

/// `POST /api/v1/users/{id}/contact`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UserContact {
    /// The owner's own 11-digit mobile number or e-mail address, where setup codes go.
    #[schema(example = "13800000088")]
    pub contact: String,
    /// The `version` the change is based on; a stale one is 409.
    pub version: i64,
}

/// The security settings in force (安全策略).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SecuritySettings {
    pub max_failed_logins: u32,
    pub lockout_minutes: u32,
    pub password_days_admin: u32,
    pub password_days_other: u32,
    pub session_idle_minutes: u32,
    pub session_absolute_hours: u32,
    pub login_attempts_per_minute: u32,
    pub audit_retention_days: u32,
    /// Sign-ups allowed from one address per hour (1–100).
    #[serde(default = "default_signups_per_hour")]
    pub signups_per_hour: u32,
    /// Uploads (imports, verification documents) allowed from one address per hour (1–1000).
    #[serde(default = "default_uploads_per_hour")]
    pub uploads_per_hour: u32,
    /// Public certificate lookups (`/verify`) allowed from one address per minute (5–600);
    /// left out of a change, the platform's default of 30.
    #[serde(default = "default_verify_lookups_per_minute")]
    pub verify_lookups_per_minute: u32,
}

fn default_signups_per_hour() -> u32 {
    10
}

fn default_uploads_per_hour() -> u32 {
    60
}

fn default_verify_lookups_per_minute() -> u32 {
    30
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SecuritySettingsVersion {
    /// 0 for the built-in defaults.
    pub version: i64,
    pub settings: SecuritySettings,
}

/// `PUT /api/v1/security/settings`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SecuritySettingsUpdate {
    /// The version this change is based on; a stale one is 409.
    pub version: i64,
    pub settings: SecuritySettings,
    /// Why (recorded with the version and in the audit log).
    pub reason: String,
}

/// One audit log entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
    pub ip: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    /// JSON: before and after, or the reason of a refusal.
    pub detail: String,
    pub hash: String,
    /// When the entry moved to the archive (past the retention period); absent while live.
    pub archived_at: Option<String>,
}

/// The result of checking the audit chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditVerification {
    pub intact: bool,
    pub checked: i64,
    /// The first entry where the chain breaks.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

/// A real-name verification application (实名认证), without its document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    pub id: i64,
    pub username: String,
    pub enterprise_name: String,
    #[schema(example = "91361002MA35F6XK04")]
    pub credit_code: String,
    #[schema(example = "361002")]
    pub region: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub document_name: String,
    pub document_type: String,
    pub document_size: i64,
    pub status: VerificationStatus,
    pub submitted_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    /// Why it was returned.
    pub reason: Option<String>,
    /// For a pending application whose credit code already has an enterprise: the reviewer's
    /// warning (null otherwise). Approving it then needs `further_account: true`.
    pub conflict: Option<String>,
}

/// `POST /api/v1/verifications/{id}/review`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct VerificationReview {
    pub decision: crate::Decision,
    /// Required when returning.
    #[serde(default)]
    pub reason: Option<String>,
    /// Approve an application whose credit code already has an enterprise as a further account
    /// of that enterprise (without it such an approval is 409 `credit_code_taken`).
    #[serde(default)]
    pub further_account: bool,
}

/// The answer to a sign-up: the same whether the username was free or taken, so that it tells
/// nobody which usernames exist. The outcome goes to the applicant's own contact: a one-time
/// setup code (set the password with `POST /api/v1/password-setup`, then log in and follow the
/// application), or word that the username is taken.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignedUp {
    /// The contact the outcome was sent to, masked.
    pub sent_to: String,
}

/// The multipart form of a sign-up (`POST /api/v1/signup`) or a resubmission
/// (`POST /api/v1/me/verification`, without `username` and `contact`).
#[derive(Debug, Clone, ToSchema)]
#[allow(dead_code)]
pub struct SignUpForm {
    pub username: String,
    /// The applicant's own 11-digit mobile number or e-mail address: the outcome and the
    /// one-time code to set the password go there.
    pub contact: String,
    pub enterprise_name: String,
    #[schema(value_type = format::CreditCode)]
    pub credit_code: String,
    /// The registration region; taken from the credit code when empty.
    #[schema(value_type = Option<format::RegionCode>)]
    pub region: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    /// `true`: the integrity pledge (诚信承诺书) is accepted.
    pub pledge: bool,
    /// The business licence or another supporting document: PDF, JPEG or PNG, at most 10 MB.
    #[schema(value_type = String, format = Binary)]
    pub document: Vec<u8>,
}

/// One of the caller's API tokens (the token itself is shown only once, when issued).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}
