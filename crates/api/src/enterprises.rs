//! Enterprise profiles (企业信息).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A qualification with its level and validity.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Qualification {
    /// `ip_demonstration`, `ip_advantage`, `little_giant`, `specialised_sme`, `high_tech` or
    /// `gbt29490`.
    #[schema(example = "high_tech")]
    pub kind: String,
    /// `national`, `provincial`, `city` or `county`.
    #[schema(example = "national")]
    pub level: String,
    #[serde(default)]
    #[schema(example = "2024-01-01")]
    pub valid_from: Option<String>,
    #[serde(default)]
    #[schema(example = "2026-12-31")]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub certificate: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    #[schema(example = "王芳")]
    pub name: String,
    #[schema(example = "0794-8888888")]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// An enterprise profile as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Enterprise {
    #[schema(example = "91361002MA35F6XK04")]
    pub credit_code: String,
    pub name: String,
    #[schema(example = "361002")]
    pub region: String,
    pub address: String,
    /// `large`, `medium`, `small` or `micro`.
    pub scale: String,
    /// `state`, `collective`, `private`, `foreign`, `hmt` or `other`.
    pub ownership: String,
    /// GB/T 4754-2017 code.
    #[schema(example = "39")]
    pub industry: String,
    pub qualifications: Vec<Qualification>,
    pub contact: Contact,
    /// Send back with a change; a stale one is 409.
    pub version: i64,
    pub updated_at: String,
    /// The change of name or region waiting for review (null when none): until approved, the
    /// `name` and `region` above stay the registered ones.
    pub amendment: Option<EnterpriseAmendment>,
}

/// A change of an enterprise's name or region (变更) under review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseAmendment {
    /// `submitted` (waiting for a reviewer) or `returned` (see `reason`; change and save again,
    /// or discard).
    #[schema(example = "submitted")]
    pub status: String,
    /// The new name, when it changes.
    pub name: Option<String>,
    /// The new region, when the enterprise moves.
    #[schema(example = "360102")]
    pub region: Option<String>,
    /// The region whose reviewers decide: the destination of a move, else the enterprise's.
    #[schema(example = "360102")]
    pub reviewed_in: String,
    pub requested_by: String,
    pub requested_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    /// Why it was returned.
    pub reason: Option<String>,
}

/// `POST /api/v1/enterprises/{credit_code}/amendment/review`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AmendmentReview {
    /// `approve` or `return`.
    #[schema(example = "approve")]
    pub decision: String,
    /// Required when returning.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A change in a reviewer's queue (`GET /api/v1/enterprise-amendments`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentQueueItem {
    pub credit_code: String,
    /// The registered name, in force until the change is approved.
    pub name: String,
    /// The registered region.
    pub region: String,
    pub amendment: EnterpriseAmendment,
    /// True when the caller decides it; false for a move out of the caller's region (shown so
    /// that the source region knows; the destination's reviewers decide).
    pub reviewable: bool,
}

/// `POST /api/v1/enterprises/{credit_code}/accounts`: a further account of the enterprise.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewEnterpriseAccount {
    #[schema(example = "linchuan.li")]
    pub username: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// An added account with its one-time set-password code. Shown once: hand it to the account's
/// holder, who chooses a password with it (`POST /api/v1/account-setup`, or the page at
/// `setup_url`); whoever added the account never learns the password.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AddedEnterpriseAccount {
    pub user_id: i64,
    pub username: String,
    pub setup_code: String,
    /// The page where the holder chooses the password (relative to the platform's address).
    pub setup_url: String,
    pub setup_expires_at: String,
}

/// One account of an enterprise.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseAccount {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// `pending`, `returned` or `verified` (实名认证).
    pub verification: String,
    pub disabled: bool,
    /// Until then the holder may still choose the password with the code (null: chosen).
    pub setup_until: Option<String>,
}

/// `POST /api/v1/account-setup`: the holder of an added account chooses its password.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AccountSetup {
    pub username: String,
    /// The one-time code given when the account was added.
    pub code: String,
    pub password: String,
}

/// `POST /api/v1/enterprises`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewEnterprise {
    pub credit_code: String,
    pub name: String,
    /// Taken from the credit code's registration region when left out.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub address: String,
    pub scale: String,
    pub ownership: String,
    pub industry: String,
    #[serde(default)]
    pub qualifications: Vec<Qualification>,
    pub contact: Contact,
}

/// `PATCH /api/v1/enterprises/{credit_code}`: the fields to change, and the version they are
/// based on. Qualifications, when given, replace the list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EnterprisePatch {
    pub version: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub scale: Option<String>,
    #[serde(default)]
    pub ownership: Option<String>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub qualifications: Option<Vec<Qualification>>,
    #[serde(default)]
    pub contact: Option<Contact>,
}

/// One saved version of a profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseVersion {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
    /// The whole profile as it became with this version.
    #[schema(value_type = Object)]
    pub profile: serde_json::Value,
}

/// A patent an enterprise registers products under.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Patent {
    /// Canonical form.
    #[schema(example = "ZL201910725275.4")]
    pub number: String,
    /// `invention`, `utility_model` or `design` (from the type digit).
    pub patent_type: String,
    pub title: String,
    pub patentees: Vec<String>,
    #[schema(example = "2021-03-02")]
    pub grant_date: Option<String>,
    /// `valid`, `lapsed` or `transferred`.
    pub legal_status: String,
    /// `own`, `exclusive`, `sole` or `ordinary`.
    pub right: String,
    /// 许可备案号, required for licences.
    pub licence_record: String,
    pub status_since: String,
    pub version: i64,
}

/// `POST /api/v1/enterprises/{credit_code}/patents`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewPatent {
    /// With or without `ZL`, spaces and the dot.
    #[schema(example = "201910725275.4")]
    pub number: String,
    pub title: String,
    pub patentees: Vec<String>,
    #[serde(default)]
    pub grant_date: Option<String>,
    pub legal_status: String,
    pub right: String,
    #[serde(default)]
    pub licence_record: String,
}

/// `PATCH /api/v1/enterprises/{credit_code}/patents/{number}`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PatentPatch {
    pub version: i64,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub patentees: Option<Vec<String>>,
    #[serde(default)]
    pub grant_date: Option<String>,
    #[serde(default)]
    pub legal_status: Option<String>,
    #[serde(default)]
    pub right: Option<String>,
    #[serde(default)]
    pub licence_record: Option<String>,
}
