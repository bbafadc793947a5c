//! Identification batches (认定批次), their candidates, frozen inputs and benchmarks.

use crate::db::{Backend, DbRow, Exec, FromDbRow, Sql, Tx};
use crate::users::{ts, ts_opt};
use crate::StoreError;
use zhichan_domain::{RegionCode, Timestamp};

/// One batch as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub id: i64,
    pub year: i32,
    pub method_id: i64,
    pub method_version: i64,
    /// The last day (Beijing date, `YYYY-MM-DD`) products may be opted in.
    pub opt_in_until: String,
    /// `open` until first computed, then `computed`, `evaluating` (the experts' industry
    /// evaluation), `reviewed` (the national review kept the list), `published` (public
    /// notice), `announced`.
    pub status: String,
    pub frozen_at: Option<Timestamp>,
    pub inputs_count: Option<i64>,
    pub inputs_digest: Option<String>,
    pub computed_at: Option<Timestamp>,
    pub computed_by: Option<String>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub version: i64,
    /// The panel of the experts' industry evaluation, once it started.
    pub panel_id: Option<i64>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    /// Why the review last sent the list back.
    pub review_reason: Option<String>,
    /// The Beijing date of the announcement (`YYYY-MM-DD`).
    pub announced_on: Option<String>,
    /// When the national administrator closed opt-in before its date (migration 42).
    pub opt_in_closed_at: Option<Timestamp>,
    pub opt_in_closed_by: Option<String>,
    pub opt_in_closed_reason: Option<String>,
}

pub(crate) const BATCH_COLUMNS: &str =
    "id, year, method_id, method_version, opt_in_until, status, \
    frozen_at, inputs_count, inputs_digest, computed_at, computed_by, created_by, created_at, \
    version, panel_id, reviewed_by, reviewed_at, review_reason, announced_on, \
    opt_in_closed_at, opt_in_closed_by, opt_in_closed_reason";

impl FromDbRow for Batch {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let year: i64 = row.get("year")?;
        Ok(Batch {
            id: row.get("id")?,
            year: i32::try_from(year)
                .map_err(|_| StoreError::Corrupt(format!("batch year {year}")))?,
            method_id: row.get("method_id")?,
            method_version: row.get("method_version")?,
            opt_in_until: row.get("opt_in_until")?,
            status: row.get("status")?,
            frozen_at: ts_opt(row, "frozen_at")?,
            inputs_count: row.get("inputs_count")?,
            inputs_digest: row.get("inputs_digest")?,
            computed_at: ts_opt(row, "computed_at")?,
            computed_by: row.get("computed_by")?,
            created_by: row.get("created_by")?,
            created_at: ts(row, "created_at")?,
            version: row.get("version")?,
            panel_id: row.get("panel_id")?,
            reviewed_by: row.get("reviewed_by")?,
            reviewed_at: ts_opt(row, "reviewed_at")?,
            review_reason: row.get("review_reason")?,
            announced_on: row.get("announced_on")?,
            opt_in_closed_at: ts_opt(row, "opt_in_closed_at")?,
            opt_in_closed_by: row.get("opt_in_closed_by")?,
            opt_in_closed_reason: row.get("opt_in_closed_reason")?,
        })
    }
}

/// Creates a batch (status `open`); its id.
pub async fn create(
    ex: &impl Exec,
    year: i32,
    method_id: i64,
    method_version: i64,
    opt_in_until: &str,
    by: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO identification_batches (year, method_id, method_version, opt_in_until, \
             status, created_by, created_at, version) VALUES ($1, $2, $3, $4, 'open', $5, $6, 1) \
             RETURNING id",
        )
        .bind(year)
        .bind(method_id)
        .bind(method_version)
        .bind(opt_in_until)
        .bind(by)
        .bind(now),
    )
    .await
}

pub async fn by_id(ex: &impl Exec, id: i64) -> Result<Option<Batch>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {BATCH_COLUMNS} FROM identification_batches WHERE id = $1"
        ))
        .bind(id),
    )
    .await
}

