//! Key-enterprise directories (重点名录): an office imports a list of enterprises it must bring
//! to registration (name, credit code, category, deadline) from xlsx or csv, every row checked
//! and nothing stored unless all are right; coverage is the share of listed enterprises with a
//! product registered by their deadline, overall, per category and per sub-region.

use crate::audit::record;
use crate::uploads::{self, UploadLimits};
use crate::{Ctx, ServiceError, ServiceResult, Services};
use calamine::{open_workbook_from_rs, Reader, Xlsx};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use zhichan_domain::access::{authorize, Action, Actor, Placement, Scope};
use zhichan_domain::enterprises::{format_date, parse_date};
use zhichan_domain::validation::{self, limits, max_chars};
use zhichan_domain::{CreditCode, RegionCode, Violation};
use zhichan_store::directories::{self, CoverageRow, Directory, Entry};
use zhichan_store::{enterprises, regions};

/// A problem with one row of a directory file: blocking (`error`) or only reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowNote {
    pub row: u32,
    pub column: String,
    pub code: String,
    pub message: String,
}

/// The outcome of an import.
#[derive(Clone, Debug)]
pub enum Imported {
    /// Stored, with the warnings of its rows (listed enterprises not on the platform yet).
    Stored {
        directory: Directory,
        warnings: Vec<RowNote>,
    },
    /// Refused as a whole: the errors of its rows (and any warnings).
    Refused {
        errors: Vec<RowNote>,
        warnings: Vec<RowNote>,
    },
}

fn file_error(code: &'static str, zh: &str) -> ServiceError {
    ServiceError::invalid("file", Violation::new(code, zh, code))
}

/// The rows of the first worksheet of an xlsx file, or of a csv file (UTF-8, or GBK as Excel on
/// Chinese Windows saves it), as text cells with their 1-based row numbers; bounded by the
/// upload limits before anything is read.
fn read_table(
    file_name: &str,
    bytes: &[u8],
    limits: &UploadLimits,
) -> ServiceResult<Vec<(u32, Vec<String>)>> {
    if bytes.starts_with(b"PK\x03\x04") {
        let mut budget = uploads::check_xlsx(bytes, limits)?;
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|_| file_error("not_xlsx", "文件无法作为 xlsx 工作簿打开"))?;
        let first = wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| file_error("empty", "工作簿中没有工作表"))?;
        return uploads::sheet_rows(&mut wb, &first, 0, limits, &mut budget)?
            .ok_or_else(|| file_error("not_xlsx", "工作表无法读取"));
    }
    let lower = file_name.to_ascii_lowercase();
    let looks_binary = bytes.iter().take(4096).any(|b| *b == 0);
    if looks_binary || !(lower.ends_with(".csv") || lower.ends_with(".txt") || lower.is_empty()) {
        return Err(file_error(
            "unsupported_file",
            "只支持 .xlsx 或 .csv 文件（请从 Excel 或 WPS 另存为这两种格式）",
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t.trim_start_matches('\u{feff}')),
        Err(_) => encoding_rs::GBK.decode(bytes).0,
    };
    uploads::csv_rows(&text, limits)
}

