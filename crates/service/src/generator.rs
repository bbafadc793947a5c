//! `zhichan demo --scale`: synthetic but well-formed data at small, province or national scale,
//! deterministic for a seed — skewed enterprise sizes (many small firms, a few with hundreds of
//! products), Zipf-like fields, provinces weighted, patents shared between products, a share of
//! lapsed patents, several years of figures; every credit code and patent number valid. Loaded
//! through the bulk path (`COPY` on PostgreSQL, multi-row INSERTs on SQLite, large
//! transactions), then the statistics rollups rebuilt once; or written as CSV files of the very
//! same rows, for measuring an engine's own import against it.

use crate::{ServiceError, ServiceResult, Services};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;
use zhichan_domain::credit_code::check_char;
use zhichan_domain::enterprises::parse_date;
use zhichan_domain::patent_number::check_char12;
use zhichan_domain::patents::{LegalStatus, PatentRight};
use zhichan_domain::registration::ProductStatus;
use zhichan_domain::{IndustryCode, Money, PatentNumber, RegionCode, Timestamp};
use zhichan_store::bulk::{self, Batch};
use zhichan_store::patents::Patent;
use zhichan_store::products::{Figures, Link, Product};
use zhichan_store::{Exec, Param, Sql};

/// How much data to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Small,
    Province,
    National,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "small" => Some(Scale::Small),
            "province" => Some(Scale::Province),
            "national" => Some(Scale::National),
            _ => None,
        }
    }

    /// Enterprises to make (products ≈ 3 ×, patent links ≈ 10 ×, yearly figures ≈ 9 ×).
    pub fn enterprises(self) -> usize {
        match self {
            Scale::Small => 2_000,
            Scale::Province => 50_000,
            Scale::National => 1_000_000,
        }
    }
}

/// What a run made, and how fast.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Generated {
    pub enterprises: usize,
    pub patents: usize,
    pub products: usize,
    pub links: usize,
    pub figures: usize,
    /// Approved annual updates of [`UPDATE_YEAR`] (what an identification batch of that year
    /// needs of its candidates).
    pub updates: usize,
    /// Writing the rows (and, into a database, its ids and registration serials).
    pub load_seconds: f64,
    /// Rebuilding the statistics rollups afterwards.
    pub rollup_seconds: f64,
    /// Refreshing the query planner's statistics last.
    pub analyze_seconds: f64,
    /// The whole run.
    pub seconds: f64,
}

impl Generated {
    /// Rows written in all tables.
    pub fn rows(&self) -> usize {
        self.enterprises + self.patents + self.products + self.links + self.figures + self.updates
    }
}

const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Relative weights of the provinces with the most registrations; every other counts 1.
const PROVINCE_WEIGHTS: &[(u32, u32)] = &[
    (440000, 12),
    (320000, 11),
    (330000, 10),
    (370000, 7),
    (110000, 6),
    (310000, 6),
    (510000, 5),
    (420000, 5),
    (350000, 5),
    (410000, 4),
    (430000, 4),
    (340000, 4),
    (360000, 3),
];

/// Every column of the tables the generator fills, in the tables' own order (so that the CSV
/// files it can write are what `sqlite3 .import` and `psql \copy` read without a column list).
pub const ENTERPRISE_COLUMNS: &[&str] = &[
    "id",
    "credit_code",
    "name",
    "region",
    "address",
    "scale",
    "ownership",
    "industry",
    "contact_name",
    "contact_phone",
    "contact_email",
    "created_at",
    "updated_at",
    "version",
];
pub const PATENT_COLUMNS: &[&str] = &[
    "id",
    "enterprise_id",
    "number",
    "patent_type",
    "title",
    "patentees",
    "grant_date",
    "legal_status",
    "patent_right",
    "licence_record",
    "status_since",
    "created_at",
    "updated_at",
    "version",
];
pub const PRODUCT_COLUMNS: &[&str] = &[
    "id",
    "enterprise_id",
    "region",
    "name",
    "model",
    "field",
    "description",
    "first_sold_on",
    "status",
    "registration_number",
    "submitted_at",
    "reviewed_at",
    "reviewed_by",
    "return_reason",
    "created_at",
    "updated_at",
    "version",
    "registered_on",
    "withdrawn_on",
    "document",
];
pub const LINK_COLUMNS: &[&str] = &["product_id", "patent_id", "core", "embodiment"];
pub const FIGURE_COLUMNS: &[&str] = &[
    "product_id",
    "year",
    "sales_revenue",
    "output_value",
    "export_value",
    "profit",
    "ip_investment",
];

