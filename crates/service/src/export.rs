//! Tables as xlsx workbooks, for the "导出 Excel" of every statistics table.

use crate::{ServiceError, ServiceResult};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// A cell of an exported table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n as f64)
    }
}

pub use zhichan_i18n::Locale;

/// An export's heading (a column, a sheet's name, a label) in the language of whoever asked
/// for it, through the message catalogue (docs/i18n.md). A heading outside the catalogue stops
/// a debug build (and so every test that exports it).
pub fn heading(locale: Locale, text: &str) -> String {
    debug_assert!(
        zhichan_i18n::catalogued(text),
        "export heading outside the catalogue (add it to locales/en.toml): {text}"
    );
    zhichan_i18n::translate(locale, text).into_owned()
}

/// A fixed word of a cell (a status, an outcome, a yes/no, a role, a level) in the language of
/// whoever asked for the export, through the catalogue like [`heading`].
pub fn word(locale: Locale, text: &str) -> Cell {
    Cell::Text(heading(locale, text))
}

/// One sheet with a bold header row and the rows below it; the sheet's name and the headers
/// in `locale`.
pub fn table_xlsx(
    locale: Locale,
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> ServiceResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(locale, sheet))?;
        let bold = Format::new().set_bold();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, heading(locale, h), &bold)?;
            ws.set_column_width(c as u16, 16)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(t) => ws.write_string(r as u32 + 1, c as u16, t)?,
                    Cell::Number(n) => ws.write_number(r as u32 + 1, c as u16, *n)?,
                };
            }
        }
        wb.save_to_buffer()
    };
    build()
        .map_err(|e| ServiceError::Store(zhichan_store::StoreError::Corrupt(format!("xlsx: {e}"))))
}

/// A sheet's name in `locale`, within what a workbook allows (31 characters, none of []:*?/\).
pub fn sheet_name(locale: Locale, text: &str) -> String {
    heading(locale, text)
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect()
}

/// Money in yuan as a number cell (exact to the fen for any realistic amount).
pub fn yuan(m: zhichan_domain::Money) -> Cell {
    Cell::Number(m.fen() as f64 / 100.0)
}

use crate::products::Filter;
use crate::Services;
use zhichan_domain::access::{authorize, Action, Actor, Scope};
use zhichan_store::products::{self, Within};

/// Rows written per database page of a large export.
const EXPORT_PAGE: i64 = 1000;

impl Services {
    /// Every product the caller may see that matches `filter`, as an xlsx workbook in a
    /// temporary file: rows go to disk as they are read (the worksheet in constant-memory mode,
    /// keyset pages of the database), so a province's products never sit in memory at once.
    /// The file is deleted when the handle is dropped.
    pub async fn export_products(
        &self,
        actor: &Actor,
        filter: &Filter,
        locale: Locale,
    ) -> ServiceResult<tempfile::NamedTempFile> {
        let within = match authorize(actor, Action::ReadEnterprise)? {
            Scope::All => Within::All,
            Scope::Region(r) => Within::Region(r),
            Scope::Enterprise(c) => {
                match zhichan_store::enterprises::by_credit_code(self.db(), &c).await? {
                    Some(e) => Within::Enterprise(e.id),
                    None => Within::Enterprise(0),
                }
            }
            Scope::Account(_) => return Err(ServiceError::Forbidden),
        };
        let fail = |e: XlsxError| {
            ServiceError::Store(zhichan_store::StoreError::Corrupt(format!("xlsx: {e}")))
        };
        let mut wb = Workbook::new();
        let headers = [
            "ID",
            "产品名称",
            "型号规格",
            "企业统一社会信用代码",
            "所属领域代码",
            "状态",
            "备案编号",
            "备案日期",
            "撤销日期",
            "最近年度",
            "销售收入（元）",
            "产值（元）",
            "关联专利数",
            "关联专利号",
        ];
        {
            let ws = wb.add_worksheet_with_constant_memory();
            ws.set_name(sheet_name(locale, "备案产品")).map_err(fail)?;
            let bold = Format::new().set_bold();
            for (c, h) in headers.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, heading(locale, h), &bold)
                    .map_err(fail)?;
                ws.set_column_width(c as u16, 16).map_err(fail)?;
            }
        }
        let mut after = 0;
        let mut row: u32 = 1;
        loop {
            let page =
                products::export_page(self.db(), &within, filter, after, EXPORT_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let views = self.views(self.db(), page).await?;
            let ws = wb.worksheet_from_index(0).map_err(fail)?;
            for v in &views {
                let p = &v.product;
                let latest = p.figures.iter().max_by_key(|f| f.year);
                let numbers: Vec<String> = v
                    .patents
                    .iter()
                    .map(|(pt, _)| pt.number.to_string())
                    .collect();
                let cells: Vec<Cell> = vec![
                    Cell::from(p.id),
                    Cell::from(p.name.as_str()),
                    Cell::from(p.model.as_str()),
                    Cell::from(v.enterprise.as_str()),
                    Cell::from(p.field.to_string()),
                    word(locale, p.status.label_zh()),
                    Cell::from(p.registration_number.clone().unwrap_or_default()),
                    Cell::from(
                        p.registered_on
                            .map(zhichan_domain::enterprises::format_date)
                            .unwrap_or_default(),
                    ),
                    Cell::from(
                        p.withdrawn_on
                            .map(zhichan_domain::enterprises::format_date)
                            .unwrap_or_default(),
                    ),
                    latest.map_or(Cell::from(""), |f| Cell::from(i64::from(f.year))),
                    latest.map_or(Cell::from(""), |f| yuan(f.sales_revenue)),
                    latest.map_or(Cell::from(""), |f| yuan(f.output_value)),
                    Cell::from(v.patents.len() as i64),
                    Cell::from(numbers.join("；")),
                ];
                for (c, cell) in cells.iter().enumerate() {
                    match cell {
                        Cell::Text(t) => ws.write_string(row, c as u16, t),
                        Cell::Number(n) => ws.write_number(row, c as u16, *n),
                    }
                    .map_err(fail)?;
                }
                row += 1;
            }
        }
        let file = tempfile::NamedTempFile::new().map_err(|e| {
            ServiceError::Store(zhichan_store::StoreError::Corrupt(format!(
                "temp file: {e}"
            )))
        })?;
        let mut writer = std::io::BufWriter::new(file.reopen().map_err(|e| {
            ServiceError::Store(zhichan_store::StoreError::Corrupt(format!(
                "temp file: {e}"
            )))
        })?);
        wb.save_to_writer(&mut writer).map_err(fail)?;
        drop(writer);
        Ok(file)
    }
}

