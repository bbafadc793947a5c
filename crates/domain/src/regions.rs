//! GB/T 2260 administrative divisions (行政区划代码) and the region subtree that scopes every query.
//!
//! A code is six digits: province `XX0000`, city `XXXX00`, county `XXXXXX`. zhichan adds `100000`
//! for the nation. Because the hierarchy is written into the digits, "is inside the subtree of"
//! is a range test on the integer code, which every scoped query can answer from an index.

use crate::validation::Violation;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// 行政区划代码 — a GB/T 2260 region, or the nation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(u32);

/// The four levels an IP office can sit at (national, provincial, city, county 管理端口).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Nation,
    Province,
    City,
    County,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Nation => "nation",
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
            RegionLevel::County => "county",
        }
    }

    /// 全国 / 省级 / 市级 / 县级
    pub fn label_zh(self) -> &'static str {
        match self {
            RegionLevel::Nation => "全国",
            RegionLevel::Province => "省级",
            RegionLevel::City => "市级",
            RegionLevel::County => "县级",
        }
    }
}

impl FromStr for RegionLevel {
    type Err = Violation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "nation" => Ok(RegionLevel::Nation),
            "province" => Ok(RegionLevel::Province),
            "city" => Ok(RegionLevel::City),
            "county" => Ok(RegionLevel::County),
            _ => Err(invalid(s)),
        }
    }
}

/// The first two digits of every province-level division in GB/T 2260 (including Taiwan,
/// Hong Kong and Macao).
const PROVINCE_PREFIXES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

fn invalid(input: &str) -> Violation {
    // Quoted back capped: the input may be megabytes.
    let input = crate::validation::echo(input);
    Violation::new(
        "invalid_region",
        format!("行政区划代码“{input}”无效：应为 GB/T 2260 规定的六位数字代码"),
        format!("\"{input}\" is not a GB/T 2260 six-digit region code"),
    )
}

impl RegionCode {
    /// zhichan's code for the whole country (not itself in GB/T 2260).
    pub const NATION: RegionCode = RegionCode(100_000);

    /// Parses six ASCII digits whose province prefix exists. Whether the code is in the current
    /// edition of the reference data is a question for the store.
    pub fn parse(input: &str) -> Result<Self, Violation> {
        let s = input.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(input));
        }
        let n: u32 = s.parse().map_err(|_| invalid(input))?;
        Self::from_u32(n).ok_or_else(|| invalid(input))
    }

    pub fn from_u32(n: u32) -> Option<Self> {
        if n == Self::NATION.0 {
            return Some(Self::NATION);
        }
        if !(100_000..=999_999).contains(&n) || !PROVINCE_PREFIXES.contains(&(n / 10_000)) {
            return None;
        }
        Some(RegionCode(n))
    }

    pub fn as_u32(self) -> u32 {
        self.0
    }

    pub fn level(self) -> RegionLevel {
        if self == Self::NATION {
            RegionLevel::Nation
        } else if self.0.is_multiple_of(10_000) {
            RegionLevel::Province
        } else if self.0.is_multiple_of(100) {
            RegionLevel::City
        } else {
            RegionLevel::County
        }
    }

    /// The parent as the digits say it. A few counties sit directly under their province with no
    /// city between; the reference data's `parent` column is authoritative for display, while
    /// this is all that scoping needs.
    pub fn parent(self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Nation => None,
            RegionLevel::Province => Some(Self::NATION),
            RegionLevel::City => Some(RegionCode(self.0 / 10_000 * 10_000)),
            RegionLevel::County => Some(RegionCode(self.0 / 100 * 100)),
        }
    }

    /// This code and every ancestor up to the nation, nearest first.
    pub fn self_and_ancestors(self) -> impl Iterator<Item = RegionCode> {
        std::iter::successors(Some(self), |c| c.parent())
    }

    /// The inclusive range of codes in this region's subtree (itself included).
    pub fn subtree(self) -> (u32, u32) {
        match self.level() {
            RegionLevel::Nation => (0, 999_999),
            RegionLevel::Province => (self.0, self.0 + 9_999),
            RegionLevel::City => (self.0, self.0 + 99),
            RegionLevel::County => (self.0, self.0),
        }
    }

    /// Whether `other` lies in this region's subtree (a region contains itself).
    pub fn contains(self, other: RegionCode) -> bool {
        let (lo, hi) = self.subtree();
        (lo..=hi).contains(&other.0)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl FromStr for RegionCode {
    type Err = Violation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RegionCode::parse(&s).map_err(crate::Violation::into_de_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn levels_follow_the_digits() {
        assert_eq!(RegionCode::NATION.level(), RegionLevel::Nation);
        assert_eq!(code("360000").level(), RegionLevel::Province);
        assert_eq!(code("361000").level(), RegionLevel::City);
        assert_eq!(code("361002").level(), RegionLevel::County);
    }

    #[test]
    fn a_city_contains_its_counties_but_not_its_neighbours() {
        let fuzhou = code("361000");
        assert!(fuzhou.contains(code("361002")));
        assert!(fuzhou.contains(fuzhou));
        assert!(!fuzhou.contains(code("360102")));
        assert!(!fuzhou.contains(code("360000")));
        assert!(code("360000").contains(fuzhou));
        assert!(RegionCode::NATION.contains(code("820000")));
        assert!(!code("361002").contains(code("361003")));
    }

    #[test]
    fn ancestors_run_up_to_the_nation() {
        let chain: Vec<String> = code("361002")
            .self_and_ancestors()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(chain, ["361002", "361000", "360000", "100000"]);
    }

    #[test]
    fn malformed_codes_are_refused_with_the_contract_code() {
        for bad in [
            "", "36100", "3610000", "36100a", "991000", "000000", " 3 6100",
        ] {
            let err = RegionCode::parse(bad).unwrap_err();
            assert_eq!(err.code, "invalid_region", "{bad:?}");
        }
    }

    #[test]
    fn every_valid_code_round_trips_through_its_text() {
        for n in [100_000, 110_000, 110_101, 429_004, 820_000] {
            let c = RegionCode::from_u32(n).unwrap();
            assert_eq!(RegionCode::parse(&c.to_string()).unwrap(), c);
        }
    }
}