/// Closes a batch's opt-in before its date; the rows changed (0: already closed early, or no
/// longer `open`). The caller has checked that the date has not passed.
pub async fn close_opt_in(
    ex: &impl Exec,
    batch_id: i64,
    by: &str,
    reason: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_batches SET opt_in_closed_at = $1, opt_in_closed_by = $2, \
             opt_in_closed_reason = $3, version = version + 1 \
             WHERE id = $4 AND status = 'open' AND opt_in_closed_at IS NULL",
        )
        .bind(now)
        .bind(by)
        .bind(reason)
        .bind(batch_id),
    )
    .await
}

/// The enterprises with a product opted into a batch (each once, by id).
pub async fn candidate_enterprises(ex: &impl Exec, batch_id: i64) -> Result<Vec<i64>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT DISTINCT enterprise_id FROM identification_candidates WHERE batch_id = $1 \
             ORDER BY enterprise_id",
        )
        .bind(batch_id),
    )
    .await
}

/// Every batch, newest first.
pub async fn list(ex: &impl Exec) -> Result<Vec<Batch>, StoreError> {
    ex.fetch_all(Sql::new(format!(
        "SELECT {BATCH_COLUMNS} FROM identification_batches ORDER BY id DESC"
    )))
    .await
}

/// A candidate as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub batch_id: i64,
    pub product_id: i64,
    pub region: RegionCode,
    pub enterprise_id: i64,
    pub opted_in_by: String,
    pub opted_in_at: Timestamp,
    /// `pending`, `approved` or `returned`.
    pub check_status: String,
    pub check_reason: Option<String>,
    pub checked_by: Option<String>,
    pub checked_at: Option<Timestamp>,
    /// The field (at the method's level) it was judged in, once computed.
    pub field: Option<String>,
    pub passed: Option<bool>,
    /// The computed evaluation as JSON, once computed.
    pub result: Option<String>,
    /// `identified` or `not_identified`, once the batch is announced.
    pub outcome: Option<String>,
    pub version: i64,
    /// Its item number in the batch's panel (candidates that passed the patent evaluation).
    pub panel_item: Option<i64>,
    /// The experts' aggregate score, once the review kept the list.
    pub industry_score: Option<String>,
    /// Whether the review put it on the public notice.
    pub proposed: Option<bool>,
    /// Why it was not identified, in Chinese.
    pub outcome_reason: Option<String>,
    /// Its identification number (认定编号), once identified.
    pub identification_number: Option<String>,
    /// The product's name, read with the row.
    pub product_name: String,
    /// Its enterprise's name and credit code.
    pub enterprise_name: String,
    pub enterprise_code: String,
}

pub(crate) const CANDIDATE_COLUMNS: &str = "c.batch_id, c.product_id, c.region, c.enterprise_id, \
    c.opted_in_by, c.opted_in_at, c.check_status, c.check_reason, c.checked_by, c.checked_at, \
    r.field, r.passed, r.result, c.outcome, c.version, c.panel_item, c.industry_score, \
    c.proposed, c.outcome_reason, c.identification_number, p.name AS product_name, \
    e.name AS enterprise_name, e.credit_code AS enterprise_code";

/// A candidate with its product, its enterprise and its computed result (`r`, none before the
/// batch is computed).
pub(crate) const CANDIDATE_FROM: &str =
    "identification_candidates c JOIN products p ON p.id = c.product_id \
    JOIN enterprises e ON e.id = c.enterprise_id \
    LEFT JOIN identification_results r ON r.batch_id = c.batch_id \
    AND r.product_id = c.product_id";

impl FromDbRow for Candidate {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let region: i64 = row.get("region")?;
        Ok(Candidate {
            batch_id: row.get("batch_id")?,
            product_id: row.get("product_id")?,
            region: u32::try_from(region)
                .ok()
                .and_then(RegionCode::from_u32)
                .ok_or_else(|| StoreError::Corrupt(format!("candidate region {region}")))?,
            enterprise_id: row.get("enterprise_id")?,
            opted_in_by: row.get("opted_in_by")?,
            opted_in_at: ts(row, "opted_in_at")?,
            check_status: row.get("check_status")?,
            check_reason: row.get("check_reason")?,
            checked_by: row.get("checked_by")?,
            checked_at: ts_opt(row, "checked_at")?,
            field: row.get("field")?,
            passed: row.get("passed")?,
            result: row.get("result")?,
            outcome: row.get("outcome")?,
            version: row.get("version")?,
            panel_item: row.get("panel_item")?,
            industry_score: row.get("industry_score")?,
            proposed: row.get("proposed")?,
            outcome_reason: row.get("outcome_reason")?,
            identification_number: row.get("identification_number")?,
            product_name: row.get("product_name")?,
            enterprise_name: row.get("enterprise_name")?,
            enterprise_code: row.get("enterprise_code")?,
        })
    }
}

