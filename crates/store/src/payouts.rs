//! Payouts of entitlements (免申即享兑现): the office's budget per rule and year (versioned),
//! the applications enterprises confirm (one per enterprise, rule and year) and the payments
//! recorded against them (one per application). Money in fen.

use crate::db::{DbRow, Exec, FromDbRow, Param, Sql};
use crate::users::ts;
use crate::StoreError;
use zhichan_domain::{Money, RegionCode, Timestamp};

fn region(row: &DbRow, col: &str) -> Result<RegionCode, StoreError> {
    let r: i64 = row.get(col)?;
    u32::try_from(r)
        .ok()
        .and_then(RegionCode::from_u32)
        .ok_or_else(|| StoreError::Corrupt(format!("{col} {r}")))
}

fn money(row: &DbRow, col: &str) -> Result<Money, StoreError> {
    Ok(Money::from_fen(row.get(col)?))
}

// ---- budgets ----

/// One version of the budget of a rule for a year: what is paid of the ceiling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    pub rule_id: i64,
    pub year: i32,
    pub version: i64,
    /// `full` (the ceiling) or `share` (`share_percent` of it).
    pub mode: String,
    pub share_percent: i64,
    pub set_by: String,
    pub set_at: Timestamp,
}

impl FromDbRow for Budget {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let year: i64 = row.get("year")?;
        Ok(Budget {
            rule_id: row.get("rule_id")?,
            year: i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("year {year}")))?,
            version: row.get("version")?,
            mode: row.get("mode")?,
            share_percent: row.get("share_percent")?,
            set_by: row.get("set_by")?,
            set_at: ts(row, "set_at")?,
        })
    }
}

const BUDGET_COLUMNS: &str =
    "b.rule_id, b.year, b.version, b.mode, b.share_percent, b.set_by, b.set_at";

/// Adds a version of a budget ([`StoreError::Unique`] when that version exists: a concurrent
/// change).
#[allow(clippy::too_many_arguments)]
pub async fn insert_budget(
    ex: &impl Exec,
    rule_id: i64,
    year: i32,
    version: i64,
    mode: &str,
    share_percent: i64,
    by: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO award_budgets (rule_id, year, version, mode, share_percent, set_by, \
             set_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(rule_id)
        .bind(year)
        .bind(version)
        .bind(mode)
        .bind(share_percent)
        .bind(by)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Every version of the budget of a rule for a year, newest first.
pub async fn budget_versions(
    ex: &impl Exec,
    rule_id: i64,
    year: i32,
) -> Result<Vec<Budget>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {BUDGET_COLUMNS} FROM award_budgets b WHERE b.rule_id = $1 AND b.year = $2 \
             ORDER BY b.version DESC"
        ))
        .bind(rule_id)
        .bind(year),
    )
    .await
}

/// The newest budget of every rule whose region lies in a subtree, for a year.
pub async fn current_budgets(
    ex: &impl Exec,
    within: RegionCode,
    year: i32,
) -> Result<Vec<Budget>, StoreError> {
    let (lo, hi) = within.subtree();
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {BUDGET_COLUMNS} FROM award_budgets b JOIN award_rules r ON r.id = b.rule_id \
             WHERE r.region BETWEEN $1 AND $2 AND b.year = $3 AND b.version = (SELECT \
             MAX(c.version) FROM award_budgets c WHERE c.rule_id = b.rule_id AND c.year = b.year) \
             ORDER BY b.rule_id"
        ))
        .bind(lo)
        .bind(hi)
        .bind(year),
    )
    .await
}

// ---- applications ----

/// An application an enterprise confirmed, with its payment once recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub enterprise_id: i64,
    pub credit_code: String,
    pub enterprise_name: String,
    pub region: RegionCode,
    pub rule_id: i64,
    pub rule_version: i64,
    pub rule_name: String,
    pub clause: String,
    pub year: i32,
    pub ceiling: Money,
    pub payable: Money,
    pub budget_version: Option<i64>,
    pub explanation: String,
    /// `confirmed` or `paid`.
    pub status: String,
    pub version: i64,
    pub confirmed_by: String,
    pub confirmed_at: Timestamp,
    pub payment: Option<Payment>,
}

/// A payment recorded against an application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub amount: Money,
    pub paid_on: String,
    pub reference: String,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

