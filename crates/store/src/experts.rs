//! Experts' units and fields (专家的工作单位与熟悉领域), one row per expert account.

use crate::db::{DbRow, Exec, FromDbRow, Sql};
use crate::users::ts;
use crate::StoreError;
use zhichan_domain::Timestamp;

/// An expert's stored profile; `fields` are GB/T 4754-2017 codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredProfile {
    pub user_id: i64,
    pub unit_credit_code: String,
    pub unit_name: String,
    pub fields: Vec<String>,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

const COLUMNS: &str =
    "user_id, unit_credit_code, unit_name, fields, version, updated_by, updated_at";

impl FromDbRow for StoredProfile {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let fields: String = row.get("fields")?;
        Ok(StoredProfile {
            user_id: row.get("user_id")?,
            unit_credit_code: row.get("unit_credit_code")?,
            unit_name: row.get("unit_name")?,
            fields: fields.split_whitespace().map(str::to_string).collect(),
            version: row.get("version")?,
            updated_by: row.get("updated_by")?,
            updated_at: ts(row, "updated_at")?,
        })
    }
}

/// The profile of one account, if it has one.
pub async fn of_user(ex: &impl Exec, user_id: i64) -> Result<Option<StoredProfile>, StoreError> {
    ex.fetch_optional(
        Sql::new(format!(
            "SELECT {COLUMNS} FROM expert_profiles WHERE user_id = $1"
        ))
        .bind(user_id),
    )
    .await
}

/// The profiles of these accounts (those that have one).
pub async fn of_users(ex: &impl Exec, ids: &[i64]) -> Result<Vec<StoredProfile>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM expert_profiles WHERE user_id IN ({}) ORDER BY user_id",
        marks.join(", ")
    ));
    for id in ids {
        sql.push_param(*id);
    }
    ex.fetch_all(sql).await
}

/// An enabled expert account with its profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveExpert {
    pub profile: StoredProfile,
    pub username: String,
    pub display_name: String,
}

impl FromDbRow for ActiveExpert {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(ActiveExpert {
            profile: StoredProfile::from_row(row)?,
            username: row.get("username")?,
            display_name: row.get("display_name")?,
        })
    }
}

/// Every enabled, granted expert account with a profile, by username (a few thousand
/// nationally at most).
pub async fn active_experts(ex: &impl Exec) -> Result<Vec<ActiveExpert>, StoreError> {
    ex.fetch_all(Sql::new(
        "SELECT p.user_id, p.unit_credit_code, p.unit_name, p.fields, p.version, p.updated_by, \
         p.updated_at, u.username, u.display_name FROM expert_profiles p \
         JOIN users u ON u.id = p.user_id \
         WHERE u.role = 'expert' AND u.disabled = FALSE AND u.granted = TRUE ORDER BY u.username",
    ))
    .await
}

/// Writes a profile if `version` is its current one (0 for none yet); whether it was written.
pub async fn save(
    ex: &impl Exec,
    p: &StoredProfile,
    version: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let fields = p.fields.join(" ");
    let n = if version == 0 {
        // Someone else wrote the first version meanwhile: nothing written, stale.
        ex.execute(
            Sql::new(
                "INSERT INTO expert_profiles (user_id, unit_credit_code, unit_name, fields, \
                 version, updated_by, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6) \
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(p.user_id)
            .bind(p.unit_credit_code.as_str())
            .bind(p.unit_name.as_str())
            .bind(fields)
            .bind(p.updated_by.as_str())
            .bind(now),
        )
        .await?
    } else {
        ex.execute(
            Sql::new(
                "UPDATE expert_profiles SET unit_credit_code = $2, unit_name = $3, fields = $4, \
                 version = version + 1, updated_by = $5, updated_at = $6 \
                 WHERE user_id = $1 AND version = $7",
            )
            .bind(p.user_id)
            .bind(p.unit_credit_code.as_str())
            .bind(p.unit_name.as_str())
            .bind(fields)
            .bind(p.updated_by.as_str())
            .bind(now)
            .bind(version),
        )
        .await?
    };
    Ok(n == 1)
}
