//! Bulk registration (批量备案) from an xlsx workbook: a template to download, and an import
//! that checks every row and either registers all of its products as drafts in one
//! transaction or none of them, answering the errors per row and column and the workbook back
//! with the bad cells marked.

use crate::patents::PatentInput;
use crate::products::{FiguresInput, LinkInput, ProductInput};
use crate::uploads;
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use calamine::{open_workbook_from_rs, Data, Xlsx};
use rust_xlsxwriter::{Color, Format, Note, Workbook, XlsxError};
use serde_json::json;
use std::collections::HashMap;
use std::io::Cursor;
use zhichan_domain::access::{authorize, Action, Actor};
use zhichan_domain::patents::{LegalStatus, PatentRight};
use zhichan_domain::registration::VersionEvent;
use zhichan_domain::validation::limits;
use zhichan_domain::{CreditCode, PatentNumber, Violation};
use zhichan_store::{enterprises, patents};

pub const PRODUCT_SHEET: &str = "产品";
pub const PATENT_SHEET: &str = "专利";
/// The most products one file may register.
pub const MAX_ROWS: usize = 1000;

const PRODUCT_COLUMNS: [(&str, f64); 11] = [
    ("产品名称", 24.0),
    ("型号规格", 16.0),
    ("所属领域代码", 14.0),
    ("产品说明", 30.0),
    ("首次销售日期", 14.0),
    ("年度", 8.0),
    ("销售收入（元）", 16.0),
    ("产值（元）", 16.0),
    ("专利号（多个用分号分隔）", 36.0),
    ("核心专利号（可空，默认第一件）", 24.0),
    ("专利在产品中的实施方式", 30.0),
];

const PATENT_COLUMNS: [(&str, f64); 7] = [
    ("专利号", 22.0),
    ("专利名称", 30.0),
    ("专利权人（多个用顿号分隔）", 30.0),
    ("授权日", 12.0),
    ("法律状态（有效/失效/已转让）", 16.0),
    ("本企业权利（自有/独占许可/排他许可/普通许可）", 22.0),
    ("许可合同备案号（许可时必填）", 22.0),
];

/// One error of an import: where (sheet, 1-based row as Excel numbers it, column header) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub sheet: &'static str,
    pub row: u32,
    pub column: String,
    pub code: String,
    pub message: String,
}

/// An import refused as a whole: every error, and the workbook with them marked.
#[derive(Clone, Debug)]
pub struct Rejected {
    pub errors: Vec<RowError>,
    pub annotated: Vec<u8>,
}

fn xlsx_error(e: XlsxError) -> ServiceError {
    ServiceError::Store(zhichan_store::StoreError::Corrupt(format!("xlsx: {e}")))
}

fn header(ws: &mut rust_xlsxwriter::Worksheet, columns: &[(&str, f64)]) -> Result<(), XlsxError> {
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDE7F3))
        .set_text_wrap();
    for (i, (name, width)) in columns.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *name, &bold)?;
        ws.set_column_width(i as u16, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The template: the two sheets to fill, and a sheet of instructions.
pub fn template() -> ServiceResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(PRODUCT_SHEET)?;
        header(ws, &PRODUCT_COLUMNS)?;
        let ws = wb.add_worksheet();
        ws.set_name(PATENT_SHEET)?;
        header(ws, &PATENT_COLUMNS)?;
        let ws = wb.add_worksheet();
        ws.set_name("填写说明")?;
        ws.set_column_width(0, 100)?;
        for (i, line) in [
            "“产品”工作表每行一个产品，从第 2 行开始填写；第 1 行的列名不要修改。",
            "所属领域代码填 GB/T 4754-2017 行业代码（如 39）；日期写作 2024-05-01；金额以元为单位，最多两位小数。",
            "专利号可写 ZL201910725275.4 或 201910725275.4，多个用分号分隔；每件专利须有效。",
            "已在本企业专利列表中的专利只填专利号；新的专利请同时在“专利”工作表中填写其信息。",
            "导入时逐行校验：全部正确才一次性保存为草稿（任何一行有误则都不保存），出错时可下载标注了错误的文件。",
            "导入后请在产品列表中逐个核对并提交审核。",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(i as u32, 0, *line)?;
        }
        wb.save_to_buffer()
    };
    build().map_err(xlsx_error)
}

/// A cell as text, the way a person typed it.
pub(crate) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => {
            // Excel's day 0 is 1899-12-30 (with its 1900 leap-year quirk already in it).
            let base = time::macros::date!(1899 - 12 - 30);
            let days = dt.as_f64().floor() as i64;
            (base + time::Duration::days(days)).to_string()
        }
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', '；', ',', '，', '、', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

