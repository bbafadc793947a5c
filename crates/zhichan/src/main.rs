//! `zhichan`: one binary that serves the platform and administers it.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;
use zhichan_server::Settings;
use zhichan_service::Services;

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
    },
    /// Apply the database migrations and load the reference data, then exit
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
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
        Command::Serve { db, bind, demo } => {
            let database = open(&db.url).await?;
            if demo {
                let report = zhichan_service::demo::prepare(&database).await?;
                println!("{report}");
            }
            let listener = tokio::net::TcpListener::bind(&bind)
                .await
                .with_context(|| format!("无法监听地址 {bind}"))?;
            let addr = listener.local_addr()?;
            println!(
                "知产已启动：http://{addr}/  （数据库：{}，按 Ctrl-C 停止）",
                database.backend().name()
            );
            tracing::info!(%addr, backend = database.backend().name(), "listening");
            zhichan_server::launch_with_listener(
                Services::new(database.clone()),
                Settings::default(),
                listener,
                zhichan_server::shutdown_signal(),
            )
            .await
            .context("服务器异常退出")?;
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
