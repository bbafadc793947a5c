//! User accounts.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::StoreError;
use zhichan_domain::accounts::Role;
use zhichan_domain::{RegionCode, Timestamp};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub enterprise: Option<String>,
    pub password_hash: String,
    pub password_changed_at: Timestamp,
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
    /// A secret being enrolled, not yet confirmed with a code.
    pub totp_pending: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: i64,
    pub failed_logins: i64,
    pub locked_until: Option<Timestamp>,
    /// `pending`, `returned` or `verified` (实名认证).
    pub verification: String,
    pub disabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    /// Where the account's one-time setup codes go: an e-mail address or a mobile number.
    pub contact: String,
    /// Whether its role and region are in force: an account the system administrator creates
    /// waits for the security administrator to grant them (三员分立).
    pub granted: bool,
    /// The language the person chose (`zh-Hans`, `zh-Hant`, `en`); `None` follows the browser.
    pub locale: Option<String>,
}

pub(crate) fn ts(row: &DbRow, col: &str) -> Result<Timestamp, StoreError> {
    let text: String = row.get(col)?;
    Timestamp::parse(&text).ok_or_else(|| StoreError::Corrupt(format!("{col}: {text}")))
}

pub(crate) fn ts_opt(row: &DbRow, col: &str) -> Result<Option<Timestamp>, StoreError> {
    let text: Option<String> = row.get(col)?;
    text.map(|t| Timestamp::parse(&t).ok_or_else(|| StoreError::Corrupt(format!("{col}: {t}"))))
        .transpose()
}

pub(crate) fn region_opt(row: &DbRow, col: &str) -> Result<Option<RegionCode>, StoreError> {
    let n: Option<i64> = row.get(col)?;
    n.map(|n| {
        u32::try_from(n)
            .ok()
            .and_then(RegionCode::from_u32)
            .ok_or_else(|| StoreError::Corrupt(format!("{col}: {n}")))
    })
    .transpose()
}

impl FromDbRow for User {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let role: String = row.get("role")?;
        Ok(User {
            id: row.get("id")?,
            username: row.get("username")?,
            display_name: row.get("display_name")?,
            role: role
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("role {role}")))?,
            region: region_opt(row, "region")?,
            enterprise: row.get("enterprise")?,
            password_hash: row.get("password_hash")?,
            password_changed_at: ts(row, "password_changed_at")?,
            must_change_password: row.get("must_change_password")?,
            totp_secret: row.get("totp_secret")?,
            totp_pending: row.get("totp_pending")?,
            totp_enabled: row.get("totp_enabled")?,
            totp_last_step: row.get("totp_last_step")?,
            failed_logins: row.get("failed_logins")?,
            locked_until: ts_opt(row, "locked_until")?,
            verification: row.get("verification")?,
            disabled: row.get("disabled")?,
            created_at: ts(row, "created_at")?,
            updated_at: ts(row, "updated_at")?,
            version: row.get("version")?,
            contact: row.get("contact")?,
            granted: row.get("granted")?,
            locale: row.get("locale")?,
        })
    }
}

/// Counts the changes to accounts and tokens made through this process, so that a cache of
/// authenticated tokens knows its entries may be stale (see `zhichan_service`'s token cache).
static CHANGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many changes to accounts and tokens this process has made so far.
pub fn changes() -> u64 {
    CHANGES.load(std::sync::atomic::Ordering::Acquire)
}

/// Marks accounts or tokens changed. Called by every write here, and again by the service
/// after a commit that must end access at once: a token read between the write and the commit
/// would otherwise be cached as still valid.
pub fn changed() {
    CHANGES.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
}

pub(crate) const COLUMNS: &str = "id, username, display_name, role, region, enterprise, password_hash, \
    password_changed_at, must_change_password, totp_secret, totp_pending, totp_enabled, totp_last_step, \
    failed_logins, locked_until, verification, disabled, created_at, updated_at, version, contact, granted, locale";

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub enterprise: Option<String>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub verification: &'static str,
}

/// Inserts a user; a taken username is [`StoreError::Unique`].
pub async fn insert(ex: &impl Exec, u: &NewUser, now: Timestamp) -> Result<i64, StoreError> {
    changed();
    ex.fetch_one(
        Sql::new(
            "INSERT INTO users (username, display_name, role, region, enterprise, password_hash, \
             password_changed_at, must_change_password, verification, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7, $7) RETURNING id",
        )
        .bind(u.username.as_str())
        .bind(u.display_name.as_str())
        .bind(u.role.as_str())
        .bind(u.region)
        .bind(u.enterprise.clone())
        .bind(u.password_hash.as_str())
        .bind(now)
        .bind(u.must_change_password)
        .bind(u.verification),
    )
    .await
}

