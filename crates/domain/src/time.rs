//! Timestamps as zhichan stores and shows them: UTC, millisecond precision, fixed width, so
//! that the text sorts in time order in either database.

use serde::{Serialize, Serializer};
use std::fmt;
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// A moment in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    pub fn from_datetime(t: OffsetDateTime) -> Self {
        Timestamp(t.to_offset(UtcOffset::UTC))
    }

    pub fn from_unix_seconds(s: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(s).ok().map(Timestamp)
    }

    /// Parses the stored form (and any RFC 3339 text).
    pub fn parse(s: &str) -> Option<Self> {
        PrimitiveDateTime::parse(s, FORMAT)
            .map(|p| p.assume_utc())
            .or_else(|_| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339))
            .ok()
            .map(Self::from_datetime)
    }

    pub fn datetime(self) -> OffsetDateTime {
        self.0
    }

    pub fn unix_seconds(self) -> i64 {
        self.0.unix_timestamp()
    }

    pub fn plus(self, d: Duration) -> Self {
        Timestamp(self.0 + d)
    }

    pub fn minus(self, d: Duration) -> Self {
        Timestamp(self.0 - d)
    }

    /// The calendar date in China (UTC+8): deadlines and windows are counted in Beijing days.
    pub fn beijing_date(self) -> time::Date {
        self.0
            .to_offset(UtcOffset::from_hms(8, 0, 0).expect("valid offset"))
            .date()
    }

    /// The time in China (UTC+8) as people read it: `2026-11-22 10:13`.
    pub fn beijing_minutes(self) -> String {
        let t = self
            .0
            .to_offset(UtcOffset::from_hms(8, 0, 0).expect("valid offset"));
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.format(FORMAT).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_fixed_width_and_round_trips() {
        let t = Timestamp::from_unix_seconds(1_795_000_000).unwrap();
        let s = t.to_string();
        assert_eq!(s.len(), 24, "{s}");
        assert!(s.ends_with(".000Z"));
        assert_eq!(Timestamp::parse(&s), Some(t));
        assert!(
            Timestamp::from_unix_seconds(9).unwrap().to_string()
                < Timestamp::from_unix_seconds(10).unwrap().to_string()
        );
    }

    #[test]
    fn beijing_time_is_eight_hours_ahead() {
        let t = Timestamp::parse("2026-11-22T02:13:00.000Z").unwrap();
        assert_eq!(t.beijing_minutes(), "2026-11-22 10:13");
    }
}
