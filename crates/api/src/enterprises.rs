//! Enterprise profiles (企业信息).

use crate::edge::{format, nullable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhichan_domain::enterprises::{
    Ownership as DomainOwnership, QualificationKind as DomainKind,
    QualificationLevel as DomainLevel, Scale as DomainScale,
};
use zhichan_domain::patents::{LegalStatus as DomainLegalStatus, PatentRight as DomainRight};
use zhichan_domain::PatentType as DomainPatentType;

edge_enum!(
    /// 企业规模.
    Scale, "scale", mirrors DomainScale, {
        Large = "large", Medium = "medium", Small = "small", Micro = "micro",
    }
);

edge_enum!(
    /// 企业所有制类型; `hmt` is 港澳台投资.
    Ownership, "ownership", mirrors DomainOwnership, {
        State = "state",
        Collective = "collective",
        Private = "private",
        Foreign = "foreign",
        HongKongMacaoTaiwan = "hmt",
        Other = "other",
    }
);

edge_enum!(
    /// What an enterprise has been recognised as (`gbt29490`: certified to GB/T 29490).
    QualificationKind, "qualification", mirrors DomainKind, {
        IpDemonstration = "ip_demonstration",
        IpAdvantage = "ip_advantage",
        LittleGiant = "little_giant",
        SpecialisedSme = "specialised_sme",
        HighTech = "high_tech",
        IpManagementStandard = "gbt29490",
    }
);

edge_enum!(
    /// The level of the office that conferred a qualification.
    QualificationLevel, "qualification_level", mirrors DomainLevel, {
        National = "national", Provincial = "provincial", City = "city", County = "county",
    }
);

edge_enum!(
    /// 法律状态 of a patent.
    LegalStatus, "legal_status", mirrors DomainLegalStatus, {
        Valid = "valid", Lapsed = "lapsed", Transferred = "transferred",
    }
);

edge_enum!(
    /// The enterprise's right to a patent: its own, or a licence.
    PatentRight, "right", mirrors DomainRight, {
        Own = "own", Exclusive = "exclusive", Sole = "sole", Ordinary = "ordinary",
    }
);

edge_enum!(
    /// 发明, 实用新型 or 外观设计, from the application number's type digit.
    PatentType, "patent_type", mirrors DomainPatentType, {
        Invention = "invention", UtilityModel = "utility_model", Design = "design",
    }
);

/// A qualification with its level and validity.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Qualification {
    pub kind: QualificationKind,
    pub level: QualificationLevel,
    #[serde(default)]
    #[schema(example = "2024-01-01", format = Date)]
    pub valid_from: Option<String>,
    #[serde(default)]
    #[schema(example = "2026-12-31", format = Date)]
    pub valid_to: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub certificate: String,
    /// Whether a reviewer of the enterprise's region confirmed it (answered, never read: who
    /// saves decides it).
    #[serde(default, skip_deserializing)]
    #[schema(read_only)]
    pub review: Option<crate::declarations::QualificationReview>,
    /// Why a reviewer returned it.
    #[serde(default, skip_deserializing)]
    #[schema(read_only)]
    pub review_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    #[schema(example = "王芳")]
    pub name: String,
    #[schema(example = "0794-8888888")]
    pub phone: String,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub email: String,
}

/// An enterprise profile as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Enterprise {
    #[schema(value_type = format::CreditCode)]
    pub credit_code: String,
    pub name: String,
    #[schema(value_type = format::RegionCode)]
    pub region: String,
    pub address: String,
    pub scale: Scale,
    pub ownership: Ownership,
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

edge_enum!(
    /// Where a change of an enterprise's name or region stands.
    EnterpriseAmendmentStatus, "status", { Submitted = "submitted", Returned = "returned" }
);

/// A change of an enterprise's name or region (变更) under review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseAmendment {
    /// `submitted` (waiting for a reviewer) or `returned` (see `reason`; change and save again,
    /// or discard).
    pub status: EnterpriseAmendmentStatus,
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
    pub decision: crate::Decision,
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
    /// The holder's own 11-digit mobile number or e-mail address: the one-time set-password
    /// code is sent there, never answered to whoever adds the account.
    #[schema(example = "13800138000")]
    pub contact: String,
}

/// An added account and where its one-time set-password code went (masked). The holder
/// chooses a password with the code (`POST /api/v1/account-setup`, or the page
/// `/account/setup`); whoever added the account learns neither the code nor the password.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AddedEnterpriseAccount {
    pub user_id: i64,
    pub username: String,
    /// The holder's contact, masked.
    pub sent_to: String,
    pub setup_expires_at: String,
}

/// One account of an enterprise.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseAccount {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// Real-name verification (实名认证).
    pub verification: crate::accounts::VerificationState,
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
    #[schema(value_type = format::CreditCode)]
    pub credit_code: String,
    pub name: String,
    /// Taken from the credit code's registration region when left out.
    #[serde(default)]
    #[schema(value_type = Option<format::RegionCode>)]
    pub region: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub address: String,
    pub scale: Scale,
    pub ownership: Ownership,
    /// GB/T 4754-2017 code at any level.
    #[schema(value_type = format::IndustryCode)]
    pub industry: String,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
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
    #[schema(value_type = Option<format::RegionCode>)]
    pub region: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub scale: Option<Scale>,
    #[serde(default)]
    pub ownership: Option<Ownership>,
    #[serde(default)]
    #[schema(value_type = Option<format::IndustryCode>)]
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
    pub patent_type: PatentType,
    pub title: String,
    pub patentees: Vec<String>,
    #[schema(example = "2021-03-02", format = Date)]
    pub grant_date: Option<String>,
    pub legal_status: LegalStatus,
    pub right: PatentRight,
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
    #[schema(format = Date)]
    pub grant_date: Option<String>,
    pub legal_status: LegalStatus,
    pub right: PatentRight,
    /// 许可备案号, required for licences; null or left out for the enterprise's own patents.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
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
    #[schema(format = Date)]
    pub grant_date: Option<String>,
    #[serde(default)]
    pub legal_status: Option<LegalStatus>,
    #[serde(default)]
    pub right: Option<PatentRight>,
    #[serde(default)]
    pub licence_record: Option<String>,
}
