//! Award rules (奖补规则) and their versions — drafts until published, a published version never
//! edited — and the facts entitlements are computed from, read once per call for one enterprise
//! or for every enterprise of a region subtree (the dry run).

use crate::db::{DbRow, Exec, FromDbRow, Param, Sql};
use crate::users::{ts, ts_opt};
use crate::StoreError;
use zhichan_domain::{RegionCode, Timestamp};

/// One version of a rule, its body the rule as JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleVersion {
    pub rule_id: i64,
    pub region: RegionCode,
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

const COLUMNS: &str = "v.rule_id, r.region, v.version, v.status, v.name, v.body, v.changed_by, \
                       v.changed_at, v.published_by, v.published_at";

fn region(row: &DbRow, col: &str) -> Result<RegionCode, StoreError> {
    let r: i64 = row.get(col)?;
    u32::try_from(r)
        .ok()
        .and_then(RegionCode::from_u32)
        .ok_or_else(|| StoreError::Corrupt(format!("{col} {r}")))
}

impl FromDbRow for RuleVersion {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(RuleVersion {
            rule_id: row.get("rule_id")?,
            region: region(row, "region")?,
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

/// Creates a rule with its first version as a draft; its id.
pub async fn create(
    ex: &impl Exec,
    region: RegionCode,
    name: &str,
    body: &str,
    by: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let id: i64 = ex
        .fetch_one(
            Sql::new(
                "INSERT INTO award_rules (region, created_by, created_at) VALUES ($1, $2, $3) \
                 RETURNING id",
            )
            .bind(region)
            .bind(by)
            .bind(now),
        )
        .await?;
    insert_version(ex, id, 1, name, body, by, now).await?;
    Ok(id)
}

/// Adds `version` of a rule as a draft ([`StoreError::Unique`] when it exists already).
pub async fn insert_version(
    ex: &impl Exec,
    rule_id: i64,
    version: i64,
    name: &str,
    body: &str,
    by: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO award_rule_versions \
             (rule_id, version, status, name, body, changed_by, changed_at) \
             VALUES ($1, $2, 'draft', $3, $4, $5, $6)",
        )
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
pub async fn update_draft(
    ex: &impl Exec,
    rule_id: i64,
    version: i64,
    name: &str,
    body: &str,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE award_rule_versions SET name = $1, body = $2, changed_by = $3, \
             changed_at = $4 WHERE rule_id = $5 AND version = $6 AND status = 'draft'",
        )
        .bind(name)
        .bind(body)
        .bind(by)
        .bind(now)
        .bind(rule_id)
        .bind(version),
    )
    .await
}

/// Moves a rule to another region (its region is part of the rule); the rows changed.
pub async fn set_region(
    ex: &impl Exec,
    rule_id: i64,
    region: RegionCode,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new("UPDATE award_rules SET region = $1 WHERE id = $2")
            .bind(region)
            .bind(rule_id),
    )
    .await
}

/// Publishes a draft; the rows changed (0 when the version is not a draft).
pub async fn publish(
    ex: &impl Exec,
    rule_id: i64,
    version: i64,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE award_rule_versions SET status = 'published', published_by = $1, \
             published_at = $2 WHERE rule_id = $3 AND version = $4 AND status = 'draft'",
        )
        .bind(by)
        .bind(now)
        .bind(rule_id)
        .bind(version),
    )
    .await
}

/// Every version of a rule, newest first.
pub async fn versions(ex: &impl Exec, rule_id: i64) -> Result<Vec<RuleVersion>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM award_rule_versions v JOIN award_rules r ON r.id = v.rule_id \
             WHERE v.rule_id = $1 ORDER BY v.version DESC"
        ))
        .bind(rule_id),
    )
    .await
}

/// Where rules are looked for: the rules whose region lies in a subtree (what an administrator
/// keeps), or the rules whose region contains a region (what applies there).
#[derive(Clone, Copy, Debug)]
pub enum Rules {
    All,
    Within(RegionCode),
    Covering(RegionCode),
}

