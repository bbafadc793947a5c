//! Public notice (公示) and objections (异议), the component a subject plugs into (an
//! identification batch now, the programmes engine later).
//!
//! The subject's owner publishes a notice of its items ([`Services::publish_notice`]); anyone,
//! signed in or not, reads it; a signed-in user whose real-name verification is approved
//! objects to one item while it is open ([`Services::file_objection`]); the owner answers each
//! objection ([`Services::answer_objection`]: upheld removes the item, the objector is
//! notified) and, once the notice has ended and every objection is answered, announces it
//! ([`Services::announce_notice`]): the items that remain get their numbers and the announced
//! list is public and final.

use crate::audit::record;
use crate::notifications::{notify, Kind, Notice as Notification};
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde_json::json;
use time::Date;
use zhichan_domain::access::{authorize, grant, Action, Actor, Placement};
use zhichan_domain::enterprises::{format_date, parse_date};
use zhichan_domain::notices::{
    check_notice_days, check_reason, item_number, number_sequence, NoticeKind, NoticePeriod,
    NoticeStatus, ObjectionDecision,
};
use zhichan_domain::{RegionCode, Timestamp, Violation};
use zhichan_store::notices::{self as store, ItemRow, NewItem, NewNotice, NoticeRow, ObjectionRow};
use zhichan_store::{enterprises, users, StoreError};

/// An item the subject lists in its notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeItem {
    /// The subject's own id of the item (for identification: the product's id).
    pub subject_item: i64,
    /// What is listed, e.g. the product's name.
    pub title: String,
    /// The enterprise's name.
    pub enterprise: String,
    /// The enterprise's region (GB/T 2260, six digits).
    pub region: String,
    /// The item's field (GB/T 4754-2017 code).
    pub field: String,
}

/// An item as a notice shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedItem {
    pub subject_item: i64,
    pub title: String,
    pub enterprise: String,
    pub region: String,
    pub field: String,
    /// Removed by an upheld objection: not announced.
    pub removed: bool,
    /// Its number once announced (认定编号 for identification).
    pub number: Option<String>,
}

/// A notice as anyone may read it, on the platform's today.
#[derive(Clone, Debug)]
pub struct NoticeView {
    pub id: i64,
    pub kind: NoticeKind,
    pub subject_id: i64,
    pub region: RegionCode,
    pub title: String,
    pub notice_days: u32,
    pub opens_on: Date,
    pub closes_on: Date,
    pub status: NoticeStatus,
    /// Working days left, today included when it is one.
    pub days_left: u32,
    pub published_at: Timestamp,
    pub announced_at: Option<Timestamp>,
    pub items: Vec<ListedItem>,
    /// How many items are listed (the summary in a list leaves `items` empty).
    pub item_count: i64,
}

impl NoticeView {
    /// The announced list: the items no upheld objection removed, once announced.
    pub fn announced(&self) -> Vec<&ListedItem> {
        if self.status != NoticeStatus::Announced {
            return Vec::new();
        }
        self.items.iter().filter(|i| !i.removed).collect()
    }
}

/// One objection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Objection {
    pub id: i64,
    pub notice_id: i64,
    pub subject_item: i64,
    pub item_title: String,
    /// Who filed it (shown to the owner; the objector sees only its own).
    pub username: String,
    pub reason: String,
    pub filed_at: Timestamp,
    pub decision: Option<ObjectionDecision>,
    pub answer: Option<String>,
    pub answered_at: Option<Timestamp>,
}

fn corrupt(what: impl std::fmt::Display) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(what.to_string()))
}

fn objection_of(o: ObjectionRow) -> ServiceResult<Objection> {
    let decision = o
        .decision
        .as_deref()
        .map(ObjectionDecision::parse)
        .transpose()
        .map_err(|_| corrupt(format!("objection {}: decision", o.id)))?;
    Ok(Objection {
        id: o.id,
        notice_id: o.notice_id,
        subject_item: o.subject_item,
        item_title: o.item_title,
        username: o.username,
        reason: o.reason,
        filed_at: o.filed_at,
        decision,
        answer: o.answer,
        answered_at: o.answered_at,
    })
}

fn listed(i: ItemRow) -> ListedItem {
    ListedItem {
        subject_item: i.subject_item,
        title: i.title,
        enterprise: i.enterprise,
        region: i.region,
        field: i.field,
        removed: i.removed_at.is_some(),
        number: i.number,
    }
}

fn invalid(field: &str, v: Violation) -> ServiceError {
    ServiceError::invalid(field, v)
}

