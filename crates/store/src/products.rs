//! Products, their figures and patents, their versions, and registration serials.

use crate::annual_updates::AnnualUpdate;
use crate::db::{limit_offset, Backend, DbRow, Exec, Flag, FromDbRow, Sql};
use crate::patents::Patent;
use crate::users::{region_opt, ts, ts_opt};
use crate::StoreError;
use zhichan_domain::enterprises::{format_date, parse_date};
use zhichan_domain::registration::{ProductStatus, UpdateStatus};
use zhichan_domain::{IndustryCode, Money, RegionCode, Timestamp};

/// One year's figures of a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figures {
    pub year: i32,
    pub sales_revenue: Money,
    pub output_value: Money,
    /// Filed with the annual update; absent for years registered without it.
    pub export_value: Option<Money>,
    pub profit: Option<Money>,
    pub ip_investment: Option<Money>,
}

/// A patent linked to a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub patent_id: i64,
    pub core: bool,
    pub embodiment: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    pub id: i64,
    pub enterprise_id: i64,
    /// The enterprise's credit code (read with the row, never stored twice).
    pub enterprise_code: String,
    pub region: RegionCode,
    pub name: String,
    pub model: String,
    pub field: IndustryCode,
    pub description: String,
    pub first_sold_on: Option<time::Date>,
    pub status: ProductStatus,
    pub registration_number: Option<String>,
    pub submitted_at: Option<Timestamp>,
    pub reviewed_at: Option<Timestamp>,
    pub reviewed_by: Option<String>,
    pub return_reason: Option<String>,
    /// The registration stands from its first approval until its withdrawal.
    pub registered_on: Option<time::Date>,
    pub withdrawn_on: Option<time::Date>,
    pub figures: Vec<Figures>,
    pub links: Vec<Link>,
    /// The linked patents as read with the product, in the links' order (none for a product
    /// put together in memory: its view reads them). Never written by [`save`].
    pub patents: Vec<Patent>,
    /// Its amendment (变更) in progress, as read with the product (written by
    /// [`crate::amendments::put`], never by [`save`]).
    pub amendment: Option<crate::amendments::Amendment>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

fn bad(what: &str, v: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {v}"))
}

impl FromDbRow for Product {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let field: String = row.get("field")?;
        let status: String = row.get("status")?;
        let sold: Option<String> = row.get("first_sold_on")?;
        let date = |col: &str| -> Result<Option<time::Date>, StoreError> {
            let v: Option<String> = row.get(col)?;
            v.map(|s| parse_date(&s).ok_or_else(|| bad(col, &s)))
                .transpose()
        };
        Ok(Product {
            id: row.get("id")?,
            enterprise_id: row.get("enterprise_id")?,
            enterprise_code: row.get("enterprise_code")?,
            region: region_opt(row, "region")?.ok_or_else(|| bad("region", "null"))?,
            name: row.get("name")?,
            model: row.get("model")?,
            field: IndustryCode::parse(&field).map_err(|_| bad("field", &field))?,
            description: row.get("description")?,
            first_sold_on: sold
                .map(|s| parse_date(&s).ok_or_else(|| bad("first_sold_on", &s)))
                .transpose()?,
            status: ProductStatus::parse(&status).map_err(|_| bad("status", &status))?,
            registration_number: row.get("registration_number")?,
            submitted_at: ts_opt(row, "submitted_at")?,
            reviewed_at: ts_opt(row, "reviewed_at")?,
            reviewed_by: row.get("reviewed_by")?,
            return_reason: row.get("return_reason")?,
            registered_on: date("registered_on")?,
            withdrawn_on: date("withdrawn_on")?,
            figures: Vec::new(),
            links: Vec::new(),
            patents: Vec::new(),
            amendment: None,
            created_at: ts(row, "created_at")?,
            updated_at: ts(row, "updated_at")?,
            version: row.get("version")?,
        })
    }
}

const COLUMNS: &str = "id, enterprise_id, \
    (SELECT credit_code FROM enterprises e WHERE e.id = products.enterprise_id) AS enterprise_code, \
    region, name, model, field, description, first_sold_on, \
    status, registration_number, submitted_at, reviewed_at, reviewed_by, return_reason, \
    registered_on, withdrawn_on, created_at, updated_at, version";

/// The JSON functions of an engine, for reads that bring a product's figures, links, linked
/// patents and annual update along in the product's own row: one statement and one row per
/// product, where separate queries would each be a round trip (a product page used to take four).
/// The arrays come unordered (an ordered aggregate costs SQLite a sorter per row) and are put
/// in order when read.
struct Json {
    array: &'static str,
    /// The JSON array of an expression over the rows; `[]` for none.
    agg: fn(&str) -> String,
    /// The text of a JSON value (PostgreSQL's `json` is not text to the driver).
    text: fn(&str) -> String,
}

const SQLITE_JSON: Json = Json {
    array: "json_array",
    agg: |e| format!("json_group_array({e})"),
    text: |e| e.to_string(),
};

const POSTGRES_JSON: Json = Json {
    array: "json_build_array",
    agg: |e| format!("COALESCE(json_agg({e})::text, '[]')"),
    text: |e| format!("({e})::text"),
};

/// The product reads of one engine, built once.
struct Reads {
    /// The product columns with its figures and its links (each with the linked patent).
    columns: String,
    /// One product (`$1`) with everything under it.
    one: String,
    /// One product (`$1`) with everything under it and its annual update of the year `$2`.
    one_with_update: String,
    /// One product's head and document (`$1`) and its annual update of the year `$2`.
    documented: String,
    /// The SELECT list of [`Reads::documented`], the update's year as `$YEAR`.
    documented_columns: String,
}

