//! `zhichan`: one binary that serves the platform and administers it.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;
use zhichan_server::Settings;
use zhichan_service::Services;

/// mimalloc instead of glibc's allocator: a request makes hundreds of small allocations (headers,
/// rows, strings, JSON), and glibc's arenas spent about a third of a request's instructions on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "zhichan",
    version,
    about = "知产：专利产品备案与知识产权公共服务平台 (patent product registration and IP public services)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct DbArg {
    /// Database URL: sqlite://FILE (created if missing) or postgres://USER@HOST/DB
    #[arg(long = "db", env = "ZHICHAN_DB", default_value = "sqlite://zhichan.db")]
    url: String,
}

/// Who runs the site, shown in every page's footer (each line only when set).
#[derive(clap::Args)]
struct SiteArgs {
    /// 主办单位: the unit that runs the site
    #[arg(long, env = "ZHICHAN_SITE_SPONSOR", default_value = "")]
    site_sponsor: String,
    /// 联系电话: its telephone
    #[arg(long, env = "ZHICHAN_SITE_PHONE", default_value = "")]
    site_phone: String,
    /// ICP备案号, as issued (e.g. 赣ICP备12345678号)
    #[arg(long, env = "ZHICHAN_SITE_ICP", default_value = "")]
    site_icp: String,
    /// 公安备案号, as issued (e.g. 赣公网安备36010002000001号)
    #[arg(long, env = "ZHICHAN_SITE_PSB", default_value = "")]
    site_psb: String,
}

impl SiteArgs {
    fn info(self) -> zhichan_server::web::SiteInfo {
        zhichan_server::web::SiteInfo {
            sponsor: self.site_sponsor.trim().to_string(),
            phone: self.site_phone.trim().to_string(),
            icp: self.site_icp.trim().to_string(),
            psb: self.site_psb.trim().to_string(),
        }
    }
}

/// How large an uploaded workbook or csv may be (see README, "Uploads").
#[derive(clap::Args)]
struct UploadArgs {
    /// Rows of data a sheet or csv may have below its header
    #[arg(long, env = "ZHICHAN_UPLOAD_MAX_ROWS", default_value_t = 20_000)]
    upload_max_rows: u32,
    /// Columns a sheet or csv may use
    #[arg(long, env = "ZHICHAN_UPLOAD_MAX_COLUMNS", default_value_t = 50)]
    upload_max_columns: u32,
    /// MiB an xlsx may inflate to (all its parts together, and each)
    #[arg(long, env = "ZHICHAN_UPLOAD_MAX_UNZIPPED_MIB", default_value_t = 50)]
    upload_max_unzipped_mib: u64,
    /// MiB reading one upload may keep in memory
    #[arg(long, env = "ZHICHAN_UPLOAD_MAX_MEMORY_MIB", default_value_t = 64)]
    upload_max_memory_mib: u64,
}

impl UploadArgs {
    fn limits(&self) -> zhichan_service::uploads::UploadLimits {
        zhichan_service::uploads::UploadLimits {
            max_rows: self.upload_max_rows,
            max_columns: self.upload_max_columns,
            max_unzipped_bytes: self.upload_max_unzipped_mib * 1024 * 1024,
            max_memory_bytes: self.upload_max_memory_mib * 1024 * 1024,
            ..Default::default()
        }
    }
}

