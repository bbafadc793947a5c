//! Chinese patent application numbers (专利申请号) and the three patent types they encode.
//!
//! Since 1 October 2003 a number is twelve digits — year (4), type (1), serial (7) — plus a mod-11
//! check character; before that it was eight digits — year (2), type (1), serial (5) — plus the
//! same kind of check. People write them with or without `ZL`, with spaces and with or without
//! the dot before the check character, so we accept all of those and keep one canonical form:
//! two registrations of the same patent must compare equal however they were typed.

use crate::validation::Violation;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Weights of the twelve body digits; the first eight are also the weights of the old form.
const WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

/// The kind of protection, read from the type digit of the application number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatentType {
    /// 发明 (type digit 1, or 8 for a PCT application entering China)
    Invention,
    /// 实用新型 (type digit 2, or 9 for PCT)
    UtilityModel,
    /// 外观设计 (type digit 3)
    Design,
}

impl PatentType {
    pub fn as_str(self) -> &'static str {
        match self {
            PatentType::Invention => "invention",
            PatentType::UtilityModel => "utility_model",
            PatentType::Design => "design",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PatentType::Invention => "发明",
            PatentType::UtilityModel => "实用新型",
            PatentType::Design => "外观设计",
        }
    }

    fn from_type_digit(d: u8) -> Option<Self> {
        match d {
            b'1' | b'8' => Some(PatentType::Invention),
            b'2' | b'9' => Some(PatentType::UtilityModel),
            b'3' => Some(PatentType::Design),
            _ => None,
        }
    }
}

impl FromStr for PatentType {
    type Err = Violation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "invention" => Ok(PatentType::Invention),
            "utility_model" => Ok(PatentType::UtilityModel),
            "design" => Ok(PatentType::Design),
            s => Err(Violation::new(
                "invalid_patent_type",
                format!(
                    "专利类型“{}”无效：应为 invention、utility_model 或 design",
                    crate::validation::echo(s)
                ),
                format!(
                    "\"{}\" is not a patent type (invention, utility_model or design)",
                    crate::validation::echo(s)
                ),
            )),
        }
    }
}

/// 专利申请号 — a well-formed application number whose check character is correct. Holds the
/// body digits followed by the check character (`2019107252754`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PatentNumber(String);

fn violation(input: &str, zh_reason: String, en_reason: String) -> Violation {
    // Quoted back capped: the input may be megabytes.
    let input = crate::validation::echo(input);
    Violation::new(
        "invalid_patent_number",
        format!("专利申请号“{input}”无效：{zh_reason}"),
        format!("\"{input}\" is not a valid patent application number: {en_reason}"),
    )
}

/// Weighted sum mod 11 of ASCII digits, `None` unless `body` is exactly `n` digits.
fn check_char_n(body: &str, n: usize) -> Option<char> {
    if body.len() != n || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match sum % 11 {
        10 => Some('X'),
        r => char::from_digit(r, 10),
    }
}

/// The check character of a twelve-digit (2003 onwards) application number body.
pub fn check_char12(first12: &str) -> Option<char> {
    check_char_n(first12, 12)
}

/// The check character of an eight-digit (before 2003) application number body.
pub fn check_char8(first8: &str) -> Option<char> {
    check_char_n(first8, 8)
}