impl FromDbRow for Application {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let year: i64 = row.get("year")?;
        let paid: Option<i64> = row.get("paid_amount")?;
        let payment = match paid {
            Some(fen) => Some(Payment {
                amount: Money::from_fen(fen),
                paid_on: row.get("paid_on")?,
                reference: row.get("reference")?,
                recorded_by: row.get("recorded_by")?,
                recorded_at: ts(row, "recorded_at")?,
            }),
            None => None,
        };
        Ok(Application {
            id: row.get("id")?,
            enterprise_id: row.get("enterprise_id")?,
            credit_code: row.get("credit_code")?,
            enterprise_name: row.get("enterprise_name")?,
            region: region(row, "region")?,
            rule_id: row.get("rule_id")?,
            rule_version: row.get("rule_version")?,
            rule_name: row.get("rule_name")?,
            clause: row.get("clause")?,
            year: i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("year {year}")))?,
            ceiling: money(row, "ceiling")?,
            payable: money(row, "payable")?,
            budget_version: row.get("budget_version")?,
            explanation: row.get("explanation")?,
            status: row.get("status")?,
            version: row.get("version")?,
            confirmed_by: row.get("confirmed_by")?,
            confirmed_at: ts(row, "confirmed_at")?,
            payment,
        })
    }
}

const APPLICATION_SELECT: &str = "SELECT a.id, a.enterprise_id, e.credit_code, \
     e.name AS enterprise_name, a.region, a.rule_id, a.rule_version, a.rule_name, a.clause, \
     a.year, a.ceiling, a.payable, a.budget_version, a.explanation, a.status, a.version, \
     a.confirmed_by, a.confirmed_at, p.amount AS paid_amount, p.paid_on, p.reference, \
     p.recorded_by, p.recorded_at \
     FROM award_applications a JOIN enterprises e ON e.id = a.enterprise_id \
     LEFT JOIN award_payments p ON p.application_id = a.id";

/// An application to write.
#[derive(Clone, Debug)]
pub struct NewApplication<'a> {
    pub enterprise_id: i64,
    pub region: RegionCode,
    pub rule_id: i64,
    pub rule_version: i64,
    pub rule_name: &'a str,
    pub clause: &'a str,
    pub year: i32,
    pub ceiling: Money,
    pub payable: Money,
    pub budget_version: Option<i64>,
    pub explanation: &'a str,
}

/// Writes a confirmed application; its id ([`StoreError::Unique`] when the enterprise already
/// has one for the rule and year).
pub async fn insert_application(
    ex: &impl Exec,
    a: &NewApplication<'_>,
    by: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO award_applications (enterprise_id, region, rule_id, rule_version, \
             rule_name, clause, year, ceiling, payable, budget_version, explanation, status, \
             version, confirmed_by, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, 'confirmed', 1, $12, $13) RETURNING id",
        )
        .bind(a.enterprise_id)
        .bind(a.region)
        .bind(a.rule_id)
        .bind(a.rule_version)
        .bind(a.rule_name)
        .bind(a.clause)
        .bind(a.year)
        .bind(a.ceiling.fen())
        .bind(a.payable.fen())
        .bind(a.budget_version)
        .bind(a.explanation)
        .bind(by)
        .bind(now),
    )
    .await
}

pub async fn application(ex: &impl Exec, id: i64) -> Result<Option<Application>, StoreError> {
    ex.fetch_optional(Sql::new(format!("{APPLICATION_SELECT} WHERE a.id = $1")).bind(id))
        .await
}

/// An enterprise's applications, newest year first.
pub async fn of_enterprise(
    ex: &impl Exec,
    enterprise_id: i64,
    year: Option<i32>,
) -> Result<Vec<Application>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "{APPLICATION_SELECT} WHERE a.enterprise_id = $1 AND ($2 = 0 OR a.year = $2) \
             ORDER BY a.year DESC, a.rule_id"
        ))
        .bind(enterprise_id)
        .bind(year.unwrap_or(0)),
    )
    .await
}

/// Which applications an office looks at: its region subtree, and optional filters.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub within: Option<RegionCode>,
    pub year: Option<i32>,
    pub rule: Option<i64>,
    /// `confirmed` or `paid`.
    pub status: Option<String>,
    /// Part of the enterprise's name or its credit code.
    pub q: Option<String>,
}

fn filter_sql(f: &Filter) -> (String, Vec<Param>) {
    let mut clauses = vec!["1 = 1".to_string()];
    let mut params: Vec<Param> = Vec::new();
    let next = |p: Param, params: &mut Vec<Param>| {
        params.push(p);
        format!("${}", params.len())
    };
    if let Some(r) = f.within {
        let (lo, hi) = r.subtree();
        let a = next(lo.into(), &mut params);
        let b = next(hi.into(), &mut params);
        clauses.push(format!("a.region BETWEEN {a} AND {b}"));
    }
    if let Some(y) = f.year {
        let a = next(y.into(), &mut params);
        clauses.push(format!("a.year = {a}"));
    }
    if let Some(r) = f.rule {
        let a = next(r.into(), &mut params);
        clauses.push(format!("a.rule_id = {a}"));
    }
    if let Some(s) = &f.status {
        let a = next(s.clone().into(), &mut params);
        clauses.push(format!("a.status = {a}"));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let a = next(
            format!("%{}%", crate::db::like_escape(q)).into(),
            &mut params,
        );
        clauses.push(format!(
            "(e.name LIKE {a} ESCAPE '\\' OR e.credit_code LIKE {a} ESCAPE '\\')"
        ));
    }
    (clauses.join(" AND "), params)
}

