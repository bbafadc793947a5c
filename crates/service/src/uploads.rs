//! Uploaded workbooks and tables, bounded before they are read: a few kilobytes of xlsx can
//! declare a sheet of 17 billion cells or inflate to gigabytes, so the zip is measured entry by
//! entry while it inflates (never trusting its headers), the sheet's declared dimension and
//! every cell actually present are held against the row and column limits as they stream, and
//! what reading keeps in memory is counted against a budget per request. Nothing builds the
//! rectangle a spreadsheet declares.

use crate::{ServiceError, ServiceResult};
use calamine::{Data, DataRef, Xlsx};
use std::collections::BTreeMap;
use std::io::{Read, Seek};
use zhichan_domain::Violation;

const MIB: u64 = 1024 * 1024;

/// Rows of text cells, each with its 1-based row number.
pub type Rows = Vec<(u32, Vec<String>)>;

/// How large an upload may be, as settings (`zhichan serve` takes them from the environment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadLimits {
    /// Rows of data a sheet or csv may have below its header row.
    pub max_rows: u32,
    /// Columns a sheet or csv may use.
    pub max_columns: u32,
    /// What the parts of an xlsx may inflate to, together and each.
    pub max_unzipped_bytes: u64,
    /// Parts an xlsx may hold (an office suite writes a dozen or two).
    pub max_zip_entries: usize,
    /// What reading one upload may keep in memory, estimated as it is read.
    pub max_memory_bytes: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            max_rows: 20_000,
            max_columns: 50,
            max_unzipped_bytes: 50 * MIB,
            max_zip_entries: 1_000,
            max_memory_bytes: 64 * MIB,
        }
    }
}

fn refuse(code: &'static str, zh: String) -> ServiceError {
    ServiceError::invalid("file", Violation::new(code, zh.clone(), zh))
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes.div_ceil(MIB))
}

/// What reading one upload has kept in memory so far, against the limit.
#[derive(Debug)]
pub struct Budget {
    used: u64,
    limit: u64,
}

impl Budget {
    fn spend(&mut self, bytes: u64) -> ServiceResult<()> {
        self.used = self.used.saturating_add(bytes);
        if self.used > self.limit {
            return Err(refuse(
                "upload_too_large",
                format!(
                    "读取该文件所需的内存超过每个请求 {} 的上限，请精简或拆分后再导入",
                    mib(self.limit)
                ),
            ));
        }
        Ok(())
    }
}

/// Checks an xlsx (zip) before any spreadsheet reader opens it: the number of parts, each
/// part's declared and actual inflated size, their total, and what the reader will hold in
/// memory of the parts it loads whole (shared strings, styles, the workbook). Answers the
/// memory budget left for its cells.
pub fn check_xlsx(bytes: &[u8], limits: &UploadLimits) -> ServiceResult<Budget> {
    let not_xlsx = || {
        refuse(
            "not_xlsx",
            "文件无法作为 xlsx 工作簿打开（请从 Excel 或 WPS 另存为 .xlsx）".into(),
        )
    };
    let too_large = || {
        refuse(
            "upload_too_large",
            format!(
                "文件解压后超过 {} 的上限，请精简或拆分后再导入",
                mib(limits.max_unzipped_bytes)
            ),
        )
    };
    let mut budget = Budget {
        used: 0,
        limit: limits.max_memory_bytes,
    };
    // The upload itself is held while it is read.
    budget.spend(bytes.len() as u64)?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    if zip.len() > limits.max_zip_entries {
        return Err(refuse(
            "upload_too_large",
            format!(
                "工作簿包含的部件超过 {} 个的上限，不像是表格软件保存的文件",
                limits.max_zip_entries
            ),
        ));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| not_xlsx())?;
        if entry.size() > limits.max_unzipped_bytes {
            return Err(too_large());
        }
        // Parts a reader loads whole cost about a string per element besides their text;
        // worksheets are streamed cell by cell and counted as their cells are kept.
        let loaded_whole = !entry.name().starts_with("xl/worksheets/");
        let mut size: u64 = 0;
        let mut elements: u64 = 0;
        loop {
            // The header's size is not trusted: what inflates is counted.
            let n = entry.read(&mut buf).map_err(|_| not_xlsx())?;
            if n == 0 {
                break;
            }
            size += n as u64;
            total += n as u64;
            if size > limits.max_unzipped_bytes || total > limits.max_unzipped_bytes {
                return Err(too_large());
            }
            if loaded_whole {
                elements += buf[..n].iter().filter(|b| **b == b'<').count() as u64;
            }
        }
        if loaded_whole {
            budget.spend(size + elements * 32)?;
        }
    }
    Ok(budget)
}

