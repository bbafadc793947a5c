//! Monthly reports (月度通报) of a region: the month's new registrations and withdrawals, the
//! cumulative total, annual updates approved, directory coverage, each sub-region's figures and
//! the region's rank among its siblings. Generated on the 1st for the previous month (and by
//! `zhichan report monthly`), stored with every version; the current month is shown live.

use crate::{ServiceError, ServiceResult, Services};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::{json, Value};
use zhichan_domain::access::Actor;
use zhichan_domain::{RegionCode, Violation};
use zhichan_store::{directories, regions, reports, stats, Exec};

/// Parses `YYYY-MM`.
pub fn parse_month(s: &str) -> Option<(i32, u8)> {
    let (y, m) = s.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m): (i32, u8) = (y.parse().ok()?, m.parse().ok()?);
    ((2000..=9999).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

fn month_text(y: i32, m: u8) -> String {
    format!("{y:04}-{m:02}")
}

/// A month's first and next month's first moment, Beijing time (UTC+8), as timestamps.
fn month_bounds(month: &str) -> (zhichan_domain::Timestamp, zhichan_domain::Timestamp) {
    let (y, m) = parse_month(month).unwrap_or((2000, 1));
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let at = |y: i32, m: u8| {
        let d = time::Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), 1)
            .expect("first of month");
        zhichan_domain::Timestamp::from_datetime(
            d.midnight()
                .assume_offset(time::UtcOffset::from_hms(8, 0, 0).expect("offset")),
        )
    };
    (at(y, m), at(ny, nm))
}

/// The month before `today`'s.
pub fn previous_month(today: time::Date) -> String {
    let (y, m) = (today.year(), u8::from(today.month()));
    if m == 1 {
        month_text(y - 1, 12)
    } else {
        month_text(y, m - 1)
    }
}

async fn name_of(s: &Services, r: RegionCode) -> ServiceResult<String> {
    if r == RegionCode::NATION {
        return Ok("全国".into());
    }
    Ok(regions::get(s.db(), r)
        .await?
        .map_or_else(|| r.to_string(), |x| x.name))
}

impl Services {
    /// Builds a region's report for a month from the rollups (nothing is stored).
    pub async fn build_monthly_report(
        &self,
        region: RegionCode,
        month: &str,
    ) -> ServiceResult<Value> {
        let db = self.db();
        let (new, withdrawn) = reports::in_month(db, region, month).await?;
        let (reg_total, wd_total) = reports::cumulative(db, region, month).await?;
        let now = stats::summary(db, region).await?;
        let mut children = Vec::new();
        // Every sub-region of the reference data, those with nothing registered too: the
        // report is where an office sees who has not started.
        for child in regions::children(db, region).await? {
            let code = child.code;
            let (n, w) = reports::in_month(db, code, month).await?;
            let (r, wt) = reports::cumulative(db, code, month).await?;
            children.push(json!({"region": code.to_string(), "name": child.name,
                "new_registrations": n, "withdrawals": w, "cumulative": r - wt}));
        }
        children.sort_by(|a, b| {
            b["new_registrations"]
                .as_i64()
                .cmp(&a["new_registrations"].as_i64())
                .then(b["cumulative"].as_i64().cmp(&a["cumulative"].as_i64()))
        });
        let (mut rank, mut siblings) = (Value::Null, Vec::new());
        if let Some(parent) = region.parent() {
            for sibling in regions::children(db, parent).await? {
                let (n, _) = reports::in_month(db, sibling.code, month).await?;
                siblings.push((sibling.code.to_string(), n));
            }
            if !siblings.iter().any(|(k, _)| *k == region.to_string()) {
                siblings.push((region.to_string(), new));
            }
            // Ties share a rank (1, 1, 3); a region with nothing new this month is not ranked.
            if new > 0 {
                let pos = siblings.iter().filter(|(_, n)| *n > new).count();
                rank = json!({"position": pos + 1, "of": siblings.len(), "parent": parent.to_string(),
                              "parent_name": name_of(self, parent).await?});
            }
        }
        let mut dirs = Vec::new();
        for d in directories::within(db, region).await? {
            if d.region != region {
                continue;
            }
            let rows = directories::coverage(db, d.id).await?;
            let covered = rows.iter().filter(|r| r.covered_on.is_some()).count() as i64;
            dirs.push(
                json!({"id": d.id, "name": d.name, "listed": d.listed, "covered": covered,
                "rate": crate::directories::Coverage::rate(covered, d.listed)}),
            );
        }
        let (from, until) = month_bounds(month);
        let updates_approved = reports::updates_approved(db, region, from, until).await?;
        // Identified products (认定): announced this month, and in total up to its end, by field.
        let (y, m) = parse_month(month).unwrap_or((2000, 1));
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let (first, next) = (format!("{y:04}-{m:02}-01"), format!("{ny:04}-{nm:02}-01"));
        let month_fields =
            zhichan_store::identification_rounds::identified_by_field(db, region, &first, &next)
                .await?;
        let total_fields = zhichan_store::identification_rounds::identified_by_field(
            db,
            region,
            "0000-01-01",
            &next,
        )
        .await?;
        let identified_in_month: i64 = month_fields.iter().map(|f| f.n).sum();
        let identified_total: i64 = total_fields.iter().map(|f| f.n).sum();
        let identified_by_field: Vec<Value> = total_fields
            .iter()
            .map(|f| json!({"field": f.field, "identified": f.n}))
            .collect();
        Ok(json!({
            "region": region.to_string(),
            "region_name": name_of(self, region).await?,
            "month": month,
            "new_registrations": new,
            "withdrawals": withdrawn,
            "cumulative_products": reg_total - wd_total,
            "enterprises": now.enterprises,
            "patents": now.patents,
            "sales_revenue": now.sales_revenue.to_string(),
            "annual_updates_approved": updates_approved,
            "identified_in_month": identified_in_month,
            "identified_products": identified_total,
            "identified_by_field": identified_by_field,
            "rank": rank,
            "children": children,
            "directories": dirs,
        }))
    }

