//! Public notice (公示) and objections (异议): a component that a subject with a list of
//! items to make public (an identification batch today, a programme's decision later) plugs
//! into. A notice opens on a date and runs for N working days on the holiday calendar; during
//! it any verified user may object to one item; each objection is answered (upheld removes the
//! item, dismissed keeps it); after it ends and every objection is answered, the owner announces
//! (公告) the items that remain, each given a number.
//!
//! No I/O here: the dates, the checks and the number format.

use crate::calendar::WorkCalendar;
use crate::regions::RegionCode;
use crate::validation::Violation;
use time::{Date, Duration};

code_enum!(
    /// What a notice belongs to: the kind of its subject.
    NoticeKind, "notice_kind", {
        Identification = "identification" / "专利密集型产品认定",
    }
);

impl NoticeKind {
    /// The region of the subject's owner, who publishes, answers and announces: the nation for
    /// identification (the national administrator runs the batches).
    pub fn owner_region(self) -> RegionCode {
        match self {
            NoticeKind::Identification => RegionCode::NATION,
        }
    }

    /// The prefix of the numbers its announced items get (认定编号: `RD`).
    pub fn number_prefix(self) -> &'static str {
        match self {
            NoticeKind::Identification => "RD",
        }
    }
}

code_enum!(
    /// How an objection is answered: `upheld` (成立: the item is removed from what will be
    /// announced) or `dismissed` (不成立: the item stays).
    ObjectionDecision, "decision", {
        Upheld = "upheld" / "异议成立",
        Dismissed = "dismissed" / "异议不成立",
    }
);

code_enum!(
    /// Where a notice stands on a day.
    NoticeStatus, "notice_status", {
        Open = "open" / "公示中",
        Closed = "closed" / "公示期满",
        Announced = "announced" / "已公告",
    }
);

/// Notice periods an owner may choose, in working days.
pub const MIN_NOTICE_DAYS: u32 = 1;
pub const MAX_NOTICE_DAYS: u32 = 60;
/// The longest objection reason and answer, in characters.
pub const MAX_REASON_CHARS: usize = 2000;

/// The period of a notice: from the day it opens to its last day, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoticePeriod {
    pub opens_on: Date,
    /// The last day objections are taken: the `notice_days`-th working day counted from the
    /// opening day (itself counted when it is a working day).
    pub closes_on: Date,
}

impl NoticePeriod {
    /// The period of a notice published on `opens_on` for `days` working days: make-up
    /// working days (调休上班) count, holidays and ordinary weekends do not.
    pub fn new(calendar: &WorkCalendar, opens_on: Date, days: u32) -> Self {
        NoticePeriod {
            opens_on,
            closes_on: calendar.add_working_days(opens_on - Duration::days(1), days),
        }
    }

    /// Whether objections are taken on `today`.
    pub fn is_open(&self, today: Date) -> bool {
        self.opens_on <= today && today <= self.closes_on
    }

    /// Working days left on `today`, today included when it is one (0 once it has ended).
    pub fn days_left(&self, calendar: &WorkCalendar, today: Date) -> u32 {
        if today > self.closes_on {
            return 0;
        }
        let from = today.max(self.opens_on) - Duration::days(1);
        calendar.working_days_between(from, self.closes_on)
    }

    /// Where a notice with this period stands on `today`.
    pub fn status(&self, today: Date, announced: bool) -> NoticeStatus {
        if announced {
            NoticeStatus::Announced
        } else if today <= self.closes_on {
            NoticeStatus::Open
        } else {
            NoticeStatus::Closed
        }
    }
}

/// The number an announced item gets: the kind's prefix, the year of the announcement, the
/// six-digit region of the item's enterprise and a four-digit sequence within that year and
/// region, e.g. `RD2026361002` + `0001` = `RD20263610020001`.
pub fn item_number(kind: NoticeKind, year: i32, region: &str, sequence: u32) -> String {
    format!("{}{year:04}{region}{sequence:04}", kind.number_prefix())
}

