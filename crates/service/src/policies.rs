//! The policy library (政策库). Reading is public; adding, importing and editing belong to the
//! administrators of the policy's region and those above it (the nation's administrator
//! everywhere), through the one access table ([`Action::ManagePolicies`]). Every save is a new
//! version, kept whole. An import never duplicates: a policy with the same own 文号, or without
//! one the same normalised text, is reported as already there.
//!
//! Search with words runs on the full-text index ([`crate::search`]), which is brought in step
//! with the database before it answers; a list without words is a database query.

use crate::audit::record;
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde_json::json;
use time::Date;
use zhichan_domain::access::{authorize, Action, Actor, Placement, Scope};
use zhichan_domain::policies::{self as dom, ExtractedPolicy};
use zhichan_domain::policy_placement::Gazetteer;
use zhichan_domain::regions::RegionLevel;
use zhichan_domain::{RegionCode, Timestamp, Violation};
use zhichan_store::policies::{self as store, AttachmentRow, PolicyRow};
use zhichan_store::{regions, StoreError};

/// A policy as it stands, with whether it is in force today.
#[derive(Clone, Debug)]
pub struct Policy {
    pub id: i64,
    pub version: i64,
    pub fields: PolicyFields,
    pub level: RegionLevel,
    pub in_force: bool,
    pub created_by: String,
    pub created_at: Timestamp,
    pub changed_by: String,
    pub changed_at: Timestamp,
}

/// What a person (or an import) gives for a policy.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicyFields {
    pub title: Option<String>,
    pub doc_number: Option<String>,
    pub issuers: Vec<String>,
    pub region: RegionCode,
    #[serde(with = "date_opt")]
    pub published_on: Option<Date>,
    #[serde(with = "date_opt")]
    pub effective_on: Option<Date>,
    #[serde(with = "date_opt")]
    pub expires_on: Option<Date>,
    pub source: Option<String>,
    #[serde(with = "date_opt")]
    pub posted_on: Option<Date>,
    pub url: Option<String>,
    pub body: String,
    pub topics: Vec<String>,
}

/// A policy with its body's versions and attachments.
#[derive(Clone, Debug)]
pub struct PolicyDetail {
    pub policy: Policy,
    pub attachments: Vec<AttachmentRow>,
    /// Every version: number, who saved it, when; newest first.
    pub versions: Vec<(i64, String, Timestamp)>,
}

/// What an import found for one policy of the text.
#[derive(Clone, Debug)]
pub struct ImportOutcome {
    /// As read, with the import's warnings (placement) added.
    pub extracted: ExtractedPolicy,
    /// Where it is (or would be) placed: by its issuers, else its 来源, else where the import
    /// was told.
    pub region: RegionCode,
    /// What saving it refuses (the same checks as saving), for the preview to show.
    pub errors: Vec<FieldViolation>,
    /// The policy it would duplicate (or did, on a saving import: then nothing was saved).
    pub duplicate_of: Option<i64>,
    /// The policy saved, on a saving import.
    pub saved: Option<i64>,
}

/// A list's filters as the API and pages give them.
#[derive(Clone, Debug, Default)]
pub struct PolicyQuery {
    pub q: Option<String>,
    pub level: Option<RegionLevel>,
    pub region: Option<RegionCode>,
    pub issuer: Option<String>,
    pub in_force: Option<bool>,
    pub year: Option<i32>,
    /// Newest first rather than the best match first (lists without words are always by date).
    pub by_date: bool,
}

/// A policy found, with passages of its title and text where the words searched for stand.
#[derive(Clone, Debug)]
pub struct PolicyHit {
    pub policy: Policy,
    pub highlights: Vec<crate::search::Passage>,
}

/// What bringing the search index in step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchSync {
    /// Rebuilt from nothing (missing, unreadable, or of another database) rather than caught up.
    pub rebuilt: bool,
    /// Policies (re)indexed.
    pub indexed: usize,
    /// The generation the index now reflects.
    pub generation: i64,
}

