//! What `zhichan bench dashboards` measures: each statistics query of the dashboards read from
//! the rollups, against the same answer counted by a naive GROUP BY over the base tables, for the
//! nation, its busiest province and its busiest county — timed in this process on the same pool,
//! with the answers compared. The HTTP half of the benchmark is `bench/run`'s.

use crate::{ServiceResult, Services};
use serde::Serialize;
use std::time::Instant;
use zhichan_domain::RegionCode;
use zhichan_store::rule_versions::IDENTIFICATION_METHODS;
use zhichan_store::stats::{self, Row};
use zhichan_store::{Exec, Sql};

/// One query at one region: its rollup and naive timings and whether their answers agree.
#[derive(Clone, Debug, Serialize)]
pub struct QueryTiming {
    /// `summary`, `breakdown_region`, `breakdown_field` or `breakdown_month`.
    pub query: &'static str,
    /// `nation`, `province` or `county`.
    pub scope: &'static str,
    pub region: String,
    pub rollup: Percentiles,
    pub naive: Percentiles,
    /// Naive median over rollup median.
    pub speedup: f64,
    /// The rollups answer exactly what the base tables say.
    pub agree: bool,
}

/// Milliseconds at the median and the 95th percentile of several runs.
#[derive(Clone, Debug, Serialize)]
pub struct Percentiles {
    pub runs: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of the durations (seconds).
    pub fn of(mut seconds: Vec<f64>) -> Percentiles {
        seconds.sort_by(f64::total_cmp);
        let at = |q: f64| {
            if seconds.is_empty() {
                return 0.0;
            }
            let rank = ((q * seconds.len() as f64).ceil() as usize).clamp(1, seconds.len());
            seconds[rank - 1] * 1000.0
        };
        Percentiles {
            runs: seconds.len(),
            p50_ms: at(0.50),
            p95_ms: at(0.95),
        }
    }
}

/// What the HTTP half needs to ask realistic questions of this data set.
#[derive(Clone, Debug, Serialize)]
pub struct Sample {
    pub province: String,
    pub city: String,
    pub county: String,
    /// The field with the most products in the city.
    pub field: String,
    pub max_product_id: i64,
    pub products: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dashboards {
    pub backend: &'static str,
    pub sample: Sample,
    pub queries: Vec<QueryTiming>,
}

struct Key(i64);
impl zhichan_store::FromDbRow for Key {
    fn from_row(row: &zhichan_store::DbRow) -> Result<Self, zhichan_store::StoreError> {
        Ok(Key(row.get("region")?))
    }
}

/// Rows as a comparable list: what counts, ordered by key (zero rows left out: a rollup keeps a
/// region whose products were all withdrawn, with zeros).
fn normal(mut rows: Vec<Row>) -> Vec<Row> {
    rows.retain(|r| r.products != 0 || r.registered != 0 || r.withdrawn != 0);
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    rows
}

impl Services {
    /// The busiest region of a level (most registered products), from the rollups.
    async fn busiest(&self, level: &str, within: RegionCode) -> ServiceResult<RegionCode> {
        let (lo, hi) = within.subtree();
        let k: Option<Key> = self
            .db()
            .fetch_optional(
                Sql::new(
                    "SELECT region FROM stat_regions WHERE level = $1 AND region BETWEEN $2 AND $3 \
                     ORDER BY products DESC, region LIMIT 1",
                )
                .bind(level)
                .bind(i64::from(lo))
                .bind(i64::from(hi)),
            )
            .await?;
        Ok(k.and_then(|k| RegionCode::from_u32(k.0 as u32))
            .unwrap_or(within))
    }