pub const UPDATE_COLUMNS: &[&str] = &[
    "id",
    "product_id",
    "region",
    "year",
    "sales_revenue",
    "output_value",
    "export_value",
    "profit",
    "ip_investment",
    "still_sold",
    "status",
    "submitted_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "return_reason",
    "version",
];

/// The year of the generated figures' last annual update: every product registered by its end
/// and not withdrawn has one, approved, except one in ten (never filed), so that an
/// identification batch of that year has candidates and products that are not.
pub const UPDATE_YEAR: i32 = 2025;

/// The tables in load order (parents first), with their columns.
pub const TABLES: &[(&str, &[&str])] = &[
    ("enterprises", ENTERPRISE_COLUMNS),
    ("patents", PATENT_COLUMNS),
    ("products", PRODUCT_COLUMNS),
    ("product_patents", LINK_COLUMNS),
    ("product_figures", FIGURE_COLUMNS),
    ("annual_updates", UPDATE_COLUMNS),
];

/// Enterprises per transaction (with their patents, products, links and figures).
const ENTERPRISES_PER_SLICE: usize = 5_000;

/// Where the rows go.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// Into the database: COPY on PostgreSQL, multi-row INSERTs on SQLite, one transaction per
    /// slice; then the ids, registration serials and statistics rollups are brought up to date.
    Database,
    /// Into `TABLE.csv` files in a folder (every column, table order, no header), and nothing
    /// into the database, which only lends its reference data.
    Csv(&'a std::path::Path),
}

fn base31(mut n: u64, len: usize) -> String {
    let mut out = vec![b'0'; len];
    for slot in out.iter_mut().rev() {
        *slot = CHARSET[(n % 31) as usize];
        n /= 31;
    }
    String::from_utf8(out).expect("ascii")
}

/// Writes each batch to its CSV file.
struct CsvFiles(Vec<std::io::BufWriter<std::fs::File>>);

impl CsvFiles {
    fn create(dir: &std::path::Path) -> ServiceResult<CsvFiles> {
        std::fs::create_dir_all(dir).map_err(io_error)?;
        let mut files = Vec::new();
        for (table, _) in TABLES {
            let f = std::fs::File::create(dir.join(format!("{table}.csv"))).map_err(io_error)?;
            files.push(std::io::BufWriter::with_capacity(1 << 20, f));
        }
        Ok(CsvFiles(files))
    }
}

fn io_error(e: std::io::Error) -> ServiceError {
    ServiceError::Conflict(format!("无法写入 CSV 文件：{e}"))
}

impl Services {
    /// Makes synthetic data at `scale` into an empty business database (reference data loaded).
    pub async fn generate(&self, scale: Scale, seed: u64) -> ServiceResult<Generated> {
        self.generate_into(scale, seed, Target::Database).await
    }