fn index_error(e: tantivy::TantivyError) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(format!("policy search index: {e}")))
}

fn entry(r: &PolicyRow) -> ServiceResult<crate::search::Entry> {
    Ok(crate::search::Entry {
        id: r.id,
        title: r.title.clone(),
        body: r.body.clone(),
        issuers: strings(&r.issuers, "issuers")?,
        doc_number: r.doc_number.clone(),
        level: r.level.clone(),
        region: r.region.as_u32(),
        published_on: r.published_on.clone(),
        effective_on: r.effective_on.clone(),
        expires_on: r.expires_on.clone(),
        posted_on: r.posted_on.clone(),
    })
}

mod date_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::iso(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| super::parse_iso(&t).ok_or_else(|| serde::de::Error::custom("a date")))
            .transpose()
    }
}

/// `YYYY-MM-DD`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub fn parse_iso(s: &str) -> Option<Date> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next()?.parse().ok()?;
    let d: u8 = parts.next()?.parse().ok()?;
    if !(1000..=9999).contains(&y) {
        return None;
    }
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

fn date_col(col: &Option<String>, what: &str) -> ServiceResult<Option<Date>> {
    col.as_deref()
        .map(|t| {
            parse_iso(t).ok_or_else(|| {
                ServiceError::Store(StoreError::Corrupt(format!("policy {what}: {t}")))
            })
        })
        .transpose()
}

fn level_str(l: RegionLevel) -> &'static str {
    l.as_str()
}

/// The type an attachment is served as, from its own first bytes; anything unrecognised is an
/// opaque download.
pub fn attachment_type(bytes: &[u8]) -> &'static str {
    crate::evidence::sniff(bytes).unwrap_or("application/octet-stream")
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Where an imported policy goes: the region its issuers (else its 来源) name, else `told`,
/// with a warning when it was not read from the issuers.
fn place(gazetteer: &Gazetteer, p: &mut ExtractedPolicy, told: RegionCode) -> RegionCode {
    use zhichan_domain::policies::ImportWarning;
    use zhichan_domain::policy_placement::Placement;
    let fold = crate::search::fold;
    let issuers: Vec<String> = p.issuers.iter().map(|i| fold(i)).collect();
    let source = p.source.as_deref().map(fold);
    match gazetteer.place(&issuers, source.as_deref()) {
        Placement::Issuer(r) => r,
        Placement::Source(r) => {
            p.warnings.push(ImportWarning {
                field: "region",
                code: "region_from_source",
                message: format!(
                    "原文没有署名，级别和地区按来源推断为{}，请核对",
                    gazetteer.name(r).unwrap_or("")
                ),
            });
            r
        }
        Placement::Unknown => {
            p.warnings.push(ImportWarning {
                field: "region",
                code: "region_not_inferred",
                message: format!(
                    "发文机关和来源均未指明所属地区，暂按导入时所选的{}，请核对",
                    gazetteer.name(told).unwrap_or("地区")
                ),
            });
            told
        }
    }
}

fn violation(field: &str, code: &'static str, zh: &str, en: &str) -> FieldViolation {
    FieldViolation::new(field, Violation::new(code, zh, en))
}

fn too_long(field: &str, value: &Option<String>, limit: usize, errs: &mut Vec<FieldViolation>) {
    if value.as_deref().is_some_and(|v| v.chars().count() > limit) {
        errs.push(violation(
            field,
            "too_long",
            &format!("不能超过 {limit} 个字"),
            &format!("at most {limit} characters"),
        ));
    }
}