    /// Times every dashboard query `runs` times from the rollups and `naive_runs` times by a
    /// naive GROUP BY, at the nation, its busiest province and that province's busiest county.
    pub async fn bench_dashboards(
        &self,
        runs: usize,
        naive_runs: usize,
    ) -> ServiceResult<Dashboards> {
        let db = self.db();
        let province = self.busiest("province", RegionCode::NATION).await?;
        let city = self.busiest("city", province).await?;
        let county = self.busiest("county", province).await?;
        let field: Option<String> = stats::by_field(db, city)
            .await?
            .into_iter()
            .next()
            .map(|r| r.key);
        let max_product_id: i64 = db
            .fetch_one(Sql::new("SELECT COALESCE(MAX(id), 0) FROM products"))
            .await?;
        let sample = Sample {
            province: province.to_string(),
            city: city.to_string(),
            county: county.to_string(),
            field: field.unwrap_or_default(),
            max_product_id,
            products: stats::summary(db, RegionCode::NATION).await?.products,
        };
        let mut queries = Vec::new();
        for (scope, region) in [
            ("nation", RegionCode::NATION),
            ("province", province),
            ("county", county),
        ] {
            queries.push(
                timed(
                    "summary",
                    scope,
                    region,
                    runs,
                    naive_runs,
                    || async {
                        let a = stats::summary(db, region).await?;
                        Ok(vec![summary_row(a)])
                    },
                    || async {
                        let a = stats::direct_summary(db, region).await?;
                        Ok(vec![summary_row(a)])
                    },
                )
                .await?,
            );
            if scope != "county" {
                queries.push(
                    timed(
                        "breakdown_region",
                        scope,
                        region,
                        runs,
                        naive_runs,
                        || stats::by_region(db, region),
                        || stats::direct_by_region(db, region),
                    )
                    .await?,
                );
            }
            queries.push(
                timed(
                    "breakdown_field",
                    scope,
                    region,
                    runs,
                    naive_runs,
                    || stats::by_field(db, region),
                    || stats::direct_by_field(db, region),
                )
                .await?,
            );
            queries.push(
                timed(
                    "breakdown_month",
                    scope,
                    region,
                    runs,
                    naive_runs,
                    || stats::by_month(db, region),
                    || stats::direct_by_month(db, region),
                )
                .await?,
            );
        }
        Ok(Dashboards {
            backend: db.backend().name(),
            sample,
            queries,
        })
    }
}

fn summary_row(s: stats::Summary) -> Row {
    Row {
        key: String::new(),
        enterprises: s.enterprises,
        products: s.products,
        patents: s.patents,
        sales_revenue: s.sales_revenue,
        registered: 0,
        withdrawn: 0,
    }
}

async fn timed<F, Fut, G, Gut>(
    query: &'static str,
    scope: &'static str,
    region: RegionCode,
    runs: usize,
    naive_runs: usize,
    rollup: F,
    naive: G,
) -> ServiceResult<QueryTiming>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Row>, zhichan_store::StoreError>>,
    G: Fn() -> Gut,
    Gut: std::future::Future<Output = Result<Vec<Row>, zhichan_store::StoreError>>,
{
    // One untimed call each warms the connection's statement cache.
    let fast_answer = normal(rollup().await?);
    let slow_answer = normal(naive().await?);
    let mut fast = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        rollup().await?;
        fast.push(t.elapsed().as_secs_f64());
    }
    let mut slow = Vec::with_capacity(naive_runs);
    for _ in 0..naive_runs.max(1) {
        let t = Instant::now();
        naive().await?;
        slow.push(t.elapsed().as_secs_f64());
    }
    let (rollup, naive) = (Percentiles::of(fast), Percentiles::of(slow));
    Ok(QueryTiming {
        query,
        scope,
        region: region.to_string(),
        speedup: naive.p50_ms / rollup.p50_ms.max(1e-6),
        rollup,
        naive,
        agree: fast_answer == slow_answer,
    })
}

#[cfg(test)]
mod tests {
    use super::Percentiles;

