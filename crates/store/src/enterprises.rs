//! Enterprise profiles, their qualifications and their versions.

use crate::db::{DbRow, Exec, FromDbRow, Param, Sql};
use crate::users::{region_opt, ts};
use crate::StoreError;
use zhichan_domain::enterprises::{
    format_date, parse_date, Ownership, Qualification, QualificationKind, QualificationLevel,
    QualificationReview, Scale,
};
use zhichan_domain::{IndustryCode, RegionCode, Timestamp};

/// A stored profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enterprise {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub region: RegionCode,
    pub address: String,
    pub scale: Scale,
    pub ownership: Ownership,
    pub industry: IndustryCode,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub qualifications: Vec<Qualification>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

fn corrupt(what: &str, v: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {v}"))
}

impl FromDbRow for Enterprise {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let scale: String = row.get("scale")?;
        let ownership: String = row.get("ownership")?;
        let industry: String = row.get("industry")?;
        Ok(Enterprise {
            id: row.get("id")?,
            credit_code: row.get("credit_code")?,
            name: row.get("name")?,
            region: region_opt(row, "region")?.ok_or_else(|| corrupt("region", "null"))?,
            address: row.get("address")?,
            scale: Scale::parse(&scale).map_err(|_| corrupt("scale", &scale))?,
            ownership: Ownership::parse(&ownership)
                .map_err(|_| corrupt("ownership", &ownership))?,
            industry: IndustryCode::parse(&industry).map_err(|_| corrupt("industry", &industry))?,
            contact_name: row.get("contact_name")?,
            contact_phone: row.get("contact_phone")?,
            contact_email: row.get("contact_email")?,
            qualifications: Vec::new(),
            created_at: ts(row, "created_at")?,
            updated_at: ts(row, "updated_at")?,
            version: row.get("version")?,
        })
    }
}

struct QualRow(i64, Qualification);

impl FromDbRow for QualRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let kind: String = row.get("kind")?;
        let level: String = row.get("level")?;
        let review: String = row.get("review")?;
        let date = |col: &str| -> Result<Option<time::Date>, StoreError> {
            let t: Option<String> = row.get(col)?;
            t.map(|t| parse_date(&t).ok_or_else(|| corrupt(col, &t)))
                .transpose()
        };
        Ok(QualRow(
            row.get("enterprise_id")?,
            Qualification {
                kind: QualificationKind::parse(&kind).map_err(|_| corrupt("kind", &kind))?,
                level: QualificationLevel::parse(&level).map_err(|_| corrupt("level", &level))?,
                valid_from: date("valid_from")?,
                valid_to: date("valid_to")?,
                certificate: row.get("certificate")?,
                review: QualificationReview::parse(&review)
                    .map_err(|_| corrupt("review", &review))?,
                review_reason: row.get("review_reason")?,
            },
        ))
    }
}

const COLUMNS: &str = "id, credit_code, name, region, address, scale, ownership, industry, \
    contact_name, contact_phone, contact_email, created_at, updated_at, version";

/// Loads the qualifications of the given profiles in one query.
async fn with_qualifications(
    ex: &impl Exec,
    mut list: Vec<Enterprise>,
) -> Result<Vec<Enterprise>, StoreError> {
    if list.is_empty() {
        return Ok(list);
    }
    let marks: Vec<String> = (1..=list.len()).map(|i| format!("${i}")).collect();
    let mut sql = Sql::new(format!(
        "SELECT enterprise_id, kind, level, valid_from, valid_to, certificate, review, \
         review_reason FROM enterprise_qualifications WHERE enterprise_id IN ({}) ORDER BY kind, level",
        marks.join(", ")
    ));
    for e in &list {
        sql.push_param(e.id);
    }
    let quals: Vec<QualRow> = ex.fetch_all(sql).await?;
    for QualRow(id, q) in quals {
        if let Some(e) = list.iter_mut().find(|e| e.id == id) {
            e.qualifications.push(q);
        }
    }
    Ok(list)
}