    /// Makes synthetic data at `scale` into the database or into CSV files. The same scale and
    /// seed make the same rows either way.
    pub async fn generate_into(
        &self,
        scale: Scale,
        seed: u64,
        target: Target<'_>,
    ) -> ServiceResult<Generated> {
        let started = std::time::Instant::now();
        let db = self.db();
        if let Target::Database = target {
            let existing: i64 = db
                .fetch_one(Sql::new("SELECT COUNT(*) FROM enterprises"))
                .await?;
            if existing > 0 {
                return Err(ServiceError::Conflict(
                    "数据库中已有企业数据：合成数据只写入空库".into(),
                ));
            }
        }
        let mut csv = match target {
            Target::Csv(dir) => Some(CsvFiles::create(dir)?),
            Target::Database => None,
        };
        let mut rng = StdRng::seed_from_u64(seed);
        // Counties, weighted by province (a province-scale run stays in 江西).
        let counties: Vec<i64> = db
            .fetch_all(Sql::new(
                "SELECT code FROM regions WHERE level = 'county' AND active ORDER BY code",
            ))
            .await?;
        let counties: Vec<(i64, u32)> = counties
            .into_iter()
            .filter(|c| scale == Scale::National || c / 10_000 == 36)
            .map(|c| {
                let p = (c / 10_000 * 10_000) as u32;
                let w = PROVINCE_WEIGHTS
                    .iter()
                    .find(|(x, _)| *x == p)
                    .map_or(1, |(_, w)| *w);
                (c, w)
            })
            .collect();
        let total_weight: u32 = counties.iter().map(|(_, w)| w).sum();
        let fields: Vec<String> = db
            .fetch_all(Sql::new(
                "SELECT code FROM industries WHERE level = 'division' AND active AND section = 'C' \
                 ORDER BY code",
            ))
            .await?;
        // The classes (小类) of each of those divisions, as products name them.
        let classes: Vec<String> = db
            .fetch_all(Sql::new(
                "SELECT code FROM industries WHERE level = 'class' AND active AND section = 'C' \
                 ORDER BY code",
            ))
            .await?;
        let classes_of: Vec<Vec<&str>> = fields
            .iter()
            .map(|d| {
                classes
                    .iter()
                    .filter(|c| c.starts_with(d.as_str()))
                    .map(String::as_str)
                    .collect()
            })
            .collect();
        // Zipf over the manufacturing divisions: field k has weight 1/(k+1); then one of the
        // division's classes, evenly (a division without classes is named itself).
        let zipf: Vec<f64> = (0..fields.len()).map(|k| 1.0 / (k as f64 + 1.0)).collect();
        let zipf_total: f64 = zipf.iter().sum();
        let pick_field = |rng: &mut StdRng| {
            let mut x = rng.gen::<f64>() * zipf_total;
            let k = zipf
                .iter()
                .position(|w| {
                    x -= w;
                    x <= 0.0
                })
                .unwrap_or(0);
            match classes_of[k].as_slice() {
                [] => fields[k].clone(),
                some => some[rng.gen_range(0..some.len())].to_string(),
            }
        };
        let now = self.now();
        let now_text = now.to_string();
        let mut g = Generated::default();
        let mut batches: Vec<Batch> = TABLES
            .iter()
            .map(|(table, columns)| Batch::new(table, columns))
            .collect();
        let (mut patent_id, mut product_id) = (0i64, 0i64);
        let mut serial_by_region: std::collections::HashMap<(i64, i32), u32> = Default::default();
        let n = scale.enterprises();
        let mut in_slice = 0;
        for e in 0..n {
            let id = e as i64 + 1;
            let mut x = rng.gen_range(0..total_weight);
            let county = counties
                .iter()
                .find(|(_, w)| {
                    if x < *w {
                        true
                    } else {
                        x -= w;
                        false
                    }
                })
                .map_or(counties[0].0, |(c, _)| *c);
            let first17 = format!("91{county:06}{}", base31(id as u64, 9));
            let code = format!(
                "{first17}{}",
                check_char(&first17).expect("valid characters")
            );
            // Skewed sizes: most firms register one to three products, a few hundreds (about
            // three on average).
            let products_here = {
                let u: f64 = rng.gen_range(0.0001..1.0);
                ((1.0 / u.powf(0.75)).floor() as usize).clamp(1, 400)
            };
            let scale_code = match products_here {
                0..=2 => "micro",
                3..=9 => "small",
                10..=49 => "medium",
                _ => "large",
            };
            let industry = pick_field(&mut rng);
            let name = format!("合成企业{id:07}有限公司");
            batches[0].push(vec![
                id.into(),
                code.as_str().into(),
                name.as_str().into(),
                county.into(),
                format!("合成地址 {id}").into(),
                scale_code.into(),
                "private".into(),
                industry.into(),
                "联系人".into(),
                "0791-88888888".into(),
                format!("e{id}@example.cn").into(),
                now_text.as_str().into(),
                now_text.as_str().into(),
                1i64.into(),
            ]);
            // Patents of the enterprise: fewer than its products' links, so they are shared.
            let patents_here = (products_here * 3).div_ceil(2).max(1);
            // As the products' documents name them.
            let mut owned: Vec<Patent> = Vec::with_capacity(patents_here);
            for _ in 0..patents_here {
                patent_id += 1;
                let kind = [1u8, 2, 3][rng.gen_range(0..3)];
                let year = rng.gen_range(2012..=2024);
                let first12 = format!("{year}{kind}{:07}", patent_id % 10_000_000);
                let number = format!("ZL{first12}.{}", check_char12(&first12).expect("digits"));
                let lapsed = rng.gen_bool(0.08);
                let granted = format!("{}-06-01", year + 1);
                owned.push(Patent {
                    id: patent_id,
                    enterprise_id: id,
                    number: PatentNumber::parse(&number).expect("a valid number"),
                    title: "一种合成装置".into(),
                    patentees: vec![name.clone()],
                    grant_date: parse_date(&granted),
                    legal_status: if lapsed {
                        LegalStatus::Lapsed
                    } else {
                        LegalStatus::Valid
                    },
                    right: PatentRight::Own,
                    licence_record: String::new(),
                    status_since: now,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                });
                batches[1].push(vec![
                    patent_id.into(),
                    id.into(),
                    number.into(),
                    ["invention", "utility_model", "design"][usize::from(kind - 1)].into(),
                    "一种合成装置".into(),
                    name.as_str().into(),
                    granted.into(),
                    if lapsed { "lapsed" } else { "valid" }.into(),
                    "own".into(),
                    "".into(),
                    now_text.as_str().into(),
                    now_text.as_str().into(),
                    now_text.as_str().into(),
                    1i64.into(),
                ]);
            }
            for k in 0..products_here {
                product_id += 1;
                let field = pick_field(&mut rng);
                let reg_year = rng.gen_range(2022..=2026);
                let reg_month = rng.gen_range(1..=if reg_year == 2026 { 10 } else { 12 });
                let registered = format!("{reg_year}-{reg_month:02}-15");
                let withdrawn = rng.gen_bool(0.03).then(|| format!("{reg_year}-12-20"));
                let status = if withdrawn.is_some() {
                    "withdrawn"
                } else {
                    "approved"
                };
                let serial = serial_by_region.entry((county, reg_year)).or_insert(0);
                *serial += 1;
                let number = format!("BA{reg_year}{county:06}{serial:06}");
                let submitted = format!("{registered}T01:00:00.000Z");
                let reviewed = format!("{registered}T02:00:00.000Z");
                // Three patents on average, drawn from the enterprise's own (shared).
                let links_here = rng.gen_range(1..=6).min(patents_here);
                let start = rng.gen_range(0..patents_here);
                // The first drawn is the core patent; links read back in patent order.
                let mut linked: Vec<(usize, bool)> = (0..links_here)
                    .map(|j| ((start + j) % patents_here, j == 0))
                    .collect();
                linked.sort_unstable();
                // The year before registration and every annual update since: 10 thousand to
                // 50 million yuan of sales, in fen.
                let figures: Vec<Figures> = (reg_year - 1..=2025)
                    .map(|year| {
                        let sales: i64 = rng.gen_range(1_000_000..5_000_000_000);
                        Figures {
                            year,
                            sales_revenue: Money::from_fen(sales),
                            output_value: Money::from_fen(sales + sales / 10),
                            export_value: Some(Money::from_fen(sales / rng.gen_range(3..20))),
                            profit: Some(Money::from_fen(sales / rng.gen_range(8..30))),
                            ip_investment: Some(Money::from_fen(sales / rng.gen_range(30..100))),
                        }
                    })
                    .collect();
                let product = Product {
                    id: product_id,
                    enterprise_id: id,
                    enterprise_code: code.clone(),
                    region: RegionCode::parse(&county.to_string()).expect("a county"),
                    name: format!("合成产品{product_id}"),
                    model: format!("M-{k}"),
                    field: IndustryCode::parse(&field).expect("an industry"),
                    description: String::new(),
                    first_sold_on: None,
                    status: if withdrawn.is_some() {
                        ProductStatus::Withdrawn
                    } else {
                        ProductStatus::Approved
                    },
                    registration_number: Some(number.clone()),
                    submitted_at: Timestamp::parse(&submitted),
                    reviewed_at: Timestamp::parse(&reviewed),
                    reviewed_by: Some("generator".into()),
                    return_reason: withdrawn.as_ref().map(|_| "停产".to_string()),
                    registered_on: parse_date(&registered),
                    withdrawn_on: withdrawn.as_deref().and_then(parse_date),
                    links: linked
                        .iter()
                        .map(|&(i, core)| Link {
                            patent_id: owned[i].id,
                            core,
                            embodiment: "合成".into(),
                        })
                        .collect(),
                    figures,
                    patents: Vec::new(),
                    amendment: None,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                let view = crate::products::ProductView {
                    enterprise: code.clone(),
                    patents: linked
                        .iter()
                        .zip(&product.links)
                        .map(|(&(i, _), l)| (owned[i].clone(), l.clone()))
                        .collect(),
                    product,
                };
                let document = view.document();
                batches[2].push(vec![
                    product_id.into(),
                    id.into(),
                    county.into(),
                    format!("合成产品{product_id}").into(),
                    format!("M-{k}").into(),
                    field.into(),
                    "".into(),
                    Param::from(None::<String>),
                    status.into(),
                    number.into(),
                    submitted.into(),
                    reviewed.into(),
                    "generator".into(),
                    Param::from(withdrawn.as_ref().map(|_| "停产".to_string())),
                    now_text.as_str().into(),
                    now_text.as_str().into(),
                    1i64.into(),
                    registered.into(),
                    Param::from(withdrawn),
                    document.into(),
                ]);
                for l in &view.product.links {
                    batches[3].push(vec![
                        product_id.into(),
                        l.patent_id.into(),
                        l.core.into(),
                        l.embodiment.as_str().into(),
                    ]);
                }
                g.links += links_here;
                for f in &view.product.figures {
                    batches[4].push(vec![
                        product_id.into(),
                        i64::from(f.year).into(),
                        f.sales_revenue.fen().into(),
                        f.output_value.fen().into(),
                        f.export_value.map(Money::fen).into(),
                        f.profit.map(Money::fen).into(),
                        f.ip_investment.map(Money::fen).into(),
                    ]);
                    g.figures += 1;
                }
                // The annual update of UPDATE_YEAR, filed in January and approved, with that
                // year's figures (none for a product withdrawn or registered after it).
                let filed = product_id % 10 != 0;
                let current = view.product.withdrawn_on.is_none() && reg_year <= UPDATE_YEAR;
                if let (true, true, Some(f)) = (
                    filed,
                    current,
                    view.product.figures.iter().find(|f| f.year == UPDATE_YEAR),
                ) {
                    g.updates += 1;
                    let at = format!("{}-01-20T02:00:00.000Z", UPDATE_YEAR + 1);
                    batches[5].push(vec![
                        (g.updates as i64).into(),
                        product_id.into(),
                        county.into(),
                        i64::from(UPDATE_YEAR).into(),
                        f.sales_revenue.fen().into(),
                        f.output_value.fen().into(),
                        f.export_value.map_or(0, Money::fen).into(),
                        f.profit.map_or(0, Money::fen).into(),
                        f.ip_investment.map_or(0, Money::fen).into(),
                        true.into(),
                        "approved".into(),
                        "generator".into(),
                        at.as_str().into(),
                        "generator".into(),
                        at.as_str().into(),
                        Param::from(None::<String>),
                        1i64.into(),
                    ]);
                }
            }
            g.patents += patents_here;
            g.products += products_here;
            g.enterprises += 1;
            in_slice += 1;
            if in_slice == ENTERPRISES_PER_SLICE || e + 1 == n {
                in_slice = 0;
                // Parents before children, one transaction per slice.
                match &mut csv {
                    Some(files) => {
                        for (b, f) in batches.iter_mut().zip(files.0.iter_mut()) {
                            b.write_csv(f).map_err(io_error)?;
                        }
                    }
                    None => {
                        let tx = db.begin().await?;
                        for b in &mut batches {
                            b.flush(&tx).await?;
                        }
                        tx.commit().await?;
                    }
                }
                if (e + 1) % 100_000 == 0 {
                    tracing::info!(
                        enterprises = e + 1,
                        rows = g.rows(),
                        seconds = started.elapsed().as_secs(),
                        "generating"
                    );
                }
            }
        }
        if let Some(files) = csv {
            for mut f in files.0 {
                f.flush().map_err(io_error)?;
            }
            g.load_seconds = started.elapsed().as_secs_f64();
            g.seconds = g.load_seconds;
            return Ok(g);
        }
        let tx = db.begin().await?;
        for table in ["enterprises", "patents", "products", "annual_updates"] {
            bulk::advance_ids(&tx, table).await?;
        }
        for (year_region, last) in &serial_by_region {
            tx.execute(
                Sql::new(
                    "INSERT INTO registration_serials (year, region, last) VALUES ($1, $2, $3) \
                     ON CONFLICT (year, region) DO UPDATE SET last = $3",
                )
                .bind(i64::from(year_region.1))
                .bind(year_region.0)
                .bind(i64::from(*last)),
            )
            .await?;
        }
        tx.commit().await?;
        g.load_seconds = started.elapsed().as_secs_f64();
        let tx = db.begin().await?;
        zhichan_store::stats::rebuild(&tx).await?;
        tx.commit().await?;
        g.rollup_seconds = started.elapsed().as_secs_f64() - g.load_seconds;
        bulk::analyze(db).await?;
        g.seconds = started.elapsed().as_secs_f64();
        g.analyze_seconds = g.seconds - g.load_seconds - g.rollup_seconds;
        Ok(g)
    }
}
