//! One database handle for both backends, chosen at run time from the URL scheme.
//!
//! Every query is written once, with PostgreSQL-style `$1` placeholders (SQLite reads `$N` as
//! the N-th argument too), in the portable subset of SQL both engines share. Column types are
//! kept to BIGINT, TEXT and BOOLEAN so that rows decode the same way from either engine.

use crate::StoreError;
use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Decode, PgPool, Postgres, Row, Sqlite, SqlitePool, Transaction, Type};
use std::borrow::Cow;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// A pooled connection a whole request's reads share (see [`with_shared_connection`]).
enum Held {
    None,
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

tokio::task_local! {
    static HELD: Arc<Mutex<Held>>;
}

/// Runs `f` with one pooled connection shared by all the statements it runs on the pool (taken
/// at the first, given back when `f` ends). sqlx tests every connection given back to the pool
/// with a ping — a round trip to the SQLite worker thread or to the PostgreSQL server — so a
/// request that reads five times on one connection makes six round trips instead of ten.
/// Beginning a transaction gives the shared connection back first, so that a request never
/// holds two connections through it.
pub async fn with_shared_connection<F: std::future::Future>(f: F) -> F::Output {
    HELD.scope(Arc::new(Mutex::new(Held::None)), f).await
}

/// The current request's shared connection, if it runs inside [`with_shared_connection`].
fn held() -> Option<Arc<Mutex<Held>>> {
    HELD.try_with(Arc::clone).ok()
}

/// Which engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// The aggregate that joins texts with a separator, in an order it is given
    /// (`f(text, separator ORDER BY …)`): SQLite's `group_concat` (3.44 and later), PostgreSQL's
    /// `string_agg`.
    pub fn text_agg(self) -> &'static str {
        match self {
            Backend::Sqlite => "group_concat",
            Backend::Postgres => "string_agg",
        }
    }
}

/// A pool of connections to SQLite or PostgreSQL. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// How long to wait for a connection before telling the user the database cannot be reached.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Db {
    /// Opens the database a URL names: `sqlite://path` (created if missing), `sqlite::memory:`,
    /// or `postgres://…` / `postgresql://…`.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        let shown = redact(url);
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl(shown.clone(), e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            // Two connections opening a new file at once can find it locked while the first
            // switches it to WAL (a lock the busy timeout does not cover): try again briefly.
            let mut attempt = 0;
            let pool = loop {
                let r = SqlitePoolOptions::new()
                    // An in-memory database lives in one connection only.
                    .max_connections(if in_memory { 1 } else { 8 })
                    .min_connections(1)
                    // An embedded database's connection cannot go away: pinging it before every
                    // query would cost a round trip to its worker thread each time.
                    .test_before_acquire(false)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(opts.clone())
                    .await;
                match r {
                    Ok(pool) => break pool,
                    Err(e) if attempt < 5 && e.to_string().contains("database is locked") => {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                    }
                    Err(e) => return Err(StoreError::Connect(shown, e.to_string())),
                }
            };
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl(shown.clone(), e.to_string()))?
                .application_name("zhichan");
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect_with(opts)
                .await
                .map_err(|e| StoreError::Connect(shown, e.to_string()))?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedScheme(shown))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// that two writers queue on the busy timeout instead of failing when one upgrades.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        if let Some(h) = held() {
            *h.lock().await = Held::None;
        }
        let inner = match self {
            Db::Sqlite(p) => TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => TxInner::Postgres(p.begin().await?),
        };
        Ok(Tx {
            backend: self.backend(),
            inner: Mutex::new(inner),
        })
    }

    /// Answers whether the database responds at all (for health checks).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.execute(Sql::new("SELECT 1")).await.map(|_| ())
    }

    /// Keeps the query planner's statistics fresh as the data grows: SQLite's `PRAGMA optimize`
    /// (run daily by the server; it analyses only the tables that need it), nothing on
    /// PostgreSQL, whose autovacuum does it.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        if let Db::Sqlite(_) = self {
            self.execute(Sql::new("PRAGMA optimize")).await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Hides the password of a URL before it is shown in a message or a log line.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