fn reads(ex: &impl Exec) -> &'static Reads {
    static SQLITE: std::sync::OnceLock<Reads> = std::sync::OnceLock::new();
    static POSTGRES: std::sync::OnceLock<Reads> = std::sync::OnceLock::new();
    let (cell, j) = match ex.backend() {
        Backend::Sqlite => (&SQLITE, &SQLITE_JSON),
        Backend::Postgres => (&POSTGRES, &POSTGRES_JSON),
    };
    cell.get_or_init(|| {
        let figures = (j.agg)(&format!(
            "{}(f.year, f.sales_revenue, f.output_value, f.export_value, f.profit, \
             f.ip_investment)",
            j.array
        ));
        let links = (j.agg)(&format!(
            "{}(l.patent_id, l.core, l.embodiment, {})",
            j.array,
            crate::patents::json_of(j.array, "p")
        ));
        let update = (j.text)(&crate::annual_updates::json_of(j.array, "u"));
        let amendment = (j.text)(&crate::amendments::json_of(j.array, "a"));
        let columns = format!(
            "{COLUMNS}, \
             (SELECT {figures} FROM product_figures f WHERE f.product_id = products.id) \
             AS figures, \
             (SELECT {links} FROM product_patents l JOIN patents p ON p.id = l.patent_id \
             WHERE l.product_id = products.id) AS links, \
             (SELECT {amendment} FROM product_amendments a WHERE a.product_id = products.id) \
             AS amendment"
        );
        let update_of = format!(
            "(SELECT {update} FROM annual_updates u \
             WHERE u.product_id = products.id AND u.year = $2) AS annual_update"
        );
        // An answer read from a document needs only the state of the year's annual update,
        // so only its status is read (building the whole update as JSON cost a fifth of a
        // list page on SQLite).
        let documented_columns = "id, enterprise_id, (SELECT credit_code FROM enterprises e \
             WHERE e.id = products.enterprise_id) AS enterprise_code, region, status, \
             submitted_at, registered_on, withdrawn_on, version, document, \
             (SELECT u.status FROM annual_updates u WHERE u.product_id = products.id \
             AND u.year = $YEAR) AS annual_update_status, \
             (SELECT a.submitted_at FROM product_amendments a WHERE a.product_id = \
             products.id AND a.status = 'submitted') AS amendment_submitted_at"
            .to_string();
        Reads {
            documented: format!(
                "SELECT {} FROM products WHERE id = $1",
                documented_columns.replace("$YEAR", "$2")
            ),
            documented_columns,
            one: format!("SELECT {columns} FROM products WHERE id = $1"),
            one_with_update: format!("SELECT {columns}, {update_of} FROM products WHERE id = $1"),
            columns,
        }
    })
}

/// The SELECT list of product reads on an engine.
fn columns(ex: &impl Exec) -> &'static str {
    &reads(ex).columns
}

/// One year's figures as the JSON of a product read has them.
#[derive(serde::Deserialize)]
struct StoredFigures(i64, i64, i64, Option<i64>, Option<i64>, Option<i64>);

/// A link and its patent as the JSON of a product read has them.
#[derive(serde::Deserialize)]
struct StoredLink(i64, Flag, String, crate::patents::Stored);

fn json<T: serde::de::DeserializeOwned>(row: &DbRow, col: &str) -> Result<T, StoreError> {
    let text: String = row.get(col)?;
    serde_json::from_str(&text).map_err(|e| bad(col, e))
}

/// A product read with everything under it.
struct Full(Product);

impl FromDbRow for Full {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let mut p = Product::from_row(row)?;
        for StoredFigures(year, sales, output, export, profit, ip) in
            json::<Vec<StoredFigures>>(row, "figures")?
        {
            p.figures.push(Figures {
                year: i32::try_from(year).map_err(|_| bad("year", year))?,
                sales_revenue: Money::from_fen(sales),
                output_value: Money::from_fen(output),
                export_value: export.map(Money::from_fen),
                profit: profit.map(Money::from_fen),
                ip_investment: ip.map(Money::from_fen),
            });
        }
        let mut links = json::<Vec<StoredLink>>(row, "links")?;
        links.sort_by_key(|l| l.0);
        for StoredLink(patent_id, core, embodiment, patent) in links {
            p.links.push(Link {
                patent_id,
                core: core.0,
                embodiment,
            });
            p.patents.push(patent.try_into()?);
        }
        p.figures.sort_by_key(|f| f.year);
        if let Some(text) = row.get::<Option<String>>("amendment")? {
            let stored: crate::amendments::Stored =
                serde_json::from_str(&text).map_err(|e| bad("amendment", e))?;
            p.amendment = Some(stored.into_amendment(p.id)?);
        }
        Ok(Full(p))
    }
}

/// Reads products with everything under them.
async fn read(ex: &impl Exec, sql: Sql) -> Result<Vec<Product>, StoreError> {
    let rows: Vec<Full> = ex.fetch_all(sql).await?;
    Ok(rows.into_iter().map(|Full(p)| p).collect())
}

fn in_list(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The products of the given ids (a page's worth), in one statement.
pub async fn by_ids(ex: &impl Exec, ids: &[i64]) -> Result<Vec<Product>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(format!(
        "SELECT {} FROM products WHERE id IN ({})",
        columns(ex),
        in_list(1, ids.len())
    ));
    for id in ids {
        q.push_param(*id);
    }
    read(ex, q).await
}

/// Which of `ids` are products of the enterprise, in one statement: the others are another
/// enterprise's or nobody's, and cannot be told apart (nothing else is read or written for them).
pub async fn of_enterprise_among(
    ex: &impl Exec,
    enterprise_id: i64,
    ids: &[i64],
) -> Result<Vec<i64>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(format!(
        "SELECT id FROM products WHERE enterprise_id = $1 AND id IN ({})",
        in_list(2, ids.len())
    ))
    .bind(enterprise_id);
    for id in ids {
        q.push_param(*id);
    }
    ex.fetch_all(q).await
}