fn legal_status_code(s: &str) -> String {
    LegalStatus::ALL
        .iter()
        .find(|x| x.label_zh() == s.trim() || x.as_str() == s.trim())
        .map_or(s.trim().to_string(), |x| x.as_str().to_string())
}

fn right_code(s: &str) -> String {
    let t = s.trim();
    if t == "自有" || t == "专利权人" {
        return PatentRight::Own.as_str().into();
    }
    PatentRight::ALL
        .iter()
        .find(|x| x.label_zh() == t || x.as_str() == t)
        .map_or(t.to_string(), |x| x.as_str().to_string())
}

/// Which column of the product sheet a field of the product input belongs to.
fn product_column(field: &str) -> usize {
    let head = field.split('.').next().unwrap_or(field);
    let head = head.split('[').next().unwrap_or(head);
    let leaf = field.rsplit('.').next().unwrap_or(field);
    match (head, leaf) {
        ("name", _) => 0,
        ("model", _) => 1,
        ("field", _) => 2,
        ("description", _) => 3,
        ("first_sold_on", _) => 4,
        ("figures", "year") => 5,
        ("figures", "sales_revenue") => 6,
        ("figures", _) => 7,
        ("patents", "embodiment") => 10,
        _ => 8,
    }
}

fn annotate(
    products: &[(u32, Vec<String>)],
    patents: &[(u32, Vec<String>)],
    errors: &[RowError],
) -> ServiceResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let bad = Format::new()
            .set_background_color(Color::RGB(0xFFC7CE))
            .set_font_color(Color::RGB(0x9C0006));
        let wrap = Format::new()
            .set_text_wrap()
            .set_font_color(Color::RGB(0x9C0006));
        let mut wb = Workbook::new();
        for (sheet, columns, rows) in [
            (PRODUCT_SHEET, &PRODUCT_COLUMNS[..], products),
            (PATENT_SHEET, &PATENT_COLUMNS[..], patents),
        ] {
            let ws = wb.add_worksheet();
            ws.set_name(sheet)?;
            header(ws, columns)?;
            let extra = columns.len() as u16;
            ws.write_string_with_format(
                0,
                extra,
                "错误说明",
                &Format::new()
                    .set_bold()
                    .set_background_color(Color::RGB(0xFFC7CE)),
            )?;
            ws.set_column_width(extra, 60)?;
            for (row, cells) in rows.iter().filter(|(r, _)| *r > 1) {
                let mine: Vec<&RowError> = errors
                    .iter()
                    .filter(|e| e.sheet == sheet && e.row == *row)
                    .collect();
                for (c, text) in cells.iter().enumerate() {
                    // Written back as typed, but never more than any field may hold (a cell
                    // of megabytes is refused as too long, not echoed).
                    let text: &str = &capped_cell(text);
                    let hit: Vec<&&RowError> =
                        mine.iter().filter(|e| e.column == columns[c].0).collect();
                    if hit.is_empty() {
                        ws.write_string(row - 1, c as u16, text)?;
                    } else {
                        ws.write_string_with_format(row - 1, c as u16, text, &bad)?;
                        let words: Vec<&str> = hit.iter().map(|e| e.message.as_str()).collect();
                        ws.insert_note(
                            row - 1,
                            c as u16,
                            &Note::new(words.join("\n")).set_author("知产"),
                        )?;
                    }
                }
                if !mine.is_empty() {
                    let words: Vec<String> = mine
                        .iter()
                        .map(|e| format!("{}：{}", e.column, e.message))
                        .collect();
                    ws.write_string_with_format(row - 1, extra, words.join("；"), &wrap)?;
                }
            }
        }
        wb.save_to_buffer()
    };
    build().map_err(xlsx_error)
}

/// A cell as a refused workbook writes it back: at most as long as the longest field, then `…`.
fn capped_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(limits::LONGEST) {
        Some((end, _)) => format!("{}…", &text[..end]).into(),
        None => text.into(),
    }
}

fn file_error(code: &'static str, zh: &str) -> ServiceError {
    ServiceError::invalid("file", Violation::new(code, zh, code))
}