/// Opts a product in (status `pending`); [`StoreError::Unique`] when it is in already.
pub async fn opt_in(
    ex: &impl Exec,
    batch_id: i64,
    product_id: i64,
    region: RegionCode,
    enterprise_id: i64,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO identification_candidates (batch_id, product_id, region, enterprise_id, \
             opted_in_by, opted_in_at, check_status, version) \
             SELECT $1, $2, $3, $4, $5, $6, 'pending', 1 FROM identification_batches b \
             WHERE b.id = $1 AND b.status = 'open' AND b.opt_in_closed_at IS NULL",
        )
        .bind(batch_id)
        .bind(product_id)
        .bind(region)
        .bind(enterprise_id)
        .bind(by)
        .bind(now),
    )
    .await
}

pub async fn candidate(
    ex: &impl Exec,
    batch_id: i64,
    product_id: i64,
) -> Result<Option<Candidate>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {CANDIDATE_COLUMNS} FROM {CANDIDATE_FROM} \
             WHERE c.batch_id = $1 AND c.product_id = $2"
        ))
        .bind(batch_id)
        .bind(product_id),
    )
    .await
}

/// The newest candidacy of a product (the batch with the highest id).
pub async fn latest_of_product(
    ex: &impl Exec,
    product_id: i64,
) -> Result<Option<Candidate>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {CANDIDATE_COLUMNS} FROM {CANDIDATE_FROM} \
             WHERE c.product_id = $1 ORDER BY c.batch_id DESC LIMIT 1"
        ))
        .bind(product_id),
    )
    .await
}

/// What a candidate list is filtered by; `None` is no filter.
#[derive(Clone, Debug, Default)]
pub struct CandidateFilter {
    /// Only candidates with this final outcome (or none yet).
    pub outcome: Option<OutcomeIs>,
    /// Only candidates in this region subtree (a region code prefix range).
    pub region: Option<RegionCode>,
    pub enterprise: Option<String>,
    pub check_status: Option<String>,
    pub field: Option<String>,
    pub passed: Option<bool>,
    /// Computed candidates only.
    pub computed: bool,
}

/// A candidate's final outcome to filter by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeIs {
    Identified,
    NotIdentified,
    /// Not announced yet.
    Pending,
}

/// The candidates of a batch that match, by product id.
pub async fn candidates(
    ex: &impl Exec,
    batch_id: i64,
    f: &CandidateFilter,
) -> Result<Vec<Candidate>, StoreError> {
    candidates_page(ex, batch_id, f, None).await
}

/// The candidates of a batch that match, by product id: all, or a keyset page of `limit` after
/// the product id `after` (an export reads a large batch page by page).
pub async fn candidates_page(
    ex: &impl Exec,
    batch_id: i64,
    f: &CandidateFilter,
    page: Option<(i64, i64)>,
) -> Result<Vec<Candidate>, StoreError> {
    let mut sql = format!("SELECT {CANDIDATE_COLUMNS} FROM {CANDIDATE_FROM} WHERE c.batch_id = $1");
    let mut params: Vec<crate::db::Param> = vec![batch_id.into()];
    let mut push = |sql: &mut String, cond: &str, p: crate::db::Param| {
        params.push(p);
        sql.push_str(&cond.replace('?', &format!("${}", params.len())));
    };
    if let Some(r) = f.region {
        let (lo, hi) = r.subtree();
        push(&mut sql, " AND c.region >= ?", i64::from(lo).into());
        push(&mut sql, " AND c.region <= ?", i64::from(hi).into());
    }
    if let Some(e) = &f.enterprise {
        push(&mut sql, " AND e.credit_code = ?", e.clone().into());
    }
    if let Some(s) = &f.check_status {
        push(&mut sql, " AND c.check_status = ?", s.clone().into());
    }
    if let Some(field) = &f.field {
        push(&mut sql, " AND r.field = ?", field.clone().into());
    }
    if let Some(p) = f.passed {
        push(&mut sql, " AND r.passed = ?", p.into());
    }
    if f.computed {
        sql.push_str(" AND r.result IS NOT NULL");
    }
    sql.push_str(match f.outcome {
        None => "",
        Some(OutcomeIs::Identified) => " AND c.outcome = 'identified'",
        Some(OutcomeIs::NotIdentified) => " AND c.outcome = 'not_identified'",
        Some(OutcomeIs::Pending) => " AND c.outcome IS NULL",
    });
    if let Some((after, _)) = page {
        push(&mut sql, " AND c.product_id > ?", after.into());
    }
    sql.push_str(" ORDER BY c.product_id");
    if let Some((_, limit)) = page {
        push(&mut sql, " LIMIT ?", limit.into());
    }
    let mut q = Sql::new(sql);
    for p in params {
        q.push_param(p);
    }
    ex.fetch_all(q).await
}

