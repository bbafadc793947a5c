//! Declarations (申报事项): costs and events of a year an enterprise declares with evidence and a
//! reviewer of its region approves or returns; only approved ones count for award entitlements.
//! The review of the qualifications an enterprise entered itself.

use crate::awards::DeclarationKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhichan_domain::enterprises::QualificationReview as DomainReview;

edge_enum!(
    /// Where a declaration stands: `submitted` (waiting for a reviewer of the enterprise's
    /// region), `approved` (counts for awards) or `returned` (with the reason; declare again).
    DeclarationStatus, "status", {
        Submitted = "submitted", Approved = "approved", Returned = "returned",
    }
);

edge_enum!(
    /// Whether a reviewer of the enterprise's region has confirmed a qualification: `confirmed`
    /// (entered by a reviewer, or confirmed by one) counts for awards; `pending` (entered or
    /// changed by the enterprise) and `returned` do not.
    QualificationReview, "review", mirrors DomainReview, {
        Pending = "pending", Confirmed = "confirmed", Returned = "returned",
    }
);

/// A file of evidence sent inline: its name and its bytes in base64 (PDF, JPG or PNG, at most
/// 10 MB).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceUpload {
    #[schema(example = "认证费发票.pdf")]
    pub name: String,
    pub content_base64: String,
}

/// `POST /api/v1/enterprises/{credit_code}/declarations`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDeclaration {
    pub kind: DeclarationKind,
    /// The year the cost was paid or the event happened (2000 to this year).
    #[schema(example = 2025)]
    pub year: i32,
    /// The cost in yuan: required for `certification_fee`, `insurance_premium` and
    /// `enforcement_agency_fee`, absent for an event.
    #[serde(default)]
    #[schema(example = "26000.00", nullable)]
    pub amount: Option<String>,
    #[serde(default)]
    #[schema(nullable)]
    pub note: Option<String>,
    #[serde(default)]
    #[schema(nullable)]
    pub evidence: Option<EvidenceUpload>,
}

/// The evidence kept with a declaration (served as a download from `href`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub href: String,
}

/// A declaration.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Declaration {
    pub id: i64,
    pub credit_code: String,
    pub enterprise_name: String,
    pub kind: DeclarationKind,
    /// The kind in words (知识产权管理规范认证费用).
    pub kind_name: String,
    pub year: i64,
    pub amount: Option<String>,
    pub note: String,
    pub evidence: Option<Evidence>,
    pub status: DeclarationStatus,
    pub declared_by: String,
    pub declared_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    /// Why it was returned.
    pub reason: Option<String>,
    pub version: i64,
}

/// `POST /api/v1/declarations/{id}/review`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactReview {
    pub decision: crate::Decision,
    /// Required when returning.
    #[serde(default)]
    #[schema(nullable)]
    pub reason: Option<String>,
}

/// `POST /api/v1/enterprises/{credit_code}/qualifications/review`: the decision on the
/// qualifications waiting for review, as the reviewer read them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationsReview {
    pub decision: crate::Decision,
    /// Required when returning.
    #[serde(default)]
    #[schema(nullable)]
    pub reason: Option<String>,
    /// The enterprise's `version` the reviewer read: if its qualifications have changed since,
    /// the review is refused (409) and nothing is decided.
    pub version: i64,
}

/// `POST /api/v1/enterprises/{credit_code}/qualifications/resubmit`: the enterprise submits a
/// returned qualification again for review, unchanged (重新提交).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationResubmit {
    pub kind: crate::enterprises::QualificationKind,
    pub level: crate::enterprises::QualificationLevel,
    /// The enterprise's `version` the enterprise read (409 when it has moved on).
    pub version: i64,
}

/// `GET /api/v1/qualifications?state=pending`: an enterprise of the reviewer's region with
/// qualifications in the state asked for (by default waiting for review).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualificationsOfEnterprise {
    #[schema(example = "91361002MA35F6XK04")]
    pub credit_code: String,
    pub enterprise_name: String,
    /// The enterprise's region (GB/T 2260) and its full name.
    #[schema(example = "361002")]
    pub region: String,
    #[schema(example = "江西省抚州市临川区")]
    pub region_name: String,
    pub state: QualificationReview,
    /// How many of its qualifications are in that state.
    pub count: i64,
    /// Those qualifications (kind, level, certificate, validity): what a reviewer decides.
    pub qualifications: Vec<crate::enterprises::Qualification>,
    /// The enterprise's version, which a review names (`QualificationsReview.version`).
    pub version: i64,
    /// Where a reviewer confirms or returns them (`POST`, a `QualificationsReview` naming
    /// `version`).
    pub review: String,
}
