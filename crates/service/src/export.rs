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

/// One sheet with a bold header row and the rows below it.
pub fn table_xlsx(sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> ServiceResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(sheet)?;
        let bold = Format::new().set_bold();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
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

/// Money in yuan as a number cell (exact to the fen for any realistic amount).
pub fn yuan(m: zhichan_domain::Money) -> Cell {
    Cell::Number(m.fen() as f64 / 100.0)
}