/// The sequence part of a number issued with `prefix` (as [`item_number`] writes it).
pub fn number_sequence(number: &str, prefix: &str) -> Option<u32> {
    number.strip_prefix(prefix)?.parse().ok()
}

/// Checks a required reason (an objection's, or an answer's): present and at most
/// [`MAX_REASON_CHARS`] characters.
pub fn check_reason(reason: &str) -> Result<String, Violation> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(Violation::new(
            "required",
            "请填写理由",
            "a reason is required",
        ));
    }
    let n = r.chars().count();
    if n > MAX_REASON_CHARS {
        return Err(Violation::new(
            "too_long",
            format!("理由最多 {MAX_REASON_CHARS} 字，现为 {n} 字"),
            format!("at most {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(r.to_string())
}

/// Checks a notice period's length.
pub fn check_notice_days(days: i64) -> Result<u32, Violation> {
    if (i64::from(MIN_NOTICE_DAYS)..=i64::from(MAX_NOTICE_DAYS)).contains(&days) {
        Ok(days as u32)
    } else {
        Err(Violation::new(
            "invalid_notice_days",
            format!("公示期应为 {MIN_NOTICE_DAYS}～{MAX_NOTICE_DAYS} 个工作日"),
            format!("between {MIN_NOTICE_DAYS} and {MAX_NOTICE_DAYS} working days"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{CalendarDay, DayKind};
    use time::macros::date;

    fn spring_2026() -> WorkCalendar {
        let mut days: Vec<CalendarDay> = (15..=23)
            .map(|d| CalendarDay {
                date: format!("2026-02-{d:02}"),
                kind: DayKind::Holiday,
                name: "春节".into(),
                source: "测试".into(),
            })
            .collect();
        for d in ["2026-02-14", "2026-02-28"] {
            days.push(CalendarDay {
                date: d.into(),
                kind: DayKind::Workday,
                name: "春节".into(),
                source: "测试".into(),
            });
        }
        WorkCalendar::from_days(&days).unwrap()
    }

    #[test]
    fn a_notice_counts_its_opening_day_the_make_up_saturday_and_skips_the_holiday() {
        let c = spring_2026();
        // Thu 12, Fri 13, Sat 14 (worked), then the holiday, Tue 24, Wed 25.
        let p = NoticePeriod::new(&c, date!(2026 - 02 - 12), 5);
        assert_eq!(p.closes_on, date!(2026 - 02 - 25));
        assert_eq!(p.days_left(&c, date!(2026 - 02 - 12)), 5);
        assert_eq!(p.days_left(&c, date!(2026 - 02 - 16)), 2, "in the holiday");
        assert_eq!(p.days_left(&c, date!(2026 - 02 - 25)), 1, "the last day");
        assert_eq!(p.days_left(&c, date!(2026 - 02 - 26)), 0);
        assert!(p.is_open(date!(2026 - 02 - 25)));
        assert!(!p.is_open(date!(2026 - 02 - 26)));
        assert_eq!(p.status(date!(2026 - 02 - 26), false), NoticeStatus::Closed);
        assert_eq!(
            p.status(date!(2026 - 02 - 26), true),
            NoticeStatus::Announced
        );
        // Published on a Sunday, the notice starts counting on Monday.
        let p = NoticePeriod::new(&WorkCalendar::default(), date!(2026 - 11 - 22), 1);
        assert_eq!(p.closes_on, date!(2026 - 11 - 23));
    }

    #[test]
    fn numbers_carry_year_region_and_sequence() {
        let n = item_number(NoticeKind::Identification, 2026, "361002", 7);
        assert_eq!(n, "RD20263610020007");
        assert_eq!(number_sequence(&n, "RD2026361002"), Some(7));
    }

    #[test]
    fn reasons_are_required_and_bounded() {
        assert_eq!(check_reason("  ").unwrap_err().code, "required");
        assert_eq!(
            check_reason(&"字".repeat(2001)).unwrap_err().code,
            "too_long"
        );
        assert_eq!(check_reason(" 有据 ").unwrap(), "有据");
        assert!(check_notice_days(0).is_err());
        assert_eq!(check_notice_days(5).unwrap(), 5);
    }
}