pub async fn by_username(ex: &impl Exec, username: &str) -> Result<Option<User>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!("SELECT {COLUMNS} FROM users WHERE username = $1")).bind(username),
    )
    .await
}

pub async fn by_id(ex: &impl Exec, id: i64) -> Result<Option<User>, StoreError> {
    ex.fetch_optional(Sql::new(format!("SELECT {COLUMNS} FROM users WHERE id = $1")).bind(id))
        .await
}

/// Users, optionally of one role or whose username contains `q`, by username.
pub async fn list(
    ex: &impl Exec,
    role: Option<Role>,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<User>, i64), StoreError> {
    list_sorted(ex, role, q, None, limit, offset).await
}

/// The keys an account list sorts by, and their columns.
pub const SORT_COLUMNS: &[(&str, &str)] = &[
    ("name", "username"),
    ("updated", "updated_at"),
    ("created", "created_at"),
];

/// [`list`] in the order a person chose (by username when `None`).
pub async fn list_sorted(
    ex: &impl Exec,
    role: Option<Role>,
    q: Option<&str>,
    order: Option<crate::sorting::Order>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<User>, i64), StoreError> {
    let order = order
        .and_then(|o| o.sql(SORT_COLUMNS, "id"))
        .unwrap_or_else(|| "username".into());
    let filter = "($1 = '' OR role = $1) AND ($2 = '' OR username LIKE $2 ESCAPE '\\')";
    let role = role.map(|r| r.as_str()).unwrap_or("");
    let like = q
        .filter(|q| !q.trim().is_empty())
        .map(|q| format!("%{}%", crate::db::like_escape(&q.trim().to_lowercase())))
        .unwrap_or_default();
    let rows = ex
        .fetch_all(
            Sql::new(format!(
                "SELECT {COLUMNS} FROM users WHERE {filter} ORDER BY {order} LIMIT $3 OFFSET $4"
            ))
            .bind(role)
            .bind(like.as_str())
            .bind(limit)
            .bind(offset),
        )
        .await?;
    let total: i64 = ex
        .fetch_one(
            Sql::new(format!("SELECT COUNT(*) FROM users WHERE {filter}"))
                .bind(role)
                .bind(like.as_str()),
        )
        .await?;
    Ok((rows, total))
}

/// Counts a failed login in the database and answers the new count.
pub async fn count_failure(ex: &impl Exec, id: i64) -> Result<i64, StoreError> {
    changed();
    ex.fetch_one(
        Sql::new(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 \
             RETURNING failed_logins",
        )
        .bind(id),
    )
    .await
}

/// Locks the account until then, starting the count afresh for afterwards.
pub async fn lock(ex: &impl Exec, id: i64, until: Timestamp) -> Result<(), StoreError> {
    changed();
    ex.execute(
        Sql::new("UPDATE users SET failed_logins = 0, locked_until = $2 WHERE id = $1")
            .bind(id)
            .bind(until),
    )
    .await?;
    Ok(())
}

/// Clears the failure count and any lock.
pub async fn clear_failures(ex: &impl Exec, id: i64) -> Result<(), StoreError> {
    changed();
    ex.execute(
        Sql::new("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1").bind(id),
    )
    .await?;
    Ok(())
}