/// The qualifications in a review state of the given enterprises, in one query: (enterprise,
/// qualification) pairs by enterprise, kind and level.
pub async fn qualifications_in_review(
    ex: &impl Exec,
    ids: &[i64],
    review: QualificationReview,
) -> Result<Vec<(i64, Qualification)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (2..=ids.len() + 1).map(|i| format!("${i}")).collect();
    let mut sql = Sql::new(format!(
        "SELECT enterprise_id, kind, level, valid_from, valid_to, certificate, review, \
         review_reason FROM enterprise_qualifications WHERE review = $1 AND enterprise_id IN ({}) \
         ORDER BY enterprise_id, kind, level",
        marks.join(", ")
    ))
    .bind(review.as_str());
    for id in ids {
        sql.push_param(*id);
    }
    let rows: Vec<QualRow> = ex.fetch_all(sql).await?;
    Ok(rows.into_iter().map(|QualRow(id, q)| (id, q)).collect())
}

pub async fn by_credit_code(ex: &impl Exec, code: &str) -> Result<Option<Enterprise>, StoreError> {
    let row: Option<Enterprise> = ex
        .fetch_optional(
            Sql::new(format!(
                "SELECT {COLUMNS} FROM enterprises WHERE credit_code = $1"
            ))
            .bind(code),
        )
        .await?;
    Ok(with_qualifications(ex, row.into_iter().collect())
        .await?
        .pop())
}

/// Which profiles a list may show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Within {
    All,
    Region(RegionCode),
    CreditCode(String),
}

/// Profiles within `within` whose name contains `q`, by name.
pub async fn list(
    ex: &impl Exec,
    within: &Within,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Enterprise>, i64), StoreError> {
    list_sorted(ex, within, q, None, limit, offset).await
}

/// The keys an enterprise list sorts by, and their columns.
pub const SORT_COLUMNS: &[(&str, &str)] = &[("name", "name"), ("updated", "updated_at")];

/// [`list`] in the order a person chose (by name when `None`).
pub async fn list_sorted(
    ex: &impl Exec,
    within: &Within,
    q: Option<&str>,
    order: Option<crate::sorting::Order>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Enterprise>, i64), StoreError> {
    let order = order
        .and_then(|o| o.sql(SORT_COLUMNS, "id"))
        .unwrap_or_else(|| "name, id".into());
    let (scope, params): (&str, Vec<Param>) = match within {
        Within::All => ("$1 = $2", vec![0i64.into(), 0i64.into()]),
        Within::Region(r) => {
            let (lo, hi) = r.subtree();
            ("region BETWEEN $1 AND $2", vec![lo.into(), hi.into()])
        }
        Within::CreditCode(c) => (
            "credit_code = $1 AND $2 = $2",
            vec![c.clone().into(), 0i64.into()],
        ),
    };
    let like = q
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| format!("%{}%", q.replace(['%', '_'], "")))
        .unwrap_or_default();
    let filter = format!("{scope} AND ($3 = '' OR name LIKE $3)");
    let mut rows = Sql::new(format!(
        "SELECT {COLUMNS} FROM enterprises WHERE {filter} ORDER BY {order} LIMIT $4 OFFSET $5"
    ));
    let mut count = Sql::new(format!("SELECT COUNT(*) FROM enterprises WHERE {filter}"));
    for p in params {
        rows.push_param(p.clone());
        count.push_param(p);
    }
    rows.push_param(like.clone());
    count.push_param(like);
    rows.push_param(limit);
    rows.push_param(offset);
    let list = ex.fetch_all(rows).await?;
    let total = ex.fetch_one(count).await?;
    Ok((with_qualifications(ex, list).await?, total))
}

