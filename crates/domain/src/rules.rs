//! Registration rules an official can change, kept as versioned data with the clause each comes
//! from: how many working days review may take, when the annual update window opens and
//! closes, and the reasons a reviewer picks from when returning a registration.

use crate::validation::Violation;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationRules {
    /// Working days a reviewer has before an item shows as overdue.
    pub review_working_days: u32,
    /// Where that comes from.
    pub review_source: String,
    /// The annual update window, `MM-DD` to `MM-DD` inclusive, each year.
    pub update_opens: String,
    pub update_closes: String,
    pub update_source: String,
    /// Reasons offered when returning a registration or an update (the reviewer may add words).
    pub return_reasons: Vec<String>,
}

impl Default for RegistrationRules {
    fn default() -> Self {
        RegistrationRules {
            review_working_days: 5,
            review_source: "平台服务承诺：形式审查在 3～5 个工作日内完成（各地可按本地要求调整）"
                .into(),
            update_opens: "01-01".into(),
            update_closes: "03-31".into(),
            update_source: "国知办函运字〔2022〕985号及省局组织实施通知“做好信息更新”：每年一季度"
                .into(),
            return_reasons: vec![
                "关联专利的法律状态不是有效，请核实后关联有效专利".into(),
                "未说明专利在产品中的具体体现，请补充实施方式".into(),
                "产品名称或型号规格填写不规范，请按产品铭牌或说明书填写".into(),
                "销售额、产值等数据缺失或明显有误，请核实后重新填写".into(),
                "许可专利缺少许可合同备案号，请补充".into(),
            ],
        }
    }
}

/// One year's update window: figures of `year` are filed between `opens` and `closes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateWindow {
    pub year: i32,
    pub opens: Date,
    pub closes: Date,
}

impl UpdateWindow {
    pub fn contains(&self, d: Date) -> bool {
        self.opens <= d && d <= self.closes
    }
}

fn month_day(s: &str, year: i32) -> Option<Date> {
    let (m, d) = s.trim().split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    let day: u8 = d.parse().ok()?;
    // 29 February falls back to the 28th in common years.
    Date::from_calendar_date(year, month, day).ok().or_else(|| {
        (month == Month::February && day == 29)
            .then(|| Date::from_calendar_date(year, month, 28).expect("28 February exists"))
    })
}