/// One product with its figures, links and linked patents, in one statement.
pub async fn by_id(ex: &impl Exec, id: i64) -> Result<Option<Product>, StoreError> {
    Ok(read(ex, Sql::new(reads(ex).one.as_str()).bind(id))
        .await?
        .pop())
}

/// What an answer read from a product's document needs besides the document: where the
/// product is (for the access check) and what the day's context is judged on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_code: String,
    pub region: RegionCode,
    pub status: ProductStatus,
    pub submitted_at: Option<Timestamp>,
    pub registered_on: Option<time::Date>,
    pub withdrawn_on: Option<time::Date>,
    pub version: i64,
    /// When its amendment was submitted, while it waits for review.
    pub amendment_submitted_at: Option<Timestamp>,
}

/// A product's head, its stored document (`None` until written) and the status of its annual
/// update of a year (`None` when it has filed none for that year).
#[derive(Clone, Debug)]
pub struct Documented {
    pub head: Head,
    pub document: Option<String>,
    pub update: Option<UpdateStatus>,
}

impl FromDbRow for Documented {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let status: String = row.get("status")?;
        let date = |col: &str| -> Result<Option<time::Date>, StoreError> {
            let v: Option<String> = row.get(col)?;
            v.map(|s| parse_date(&s).ok_or_else(|| bad(col, &s)))
                .transpose()
        };
        Ok(Documented {
            head: Head {
                id: row.get("id")?,
                enterprise_id: row.get("enterprise_id")?,
                enterprise_code: row.get("enterprise_code")?,
                region: region_opt(row, "region")?.ok_or_else(|| bad("region", "null"))?,
                status: ProductStatus::parse(&status).map_err(|_| bad("status", &status))?,
                submitted_at: ts_opt(row, "submitted_at")?,
                registered_on: date("registered_on")?,
                withdrawn_on: date("withdrawn_on")?,
                version: row.get("version")?,
                amendment_submitted_at: ts_opt(row, "amendment_submitted_at")?,
            },
            document: row.get("document")?,
            update: row
                .get::<Option<String>>("annual_update_status")?
                .map(|s| UpdateStatus::parse(&s).map_err(|_| bad("annual_update_status", &s)))
                .transpose()?,
        })
    }
}

fn annual_update(row: &DbRow) -> Result<Option<AnnualUpdate>, StoreError> {
    match row.get::<Option<String>>("annual_update")? {
        Some(text) => Ok(Some(
            serde_json::from_str::<crate::annual_updates::Stored>(&text)
                .map_err(|e| bad("annual_update", e))?
                .try_into()?,
        )),
        None => Ok(None),
    }
}

/// One product's head and stored document, with its annual update of `update_year`: one row
/// read by its key.
pub async fn documented(
    ex: &impl Exec,
    id: i64,
    update_year: Option<i32>,
) -> Result<Option<Documented>, StoreError> {
    let q = Sql::new(reads(ex).documented.as_str())
        .bind(id)
        .bind(update_year.map(i64::from));
    ex.fetch_optional(q).await
}

/// Stores products' documents, each only if the product is still at the version it was
/// written from (a document never describes a version other than the row's).
pub async fn put_documents(
    ex: &impl Exec,
    documents: &[(i64, i64, String)],
) -> Result<u64, StoreError> {
    let mut n = 0;
    for (id, version, document) in documents {
        n += ex
            .execute(
                Sql::new("UPDATE products SET document = $1 WHERE id = $2 AND version = $3")
                    .bind(document.as_str())
                    .bind(*id)
                    .bind(*version),
            )
            .await?;
    }
    Ok(n)
}

/// Up to `limit` products whose document is not written, lowest id first (on PostgreSQL locked
/// for the transaction, skipping those another transaction holds).
pub async fn without_document(ex: &impl Exec, limit: i64) -> Result<Vec<i64>, StoreError> {
    let lock = match ex.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    ex.fetch_all(
        Sql::new(format!(
            "SELECT id FROM products WHERE document IS NULL ORDER BY id LIMIT $1{lock}"
        ))
        .bind(limit),
    )
    .await
}

/// Forgets the documents of the products linked to a patent (it changed); the caller writes
/// them again in the same transaction.
pub async fn forget_documents_of_patent(ex: &impl Exec, patent_id: i64) -> Result<u64, StoreError> {
    ex.execute(
        Sql::new(
            "UPDATE products SET document = NULL WHERE id IN \
             (SELECT product_id FROM product_patents WHERE patent_id = $1)",
        )
        .bind(patent_id),
    )
    .await
}

/// A product with its update of a year.
struct WithUpdate(Product, Option<AnnualUpdate>);

impl FromDbRow for WithUpdate {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        let Full(p) = Full::from_row(row)?;
        Ok(WithUpdate(p, annual_update(row)?))
    }
}

/// One product with its figures, links and linked patents, and (when `update_year` is given)
/// its annual update of that year: all in one statement and one row.
pub async fn with_update(
    ex: &impl Exec,
    id: i64,
    update_year: Option<i32>,
) -> Result<Option<(Product, Option<AnnualUpdate>)>, StoreError> {
    let Some(year) = update_year else {
        return Ok(by_id(ex, id).await?.map(|p| (p, None)));
    };
    let q = Sql::new(reads(ex).one_with_update.as_str())
        .bind(id)
        .bind(i64::from(year));
    let row: Option<WithUpdate> = ex.fetch_optional(q).await?;
    Ok(row.map(|WithUpdate(p, u)| (p, u)))
}

/// Which products a list may show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Within {
    All,
    Region(RegionCode),
    Enterprise(i64),
}