fn rules_filter(rules: Rules) -> (String, Vec<Param>) {
    match rules {
        Rules::All => ("1 = 1".into(), vec![]),
        Rules::Within(r) => {
            let (lo, hi) = r.subtree();
            (
                "r.region BETWEEN $1 AND $2".into(),
                vec![lo.into(), hi.into()],
            )
        }
        Rules::Covering(r) => {
            let codes: Vec<u32> = r.self_and_ancestors().map(|a| a.as_u32()).collect();
            let marks: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
            (
                format!("r.region IN ({})", marks.join(", ")),
                codes.into_iter().map(Param::from).collect(),
            )
        }
    }
}

/// The newest version of every rule there, newest rule first.
pub async fn latest_of_each(ex: &impl Exec, rules: Rules) -> Result<Vec<RuleVersion>, StoreError> {
    let (filter, params) = rules_filter(rules);
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM award_rule_versions v JOIN award_rules r ON r.id = v.rule_id \
         WHERE {filter} AND v.version = (SELECT MAX(w.version) FROM award_rule_versions w \
         WHERE w.rule_id = v.rule_id) ORDER BY v.rule_id DESC"
    ));
    for p in params {
        sql.push_param(p);
    }
    ex.fetch_all(sql).await
}

/// The newest published version of every rule there.
pub async fn published(ex: &impl Exec, rules: Rules) -> Result<Vec<RuleVersion>, StoreError> {
    let (filter, params) = rules_filter(rules);
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM award_rule_versions v JOIN award_rules r ON r.id = v.rule_id \
         WHERE {filter} AND v.status = 'published' AND v.version = (SELECT MAX(w.version) \
         FROM award_rule_versions w WHERE w.rule_id = v.rule_id AND w.status = 'published') \
         ORDER BY v.rule_id"
    ));
    for p in params {
        sql.push_param(p);
    }
    ex.fetch_all(sql).await
}

/// The newest version of a rule with that name, if any (to load a rule file once).
pub async fn by_name(ex: &impl Exec, name: &str) -> Result<Option<RuleVersion>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM award_rule_versions v JOIN award_rules r ON r.id = v.rule_id \
             WHERE v.name = $1 ORDER BY v.rule_id DESC, v.version DESC LIMIT 1"
        ))
        .bind(name),
    )
    .await
}

// ---- facts ----

/// Whose facts are read: one enterprise, or every enterprise of a region subtree.
#[derive(Clone, Copy, Debug)]
pub enum Whose {
    Enterprise(i64),
    Within(RegionCode),
}

pub(crate) fn whose(w: Whose) -> (String, Vec<Param>) {
    match w {
        Whose::Enterprise(id) => ("e.id = $1 AND $2 = $2".into(), vec![id.into(), 0i64.into()]),
        Whose::Within(r) => {
            let (lo, hi) = r.subtree();
            (
                "e.region BETWEEN $1 AND $2".into(),
                vec![lo.into(), hi.into()],
            )
        }
    }
}

fn with(text: String, w: Whose) -> Sql {
    let (filter, params) = whose(w);
    let mut sql = Sql::new(text.replace("{whose}", &filter));
    for p in params {
        sql.push_param(p);
    }
    sql
}

/// An enterprise as the facts name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseRow {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub region: RegionCode,
}

impl FromDbRow for EnterpriseRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(EnterpriseRow {
            id: row.get("id")?,
            credit_code: row.get("credit_code")?,
            name: row.get("name")?,
            region: region(row, "region")?,
        })
    }
}

pub async fn enterprises(ex: &impl Exec, w: Whose) -> Result<Vec<EnterpriseRow>, StoreError> {
    ex.fetch_all(with(
        "SELECT e.id, e.credit_code, e.name, e.region FROM enterprises e WHERE {whose} \
         ORDER BY e.id"
            .into(),
        w,
    ))
    .await
}

/// A count per enterprise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub enterprise_id: i64,
    pub n: i64,
    pub m: i64,
}

impl FromDbRow for Count {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Count {
            enterprise_id: row.get("enterprise_id")?,
            n: row.get("n")?,
            m: row.get("m")?,
        })
    }
}

fn year_bounds(year: i32) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{year:04}-12-31"))
}

