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