fn bind_profile(sql: Sql, e: &Enterprise) -> Sql {
    sql.bind(e.name.as_str())
        .bind(e.region)
        .bind(e.address.as_str())
        .bind(e.scale.as_str())
        .bind(e.ownership.as_str())
        .bind(e.industry.as_str())
        .bind(e.contact_name.as_str())
        .bind(e.contact_phone.as_str())
        .bind(e.contact_email.as_str())
}

/// Inserts a profile (version 1); a taken credit code is [`StoreError::Unique`].
pub async fn insert(ex: &impl Exec, e: &Enterprise, now: Timestamp) -> Result<i64, StoreError> {
    let sql = Sql::new(
        "INSERT INTO enterprises (name, region, address, scale, ownership, industry, \
         contact_name, contact_phone, contact_email, credit_code, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 1) RETURNING id",
    );
    let id = ex
        .fetch_one(bind_profile(sql, e).bind(e.credit_code.as_str()).bind(now))
        .await?;
    replace_qualifications(ex, id, &e.qualifications).await?;
    Ok(id)
}

/// Saves a profile if it is still at `version`; answers the new version, or `None` when
/// someone saved first (nothing is written then).
pub async fn update(
    ex: &impl Exec,
    e: &Enterprise,
    version: i64,
    now: Timestamp,
) -> Result<Option<i64>, StoreError> {
    let sql = Sql::new(
        "UPDATE enterprises SET name = $1, region = $2, address = $3, scale = $4, ownership = $5, \
         industry = $6, contact_name = $7, contact_phone = $8, contact_email = $9, \
         updated_at = $10, version = version + 1 WHERE id = $11 AND version = $12",
    );
    let n = ex
        .execute(bind_profile(sql, e).bind(now).bind(e.id).bind(version))
        .await?;
    if n == 0 {
        return Ok(None);
    }
    replace_qualifications(ex, e.id, &e.qualifications).await?;
    Ok(Some(version + 1))
}

async fn replace_qualifications(
    ex: &impl Exec,
    id: i64,
    quals: &[Qualification],
) -> Result<(), StoreError> {
    ex.execute(Sql::new("DELETE FROM enterprise_qualifications WHERE enterprise_id = $1").bind(id))
        .await?;
    for q in quals {
        ex.execute(
            Sql::new(
                "INSERT INTO enterprise_qualifications (enterprise_id, kind, level, valid_from, \
                 valid_to, certificate, review, review_reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(q.kind.as_str())
            .bind(q.level.as_str())
            .bind(q.valid_from.map(format_date))
            .bind(q.valid_to.map(format_date))
            .bind(q.certificate.as_str())
            .bind(q.review.as_str())
            .bind(q.review_reason.as_deref()),
        )
        .await?;
    }
    Ok(())
}

/// Sets the review of an enterprise's qualifications that are `from` (pending ones, when a
/// reviewer decides them); how many changed.
pub async fn review_qualifications(
    ex: &impl Exec,
    id: i64,
    from: QualificationReview,
    to: QualificationReview,
    reason: Option<&str>,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE enterprise_qualifications SET review = $1, review_reason = $2 \
             WHERE enterprise_id = $3 AND review = $4",
        )
        .bind(to.as_str())
        .bind(reason)
        .bind(id)
        .bind(from.as_str()),
    )
    .await
}

/// Holds the profile row for the rest of the transaction if it is still at `version` (a review
/// decides what the reviewer read, never a change made since): `false` when it has moved on.
pub async fn hold_at_version(ex: &impl Exec, id: i64, version: i64) -> Result<bool, StoreError> {
    let n = ex
        .execute(
            Sql::new("UPDATE enterprises SET version = version WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(version),
        )
        .await?;
    Ok(n == 1)
}

/// One saved version of a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub version: i64,
    /// The whole profile as JSON.
    pub snapshot: String,
    pub changed_by: String,
    pub changed_at: Timestamp,
}

impl FromDbRow for Version {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Version {
            version: row.get("version")?,
            snapshot: row.get("snapshot")?,
            changed_by: row.get("changed_by")?,
            changed_at: ts(row, "changed_at")?,
        })
    }
}