/// What a product list asks for beyond its scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: Option<ProductStatus>,
    /// A region inside the scope to narrow to (its subtree).
    pub region: Option<RegionCode>,
    /// An industry code: the product's field or any field below it.
    pub field: Option<String>,
    /// Words in the product's name, model or registration number.
    pub text: Option<String>,
    /// Products whose amendment (变更) is in this state.
    pub amendment: Option<zhichan_domain::registration::AmendmentStatus>,
    /// Oldest submission first (the review queue) instead of newest change first.
    pub queue_order: bool,
    /// The order a person chose (`name`, `updated`, `submitted`), instead of the list's own.
    pub order: Option<crate::sorting::Order>,
    /// Only products returned before (and, with the status, submitted again).
    pub resubmitted: bool,
    /// Only products submitted before this moment (the overdue part of the review queue).
    pub submitted_before: Option<Timestamp>,
    /// Only products after this one in the list's order (keyset paging: the `cursor` the API
    /// gave with the previous page). Honoured by the orders [`Cursor::order_of`] names.
    pub after: Option<Cursor>,
}

/// Where a page of a product list ended, for the next page to start after it without counting
/// the rows before (keyset paging): the list's order, and the last product's sort value and id.
/// The API passes it on as an opaque text ([`Cursor::encode`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The order's column (`updated_at` or `name`) and direction.
    pub column: &'static str,
    pub desc: bool,
    pub value: String,
    pub id: i64,
}

impl Cursor {
    /// The keyset column and direction of a list's order, when it has one: the order of change
    /// (the default) or of name, each unique with the id; not the review queues (ordered by
    /// submission, which a draft lacks) nor an order by submission.
    pub fn order_of(filter: &Filter) -> Option<(&'static str, bool)> {
        match filter.order {
            Some(o) => match o.key {
                "updated" => Some(("updated_at", o.desc)),
                "name" => Some(("name", o.desc)),
                _ => None,
            },
            None if filter.queue_order => None,
            None => Some(("updated_at", true)),
        }
    }

    /// `u-` or `n-` (the column), `d` or `a` (the direction), the id, `.`, the value in hex.
    pub fn encode(&self) -> String {
        let col = if self.column == "name" { 'n' } else { 'u' };
        let dir = if self.desc { 'd' } else { 'a' };
        let hex: String = self.value.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{col}{dir}{}.{hex}", self.id)
    }

    /// Reads a cursor for a list in `filter`'s order; `None` when it is malformed or was given
    /// for another order.
    pub fn decode(text: &str, filter: &Filter) -> Option<Cursor> {
        let (column, desc) = Cursor::order_of(filter)?;
        let b = text.as_bytes();
        if b.len() < 4 || b.len() > 2048 {
            return None;
        }
        let col = if column == "name" { b'n' } else { b'u' };
        let dir = if desc { b'd' } else { b'a' };
        if b[0] != col || b[1] != dir {
            return None;
        }
        let (id, hex) = text[2..].split_once('.')?;
        let id: i64 = id.parse().ok().filter(|i| *i > 0)?;
        if hex.len() % 2 != 0 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect();
        let value = String::from_utf8(bytes?).ok()?;
        // The value must be one a row can hold: a stored timestamp for the order of change, a
        // product's name for the order of name (a forged "zzzz" would silently skip everything).
        let plausible = if column == "updated_at" {
            zhichan_domain::Timestamp::parse(&value).is_some_and(|t| t.to_string() == value)
        } else {
            let chars = value.chars().count();
            (1..=zhichan_domain::validation::limits::PRODUCT_NAME).contains(&chars)
                && value.trim() == value
                && !value
                    .chars()
                    .any(zhichan_domain::validation::is_hidden_control)
        };
        if !plausible {
            return None;
        }
        Some(Cursor {
            column,
            desc,
            value,
            id,
        })
    }
}

/// The keys a product list sorts by, and their columns (each walked in the list indexes of
/// migrations 19 and 23 after their equality columns).
pub const SORT_COLUMNS: &[(&str, &str)] = &[
    ("name", "name"),
    ("updated", "updated_at"),
    ("submitted", "submitted_at"),
];

