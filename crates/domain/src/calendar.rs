//! Working days on the Chinese calendar: weekends, public holidays (法定节假日) and the weekend
//! days made into working days to balance them (调休). Review deadlines and notice periods are
//! counted with it. The days themselves are data (a versioned rules document an official keeps
//! up to date from each year's State Council notice), never code.

use crate::enterprises::{format_date, parse_date};
use crate::validation::Violation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Duration, Weekday};

code_enum!(
    /// What a listed day is.
    DayKind, "day_kind", {
        Holiday = "holiday" / "放假",
        Workday = "workday" / "调休上班",
    }
);

/// One listed day, with where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub kind: DayKind,
    /// The holiday it belongs to, e.g. 春节.
    pub name: String,
    /// The notice it comes from, e.g. 国办发明电〔2025〕7号.
    pub source: String,
}

/// The calendar a deadline is counted on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    days: BTreeMap<Date, DayKind>,
}

impl WorkCalendar {
    /// Builds the calendar from its listed days; every bad or repeated date is reported with
    /// the index of its row.
    pub fn from_days(list: &[CalendarDay]) -> Result<Self, Vec<(usize, Violation)>> {
        let mut days = BTreeMap::new();
        let mut errors = Vec::new();
        for (i, d) in list.iter().enumerate() {
            match parse_date(&d.date) {
                Some(date) => {
                    if days.insert(date, d.kind).is_some() {
                        errors.push((
                            i,
                            Violation::new(
                                "duplicate",
                                format!("{} 重复列出", d.date),
                                "date listed twice",
                            ),
                        ));
                    }
                    let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
                    if d.kind == DayKind::Workday && !weekend {
                        errors.push((
                            i,
                            Violation::new(
                                "invalid_date",
                                format!("{} 不是周末，无需列为调休上班日", d.date),
                                "a make-up working day must fall on a weekend",
                            ),
                        ));
                    }
                }
                None => errors.push((
                    i,
                    Violation::new(
                        "invalid_date",
                        format!(
                            "“{}”不是有效的 YYYY-MM-DD 日期",
                            crate::validation::echo(&d.date)
                        ),
                        "not a YYYY-MM-DD date",
                    ),
                )),
            }
        }
        if errors.is_empty() {
            Ok(WorkCalendar { days })
        } else {
            Err(errors)
        }
    }

    /// Whether people work on `d`.
    pub fn is_working_day(&self, d: Date) -> bool {
        match self.days.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday),
        }
    }

    /// The day `n` working days after `from` (`from` itself not counted): the deadline of
    /// something received on `from` that must be done within `n` working days.
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The working days in `(from, to]`; 0 when `to` is not after `from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// The last listed year, so a page can warn when next year's notice is not entered yet.
    pub fn last_listed_year(&self) -> Option<i32> {
        self.days.keys().next_back().map(|d| d.year())
    }

    pub fn listed(&self) -> impl Iterator<Item = (String, DayKind)> + '_ {
        self.days.iter().map(|(d, k)| (format_date(*d), *k))
    }
}

/// Where an item stands against its deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub due: Date,
    /// Working days past `due` (0 when not overdue).
    pub overdue_by: u32,
    /// Working days left until `due` (0 when due today or overdue).
    pub left: u32,
}

impl Deadline {
    pub fn overdue(&self) -> bool {
        self.overdue_by > 0
    }
}

impl WorkCalendar {
    /// The deadline of something received on `received` with `n` working days to handle it,
    /// seen on `today`.
    pub fn deadline(&self, received: Date, n: u32, today: Date) -> Deadline {
        let due = self.add_working_days(received, n);
        Deadline {
            due,
            overdue_by: self.working_days_between(due, today),
            left: self.working_days_between(today, due),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn day(date: &str, kind: DayKind) -> CalendarDay {
        CalendarDay {
            date: date.into(),
            kind,
            name: "测试".into(),
            source: "测试".into(),
        }
    }

    /// The 2026 Spring Festival: 15–23 February off, Saturday 14 and Saturday 28 February worked.
    fn spring_2026() -> WorkCalendar {
        let mut days: Vec<CalendarDay> = (15..=23)
            .map(|d| day(&format!("2026-02-{d:02}"), DayKind::Holiday))
            .collect();
        days.push(day("2026-02-14", DayKind::Workday));
        days.push(day("2026-02-28", DayKind::Workday));
        WorkCalendar::from_days(&days).unwrap()
    }

    #[test]
    fn weekends_are_off_and_listed_days_override_them() {
        let c = spring_2026();
        assert!(!c.is_working_day(date!(2026 - 11 - 21)), "a Saturday");
        assert!(c.is_working_day(date!(2026 - 11 - 23)), "a Monday");
        assert!(
            c.is_working_day(date!(2026 - 02 - 14)),
            "a make-up Saturday"
        );
        assert!(
            !c.is_working_day(date!(2026 - 02 - 16)),
            "a Monday in the holiday"
        );
    }

    #[test]
    fn five_working_days_skip_the_spring_festival() {
        let c = spring_2026();
        // Received Thursday 12 February: Fri 13, Sat 14 (worked), then the holiday, then
        // Tue 24, Wed 25, Thu 26.
        assert_eq!(
            c.add_working_days(date!(2026 - 02 - 12), 5),
            date!(2026 - 02 - 26)
        );
        // Without the holiday list the same count ends on Thursday 19 February.
        assert_eq!(
            WorkCalendar::default().add_working_days(date!(2026 - 02 - 12), 5),
            date!(2026 - 02 - 19)
        );
    }

    #[test]
    fn a_deadline_says_how_far_over_or_how_much_is_left() {
        let c = WorkCalendar::default();
        // Received Monday 16 November 2026; due Monday 23 November.
        let d = c.deadline(date!(2026 - 11 - 16), 5, date!(2026 - 11 - 20));
        assert_eq!(d.due, date!(2026 - 11 - 23));
        assert_eq!((d.overdue(), d.left), (false, 1));
        let d = c.deadline(date!(2026 - 11 - 16), 5, date!(2026 - 11 - 25));
        assert_eq!((d.overdue_by, d.left), (2, 0));
        // The weekend after the deadline does not count against the reviewer.
        let d = c.deadline(date!(2026 - 11 - 13), 5, date!(2026 - 11 - 22));
        assert_eq!(d.due, date!(2026 - 11 - 20));
        assert_eq!(d.overdue_by, 0);
    }

    #[test]
    fn bad_lists_are_reported_per_row() {
        let errors = WorkCalendar::from_days(&[
            day("2026-02-30", DayKind::Holiday),
            day("2026-02-16", DayKind::Workday),
            day("2026-10-01", DayKind::Holiday),
            day("2026-10-01", DayKind::Holiday),
        ])
        .unwrap_err();
        let rows: Vec<usize> = errors.iter().map(|(i, _)| *i).collect();
        assert_eq!(rows, vec![0, 1, 3]);
    }
}
