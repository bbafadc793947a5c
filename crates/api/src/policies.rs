//! The policy library (政策库): public lists and reading, writes by administrators, import from
//! text. Dates are `YYYY-MM-DD`.

use crate::edge::format;
use crate::reference::RegionLevel;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One policy in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyItem {
    pub id: i64,
    /// The version as last saved (every edit is a new version).
    pub version: i64,
    pub title: Option<String>,
    /// The document's own 文号 (never one it cites), normalised.
    pub doc_number: Option<String>,
    /// The issuing bodies joined with 、 (null when the text names none).
    pub issuer: Option<String>,
    pub issuers: Vec<String>,
    pub level: RegionLevel,
    #[schema(value_type = format::RegionCode)]
    pub region: String,
    /// The document's own date (成文日期).
    #[schema(value_type = Option<format::Date>)]
    pub published_on: Option<String>,
    #[schema(value_type = Option<format::Date>)]
    pub effective_on: Option<String>,
    #[schema(value_type = Option<format::Date>)]
    pub expires_on: Option<String>,
    /// In force today: from the effective date (or the published date) through the expiry date.
    pub in_force: bool,
    /// Where a portal posted it.
    pub source: Option<String>,
    /// When the portal posted it.
    #[schema(value_type = Option<format::Date>)]
    pub posted_on: Option<String>,
    pub url: Option<String>,
    pub topics: Vec<String>,
    /// The title and a passage of the text around the words searched for, cut into segments:
    /// those with `hit` are the words found (no marker characters, which real 文号 such as
    /// 贛知發【2024】7號 hold).
    pub highlights: Vec<PolicyHighlight>,
}

/// A passage of a policy where the words searched for stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PolicyHighlight {
    pub field: HighlightField,
    /// The passage in order; its segments' texts joined are the passage as written.
    pub segments: Vec<HighlightSegment>,
}

/// Which part of a policy a highlight is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HighlightField {
    Title,
    Body,
}

/// A piece of a passage: a word searched for (`hit`) or the text between.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct HighlightSegment {
    pub text: String,
    pub hit: bool,
}

/// An attachment (附件), served as a download.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyAttachment {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// Where to download it.
    pub href: String,
}

/// A saved version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyVersion {
    pub version: i64,
    /// The account that saved it: shown only to the administrators who may edit the policy,
    /// `null` for everyone else (staff usernames are not public).
    pub changed_by: Option<String>,
    pub changed_at: String,
}

/// `GET /api/v1/policies/{id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyDetail {
    #[serde(flatten)]
    pub item: PolicyItem,
    pub body: String,
    pub attachments: Vec<PolicyAttachment>,
    pub versions: Vec<PolicyVersion>,
}

/// `POST /api/v1/policies`: a policy's fields. `null` is the same as leaving a field out.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PolicyInput {
    #[serde(default, deserialize_with = "crate::edge::nullable")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::edge::nullable")]
    pub doc_number: Option<String>,
    #[serde(default, deserialize_with = "crate::edge::nullable")]
    pub issuers: Vec<String>,
    /// The region the policy belongs to (its level follows from it).
    #[schema(value_type = format::RegionCode)]
    pub region: String,
    #[serde(default, deserialize_with = "crate::edge::nullable")]
    #[schema(value_type = Option<format::Date>)]
    pub published_on: Option<String>,
    #[serde(default, deserialize_with = "crate::edge::nullable")]
    #[schema(value_type = Option<format::Date>)]
    pub effective_on: Option<String>,
    #[serde(default, deserialize_with = "crate::edge::nullable")]
    #[schema(value_type = Option<format::Date>)]
    pub expires_on: Option<String>,
    #[serde(default, deserialize_with = "crate::edge::nullable")]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "crate::edge::nullable")]
    #[schema(value_type = Option<format::Date>)]
    pub posted_on: Option<String>,
    #[serde(default, deserialize_with = "crate::edge::nullable")]
    pub url: Option<String>,
    pub body: String,
    #[serde(default, deserialize_with = "crate::edge::nullable")]
    pub topics: Vec<String>,
}

/// `PATCH /api/v1/policies/{id}`: the whole policy as it should now read, and the version it
/// was read at (409 when someone saved in between). The save becomes the next version.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PolicyEdit {
    pub version: i64,
    #[serde(flatten)]
    pub policy: PolicyInput,
}

/// A field the text did not give, or gave indirectly.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportWarning {
    pub field: String,
    /// `not_in_text` (left empty), `issuer_from_title`, `control_characters` (removed),
    /// `region_from_source` (placed by the 来源, to be checked) or `region_not_inferred` (placed
    /// where the import was told, to be checked).
    pub code: String,
    pub message: String,
}

/// One policy an import found, with every extracted field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedPolicy {
    pub title: Option<String>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub issuers: Vec<String>,
    #[schema(value_type = Option<format::Date>)]
    pub published_on: Option<String>,
    #[schema(value_type = Option<format::Date>)]
    pub effective_on: Option<String>,
    #[schema(value_type = Option<format::Date>)]
    pub expires_on: Option<String>,
    pub source: Option<String>,
    #[schema(value_type = Option<format::Date>)]
    pub posted_on: Option<String>,
    pub body: String,
    /// Where it is placed: read from its issuers (else its 来源), else where the import was told.
    pub level: RegionLevel,
    #[schema(value_type = format::RegionCode)]
    pub region: String,
    pub warnings: Vec<ImportWarning>,
    /// What saving it would refuse, field by field (the same checks as saving: a saving import
    /// with any is refused whole, 422, fields named `items[i].field`).
    pub errors: Vec<crate::FieldError>,
    /// The policy already in the library that this one is (same own 文号, or the same text).
    pub duplicate_of: Option<i64>,
    /// The policy saved (null on a preview, or for a duplicate).
    pub saved: Option<i64>,
}

/// `POST /api/v1/policies/import`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyImport {
    pub preview: bool,
    pub items: Vec<ImportedPolicy>,
    /// How many were saved now.
    pub saved: usize,
    /// How many were already in the library.
    pub duplicates: usize,
}

/// The form of `POST /api/v1/policies/import`.
#[derive(Debug, Clone, ToSchema)]
#[allow(dead_code)]
pub struct PolicyImportForm {
    /// The text (UTF-8) as found: a portal listing or one document.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `true` to see what would be saved without saving.
    pub preview: Option<bool>,
    /// Where to place the policies whose issuers (or 来源) name no region; the caller's own
    /// region when left out. The others are placed where their issuers are.
    #[schema(value_type = Option<format::RegionCode>)]
    pub region: Option<String>,
}

/// The form of `POST /api/v1/policies/{id}/attachments`.
#[derive(Debug, Clone, ToSchema)]
#[allow(dead_code)]
pub struct PolicyAttachmentForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// The answer to an attachment upload.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentAdded {
    pub id: i64,
    pub href: String,
}