/// The formal check's decision on a pending or decided candidate at `version`; the rows
/// changed (0 when the version is stale).
#[allow(clippy::too_many_arguments)]
pub async fn check(
    ex: &impl Exec,
    batch_id: i64,
    product_id: i64,
    version: i64,
    status: &str,
    reason: Option<&str>,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_candidates SET check_status = $1, check_reason = $2, \
             checked_by = $3, checked_at = $4, version = version + 1 \
             WHERE batch_id = $5 AND product_id = $6 AND version = $7",
        )
        .bind(status)
        .bind(reason)
        .bind(by)
        .bind(now)
        .bind(batch_id)
        .bind(product_id)
        .bind(version),
    )
    .await
}

/// How many candidates of the batch wait for the formal check.
pub async fn pending_count(ex: &impl Exec, batch_id: i64) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "SELECT COUNT(*) FROM identification_candidates \
             WHERE batch_id = $1 AND check_status = 'pending'",
        )
        .bind(batch_id),
    )
    .await
}

/// The SELECT that reads a batch's inputs from the registration tables: every product
/// registered on `$4` (31 December of the year `$2`) with its patent counts, its figures of `$2`
/// and `$3` (the year before) and whether its annual update of `$2` is approved. `$1` is the
/// batch.
fn inputs_select(backend: Backend) -> String {
    let in_force = "t.grant_date IS NOT NULL AND t.grant_date <= $4 \
                    AND (t.legal_status = 'valid' OR t.status_since > $4)";
    let registered = "p.registered_on IS NOT NULL AND p.registered_on <= $4 \
                      AND (p.withdrawn_on IS NULL OR p.withdrawn_on > $4)";
    let columns = "$1 AS batch_id, p.id AS product_id, p.region AS region, p.field AS industry";
    let figures = "f.sales_revenue AS sales_revenue, g.sales_revenue AS prior_sales_revenue, \
                   f.ip_investment AS ip_investment, f.export_value AS export_value, \
                   COALESCE(u.status = 'approved', FALSE) AS update_approved";
    let joins = "LEFT JOIN product_figures f ON f.product_id = p.id AND f.year = $2 \
                 LEFT JOIN product_figures g ON g.product_id = p.id AND g.year = $3 \
                 LEFT JOIN annual_updates u ON u.product_id = p.id AND u.year = $2";
    match backend {
        // The three patent counts in one pass over the links whose patent is in force on `$4`
        // (granted by then, and valid, or lapsed or transferred only after it), grouped by
        // product; a product without one has none of them. Every other table is joined by the
        // product's key (the update too, instead of a lookup a product), and the products are
        // read from `products_registered_inputs` (migration 47), not from their rows.
        // National scale (2.4 million registered products, 9.7 million links, 5.1 million
        // patents): 83 s with the counts grouped over every product and every link, then
        // joined; 35 s so, with [`settle_for_inputs`].
        Backend::Postgres => format!(
            "SELECT {columns}, \
             COALESCE(c.valid_patents, 0) AS valid_patents, \
             COALESCE(c.invention_patents, 0) AS invention_patents, \
             COALESCE(c.core_patents, 0) AS core_patents, {figures} \
             FROM products p \
             LEFT JOIN (SELECT pp.product_id AS product_id, COUNT(*) AS valid_patents, \
                   COUNT(CASE WHEN t.patent_type = 'invention' THEN 1 END) AS invention_patents, \
                   COUNT(CASE WHEN pp.core THEN 1 END) AS core_patents \
                   FROM product_patents pp JOIN patents t ON t.id = pp.patent_id \
                   WHERE {in_force} GROUP BY pp.product_id) c ON c.product_id = p.id \
             {joins} WHERE {registered}"
        ),
        // SQLite has no hash join: the grouping above is materialised and joined back through
        // an index built for the statement (the floor at province scale 0.60 → 1.48 s). So
        // one nested loop in the products' key order instead — each registered product (from
        // `products_registered_inputs`), its links, their patents when in force, its figures
        // and update by key — grouped as it goes, nothing sorted or materialised. The figures
        // and the update are one row a product (unique by product and year): SQLite takes
        // such a column of a group as it is.
        Backend::Sqlite => format!(
            "SELECT {columns}, COUNT(t.id) AS valid_patents, \
             COUNT(CASE WHEN t.patent_type = 'invention' THEN 1 END) AS invention_patents, \
             COUNT(CASE WHEN pp.core AND t.id IS NOT NULL THEN 1 END) AS core_patents, \
             {figures} \
             FROM products p \
             LEFT JOIN product_patents pp ON pp.product_id = p.id \
             LEFT JOIN patents t ON t.id = pp.patent_id AND {in_force} \
             {joins} WHERE {registered} GROUP BY p.id"
        ),
    }
}