/// One sheet's non-empty rows as text, each with its 1-based row number and its cells by
/// column (at least `min_columns` of them); `None` when the workbook has no such sheet. The
/// declared dimension and every cell present are checked against the limits as the sheet
/// streams, so a sheet claiming row 1,048,576 is refused without building anything.
pub fn sheet_rows<RS: Read + Seek>(
    wb: &mut Xlsx<RS>,
    sheet: &str,
    min_columns: usize,
    limits: &UploadLimits,
    budget: &mut Budget,
) -> ServiceResult<Option<Rows>> {
    let mut cells = match wb.worksheet_cells_reader(sheet) {
        Ok(r) => r,
        Err(calamine::XlsxError::WorksheetNotFound(_)) => return Ok(None),
        Err(_) => {
            return Err(refuse(
                "not_xlsx",
                format!(
                    "工作表“{}”无法读取",
                    zhichan_domain::validation::echo(sheet)
                ),
            ))
        }
    };
    let what = format!("工作表“{}”", zhichan_domain::validation::echo(sheet));
    let dims = cells.dimensions();
    check_position(&what, dims.end, limits)?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(_) => {
                return Err(refuse(
                    "not_xlsx",
                    format!(
                        "工作表“{}”无法读取",
                        zhichan_domain::validation::echo(sheet)
                    ),
                ))
            }
        };
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        check_position(&what, (row, col), limits)?;
        let text = crate::bulk::cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let line = match rows.entry(row + 1) {
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                budget.spend(48 + 24 * min_columns as u64)?;
                v.insert(vec![String::new(); min_columns])
            }
        };
        let col = col as usize;
        if line.len() <= col {
            budget.spend(24 * (col + 1 - line.len()) as u64)?;
            line.resize(col + 1, String::new());
        }
        budget.spend(text.len() as u64)?;
        line[col] = text;
    }
    Ok(Some(rows.into_iter().collect()))
}

/// A cell (0-based row and column) within the limits: the header row and `max_rows` below it,
/// `max_columns` across.
fn check_position(what: &str, (row, col): (u32, u32), limits: &UploadLimits) -> ServiceResult<()> {
    if row > limits.max_rows {
        return Err(refuse(
            "too_many_rows",
            format!(
                "{what}超过 {} 行数据的上限（用到了第 {} 行），请拆分后再导入",
                limits.max_rows,
                u64::from(row) + 1
            ),
        ));
    }
    if col >= limits.max_columns {
        return Err(refuse(
            "too_many_columns",
            format!(
                "{what}超过 {} 列的上限（用到了第 {} 列），请只保留模板中的列",
                limits.max_columns,
                u64::from(col) + 1
            ),
        ));
    }
    Ok(())
}

/// The records of a csv text with their 1-based line numbers, within the row, column and
/// memory limits.
pub fn csv_rows(text: &str, limits: &UploadLimits) -> ServiceResult<Rows> {
    let mut budget = Budget {
        used: 0,
        limit: limits.max_memory_bytes,
    };
    // The upload and its decoded text are both held while it is read.
    budget.spend(2 * text.len() as u64)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| {
            refuse(
                "bad_csv",
                format!(
                    "第 {} 行无法解析：{}",
                    i + 1,
                    zhichan_domain::validation::echo(&e.to_string())
                ),
            )
        })?;
        check_position(
            "文件",
            (i as u32, rec.len().saturating_sub(1) as u32),
            limits,
        )?;
        budget.spend(48 + rec.as_slice().len() as u64 + 24 * rec.len() as u64)?;
        out.push((
            i as u32 + 1,
            rec.iter().map(|c| c.trim().to_string()).collect(),
        ));
    }
    Ok(out)
}

impl crate::Services {
    /// Reads an upload on a blocking thread, one at a time. Reading a workbook within the limits
    /// still takes seconds of CPU; on the async runtime's threads it held up every other request
    /// (an attacker's probe: two 68 KB workbooks of 20,000 × 50 cells stalled `/api/v1/health`
    /// for 22 s), and two at once would take both cores of a small server.
    pub(crate) async fn read_upload<T: Send + 'static>(
        &self,
        read: impl FnOnce() -> crate::ServiceResult<T> + Send + 'static,
    ) -> crate::ServiceResult<T> {
        let _turn = self
            .upload_readers
            .acquire()
            .await
            .map_err(|_| crate::ServiceError::TooManyRequests)?;
        tokio::task::spawn_blocking(read)
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }
}