impl PatentNumber {
    /// Drops whitespace, a leading `ZL` and the dot before the check character, then checks the
    /// characters, the length, the type digit (and for the old form the year), and the check
    /// character, in that order.
    pub fn parse(input: &str) -> Result<Self, Violation> {
        let mut s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.starts_with("ZL") {
            s.drain(..2);
        }
        if let Some(dot) = s.find(['.', '．']) {
            let dot_len = s[dot..].chars().next().map_or(1, char::len_utf8);
            let after = &s[dot + dot_len..];
            if after.chars().count() != 1 {
                return Err(violation(
                    input,
                    "小数点只能出现在最后一位校验位之前".to_owned(),
                    "a dot may only stand before the final check character".to_owned(),
                ));
            }
            s.replace_range(dot..dot + dot_len, "");
        }
        let last = s.chars().count().saturating_sub(1);
        if let Some((_, c)) = s
            .chars()
            .enumerate()
            .find(|&(i, c)| !(c.is_ascii_digit() || (c == 'X' && i == last)))
        {
            return Err(violation(
                input,
                format!("含有不允许的字符“{c}”（只能是数字，校验位可为 X）"),
                format!("it contains {c:?}; only digits are allowed, and X as the check character"),
            ));
        }
        // ASCII only from here on.
        let (body, actual) = s.split_at(s.len().saturating_sub(1));
        let actual = actual.chars().next().unwrap_or_default();
        let (type_pos, expected) = match body.len() {
            12 => (4, check_char12(body)),
            8 => (2, check_char8(body)),
            n => {
                return Err(violation(
                    input,
                    format!("去掉 ZL 和校验位后应为 12 位（2003 年起）或 8 位（2003 年前）数字，实为 {n} 位"),
                    format!(
                        "it has {n} digits before the check character, not 12 (from 2003) or 8 \
                         (before 2003)"
                    ),
                ))
            }
        };
        let type_digit = body.as_bytes()[type_pos];
        if PatentType::from_type_digit(type_digit).is_none() {
            let d = char::from(type_digit);
            return Err(violation(
                input,
                format!(
                    "第 {} 位专利类型数字“{d}”无效（应为 1、8 发明，2、9 实用新型，3 外观设计）",
                    type_pos + 1
                ),
                format!(
                    "type digit {d:?} (position {}) is not 1 or 8 (invention), 2 or 9 (utility \
                     model) or 3 (design)",
                    type_pos + 1
                ),
            ));
        }
        if body.len() == 8 && year_of_old_form(body).is_none() {
            return Err(violation(
                input,
                format!(
                    "8 位旧式申请号的年份“{}”无效（应为 85–99 或 00–03）",
                    &body[..2]
                ),
                format!(
                    "the year {:?} of an eight-digit number is not 85–99 or 00–03",
                    &body[..2]
                ),
            ));
        }
        let expected = expected.expect("body is all digits of a known length");
        if actual != expected {
            return Err(violation(
                input,
                format!("校验位错误，应为“{expected}”，实为“{actual}”"),
                format!("wrong check character: expected {expected:?}, found {actual:?}"),
            ));
        }
        Ok(PatentNumber(s))
    }

    /// Body digits and check character, without `ZL` or the dot: `2019107252754`.
    pub fn digits(&self) -> &str {
        &self.0
    }

    fn body(&self) -> &str {
        &self.0[..self.0.len() - 1]
    }

    fn check(&self) -> char {
        char::from(self.0.as_bytes()[self.0.len() - 1])
    }

    /// Whether this is an eight-digit number from before 2003.
    pub fn is_pre_2003(&self) -> bool {
        self.body().len() == 8
    }

    pub fn patent_type(&self) -> PatentType {
        let pos = if self.is_pre_2003() { 2 } else { 4 };
        PatentType::from_type_digit(self.0.as_bytes()[pos]).expect("checked in parse")
    }

    /// The year the application was filed, as written in the number.
    pub fn application_year(&self) -> u16 {
        if self.is_pre_2003() {
            year_of_old_form(self.body()).expect("checked in parse")
        } else {
            self.0[..4].parse().expect("checked in parse")
        }
    }
}

/// `85`–`99` are 1985–1999 (the patent law took effect in 1985) and `00`–`03` are 2000–2003.
fn year_of_old_form(body: &str) -> Option<u16> {
    let yy: u16 = body.get(..2)?.parse().ok()?;
    match yy {
        85..=99 => Some(1900 + yy),
        0..=3 => Some(2000 + yy),
        _ => None,
    }
}

impl fmt::Display for PatentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ZL{}.{}", self.body(), self.check())
    }
}