/// Where messages to people's phones and mailboxes go (see README, "Message delivery").
#[derive(clap::Args)]
struct DeliveryArgs {
    /// SMTP relay for e-mail (host name of the intranet mail server); unset: no SMTP
    #[arg(long, env = "ZHICHAN_SMTP_HOST")]
    smtp_host: Option<String>,
    /// Its port
    #[arg(long, env = "ZHICHAN_SMTP_PORT", default_value_t = 25)]
    smtp_port: u16,
    /// none (plain, a relay on a trusted network) or starttls (required)
    #[arg(long, env = "ZHICHAN_SMTP_SECURITY", default_value = "none")]
    smtp_security: String,
    /// Sign-in name at the relay (only with starttls)
    #[arg(long, env = "ZHICHAN_SMTP_USERNAME")]
    smtp_username: Option<String>,
    /// Its password (only with starttls; prefer the environment variable)
    #[arg(long, env = "ZHICHAN_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// The sender, e.g. "知产平台 <noreply@ip.example.gov.cn>"
    #[arg(
        long,
        env = "ZHICHAN_SMTP_FROM",
        default_value = "zhichan <noreply@localhost>"
    )]
    smtp_from: String,
    /// PEM file of the CA that issued the relay's certificate, trusted besides the system's
    #[arg(long, env = "ZHICHAN_SMTP_CA_FILE")]
    smtp_ca_file: Option<std::path::PathBuf>,
    /// SMS gateway URL taking an HTTP POST of {"to","text"}; unset: no SMS gateway
    #[arg(long, env = "ZHICHAN_SMS_GATEWAY_URL")]
    sms_gateway_url: Option<String>,
    /// Bearer token for the SMS gateway (prefer the environment variable)
    #[arg(long, env = "ZHICHAN_SMS_GATEWAY_TOKEN", hide_env_values = true)]
    sms_gateway_token: Option<String>,
    /// Directory that receives one file per message for a channel with no SMTP relay or
    /// gateway (`serve --demo` uses ./zhichan-outbox when nothing is configured)
    #[arg(long, env = "ZHICHAN_SPOOL_DIR")]
    spool_dir: Option<std::path::PathBuf>,
    /// Attempts before a message is given up as failed
    #[arg(long, env = "ZHICHAN_DELIVERY_MAX_ATTEMPTS", default_value_t = 5)]
    delivery_max_attempts: i64,
    /// Seconds between the worker's looks for messages due
    #[arg(long, env = "ZHICHAN_DELIVERY_INTERVAL_SECS", default_value_t = 5)]
    delivery_interval_secs: u64,
}