impl PolicyFields {
    /// The fields an import extracted, placed in `region`.
    pub fn from_extracted(e: &ExtractedPolicy, region: RegionCode) -> Self {
        PolicyFields {
            title: e.title.clone(),
            doc_number: e.doc_number.clone(),
            issuers: e.issuers.clone(),
            region,
            published_on: e.published_on,
            effective_on: e.effective_on,
            expires_on: e.expires_on,
            source: e.source.clone(),
            posted_on: e.posted_on,
            url: None,
            body: e.body.clone(),
            topics: Vec::new(),
        }
    }

    /// Drops control characters and direction marks (NUL never reaches the database; a
    /// U+202E cannot make a title read backwards), keeping line breaks and tabs in the body,
    /// trims the text fields and checks them; one violation per bad field.
    fn checked(mut self) -> Result<Self, Vec<FieldViolation>> {
        let line = |s: &str| zhichan_domain::validation::strip_controls(s, false).0;
        let lines = |v: &Option<String>| trimmed(&v.as_deref().map(line));
        self.title = lines(&self.title);
        self.doc_number = lines(&self.doc_number);
        self.source = lines(&self.source);
        self.url = lines(&self.url);
        self.issuers = self
            .issuers
            .iter()
            .map(|s| line(s).trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        self.topics = self
            .topics
            .iter()
            .map(|s| line(s).trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        self.body = zhichan_domain::validation::strip_controls(&self.body, true)
            .0
            .trim()
            .to_string();
        let mut errs = Vec::new();
        if self.body.is_empty() {
            errs.push(violation(
                "body",
                "required",
                "请填写政策全文",
                "body is required",
            ));
        }
        too_long("title", &self.title, 300, &mut errs);
        too_long("doc_number", &self.doc_number, 60, &mut errs);
        too_long("source", &self.source, 100, &mut errs);
        too_long("url", &self.url, 1000, &mut errs);
        if self.body.chars().count() > 500_000 {
            errs.push(violation(
                "body",
                "too_long",
                "全文不能超过 50 万字",
                "at most 500,000 characters",
            ));
        }
        if let Some(url) = &self.url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                errs.push(violation(
                    "url",
                    "invalid_url",
                    "网址须以 http:// 或 https:// 开头",
                    "the URL must start with http:// or https://",
                ));
            }
        }
        for (i, s) in self.issuers.iter().enumerate() {
            if s.chars().count() > 60 {
                errs.push(violation(
                    &format!("issuers[{i}]"),
                    "too_long",
                    "不能超过 60 个字",
                    "at most 60 characters",
                ));
            }
        }
        if self.topics.len() > 20 {
            errs.push(violation(
                "topics",
                "too_many",
                "主题不能超过 20 个",
                "at most 20 topics",
            ));
        }
        if let (Some(from), Some(to)) = (self.effective_on.or(self.published_on), self.expires_on) {
            if to < from {
                errs.push(violation(
                    "expires_on",
                    "invalid_date_range",
                    "失效日期不能早于施行日期",
                    "expires before it takes effect",
                ));
            }
        }
        if errs.is_empty() {
            Ok(self)
        } else {
            Err(errs)
        }
    }

    fn row(&self, id: i64, by: &str, now: Timestamp) -> PolicyRow {
        PolicyRow {
            id,
            version: 0,
            title: self.title.clone(),
            doc_number: self.doc_number.clone(),
            doc_number_key: self.doc_number.as_deref().map(dom::normalise_doc_number),
            issuers: serde_json::to_string(&self.issuers).expect("strings serialise"),
            level: level_str(self.region.level()).to_string(),
            region: self.region,
            published_on: self.published_on.map(iso),
            effective_on: self.effective_on.map(iso),
            expires_on: self.expires_on.map(iso),
            source: self.source.clone(),
            posted_on: self.posted_on.map(iso),
            url: self.url.clone(),
            body: self.body.clone(),
            text_key: dom::text_key(&self.body),
            topics: serde_json::to_string(&self.topics).expect("strings serialise"),
            created_by: by.to_string(),
            created_at: now,
            changed_by: by.to_string(),
            changed_at: now,
        }
    }
}