impl Services {
    /// The platform's today in China.
    fn notice_today(&self) -> Date {
        self.now().beijing_date()
    }

    async fn notice_view(&self, n: NoticeRow, items: Vec<ItemRow>) -> ServiceResult<NoticeView> {
        let bad = |what: &str| corrupt(format!("notice {}: {what}", n.id));
        let kind = NoticeKind::parse(&n.kind).map_err(|_| bad("kind"))?;
        let region = RegionCode::parse(&n.region).map_err(|_| bad("region"))?;
        let opens_on = parse_date(&n.opens_on).ok_or_else(|| bad("opens_on"))?;
        let closes_on = parse_date(&n.closes_on).ok_or_else(|| bad("closes_on"))?;
        let period = NoticePeriod {
            opens_on,
            closes_on,
        };
        let calendar = self.calendar().await?;
        let today = self.notice_today();
        Ok(NoticeView {
            id: n.id,
            kind,
            subject_id: n.subject_id,
            region,
            title: n.title,
            notice_days: u32::try_from(n.notice_days).map_err(|_| bad("notice_days"))?,
            opens_on,
            closes_on,
            status: period.status(today, n.announced_at.is_some()),
            days_left: period.days_left(&calendar.calendar, today),
            published_at: n.published_at,
            announced_at: n.announced_at,
            item_count: n.items,
            items: items.into_iter().map(listed).collect(),
        })
    }

    /// Whether `actor` owns notices placed in `region` (publishes, answers, announces).
    pub fn can_manage_notice(actor: &Actor, region: RegionCode) -> bool {
        authorize(actor, Action::ManageNotices).is_ok_and(|s| {
            s.admits(&Placement {
                region: Some(region),
                ..Placement::default()
            })
        })
    }

    async fn may_manage_notice(
        &self,
        actor: &Actor,
        region: RegionCode,
        object: &str,
    ) -> ServiceResult<()> {
        authorize(actor, Action::ManageNotices)?;
        self.scoped(
            actor,
            Action::ManageNotices,
            &Placement {
                region: Some(region),
                ..Placement::default()
            },
            object,
        )
        .await
    }