/// A value bound to a placeholder.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    /// A NULL typed like the column it goes to (PostgreSQL will not coerce a typed NULL).
    Null(NullOf),
    Bool(bool),
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl From<bool> for Param {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}
impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}
impl From<i32> for Param {
    fn from(v: i32) -> Self {
        Param::Int(v.into())
    }
}
impl From<u32> for Param {
    fn from(v: u32) -> Self {
        Param::Int(v.into())
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_string())
    }
}
impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}
impl From<&String> for Param {
    fn from(v: &String) -> Self {
        Param::Text(v.clone())
    }
}
impl From<zhichan_domain::RegionCode> for Param {
    fn from(v: zhichan_domain::RegionCode) -> Self {
        Param::Int(v.as_u32().into())
    }
}
/// The type a NULL parameter stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullOf {
    Bool,
    Int,
    Text,
}

/// Rust types that bind as a parameter, and the type of their NULL.
pub trait ParamType: Into<Param> {
    const NULL: NullOf;
}
impl ParamType for bool {
    const NULL: NullOf = NullOf::Bool;
}
impl ParamType for i64 {
    const NULL: NullOf = NullOf::Int;
}
impl ParamType for i32 {
    const NULL: NullOf = NullOf::Int;
}
impl ParamType for u32 {
    const NULL: NullOf = NullOf::Int;
}
impl ParamType for zhichan_domain::RegionCode {
    const NULL: NullOf = NullOf::Int;
}
impl ParamType for &str {
    const NULL: NullOf = NullOf::Text;
}
impl ParamType for String {
    const NULL: NullOf = NullOf::Text;
}

impl From<Vec<u8>> for Param {
    fn from(v: Vec<u8>) -> Self {
        Param::Bytes(v)
    }
}
impl From<zhichan_domain::Timestamp> for Param {
    fn from(v: zhichan_domain::Timestamp) -> Self {
        Param::Text(v.to_string())
    }
}
impl ParamType for zhichan_domain::Timestamp {
    const NULL: NullOf = NullOf::Text;
}
impl From<&zhichan_domain::RegionCode> for Param {
    fn from(v: &zhichan_domain::RegionCode) -> Self {
        Param::Int(v.as_u32().into())
    }
}

impl<T: ParamType> From<Option<T>> for Param {
    fn from(v: Option<T>) -> Self {
        v.map_or(Param::Null(T::NULL), Into::into)
    }
}

/// `LIMIT n OFFSET m` written into a statement's text instead of bound as arguments.
/// PostgreSQL plans a prepared statement anew at each execution until a plan made without the
/// arguments' values looks no dearer; with the row count a parameter, such a plan never does
/// (it must guess how far the LIMIT reads), so a list page on `products` (seventeen indexes)
/// spent more time being planned (0.7 ms) than run (0.3 ms). With the numbers in the text the
/// sixth execution switches to the plan kept with the statement. They are integers, never text
/// from a request; below zero reads as zero.
pub fn limit_offset(limit: i64, offset: i64) -> String {
    format!("LIMIT {} OFFSET {}", limit.max(0), offset.max(0))
}

/// A statement and its arguments. The text is the single source of truth for both backends.
#[derive(Clone, Debug)]
pub struct Sql {
    text: Cow<'static, str>,
    params: Vec<Param>,
}

impl Sql {
    pub fn new(text: impl Into<Cow<'static, str>>) -> Self {
        Sql {
            text: text.into(),
            params: Vec::new(),
        }
    }

    pub fn bind(mut self, value: impl Into<Param>) -> Self {
        self.params.push(value.into());
        self
    }