impl Services {
    /// Registers every product of the workbook as a draft of the enterprise, or none.
    pub async fn import_products(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
        file: &[u8],
    ) -> ServiceResult<Result<Vec<i64>, Rejected>> {
        authorize(actor, Action::RegisterProducts)?;
        let code =
            CreditCode::parse(credit_code).map_err(|v| ServiceError::invalid("enterprise", v))?;
        let e = enterprises::by_credit_code(self.db(), code.as_str())
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.scoped(
            actor,
            Action::RegisterProducts,
            &crate::products::placement(e.region, &e.credit_code),
            &format!("enterprise:{}", e.credit_code),
        )
        .await?;
        if !file.starts_with(b"PK\x03\x04") {
            return Err(file_error(
                "not_xlsx",
                "请上传 .xlsx 格式的 Excel 工作簿（可先下载模板）",
            ));
        }
        // Measured before it is opened: the upload limits bound what reading it may cost.
        let limits = self.upload_limits().clone();
        let bytes = file.to_vec();
        let (product_rows, patent_rows) = self
            .read_upload(move || {
                let limits = &limits;
                let mut budget = uploads::check_xlsx(&bytes, limits)?;
                let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(&bytes[..]))
                    .map_err(|_| file_error("not_xlsx", "文件无法作为 xlsx 工作簿打开"))?;
                let Some(product_rows) = uploads::sheet_rows(
                    &mut wb,
                    PRODUCT_SHEET,
                    PRODUCT_COLUMNS.len(),
                    limits,
                    &mut budget,
                )?
                else {
                    return Err(file_error(
                        "wrong_template",
                        "工作簿中没有“产品”工作表，请使用模板",
                    ));
                };
                let patent_rows = uploads::sheet_rows(
                    &mut wb,
                    PATENT_SHEET,
                    PATENT_COLUMNS.len(),
                    limits,
                    &mut budget,
                )?
                .unwrap_or_default();
                Ok((product_rows, patent_rows))
            })
            .await?;
        // Cells right of the template's columns are not read (nor written back).
        let (mut product_rows, mut patent_rows) = (product_rows, patent_rows);
        for (rows, n) in [
            (&mut product_rows, PRODUCT_COLUMNS.len()),
            (&mut patent_rows, PATENT_COLUMNS.len()),
        ] {
            for (_, cells) in rows.iter_mut() {
                cells.truncate(n);
            }
        }
        let headers_ok = |rows: &[(u32, Vec<String>)], columns: &[(&str, f64)]| {
            rows.first().is_some_and(|(r, cells)| {
                *r == 1 && cells.iter().zip(columns).all(|(c, (h, _))| c == h)
            })
        };
        if !headers_ok(&product_rows, &PRODUCT_COLUMNS)
            || (!patent_rows.is_empty() && !headers_ok(&patent_rows, &PATENT_COLUMNS))
        {
            return Err(file_error(
                "wrong_template",
                "第 1 行的列名与模板不一致，请下载最新模板后填写",
            ));
        }
        let filled = |cells: &Vec<String>| cells.iter().any(|c| !c.is_empty());
        let product_data: Vec<&(u32, Vec<String>)> = product_rows
            .iter()
            .skip(1)
            .filter(|(_, c)| filled(c))
            .collect();
        if product_data.is_empty() {
            return Err(file_error("empty", "“产品”工作表中没有数据"));
        }
        if product_data.len() > MAX_ROWS {
            return Err(file_error(
                "too_many_rows",
                &format!("一次最多导入 {MAX_ROWS} 个产品，请分批导入"),
            ));
        }

        let mut errors: Vec<RowError> = Vec::new();
        let err = |sheet, row, column: &str, code: &str, message: String| RowError {
            sheet,
            row,
            column: column.to_string(),
            code: code.to_string(),
            message,
        };
        // The patent sheet: number → details, and its row.
        let mut sheet_patents: HashMap<String, (u32, PatentInput)> = HashMap::new();
        for (row, c) in patent_rows.iter().skip(1).filter(|(_, c)| filled(c)) {
            match PatentNumber::parse(&c[0]) {
                Ok(n) => {
                    let key = n.to_string();
                    if sheet_patents.contains_key(&key) {
                        errors.push(err(
                            PATENT_SHEET,
                            *row,
                            PATENT_COLUMNS[0].0,
                            "duplicate",
                            format!("专利 {key} 重复列出"),
                        ));
                        continue;
                    }
                    let input = PatentInput {
                        number: key.clone(),
                        title: c[1].clone(),
                        patentees: split_list(&c[2]),
                        grant_date: Some(c[3].clone()).filter(|d| !d.is_empty()),
                        legal_status: legal_status_code(&c[4]),
                        right: right_code(&c[5]),
                        licence_record: c[6].clone(),
                    };
                    // Its details are checked here, once, against the patent sheet's columns.
                    if let Err(ServiceError::Invalid(v)) =
                        crate::patents::parse(&input, e.id, self.now().beijing_date())
                    {
                        for f in v {
                            let col = match f.field.as_str() {
                                "title" => 1,
                                "patentees" => 2,
                                "grant_date" => 3,
                                "legal_status" => 4,
                                "right" => 5,
                                "licence_record" => 6,
                                _ => 0,
                            };
                            errors.push(err(
                                PATENT_SHEET,
                                *row,
                                PATENT_COLUMNS[col].0,
                                f.violation.code,
                                f.violation.message_zh,
                            ));
                        }
                    }
                    sheet_patents.insert(key, (*row, input));
                }
                Err(v) => errors.push(err(
                    PATENT_SHEET,
                    *row,
                    PATENT_COLUMNS[0].0,
                    v.code,
                    v.message_zh,
                )),
            }
        }
        let known: Vec<String> = patents::of_enterprise(self.db(), e.id)
            .await?
            .into_iter()
            .map(|p| p.number.to_string())
            .collect();