    /// Generates and stores the report of every region with registrations (and the nation) for
    /// a month; answers how many were stored.
    pub async fn generate_monthly_reports(&self, month: &str, by: &str) -> ServiceResult<usize> {
        if parse_month(month).is_none() {
            return Err(ServiceError::invalid(
                "month",
                Violation::new("invalid_month", "月份应写作 YYYY-MM", "YYYY-MM"),
            ));
        }
        let codes: Vec<i64> = self
            .db()
            .fetch_all(zhichan_store::Sql::new(
                "SELECT region FROM stat_regions ORDER BY region",
            ))
            .await?;
        let mut n = 0;
        for c in codes {
            let Some(r) = RegionCode::from_u32(c as u32) else {
                continue;
            };
            let body = self.build_monthly_report(r, month).await?;
            reports::insert(self.db(), r, month, &body.to_string(), by, self.now()).await?;
            n += 1;
        }
        Ok(n)
    }

    /// Generates the previous month's reports on the 1st (Beijing time) unless stored already.
    pub async fn monthly_reports_due(&self) -> ServiceResult<usize> {
        let today = self.now().beijing_date();
        if today.day() != 1 {
            return Ok(0);
        }
        let month = previous_month(today);
        if reports::latest(self.db(), RegionCode::NATION, &month)
            .await?
            .is_some()
        {
            return Ok(0);
        }
        self.generate_monthly_reports(&month, "system").await
    }

    /// The month a report opens on when none is asked for: the latest month with registrations
    /// or withdrawals in the caller's region (this month's included), else the previous month.
    pub async fn report_default_month(
        &self,
        actor: &Actor,
        region: Option<&str>,
    ) -> ServiceResult<String> {
        let (region, _) = self.stats_summary(actor, region).await?;
        let today = self.now().beijing_date();
        let current = month_text(today.year(), u8::from(today.month()));
        Ok(reports::latest_month_with_data(self.db(), region, &current)
            .await?
            .unwrap_or_else(|| previous_month(today)))
    }

