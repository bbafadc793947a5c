//! zhichan's storage: one [`Db`] handle for SQLite or PostgreSQL, the migrations of both, the
//! reference data, and one module of queries per business area.

pub mod account_setups;
pub mod amendments;
pub mod annual_updates;
pub mod audit;
pub mod awards;
pub mod bulk;
pub mod db;
pub mod declarations;
pub mod directories;
pub mod enterprise_amendments;
pub mod enterprises;
pub mod entitlement_rounds;
pub mod evaluation;
pub mod evidence;
pub mod experts;
pub mod identification_batches;
pub mod identification_rounds;
pub mod identified_stats;
pub mod industries;
pub mod login_failures;
pub mod migrate;
pub mod notices;
pub mod notifications;
pub mod outbox;
pub mod panels;
pub mod password_setups;
pub mod patents;
pub mod payouts;
pub mod policies;
pub mod ports;
pub mod products;
pub mod reference;
pub mod regions;
pub mod reports;
pub mod rule_versions;
pub mod sessions;
pub mod settings;
pub mod sorting;
pub mod stats;
pub mod tokens;
pub mod users;
pub mod verifications;
pub mod workbench;

pub use db::{with_shared_connection, Backend, Column, Db, DbRow, Exec, FromDbRow, Param, Sql, Tx};

/// What can go wrong below the service layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("不支持的数据库地址“{0}”：应以 sqlite:// 或 postgres:// 开头")]
    UnsupportedScheme(String),
    #[error("数据库地址“{0}”无法解析：{1}")]
    BadUrl(String, String),
    #[error("无法连接数据库 {0}：{1}")]
    Connect(String, String),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("参考数据“{0}”有误：{1}")]
    ReferenceData(&'static str, String),
    #[error("数据库中的数据无法解读：{0}")]
    Corrupt(String),
    #[error("记录不存在")]
    NotFound,
    #[error("{0}")]
    Unsupported(&'static str),
    #[error("违反唯一约束 {constraint}")]
    Unique { constraint: String },
    #[error("数据库错误：{0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StoreError::Unique {
                    constraint: db.constraint().unwrap_or_default().to_string(),
                };
            }
        }
        StoreError::Database(e)
    }
}

/// Opens the database a URL names, applies the migrations and loads the reference data: what
/// every command that uses the database does first.
pub async fn open(url: &str) -> Result<Db, StoreError> {
    let db = Db::connect(url).await?;
    migrate::run(&db).await?;
    reference::load(&db).await?;
    Ok(db)
}
