//! The policy library (政策库): each policy as it stands, every saved version, attachments.
//! Dates are `YYYY-MM-DD` text, which sorts and compares in date order on both engines.

use crate::db::{DbRow, Exec, FromDbRow, Param, Sql};
use crate::users::ts;
use crate::StoreError;
use zhichan_domain::{RegionCode, Timestamp};

/// A policy's fields as stored. `issuers` and `topics` are JSON arrays of strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRow {
    pub id: i64,
    pub version: i64,
    pub title: Option<String>,
    pub doc_number: Option<String>,
    pub doc_number_key: Option<String>,
    pub issuers: String,
    pub level: String,
    pub region: RegionCode,
    pub published_on: Option<String>,
    pub effective_on: Option<String>,
    pub expires_on: Option<String>,
    pub source: Option<String>,
    pub posted_on: Option<String>,
    pub url: Option<String>,
    pub body: String,
    pub text_key: String,
    pub topics: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub changed_by: String,
    pub changed_at: Timestamp,
}

const COLUMNS: &str = "id, version, title, doc_number, doc_number_key, issuers, level, region, \
                       published_on, effective_on, expires_on, source, posted_on, url, body, \
                       text_key, topics, created_by, created_at, changed_by, changed_at";

impl FromDbRow for PolicyRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let region: i64 = row.get("region")?;
        Ok(PolicyRow {
            id: row.get("id")?,
            version: row.get("version")?,
            title: row.get("title")?,
            doc_number: row.get("doc_number")?,
            doc_number_key: row.get("doc_number_key")?,
            issuers: row.get("issuers")?,
            level: row.get("level")?,
            region: u32::try_from(region)
                .ok()
                .and_then(RegionCode::from_u32)
                .ok_or_else(|| StoreError::Corrupt(format!("policy region {region}")))?,
            published_on: row.get("published_on")?,
            effective_on: row.get("effective_on")?,
            expires_on: row.get("expires_on")?,
            source: row.get("source")?,
            posted_on: row.get("posted_on")?,
            url: row.get("url")?,
            body: row.get("body")?,
            text_key: row.get("text_key")?,
            topics: row.get("topics")?,
            created_by: row.get("created_by")?,
            created_at: ts(row, "created_at")?,
            changed_by: row.get("changed_by")?,
            changed_at: ts(row, "changed_at")?,
        })
    }
}

/// Inserts a policy at version 1 (its `id` and `version` are ignored); its id.
pub async fn insert(ex: &impl Exec, p: &PolicyRow) -> Result<i64, StoreError> {
    ex.fetch_one(bind_fields(
        Sql::new(
            "INSERT INTO policies (title, doc_number, doc_number_key, issuers, level, region, \
             published_on, effective_on, expires_on, source, posted_on, url, body, text_key, \
             topics, changed_by, changed_at, version, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             1, $16, $17) RETURNING id",
        ),
        p,
    ))
    .await
}

/// Replaces a policy's fields when it is still at `based_on`, moving it to the next version;
/// the rows changed (0 when someone saved in between).
pub async fn update(ex: &impl Exec, based_on: i64, p: &PolicyRow) -> Result<u64, StoreError> {
    ex.execute(
        bind_fields(
            Sql::new(
                "UPDATE policies SET title = $1, doc_number = $2, doc_number_key = $3, \
                 issuers = $4, level = $5, region = $6, published_on = $7, effective_on = $8, \
                 expires_on = $9, source = $10, posted_on = $11, url = $12, body = $13, \
                 text_key = $14, topics = $15, changed_by = $16, changed_at = $17, \
                 version = version + 1 WHERE id = $18 AND version = $19",
            ),
            p,
        )
        .bind(p.id)
        .bind(based_on),
    )
    .await
}

fn bind_fields(sql: Sql, p: &PolicyRow) -> Sql {
    sql.bind(p.title.clone())
        .bind(p.doc_number.clone())
        .bind(p.doc_number_key.clone())
        .bind(p.issuers.as_str())
        .bind(p.level.as_str())
        .bind(p.region)
        .bind(p.published_on.clone())
        .bind(p.effective_on.clone())
        .bind(p.expires_on.clone())
        .bind(p.source.clone())
        .bind(p.posted_on.clone())
        .bind(p.url.clone())
        .bind(p.body.as_str())
        .bind(p.text_key.as_str())
        .bind(p.topics.as_str())
        .bind(p.changed_by.as_str())
        .bind(p.changed_at)
}

/// Keeps a version as saved.
pub async fn insert_version(
    ex: &impl Exec,
    policy_id: i64,
    version: i64,
    document: &str,
    by: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO policy_versions (policy_id, version, document, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(policy_id)
        .bind(version)
        .bind(document)
        .bind(by)
        .bind(at),
    )
    .await?;
    Ok(())
}

/// One saved version: number, JSON document, who, when.
#[derive(Clone, Debug)]
pub struct VersionRow {
    pub version: i64,
    pub document: String,
    pub changed_by: String,
    pub changed_at: Timestamp,
}

