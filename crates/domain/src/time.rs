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
        if let Some(t) = Self::parse_stored(s) {
            return Some(t);
        }
        PrimitiveDateTime::parse(s, FORMAT)
            .map(|p| p.assume_utc())
            .or_else(|_| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339))
            .ok()
            .map(Self::from_datetime)
    }

    /// The stored form, `YYYY-MM-DDTHH:MM:SS.mmmZ`, read by position: every row read carries
    /// several timestamps, and a format description interpreted per call costs ten times more.
    fn parse_stored(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 24 || b[23] != b'Z' {
            return None;
        }
        for (at, sep) in [(10, b'T'), (13, b':'), (16, b':'), (19, b'.')] {
            if b[at] != sep {
                return None;
            }
        }
        let date = stored_date(&b[0..10])?;
        let at = time::Time::from_hms_milli(
            digits(&b[11..13])? as u8,
            digits(&b[14..16])? as u8,
            digits(&b[17..19])? as u8,
            digits(&b[20..23])? as u16,
        )
        .ok()?;
        Some(Timestamp(PrimitiveDateTime::new(date, at).assume_utc()))
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

/// The number written by ASCII digits only (none empty, no sign).
pub(crate) fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD` read by position (the stored form of a date, and the first part of a stored
/// timestamp); `None` for any other text or an impossible date.
pub(crate) fn stored_date(b: &[u8]) -> Option<time::Date> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    let month = time::Month::try_from(u8::try_from(digits(&b[5..7])?).ok()?).ok()?;
    time::Date::from_calendar_date(year, month, u8::try_from(digits(&b[8..10])?).ok()?).ok()
}

/// Writes a date of the years 0–9999 as `YYYY-MM-DD` into `out` (10 bytes); `false` for other
/// years, which the callers write through their general path.
pub(crate) fn put_date(out: &mut [u8], d: time::Date) -> bool {
    match u32::try_from(d.year()) {
        Ok(year) if year <= 9999 => {
            put_digits(&mut out[0..4], year);
            out[4] = b'-';
            put_digits(&mut out[5..7], u8::from(d.month()).into());
            out[7] = b'-';
            put_digits(&mut out[8..10], d.day().into());
            true
        }
        _ => false,
    }
}

/// Writes `n` as `width` digits, zero-padded (`n` must fit).
pub(crate) fn put_digits(out: &mut [u8], mut n: u32) {
    for c in out.iter_mut().rev() {
        *c = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        let mut b = *b"0000-00-00T00:00:00.000Z";
        if !put_date(&mut b[0..10], t.date()) {
            return f.write_str(&t.format(FORMAT).map_err(|_| fmt::Error)?);
        }
        put_digits(&mut b[11..13], t.hour().into());
        put_digits(&mut b[14..16], t.minute().into());
        put_digits(&mut b[17..19], t.second().into());
        put_digits(&mut b[20..23], t.millisecond().into());
        f.write_str(std::str::from_utf8(&b).map_err(|_| fmt::Error)?)
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
    fn the_stored_form_is_read_by_position_as_the_format_reads_it() {
        for text in [
            "2026-11-22T02:13:00.000Z",
            "2024-02-29T23:59:59.999Z",
            "0001-01-01T00:00:00.001Z",
        ] {
            let fast = Timestamp::parse_stored(text).unwrap();
            let slow = PrimitiveDateTime::parse(text, FORMAT).unwrap().assume_utc();
            assert_eq!(fast.datetime(), slow, "{text}");
            assert_eq!(fast.to_string(), text);
            assert_eq!(slow.format(FORMAT).unwrap(), text);
        }
        for wrong in [
            "2025-02-29T00:00:00.000Z",
            "2026-13-01T00:00:00.000Z",
            "2026-11-22T24:00:00.000Z",
            "2026-11-22 02:13:00.000Z",
            "2026-11-22T02:13:00.00+Z",
            "2026-11-22T02:13:00.000",
        ] {
            assert_eq!(Timestamp::parse_stored(wrong), None, "{wrong}");
        }
        // RFC 3339 with an offset still parses, by the general path.
        assert_eq!(
            Timestamp::parse("2026-11-22T10:13:00+08:00"),
            Timestamp::parse("2026-11-22T02:13:00.000Z")
        );
        // Finer precision than stored is shown truncated to milliseconds, as the format did.
        let fine = Timestamp::from_datetime(
            slow_parse("2026-11-22T02:13:00.123Z") + Duration::nanoseconds(987_654),
        );
        assert_eq!(fine.to_string(), "2026-11-22T02:13:00.123Z");
        assert_eq!(fine.datetime().format(FORMAT).unwrap(), fine.to_string());
    }

    fn slow_parse(s: &str) -> OffsetDateTime {
        PrimitiveDateTime::parse(s, FORMAT).unwrap().assume_utc()
    }

    #[test]
    fn beijing_time_is_eight_hours_ahead() {
        let t = Timestamp::parse("2026-11-22T02:13:00.000Z").unwrap();
        assert_eq!(t.beijing_minutes(), "2026-11-22 10:13");
    }
}