/// Where each needed column is, from the header row's names.
fn columns(header: &[String]) -> Result<[usize; 4], Vec<String>> {
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.replace(' ', "").contains(n)))
    };
    let wanted: [(&str, &[&str]); 4] = [
        ("企业名称", &["企业名称", "单位名称", "名称"]),
        ("统一社会信用代码", &["统一社会信用代码", "信用代码"]),
        ("类别", &["类别", "类型", "名录"]),
        ("截止日期", &["截止日期", "截止时间", "完成时限", "期限"]),
    ];
    let mut out = [0; 4];
    let mut missing = Vec::new();
    for (i, (label, names)) in wanted.iter().enumerate() {
        match find(names) {
            Some(p) => out[i] = p,
            None => missing.push(label.to_string()),
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

fn parse_deadline(s: &str) -> Option<time::Date> {
    let t = s
        .trim()
        .replace(['/', '.', '年', '月'], "-")
        .replace('日', "");
    let mut parts = t.split('-').filter(|p| !p.is_empty());
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    parse_date(&format!("{y:0>4}-{m:0>2}-{d:0>2}"))
        .filter(|d| (validation::EARLIEST_DATE..=validation::LATEST_DATE).contains(d))
}

/// Coverage of a directory, as pages and the API show it.
#[derive(Clone, Debug)]
pub struct Coverage {
    pub directory: Directory,
    pub listed: i64,
    pub covered: i64,
    pub overdue: i64,
    pub rows: Vec<CoverageRow>,
    /// (category, listed, covered)
    pub categories: Vec<(String, i64, i64)>,
    /// (region code, name, listed, covered), one level below the directory's region.
    pub regions: Vec<(String, String, i64, i64)>,
    pub today: time::Date,
}

impl Coverage {
    pub fn rate(covered: i64, listed: i64) -> f64 {
        if listed == 0 {
            0.0
        } else {
            (covered as f64 / listed as f64 * 10_000.0).round() / 10_000.0
        }
    }

    pub fn is_overdue(&self, r: &CoverageRow) -> bool {
        r.covered_on.is_none() && r.entry.deadline < format_date(self.today)
    }
}

impl Services {
    async fn directory_scope(
        &self,
        actor: &Actor,
        region: RegionCode,
        object: &str,
    ) -> ServiceResult<()> {
        authorize(actor, Action::ManageDirectories)?;
        self.port_gate(actor).await?;
        self.scoped(
            actor,
            Action::ManageDirectories,
            &Placement {
                region: Some(region),
                ..Placement::default()
            },
            object,
        )
        .await
    }

    /// Imports a directory for `region` (the caller's own or one below it).
    pub async fn import_directory(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        name: &str,
        region: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> ServiceResult<Imported> {
        let scope = authorize(actor, Action::ManageDirectories)?;
        let region = match region.trim() {
            "" => match &scope {
                Scope::Region(r) => *r,
                _ => RegionCode::NATION,
            },
            r => RegionCode::parse(r).map_err(|v| ServiceError::invalid("region", v))?,
        };
        if region != RegionCode::NATION && regions::get(self.db(), region).await?.is_none() {
            return Err(ServiceError::invalid(
                "region",
                Violation::new("invalid_region", "没有这个行政区划代码", "unknown region"),
            ));
        }
        self.directory_scope(actor, region, &format!("region:{region}"))
            .await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ServiceError::invalid(
                "name",
                Violation::new("required", "请填写名录名称（100 字以内）", "name required"),
            ));
        }
        if bytes.is_empty() {
            return Err(file_error("required", "请选择要导入的文件"));
        }
        let limits = self.upload_limits();
        let (file_name_owned, bytes_owned, owned_limits) =
            (file_name.to_string(), bytes.to_vec(), limits.clone());
        let table = self
            .read_upload(move || read_table(&file_name_owned, &bytes_owned, &owned_limits))
            .await?;
        let mut rows = table
            .into_iter()
            .filter(|(_, c)| c.iter().any(|x| !x.is_empty()));
        let Some((_, header)) = rows.next() else {
            return Err(file_error("empty", "文件中没有内容"));
        };
        let cols = columns(&header).map_err(|missing| {
            file_error(
                "wrong_columns",
                &format!("第一行应为列名，缺少：{}", missing.join("、")),
            )
        })?;
        let data: Vec<(u32, Vec<String>)> = rows.collect();
        if data.is_empty() {
            return Err(file_error("empty", "文件中只有列名，没有企业"));
        }
        if data.len() > limits.max_rows as usize {
            return Err(file_error(
                "too_many_rows",
                &format!("一个名录最多 {} 家企业，请拆分后导入", limits.max_rows),
            ));
        }
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let note = |row: u32, column: &str, code: &str, message: String| RowNote {
            row,
            column: column.to_string(),
            code: code.to_string(),
            message,
        };
        let mut entries = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        let today = self.now().beijing_date();
        for (row, cells) in &data {
            let get = |i: usize| cells.get(cols[i]).cloned().unwrap_or_default();
            let (ename, code, category, deadline) = (get(0), get(1), get(2), get(3));
            let mut ok = true;
            if ename.is_empty() {
                errors.push(note(*row, "企业名称", "required", "请填写企业名称".into()));
                ok = false;
            }
            if let Err(v) = max_chars(&ename, limits::ENTERPRISE_NAME) {
                errors.push(note(*row, "企业名称", v.code, v.message_zh));
                ok = false;
            }
            if let Err(v) = max_chars(&category, 50) {
                errors.push(note(*row, "类别", v.code, v.message_zh));
                ok = false;
            }
            if category.is_empty() {
                errors.push(note(
                    *row,
                    "类别",
                    "required",
                    "请填写类别，如 专精特新".into(),
                ));
                ok = false;
            }
            let deadline = match parse_deadline(&deadline) {
                Some(d) => Some(d),
                None => {
                    errors.push(note(
                        *row,
                        "截止日期",
                        "invalid_date",
                        format!(
                            "“{}”不是有效日期，应写作 2026-12-31",
                            zhichan_domain::validation::echo(&deadline)
                        ),
                    ));
                    ok = false;
                    None
                }
            };
            let code = match CreditCode::parse(&code) {
                Ok(c) => Some(c.as_str().to_string()),
                Err(v) => {
                    errors.push(note(*row, "统一社会信用代码", v.code, v.message_zh));
                    ok = false;
                    None
                }
            };
            if let Some(c) = &code {
                if let Some(first) = seen.get(c) {
                    errors.push(note(
                        *row,
                        "统一社会信用代码",
                        "duplicate",
                        format!("与第 {first} 行重复"),
                    ));
                    ok = false;
                } else {
                    seen.insert(c.clone(), *row);
                }
                // An enterprise outside the caller's scope is answered exactly as one not on
                // the platform: the import must not reveal that it exists, nor where.
                let visible = enterprises::by_credit_code(self.db(), c)
                    .await?
                    .filter(|e| match &scope {
                        Scope::All => true,
                        Scope::Region(r) => r.contains(e.region),
                        _ => false,
                    });
                match visible {
                    Some(e) => {
                        if !region.contains(e.region) {
                            errors.push(note(
                                *row,
                                "统一社会信用代码",
                                "outside_region",
                                format!("该企业登记在 {}，不在本名录所属地区", e.region),
                            ));
                            ok = false;
                        }
                        if e.name.replace(' ', "") != ename.replace(' ', "") && !ename.is_empty() {
                            errors.push(note(
                                *row,
                                "企业名称",
                                "name_mismatch",
                                format!("与平台登记的名称“{}”不一致", e.name),
                            ));
                            ok = false;
                        }
                    }
                    None => warnings.push(note(
                        *row,
                        "统一社会信用代码",
                        "unknown_enterprise",
                        "平台上尚无该企业，导入后计为未覆盖，请督促其注册备案".into(),
                    )),
                }
            }
            if let (true, Some(code), Some(d)) = (ok, code, deadline) {
                if d < today {
                    warnings.push(note(
                        *row,
                        "截止日期",
                        "past_deadline",
                        "截止日期已过".into(),
                    ));
                }
                entries.push(Entry {
                    row_number: i64::from(*row),
                    credit_code: code,
                    name: ename,
                    category,
                    deadline: format_date(d),
                });
            }
        }
        if !errors.is_empty() {
            return Ok(Imported::Refused { errors, warnings });
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = directories::insert(&tx, region, name, file_name, &entries, &actor.username, now)
            .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "directory.import",
            &format!("directory:{id}"),
            "ok",
            json!({"region": region.to_string(), "name": name, "listed": entries.len(),
                   "warnings": warnings.len(), "file": file_name}),
            now,
        )
        .await?;
        tx.commit().await?;
        let directory = directories::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(Imported::Stored {
            directory,
            warnings,
        })
    }

    /// The directories the caller may see (its region's and those below it).
    pub async fn directories(&self, actor: &Actor) -> ServiceResult<Vec<Directory>> {
        Ok(self.directories_sorted(actor, None, i64::MAX, 0).await?.0)
    }

    /// One page of the directories the caller manages, in the order asked for (newest first
    /// when `None`), sorted and paged by the database; with how many there are in all.
    pub async fn directories_sorted(
        &self,
        actor: &Actor,
        order: Option<zhichan_store::sorting::Order>,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Directory>, i64)> {
        let scope = authorize(actor, Action::ManageDirectories)?;
        self.port_gate(actor).await?;
        let within = match scope {
            Scope::Region(r) => r,
            Scope::All => RegionCode::NATION,
            _ => return Err(ServiceError::Forbidden),
        };
        Ok(directories::within_sorted(self.db(), within, order, limit, offset).await?)
    }

    /// The coverage of one directory.
    pub async fn directory_coverage(&self, actor: &Actor, id: i64) -> ServiceResult<Coverage> {
        authorize(actor, Action::ManageDirectories)?;
        let directory = directories::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.directory_scope(actor, directory.region, &format!("directory:{id}"))
            .await?;
        let mut rows = directories::coverage(self.db(), id).await?;
        for r in &mut rows {
            // An enterprise now outside the directory's region (inside the caller's scope) is
            // shown as one not on the platform, as at import: nothing of it is revealed.
            if r.region.is_some_and(|e| !directory.region.contains(e)) {
                r.enterprise_id = None;
                r.region = None;
                r.contact_name.clear();
                r.contact_phone.clear();
                r.contact_email.clear();
                r.covered_on = None;
            }
        }
        let today = self.now().beijing_date();
        let mut categories: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut by_region: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let child = |r: RegionCode| -> RegionCode {
            // The ancestor of `r` one level below the directory's region.
            r.self_and_ancestors()
                .find(|a| a.parent() == Some(directory.region))
                .unwrap_or(r)
        };
        let (mut covered, mut overdue) = (0, 0);
        for r in &rows {
            let c = i64::from(r.covered_on.is_some());
            covered += c;
            if r.covered_on.is_none() && r.entry.deadline < format_date(today) {
                overdue += 1;
            }
            let e = categories.entry(r.entry.category.clone()).or_default();
            e.0 += 1;
            e.1 += c;
            let key = r.region.map(child).unwrap_or(directory.region).to_string();
            let e = by_region.entry(key).or_default();
            e.0 += 1;
            e.1 += c;
        }
        let mut regions_named = Vec::new();
        for (code, (l, c)) in by_region {
            let name = match RegionCode::parse(&code) {
                Ok(rc) => regions::get(self.db(), rc).await?.map(|r| r.name),
                Err(_) => None,
            }
            .unwrap_or_else(|| code.clone());
            regions_named.push((code, name, l, c));
        }
        Ok(Coverage {
            listed: rows.len() as i64,
            covered,
            overdue,
            categories: categories
                .into_iter()
                .map(|(k, (l, c))| (k, l, c))
                .collect(),
            regions: regions_named,
            directory,
            rows,
            today,
        })
    }
}