/// The codes that begin with an industry code, as a half-open range `[lo, hi)` that an index
/// can seek: `13` → `["13", "14")` holds 13, 131 and 1311 and nothing else; `19` → `["19", "2")`.
/// Stored codes are one capital letter or digits only, so this holds in byte order (SQLite, and
/// PostgreSQL with the `C` or `C.UTF-8` collation) and in the usual locale collations, which
/// compare digits one character at a time. A PostgreSQL database created with a collation that
/// orders digits by numeric value (ICU `kn-true`) would need `field` declared `COLLATE "C"`.
/// `None` for text that is not such a code (it is then matched by `LIKE`, as typed).
fn code_range(prefix: &str) -> Option<(String, String)> {
    let lo = prefix.trim().to_ascii_uppercase();
    let letter = lo.len() == 1 && lo.as_bytes()[0].is_ascii_uppercase();
    if !letter && (lo.is_empty() || !lo.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    // The next code of the same length or shorter: the last digit that is not 9, plus one.
    let keep = lo.trim_end_matches('9');
    let last = *keep.as_bytes().last()?;
    if last == b'Z' {
        return None;
    }
    let hi = format!("{}{}", &keep[..keep.len() - 1], char::from(last + 1));
    Some((lo, hi))
}

/// How a field filter of a section letter or of two digits or more meets the list indexes: the
/// code's first two characters, as `substr(field, 1, 2)` has them (`3914` → `39`, `C` → `C`),
/// and for a group or class the range of [`code_range`] within it (open above for `999`: every
/// code from it on that begins with `99` begins with `999`). The same products as the range
/// alone, since every stored code is one letter or two to four digits.
#[allow(clippy::type_complexity)]
fn division_key(code: &str) -> Option<(String, Option<(String, Option<String>)>)> {
    let c = code.trim().to_ascii_uppercase();
    let letter = c.len() == 1 && c.as_bytes()[0].is_ascii_uppercase();
    let digits = c.len() >= 2 && c.bytes().all(|b| b.is_ascii_digit());
    if !letter && !digits {
        return None;
    }
    let key = c[..c.len().min(2)].to_string();
    let range = (c.len() > 2).then(|| match code_range(&c) {
        Some((lo, hi)) => (lo, Some(hi)),
        None => (c.clone(), None),
    });
    Some((key, range))
}

/// The WHERE conditions and parameters of a scope and filter.
fn conditions(within: &Within, filter: &Filter) -> (String, Vec<crate::Param>) {
    let mut conds: Vec<String> = Vec::new();
    let mut params: Vec<crate::Param> = Vec::new();
    let bind = |v: crate::Param, params: &mut Vec<crate::Param>| {
        params.push(v);
        format!("${}", params.len())
    };
    match within {
        Within::All => {}
        Within::Region(r) => {
            conds.extend(crate::regions::by_level(*r, &mut |v| bind(v, &mut params)))
        }
        Within::Enterprise(id) => {
            let a = bind((*id).into(), &mut params);
            conds.push(format!("enterprise_id = {a}"));
        }
    }
    if let Some(r) = filter.region {
        conds.extend(crate::regions::by_level(r, &mut |v| bind(v, &mut params)));
    }
    if let Some(st) = filter.status {
        let a = bind(st.as_str().into(), &mut params);
        conds.push(format!("status = {a}"));
    }
    if let Some(st) = filter.amendment {
        let a = bind(st.as_str().into(), &mut params);
        conds.push(format!(
            "id IN (SELECT product_id FROM product_amendments WHERE status = {a})"
        ));
    }
    if let Some(f) = filter.field.as_deref().filter(|f| !f.is_empty()) {
        match division_key(f) {
            // One key of the list indexes (migration 19), which then give the list's order.
            Some((key, range)) => {
                let a = bind(key.into(), &mut params);
                conds.push(format!("substr(field, 1, 2) = {a}"));
                if let Some((lo, hi)) = range {
                    let a = bind(lo.into(), &mut params);
                    conds.push(format!("field >= {a}"));
                    if let Some(hi) = hi {
                        let b = bind(hi.into(), &mut params);
                        conds.push(format!("field < {b}"));
                    }
                }
            }
            None => match code_range(f) {
                Some((lo, hi)) => {
                    let a = bind(lo.into(), &mut params);
                    let b = bind(hi.into(), &mut params);
                    conds.push(format!("field >= {a} AND field < {b}"));
                }
                None => {
                    let a = bind(
                        format!("{}%", crate::db::like_escape(f)).into(),
                        &mut params,
                    );
                    conds.push(format!("field LIKE {a} ESCAPE '\\'"));
                }
            },
        }
    }
    if filter.resubmitted {
        // Returned once: its history holds a returned version (the versions' primary key).
        conds.push(
            "EXISTS (SELECT 1 FROM product_versions v WHERE v.product_id = products.id \
             AND v.status = 'returned')"
                .to_string(),
        );
    }
    if let Some(t) = filter.submitted_before {
        let a = bind(t.to_string().into(), &mut params);
        conds.push(format!("submitted_at < {a}"));
    }
    if let Some(t) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let a = bind(
            format!("%{}%", crate::db::like_escape(t)).into(),
            &mut params,
        );
        conds.push(format!(
            "(name LIKE {a} ESCAPE '\\' OR model LIKE {a} ESCAPE '\\' \
             OR registration_number LIKE {a} ESCAPE '\\')"
        ));
    }
    if let Some(c) = &filter.after {
        // After the cursor in the list's order, as the list indexes can seek it: a range on
        // the order's column, then the id among equal values.
        let v = bind(c.value.clone().into(), &mut params);
        let id = bind(c.id.into(), &mut params);
        let (cmp, eq) = if c.desc { ("<", "<=") } else { (">", ">=") };
        let col = c.column;
        conds.push(format!(
            "{col} {eq} {v} AND ({col} {cmp} {v} OR id {cmp} {id})"
        ));
    }
    let sql = if conds.is_empty() {
        "1 = 1".to_string()
    } else {
        conds.join(" AND ")
    };
    (sql, params)
}

/// Products within `within` matching `filter`.
pub async fn list(
    ex: &impl Exec,
    within: &Within,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Product>, i64), StoreError> {
    let (filter_sql, params) = conditions(within, filter);
    let order = order_of(filter);
    // The page's ids first, from the index alone where the filter allows; then only their rows.
    let mut q = Sql::new(format!(
        "SELECT {} FROM products WHERE id IN (SELECT id FROM products WHERE {filter_sql} \
         ORDER BY {order} {}) ORDER BY {order}",
        columns(ex),
        limit_offset(limit, offset),
    ));
    for p in &params {
        q.push_param(p.clone());
    }
    let rows = read(ex, q).await?;
    let total = count(ex, &filter_sql, params).await?;
    Ok((rows, total))
}

/// A list's order: the review queue oldest submission first, else newest change first (the
/// order of the list indexes after their equality columns).
fn order_of(filter: &Filter) -> String {
    if let Some(o) = filter.order {
        if o.key == "submitted" && filter.amendment.is_some() {
            // The amendments' queue: by the submission of the change.
            let dir = if o.desc { " DESC" } else { "" };
            return format!(
                "(SELECT a.submitted_at FROM product_amendments a \
                 WHERE a.product_id = products.id){dir}, id{dir}"
            );
        }
        if let Some(o) = o.sql(SORT_COLUMNS, "id") {
            return o;
        }
    }
    if filter.queue_order && filter.amendment.is_some() {
        // The amendments' queue: oldest submission of the change first.
        "(SELECT a.submitted_at FROM product_amendments a WHERE a.product_id = products.id), id"
            .into()
    } else if filter.queue_order {
        "submitted_at, id".into()
    } else {
        "updated_at DESC, id DESC".into()
    }
}