fn with_filter(text: String, f: &Filter) -> Sql {
    let (filter, params) = filter_sql(f);
    let mut sql = Sql::new(text.replace("{filter}", &filter));
    for p in params {
        sql.push_param(p);
    }
    sql
}

/// One page of the applications matching, newest first, and how many match.
pub async fn list(
    ex: &impl Exec,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Application>, i64), StoreError> {
    let count_params = filter_sql(f).1.len();
    let items = ex
        .fetch_all(
            with_filter(
                format!(
                    "{APPLICATION_SELECT} WHERE {{filter}} ORDER BY a.id DESC \
                     LIMIT ${} OFFSET ${}",
                    count_params + 1,
                    count_params + 2
                ),
                f,
            )
            .bind(limit)
            .bind(offset),
        )
        .await?;
    let total = ex
        .fetch_one(with_filter(
            "SELECT COUNT(*) FROM award_applications a JOIN enterprises e \
             ON e.id = a.enterprise_id WHERE {filter}"
                .into(),
            f,
        ))
        .await?;
    Ok((items, total))
}

/// Applications matching after `after` (by id, ascending), for an export written page by page.
pub async fn export_page(
    ex: &impl Exec,
    f: &Filter,
    after: i64,
    limit: i64,
) -> Result<Vec<Application>, StoreError> {
    let n = filter_sql(f).1.len();
    ex.fetch_all(
        with_filter(
            format!(
                "{APPLICATION_SELECT} WHERE {{filter}} AND a.id > ${} ORDER BY a.id LIMIT ${}",
                n + 1,
                n + 2
            ),
            f,
        )
        .bind(after)
        .bind(limit),
    )
    .await
}

/// A sum of the applications matching, for one rule in one region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sum {
    pub rule_id: i64,
    pub rule_name: String,
    pub region: RegionCode,
    pub applications: i64,
    pub paid_applications: i64,
    pub ceiling: Money,
    pub payable: Money,
    pub paid: Money,
}

impl FromDbRow for Sum {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Sum {
            rule_id: row.get("rule_id")?,
            rule_name: row.get("rule_name")?,
            region: region(row, "region")?,
            applications: row.get("applications")?,
            paid_applications: row.get("paid_applications")?,
            ceiling: money(row, "ceiling")?,
            payable: money(row, "payable")?,
            paid: money(row, "paid")?,
        })
    }
}

/// The sums of the applications matching, per rule and enterprise region (a handful of rows
/// per county: the totals by rule and by region are rolled up from them).
pub async fn sums(ex: &impl Exec, f: &Filter) -> Result<Vec<Sum>, StoreError> {
    ex.fetch_all(with_filter(
        "SELECT a.rule_id, MAX(a.rule_name) AS rule_name, a.region, \
         CAST(COUNT(*) AS BIGINT) AS applications, \
         CAST(COUNT(p.id) AS BIGINT) AS paid_applications, \
         CAST(SUM(a.ceiling) AS BIGINT) AS ceiling, CAST(SUM(a.payable) AS BIGINT) AS payable, \
         CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) AS paid \
         FROM award_applications a JOIN enterprises e ON e.id = a.enterprise_id \
         LEFT JOIN award_payments p ON p.application_id = a.id \
         WHERE {filter} GROUP BY a.rule_id, a.region ORDER BY a.rule_id, a.region"
            .into(),
        f,
    ))
    .await
}

/// Records the payment of an application at `version` and marks it paid; false when the
/// application moved on (another payment, a stale version). [`StoreError::Unique`] when a
/// payment exists already.
#[allow(clippy::too_many_arguments)]
pub async fn record_payment(
    ex: &impl Exec,
    application_id: i64,
    version: i64,
    amount: Money,
    paid_on: &str,
    reference: &str,
    by: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let moved = ex
        .execute(
            Sql::new(
                "UPDATE award_applications SET status = 'paid', version = version + 1 \
                 WHERE id = $1 AND version = $2 AND status = 'confirmed'",
            )
            .bind(application_id)
            .bind(version),
        )
        .await?;
    if moved == 0 {
        return Ok(false);
    }
    ex.execute(
        Sql::new(
            "INSERT INTO award_payments (application_id, amount, paid_on, reference, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(application_id)
        .bind(amount.fen())
        .bind(paid_on)
        .bind(reference)
        .bind(by)
        .bind(now),
    )
    .await?;
    Ok(true)
}