fn strings(json: &str, what: &str) -> ServiceResult<Vec<String>> {
    serde_json::from_str(json)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("policy {what}: {e}"))))
}

fn duplicate_number() -> ServiceError {
    ServiceError::Taken(FieldViolation::new(
        "doc_number",
        Violation::new(
            "duplicate_doc_number",
            "已有相同文号的政策",
            "a policy with this document number exists",
        ),
    ))
}

fn stale() -> ServiceError {
    ServiceError::Conflict("政策已被他人修改，请刷新后在最新版本上修改".into())
}

impl Services {
    /// Today in Beijing, by the injected clock.
    pub fn today(&self) -> Date {
        self.now().beijing_date()
    }

    fn policy_of(&self, r: PolicyRow) -> ServiceResult<Policy> {
        let fields = PolicyFields {
            issuers: strings(&r.issuers, "issuers")?,
            topics: strings(&r.topics, "topics")?,
            published_on: date_col(&r.published_on, "published_on")?,
            effective_on: date_col(&r.effective_on, "effective_on")?,
            expires_on: date_col(&r.expires_on, "expires_on")?,
            posted_on: date_col(&r.posted_on, "posted_on")?,
            title: r.title,
            doc_number: r.doc_number,
            region: r.region,
            source: r.source,
            url: r.url,
            body: r.body,
        };
        Ok(Policy {
            id: r.id,
            version: r.version,
            level: r.region.level(),
            in_force: dom::in_force(
                fields.published_on,
                fields.effective_on,
                fields.expires_on,
                self.today(),
            ),
            fields,
            created_by: r.created_by,
            created_at: r.created_at,
            changed_by: r.changed_by,
            changed_at: r.changed_at,
        })
    }

    /// Whether `actor` may write policies placed in `region` (for pages that offer the forms).
    pub fn can_manage_policies(actor: &Actor, region: Option<RegionCode>) -> bool {
        match authorize(actor, Action::ManagePolicies) {
            Ok(Scope::All) => true,
            Ok(scope) => region.is_none_or(|r| {
                scope.admits(&Placement {
                    region: Some(r),
                    ..Placement::default()
                })
            }),
            Err(_) => false,
        }
    }

    async fn may_manage_policy(
        &self,
        actor: &Actor,
        region: RegionCode,
        object: &str,
    ) -> ServiceResult<()> {
        authorize(actor, Action::ManagePolicies)?;
        self.scoped(
            actor,
            Action::ManagePolicies,
            &Placement {
                region: Some(region),
                ..Placement::default()
            },
            object,
        )
        .await
    }

    async fn check_region(&self, region: RegionCode) -> ServiceResult<()> {
        if regions::get(self.db(), region).await?.is_none() {
            return Err(ServiceError::invalid(
                "region",
                Violation::new("invalid_region", "行政区划代码不存在", "no such region"),
            ));
        }
        Ok(())
    }