/// How many products within `within` match `filter` (one COUNT over the list indexes).
pub async fn count_matching(
    ex: &impl Exec,
    within: &Within,
    filter: &Filter,
) -> Result<i64, StoreError> {
    let (filter_sql, params) = conditions(within, filter);
    count(ex, &filter_sql, params).await
}

/// How many products match a list's conditions.
async fn count(
    ex: &impl Exec,
    filter_sql: &str,
    params: Vec<crate::Param>,
) -> Result<i64, StoreError> {
    let mut count = Sql::new(format!("SELECT COUNT(*) FROM products WHERE {filter_sql}"));
    for p in params {
        count.push_param(p);
    }
    ex.fetch_one(count).await
}

/// How far the API's product list counts its matches: `total` is exact up to this many, and
/// past it the answer says `total_capped` (the count of a large list would cost more than its
/// page; the page itself is read from the list indexes in order whatever the total).
pub const LIST_TOTAL_CAP: i64 = 1_000;

/// A list's total as the API answers it: exact, or [`LIST_TOTAL_CAP`] and `capped`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Total {
    pub total: i64,
    pub capped: bool,
}

/// A page of products as [`documented`] reads one (head, stored document, annual update of
/// `update_year`), with the scope, filter and order of [`list`] and its total counted up to
/// [`LIST_TOTAL_CAP`]: what the API's list answers from, without putting each product together
/// from its tables. With `filter.after` the page starts after that cursor (and `offset` after
/// that); the total is then of the whole list, not of what follows the cursor. The cursor of
/// the page's end comes back when the page is full and the order has one.
pub async fn list_documented(
    ex: &impl Exec,
    within: &Within,
    filter: &Filter,
    limit: i64,
    offset: i64,
    update_year: Option<i32>,
) -> Result<(Vec<Documented>, Total, Option<Cursor>), StoreError> {
    let (page_sql, page_params) = conditions(within, filter);
    let whole = Filter {
        after: None,
        ..filter.clone()
    };
    let (filter_sql, params) = conditions(within, &whole);
    let m = page_params.len();
    let keyset = Cursor::order_of(filter);
    // The order's column comes with each row, so that the page's end gives the next cursor.
    let cursor_column = match keyset {
        Some((column, _)) => format!(", {column} AS cursor_value"),
        None => ", CAST(NULL AS TEXT) AS cursor_value".to_string(),
    };
    let mut q = Sql::new(format!(
        "SELECT {}{cursor_column} FROM products WHERE id IN (SELECT id FROM products \
         WHERE {page_sql} ORDER BY {order} {}) ORDER BY {order}",
        reads(ex)
            .documented_columns
            .replace("$YEAR", &format!("${}", m + 1)),
        limit_offset(limit, offset),
        order = order_of(filter),
    ));
    for p in page_params {
        q.push_param(p);
    }
    let rows: Vec<PageRow> = ex.fetch_all(q.bind(update_year.map(i64::from))).await?;
    let full = rows.len() as i64 == limit;
    let mut last_value = None;
    let page: Vec<Documented> = rows
        .into_iter()
        .map(|r| {
            last_value = r.1;
            r.0
        })
        .collect();
    let next = match (keyset, page.last(), last_value) {
        (Some((column, desc)), Some(last), Some(value)) if full => Some(Cursor {
            column,
            desc,
            value,
            id: last.head.id,
        }),
        _ => None,
    };
    // A page that is not full and starts the list or holds rows is the list's end: the total
    // is what came before it and what it holds, without counting again.
    if filter.after.is_none() && !full && (offset == 0 || !page.is_empty()) {
        let n = offset + page.len() as i64;
        let total = Total {
            total: n.min(LIST_TOTAL_CAP),
            capped: n > LIST_TOTAL_CAP,
        };
        return Ok((page, total, next));
    }
    // Registered products in force of a region and division are counted by the statistics'
    // rollups, kept in the transaction of every change that moves them.
    if let Some(n) = registered_from_rollups(ex, within, &whole).await? {
        let total = Total {
            total: n.min(LIST_TOTAL_CAP),
            capped: n > LIST_TOTAL_CAP,
        };
        return Ok((page, total, next));
    }
    // One more than the cap tells a capped total from an exact one.
    let mut count = Sql::new(format!(
        "SELECT COUNT(*) FROM (SELECT 1 AS one FROM products WHERE {filter_sql} {}) AS m",
        limit_offset(LIST_TOTAL_CAP + 1, 0)
    ));
    for p in params {
        count.push_param(p);
    }
    let n: i64 = ex.fetch_one(count).await?;
    let total = Total {
        total: n.min(LIST_TOTAL_CAP),
        capped: n > LIST_TOTAL_CAP,
    };
    Ok((page, total, next))
}

/// How many products a list of approved products counts, read from the statistics rollups
/// when nothing but a region and a division (two-digit GB/T 4754 code) narrows it: an approved
/// product is a registered one in force, which is what `stat_regions` and `stat_region_fields`
/// count by the product's region and division (crate::stats, one transaction with each
/// approval, amendment, move, withdrawal and revocation). `None` when the list asks for more.
async fn registered_from_rollups(
    ex: &impl Exec,
    within: &Within,
    filter: &Filter,
) -> Result<Option<i64>, StoreError> {
    let plain = Filter {
        status: filter.status,
        region: filter.region,
        field: filter.field.clone(),
        order: filter.order,
        queue_order: filter.queue_order,
        ..Filter::default()
    };
    if filter.status != Some(ProductStatus::Approved) || *filter != plain {
        return Ok(None);
    }
    let scope = match within {
        Within::All => RegionCode::NATION,
        Within::Region(r) => *r,
        Within::Enterprise(_) => return Ok(None),
    };
    // The narrower of the scope and the asked region; none in common, none counted.
    let region = match filter.region {
        None => scope,
        Some(r) if scope.contains(r) => r,
        Some(r) if r.contains(scope) => scope,
        Some(_) => return Ok(Some(0)),
    };
    let n: Option<i64> = match filter.field.as_deref().map(str::trim) {
        None | Some("") => {
            ex.fetch_optional(
                Sql::new("SELECT products FROM stat_regions WHERE region = $1").bind(region),
            )
            .await?
        }
        Some(f) if f.len() == 2 && f.bytes().all(|b| b.is_ascii_digit()) => {
            ex.fetch_optional(
                Sql::new(
                    "SELECT products FROM stat_region_fields WHERE region = $1 AND field = $2",
                )
                .bind(region)
                .bind(f.to_string()),
            )
            .await?
        }
        Some(_) => return Ok(None),
    };
    Ok(Some(n.unwrap_or(0)))
}