    /// A region's report for a month, as the caller may read it: the stored one, or for a past
    /// month never generated, generated and stored now; the current month live (provisional).
    /// Answers the report and its version (0 when provisional).
    pub async fn monthly_report(
        &self,
        actor: &Actor,
        region: Option<&str>,
        month: &str,
    ) -> ServiceResult<(Value, i64)> {
        let (region, _) = self.stats_summary(actor, region).await?;
        let Some((y, m)) = parse_month(month) else {
            return Err(ServiceError::invalid(
                "month",
                Violation::new("invalid_month", "月份应写作 YYYY-MM，如 2026-10", "YYYY-MM"),
            ));
        };
        let month = month_text(y, m);
        let today = self.now().beijing_date();
        let current = month_text(today.year(), u8::from(today.month()));
        if month > current {
            return Err(ServiceError::invalid(
                "month",
                Violation::new("invalid_month", "不能查看未来月份的通报", "future month"),
            ));
        }
        if let Some(r) = reports::latest(self.db(), region, &month).await? {
            let mut body: Value = serde_json::from_str(&r.body).map_err(|e| {
                ServiceError::Store(zhichan_store::StoreError::Corrupt(e.to_string()))
            })?;
            body["version"] = json!(r.version);
            body["generated_at"] = json!(r.generated_at.to_string());
            return Ok((body, r.version));
        }
        let mut body = self.build_monthly_report(region, &month).await?;
        if month == current {
            body["provisional"] = json!(true);
            body["version"] = json!(0);
            return Ok((body, 0));
        }
        let v = reports::insert(
            self.db(),
            region,
            &month,
            &body.to_string(),
            &actor.username,
            self.now(),
        )
        .await?;
        body["version"] = json!(v);
        body["generated_at"] = json!(self.now().to_string());
        Ok((body, v))
    }
}

/// A report as an xlsx workbook: the overview, the sub-regions and the directories.
pub fn report_xlsx(r: &Value, locale: crate::export::Locale) -> ServiceResult<Vec<u8>> {
    use crate::export::{heading, sheet_name};
    let build = || -> Result<Vec<u8>, XlsxError> {
        let bold = Format::new().set_bold();
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(locale, "概况"))?;
        ws.set_column_width(0, 24)?;
        ws.set_column_width(1, 24)?;
        let title = format!(
            "{} {} {}",
            zhichan_i18n::translate(locale, r["region_name"].as_str().unwrap_or("")),
            r["month"].as_str().unwrap_or(""),
            heading(locale, "专利产品备案月度通报")
        );
        ws.write_string_with_format(0, 0, &title, &bold)?;
        let rank = match (r["rank"]["position"].as_i64(), r["rank"]["of"].as_i64()) {
            (Some(p), Some(o)) => heading(
                locale,
                &format!(
                    "{} 下属 {o} 个地区中第 {p} 位",
                    r["rank"]["parent_name"].as_str().unwrap_or("")
                ),
            ),
            _ => "—".into(),
        };
        let lines: [(&str, String); 9] = [
            ("本月新增备案产品", r["new_registrations"].to_string()),
            ("本月撤销", r["withdrawals"].to_string()),
            ("月末累计备案产品", r["cumulative_products"].to_string()),
            ("备案企业（生成时）", r["enterprises"].to_string()),
            ("关联专利（生成时）", r["patents"].to_string()),
            (
                "销售收入（元，生成时）",
                r["sales_revenue"].as_str().unwrap_or("").to_string(),
            ),
            (
                "本月通过的信息更新",
                r["annual_updates_approved"].to_string(),
            ),
            ("本月新增排名", rank),
            ("版本", r["version"].to_string()),
        ];
        for (i, (k, v)) in lines.iter().enumerate() {
            ws.write_string(i as u32 + 2, 0, heading(locale, k))?;
            ws.write_string(i as u32 + 2, 1, v)?;
        }
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(locale, "下级地区"))?;
        for (c, h) in ["地区代码", "地区", "本月新增", "本月撤销", "月末累计"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(0, c as u16, heading(locale, h), &bold)?;
        }
        for (i, c) in r["children"].as_array().into_iter().flatten().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, c["region"].as_str().unwrap_or(""))?;
            ws.write_string(row, 1, c["name"].as_str().unwrap_or(""))?;
            ws.write_number(row, 2, c["new_registrations"].as_f64().unwrap_or(0.0))?;
            ws.write_number(row, 3, c["withdrawals"].as_f64().unwrap_or(0.0))?;
            ws.write_number(row, 4, c["cumulative"].as_f64().unwrap_or(0.0))?;
        }
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(locale, "名录覆盖"))?;
        for (c, h) in ["名录", "企业数", "已备案", "覆盖率"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, heading(locale, h), &bold)?;
        }
        for (i, d) in r["directories"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let row = i as u32 + 1;
            ws.write_string(row, 0, d["name"].as_str().unwrap_or(""))?;
            ws.write_number(row, 1, d["listed"].as_f64().unwrap_or(0.0))?;
            ws.write_number(row, 2, d["covered"].as_f64().unwrap_or(0.0))?;
            ws.write_number(row, 3, d["rate"].as_f64().unwrap_or(0.0))?;
        }
        wb.save_to_buffer()
    };
    build()
        .map_err(|e| ServiceError::Store(zhichan_store::StoreError::Corrupt(format!("xlsx: {e}"))))
}