pub async fn set_password(
    ex: &impl Exec,
    id: i64,
    hash: &str,
    must_change: bool,
    now: Timestamp,
) -> Result<(), StoreError> {
    changed();
    ex.execute(
        Sql::new(
            "UPDATE users SET password_hash = $2, must_change_password = $3, \
             password_changed_at = $4, updated_at = $4, version = version + 1 WHERE id = $1",
        )
        .bind(id)
        .bind(hash)
        .bind(must_change)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Stores a secret being enrolled; the one in force (if any) stays in force until confirmed.
pub async fn set_totp_pending(
    ex: &impl Exec,
    id: i64,
    secret: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    changed();
    ex.execute(
        Sql::new("UPDATE users SET totp_pending = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(secret)
            .bind(now),
    )
    .await?;
    Ok(())
}

/// Puts the pending secret in force, with `step` as its last used time step, if it is still
/// `secret` (the one the code was checked against). Answers whether it did.
pub async fn activate_totp(
    ex: &impl Exec,
    id: i64,
    secret: &str,
    step: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    changed();
    let n = ex
        .execute(
            Sql::new(
                "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, \
             totp_enabled = TRUE, totp_last_step = $2, updated_at = $3, version = version + 1 \
             WHERE id = $1 AND totp_pending = $4",
            )
            .bind(id)
            .bind(step)
            .bind(now)
            .bind(secret),
        )
        .await?;
    Ok(n == 1)
}

/// Remembers the last TOTP time step used, so that a code cannot be replayed. Answers false
/// when `step` is not newer than the one stored (someone used it already).
pub async fn use_totp_step(ex: &impl Exec, id: i64, step: i64) -> Result<bool, StoreError> {
    changed();
    let n = ex
        .execute(
            Sql::new("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2")
                .bind(id)
                .bind(step),
        )
        .await?;
    Ok(n == 1)
}

pub async fn set_verification(
    ex: &impl Exec,
    id: i64,
    status: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    changed();
    ex.execute(
        Sql::new(
            "UPDATE users SET verification = $2, updated_at = $3, version = version + 1 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Enables or disables an account, if it is still at `version` (optimistic locking). Answers
/// false when someone changed it first.
pub async fn set_disabled(
    ex: &impl Exec,
    id: i64,
    disabled: bool,
    version: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    changed();
    let n = ex
        .execute(
            Sql::new(
                "UPDATE users SET disabled = $2, failed_logins = 0, locked_until = NULL, \
                 updated_at = $4, version = version + 1 WHERE id = $1 AND version = $3",
            )
            .bind(id)
            .bind(disabled)
            .bind(version)
            .bind(now),
        )
        .await?;
    Ok(n == 1)
}

/// Sets where setup codes go and whether the role is granted (right after [`insert`]).
pub async fn set_contact_and_grant(
    ex: &impl Exec,
    id: i64,
    contact: &str,
    granted: bool,
) -> Result<(), StoreError> {
    changed();
    ex.execute(
        Sql::new("UPDATE users SET contact = $2, granted = $3 WHERE id = $1")
            .bind(id)
            .bind(contact)
            .bind(granted),
    )
    .await?;
    Ok(())
}

/// Renames an account as people see it.
pub async fn set_display_name(ex: &impl Exec, id: i64, name: &str) -> Result<(), StoreError> {
    changed();
    ex.execute(
        Sql::new("UPDATE users SET display_name = $2 WHERE id = $1")
            .bind(id)
            .bind(name),
    )
    .await?;
    Ok(())
}

/// The security administrator grants a role and region (and enterprise), if the account is
/// still at `version`. Answers false when someone changed it first.
#[allow(clippy::too_many_arguments)]
pub async fn grant(
    ex: &impl Exec,
    id: i64,
    role: Role,
    region: Option<RegionCode>,
    enterprise: Option<&str>,
    version: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    changed();
    let n = ex
        .execute(
            Sql::new(
                "UPDATE users SET role = $2, region = $3, enterprise = $4, granted = TRUE, \
                 updated_at = $6, version = version + 1 WHERE id = $1 AND version = $5",
            )
            .bind(id)
            .bind(role.as_str())
            .bind(region)
            .bind(enterprise.map(str::to_string))
            .bind(version)
            .bind(now),
        )
        .await?;
    Ok(n == 1)
}

/// Shows that a username is locked from some address (for the administrators' list; the
/// login itself asks `login_failures`).
pub async fn mark_locked(
    ex: &impl Exec,
    username: &str,
    until: Timestamp,
) -> Result<(), StoreError> {
    changed();
    ex.execute(
        Sql::new("UPDATE users SET locked_until = $2 WHERE username = $1")
            .bind(username)
            .bind(until),
    )
    .await?;
    Ok(())
}

/// Changes where an account's one-time codes go, if it is still at `version`. Answers false
/// when someone changed it first.
pub async fn set_contact(
    ex: &impl Exec,
    id: i64,
    contact: &str,
    version: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    changed();
    let n = ex
        .execute(
            Sql::new(
                "UPDATE users SET contact = $2, updated_at = $4, version = version + 1 \
                 WHERE id = $1 AND version = $3",
            )
            .bind(id)
            .bind(contact)
            .bind(version)
            .bind(now),
        )
        .await?;
    Ok(n == 1)
}

/// Keeps the language a person chose for the pages (`None`: follow the browser).
pub async fn set_locale(ex: &impl Exec, id: i64, locale: Option<&str>) -> Result<(), StoreError> {
    changed();
    ex.execute(
        Sql::new("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale.map(str::to_string))
            .bind(id),
    )
    .await?;
    // Again once written: a token read between the first mark and the write kept the old one.
    changed();
    Ok(())
}