/// A row of a list page: the product as [`documented`] reads one, and the value of the list's
/// keyset column when the order has one.
struct PageRow(Documented, Option<String>);

impl FromDbRow for PageRow {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(PageRow(
            Documented::from_row(row)?,
            row.get("cursor_value")?,
        ))
    }
}

struct StatusCount(String, i64);
impl FromDbRow for StatusCount {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(StatusCount(row.get("status")?, row.get("n")?))
    }
}

/// How many products of an enterprise are in each status.
pub async fn count_by_status(
    ex: &impl Exec,
    enterprise_id: i64,
) -> Result<Vec<(ProductStatus, i64)>, StoreError> {
    let rows: Vec<StatusCount> = ex
        .fetch_all(
            Sql::new(
                "SELECT status, COUNT(*) AS n FROM products WHERE enterprise_id = $1 \
                 GROUP BY status",
            )
            .bind(enterprise_id),
        )
        .await?;
    rows.into_iter()
        .map(|StatusCount(s, n)| {
            ProductStatus::parse(&s)
                .map(|s| (s, n))
                .map_err(|_| bad("status", &s))
        })
        .collect()
}

/// The product that holds a registration number.
pub async fn by_registration_number(
    ex: &impl Exec,
    number: &str,
) -> Result<Option<Product>, StoreError> {
    let q = Sql::new(format!(
        "SELECT {} FROM products WHERE registration_number = $1",
        columns(ex)
    ))
    .bind(number);
    Ok(read(ex, q).await?.pop())
}

/// The next page of an export: products matching the scope and filter with an id above
/// `after`, by id (keyset paging, so a large export never re-reads what it has written).
pub async fn export_page(
    ex: &impl Exec,
    within: &Within,
    filter: &Filter,
    after: i64,
    limit: i64,
) -> Result<Vec<Product>, StoreError> {
    let (filter_sql, params) = conditions(within, filter);
    let mut q = Sql::new(format!(
        "SELECT {} FROM products WHERE {filter_sql} AND id > ${} ORDER BY id {}",
        columns(ex),
        params.len() + 1,
        limit_offset(limit, 0)
    ));
    for p in params {
        q.push_param(p);
    }
    read(ex, q.bind(after)).await
}

/// The products linked to a patent (for flags and notices when it lapses).
pub async fn linked_to_patent(ex: &impl Exec, patent_id: i64) -> Result<Vec<Product>, StoreError> {
    let q = Sql::new(format!(
        "SELECT {} FROM products WHERE id IN \
         (SELECT product_id FROM product_patents WHERE patent_id = $1) ORDER BY id",
        columns(ex)
    ))
    .bind(patent_id);
    read(ex, q).await
}

/// The ids of the products linked to a patent.
pub async fn linked_ids(ex: &impl Exec, patent_id: i64) -> Result<Vec<i64>, StoreError> {
    ex.fetch_all(
        Sql::new("SELECT DISTINCT product_id FROM product_patents WHERE patent_id = $1 ORDER BY 1")
            .bind(patent_id),
    )
    .await
}