    #[test]
    fn percentiles_are_nearest_rank() {
        let p = Percentiles::of((1..=20).map(|n| n as f64 / 1000.0).rev().collect());
        assert_eq!(p.runs, 20);
        assert!((p.p50_ms - 10.0).abs() < 1e-9);
        assert!((p.p95_ms - 19.0).abs() < 1e-9);
        assert_eq!(Percentiles::of(vec![0.002]).p95_ms, 2.0);
    }
}

/// What `zhichan bench batch` measures: one identification batch of the generated figures' year
/// computed with every eligible product opted in (registered, its annual update of the year
/// approved), against reading the same inputs once.
#[derive(Clone, Debug, Serialize)]
pub struct BatchTiming {
    pub backend: &'static str,
    pub year: i32,
    /// Products registered on 31 December of the year (the frozen inputs every benchmark is
    /// taken over).
    pub inputs: i64,
    /// Products opted in, each with its formal check approved.
    pub candidates: i64,
    /// Candidates whose patent evaluation passed.
    pub passed: i64,
    /// (field, measure) benchmarks written.
    pub benchmarks: i64,
    /// Opting every eligible product in (one INSERT … SELECT; not part of the computation).
    pub opt_in_seconds: f64,
    /// The first computation: freezing the inputs, digesting them, the benchmarks, every
    /// candidate's evaluation written, in one transaction.
    pub seconds: f64,
    /// Reading the same inputs once (the freeze's SELECT, every column summed, nothing written).
    pub floor_seconds: f64,
    /// `seconds` over `floor_seconds`.
    pub ratio: f64,
}

impl Services {
    /// Opens a batch of [`crate::generator::UPDATE_YEAR`] under the starter method (loaded if
    /// missing), opts in every eligible product with its formal check approved, reads the inputs
    /// once (the floor), then computes the batch as `username` (a national administrator) and
    /// times both.
    pub async fn bench_batch(
        &self,
        ctx: &crate::Ctx,
        username: &str,
    ) -> ServiceResult<BatchTiming> {
        use zhichan_store::identification_batches as batches;
        let db = self.db();
        let user = zhichan_store::users::by_username(db, username)
            .await?
            .ok_or(crate::ServiceError::NotFound)?;
        let actor = crate::accounts::actor_of(&user);
        let (method_id, _) = self.load_starter_method(ctx).await?;
        let version =
            zhichan_store::rule_versions::versions(db, &IDENTIFICATION_METHODS, method_id)
                .await?
                .into_iter()
                .find(|v| v.published())
                .map(|v| v.version)
                .ok_or(crate::ServiceError::NotFound)?;
        let year = crate::generator::UPDATE_YEAR;
        let now = self.now();
        // Closed yesterday: computable today.
        let closed = (now.beijing_date() - time::Duration::days(1)).to_string();
        let id = batches::create(db, year, method_id, version, &closed, username, now).await?;
        let started = Instant::now();
        let candidates = db
            .execute(
                Sql::new(
                    "INSERT INTO identification_candidates (batch_id, product_id, region, \
                     enterprise_id, opted_in_by, opted_in_at, check_status, checked_by, \
                     checked_at, version) \
                     SELECT $1, p.id, p.region, p.enterprise_id, $2, $3, 'approved', $2, $3, 1 \
                     FROM products p WHERE p.status = 'approved' AND EXISTS (SELECT 1 FROM \
                     annual_updates a WHERE a.product_id = p.id AND a.year = $4 \
                     AND a.status = 'approved') ORDER BY p.id",
                )
                .bind(id)
                .bind(username)
                .bind(now)
                .bind(i64::from(year)),
            )
            .await? as i64;
        let opt_in_seconds = started.elapsed().as_secs_f64();
        let year_end = format!("{year}-12-31");
        let started = Instant::now();
        let tx = db.begin().await?;
        let read = batches::read_inputs_once(&tx, year, &year_end).await?;
        tx.commit().await?;
        let floor_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let view = self.compute_batch(&actor, ctx, id).await?;
        let seconds = started.elapsed().as_secs_f64();
        let inputs = view.batch.inputs_count.unwrap_or(0);
        if inputs != read.rows {
            return Err(crate::ServiceError::Conflict(format!(
                "the batch froze {inputs} inputs, the floor read {}",
                read.rows
            )));
        }
        let passed: i64 = db
            .fetch_one(
                Sql::new(
                    "SELECT COUNT(*) FROM identification_results WHERE batch_id = $1 AND passed",
                )
                .bind(id),
            )
            .await?;
        let benchmarks = batches::benchmarks(db, id).await?.len() as i64;
        Ok(BatchTiming {
            backend: db.backend().name(),
            year,
            inputs,
            candidates,
            passed,
            benchmarks,
            opt_in_seconds,
            seconds,
            floor_seconds,
            ratio: seconds / floor_seconds.max(1e-9),
        })
    }
}

