//! GB/T 4754-2017 national economic industry classification (国民经济行业分类).
//!
//! Four levels: section 门类 (`A`–`T`), division 大类 (two digits), group 中类 (three digits),
//! class 小类 (four digits). Codes are often written with their section letter in front
//! (`C3911`); we accept that and store the digits only.

use crate::validation::Violation;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// 行业代码 — a GB/T 4754-2017 code at any level.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndustryCode(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndustryLevel {
    /// 门类
    Section,
    /// 大类
    Division,
    /// 中类
    Group,
    /// 小类
    Class,
}

impl IndustryLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            IndustryLevel::Section => "section",
            IndustryLevel::Division => "division",
            IndustryLevel::Group => "group",
            IndustryLevel::Class => "class",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            IndustryLevel::Section => "门类",
            IndustryLevel::Division => "大类",
            IndustryLevel::Group => "中类",
            IndustryLevel::Class => "小类",
        }
    }
}

impl FromStr for IndustryLevel {
    type Err = Violation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "section" => Ok(IndustryLevel::Section),
            "division" => Ok(IndustryLevel::Division),
            "group" => Ok(IndustryLevel::Group),
            "class" => Ok(IndustryLevel::Class),
            _ => Err(invalid(s)),
        }
    }
}

/// Which section each range of divisions belongs to; fixed by the structure of the 2017 edition.
const SECTIONS: [(char, u8, u8); 20] = [
    ('A', 1, 5),
    ('B', 6, 12),
    ('C', 13, 43),
    ('D', 44, 46),
    ('E', 47, 50),
    ('F', 51, 52),
    ('G', 53, 60),
    ('H', 61, 62),
    ('I', 63, 65),
    ('J', 66, 69),
    ('K', 70, 70),
    ('L', 71, 72),
    ('M', 73, 75),
    ('N', 76, 79),
    ('O', 80, 82),
    ('P', 83, 83),
    ('Q', 84, 85),
    ('R', 86, 90),
    ('S', 91, 96),
    ('T', 97, 97),
];

fn invalid(input: &str) -> Violation {
    // Quoted back capped: the input may be megabytes.
    let input = crate::validation::echo(input);
    Violation::new(
        "invalid_industry",
        format!("行业代码“{input}”无效：应为 GB/T 4754-2017 的门类字母或二至四位数字代码"),
        format!("\"{input}\" is not a GB/T 4754-2017 industry code"),
    )
}

fn section_of_division(division: u8) -> Option<char> {
    SECTIONS
        .iter()
        .find(|(_, lo, hi)| (*lo..=*hi).contains(&division))
        .map(|(s, _, _)| *s)
}

impl IndustryCode {
    /// Parses `C`, `39`, `391`, `3911`, or the same digits behind their section letter
    /// (`C39`, `C3911`). A letter that does not match the digits' section is refused. Whether a
    /// well-formed code is actually listed in the standard is a question for the store.
    pub fn parse(input: &str) -> Result<Self, Violation> {
        let s = input.trim().to_ascii_uppercase();
        let mut chars = s.chars();
        let first = chars.next().ok_or_else(|| invalid(input))?;
        if first.is_ascii_alphabetic() {
            let digits: String = chars.collect();
            if digits.is_empty() {
                return if SECTIONS.iter().any(|(l, _, _)| *l == first) {
                    Ok(IndustryCode(first.to_string()))
                } else {
                    Err(invalid(input))
                };
            }
            let code = Self::parse_digits(&digits).ok_or_else(|| invalid(input))?;
            if code.section() != first {
                return Err(invalid(input));
            }
            return Ok(code);
        }
        Self::parse_digits(&s).ok_or_else(|| invalid(input))
    }

    fn parse_digits(s: &str) -> Option<Self> {
        if !(2..=4).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let division: u8 = s[..2].parse().ok()?;
        section_of_division(division)?;
        Some(IndustryCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> IndustryLevel {
        match self.0.len() {
            1 => IndustryLevel::Section,
            2 => IndustryLevel::Division,
            3 => IndustryLevel::Group,
            _ => IndustryLevel::Class,
        }
    }

    /// The section letter this code falls under.
    pub fn section(&self) -> char {
        let first = self.0.chars().next().unwrap_or('?');
        if first.is_ascii_alphabetic() {
            return first;
        }
        let division: u8 = self.0[..2].parse().unwrap_or(0);
        section_of_division(division).unwrap_or('?')
    }

    pub fn parent(&self) -> Option<IndustryCode> {
        match self.level() {
            IndustryLevel::Section => None,
            IndustryLevel::Division => Some(IndustryCode(self.section().to_string())),
            IndustryLevel::Group | IndustryLevel::Class => {
                Some(IndustryCode(self.0[..self.0.len() - 1].to_string()))
            }
        }
    }

    /// The division (大类) this code falls under, or the code itself for a section: the level
    /// at which statistics group products, so that 3914 and 391 count under 39.
    pub fn division(&self) -> IndustryCode {
        match self.level() {
            IndustryLevel::Section | IndustryLevel::Division => self.clone(),
            IndustryLevel::Group | IndustryLevel::Class => IndustryCode(self.0[..2].to_string()),
        }
    }

    /// Whether `other` is this code or below it.
    pub fn contains(&self, other: &IndustryCode) -> bool {
        match self.level() {
            IndustryLevel::Section => other.section().to_string() == self.0,
            _ => other.0.starts_with(&self.0),
        }
    }
}

impl fmt::Display for IndustryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IndustryCode {
    type Err = Violation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for IndustryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for IndustryCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        IndustryCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> IndustryCode {
        IndustryCode::parse(s).unwrap()
    }

    #[test]
    fn every_level_parses_and_knows_its_section() {
        assert_eq!(code("C").level(), IndustryLevel::Section);
        assert_eq!(code("39").level(), IndustryLevel::Division);
        assert_eq!(code("391").level(), IndustryLevel::Group);
        assert_eq!(code("3911").level(), IndustryLevel::Class);
        assert_eq!(code("3911").section(), 'C');
        assert_eq!(code("01").section(), 'A');
        assert_eq!(code("97").section(), 'T');
    }

    #[test]
    fn a_section_letter_in_front_is_accepted_when_it_matches() {
        assert_eq!(code("C3911"), code("3911"));
        assert_eq!(code("c39"), code("39"));
        assert_eq!(
            IndustryCode::parse("A3911").unwrap_err().code,
            "invalid_industry"
        );
    }

    #[test]
    fn parents_climb_to_the_section() {
        assert_eq!(code("3911").parent(), Some(code("391")));
        assert_eq!(code("391").parent(), Some(code("39")));
        assert_eq!(code("39").parent(), Some(code("C")));
        assert_eq!(code("C").parent(), None);
        assert!(code("C").contains(&code("3911")));
        assert!(code("39").contains(&code("3911")));
        assert!(!code("38").contains(&code("3911")));
    }

    #[test]
    fn every_code_rolls_up_to_its_division() {
        assert_eq!(code("3914").division(), code("39"));
        assert_eq!(code("391").division(), code("39"));
        assert_eq!(code("39").division(), code("39"));
        assert_eq!(code("C").division(), code("C"));
    }

    #[test]
    fn malformed_codes_are_refused_with_the_contract_code() {
        for bad in ["", "U", "98", "00", "3", "39111", "3a", "C-39"] {
            assert_eq!(
                IndustryCode::parse(bad).unwrap_err().code,
                "invalid_industry",
                "{bad:?}"
            );
        }
    }
}