/// The settings of a transaction that reads a batch's inputs (the freeze, and the floor it is
/// measured against). On PostgreSQL, for the transaction: memory enough for the hash tables of
/// the whole nation's links and figures (512 MB each; at 4 MB the links' grouping spilled 450 MB
/// to disk in each of three processes), no JIT (1.5–3 s of compiling a run), and no parallel
/// workers (each built the same grouping of every link again: 48 s with two against 41 s
/// alone). On SQLite, for the connection until [`unsettle_for_inputs`]: a page cache of up to
/// [`INPUTS_CACHE_KIB`] instead of the default 2 MiB (a batch's computation keeps it until it
/// commits: its results are written faster with it too).
pub async fn settle_for_inputs(tx: &Tx) -> Result<(), StoreError> {
    match tx.backend() {
        Backend::Postgres => {
            tx.execute(Sql::new(
                "SELECT set_config('work_mem', '512MB', true), set_config('jit', 'off', true), \
                 set_config('max_parallel_workers_per_gather', '0', true)",
            ))
            .await?;
        }
        Backend::Sqlite => {
            tx.execute(Sql::new(format!("PRAGMA cache_size = -{INPUTS_CACHE_KIB}")))
                .await?;
        }
    }
    Ok(())
}

/// The page cache (KiB) of a SQLite connection while it reads a batch's inputs. With SQLite's
/// default of 2 MiB, the freeze — a statement that writes while it reads every registered
/// product's links and patents at random — had its dirty pages crowd every page it read out of
/// the cache and read each one from the file again at every lookup: 5 GB of reads and
/// 1.1–1.25 s for a province's freeze (122,000 products), 0.6–0.7 s with this cache; the SELECT
/// alone takes 0.55 s either way. Only for those transactions: a cache this size on each of the
/// server's eight connections doubled its memory under load (604 MB against 277).
const INPUTS_CACHE_KIB: u32 = 65_536;

/// SQLite's default page cache back on the connection after [`settle_for_inputs`] (the pages
/// over it are freed; those the transaction has written stay until it ends). Nothing on
/// PostgreSQL, whose settings end with the transaction. A statement that fails in between
/// leaves the larger cache on that connection: a bound of 64 MiB, not a leak.
pub async fn unsettle_for_inputs(tx: &Tx) -> Result<(), StoreError> {
    if tx.backend() == Backend::Sqlite {
        tx.execute(Sql::new("PRAGMA cache_size = -2000")).await?;
    }
    Ok(())
}