impl FromDbRow for VersionRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(VersionRow {
            version: row.get("version")?,
            document: row.get("document")?,
            changed_by: row.get("changed_by")?,
            changed_at: ts(row, "changed_at")?,
        })
    }
}

/// Every version of a policy, newest first.
pub async fn versions(ex: &impl Exec, policy_id: i64) -> Result<Vec<VersionRow>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT version, document, changed_by, changed_at FROM policy_versions \
             WHERE policy_id = $1 ORDER BY version DESC",
        )
        .bind(policy_id),
    )
    .await
}

pub async fn get(ex: &impl Exec, id: i64) -> Result<Option<PolicyRow>, StoreError> {
    ex.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM policies WHERE id = $1")).bind(id))
        .await
}

/// The policy an import would duplicate: the one with the same own 文号 (normalised) or,
/// when the import has none, the same normalised text.
pub async fn find_duplicate(
    ex: &impl Exec,
    doc_number_key: Option<&str>,
    text_key: &str,
) -> Result<Option<PolicyRow>, StoreError> {
    let sql = match doc_number_key {
        Some(k) => Sql::new(format!(
            "SELECT {COLUMNS} FROM policies WHERE doc_number_key = $1 ORDER BY id LIMIT 1"
        ))
        .bind(k),
        None => Sql::new(format!(
            "SELECT {COLUMNS} FROM policies WHERE text_key = $1 ORDER BY id LIMIT 1"
        ))
        .bind(text_key),
    };
    ex.fetch_optional(sql).await
}

/// What a list asks for. Empty fields do not filter.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub level: Option<String>,
    /// The region subtree `[lo, hi]`.
    pub region: Option<(u32, u32)>,
    /// The regions a policy may belong to (a region and those above it), for "what applies here".
    pub regions_any: Vec<RegionCode>,
    /// A fragment of an issuer's name.
    pub issuer: Option<String>,
    /// In force (or not) on the day given.
    pub in_force: Option<(bool, String)>,
    pub year: Option<i32>,
    /// Words that must each appear in the title, 文号 or body (a plain database search).
    pub words: Vec<String>,
    /// Normalised 文号 fragment: matches the stored key.
    pub doc_number: Option<String>,
}

fn like(s: &str) -> String {
    format!("%{}%", s.replace(['%', '_', '\\'], ""))
}

/// Policies matching `filter`, newest published first, and how many match in all.
pub async fn list(
    ex: &impl Exec,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PolicyRow>, i64), StoreError> {
    let mut clauses: Vec<String> = vec!["1 = 1".into()];
    let mut params: Vec<Param> = Vec::new();
    let next = |p: Param, params: &mut Vec<Param>| {
        params.push(p);
        format!("${}", params.len())
    };
    if let Some(level) = &filter.level {
        let n = next(level.clone().into(), &mut params);
        clauses.push(format!("level = {n}"));
    }
    if let Some((lo, hi)) = filter.region {
        let a = next(lo.into(), &mut params);
        let b = next(hi.into(), &mut params);
        clauses.push(format!("region BETWEEN {a} AND {b}"));
    }
    if !filter.regions_any.is_empty() {
        let list: Vec<String> = filter
            .regions_any
            .iter()
            .map(|r| next((*r).into(), &mut params))
            .collect();
        clauses.push(format!("region IN ({})", list.join(", ")));
    }
    if let Some(issuer) = &filter.issuer {
        let n = next(like(issuer).into(), &mut params);
        clauses.push(format!("issuers LIKE {n}"));
    }
    if let Some((wanted, today)) = &filter.in_force {
        let a = next(today.clone().into(), &mut params);
        let b = next(today.clone().into(), &mut params);
        let inside = format!(
            "(COALESCE(effective_on, published_on, '0000-01-01') <= {a} \
             AND COALESCE(expires_on, '9999-12-31') >= {b})"
        );
        clauses.push(if *wanted {
            inside
        } else {
            format!("NOT {inside}")
        });
    }
    if let Some(year) = filter.year {
        let a = next(format!("{year:04}-01-01").into(), &mut params);
        let b = next(format!("{year:04}-12-31").into(), &mut params);
        clauses.push(format!("published_on BETWEEN {a} AND {b}"));
    }
    for w in &filter.words {
        let a = next(like(w).into(), &mut params);
        let b = next(like(w).into(), &mut params);
        let c = next(like(w).into(), &mut params);
        clauses.push(format!(
            "(COALESCE(title, '') LIKE {a} OR COALESCE(doc_number, '') LIKE {b} OR body LIKE {c})"
        ));
    }
    if let Some(number) = &filter.doc_number {
        let n = next(like(number).into(), &mut params);
        clauses.push(format!("doc_number_key LIKE {n}"));
    }
    let filter_sql = clauses.join(" AND ");
    let mut rows = Sql::new(format!(
        "SELECT {COLUMNS} FROM policies WHERE {filter_sql} \
         ORDER BY COALESCE(published_on, posted_on, '0000-01-01') DESC, id DESC \
         LIMIT ${} OFFSET ${}",
        params.len() + 1,
        params.len() + 2
    ));
    let mut count = Sql::new(format!("SELECT COUNT(*) FROM policies WHERE {filter_sql}"));
    for p in params {
        rows.push_param(p.clone());
        count.push_param(p);
    }
    rows.push_param(limit);
    rows.push_param(offset);
    let list = ex.fetch_all(rows).await?;
    let total = ex.fetch_one(count).await?;
    Ok((list, total))
}

