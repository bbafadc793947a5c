//! Public notice (公示) and objections (异议): the generic component a subject (an
//! identification batch, later a programme) publishes its items through.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhichan_domain::notices as dom;

edge_enum!(
    /// What the notice is of: `identification` (专利密集型产品认定).
    NoticeKind, "kind", mirrors DomNoticeKind, { Identification = "identification" }
);
use dom::NoticeKind as DomNoticeKind;

edge_enum!(
    /// `open` (公示中: objections are taken), `closed` (期满, not yet announced) or `announced` (已公告).
    NoticeStatus, "status", mirrors DomNoticeStatus, {
        Open = "open", Closed = "closed", Announced = "announced",
    }
);
use dom::NoticeStatus as DomNoticeStatus;

edge_enum!(
    /// The answer to an objection: `upheld` (成立: the item is not announced) or `dismissed` (不成立).
    ObjectionDecision, "decision", mirrors DomObjectionDecision, {
        Upheld = "upheld", Dismissed = "dismissed",
    }
);
use dom::ObjectionDecision as DomObjectionDecision;

/// An item of a notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeItem {
    /// The subject's id of the item (for identification: the product's id). Objections name it.
    pub item: i64,
    /// What is listed, e.g. the product's name.
    pub title: String,
    /// The enterprise's name.
    pub enterprise: String,
    /// GB/T 2260 code of the enterprise's region.
    pub region: String,
    /// GB/T 4754-2017 code of the item's field.
    pub field: String,
    /// Removed by an upheld objection: it will not be (or was not) announced.
    pub removed: bool,
    /// Its number once announced (认定编号 `RD` + year + region + four-digit sequence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
}

/// A notice in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeSummary {
    pub id: i64,
    pub kind: NoticeKind,
    /// The subject's id (for identification: the batch).
    pub subject: i64,
    pub title: String,
    /// Working days the notice runs, on the holiday calendar.
    pub notice_days: u32,
    /// The first and the last day objections are taken (`YYYY-MM-DD`, both included).
    pub opens_on: String,
    pub closes_on: String,
    pub status: NoticeStatus,
    /// Working days left, today included when it is one; 0 once ended.
    pub days_left: u32,
    /// How many items the notice lists (named apart from a notice's `items` array, which the
    /// summary is flattened beside).
    pub item_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announced_at: Option<String>,
}

/// A notice with its items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    #[serde(flatten)]
    pub summary: NoticeSummary,
    pub items: Vec<NoticeItem>,
}

/// The announced list (公告) of a notice: final.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Announced {
    pub notice: i64,
    pub title: String,
    pub announced_at: String,
    pub items: Vec<NoticeItem>,
}

/// `POST /api/v1/notices/{id}/objections`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObjection {
    /// The item objected to (its `item`).
    pub item: i64,
    /// Why, at most 2000 characters.
    #[schema(max_length = 2000)]
    pub reason: String,
}

/// `POST /api/v1/notices/objections/{id}/answer`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionAnswer {
    pub decision: ObjectionDecision,
    /// Why, at most 2000 characters.
    #[schema(max_length = 2000)]
    pub reason: String,
}

/// An objection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Objection {
    pub id: i64,
    pub notice: i64,
    /// The item objected to.
    pub item: i64,
    pub item_title: String,
    /// Who filed it.
    pub username: String,
    pub reason: String,
    pub filed_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<ObjectionDecision>,
    /// The answer's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
}

/// The objections to a notice the caller may see: all for its owner, one's own otherwise.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Objections {
    pub items: Vec<Objection>,
    /// Whether these are all the notice's objections (the owner) or only the caller's.
    pub all: bool,
}