impl DeliveryArgs {
    fn settings(self, demo: bool) -> anyhow::Result<zhichan_service::delivery::DeliverySettings> {
        use zhichan_service::delivery::{DeliverySettings, GatewaySettings, Retry, SmtpSettings};
        anyhow::ensure!(
            self.delivery_max_attempts >= 1,
            "--delivery-max-attempts 至少为 1"
        );
        let nothing = self.smtp_host.is_none() && self.sms_gateway_url.is_none();
        let spool_dir = match self.spool_dir {
            Some(d) => Some(d),
            None if demo && nothing => Some(std::path::PathBuf::from("zhichan-outbox")),
            None => None,
        };
        Ok(DeliverySettings {
            smtp: match self.smtp_host {
                Some(host) => Some(SmtpSettings {
                    host,
                    port: self.smtp_port,
                    security: self
                        .smtp_security
                        .parse()
                        .map_err(|e: String| anyhow::anyhow!(e))?,
                    username: self.smtp_username,
                    password: self.smtp_password,
                    from: self.smtp_from,
                    ca_file: self.smtp_ca_file,
                }),
                None => None,
            },
            sms_gateway: self.sms_gateway_url.map(|url| GatewaySettings {
                url,
                token: self.sms_gateway_token,
            }),
            spool_dir,
            retry: Retry {
                max_attempts: self.delivery_max_attempts,
                ..Retry::default()
            },
            interval: std::time::Duration::from_secs(self.delivery_interval_secs.max(1)),
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the API
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on
        #[arg(long, env = "ZHICHAN_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Fill an empty database with a small demo data set and print the demo logins
        #[arg(long)]
        demo: bool,
        /// Trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy in front
        #[arg(long, env = "ZHICHAN_TRUST_PROXY")]
        trust_proxy: bool,
        #[command(flatten)]
        uploads: UploadArgs,
        #[command(flatten)]
        site: SiteArgs,
        #[command(flatten)]
        delivery: Box<DeliveryArgs>,
        /// Directory of the policy search index (a cache of the database, rebuilt when missing
        /// or out of step); by default beside the SQLite file (FILE.search), or
        /// ./zhichan-search for PostgreSQL
        #[arg(long, env = "ZHICHAN_SEARCH_INDEX")]
        search_index: Option<std::path::PathBuf>,
    },
    /// Apply the database migrations and load the reference data, then exit
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Manage user accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Issue bearer tokens for API clients
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Work with the audit log
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Open an office's management port on the operator's authority (when a platform is set up;
    /// afterwards provinces apply and the national administrator decides in the web UI)
    Port {
        #[command(subcommand)]
        command: PortCommand,
    },
    /// Fill an empty database with synthetic, well-formed data at a scale (for benchmarks)
    Demo {
        #[command(flatten)]
        db: DbArg,
        /// small (2,000 enterprises), province (50,000) or national (1,000,000)
        #[arg(long)]
        scale: String,
        /// The same seed makes the same data
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write the rows as TABLE.csv files into this folder instead of the database (every
        /// column in table order, no header: what `sqlite3 .import` and `psql \copy` read)
        #[arg(long, value_name = "DIR")]
        csv: Option<std::path::PathBuf>,
        /// Print what was made as one JSON object instead of a sentence
        #[arg(long)]
        json: bool,
        /// Only the policy library's share of the scale (500 / 10,000 / 100,000 policies), the
        /// very policies a full run of the scale and seed writes, and nothing else: for
        /// measuring the search without loading the enterprises (`bench/run --only
        /// policy-search`)
        #[arg(long, conflicts_with = "csv")]
        policies_only: bool,
    },
    /// Measure the platform (used by bench/run; see the README's performance section)
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Generate reports
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Patent-intensive product identification (专利密集型产品认定)
    Identification {
        #[command(subcommand)]
        command: IdentificationCommand,
    },
    /// The policy library (政策库)
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Award rules (奖补规则，免申即享)
    Awards {
        #[command(subcommand)]
        command: AwardsCommand,
    },
}

#[derive(Subcommand)]
enum AwardsCommand {
    /// Load a rule file (TOML; the project ships seed 001's 抚州 rules in
    /// data/awards/fuzhou.toml): each rule not yet present is created and published; the policy
    /// it cites must be in the library already
    Load {
        #[command(flatten)]
        db: DbArg,
        /// The rule file
        path: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Import policies from text files as found (a portal listing or one document each); a
    /// policy already in the library (same own 文号, or the same text) is not saved twice
    Import {
        #[command(flatten)]
        db: DbArg,
        /// The region the policies belong to (GB/T 2260 code; the nation by default)
        #[arg(long, default_value = "100000")]
        region: String,
        /// Print one JSON object per policy found, with every extracted field and the warnings
        #[arg(long)]
        json: bool,
        /// The text files (UTF-8)
        #[arg(required = true)]
        paths: Vec<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum IdentificationCommand {
    /// Load and publish the starter identification method, labelled 示例方法，非国家标准 (an
    /// example to start from: GB/T 46961-2025's indicators are not public here); nothing when
    /// it is loaded already
    LoadStarter {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Time a search of the policy library through its index (brought in step first) against
    /// a naive SQL LIKE over the same text; print JSON
    Policies {
        #[command(flatten)]
        db: DbArg,
        /// The search index's directory (by default a fresh one beside the database)
        #[arg(long)]
        search_index: Option<std::path::PathBuf>,
        /// The words searched for
        #[arg(long, default_value = "专利质押 中小企业")]
        query: String,
        /// Timed runs through the index
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Timed runs of the naive LIKE
        #[arg(long, default_value_t = 5)]
        naive_runs: usize,
    },
    /// Time each dashboard query from the rollups against a naive GROUP BY over the base
    /// tables, for the nation, its busiest province and county; print JSON
    Dashboards {
        #[command(flatten)]
        db: DbArg,
        /// Timed runs of each rollup query
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Timed runs of each naive query
        #[arg(long, default_value_t = 5)]
        naive_runs: usize,
    },
    /// Dry-run an award rule of the nation over every enterprise (as the user `--username`, a
    /// national administrator), against reading the same facts once; print JSON
    Awards {
        #[command(flatten)]
        db: DbArg,
        /// The national administrator who runs the dry run
        #[arg(long)]
        username: String,
    },
    /// Compute an identification batch of the generated figures' year with every eligible
    /// product opted in (as the user `--username`, a national administrator), against reading
    /// the same inputs once; print JSON
    Batch {
        #[command(flatten)]
        db: DbArg,
        /// The national administrator who computes the batch
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum PortCommand {
    /// Open the port of a region (and of its province, if needed)
    Open {
        #[command(flatten)]
        db: DbArg,
        /// GB/T 2260 code of the region
        #[arg(long)]
        region: String,
        /// The office, e.g. 江西省知识产权局
        #[arg(long)]
        unit: String,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Generate and store the monthly report (月度通报) of every region for a month (the server
    /// does this on the 1st for the previous month); a new version when one exists
    Monthly {
        #[command(flatten)]
        db: DbArg,
        /// The month, YYYY-MM
        #[arg(long)]
        month: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a verified account (the password is read from standard input)
    Add {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
        /// enterprise, reviewer, admin, expert, university, service, sysadmin, secadmin, auditor
        #[arg(long)]
        role: String,
        /// GB/T 2260 region code (100000 for the nation); required for admin
        #[arg(long)]
        region: Option<String>,
        /// 统一社会信用代码 of the enterprise; required for enterprise
        #[arg(long)]
        enterprise: Option<String>,
        /// The person's name, shown in the interface
        #[arg(long, default_value = "")]
        display_name: String,
        /// The person's own mobile number or e-mail address, where a password reset's one-time
        /// setup code goes
        #[arg(long)]
        contact: Option<String>,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new bearer token for a user on standard output, and nothing else
    Issue {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
        /// Days until it expires (1 to 365)
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// What the token is for
        #[arg(long, default_value = "命令行签发")]
        label: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit log's SM3 hash chain; exit 1 naming the first broken entry
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
    /// Move entries past the retention period into the archive (the server does this daily)
    Archive {
        #[command(flatten)]
        db: DbArg,
    },
}

/// A service error as one or more sentences for the operator.
fn describe(e: zhichan_service::ServiceError) -> anyhow::Error {
    use zhichan_service::ServiceError as E;
    match e {
        E::Invalid(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|f| format!("{}：{}", f.field, f.violation.message_zh))
                .collect::<Vec<_>>()
                .join("；")
        ),
        E::NotFound => anyhow::anyhow!("没有这个用户"),
        E::Conflict(m) => anyhow::anyhow!("{m}"),
        other => anyhow::anyhow!("{other}"),
    }
}

fn init_logging() {
    let filter = EnvFilter::try_from_env("ZHICHAN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("ZHICHAN_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init();
    } else {
        builder.init();
    }
}

/// The 抚州 award rules of seed 001, as shipped.
const FUZHOU_AWARDS: &str = include_str!("../../../data/awards/fuzhou.toml");

fn print_award_load(report: &zhichan_service::awards::LoadReport) {
    for (id, name) in &report.loaded {
        println!("已载入并发布奖补规则 {name}（编号 {id}）");
    }
    for (id, name) in &report.present {
        println!("奖补规则已存在 {name}（编号 {id}），未重复载入");
    }
    println!(
        "奖补规则：新载入 {} 条，已存在 {} 条；未纳入的条款 {} 项（见规则文件 left_out）",
        report.loaded.len(),
        report.present.len(),
        report.left_out.len()
    );
}

/// The demo tells the 抚州 firms what they are entitled to and leaves one application confirmed
/// (by the 东乡 firm), so that the office's payouts page is not empty.
async fn demo_payouts(services: &Services) -> anyhow::Result<()> {
    let firm = zhichan_service::demo::DEMO_LOGINS
        .iter()
        .find(|l| l.username == "dongxiang")
        .and_then(|l| l.firm)
        .map(zhichan_service::demo::demo_firm_credit_code);
    if let Some(code) = firm {
        println!(
            "{}",
            services
                .demo_payouts(&code, "dongxiang")
                .await
                .map_err(describe)?
        );
    }
    Ok(())
}

/// The demo loads the 抚州 award rules once the policy they cite is in the library.
async fn demo_awards(services: &Services) -> anyhow::Result<()> {
    match services
        .load_award_rules(&zhichan_service::Ctx::cli(), FUZHOU_AWARDS)
        .await
    {
        Ok(report) => print_award_load(&report),
        Err(zhichan_service::ServiceError::Invalid(errs)) => {
            for e in errs {
                println!("奖补规则未载入：{}", e.violation.message_zh);
            }
        }
        Err(e) => return Err(describe(e)),
    }
    Ok(())
}

/// Where the search index lives unless told: beside the SQLite file, or in the working directory.
fn default_search_dir(url: &str) -> std::path::PathBuf {
    let file = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|f| f.split('?').next().unwrap_or(f))
        .filter(|f| !f.is_empty() && *f != ":memory:");
    match file {
        Some(f) => std::path::PathBuf::from(format!("{f}.search")),
        None => std::path::PathBuf::from("zhichan-search"),
    }
}

/// The real policy texts the demo imports (`ZHICHAN_SEEDS_DIR`, or `shared/seeds` beside the
/// working directory or one of its ancestors), so that the library is not empty; already
/// imported ones are not imported again.
async fn demo_policies(services: &Services) -> anyhow::Result<()> {
    let cwd = std::env::current_dir()?;
    let dir = std::env::var_os("ZHICHAN_SEEDS_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            cwd.ancestors()
                .map(|a| a.join("shared/seeds"))
                .find(|p| p.is_dir())
        });
    let Some(dir) = dir else {
        println!("政策库：未找到政策原文目录（shared/seeds 或 ZHICHAN_SEEDS_DIR），未导入");
        return Ok(());
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let (mut saved, mut found) = (0, 0);
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let outcomes = services
            .import_policies_as_operator(
                &zhichan_service::Ctx::cli(),
                &text,
                zhichan_domain::RegionCode::NATION,
            )
            .await
            .map_err(describe)?;
        found += outcomes.len();
        saved += outcomes.iter().filter(|o| o.saved.is_some()).count();
    }
    println!(
        "政策库：从 {} 读到 {found} 份政策，新导入 {saved} 份",
        dir.display()
    );
    Ok(())
}

async fn open(url: &str) -> anyhow::Result<zhichan_store::Db> {
    let db = zhichan_store::Db::connect(url).await?;
    zhichan_store::migrate::run(&db).await?;
    for d in zhichan_store::reference::load(&db).await? {
        if d.reloaded {
            tracing::info!(dataset = d.name, version = %d.version, rows = d.rows, "reference data loaded");
        }
    }
    Ok(db)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate { db } => {
            let database = open(&db.url).await?;
            let counts = zhichan_store::regions::count_by_level(&database).await?;
            println!(
                "数据库已就绪（{}，结构版本 {}）",
                database.backend().name(),
                zhichan_store::migrate::latest_version()
            );
            for (level, n) in counts {
                println!("  {}行政区划 {n} 个", level.label_zh());
            }
            database.close().await;
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    role,
                    region,
                    enterprise,
                    display_name,
                    contact,
                    password_stdin,
                },
        } => {
            if !password_stdin {
                anyhow::bail!(
                    "请用 --password-stdin 从标准输入提供密码（避免密码出现在命令历史中）"
                );
            }
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("无法读取标准输入")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            let database = open(&db.url).await?;
            let services = Services::new(database.clone());
            let user = services
                .create_user_by_operator(zhichan_service::accounts::NewAccount {
                    username,
                    display_name,
                    role,
                    region,
                    enterprise,
                    password: Some(password),
                    contact,
                })
                .await
                .map_err(describe)?;
            println!("已创建用户 {}（{}）", user.username, user.role.label_zh());
            database.close().await;
            Ok(())
        }
        Command::Token {
            command:
                TokenCommand::Issue {
                    db,
                    username,
                    days,
                    label,
                },
        } => {
            let database = open(&db.url).await?;
            let token = Services::new(database.clone())
                .issue_token(&username, days, &label)
                .await
                .map_err(describe)?;
            println!("{token}");
            database.close().await;
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => {
            let database = open(&db.url).await?;
            let v = Services::new(database.clone())
                .audit_verify()
                .await
                .map_err(describe)?;
            database.close().await;
            match v.broken {
                None => {
                    println!("审计日志完整：共 {} 条，哈希链无断裂", v.checked);
                    Ok(())
                }
                Some((seq, why)) => {
                    anyhow::bail!(
                        "审计日志在第 {seq} 条处断裂：{why}（此前 {} 条完好）",
                        v.checked
                    )
                }
            }
        }
        Command::Port {
            command: PortCommand::Open { db, region, unit },
        } => {
            let code = zhichan_domain::RegionCode::parse(&region)
                .map_err(|v| anyhow::anyhow!("{}", v.message_zh))?;
            let database = open(&db.url).await?;
            Services::new(database.clone())
                .open_port_by_operator(code, unit.trim())
                .await
                .map_err(describe)?;
            database.close().await;
            println!("已开通 {code} 的管理端口");
            Ok(())
        }
        Command::Demo {
            db,
            scale,
            seed,
            csv,
            json,
            policies_only,
        } => {
            let Some(scale) = zhichan_service::generator::Scale::parse(scale.trim()) else {
                anyhow::bail!("--scale 应为 small、province 或 national");
            };
            let database = open(&db.url).await?;
            let target = match &csv {
                Some(dir) => zhichan_service::generator::Target::Csv(dir),
                None => zhichan_service::generator::Target::Database,
            };
            let g = if policies_only {
                None
            } else {
                Some(
                    Services::new(database.clone())
                        .generate_into(scale, seed, target)
                        .await
                        .map_err(describe)?,
                )
            };
            // The policy library's share (into the database only).
            let policies = match csv {
                Some(_) => None,
                None => Some(
                    Services::new(database.clone())
                        .generate_policies(scale, seed)
                        .await
                        .map_err(describe)?,
                ),
            };
            database.close().await;
            if json {
                let mut v = match &g {
                    Some(g) => serde_json::to_value(g)?,
                    None => serde_json::json!({}),
                };
                v["policies"] = serde_json::to_value(&policies)?;
                println!("{v}");
            } else {
                if let Some(p) = &policies {
                    println!(
                        "已生成政策 {} 件（共 {} 字），用时 {:.1} 秒",
                        p.policies, p.characters, p.seconds
                    );
                }
                if let Some(g) = &g {
                    println!(
                        "已生成：企业 {} 家，专利 {} 件，产品 {} 个，专利关联 {} 条，年度数据 {} 条，年度信息更新 {} 条；共 {} 行，写入 {:.1} 秒（每秒 {:.0} 行），重建统计 {:.1} 秒",
                        g.enterprises,
                        g.patents,
                        g.products,
                        g.links,
                        g.figures,
                        g.updates,
                        g.rows(),
                        g.load_seconds,
                        g.rows() as f64 / g.load_seconds.max(0.001),
                        g.rollup_seconds
                    );
                }
            }
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Dashboards {
                    db,
                    runs,
                    naive_runs,
                },
        } => {
            let database = open(&db.url).await?;
            let d = Services::new(database.clone())
                .bench_dashboards(runs, naive_runs)
                .await
                .map_err(describe)?;
            database.close().await;
            println!("{}", serde_json::to_string_pretty(&d)?);
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Policies {
                    db,
                    search_index,
                    query,
                    runs,
                    naive_runs,
                },
        } => {
            let database = open(&db.url).await?;
            let dir = search_index.unwrap_or_else(|| default_search_dir(&db.url));
            let t = Services::new(database.clone())
                .with_search_dir(dir)
                .bench_policy_search(&query, runs, naive_runs)
                .await
                .map_err(describe)?;
            database.close().await;
            println!("{}", serde_json::to_string_pretty(&t)?);
            Ok(())
        }
        Command::Bench {
            command: BenchCommand::Awards { db, username },
        } => {
            let database = open(&db.url).await?;
            let d = Services::new(database.clone())
                .bench_awards(&username)
                .await
                .map_err(describe)?;
            database.close().await;
            println!("{}", serde_json::to_string_pretty(&d)?);
            Ok(())
        }
        Command::Bench {
            command: BenchCommand::Batch { db, username },
        } => {
            let database = open(&db.url).await?;
            let d = Services::new(database.clone())
                .bench_batch(&zhichan_service::Ctx::cli(), &username)
                .await
                .map_err(describe)?;
            database.close().await;
            println!("{}", serde_json::to_string_pretty(&d)?);
            Ok(())
        }
        Command::Identification {
            command: IdentificationCommand::LoadStarter { db },
        } => {
            let database = open(&db.url).await?;
            let (id, loaded) = Services::new(database.clone())
                .load_starter_method(&zhichan_service::Ctx::cli())
                .await
                .map_err(describe)?;
            database.close().await;
            if loaded {
                println!("已载入并发布示例评价方法（示例方法，非国家标准），编号 {id}");
            } else {
                println!("示例评价方法已存在，编号 {id}，未重复载入");
            }
            Ok(())
        }
        Command::Awards {
            command: AwardsCommand::Load { db, path },
        } => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("无法读取 {}（须为 UTF-8 文本）", path.display()))?;
            let database = open(&db.url).await?;
            let report = Services::new(database.clone())
                .load_award_rules(&zhichan_service::Ctx::cli(), &text)
                .await
                .map_err(describe)?;
            database.close().await;
            print_award_load(&report);
            Ok(())
        }
        Command::Policy {
            command:
                PolicyCommand::Import {
                    db,
                    region,
                    json,
                    paths,
                },
        } => {
            let region = zhichan_domain::RegionCode::parse(&region)
                .map_err(|v| anyhow::anyhow!("region：{}", v.message_zh))?;
            let mut texts = Vec::new();
            for path in &paths {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("无法读取 {}（须为 UTF-8 文本）", path.display()))?;
                texts.push((path, text));
            }
            let database = open(&db.url).await?;
            let services = Services::new(database.clone());
            for (path, text) in texts {
                let outcomes = services
                    .import_policies_as_operator(&zhichan_service::Ctx::cli(), &text, region)
                    .await
                    .map_err(describe)?;
                for o in &outcomes {
                    if json {
                        let mut value =
                            serde_json::to_value(zhichan_server::api::policies::imported(o))?;
                        value["file"] = serde_json::Value::from(path.display().to_string());
                        println!("{}", serde_json::to_string(&value)?);
                    } else {
                        let name = o
                            .extracted
                            .title
                            .clone()
                            .or_else(|| o.extracted.doc_number.clone())
                            .unwrap_or_else(|| "（无标题）".into());
                        match (o.saved, o.duplicate_of) {
                            (Some(id), _) => println!("已导入 {name}（编号 {id}）"),
                            (None, Some(id)) => {
                                println!("已在政策库中 {name}（编号 {id}），未重复导入")
                            }
                            (None, None) => println!("未导入 {name}"),
                        }
                    }
                }
                if !json {
                    println!("{}：找到 {} 份政策", path.display(), outcomes.len());
                }
            }
            database.close().await;
            Ok(())
        }
        Command::Report {
            command: ReportCommand::Monthly { db, month },
        } => {
            let database = open(&db.url).await?;
            let n = Services::new(database.clone())
                .generate_monthly_reports(&month, "zhichan report monthly")
                .await
                .map_err(describe)?;
            database.close().await;
            println!("已生成 {month} 月度通报 {n} 份");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Archive { db },
        } => {
            let database = open(&db.url).await?;
            let a = Services::new(database.clone())
                .archive_audit(&zhichan_service::Ctx::cli())
                .await
                .map_err(describe)?;
            database.close().await;
            match a.range {
                Some((lo, hi)) => println!("已归档审计记录 {} 条（第 {lo}–{hi} 条）", a.rows),
                None => println!("没有超过保留期的审计记录"),
            }
            Ok(())
        }
        Command::Serve {
            db,
            bind,
            demo,
            trust_proxy,
            uploads,
            site,
            delivery,
            search_index,
        } => {
            let delivery = (*delivery).settings(demo)?;
            let transports = zhichan_service::delivery::Transports::from_settings(&delivery)
                .map_err(|e| anyhow::anyhow!("消息投递设置有误：{e}"))?;
            let database = open(&db.url).await?;
            if demo {
                let report = Services::new(database.clone())
                    .prepare_demo()
                    .await
                    .map_err(describe)?;
                println!("{report}");
                if report.created_logins {
                    let updated = Services::new(database.clone())
                        .prepare_demo_round()
                        .await
                        .map_err(describe)?;
                    if updated > 0 {
                        println!(
                            "  上一年度备案并已完成信息更新的产品 {updated} 项（可参加上一年度的认定批次）；评审专家 3 位"
                        );
                    }
                }
                demo_policies(&Services::new(database.clone())).await?;
                demo_awards(&Services::new(database.clone())).await?;
                demo_payouts(&Services::new(database.clone())).await?;
            }
            let listener = tokio::net::TcpListener::bind(&bind)
                .await
                .with_context(|| format!("无法监听地址 {bind}"))?;
            let addr = listener.local_addr()?;
            // Before the address is announced, so that whoever learns it can also stop us.
            let shutdown = zhichan_server::shutdown_signal();
            println!(
                "知产已启动：http://{addr}/  （数据库：{}，按 Ctrl-C 停止）",
                database.backend().name()
            );
            tracing::info!(%addr, backend = database.backend().name(), "listening");
            let search_dir = search_index.unwrap_or_else(|| default_search_dir(&db.url));
            let services = Services::new(database.clone()).with_search_dir(&search_dir);
            // The search index in step before the first search asks (a rebuild after a crash or
            // on a new database runs here rather than in a visitor's request).
            let warm = services.clone();
            tokio::spawn(async move {
                match warm.sync_policy_search().await {
                    Ok(s) => tracing::info!(
                        dir = %search_dir.display(),
                        rebuilt = s.rebuilt,
                        indexed = s.indexed,
                        generation = s.generation,
                        "policy search index ready"
                    ),
                    Err(e) => tracing::error!(error = %e, "policy search index not ready"),
                }
            });
            println!("消息投递：{}", transports.describe());
            tracing::info!(transports = %transports.describe(), "outbox delivery");
            let (stop_delivery, stopped) = tokio::sync::watch::channel(false);
            let deliverer = zhichan_service::delivery::spawn_worker(
                services.clone(),
                transports,
                &delivery,
                stopped,
            );
            // Audit entries past their retention move to the archive once a day.
            let archiver = services.clone();
            tokio::spawn(async move {
                let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
                loop {
                    daily.tick().await;
                    // Products without their answer written (a database from before product
                    // documents): answered from their tables until this has written them.
                    match archiver.fill_all_documents().await {
                        Ok(n) if n > 0 => tracing::info!(products = n, "product documents written"),
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "product documents not written"),
                    }
                    let ctx = zhichan_service::Ctx {
                        ip: "server".into(),
                        user_agent: "scheduled archival".into(),
                    };
                    match archiver.archive_audit(&ctx).await {
                        Ok(a) if a.rows > 0 => {
                            tracing::info!(rows = a.rows, "audit entries archived")
                        }
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "audit archival failed"),
                    }
                    // While the annual update window is open, each registered product not yet
                    // updated gets one reminder (written once per product and year).
                    match archiver.monthly_reports_due().await {
                        Ok(n) if n > 0 => tracing::info!(reports = n, "monthly reports generated"),
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "monthly reports failed"),
                    }
                    if let Err(e) = archiver.db().optimize().await {
                        tracing::error!(error = %e, "database statistics not refreshed");
                    }
                    match archiver.forget_stale_login_failures().await {
                        Ok(n) if n > 0 => {
                            tracing::info!(rows = n, "stale login failures forgotten")
                        }
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "stale login failures not forgotten"),
                    }
                    match archiver.remind_annual_updates().await {
                        Ok(n) if n > 0 => tracing::info!(reminders = n, "annual update reminders"),
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "annual update reminders failed"),
                    }
                }
            });
            zhichan_server::launch_with_listener(
                services,
                Settings {
                    trust_proxy,
                    uploads: uploads.limits(),
                    site: site.info(),
                    ..Settings::default()
                },
                listener,
                shutdown,
            )
            .await
            .context("服务器异常退出")?;
            // The round in progress finishes; nothing is claimed after this.
            let _ = stop_delivery.send(true);
            if let Err(e) = deliverer.await {
                tracing::error!(error = %e, "outbox delivery worker ended abnormally");
            }
            database.close().await;
            tracing::info!("stopped");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}