pub async fn insert_version(
    ex: &impl Exec,
    id: i64,
    version: i64,
    snapshot: &str,
    by: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO enterprise_versions (enterprise_id, version, snapshot, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(version)
        .bind(snapshot)
        .bind(by)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Every version of a profile, newest first.
pub async fn versions(ex: &impl Exec, id: i64) -> Result<Vec<Version>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT version, snapshot, changed_by, changed_at FROM enterprise_versions \
             WHERE enterprise_id = $1 ORDER BY version DESC",
        )
        .bind(id),
    )
    .await
}

/// A profile by its row id.
pub async fn by_id(ex: &impl Exec, id: i64) -> Result<Option<Enterprise>, StoreError> {
    let row: Option<Enterprise> = ex
        .fetch_optional(
            Sql::new(format!("SELECT {COLUMNS} FROM enterprises WHERE id = $1")).bind(id),
        )
        .await?;
    Ok(with_qualifications(ex, row.into_iter().collect())
        .await?
        .pop())
}

/// The next page of an export: enterprises in scope (and whose name contains `q`) with an id
/// above `after`, by id.
pub async fn export_page(
    ex: &impl Exec,
    within: &Within,
    q: Option<&str>,
    after: i64,
    limit: i64,
) -> Result<Vec<Enterprise>, StoreError> {
    let (scope, params): (&str, Vec<Param>) = match within {
        Within::All => ("$1 = $2", vec![0i64.into(), 0i64.into()]),
        Within::Region(r) => {
            let (lo, hi) = r.subtree();
            ("region BETWEEN $1 AND $2", vec![lo.into(), hi.into()])
        }
        Within::CreditCode(c) => (
            "credit_code = $1 AND $2 = $2",
            vec![c.clone().into(), 0i64.into()],
        ),
    };
    let like = q
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| format!("%{}%", q.replace(['%', '_'], "")))
        .unwrap_or_default();
    let mut rows = Sql::new(format!(
        "SELECT {COLUMNS} FROM enterprises WHERE {scope} AND ($3 = '' OR name LIKE $3) \
         AND id > $4 ORDER BY id LIMIT $5"
    ));
    for p in params {
        rows.push_param(p);
    }
    rows.push_param(like);
    rows.push_param(after);
    rows.push_param(limit);
    let list = ex.fetch_all(rows).await?;
    with_qualifications(ex, list).await
}

struct Counted(i64, i64);
impl FromDbRow for Counted {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Counted(row.get("enterprise_id")?, row.get("products")?))
    }
}

/// Registered products in force per enterprise, for a page of enterprises (from the rollup).
pub async fn registered_products(
    ex: &impl Exec,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>, StoreError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let list = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = Sql::new(format!(
        "SELECT enterprise_id, products FROM stat_enterprises WHERE enterprise_id IN ({list})"
    ));
    for id in ids {
        q.push_param(*id);
    }
    let rows: Vec<Counted> = ex.fetch_all(q).await?;
    Ok(rows.into_iter().map(|Counted(a, b)| (a, b)).collect())
}

/// The enterprise accounts bound to a credit code, by username (whatever their verification).
pub async fn accounts(ex: &impl Exec, code: &str) -> Result<Vec<crate::users::User>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {} FROM users WHERE enterprise = $1 AND role = 'enterprise' ORDER BY username",
            crate::users::COLUMNS
        ))
        .bind(code),
    )
    .await
}

/// How many verified enterprise accounts other than `except` are bound to a credit code: the
/// code is taken when there is one (or a profile).
pub async fn verified_accounts(ex: &impl Exec, code: &str, except: i64) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "SELECT COUNT(*) FROM users WHERE enterprise = $1 AND role = 'enterprise' \
             AND verification = 'verified' AND id <> $2",
        )
        .bind(code)
        .bind(except),
    )
    .await
}
