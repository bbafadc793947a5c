//! Rules officials keep as versioned data (identification methods 评价方法, award rules 奖补规则,
//! and whatever comes next): each rule has a row of its own and numbered versions, drafts until
//! published; a published version is never edited (each kind's triggers refuse it too), a change
//! is a new version. Every kind has the same two tables under its own names, so the statements
//! are written once here and each kind names its [`Tables`].

use crate::db::{DbRow, Exec, FromDbRow, Param, Sql};
use crate::users::{ts, ts_opt};
use crate::StoreError;
use zhichan_domain::Timestamp;

/// A kind of rule: its table (`id`, `created_by`, `created_at` and whatever the kind adds) and
/// its versions table (keyed by `key` and `version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tables {
    pub rules: &'static str,
    pub versions: &'static str,
    pub key: &'static str,
}

pub const IDENTIFICATION_METHODS: Tables = Tables {
    rules: "identification_methods",
    versions: "identification_method_versions",
    key: "method_id",
};

pub const AWARD_RULES: Tables = Tables {
    rules: "award_rules",
    versions: "award_rule_versions",
    key: "rule_id",
};

/// One version of a rule, its body the rule as JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredVersion {
    pub rule_id: i64,
    pub version: i64,
    /// `draft` or `published`.
    pub status: String,
    pub name: String,
    pub body: String,
    pub changed_by: String,
    pub changed_at: Timestamp,
    pub published_by: Option<String>,
    pub published_at: Option<Timestamp>,
}

impl StoredVersion {
    pub fn published(&self) -> bool {
        self.status == "published"
    }
}

impl FromDbRow for StoredVersion {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(StoredVersion {
            rule_id: row.get("rule_id")?,
            version: row.get("version")?,
            status: row.get("status")?,
            name: row.get("name")?,
            body: row.get("body")?,
            changed_by: row.get("changed_by")?,
            changed_at: ts(row, "changed_at")?,
            published_by: row.get("published_by")?,
            published_at: ts_opt(row, "published_at")?,
        })
    }
}

/// A condition on a rule's own row (its columns as `r.…`, its placeholders from `$1`), e.g. the
/// region of an award rule.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub sql: Option<String>,
    pub params: Vec<Param>,
}

impl Filter {
    pub fn new(sql: impl Into<String>, params: Vec<Param>) -> Filter {
        Filter {
            sql: Some(sql.into()),
            params,
        }
    }
}

/// `SELECT … FROM versions v JOIN rules r WHERE <filter> AND <rest>`: the filter's placeholders
/// keep their numbers, `rest`'s (written from `$1`) follow them.
fn select(t: &Tables, filter: &Filter, rest: &str, order: &str) -> Sql {
    let shift = filter.params.len();
    let mut rest = rest.to_string();
    for i in (1..=9).rev() {
        rest = rest.replace(&format!("${i}"), &format!("${}", i + shift));
    }
    let Tables {
        rules,
        versions,
        key,
    } = t;
    let mut sql = Sql::new(format!(
        "SELECT v.{key} AS rule_id, v.version, v.status, v.name, v.body, v.changed_by, \
         v.changed_at, v.published_by, v.published_at \
         FROM {versions} v JOIN {rules} r ON r.id = v.{key} WHERE {} AND {rest} {order}",
        filter.sql.as_deref().unwrap_or("1 = 1"),
    ));
    for p in &filter.params {
        sql.push_param(p.clone());
    }
    sql
}

/// Creates a rule (with `columns` of its own row, such as its region) and its first version as
/// a draft; its id.
pub async fn create(
    ex: &impl Exec,
    t: &Tables,
    columns: &[(&str, Param)],
    name: &str,
    body: &str,
    by: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    let n = columns.len();
    let marks: Vec<String> = (1..=n + 2).map(|i| format!("${i}")).collect();
    let mut sql = Sql::new(format!(
        "INSERT INTO {} ({}created_by, created_at) VALUES ({}) RETURNING id",
        t.rules,
        names.iter().map(|c| format!("{c}, ")).collect::<String>(),
        marks.join(", ")
    ));
    for (_, p) in columns {
        sql.push_param(p.clone());
    }
    let id: i64 = ex.fetch_one(sql.bind(by).bind(now)).await?;
    insert_version(ex, t, id, 1, name, body, by, now).await?;
    Ok(id)
}