/// Freezes the inputs of a batch: one row per product registered (approved, not withdrawn) on
/// `year_end`, with its figures of `year` and `year − 1` and its linked patents in force on
/// `year_end` (granted by then, and valid, or lapsed or transferred only after it): the rows of
/// [`inputs_select`]. Done by the database in one statement, nothing held in memory; written in
/// product order (the order the computation reads them back in, by their key), in a transaction
/// its caller has settled with [`settle_for_inputs`]. The rows written.
pub async fn freeze_inputs(
    tx: &Tx,
    batch_id: i64,
    year: i32,
    year_end: &str,
) -> Result<u64, StoreError> {
    tx.execute(
        Sql::new(format!(
            "INSERT INTO identification_inputs (batch_id, product_id, region, industry, \
             valid_patents, invention_patents, core_patents, sales_revenue, prior_sales_revenue, \
             ip_investment, export_value, update_approved) {} ORDER BY p.id",
            inputs_select(tx.backend())
        ))
        .bind(batch_id)
        .bind(i64::from(year))
        .bind(i64::from(year) - 1)
        .bind(year_end),
    )
    .await
}

/// Reads the same inputs as [`freeze_inputs`] once, under the same settings, and writes
/// nothing: the floor a batch's computation is measured against. Every column of every row is
/// consumed (summed by the database into one checksum, so that no engine can skip a column's
/// join).
pub async fn read_inputs_once(tx: &Tx, year: i32, year_end: &str) -> Result<InputSums, StoreError> {
    settle_for_inputs(tx).await?;
    let sums = tx
        .fetch_one(
            Sql::new(format!(
                "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(length(industry) + region \
                 + valid_patents + invention_patents + core_patents \
                 + COALESCE(sales_revenue, 0) + COALESCE(prior_sales_revenue, 0) \
                 + COALESCE(ip_investment, 0) + COALESCE(export_value, 0) \
                 + CASE WHEN update_approved THEN 1 ELSE 0 END), 0) AS TEXT) AS checksum \
                 FROM ({}) AS i",
                inputs_select(tx.backend())
            ))
            .bind(0i64)
            .bind(i64::from(year))
            .bind(i64::from(year) - 1)
            .bind(year_end),
        )
        .await?;
    unsettle_for_inputs(tx).await?;
    Ok(sums)
}

/// What [`read_inputs_once`] read: the rows, and the sum of every column (as text: a sum of
/// BIGINT is NUMERIC on PostgreSQL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputSums {
    pub rows: i64,
    pub checksum: String,
}

impl FromDbRow for InputSums {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(InputSums {
            rows: row.get("n")?,
            checksum: row.get("checksum")?,
        })
    }
}

/// One frozen input row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub product_id: i64,
    pub region: i64,
    pub industry: String,
    pub valid_patents: i64,
    pub invention_patents: i64,
    pub core_patents: i64,
    pub sales_revenue: Option<i64>,
    pub prior_sales_revenue: Option<i64>,
    pub ip_investment: Option<i64>,
    pub export_value: Option<i64>,
    pub update_approved: bool,
}

impl FromDbRow for Input {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Input {
            product_id: row.get("product_id")?,
            region: row.get("region")?,
            industry: row.get("industry")?,
            valid_patents: row.get("valid_patents")?,
            invention_patents: row.get("invention_patents")?,
            core_patents: row.get("core_patents")?,
            sales_revenue: row.get("sales_revenue")?,
            prior_sales_revenue: row.get("prior_sales_revenue")?,
            ip_investment: row.get("ip_investment")?,
            export_value: row.get("export_value")?,
            update_approved: row.get("update_approved")?,
        })
    }
}

const INPUT_COLUMNS: &str = "i.product_id, i.region, i.industry, i.valid_patents, \
    i.invention_patents, i.core_patents, i.sales_revenue, i.prior_sales_revenue, \
    i.ip_investment, i.export_value, i.update_approved";

/// A page of the frozen inputs after product `after`, by product id (keyset paging).
pub async fn inputs_page(
    ex: &impl Exec,
    batch_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<Input>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {INPUT_COLUMNS} FROM identification_inputs i \
             WHERE i.batch_id = $1 AND i.product_id > $2 ORDER BY i.product_id LIMIT $3"
        ))
        .bind(batch_id)
        .bind(after)
        .bind(limit),
    )
    .await
}