async fn replace_details(ex: &impl Exec, p: &Product) -> Result<(), StoreError> {
    ex.execute(Sql::new("DELETE FROM product_figures WHERE product_id = $1").bind(p.id))
        .await?;
    ex.execute(Sql::new("DELETE FROM product_patents WHERE product_id = $1").bind(p.id))
        .await?;
    for f in &p.figures {
        ex.execute(
            Sql::new(
                "INSERT INTO product_figures (product_id, year, sales_revenue, output_value, \
                 export_value, profit, ip_investment) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(p.id)
            .bind(i64::from(f.year))
            .bind(f.sales_revenue.fen())
            .bind(f.output_value.fen())
            .bind(f.export_value.map(Money::fen))
            .bind(f.profit.map(Money::fen))
            .bind(f.ip_investment.map(Money::fen)),
        )
        .await?;
    }
    for l in &p.links {
        ex.execute(
            Sql::new(
                "INSERT INTO product_patents (product_id, patent_id, core, embodiment) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(p.id)
            .bind(l.patent_id)
            .bind(l.core)
            .bind(l.embodiment.as_str()),
        )
        .await?;
    }
    Ok(())
}

/// Inserts a product (version 1) with its figures and links; answers its id.
pub async fn insert(ex: &impl Exec, p: &Product, now: Timestamp) -> Result<i64, StoreError> {
    let id: i64 = ex
        .fetch_one(
            Sql::new(
                "INSERT INTO products (enterprise_id, region, name, model, field, description, \
                 first_sold_on, status, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1) RETURNING id",
            )
            .bind(p.enterprise_id)
            .bind(p.region)
            .bind(p.name.as_str())
            .bind(p.model.as_str())
            .bind(p.field.as_str())
            .bind(p.description.as_str())
            .bind(p.first_sold_on.map(format_date))
            .bind(p.status.as_str())
            .bind(now),
        )
        .await?;
    replace_details(ex, &Product { id, ..p.clone() }).await?;
    Ok(id)
}

/// Saves every field of a product if it is still at `version`; the new version, or `None` when
/// someone saved first (nothing written then).
/// The service writes products only through `Services::save_product`, which also rewrites the
/// document this forgets, moves the rollups and records the version.
pub async fn save(
    ex: &impl Exec,
    p: &Product,
    version: i64,
    now: Timestamp,
) -> Result<Option<i64>, StoreError> {
    let n = ex
        .execute(
            Sql::new(
                "UPDATE products SET name = $1, model = $2, field = $3, description = $4, \
                 first_sold_on = $5, status = $6, registration_number = $7, submitted_at = $8, \
                 reviewed_at = $9, reviewed_by = $10, return_reason = $11, region = $12, \
                 updated_at = $13, registered_on = $16, withdrawn_on = $17, \
                 version = version + 1, document = NULL WHERE id = $14 AND version = $15",
            )
            .bind(p.name.as_str())
            .bind(p.model.as_str())
            .bind(p.field.as_str())
            .bind(p.description.as_str())
            .bind(p.first_sold_on.map(format_date))
            .bind(p.status.as_str())
            .bind(p.registration_number.clone())
            .bind(p.submitted_at)
            .bind(p.reviewed_at)
            .bind(p.reviewed_by.clone())
            .bind(p.return_reason.clone())
            .bind(p.region)
            .bind(now)
            .bind(p.id)
            .bind(version)
            .bind(p.registered_on.map(format_date))
            .bind(p.withdrawn_on.map(format_date)),
        )
        .await?;
    if n == 0 {
        return Ok(None);
    }
    replace_details(ex, p).await?;
    Ok(Some(version + 1))
}

/// One saved version of a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub version: i64,
    pub status: String,
    pub snapshot: String,
    pub changed_by: String,
    pub changed_at: Timestamp,
    /// The event as a Chinese sentence (`退回：…`), as it was always stored.
    pub note: String,
    /// The event's code (`zhichan_domain::registration::VersionEvent`), absent on versions
    /// saved before events were recorded.
    pub event: Option<String>,
    /// The event's detail: the reason given, or the year updated.
    pub detail: Option<String>,
}

impl FromDbRow for Version {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Version {
            version: row.get("version")?,
            status: row.get("status")?,
            snapshot: row.get("snapshot")?,
            changed_by: row.get("changed_by")?,
            changed_at: ts(row, "changed_at")?,
            note: row.get("note")?,
            event: row.get("event")?,
            detail: row.get("detail")?,
        })
    }
}

pub async fn insert_version(ex: &impl Exec, id: i64, v: &Version) -> Result<(), StoreError> {
    ex.execute(
        Sql::new(
            "INSERT INTO product_versions (product_id, version, status, snapshot, changed_by, \
             changed_at, note, event, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(v.version)
        .bind(v.status.as_str())
        .bind(v.snapshot.as_str())
        .bind(v.changed_by.as_str())
        .bind(v.changed_at)
        .bind(v.note.as_str())
        .bind(v.event.as_deref())
        .bind(v.detail.as_deref()),
    )
    .await?;
    Ok(())
}

pub async fn versions(ex: &impl Exec, id: i64) -> Result<Vec<Version>, StoreError> {
    ex.fetch_all(
        Sql::new(
            "SELECT version, status, snapshot, changed_by, changed_at, note, event, detail \
             FROM product_versions \
             WHERE product_id = $1 ORDER BY version DESC",
        )
        .bind(id),
    )
    .await
}

/// The next registration serial for a year and region, taken inside the caller's transaction
/// (the row lock keeps two approvals from sharing one).
pub async fn next_serial(ex: &impl Exec, year: i32, region: RegionCode) -> Result<i64, StoreError> {
    ex.fetch_one(
        Sql::new(
            "INSERT INTO registration_serials (year, region, last) VALUES ($1, $2, 1) \
             ON CONFLICT (year, region) DO UPDATE SET last = registration_serials.last + 1 \
             RETURNING last",
        )
        .bind(i64::from(year))
        .bind(region),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::{code_range, division_key};

    #[test]
    fn a_field_filter_meets_the_list_indexes_by_its_first_two_characters() {
        let key = |c: &str| {
            division_key(c).map(|(k, r)| match r {
                None => k,
                Some((lo, hi)) => format!("{k} {lo}..{}", hi.unwrap_or_default()),
            })
        };
        assert_eq!(key("39").as_deref(), Some("39"));
        assert_eq!(key(" c ").as_deref(), Some("C"));
        assert_eq!(key("391").as_deref(), Some("39 391..392"));
        assert_eq!(key("3914").as_deref(), Some("39 3914..3915"));
        assert_eq!(key("999").as_deref(), Some("99 999.."));
        for other in ["3", "C39", "", "制造", "1_"] {
            assert_eq!(key(other), None, "{other:?}");
        }
    }

    #[test]
    fn an_industry_code_is_a_range_of_the_codes_below_it() {
        let range = |p: &str| code_range(p).map(|(lo, hi)| format!("{lo}..{hi}"));
        assert_eq!(range("13").as_deref(), Some("13..14"));
        assert_eq!(range("19").as_deref(), Some("19..2"));
        assert_eq!(range("199").as_deref(), Some("199..2"));
        assert_eq!(range(" 130 ").as_deref(), Some("130..131"));
        assert_eq!(range("c").as_deref(), Some("C..D"));
        // No code follows these, or they are not codes: matched by LIKE as typed.
        for p in ["99", "9", "Z", "C13", "1_", "", "制造"] {
            assert_eq!(range(p), None, "{p:?}");
        }
        // Every code that begins with the prefix is inside, every other outside.
        let (lo, hi) = code_range("19").unwrap();
        for code in ["19", "191", "1999", "1910"] {
            assert!(lo.as_str() <= code && code < hi.as_str(), "{code}");
        }
        for code in ["18", "189", "2", "20", "1"] {
            assert!(!(lo.as_str() <= code && code < hi.as_str()), "{code}");
        }
    }
}