impl RegistrationRules {
    /// Every problem, per field.
    pub fn check(&self) -> Result<(), Vec<(String, Violation)>> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, zh: String| {
            errors.push((field.to_string(), Violation::new("invalid_rule", zh, field)));
        };
        if !(1..=30).contains(&self.review_working_days) {
            bad("review_working_days", "审核时限应为 1～30 个工作日".into());
        }
        let opens = month_day(&self.update_opens, 2024);
        let closes = month_day(&self.update_closes, 2024);
        if opens.is_none() {
            bad("update_opens", "更新开始日期应为 MM-DD，如 01-01".into());
        }
        if closes.is_none() {
            bad("update_closes", "更新截止日期应为 MM-DD，如 03-31".into());
        }
        if let (Some(o), Some(c)) = (opens, closes) {
            if c < o {
                bad(
                    "update_closes",
                    "截止日期不能早于开始日期（窗口不跨年）".into(),
                );
            }
        }
        for (field, v) in [
            ("review_source", &self.review_source),
            ("update_source", &self.update_source),
        ] {
            if v.trim().is_empty() {
                bad(field, "请注明依据的文件和条款".into());
            }
        }
        if self.return_reasons.len() > 30 {
            bad("return_reasons", "退回理由模板最多 30 条".into());
        }
        for (i, r) in self.return_reasons.iter().enumerate() {
            let n = r.trim().chars().count();
            if n == 0 || n > 200 {
                bad(
                    &format!("return_reasons[{i}]"),
                    "每条退回理由应为 1～200 个字".into(),
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The window of calendar year `year` (figures of `year - 1` are filed in it).
    pub fn window_in(&self, year: i32) -> Option<UpdateWindow> {
        Some(UpdateWindow {
            year: year - 1,
            opens: month_day(&self.update_opens, year)?,
            closes: month_day(&self.update_closes, year)?,
        })
    }

    /// The window open on `today`, if any.
    pub fn open_window(&self, today: Date) -> Option<UpdateWindow> {
        self.window_in(today.year()).filter(|w| w.contains(today))
    }

    /// The window open on `today`, or else the next one.
    pub fn current_or_next(&self, today: Date) -> Option<UpdateWindow> {
        let this = self.window_in(today.year())?;
        if today <= this.closes {
            Some(this)
        } else {
            self.window_in(today.year() + 1)
        }
    }

    /// The last window that has closed before `today`.
    pub fn last_closed(&self, today: Date) -> Option<UpdateWindow> {
        let this = self.window_in(today.year())?;
        if today > this.closes {
            Some(this)
        } else {
            self.window_in(today.year() - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_default_window_is_the_first_quarter_for_last_years_figures() {
        let r = RegistrationRules::default();
        assert!(r.check().is_ok());
        let w = r.open_window(date!(2027 - 02 - 10)).unwrap();
        assert_eq!(
            (w.year, w.opens, w.closes),
            (2026, date!(2027 - 01 - 01), date!(2027 - 03 - 31))
        );
        assert!(r.open_window(date!(2026 - 11 - 22)).is_none());
        assert_eq!(
            r.current_or_next(date!(2026 - 11 - 22)).unwrap().opens,
            date!(2027 - 01 - 01)
        );
        assert_eq!(r.last_closed(date!(2026 - 11 - 22)).unwrap().year, 2025);
        assert_eq!(r.last_closed(date!(2027 - 02 - 01)).unwrap().year, 2025);
        assert_eq!(r.last_closed(date!(2027 - 04 - 01)).unwrap().year, 2026);
    }

    #[test]
    fn bad_rules_are_reported_per_field() {
        let r = RegistrationRules {
            review_working_days: 0,
            update_opens: "13-01".into(),
            update_closes: "02-30".into(),
            review_source: " ".into(),
            return_reasons: vec!["".into()],
            ..RegistrationRules::default()
        };
        let fields: Vec<String> = r.check().unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "review_working_days",
                "update_opens",
                "update_closes",
                "review_source",
                "return_reasons[0]"
            ]
        );
        let r = RegistrationRules {
            update_opens: "04-01".into(),
            update_closes: "03-31".into(),
            ..RegistrationRules::default()
        };
        assert_eq!(r.check().unwrap_err()[0].0, "update_closes");
    }

    #[test]
    fn a_window_ending_on_29_february_ends_on_the_28th_in_common_years() {
        let r = RegistrationRules {
            update_closes: "02-29".into(),
            ..RegistrationRules::default()
        };
        assert!(r.check().is_ok());
        assert_eq!(r.window_in(2027).unwrap().closes, date!(2027 - 02 - 28));
        assert_eq!(r.window_in(2028).unwrap().closes, date!(2028 - 02 - 29));
    }
}

/// How the year-end evaluation of each region's registration work combines its measures, in
/// percent (they add up to 100), with the document they come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationWeights {
    /// Share of directory enterprises covered by their deadline.
    pub coverage: u32,
    /// Products registered in the year, relative to the best sibling.
    pub products: u32,
    /// Share of due annual updates approved.
    pub updates: u32,
    /// One minus the share of reviews that returned the registration.
    pub returns: u32,
    pub source: String,
}

/// What the built-in evaluation weights say of their source: they are the platform's starting
/// values, not taken from any document, until an administrator replaces them with weights from
/// an actual evaluation notice and names it.
pub const STARTING_WEIGHTS_SOURCE: &str =
    "平台预设的初始权重，并非出自任何文件；请按本地年度评价文件调整，并注明文件名称和条款";

impl Default for EvaluationWeights {
    fn default() -> Self {
        EvaluationWeights {
            coverage: 40,
            products: 30,
            updates: 20,
            returns: 10,
            // No document sets these: they are where the platform starts, and say so.
            source: STARTING_WEIGHTS_SOURCE.into(),
        }
    }
}

impl EvaluationWeights {
    pub fn check(&self) -> Result<(), Vec<(String, Violation)>> {
        let mut errors = Vec::new();
        let sum = self.coverage + self.products + self.updates + self.returns;
        if sum != 100 {
            errors.push((
                "coverage".to_string(),
                Violation::new(
                    "invalid_rule",
                    format!("各项权重之和应为 100，现为 {sum}"),
                    "weights must add up to 100",
                ),
            ));
        }
        if self.source.trim().is_empty() {
            errors.push((
                "source".to_string(),
                Violation::new("invalid_rule", "请注明依据的文件和条款", "source"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The combined score (0–100) of the measures a region has; a measure it has no data for
    /// (no directory, no update due, no review) leaves the others to carry the weight.
    pub fn score(
        &self,
        coverage: Option<f64>,
        products: Option<f64>,
        updates: Option<f64>,
        returns: Option<f64>,
    ) -> f64 {
        let parts = [
            (coverage, self.coverage),
            (products, self.products),
            (updates, self.updates),
            (returns, self.returns),
        ];
        let weight: u32 = parts
            .iter()
            .filter(|(v, _)| v.is_some())
            .map(|(_, w)| *w)
            .sum();
        if weight == 0 {
            return 0.0;
        }
        let sum: f64 = parts
            .iter()
            .filter_map(|(v, w)| v.map(|v| v.clamp(0.0, 1.0) * f64::from(*w)))
            .sum();
        (sum / f64::from(weight) * 10_000.0).round() / 100.0
    }
}

#[cfg(test)]
mod evaluation_tests {
    use super::*;

    #[test]
    fn weights_add_up_to_100_and_missing_measures_leave_the_rest_to_count() {
        let w = EvaluationWeights::default();
        assert!(w.check().is_ok());
        assert_eq!(w.score(Some(1.0), Some(1.0), Some(1.0), Some(1.0)), 100.0);
        assert_eq!(w.score(Some(0.5), Some(1.0), None, None), 71.43);
        assert_eq!(w.score(None, None, None, None), 0.0);
        let bad = EvaluationWeights { returns: 20, ..w };
        assert_eq!(bad.check().unwrap_err()[0].0, "coverage");
    }
}
