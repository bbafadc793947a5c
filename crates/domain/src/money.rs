//! Money in yuan with two decimals, held as integer fen (分): sums are exact and no figure ever
//! passes through a float. In JSON it is a string, `"1234.50"`.

use crate::validation::Violation;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};
use std::str::FromStr;

/// An amount in yuan, exact to the fen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Money(i64);

/// The largest amount accepted: ten trillion yuan, far above any product's revenue, far below
/// where sums of a national table could overflow.
const MAX_FEN: i64 = 1_000_000_000_000_000;

fn invalid(input: &str) -> Violation {
    // Quoted back capped: the input may be megabytes.
    let input = crate::validation::echo(input);
    Violation::new(
        "invalid_money",
        format!("金额“{input}”格式不正确：应为以元为单位、最多两位小数的数字，如 1234.50"),
        format!("\"{input}\" is not an amount in yuan with at most two decimals"),
    )
}

impl Money {
    pub const ZERO: Money = Money(0);

    /// An amount computed in 128 bits, if it is within what the platform accepts (±MAX_FEN).
    pub fn within_range(fen: i128) -> Option<Self> {
        i64::try_from(fen)
            .ok()
            .filter(|f| f.unsigned_abs() <= MAX_FEN as u64)
            .map(Money)
    }

    pub fn from_fen(fen: i64) -> Self {
        Money(fen)
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    /// Parses `1234.50`, `1234.5`, `1234`, `-12.00`, and thousands separators (`1,234.50`).
    pub fn parse(input: &str) -> Result<Self, Violation> {
        let s: String = input.trim().chars().filter(|c| *c != ',').collect();
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let ok = !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && frac.len() <= 2
            && frac.bytes().all(|b| b.is_ascii_digit())
            && !(digits.contains('.') && frac.is_empty());
        if !ok || whole.len() > 16 {
            return Err(invalid(input));
        }
        let yuan: i64 = whole.parse().map_err(|_| invalid(input))?;
        let fen_part: i64 = format!("{frac:0<2}").parse().map_err(|_| invalid(input))?;
        let fen = yuan
            .checked_mul(100)
            .and_then(|y| y.checked_add(fen_part))
            .filter(|f| *f <= MAX_FEN)
            .ok_or_else(|| invalid(input))?;
        Ok(Money(if negative { -fen } else { fen }))
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// With thousands separators, for people: `1,234,567.50`.
    pub fn grouped(self) -> String {
        let plain = self.to_string();
        let (sign, rest) = match plain.strip_prefix('-') {
            Some(r) => ("-", r),
            None => ("", plain.as_str()),
        };
        let (whole, frac) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut out = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{sign}{out}.{frac}")
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written by hand: a product's answer shows a dozen amounts, and `write!` with padding
        // costs several times the digits themselves.
        let mut b = [0u8; 24];
        let mut at = b.len();
        let mut n = self.0.unsigned_abs();
        for _ in 0..2 {
            at -= 1;
            b[at] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        at -= 1;
        b[at] = b'.';
        loop {
            at -= 1;
            b[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if self.0 < 0 {
            at -= 1;
            b[at] = b'-';
        }
        f.write_str(std::str::from_utf8(&b[at..]).map_err(|_| fmt::Error)?)
    }
}

impl FromStr for Money {
    type Err = Violation;
    fn from_str(s: &str) -> Result<Self, Violation> {
        Money::parse(s)
    }
}

// Sums saturate rather than overflow: every single amount is within MAX_FEN, so only a total
// of thousands of absurd amounts could reach i64's limit, and a total must never panic a request.
impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0.saturating_sub(o.0))
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.fold(0i64, |a, m| a.saturating_add(m.0)))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Money::parse(&s).map_err(Violation::into_de_error)
    }
}

/// `#[serde(default, with = "crate::money::optional", skip_serializing_if = "Option::is_none")]`:
/// an amount that may be left out, `null` or `""` (a form's empty box).
pub mod optional {
    use super::*;

    pub fn serialize<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        match m {
            Some(m) => s.collect_str(m),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(s) if !s.trim().is_empty() => {
                Money::parse(&s).map(Some).map_err(Violation::into_de_error)
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_parse_exactly() {
        assert_eq!(Money::parse("1234.50").unwrap().fen(), 123_450);
        assert_eq!(Money::parse("1234.5").unwrap().fen(), 123_450);
        assert_eq!(Money::parse("1234").unwrap().fen(), 123_400);
        assert_eq!(Money::parse("1,234.05").unwrap().fen(), 123_405);
        assert_eq!(Money::parse("-0.01").unwrap().fen(), -1);
        assert_eq!(Money::parse("0.1").unwrap().to_string(), "0.10");
        assert_eq!(Money::from_fen(-5).to_string(), "-0.05");
        assert_eq!(Money::from_fen(0).to_string(), "0.00");
        assert_eq!(
            Money::from_fen(i64::MIN).to_string(),
            "-92233720368547758.08"
        );
        // 0.1 + 0.2 is exactly 0.3 here.
        assert_eq!(
            Money::parse("0.1").unwrap() + Money::parse("0.2").unwrap(),
            Money::parse("0.3").unwrap()
        );
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for bad in [
            "",
            "1.234",
            "1.",
            ".5",
            "1e6",
            "abc",
            "1 000",
            "--1",
            "99999999999999999",
        ] {
            assert_eq!(
                Money::parse(bad).unwrap_err().code,
                "invalid_money",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn grouping_for_people() {
        assert_eq!(Money::from_fen(123_456_789).grouped(), "1,234,567.89");
        assert_eq!(Money::from_fen(-100).grouped(), "-1.00");
        assert_eq!(Money::from_fen(5).grouped(), "0.05");
    }

    proptest! {
        #[test]
        fn every_amount_round_trips_through_its_text(fen in -MAX_FEN..=MAX_FEN) {
            let m = Money::from_fen(fen);
            prop_assert_eq!(Money::parse(&m.to_string()).unwrap(), m);
            prop_assert_eq!(Money::parse(&m.grouped()).unwrap(), m);
        }

        #[test]
        fn the_text_is_yuan_a_point_and_two_fen_digits(fen in any::<i64>()) {
            let abs = fen.unsigned_abs();
            let sign = if fen < 0 { "-" } else { "" };
            prop_assert_eq!(
                Money::from_fen(fen).to_string(),
                format!("{sign}{}.{:02}", abs / 100, abs % 100)
            );
        }
    }
}