impl Services {
    /// Every enterprise profile the caller may see (whose name contains `q`), with its
    /// qualifications, contact and registered products, as an xlsx workbook in a temporary file
    /// written page by page like [`Services::export_products`].
    pub async fn export_enterprises(
        &self,
        actor: &Actor,
        q: Option<&str>,
        locale: Locale,
    ) -> ServiceResult<tempfile::NamedTempFile> {
        use zhichan_store::enterprises::{self, Within as EWithin};
        let within = match authorize(actor, Action::ReadEnterprise)? {
            Scope::All => EWithin::All,
            Scope::Region(r) => EWithin::Region(r),
            Scope::Enterprise(c) => EWithin::CreditCode(c),
            Scope::Account(_) => return Err(ServiceError::Forbidden),
        };
        let fail = |e: XlsxError| {
            ServiceError::Store(zhichan_store::StoreError::Corrupt(format!("xlsx: {e}")))
        };
        let io = |e: std::io::Error| {
            ServiceError::Store(zhichan_store::StoreError::Corrupt(format!(
                "temp file: {e}"
            )))
        };
        let mut wb = Workbook::new();
        let headers = [
            "统一社会信用代码",
            "企业名称",
            "地区代码",
            "规模",
            "所有制",
            "行业代码",
            "资质",
            "联系人",
            "联系电话",
            "电子邮箱",
            "备案产品（在册）",
        ];
        {
            let ws = wb.add_worksheet_with_constant_memory();
            ws.set_name(sheet_name(locale, "企业")).map_err(fail)?;
            let bold = Format::new().set_bold();
            for (c, h) in headers.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, heading(locale, h), &bold)
                    .map_err(fail)?;
                ws.set_column_width(c as u16, 18).map_err(fail)?;
            }
        }
        let (mut after, mut row) = (0, 1u32);
        loop {
            let page = enterprises::export_page(self.db(), &within, q, after, EXPORT_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let ids: Vec<i64> = page.iter().map(|e| e.id).collect();
            let counts = enterprises::registered_products(self.db(), &ids).await?;
            let ws = wb.worksheet_from_index(0).map_err(fail)?;
            for e in &page {
                let quals: Vec<String> = e
                    .qualifications
                    .iter()
                    .map(|q| {
                        let (kind, level) = (
                            heading(locale, q.kind.label_zh()),
                            heading(locale, q.level.label_zh()),
                        );
                        match locale {
                            Locale::En => format!("{kind} ({level})"),
                            _ => format!("{kind}（{level}）"),
                        }
                    })
                    .collect();
                let cells = [
                    e.credit_code.clone(),
                    e.name.clone(),
                    e.region.to_string(),
                    heading(locale, e.scale.label_zh()),
                    heading(locale, e.ownership.label_zh()),
                    e.industry.to_string(),
                    quals.join(if locale == Locale::En { "; " } else { "；" }),
                    e.contact_name.clone(),
                    e.contact_phone.clone(),
                    e.contact_email.clone(),
                ];
                for (c, t) in cells.iter().enumerate() {
                    ws.write_string(row, c as u16, t).map_err(fail)?;
                }
                ws.write_number(row, 10, counts.get(&e.id).copied().unwrap_or(0) as f64)
                    .map_err(fail)?;
                row += 1;
            }
        }
        let file = tempfile::NamedTempFile::new().map_err(io)?;
        let mut writer = std::io::BufWriter::new(file.reopen().map_err(io)?);
        wb.save_to_writer(&mut writer).map_err(fail)?;
        drop(writer);
        Ok(file)
    }
}