/// What `zhichan bench awards` measures: a dry run of an award rule over every enterprise of
/// the nation (the whole data set), against reading the same facts once.
#[derive(Clone, Debug, Serialize)]
pub struct AwardsTiming {
    pub backend: &'static str,
    pub year: i32,
    /// Enterprises evaluated.
    pub enterprises: u64,
    /// Enterprises the rule gives an amount.
    pub eligible: u64,
    /// The sum of those amounts (yuan, exact).
    pub total: String,
    /// The dry run: the facts read and every enterprise evaluated.
    pub seconds: f64,
    /// Reading the facts the rule needs once (the same queries, nothing evaluated); the
    /// smaller of a read before and one after the dry run.
    pub floor_seconds: f64,
    /// `seconds` over `floor_seconds`.
    pub ratio: f64,
}

impl Services {
    /// Dry-runs a per-registered-product rule of the nation (a draft, never saved) for
    /// [`crate::generator::UPDATE_YEAR`] as `username` (a national administrator), between two
    /// reads of the same facts.
    pub async fn bench_awards(&self, username: &str) -> ServiceResult<AwardsTiming> {
        use zhichan_domain::awards::AwardRule;
        let db = self.db();
        let user = zhichan_store::users::by_username(db, username)
            .await?
            .ok_or(crate::ServiceError::NotFound)?;
        let actor = crate::accounts::actor_of(&user);
        let year = crate::generator::UPDATE_YEAR;
        // Every enterprise's products and patents are read (the facts of a per-item rule);
        // the policy is never looked up by a dry run.
        let rule: AwardRule = serde_json::from_value(serde_json::json!({
            "name": "基准测试：备案专利产品奖励",
            "policy": 1,
            "clause": "第一条",
            "region": "100000",
            "effective_on": format!("{}-01-01", year - 1),
            "pattern": "per_item",
            "item": "registered_products",
            "amount": "1000",
            "cap": "30000",
        }))
        .map_err(|e| crate::ServiceError::Conflict(format!("the bench rule: {e}")))?;
        let whose = zhichan_store::awards::Whose::Within(RegionCode::NATION);
        let read_once = || async {
            let started = Instant::now();
            let t = self
                .read_facts(whose, year, std::slice::from_ref(&rule))
                .await?;
            ServiceResult::Ok((started.elapsed().as_secs_f64(), t.enterprises.len()))
        };
        let (before, read) = read_once().await?;
        let started = Instant::now();
        let d = self
            .dry_run_award_rule(&actor, rule.clone(), None, year)
            .await?;
        let seconds = started.elapsed().as_secs_f64();
        let (after, _) = read_once().await?;
        if d.evaluated != read as u64 {
            return Err(crate::ServiceError::Conflict(format!(
                "the dry run evaluated {} enterprises, the floor read {read}",
                d.evaluated
            )));
        }
        let floor_seconds = before.min(after);
        Ok(AwardsTiming {
            backend: db.backend().name(),
            year,
            enterprises: d.evaluated,
            eligible: d.eligible,
            total: d.total.to_string(),
            seconds,
            floor_seconds,
            ratio: seconds / floor_seconds.max(1e-9),
        })
    }
}