/// Adds `version` of a rule as a draft ([`StoreError::Unique`] when it exists already).
#[allow(clippy::too_many_arguments)]
pub async fn insert_version(
    ex: &impl Exec,
    t: &Tables,
    rule_id: i64,
    version: i64,
    name: &str,
    body: &str,
    by: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(format!(
            "INSERT INTO {} ({}, version, status, name, body, changed_by, changed_at) \
             VALUES ($1, $2, 'draft', $3, $4, $5, $6)",
            t.versions, t.key
        ))
        .bind(rule_id)
        .bind(version)
        .bind(name)
        .bind(body)
        .bind(by)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Replaces a draft's body; the rows changed (0 when the version is not a draft).
#[allow(clippy::too_many_arguments)]
pub async fn update_draft(
    ex: &impl Exec,
    t: &Tables,
    rule_id: i64,
    version: i64,
    name: &str,
    body: &str,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(format!(
            "UPDATE {} SET name = $1, body = $2, changed_by = $3, changed_at = $4 \
             WHERE {} = $5 AND version = $6 AND status = 'draft'",
            t.versions, t.key
        ))
        .bind(name)
        .bind(body)
        .bind(by)
        .bind(now)
        .bind(rule_id)
        .bind(version),
    )
    .await
}

/// Publishes a draft; the rows changed (0 when the version is not a draft).
pub async fn publish(
    ex: &impl Exec,
    t: &Tables,
    rule_id: i64,
    version: i64,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(format!(
            "UPDATE {} SET status = 'published', published_by = $1, published_at = $2 \
             WHERE {} = $3 AND version = $4 AND status = 'draft'",
            t.versions, t.key
        ))
        .bind(by)
        .bind(now)
        .bind(rule_id)
        .bind(version),
    )
    .await
}

/// Every version of a rule, newest first.
pub async fn versions(
    ex: &impl Exec,
    t: &Tables,
    rule_id: i64,
) -> Result<Vec<StoredVersion>, StoreError> {
    let key = t.key;
    ex.fetch_all(
        select(
            t,
            &Filter::default(),
            &format!("v.{key} = $1"),
            "ORDER BY v.version DESC",
        )
        .bind(rule_id),
    )
    .await
}

fn newest(t: &Tables, published: bool) -> String {
    let only = if published {
        " AND w.status = 'published'"
    } else {
        ""
    };
    format!(
        "v.version = (SELECT MAX(w.version) FROM {} w WHERE w.{key} = v.{key}{only})",
        t.versions,
        key = t.key
    )
}

/// The newest version of every rule the filter lets through, newest rule first: one page
/// (`limit`, `offset`; all without), and how many rules there are in all.
pub async fn latest_of_each(
    ex: &impl Exec,
    t: &Tables,
    filter: &Filter,
    page: Option<(i64, i64)>,
) -> Result<(Vec<StoredVersion>, i64), StoreError> {
    let rest = newest(t, false);
    let order = format!("ORDER BY v.{} DESC", t.key);
    let rows = match page {
        Some((limit, offset)) => {
            let n = filter.params.len();
            let paged = format!("{order} LIMIT ${} OFFSET ${}", n + 1, n + 2);
            ex.fetch_all(select(t, filter, &rest, &paged).bind(limit).bind(offset))
                .await?
        }
        None => ex.fetch_all(select(t, filter, &rest, &order)).await?,
    };
    let total = match page {
        None => rows.len() as i64,
        Some(_) => {
            let mut sql = Sql::new(format!(
                "SELECT COUNT(*) FROM {} r WHERE {}",
                t.rules,
                filter.sql.as_deref().unwrap_or("1 = 1")
            ));
            for p in &filter.params {
                sql.push_param(p.clone());
            }
            ex.fetch_one(sql).await?
        }
    };
    Ok((rows, total))
}

/// The newest published version of every rule the filter lets through, oldest rule first.
pub async fn published(
    ex: &impl Exec,
    t: &Tables,
    filter: &Filter,
) -> Result<Vec<StoredVersion>, StoreError> {
    ex.fetch_all(select(
        t,
        filter,
        &format!("v.status = 'published' AND {}", newest(t, true)),
        &format!("ORDER BY v.{}", t.key),
    ))
    .await
}

/// The newest version of the newest rule with that name, if any (to load a rule once).
pub async fn by_name(
    ex: &impl Exec,
    t: &Tables,
    name: &str,
) -> Result<Option<StoredVersion>, StoreError> {
    ex.fetch_optional(
        select(
            t,
            &Filter::default(),
            "v.name = $1",
            &format!("ORDER BY v.{} DESC, v.version DESC LIMIT 1", t.key),
        )
        .bind(name),
    )
    .await
}