        let mut checked = Vec::new();
        let mut seen_products: HashMap<(String, String), u32> = HashMap::new();
        for (row, c) in &product_data {
            let row = *row;
            let numbers = split_list(&c[8]);
            let cores = split_list(&c[9])
                .iter()
                .filter_map(|n| PatentNumber::parse(n).ok())
                .map(|n| n.to_string())
                .collect::<Vec<_>>();
            let mut links = Vec::new();
            let mut row_ok = true;
            for (i, raw) in numbers.iter().enumerate() {
                let Ok(n) = PatentNumber::parse(raw) else {
                    links.push(LinkInput {
                        patent: PatentInput {
                            number: raw.clone(),
                            ..PatentInput::default()
                        },
                        core: false,
                        embodiment: c[10].clone(),
                    });
                    continue;
                };
                let key = n.to_string();
                let patent = match sheet_patents.get(&key) {
                    Some((_, p)) => p.clone(),
                    None if known.contains(&key) => PatentInput {
                        number: key.clone(),
                        ..PatentInput::default()
                    },
                    None => {
                        errors.push(err(
                            PRODUCT_SHEET,
                            row,
                            PRODUCT_COLUMNS[8].0,
                            "unknown_patent",
                            format!(
                                "专利 {key} 不在本企业专利列表中，请在“专利”工作表中填写其信息"
                            ),
                        ));
                        row_ok = false;
                        continue;
                    }
                };
                links.push(LinkInput {
                    patent,
                    core: if cores.is_empty() {
                        i == 0
                    } else {
                        cores.contains(&key)
                    },
                    embodiment: c[10].clone(),
                });
            }
            let figures = if c[5].is_empty() && c[6].is_empty() && c[7].is_empty() {
                Vec::new()
            } else {
                vec![FiguresInput {
                    year: c[5].parse().unwrap_or(0),
                    sales_revenue: c[6].clone(),
                    output_value: c[7].clone(),
                    ..FiguresInput::default()
                }]
            };
            let input = ProductInput {
                enterprise: e.credit_code.clone(),
                name: c[0].clone(),
                model: c[1].clone(),
                field: c[2].clone(),
                description: c[3].clone(),
                first_sold_on: Some(c[4].clone()).filter(|d| !d.is_empty()),
                figures,
                patents: links,
            };
            let key = (input.name.clone(), input.model.clone());
            if let Some(first) = seen_products.get(&key) {
                errors.push(err(
                    PRODUCT_SHEET,
                    row,
                    PRODUCT_COLUMNS[1].0,
                    "duplicate",
                    format!("与第 {first} 行的产品名称和型号相同"),
                ));
                row_ok = false;
            } else {
                seen_products.insert(key, row);
            }
            match self.check_product(&e, &input).await {
                Ok(ok) if row_ok => checked.push(ok),
                Ok(_) => {}
                Err(ServiceError::Invalid(v)) => {
                    for FieldViolation { field, violation } in v {
                        // A new patent's own details are also marked on the patent sheet;
                        // here they point at the patent number.
                        let col = product_column(&field);
                        errors.push(err(
                            PRODUCT_SHEET,
                            row,
                            PRODUCT_COLUMNS[col].0,
                            violation.code,
                            violation.message_zh,
                        ));
                    }
                }
                Err(other) => return Err(other),
            }
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| (a.sheet, a.row).cmp(&(b.sheet, b.row)));
            let annotated = annotate(&product_rows, &patent_rows, &errors)?;
            return Ok(Err(Rejected { errors, annotated }));
        }

        // Every row is good: all of them in one transaction.
        let now = self.now();
        let tx = self.db().begin().await?;
        let mut added: HashMap<String, i64> = HashMap::new();
        let mut ids = Vec::with_capacity(checked.len());
        for (mut product, new) in checked {
            for (slot, p) in new {
                let key = p.number.to_string();
                let id = match added.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = patents::insert(&tx, &p, now).await?;
                        added.insert(key, id);
                        id
                    }
                };
                product.links[slot].patent_id = id;
            }
            let view = self
                .save_product(
                    &tx,
                    actor,
                    ctx,
                    None,
                    &product,
                    0,
                    "product.create",
                    (VersionEvent::Imported, None),
                )
                .await?;
            ids.push(view.product.id);
        }
        crate::audit::record(
            &tx,
            ctx,
            Some(actor),
            "product.import",
            &format!("enterprise:{}", e.credit_code),
            "ok",
            json!({"products": ids.len(), "new_patents": added.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(ids))
    }
}