    /// Publishes the notice of a subject: it opens today (the platform's clock, in China) and
    /// runs `notice_days` working days on the calendar in force. Done by the subject's owner
    /// (for identification: the national administrator). A subject has one notice (409 for a
    /// second).
    #[allow(clippy::too_many_arguments)]
    pub async fn publish_notice(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        kind: NoticeKind,
        subject_id: i64,
        title: &str,
        items: &[NoticeItem],
        notice_days: i64,
    ) -> ServiceResult<NoticeView> {
        let region = kind.owner_region();
        self.may_manage_notice(
            actor,
            region,
            &format!("notice:{}:{subject_id}", kind.as_str()),
        )
        .await?;
        let mut errors = Vec::new();
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            errors.push(FieldViolation::new(
                "title",
                Violation::new(
                    "required",
                    "请填写公示标题（最多 200 字）",
                    "a title of at most 200 characters",
                ),
            ));
        }
        let days = match check_notice_days(notice_days) {
            Ok(d) => d,
            Err(v) => {
                errors.push(FieldViolation::new("notice_days", v));
                0
            }
        };
        if items.is_empty() {
            errors.push(FieldViolation::new(
                "items",
                Violation::new(
                    "required",
                    "公示至少列出一项",
                    "at least one item is required",
                ),
            ));
        }
        for (k, item) in items.iter().enumerate() {
            if item.title.trim().is_empty() || item.enterprise.trim().is_empty() {
                errors.push(FieldViolation::new(
                    format!("items[{k}].title"),
                    Violation::new(
                        "required",
                        "公示项应有名称和企业名称",
                        "an item needs a title and an enterprise",
                    ),
                ));
            }
            if RegionCode::parse(&item.region).is_err() {
                errors.push(FieldViolation::new(
                    format!("items[{k}].region"),
                    Violation::new(
                        "invalid_region",
                        "地区应为六位行政区划代码",
                        "a six-digit region code",
                    ),
                ));
            }
            if items[..k]
                .iter()
                .any(|o| o.subject_item == item.subject_item)
            {
                errors.push(FieldViolation::new(
                    format!("items[{k}].subject_item"),
                    Violation::new("duplicate", "同一项重复列出", "listed twice"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let calendar = self.calendar().await?;
        let today = self.notice_today();
        let period = NoticePeriod::new(&calendar.calendar, today, days);
        let now = self.now();
        let rows: Vec<NewItem> = items
            .iter()
            .map(|i| NewItem {
                subject_item: i.subject_item,
                title: i.title.trim(),
                enterprise: i.enterprise.trim(),
                region: i.region.trim(),
                field: i.field.trim(),
            })
            .collect();
        let tx = self.db().begin().await?;
        let id = match store::insert(
            &tx,
            &NewNotice {
                kind: kind.as_str(),
                subject_id,
                region: &region.to_string(),
                title,
                notice_days: i64::from(days),
                opens_on: &format_date(period.opens_on),
                closes_on: &format_date(period.closes_on),
                by: &actor.username,
            },
            &rows,
            now,
        )
        .await
        {
            Err(StoreError::Unique { .. }) => {
                return Err(ServiceError::Conflict("该事项已经发布过公示".into()))
            }
            other => other?,
        };
        record(
            &tx,
            ctx,
            Some(actor),
            "notice.publish",
            &format!("notice:{id}"),
            "ok",
            json!({
                "kind": kind.as_str(), "subject": subject_id, "items": items.len(),
                "notice_days": days, "opens_on": format_date(period.opens_on),
                "closes_on": format_date(period.closes_on),
                "calendar_version": calendar.version,
            }),
            now,
        )
        .await?;
        tx.commit().await?;
        self.notice(id).await
    }

    /// A notice with its items: public.
    pub async fn notice(&self, id: i64) -> ServiceResult<NoticeView> {
        let n = store::get(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let items = store::items(self.db(), id).await?;
        self.notice_view(n, items).await
    }

    /// The notice of a subject, if it has one: public.
    pub async fn notice_of(
        &self,
        kind: NoticeKind,
        subject_id: i64,
    ) -> ServiceResult<Option<NoticeView>> {
        match store::of_subject(self.db(), kind.as_str(), subject_id).await? {
            Some(n) => {
                let items = store::items(self.db(), n.id).await?;
                Ok(Some(self.notice_view(n, items).await?))
            }
            None => Ok(None),
        }
    }

    /// One page of notices, newest first, without their items: public.
    pub async fn notices(&self, limit: i64, offset: i64) -> ServiceResult<(Vec<NoticeView>, i64)> {
        let (rows, total) = store::list(self.db(), limit, offset).await?;
        let mut out = Vec::with_capacity(rows.len());
        for n in rows {
            out.push(self.notice_view(n, Vec::new()).await?);
        }
        Ok((out, total))
    }

    /// Objections one person may file to one notice (one per item until answered, and this
    /// many in all).
    pub const MAX_OBJECTIONS_PER_PERSON: i64 = 20;

    /// Files an objection to one item of an open notice. Any signed-in user whose real-name
    /// verification is approved may (422 `not_verified` otherwise) except the notice's owner,
    /// who answers objections (422 `notice_owner`); only while the notice is open (422
    /// `notice_closed`); one reason, required, at most 2000 characters.
    pub async fn file_objection(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        notice_id: i64,
        subject_item: i64,
        reason: &str,
    ) -> ServiceResult<Objection> {
        // The role first (403), then the verification (422, saying what to do), then scope.
        if grant(actor.role, Action::FileObjections).is_none() {
            return Err(self
                .refused(
                    actor,
                    Action::FileObjections,
                    &format!("notice:{notice_id}"),
                    zhichan_domain::access::Refusal::Forbidden,
                )
                .await);
        }
        if !actor.verified {
            return Err(invalid(
                "account",
                Violation::new(
                    "not_verified",
                    "实名认证通过后才能提出异议，请先完成实名认证",
                    "real-name verification must be approved before objecting",
                ),
            ));
        }
        authorize(actor, Action::FileObjections)?;
        let n = store::get(self.db(), notice_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        // Those who answer objections to this notice do not file them: an upheld objection of
        // their own would remove an item without anyone else's review.
        let region = RegionCode::parse(&n.region)
            .map_err(|_| corrupt(format!("notice {}: region", n.id)))?;
        if Self::can_manage_notice(actor, region) {
            return Err(invalid(
                "account",
                Violation::new(
                    "notice_owner",
                    "你负责答复本公示的异议，不能对本公示提出异议",
                    "the notice's owner answers objections and cannot file one",
                ),
            ));
        }
        let reason = check_reason(reason).map_err(|v| invalid("reason", v));
        let item = store::item_by_subject(self.db(), notice_id, subject_item).await?;
        let view = self.notice_view(n, Vec::new()).await?;
        if view.status != NoticeStatus::Open || self.notice_today() < view.opens_on {
            return Err(invalid(
                "notice",
                Violation::new(
                    "notice_closed",
                    format!(
                        "公示期为 {} 至 {}，已不在公示期内，不能再提出异议",
                        format_date(view.opens_on),
                        format_date(view.closes_on)
                    ),
                    "the notice period is over",
                ),
            ));
        }
        let mut errors = Vec::new();
        if item.is_none() {
            errors.push(FieldViolation::new(
                "item",
                Violation::new(
                    "not_listed",
                    "请选择本次公示中列出的一项",
                    "not an item of this notice",
                ),
            ));
        }
        let reason = match reason {
            Ok(r) => r,
            Err(ServiceError::Invalid(mut v)) => {
                errors.append(&mut v);
                String::new()
            }
            Err(e) => return Err(e),
        };
        let (Some(item), true) = (item, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let now = self.now();
        let tx = self.db().begin().await?;
        // One person cannot stall an announcement with a flood: one unanswered objection per
        // item, and a bounded number per notice.
        let (all, open) = store::objections_by(&tx, notice_id, item.id, actor.user_id).await?;
        if open > 0 {
            return Err(invalid(
                "item",
                Violation::new(
                    "objection_pending",
                    "你对这一项的异议尚未答复，答复后才能再次提出",
                    "your objection to this item is not answered yet",
                ),
            ));
        }
        if all >= Self::MAX_OBJECTIONS_PER_PERSON {
            return Err(invalid(
                "notice",
                Violation::new(
                    "too_many_objections",
                    format!(
                        "每人对同一公示最多提出{}件异议",
                        Self::MAX_OBJECTIONS_PER_PERSON
                    ),
                    "too many objections from one person to this notice",
                ),
            ));
        }
        let id =
            store::insert_objection(&tx, notice_id, item.id, actor.user_id, &reason, now).await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "notice.object",
            &format!("notice:{notice_id}"),
            "ok",
            json!({"objection": id, "item": subject_item}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.objection(id).await
    }

    async fn objection(&self, id: i64) -> ServiceResult<Objection> {
        objection_of(
            store::objection(self.db(), id)
                .await?
                .ok_or(ServiceError::NotFound)?,
        )
    }

    /// The objections to a notice: all of them for its owner, one's own for anyone else
    /// (with whether they are all).
    pub async fn objections(
        &self,
        actor: &Actor,
        notice_id: i64,
    ) -> ServiceResult<(Vec<Objection>, bool)> {
        let n = store::get(self.db(), notice_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let region = RegionCode::parse(&n.region).map_err(|_| corrupt("notice region"))?;
        let all = Self::can_manage_notice(actor, region);
        if !all {
            match grant(actor.role, Action::FileObjections) {
                Some(_) => {}
                None => return Err(ServiceError::Forbidden),
            }
        }
        let rows = store::objections(self.db(), notice_id, (!all).then_some(actor.user_id)).await?;
        let list = rows
            .into_iter()
            .map(objection_of)
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok((list, all))
    }

    /// Answers an objection (the notice's owner): `upheld` removes the item from what will be
    /// announced, `dismissed` keeps it; a reason is required; the objector is notified. An
    /// objection is answered once (409 after). `only` a kind of notice: 404 for another's.
    pub async fn answer_objection(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        objection_id: i64,
        only: Option<NoticeKind>,
        decision: ObjectionDecision,
        reason: &str,
    ) -> ServiceResult<Objection> {
        if let Some(kind) = only {
            let o = store::objection(self.db(), objection_id).await?;
            let n = match o {
                Some(o) => store::get(self.db(), o.notice_id).await?,
                None => None,
            };
            if n.is_none_or(|n| n.kind != kind.as_str()) {
                return Err(ServiceError::NotFound);
            }
        }
        authorize(actor, Action::ManageNotices)?;
        let o = store::objection(self.db(), objection_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let n = store::get(self.db(), o.notice_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let region = RegionCode::parse(&n.region).map_err(|_| corrupt("notice region"))?;
        self.may_manage_notice(actor, region, &format!("objection:{objection_id}"))
            .await?;
        let reason = check_reason(reason).map_err(|v| invalid("reason", v))?;
        if o.decision.is_some() {
            return Err(ServiceError::Conflict("该异议已经答复过".into()));
        }
        if n.announced_at.is_some() {
            return Err(ServiceError::Conflict("公告已发布，不能再答复异议".into()));
        }
        let objector = users::by_id(self.db(), o.user_id).await?;
        let now = self.now();
        let tx = self.db().begin().await?;
        if store::answer(
            &tx,
            objection_id,
            decision.as_str(),
            &reason,
            &actor.username,
            now,
        )
        .await?
            == 0
        {
            return Err(ServiceError::Conflict("该异议已经答复过".into()));
        }
        if decision == ObjectionDecision::Upheld {
            store::remove_item(&tx, o.item_id, now).await?;
        }
        // The objector learns the answer: in its enterprise's notifications (an enterprise
        // account), and on its own contact.
        let title = format!("您对“{}”提出的异议已答复", o.item_title);
        let body = format!(
            "您在公示“{}”中对“{}”提出的异议，答复为：{}。理由：{}",
            n.title,
            o.item_title,
            decision.label_zh(),
            reason
        );
        let link = format!("/notices/{}/objections", n.id);
        if let Some(u) = &objector {
            if let Some(code) = &u.enterprise {
                if let Some(e) = enterprises::by_credit_code(&tx, code).await? {
                    notify(
                        &tx,
                        &Notification {
                            enterprise_id: e.id,
                            kind: Kind::ObjectionAnswered,
                            title: &title,
                            body: &body,
                            link: &link,
                            key: &objection_id.to_string(),
                        },
                        now,
                    )
                    .await?;
                }
            }
            if let Ok((channel, address)) = crate::accounts::parse_contact(&u.contact) {
                crate::notifications::queue_account_message(
                    &tx,
                    Some(u.id),
                    channel,
                    &address,
                    &title,
                    &body,
                    now,
                )
                .await?;
            }
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "notice.answer",
            &format!("notice:{}", n.id),
            "ok",
            json!({"objection": objection_id, "decision": decision.as_str(),
                   "item": o.subject_item}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.objection(objection_id).await
    }

    /// Announces a notice (公告): only after it has ended (422 `notice_open`) and once every
    /// objection is answered (422 `objections_unanswered`). The items no upheld objection
    /// removed are numbered (see [`item_number`]); the announced list is then final (409 for
    /// a second announcement).
    pub async fn announce_notice(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        notice_id: i64,
    ) -> ServiceResult<NoticeView> {
        authorize(actor, Action::ManageNotices)?;
        let n = store::get(self.db(), notice_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let region = RegionCode::parse(&n.region).map_err(|_| corrupt("notice region"))?;
        self.may_manage_notice(actor, region, &format!("notice:{notice_id}"))
            .await?;
        if n.announced_at.is_some() {
            return Err(ServiceError::Conflict(
                "该公示已经公告，公告结果不能更改".into(),
            ));
        }
        let view = self.notice_view(n.clone(), Vec::new()).await?;
        if view.status == NoticeStatus::Open {
            return Err(invalid(
                "notice",
                Violation::new(
                    "notice_open",
                    format!(
                        "公示期至 {} 结束（还有 {} 个工作日），期满后才能公告",
                        format_date(view.closes_on),
                        view.days_left
                    ),
                    "the notice period has not ended",
                ),
            ));
        }
        let waiting = store::unanswered(self.db(), notice_id).await?;
        if waiting > 0 {
            return Err(invalid(
                "objections",
                Violation::new(
                    "objections_unanswered",
                    format!("还有 {waiting} 件异议未答复，全部答复后才能公告"),
                    "every objection must be answered first",
                ),
            ));
        }
        let now = self.now();
        let year = self.notice_today().year();
        let tx = self.db().begin().await?;
        if store::announce(&tx, notice_id, &actor.username, now).await? == 0 {
            return Err(ServiceError::Conflict(
                "该公示已经公告，公告结果不能更改".into(),
            ));
        }
        let items = store::items(&tx, notice_id).await?;
        let mut numbered = 0;
        for item in items.iter().filter(|i| i.removed_at.is_none()) {
            let prefix = format!("{}{year:04}{}", view.kind.number_prefix(), item.region);
            let last = store::last_number(&tx, &prefix)
                .await?
                .and_then(|n| number_sequence(&n, &prefix))
                .unwrap_or(0);
            let number = item_number(view.kind, year, &item.region, last + 1);
            store::set_number(&tx, item.id, &number).await?;
            numbered += 1;
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "notice.announce",
            &format!("notice:{notice_id}"),
            "ok",
            json!({"announced": numbered, "removed": items.len() - numbered}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.notice(notice_id).await
    }
}