/// A frozen input as the line the batch's digest reads, rendered by the database: its columns
/// in [`Input`]'s order as decimal integers and text, separated by `|`, an absent amount as
/// nothing, `update_approved` as `1` or `0` (the service's `canonical_line` renders the same
/// bytes from an [`Input`]; a test holds the two together on both engines).
const CANONICAL_LINE: &str = "CAST(product_id AS TEXT) || '|' || CAST(region AS TEXT) || '|' \
    || industry || '|' || CAST(valid_patents AS TEXT) || '|' \
    || CAST(invention_patents AS TEXT) || '|' || CAST(core_patents AS TEXT) || '|' \
    || COALESCE(CAST(sales_revenue AS TEXT), '') || '|' \
    || COALESCE(CAST(prior_sales_revenue AS TEXT), '') || '|' \
    || COALESCE(CAST(ip_investment AS TEXT), '') || '|' \
    || COALESCE(CAST(export_value AS TEXT), '') || '|' \
    || CASE WHEN update_approved THEN '1' ELSE '0' END";

/// A page of a batch's frozen inputs as one text: their canonical lines (see
/// [`CANONICAL_LINE`]), each ended by a newline, in product order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalPage {
    /// The rows in the page.
    pub rows: i64,
    /// The last product of the page (where the next one starts).
    pub last: i64,
    pub lines: String,
}

/// The frozen inputs of a batch after product `after`, at most `limit`, as one text of
/// canonical lines joined by the database: one row a page instead of one a product (reading
/// 122,000 inputs row by row through the SQLite driver, each of its twelve values copied and
/// each row handed from the driver's thread, took 0.7 s; most of a batch's time after the
/// freeze). `None` past the last.
pub async fn canonical_inputs_page(
    ex: &impl Exec,
    batch_id: i64,
    after: i64,
    limit: i64,
) -> Result<Option<CanonicalPage>, StoreError> {
    let join = ex.backend().text_agg();
    let page: Option<CanonicalPage> = ex
        .fetch_optional(
            Sql::new(format!(
                "SELECT COUNT(*) AS n, MAX(product_id) AS last, \
                 {join}(line, $4 ORDER BY product_id) AS lines FROM \
                 (SELECT product_id, {CANONICAL_LINE} AS line FROM identification_inputs \
                  WHERE batch_id = $1 AND product_id > $2 ORDER BY product_id LIMIT $3) AS i \
                 HAVING COUNT(*) > 0"
            ))
            .bind(batch_id)
            .bind(after)
            .bind(limit)
            .bind("\n"),
        )
        .await?;
    Ok(page.map(|mut p| {
        p.lines.push('\n');
        p
    }))
}

impl FromDbRow for CanonicalPage {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(CanonicalPage {
            rows: row.get("n")?,
            last: row.get("last")?,
            lines: row.get("lines")?,
        })
    }
}

/// A page of the frozen inputs of the batch's candidates not returned in the formal check.
pub async fn candidate_inputs_page(
    ex: &impl Exec,
    batch_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<Input>, StoreError> {
    ex.fetch_all(
        Sql::new(format!(
            "SELECT {INPUT_COLUMNS} FROM identification_inputs i \
             JOIN identification_candidates c ON c.batch_id = i.batch_id \
             AND c.product_id = i.product_id \
             WHERE i.batch_id = $1 AND c.check_status <> 'returned' AND i.product_id > $2 \
             ORDER BY i.product_id LIMIT $3"
        ))
        .bind(batch_id)
        .bind(after)
        .bind(limit),
    )
    .await
}

/// Marks the batch frozen with its digest and input count.
pub async fn set_frozen(
    ex: &impl Exec,
    batch_id: i64,
    count: i64,
    digest: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_batches SET frozen_at = $1, inputs_count = $2, \
             inputs_digest = $3 WHERE id = $4",
        )
        .bind(now)
        .bind(count)
        .bind(digest)
        .bind(batch_id),
    )
    .await
}

/// Marks the batch computed.
pub async fn set_computed(
    ex: &impl Exec,
    batch_id: i64,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE identification_batches SET status = CASE WHEN status = 'open' \
             THEN 'computed' ELSE status END, computed_at = $1, \
             computed_by = $2, version = version + 1 WHERE id = $3",
        )
        .bind(now)
        .bind(by)
        .bind(batch_id),
    )
    .await
}