    pub fn push_param(&mut self, value: impl Into<Param>) {
        self.params.push(value.into());
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    fn sqlite(&self) -> sqlx::query::Query<'_, Sqlite, sqlx::sqlite::SqliteArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for p in &self.params {
            q = match p {
                Param::Null(NullOf::Bool) => q.bind(None::<bool>),
                Param::Null(NullOf::Int) => q.bind(None::<i64>),
                Param::Null(NullOf::Text) => q.bind(None::<String>),
                Param::Bool(v) => q.bind(*v),
                Param::Int(v) => q.bind(*v),
                Param::Text(v) => q.bind(v.as_str()),
                Param::Bytes(v) => q.bind(v.as_slice()),
            };
        }
        q
    }

    fn postgres(&self) -> sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments> {
        let mut q = sqlx::query(&self.text);
        for p in &self.params {
            q = match p {
                Param::Null(NullOf::Bool) => q.bind(None::<bool>),
                Param::Null(NullOf::Int) => q.bind(None::<i64>),
                Param::Null(NullOf::Text) => q.bind(None::<String>),
                Param::Bool(v) => q.bind(*v),
                Param::Int(v) => q.bind(*v),
                Param::Text(v) => q.bind(v.as_str()),
                Param::Bytes(v) => q.bind(v.as_slice()),
            };
        }
        q
    }
}

/// A column type that decodes from both engines.
pub trait Column:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}
impl<T> Column for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// A row from either engine.
pub enum DbRow {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl DbRow {
    pub fn get<T: Column>(&self, column: &str) -> Result<T, StoreError> {
        Ok(match self {
            DbRow::Sqlite(r) => r.try_get(column)?,
            DbRow::Postgres(r) => r.try_get(column)?,
        })
    }
}

/// `array(alias.c1, alias.c2, …)` over a comma-separated column list: the JSON array a
/// `Stored` row type reads back in column order (`array` is the engine's function).
pub(crate) fn json_array_of(array: &str, alias: &str, columns: &str) -> String {
    let cols: Vec<String> = columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect();
    format!("{array}({})", cols.join(", "))
}

/// A boolean as either engine writes it into JSON: `true`/`false` from PostgreSQL, `1`/`0` from
/// SQLite (which has no boolean type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl<'de> serde::Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a boolean, 0 or 1")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Flag, E> {
                match v {
                    0 | 1 => Ok(Flag(v == 1)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Flag, E> {
                match u64::try_from(v) {
                    Ok(u) => self.visit_u64(u),
                    Err(_) => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Builds a value from a row. Written by hand per type: it keeps the row mapping next to the
/// query that produces it and avoids a derive macro that would compile both drivers twice.
pub trait FromDbRow: Sized + Send {
    fn from_row(row: &DbRow) -> Result<Self, StoreError>;
}

impl FromDbRow for i64 {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(match row {
            DbRow::Sqlite(r) => r.try_get(0)?,
            DbRow::Postgres(r) => r.try_get(0)?,
        })
    }
}

impl FromDbRow for String {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(match row {
            DbRow::Sqlite(r) => r.try_get(0)?,
            DbRow::Postgres(r) => r.try_get(0)?,
        })
    }
}

/// Runs statements: implemented by the pool ([`Db`]) and by a transaction ([`Tx`]), so that a
/// store function works in or out of a transaction alike.
#[allow(async_fn_in_trait)]
pub trait Exec: Sync {
    async fn fetch_all<T: FromDbRow>(&self, sql: Sql) -> Result<Vec<T>, StoreError>;
    async fn fetch_optional<T: FromDbRow>(&self, sql: Sql) -> Result<Option<T>, StoreError>;
    async fn execute(&self, sql: Sql) -> Result<u64, StoreError>;
    fn backend(&self) -> Backend;

    async fn fetch_one<T: FromDbRow>(&self, sql: Sql) -> Result<T, StoreError> {
        self.fetch_optional(sql).await?.ok_or(StoreError::NotFound)
    }
}

fn log(sql: &Sql) {
    tracing::trace!(sql = %sql.text, params = sql.params.len(), "query");
}

/// One connection borrowed for a statement: a transaction's or a request's shared one. Its three
/// ways of running a statement are written once here for both.
enum Conn<'c> {
    Sqlite(&'c mut sqlx::SqliteConnection),
    Postgres(&'c mut sqlx::PgConnection),
}

impl Conn<'_> {
    async fn fetch_all(self, sql: &Sql) -> Result<Vec<DbRow>, StoreError> {
        Ok(match self {
            Conn::Sqlite(c) => sql
                .sqlite()
                .fetch_all(c)
                .await?
                .into_iter()
                .map(DbRow::Sqlite)
                .collect(),
            Conn::Postgres(c) => sql
                .postgres()
                .fetch_all(c)
                .await?
                .into_iter()
                .map(DbRow::Postgres)
                .collect(),
        })
    }

    async fn fetch_optional(self, sql: &Sql) -> Result<Option<DbRow>, StoreError> {
        Ok(match self {
            Conn::Sqlite(c) => sql.sqlite().fetch_optional(c).await?.map(DbRow::Sqlite),
            Conn::Postgres(c) => sql.postgres().fetch_optional(c).await?.map(DbRow::Postgres),
        })
    }

    async fn execute(self, sql: &Sql) -> Result<u64, StoreError> {
        Ok(match self {
            Conn::Sqlite(c) => sql.sqlite().execute(c).await?.rows_affected(),
            Conn::Postgres(c) => sql.postgres().execute(c).await?.rows_affected(),
        })
    }
}

impl Held {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Held::Sqlite(c) => Conn::Sqlite(c),
            Held::Postgres(c) => Conn::Postgres(c),
            Held::None => unreachable!("a shared connection is taken before use"),
        }
    }
}

impl TxInner {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            TxInner::Sqlite(t) => Conn::Sqlite(t),
            TxInner::Postgres(t) => Conn::Postgres(t),
        }
    }
}

