//! Award rules (奖补规则) — their versions are kept by [`crate::rule_versions`] under
//! [`crate::rule_versions::AWARD_RULES`]; here is what only award rules have: the region a rule
//! applies in — and the facts entitlements are computed from, read once per call for one
//! enterprise or for every enterprise of a region subtree (the dry run).

use crate::db::{DbRow, Exec, FromDbRow, Param, Sql};
use crate::rule_versions::{self, Filter, StoredVersion, AWARD_RULES};
use crate::StoreError;
use zhichan_domain::RegionCode;

fn region(row: &DbRow, col: &str) -> Result<RegionCode, StoreError> {
    let r: i64 = row.get(col)?;
    u32::try_from(r)
        .ok()
        .and_then(RegionCode::from_u32)
        .ok_or_else(|| StoreError::Corrupt(format!("{col} {r}")))
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

/// Where rules are looked for: the rules whose region lies in a subtree (what an administrator
/// keeps), or the rules whose region contains a region (what applies there).
#[derive(Clone, Copy, Debug)]
pub enum Rules {
    All,
    Within(RegionCode),
    Covering(RegionCode),
}

/// The rules `rules` names, as a filter on their own rows.
pub fn filter(rules: Rules) -> Filter {
    match rules {
        Rules::All => Filter::default(),
        Rules::Within(r) => {
            let (lo, hi) = r.subtree();
            Filter::new("r.region BETWEEN $1 AND $2", vec![lo.into(), hi.into()])
        }
        Rules::Covering(r) => {
            let codes: Vec<u32> = r.self_and_ancestors().map(|a| a.as_u32()).collect();
            let marks: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
            Filter::new(
                format!("r.region IN ({})", marks.join(", ")),
                codes.into_iter().map(Param::from).collect(),
            )
        }
    }
}

/// The newest published version of every rule there, oldest rule first.
pub async fn published(ex: &impl Exec, rules: Rules) -> Result<Vec<StoredVersion>, StoreError> {
    rule_versions::published(ex, &AWARD_RULES, &filter(rules)).await
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