    /// Policies matching `query` (public) and how many match in all: with words, from the
    /// search index (best match first, or newest first when `by_date`), each with highlights;
    /// without, newest first from the database.
    pub async fn policies(
        &self,
        query: &PolicyQuery,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<PolicyHit>, i64)> {
        let today = iso(self.today());
        let Some(q) = trimmed(&query.q) else {
            let filter = store::Filter {
                level: query.level.map(|l| level_str(l).to_string()),
                region: query.region.map(RegionCode::subtree),
                issuer: trimmed(&query.issuer),
                in_force: query.in_force.map(|w| (w, today)),
                year: query.year,
                ..store::Filter::default()
            };
            let (rows, total) = store::list(self.db(), &filter, limit, offset).await?;
            let items = rows
                .into_iter()
                .map(|r| {
                    Ok(PolicyHit {
                        policy: self.policy_of(r)?,
                        highlights: Vec::new(),
                    })
                })
                .collect::<ServiceResult<Vec<_>>>()?;
            return Ok((items, total));
        };
        let search = crate::search::Search {
            q,
            level: query.level.map(|l| level_str(l).to_string()),
            region: query.region.map(RegionCode::subtree),
            issuer: trimmed(&query.issuer),
            in_force: query.in_force.map(|w| (w, today)),
            year: query.year,
            by_date: query.by_date,
            limit: usize::try_from(limit).unwrap_or(0),
            offset: usize::try_from(offset).unwrap_or(0),
        };
        let index = self.policy_index().await?;
        let found = tokio::task::spawn_blocking(move || index.search(&search))
            .await
            .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("search: {e}"))))?
            .map_err(index_error)?;
        let mut rows: std::collections::HashMap<i64, PolicyRow> =
            store::get_many(self.db(), &found.ids)
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
        let mut items = Vec::with_capacity(found.ids.len());
        for id in &found.ids {
            // Written after the index was brought in step: the database's row is the truth.
            let Some(r) = rows.remove(id) else { continue };
            let highlights = found
                .highlighter
                .as_ref()
                .map(|h| h.highlights(r.title.as_deref(), &r.body))
                .unwrap_or_default();
            items.push(PolicyHit {
                policy: self.policy_of(r)?,
                highlights,
            });
        }
        Ok((items, found.total as i64))
    }

    /// Up to `limit` policies related to `policy` (sharing the words of its title and its
    /// issuers, the closest first): the reading view's 相关政策.
    pub async fn related_policies(
        &self,
        policy: &Policy,
        limit: usize,
    ) -> ServiceResult<Vec<Policy>> {
        let Some(title) = policy.fields.title.clone() else {
            return Ok(Vec::new());
        };
        let issuers = policy.fields.issuers.join(" ");
        let id = policy.id;
        let index = self.policy_index().await?;
        let ids = tokio::task::spawn_blocking(move || index.related(id, &title, &issuers, limit))
            .await
            .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("search: {e}"))))?
            .map_err(index_error)?;
        let mut rows: std::collections::HashMap<i64, PolicyRow> = store::get_many(self.db(), &ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        ids.iter()
            .filter_map(|id| rows.remove(id))
            .map(|r| self.policy_of(r))
            .collect()
    }

    /// The search index, opened at first use and brought in step with the database.
    async fn policy_index(&self) -> ServiceResult<std::sync::Arc<crate::search::PolicyIndex>> {
        self.sync_policy_search().await?;
        Ok(self
            .policy_search
            .index
            .get()
            .expect("opened by the sync")
            .clone())
    }

    /// Opens the search index if it is not open and brings it in step with the database:
    /// catches up on the policies written since the generation its last commit reflects, or
    /// rebuilds it when it is missing, unreadable, ahead of the database or of another one.
    /// Called at start and before every search (one small query when nothing changed).
    pub async fn sync_policy_search(&self) -> ServiceResult<SearchSync> {
        use crate::search::{PolicyIndex, Stamp};
        let slot = &self.policy_search;
        let index = slot
            .index
            .get_or_try_init(|| async {
                let dir = slot.dir.clone();
                tokio::task::spawn_blocking(move || PolicyIndex::open(dir.as_deref()))
                    .await
                    .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("search: {e}"))))?
                    .map(std::sync::Arc::new)
                    .map_err(index_error)
            })
            .await?
            .clone();
        let (generation, instance) = store::search_state(self.db()).await?;
        let in_step = |stamp: &Option<Stamp>| {
            stamp.as_ref().is_some_and(|s| {
                s.generation == generation && Some(&s.instance) == instance.as_ref()
            })
        };
        if in_step(&index.stamp()) {
            return Ok(SearchSync {
                rebuilt: false,
                indexed: 0,
                generation,
            });
        }
        let _one = slot.syncing.lock().await;
        // Read again under the lock: another request may have caught up meanwhile.
        let (generation, instance) = store::search_state(self.db()).await?;
        let stamp = index.stamp();
        if in_step(&stamp) {
            return Ok(SearchSync {
                rebuilt: false,
                indexed: 0,
                generation,
            });
        }
        let instance = match instance {
            Some(i) => i,
            None => {
                let token: String = {
                    use rand::Rng;
                    let mut rng = rand::thread_rng();
                    (0..16)
                        .map(|_| format!("{:02x}", rng.gen::<u8>()))
                        .collect()
                };
                store::claim_search_instance(self.db(), &token).await?
            }
        };
        let since = match &stamp {
            Some(s) if s.instance == instance && s.generation <= generation => s.generation,
            _ => 0,
        };
        let rebuilt = since == 0;
        // Every row stamped after `since`, in pages; each page committed stamped with the
        // generation read before it, except the last, stamped with `generation` (a write
        // committed after that read carries a later stamp and is caught up next time).
        let mut after_id = 0;
        let mut indexed = 0;
        let mut first = true;
        loop {
            let rows = store::stamped_after(self.db(), since, after_id, 2_000).await?;
            let last = rows.len() < 2_000;
            after_id = rows.last().map_or(after_id, |r| r.id);
            let entries = rows.iter().map(entry).collect::<ServiceResult<Vec<_>>>()?;
            indexed += entries.len();
            // Pages before the last keep the old stamp: a crash midway leaves an index that
            // says it is behind.
            let page_stamp = if last {
                Stamp {
                    generation,
                    instance: instance.clone(),
                }
            } else {
                Stamp {
                    generation: since,
                    instance: if rebuilt {
                        String::new()
                    } else {
                        instance.clone()
                    },
                }
            };
            let scratch = rebuilt && first;
            let target = index.clone();
            tokio::task::spawn_blocking(move || target.write(&entries, scratch, page_stamp))
                .await
                .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("search: {e}"))))?
                .map_err(index_error)?;
            first = false;
            if last {
                break;
            }
        }
        if indexed > 0 || rebuilt {
            tracing::info!(rebuilt, indexed, generation, "policy search index in step");
        }
        Ok(SearchSync {
            rebuilt,
            indexed,
            generation,
        })
    }

    /// The policies that apply in `region`: its own and those of every region above it.
    pub async fn policies_applying_in(
        &self,
        region: RegionCode,
        limit: i64,
    ) -> ServiceResult<Vec<Policy>> {
        let filter = store::Filter {
            regions_any: region.self_and_ancestors().collect(),
            ..store::Filter::default()
        };
        let (rows, _) = store::list(self.db(), &filter, limit, 0).await?;
        rows.into_iter().map(|r| self.policy_of(r)).collect()
    }

    /// One policy (public) with its attachments and versions.
    pub async fn policy(&self, id: i64) -> ServiceResult<PolicyDetail> {
        let row = store::get(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let attachments = store::attachments(self.db(), id).await?;
        let versions = store::versions(self.db(), id)
            .await?
            .into_iter()
            .map(|v| (v.version, v.changed_by, v.changed_at))
            .collect();
        Ok(PolicyDetail {
            policy: self.policy_of(row)?,
            attachments,
            versions,
        })
    }

    /// Adds a policy (409 `duplicate_doc_number` when its own 文号 is taken).
    pub async fn create_policy(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        fields: PolicyFields,
    ) -> ServiceResult<PolicyDetail> {
        self.may_manage_policy(actor, fields.region, "policy:new")
            .await?;
        let fields = fields.checked().map_err(ServiceError::Invalid)?;
        self.check_region(fields.region).await?;
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = match self.insert_policy(&tx, &fields, &actor.username, now).await {
            Err(ServiceError::Store(StoreError::Unique { .. })) => return Err(duplicate_number()),
            other => other?,
        };
        record(
            &tx,
            ctx,
            Some(actor),
            "policy.create",
            &format!("policy:{id}"),
            "ok",
            json!({"version": 1, "doc_number": fields.doc_number, "title": fields.title}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.policy(id).await
    }

    async fn insert_policy(
        &self,
        tx: &zhichan_store::Tx,
        fields: &PolicyFields,
        by: &str,
        now: Timestamp,
    ) -> ServiceResult<i64> {
        let id = store::insert(tx, &fields.row(0, by, now)).await?;
        store::touch_for_search(tx, id).await?;
        let document = serde_json::to_string(fields).expect("fields serialise");
        store::insert_version(tx, id, 1, &document, by, now).await?;
        Ok(id)
    }

    /// Saves a policy's new fields from version `based_on` (the newest: 409 otherwise) as the
    /// next version. Moving it to another region needs the right to both.
    pub async fn edit_policy(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        based_on: i64,
        fields: PolicyFields,
    ) -> ServiceResult<PolicyDetail> {
        authorize(actor, Action::ManagePolicies)?;
        let current = store::get(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let object = format!("policy:{id}");
        self.may_manage_policy(actor, current.region, &object)
            .await?;
        if fields.region != current.region {
            self.may_manage_policy(actor, fields.region, &object)
                .await?;
        }
        if current.version != based_on {
            return Err(stale());
        }
        let fields = fields.checked().map_err(ServiceError::Invalid)?;
        self.check_region(fields.region).await?;
        let now = self.now();
        let tx = self.db().begin().await?;
        let changed =
            match store::update(&tx, based_on, &fields.row(id, &actor.username, now)).await {
                Err(StoreError::Unique { .. }) => return Err(duplicate_number()),
                other => other?,
            };
        if changed == 0 {
            return Err(stale());
        }
        store::touch_for_search(&tx, id).await?;
        let version = based_on + 1;
        let document = serde_json::to_string(&fields).expect("fields serialise");
        store::insert_version(&tx, id, version, &document, &actor.username, now).await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "policy.edit",
            &object,
            "ok",
            json!({"version": version, "doc_number": fields.doc_number, "title": fields.title}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.policy(id).await
    }

    /// Reads `text` for policies and, unless `preview`, saves those not already in the library,
    /// placed in `region`. A policy already there (same own 文号, or the same text) is reported,
    /// never saved twice.
    pub async fn import_policies(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        text: &str,
        region: RegionCode,
        preview: bool,
    ) -> ServiceResult<Vec<ImportOutcome>> {
        self.may_manage_policy(actor, region, "policy:import")
            .await?;
        self.check_region(region).await?;
        let found = dom::extract(text);
        if found.is_empty() {
            return Err(ServiceError::invalid(
                "file",
                Violation::new(
                    "empty_file",
                    "文件中没有可导入的文字",
                    "the file holds no text",
                ),
            ));
        }
        self.import_extracted(Some(actor), ctx, &actor.username, found, region, preview)
            .await
    }

    /// Imports on the server itself (the command line and the demo), as the operator.
    pub async fn import_policies_as_operator(
        &self,
        ctx: &Ctx,
        text: &str,
        region: RegionCode,
    ) -> ServiceResult<Vec<ImportOutcome>> {
        self.check_region(region).await?;
        self.import_extracted(None, ctx, "zhichan", dom::extract(text), region, false)
            .await
    }

    async fn import_extracted(
        &self,
        actor: Option<&Actor>,
        ctx: &Ctx,
        by: &str,
        found: Vec<ExtractedPolicy>,
        region: RegionCode,
        preview: bool,
    ) -> ServiceResult<Vec<ImportOutcome>> {
        let gazetteer = Gazetteer::new(regions::names(self.db()).await?);
        let now = self.now();
        let tx = self.db().begin().await?;
        let mut out = Vec::new();
        let mut refused = Vec::new();
        for (i, mut extracted) in found.into_iter().enumerate() {
            let placed = place(&gazetteer, &mut extracted, region);
            let fields = PolicyFields::from_extracted(&extracted, placed);
            let mut errors = Vec::new();
            if actor.is_some_and(|a| !Self::can_manage_policies(a, Some(placed))) {
                errors.push(violation(
                    "region",
                    "out_of_scope",
                    &format!(
                        "按发文机关应属{}，不在您的管辖范围内，请由该地区或上级的管理员导入",
                        gazetteer.name(placed).unwrap_or("其他地区")
                    ),
                    "placed by its issuer outside your region",
                ));
            }
            let checked = match fields.checked() {
                Ok(f) => Some(f),
                Err(v) => {
                    errors.extend(v);
                    None
                }
            };
            let body = checked.as_ref().map_or("", |f| f.body.as_str());
            let key = checked
                .as_ref()
                .and_then(|f| f.doc_number.as_deref())
                .map(dom::normalise_doc_number);
            let duplicate = store::find_duplicate(&tx, key.as_deref(), &dom::text_key(body))
                .await?
                .map(|p| p.id);
            let mut saved = None;
            if duplicate.is_none() && !errors.is_empty() {
                refused.extend(errors.iter().map(|e| FieldViolation {
                    field: format!("items[{i}].{}", e.field),
                    ..e.clone()
                }));
            }
            if let (false, None, true, Some(fields)) =
                (preview, duplicate, errors.is_empty(), checked)
            {
                let id = self.insert_policy(&tx, &fields, by, now).await?;
                record(
                    &tx,
                    ctx,
                    actor,
                    "policy.import",
                    &format!("policy:{id}"),
                    "ok",
                    json!({"doc_number": fields.doc_number, "title": fields.title}),
                    now,
                )
                .await?;
                saved = Some(id);
            }
            out.push(ImportOutcome {
                extracted,
                region: placed,
                errors,
                duplicate_of: duplicate,
                saved,
            });
        }
        if preview {
            tx.rollback().await?;
        } else if !refused.is_empty() {
            // Nothing is saved when one of them cannot be: the preview named what to fix.
            tx.rollback().await?;
            return Err(ServiceError::Invalid(refused));
        } else {
            tx.commit().await?;
        }
        Ok(out)
    }

    /// Keeps a file with a policy; its id. The type it is served as comes from its own bytes.
    pub async fn add_policy_attachment(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        name: &str,
        data: &[u8],
    ) -> ServiceResult<i64> {
        authorize(actor, Action::ManagePolicies)?;
        let current = store::get(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let object = format!("policy:{id}");
        self.may_manage_policy(actor, current.region, &object)
            .await?;
        let name: String = name
            .trim()
            .chars()
            .filter(|c| {
                !zhichan_domain::validation::is_hidden_control(*c) && !matches!(c, '/' | '\\' | '"')
            })
            .collect();
        // Cut before the extension, so that a long name still opens as what it is.
        let name = zhichan_domain::validation::shorten_file_name(&name, 200);
        if name.is_empty() {
            return Err(ServiceError::invalid(
                "file",
                Violation::new("required", "请选择附件文件", "a file is required"),
            ));
        }
        if data.is_empty() {
            return Err(ServiceError::invalid(
                "file",
                Violation::new("empty_file", "附件是空文件", "the file is empty"),
            ));
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        let aid = store::add_attachment(
            &tx,
            id,
            &name,
            attachment_type(data),
            data,
            &actor.username,
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "policy.attach",
            &object,
            "ok",
            json!({"attachment": aid, "name": name, "size": data.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(aid)
    }

    /// An attachment's name, served type and bytes (public, as the policy is).
    pub async fn policy_attachment(
        &self,
        id: i64,
        attachment: i64,
    ) -> ServiceResult<(String, String, Vec<u8>)> {
        store::attachment_data(self.db(), id, attachment)
            .await?
            .ok_or(ServiceError::NotFound)
    }
}