/// Products registered in `year` and still registered (a withdrawn one does not count).
pub async fn registered_products(
    ex: &impl Exec,
    w: Whose,
    year: i32,
) -> Result<Vec<Count>, StoreError> {
    let (first, last) = year_bounds(year);
    ex.fetch_all(
        with(
            "SELECT p.enterprise_id, CAST(COUNT(*) AS BIGINT) AS n, CAST(0 AS BIGINT) AS m \
             FROM products p JOIN enterprises e ON e.id = p.enterprise_id \
             WHERE {whose} AND p.status = 'approved' AND p.registered_on >= $3 \
             AND p.registered_on <= $4 GROUP BY p.enterprise_id"
                .into(),
            w,
        )
        .bind(first)
        .bind(last),
    )
    .await
}

/// Products identified in `year`: a candidate whose outcome is `identified` in a batch that was
/// announced (`status = 'announced'`) on a day of that year. Needs `announced_on` on
/// `identification_batches` (added with the announcement of identification results).
pub async fn identified_products(
    ex: &impl Exec,
    w: Whose,
    year: i32,
) -> Result<Vec<Count>, StoreError> {
    let (first, last) = year_bounds(year);
    ex.fetch_all(
        with(
            "SELECT p.enterprise_id, CAST(COUNT(DISTINCT c.product_id) AS BIGINT) AS n, \
             CAST(0 AS BIGINT) AS m \
             FROM identification_candidates c \
             JOIN identification_batches b ON b.id = c.batch_id \
             JOIN products p ON p.id = c.product_id \
             JOIN enterprises e ON e.id = p.enterprise_id \
             WHERE {whose} AND c.outcome = 'identified' AND b.status = 'announced' \
             AND b.announced_on >= $3 AND b.announced_on <= $4 GROUP BY p.enterprise_id"
                .into(),
            w,
        )
        .bind(first)
        .bind(last),
    )
    .await
}

/// Patents each enterprise owns (专利权人, not a licence) that are in force: `n` all, `m` of
/// them invention patents.
pub async fn patents_in_force(ex: &impl Exec, w: Whose) -> Result<Vec<Count>, StoreError> {
    ex.fetch_all(with(
        "SELECT t.enterprise_id, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(SUM(CASE WHEN t.patent_type = 'invention' THEN 1 ELSE 0 END) AS BIGINT) AS m \
         FROM patents t JOIN enterprises e ON e.id = t.enterprise_id \
         WHERE {whose} AND t.legal_status = 'valid' AND t.patent_right = 'own' \
         GROUP BY t.enterprise_id"
            .into(),
        w,
    ))
    .await
}

/// A qualification row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QualificationRow {
    pub enterprise_id: i64,
    pub kind: String,
    pub level: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// `confirmed` or `pending` (a returned one is not read).
    pub review: String,
}

impl FromDbRow for QualificationRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(QualificationRow {
            enterprise_id: row.get("enterprise_id")?,
            kind: row.get("kind")?,
            level: row.get("level")?,
            valid_from: row.get("valid_from")?,
            valid_to: row.get("valid_to")?,
            review: row.get("review")?,
        })
    }
}

/// The qualifications on the enterprises' profiles that a reviewer of the region confirmed, and
/// those waiting for review (which never count; the reasons name them). Returned ones are not
/// read.
pub async fn qualifications(ex: &impl Exec, w: Whose) -> Result<Vec<QualificationRow>, StoreError> {
    ex.fetch_all(with(
        "SELECT q.enterprise_id, q.kind, q.level, q.valid_from, q.valid_to, q.review \
         FROM enterprise_qualifications q JOIN enterprises e ON e.id = q.enterprise_id \
         WHERE {whose} AND q.review IN ('confirmed', 'pending') \
         ORDER BY q.enterprise_id, q.kind, q.level"
            .into(),
        w,
    ))
    .await
}

/// The first policy whose title contains `fragment` (a rule file cites its policy so).
pub async fn policy_by_title(ex: &impl Exec, fragment: &str) -> Result<Option<i64>, StoreError> {
    ex.fetch_optional(
        Sql::new("SELECT id FROM policies WHERE title LIKE $1 ESCAPE '\\' ORDER BY id LIMIT 1")
            .bind(format!("%{}%", crate::db::like_escape(fragment))),
    )
    .await
}