impl Db {
    /// The request's shared connection, taken from the pool at its first use.
    async fn shared(
        &self,
        h: &Arc<Mutex<Held>>,
    ) -> Result<tokio::sync::OwnedMutexGuard<Held>, StoreError> {
        let mut guard = Arc::clone(h).lock_owned().await;
        let fits = matches!(
            (&*guard, self),
            (Held::Sqlite(_), Db::Sqlite(_)) | (Held::Postgres(_), Db::Postgres(_))
        );
        if !fits {
            *guard = match self {
                Db::Sqlite(p) => Held::Sqlite(p.acquire().await?),
                Db::Postgres(p) => Held::Postgres(p.acquire().await?),
            };
        }
        Ok(guard)
    }
}

impl Exec for Db {
    async fn fetch_all<T: FromDbRow>(&self, sql: Sql) -> Result<Vec<T>, StoreError> {
        log(&sql);
        if let Some(h) = held() {
            let rows = self.shared(&h).await?.conn().fetch_all(&sql).await?;
            return rows.iter().map(T::from_row).collect();
        }
        match self {
            Db::Sqlite(p) => {
                let mut rows = sql.sqlite().fetch(p);
                let mut out = Vec::new();
                while let Some(r) = rows.try_next().await? {
                    out.push(T::from_row(&DbRow::Sqlite(r))?);
                }
                Ok(out)
            }
            Db::Postgres(p) => {
                let mut rows = sql.postgres().fetch(p);
                let mut out = Vec::new();
                while let Some(r) = rows.try_next().await? {
                    out.push(T::from_row(&DbRow::Postgres(r))?);
                }
                Ok(out)
            }
        }
    }