/// Replaces the batch's benchmarks.
pub async fn clear_benchmarks(ex: &impl Exec, batch_id: i64) -> Result<u64, StoreError> {
    ex.execute(Sql::new("DELETE FROM identification_benchmarks WHERE batch_id = $1").bind(batch_id))
        .await
}

pub async fn insert_benchmark(
    ex: &impl Exec,
    batch_id: i64,
    field: &str,
    measure: &str,
    value: &str,
    population: i64,
) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO identification_benchmarks (batch_id, field, measure, value, population) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(batch_id)
        .bind(field)
        .bind(measure)
        .bind(value)
        .bind(population),
    )
    .await?;
    Ok(())
}

/// One stored benchmark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBenchmark {
    pub field: String,
    pub measure: String,
    pub value: String,
    pub population: i64,
}

impl FromDbRow for StoredBenchmark {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(StoredBenchmark {
            field: row.get("field")?,
            measure: row.get("measure")?,
            value: row.get("value")?,
            population: row.get("population")?,
        })
    }
}

pub async fn benchmarks(ex: &impl Exec, batch_id: i64) -> Result<Vec<StoredBenchmark>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT field, measure, value, population FROM identification_benchmarks \
             WHERE batch_id = $1 ORDER BY field, measure",
        )
        .bind(batch_id),
    )
    .await
}

/// One candidate's computed evaluation, as [`insert_results`] writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRow {
    pub product_id: i64,
    pub field: String,
    pub passed: bool,
    pub result: String,
}

/// The columns of `identification_results` in their order.
const RESULT_COLUMNS: &[&str] = &["batch_id", "product_id", "field", "passed", "result"];

/// Writes many candidates' computed evaluations into the insert-only results table (migration
/// 45) inside `tx`: one `COPY … FROM STDIN` on PostgreSQL, multi-row INSERTs on SQLite (the
/// bulk path of [`crate::bulk`]). The candidates' own rows, and their six indexes, are not
/// touched. The rows written.
pub async fn insert_results(
    tx: &crate::Tx,
    batch_id: i64,
    rows: Vec<ResultRow>,
) -> Result<u64, StoreError> {
    let mut b = crate::bulk::Batch::new("identification_results", RESULT_COLUMNS);
    for r in rows {
        b.push(vec![
            batch_id.into(),
            r.product_id.into(),
            r.field.into(),
            r.passed.into(),
            r.result.into(),
        ]);
    }
    b.flush(tx).await
}

/// The batch's candidates approved in the formal check, by product id: what computing the
/// batch evaluates (a batch is computed once none is pending). Read as text, `LIVE_AT_ONCE` ids a statement joined by the database (one row, not one a
/// candidate: 110,000 rows through the SQLite driver took a fifth of a second).
pub async fn live_candidates(ex: &impl Exec, batch_id: i64) -> Result<Vec<i64>, StoreError> {
    const LIVE_AT_ONCE: i64 = 50_000;
    let join = ex.backend().text_agg();
    let mut ids = Vec::new();
    loop {
        let after = ids.last().copied().unwrap_or(0);
        let page: Option<String> = ex
            .fetch_optional(
                Sql::new(format!(
                    "SELECT {join}(CAST(product_id AS TEXT), ',' ORDER BY product_id) FROM \
                     (SELECT product_id FROM identification_candidates WHERE batch_id = $1 \
                      AND check_status = 'approved' AND product_id > $2 \
                      ORDER BY product_id LIMIT $3) AS c HAVING COUNT(*) > 0"
                ))
                .bind(batch_id)
                .bind(after)
                .bind(LIVE_AT_ONCE),
            )
            .await?;
        let Some(page) = page else { break };
        let before = ids.len();
        for id in page.split(',') {
            ids.push(id.parse().map_err(|_| {
                StoreError::Corrupt(format!("identification batch {batch_id}: candidate {id:?}"))
            })?);
        }
        if ((ids.len() - before) as i64) < LIVE_AT_ONCE {
            break;
        }
    }
    Ok(ids)
}

/// Clears the computed results of a batch (before computing it again).
pub async fn clear_results(ex: &impl Exec, batch_id: i64) -> Result<u64, StoreError> {
    ex.execute(Sql::new("DELETE FROM identification_results WHERE batch_id = $1").bind(batch_id))
        .await
}