/// An attachment's description (without its bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentRow {
    pub id: i64,
    pub policy_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub added_by: String,
    pub added_at: Timestamp,
}

impl FromDbRow for AttachmentRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(AttachmentRow {
            id: row.get("id")?,
            policy_id: row.get("policy_id")?,
            name: row.get("name")?,
            content_type: row.get("content_type")?,
            size: row.get("size")?,
            added_by: row.get("added_by")?,
            added_at: ts(row, "added_at")?,
        })
    }
}

pub async fn add_attachment(
    ex: &impl Exec,
    policy_id: i64,
    name: &str,
    content_type: &str,
    data: &[u8],
    by: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO policy_attachments (policy_id, name, content_type, size, data, added_by, \
             added_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(policy_id)
        .bind(name)
        .bind(content_type)
        .bind(data.len() as i64)
        .bind(data.to_vec())
        .bind(by)
        .bind(at),
    )
    .await
}

pub async fn attachments(ex: &impl Exec, policy_id: i64) -> Result<Vec<AttachmentRow>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT id, policy_id, name, content_type, size, added_by, added_at \
             FROM policy_attachments WHERE policy_id = $1 ORDER BY id",
        )
        .bind(policy_id),
    )
    .await
}

/// An attachment's name, type and bytes.
pub async fn attachment_data(
    ex: &impl Exec,
    policy_id: i64,
    id: i64,
) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
    struct Data(String, String, Vec<u8>);
    impl FromDbRow for Data {
        fn from_row(row: &DbRow) -> Result<Self, StoreError> {
            Ok(Data(
                row.get("name")?,
                row.get("content_type")?,
                row.get("data")?,
            ))
        }
    }
    let d: Option<Data> = ex
        .fetch_optional(
            Sql::new(
                "SELECT name, content_type, data FROM policy_attachments \
                 WHERE policy_id = $1 AND id = $2",
            )
            .bind(policy_id)
            .bind(id),
        )
        .await?;
    Ok(d.map(|d| (d.0, d.1, d.2)))
}

/// The search index's bookkeeping: the policy-write generation and the database's instance
/// token (`None` until first asked for).
pub async fn search_state(ex: &impl Exec) -> Result<(i64, Option<String>), StoreError> {
    struct State(i64, Option<String>);
    impl FromDbRow for State {
        fn from_row(row: &DbRow) -> Result<Self, StoreError> {
            Ok(State(row.get("generation")?, row.get("instance")?))
        }
    }
    let s: State = ex
        .fetch_one(Sql::new(
            "SELECT generation, instance FROM policy_search_state WHERE id = 1",
        ))
        .await?;
    Ok((s.0, s.1))
}

/// Gives the database its instance token unless it has one; the token it has.
pub async fn claim_search_instance(ex: &impl Exec, token: &str) -> Result<String, StoreError> {
    ex.execute(
        Sql::new("UPDATE policy_search_state SET instance = $1 WHERE id = 1 AND instance IS NULL")
            .bind(token),
    )
    .await?;
    Ok(search_state(ex)
        .await?
        .1
        .unwrap_or_else(|| token.to_string()))
}

/// Bumps the generation and stamps policy `id` with it, in the caller's transaction (which
/// also serialises concurrent policy writes on the one state row); the new generation.
pub async fn touch_for_search(ex: &impl Exec, id: i64) -> Result<i64, StoreError> {
    let generation: i64 = ex
        .fetch_one(Sql::new(
            "UPDATE policy_search_state SET generation = generation + 1 WHERE id = 1 \
             RETURNING generation",
        ))
        .await?;
    ex.execute(
        Sql::new("UPDATE policies SET search_generation = $1 WHERE id = $2")
            .bind(generation)
            .bind(id),
    )
    .await?;
    Ok(generation)
}

/// Policies stamped after generation `since`, by id after `after_id`, at most `limit`.
pub async fn stamped_after(
    ex: &impl Exec,
    since: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<PolicyRow>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM policies WHERE search_generation > $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        ))
        .bind(since)
        .bind(after_id)
        .bind(limit),
    )
    .await
}

/// The policies with these ids (in no particular order).
pub async fn get_many(ex: &impl Exec, ids: &[i64]) -> Result<Vec<PolicyRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM policies WHERE id IN ({})",
        marks.join(", ")
    ));
    for id in ids {
        sql.push_param(*id);
    }
    ex.fetch_all(sql).await
}