impl FromStr for PatentNumber {
    type Err = Violation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for PatentNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PatentNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PatentNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn number(s: &str) -> PatentNumber {
        PatentNumber::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_documented_example_is_valid() {
        assert_eq!(check_char12("201910725275"), Some('4'));
        let n = number("ZL201910725275.4");
        assert_eq!(n.to_string(), "ZL201910725275.4");
        assert_eq!(n.digits(), "2019107252754");
        assert_eq!(n.patent_type(), PatentType::Invention);
        assert_eq!(n.application_year(), 2019);
        assert!(!n.is_pre_2003());
    }

    #[test]
    fn written_variants_parse_to_the_same_number() {
        let canonical = number("ZL201910725275.4");
        for s in [
            "201910725275.4",
            "2019107252754",
            "ZL 2019 1 0725275.4",
            "zl201910725275.4",
            "Zl2019107252754",
            " ZL201910725275．4 ",
        ] {
            assert_eq!(number(s), canonical, "{s:?}");
        }
    }

    #[test]
    fn the_old_eight_digit_form_is_read() {
        let body = "98223456";
        let check = check_char8(body).unwrap();
        let n = number(&format!("{body}{check}"));
        assert_eq!(n.to_string(), format!("ZL{body}.{check}"));
        assert_eq!(n.application_year(), 1998);
        assert_eq!(n.patent_type(), PatentType::UtilityModel);
        assert!(n.is_pre_2003());

        let body = "02301234";
        let n = number(&format!("ZL{body}.{}", check_char8(body).unwrap()));
        assert_eq!(n.application_year(), 2002);
        assert_eq!(n.patent_type(), PatentType::Design);
    }

    #[test]
    fn x_is_the_check_character_for_ten_either_case() {
        // Search rather than hand-compute: a body whose weighted sum leaves remainder 10.
        let body = (0..100_000)
            .map(|serial| format!("981{serial:05}"))
            .find(|b| check_char8(b) == Some('X'))
            .unwrap();
        assert_eq!(number(&format!("{body}x")), number(&format!("ZL{body}.X")));
        let body = (0..10_000_000)
            .map(|serial| format!("20231{serial:07}"))
            .find(|b| check_char12(b) == Some('X'))
            .unwrap();
        assert_eq!(
            number(&format!("{body}x")).to_string(),
            format!("ZL{body}.X")
        );
    }

    #[test]
    fn messages_say_what_is_wrong() {
        let err = PatentNumber::parse("ZL201910725275.5").unwrap_err();
        assert_eq!(err.code, "invalid_patent_number");
        assert!(err.message_zh.contains("应为“4”，实为“5”"), "{err}");

        let err = PatentNumber::parse("ZL20191072527.4").unwrap_err();
        assert!(err.message_zh.contains("实为 11 位"), "{err}");

        let err = PatentNumber::parse("ZL201910725A75.4").unwrap_err();
        assert!(err.message_zh.contains("“A”"), "{err}");

        let body = "201940725275";
        let err =
            PatentNumber::parse(&format!("{body}{}", check_char12(body).unwrap())).unwrap_err();
        assert!(err.message_zh.contains("专利类型数字“4”"), "{err}");

        let body = "84123456";
        let err =
            PatentNumber::parse(&format!("{body}{}", check_char8(body).unwrap())).unwrap_err();
        assert!(err.message_zh.contains("年份“84”"), "{err}");
    }

    #[test]
    fn malformed_numbers_are_refused_with_the_contract_code() {
        for bad in [
            "",
            "ZL",
            "ZL.4",
            "ZL2019107252.75.4",
            "ZL20191072527.54",
            "ZL201910725275.",
            "ZL201910725275.44",
            "CN201910725275.4",
            "ZL2019X0725275.4",
            "ZL２01910725275.4",
            "ZLZL201910725275.4",
        ] {
            let err = PatentNumber::parse(bad).unwrap_err();
            assert_eq!(err.code, "invalid_patent_number", "{bad:?}");
        }
    }

    #[test]
    fn patent_types_have_stable_names() {
        for t in [
            PatentType::Invention,
            PatentType::UtilityModel,
            PatentType::Design,
        ] {
            assert_eq!(t.as_str().parse::<PatentType>().unwrap(), t);
        }
        assert_eq!(PatentType::UtilityModel.label_zh(), "实用新型");
        assert!("utility model".parse::<PatentType>().is_err());
    }

    #[test]
    fn deserializes_through_parse() {
        use serde::de::value::{Error, StrDeserializer};
        let ok = PatentNumber::deserialize(StrDeserializer::<Error>::new("2019107252754"));
        assert_eq!(ok.unwrap().to_string(), "ZL201910725275.4");
        let bad = PatentNumber::deserialize(StrDeserializer::<Error>::new("2019107252755"));
        assert!(bad.is_err());
        let t = PatentType::deserialize(StrDeserializer::<Error>::new("utility_model"));
        assert_eq!(t.unwrap(), PatentType::UtilityModel);
    }

    const TYPE_DIGITS: [char; 5] = ['1', '2', '3', '8', '9'];

    /// A valid number in canonical form, either form, any type.
    fn valid_number() -> impl Strategy<Value = String> {
        let new = (2003u32..=2099, 0..TYPE_DIGITS.len(), 0u32..10_000_000)
            .prop_map(|(y, t, serial)| format!("{y}{}{serial:07}", TYPE_DIGITS[t]));
        let old = (
            prop_oneof![85u32..=99, 0u32..=3],
            0..TYPE_DIGITS.len(),
            0u32..100_000,
        )
            .prop_map(|(yy, t, serial)| format!("{yy:02}{}{serial:05}", TYPE_DIGITS[t]));
        prop_oneof![3 => new, 1 => old].prop_map(|body| {
            let check = if body.len() == 12 {
                check_char12(&body)
            } else {
                check_char8(&body)
            };
            format!("ZL{body}.{}", check.unwrap())
        })
    }

    proptest! {
        #[test]
        fn valid_numbers_round_trip(s in valid_number()) {
            let n = PatentNumber::parse(&s).unwrap();
            prop_assert_eq!(n.to_string(), s.clone());
            prop_assert_eq!(PatentNumber::parse(n.digits()).unwrap(), n.clone());
            let year = n.application_year();
            prop_assert!((1985..=2099).contains(&year));
        }

        #[test]
        fn any_single_substitution_is_caught(
            s in valid_number(),
            pos in any::<prop::sample::Index>(),
            shift in 1usize..11,
        ) {
            const CHECK_CHARS: &[u8; 11] = b"0123456789X";
            let mut digits = PatentNumber::parse(&s).unwrap().digits().as_bytes().to_vec();
            let pos = pos.index(digits.len());
            let is_check = pos == digits.len() - 1;
            let alphabet: &[u8] = if is_check { CHECK_CHARS } else { &CHECK_CHARS[..10] };
            let old = alphabet.iter().position(|&b| b == digits[pos]).unwrap();
            digits[pos] = alphabet[(old + shift) % alphabet.len()];
            prop_assume!(digits[pos] != alphabet[old]);
            let changed = String::from_utf8(digits).unwrap();
            let err = PatentNumber::parse(&changed).unwrap_err();
            prop_assert_eq!(err.code, "invalid_patent_number");
        }

        #[test]
        fn a_wrong_type_digit_is_refused(
            s in valid_number(),
            bad in prop::sample::select(vec!['0', '4', '5', '6', '7']),
        ) {
            let n = PatentNumber::parse(&s).unwrap();
            let mut body = n.digits()[..n.digits().len() - 1].to_owned();
            let pos = if n.is_pre_2003() { 2 } else { 4 };
            body.replace_range(pos..=pos, &bad.to_string());
            // A correct check character, so only the type digit can be at fault.
            let check = if n.is_pre_2003() { check_char8(&body) } else { check_char12(&body) };
            let err = PatentNumber::parse(&format!("{body}{}", check.unwrap())).unwrap_err();
            prop_assert!(err.message_zh.contains("专利类型数字"), "{}", err);
        }
    }
}