    async fn fetch_optional<T: FromDbRow>(&self, sql: Sql) -> Result<Option<T>, StoreError> {
        log(&sql);
        let row = if let Some(h) = held() {
            self.shared(&h).await?.conn().fetch_optional(&sql).await?
        } else {
            match self {
                Db::Sqlite(p) => sql.sqlite().fetch_optional(p).await?.map(DbRow::Sqlite),
                Db::Postgres(p) => sql.postgres().fetch_optional(p).await?.map(DbRow::Postgres),
            }
        };
        row.as_ref().map(T::from_row).transpose()
    }

    async fn execute(&self, sql: Sql) -> Result<u64, StoreError> {
        log(&sql);
        if let Some(h) = held() {
            return self.shared(&h).await?.conn().execute(&sql).await;
        }
        Ok(match self {
            Db::Sqlite(p) => sql.sqlite().execute(p).await?.rows_affected(),
            Db::Postgres(p) => sql.postgres().execute(p).await?.rows_affected(),
        })
    }

    fn backend(&self) -> Backend {
        Db::backend(self)
    }
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A transaction on either engine. Dropped without [`Tx::commit`], it rolls back.
///
/// The mutex lets store functions take `&impl Exec` for both pool and transaction; it is never
/// contended, because a transaction belongs to one task.
pub struct Tx {
    backend: Backend,
    inner: Mutex<TxInner>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner.into_inner() {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// PostgreSQL's bulk path: `COPY table (columns) FROM STDIN (FORMAT csv)` with `data` as
    /// the CSV lines; answers the rows copied.
    pub async fn copy_csv(
        &self,
        table: &str,
        columns: &[&str],
        data: &[u8],
    ) -> Result<u64, StoreError> {
        let mut guard = self.inner.lock().await;
        match &mut *guard {
            TxInner::Postgres(t) => {
                let mut copy = t
                    .copy_in_raw(&format!(
                        "COPY {table} ({}) FROM STDIN WITH (FORMAT csv)",
                        columns.join(", ")
                    ))
                    .await?;
                for chunk in data.chunks(1 << 20) {
                    copy.send(chunk).await?;
                }
                Ok(copy.finish().await?)
            }
            TxInner::Sqlite(_) => Err(StoreError::Unsupported("SQLite 没有 COPY 命令")),
        }
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner.into_inner() {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

impl Exec for Tx {
    async fn fetch_all<T: FromDbRow>(&self, sql: Sql) -> Result<Vec<T>, StoreError> {
        log(&sql);
        let rows = self.inner.lock().await.conn().fetch_all(&sql).await?;
        rows.iter().map(T::from_row).collect()
    }

    async fn fetch_optional<T: FromDbRow>(&self, sql: Sql) -> Result<Option<T>, StoreError> {
        log(&sql);
        let row = self.inner.lock().await.conn().fetch_optional(&sql).await?;
        row.as_ref().map(T::from_row).transpose()
    }

    async fn execute(&self, sql: Sql) -> Result<u64, StoreError> {
        log(&sql);
        self.inner.lock().await.conn().execute(&sql).await
    }

    fn backend(&self) -> Backend {
        self.backend
    }
}

#[cfg(test)]
mod tests {
    use super::{redact, Flag};

    #[test]
    fn a_flag_reads_either_engines_json_boolean() {
        let read = |t: &str| {
            serde_json::from_str::<Vec<Flag>>(t).map(|v| v.iter().map(|f| f.0).collect::<Vec<_>>())
        };
        assert_eq!(
            read("[true, false, 1, 0]").unwrap(),
            [true, false, true, false]
        );
        assert!(read("[2]").is_err());
        assert!(read("[-1]").is_err());
        assert!(read("[\"1\"]").is_err());
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/zhichan"),
            "postgres://app:***@db:5432/zhichan"
        );
        assert_eq!(
            redact("postgres://app@db/zhichan"),
            "postgres://app@db/zhichan"
        );
        assert_eq!(redact("sqlite://zhichan.db"), "sqlite://zhichan.db");
    }
}
