//! A batch's candidates and outcomes in the caller's scope as an xlsx workbook, written like
//! [`crate::export`]: rows go to a temporary file as keyset pages of the database are read (the
//! worksheet in constant-memory mode), so a national batch never sits in memory at once. The
//! headings and the fixed words go through the caller's translation (the message catalogue).

use crate::batches::{parse_candidate, OutcomeIs};
use crate::export::Cell;
use crate::{ServiceError, ServiceResult, Services};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use zhichan_domain::access::{Action, Actor};
use zhichan_store::identification_batches as store;

/// Candidates read per database page.
const EXPORT_PAGE: i64 = 1000;

/// The headings, in the catalogue's source language.
pub const HEADINGS: [&str; 16] = [
    "产品编号",
    "产品名称",
    "企业",
    "统一社会信用代码",
    "行政区划",
    "行政区划代码",
    "领域代码",
    "领域",
    "形式审查",
    "退回理由",
    "专利性评价",
    "说明",
    "专家评分（汇总）",
    "认定结果",
    "认定编号",
    "未认定理由",
];

fn fail(e: XlsxError) -> ServiceError {
    ServiceError::Store(zhichan_store::StoreError::Corrupt(format!("xlsx: {e}")))
}

fn io(e: std::io::Error) -> ServiceError {
    ServiceError::Store(zhichan_store::StoreError::Corrupt(format!(
        "temp file: {e}"
    )))
}

impl Services {
    /// The batch's candidates in the caller's scope (a field, a final outcome), one row each
    /// with its formal check, computed patent evaluation and its reasons, the experts' score and
    /// the final outcome, as an xlsx workbook in a temporary file (deleted when dropped). `t`
    /// translates the headings and fixed words.
    pub async fn export_batch(
        &self,
        actor: &Actor,
        batch_id: i64,
        field: Option<&str>,
        outcome: Option<OutcomeIs>,
        t: &(dyn Fn(&str) -> String + Sync),
    ) -> ServiceResult<tempfile::NamedTempFile> {
        let b = self.identification_batch(actor, batch_id).await?;
        let mut filter = Self::scope_filter(actor, Action::ReadIdentification)?;
        filter.field = field.map(str::to_string);
        filter.outcome = outcome;
        let mut wb = Workbook::new();
        {
            let ws = wb.add_worksheet_with_constant_memory();
            ws.set_name(format!(
                "{} {} {}",
                b.batch.year,
                t("年度认定批次"),
                b.batch.id
            ))
            .map_err(fail)?;
            let bold = Format::new().set_bold();
            for (c, h) in HEADINGS.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, t(h), &bold)
                    .map_err(fail)?;
                ws.set_column_width(c as u16, 16).map_err(fail)?;
            }
        }
        let (mut after, mut row) = (0, 1u32);
        // Region names by code, read once per region met (a batch spans few of them).
        let mut regions: std::collections::HashMap<zhichan_domain::RegionCode, String> =
            std::collections::HashMap::new();
        loop {
            let page =
                store::candidates_page(self.db(), batch_id, &filter, Some((after, EXPORT_PAGE)))
                    .await?;
            let Some(last) = page.last() else { break };
            after = last.product_id;
            let codes: Vec<String> = page.iter().filter_map(|c| c.field.clone()).collect();
            let keys: Vec<&str> = codes.iter().map(String::as_str).collect();
            let names = self.reference().industry_names(&keys).await?;
            for c in &page {
                if regions.contains_key(&c.region) {
                    continue;
                }
                let name: String = match self.reference().region_path(c.region).await {
                    Ok(path) => path
                        .iter()
                        .filter(|r| r.level != zhichan_domain::RegionLevel::Nation)
                        .map(|r| r.name.as_str())
                        .collect(),
                    Err(ServiceError::NotFound) => String::new(),
                    Err(e) => return Err(e),
                };
                regions.insert(c.region, name);
            }
            let ws = wb.worksheet_from_index(0).map_err(fail)?;
            for c in page {
                let v = parse_candidate(c)?;
                let c = v.candidate;
                let check = match c.check_status.as_str() {
                    "approved" => "已通过",
                    "returned" => "已退回",
                    _ => "待审查",
                };
                let (passed, reasons) = match &v.result {
                    Some(r) => (
                        t(if r.passed { "合格" } else { "不合格" }),
                        r.reasons.join("；"),
                    ),
                    None => (String::new(), String::new()),
                };
                let outcome = match c.outcome.as_deref() {
                    Some(crate::rounds::IDENTIFIED) => t("已认定"),
                    Some(_) => t("未认定"),
                    None => t("尚未公告"),
                };
                let field = c.field.clone().unwrap_or_default();
                let cells = [
                    Cell::from(c.product_id),
                    Cell::from(c.product_name),
                    Cell::from(c.enterprise_name),
                    Cell::from(c.enterprise_code),
                    Cell::from(regions.get(&c.region).cloned().unwrap_or_default()),
                    Cell::from(c.region.to_string()),
                    Cell::from(field.clone()),
                    Cell::from(names.get(&field).cloned().unwrap_or_default()),
                    Cell::from(t(check)),
                    Cell::from(c.check_reason.unwrap_or_default()),
                    Cell::from(passed),
                    Cell::from(reasons),
                    Cell::from(c.industry_score.unwrap_or_default()),
                    Cell::from(outcome),
                    Cell::from(c.identification_number.unwrap_or_default()),
                    Cell::from(c.outcome_reason.unwrap_or_default()),
                ];
                for (k, cell) in cells.iter().enumerate() {
                    match cell {
                        Cell::Text(s) => ws.write_string(row, k as u16, s),
                        Cell::Number(n) => ws.write_number(row, k as u16, *n),
                    }
                    .map_err(fail)?;
                }
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
