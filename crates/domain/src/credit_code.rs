//! GB 32100-2015 unified social credit codes, the identifier every applicant organisation registers
//! with.
//!
//! Eighteen characters: registration authority (1), organisation category (1), the registering
//! authority's region (6), organisation code (9) and a mod-31 check character. Only the charset
//! and the check character are enforced: authorities and categories have grown new values over
//! the years, and refusing a real code is worse than accepting an odd one.

use crate::regions::RegionCode;
use crate::validation::Violation;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The 31 characters a code may use; I, O, Z, S and V are left out so they cannot be misread as
/// 1, 0, 2, 5 and U. A character's value in the check computation is its index here.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1..=17 (3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

const LEN: usize = 18;

/// 统一社会信用代码 — an 18-character code whose check character is correct.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

fn violation(input: &str, zh_reason: String, en_reason: String) -> Violation {
    // Quoted back capped: the input may be megabytes.
    let input = crate::validation::echo(input);
    Violation::new(
        "invalid_credit_code",
        format!("统一社会信用代码“{input}”无效：{zh_reason}"),
        format!("\"{input}\" is not a valid unified social credit code: {en_reason}"),
    )
}

fn value_of(c: char) -> Option<u32> {
    CHARSET
        .iter()
        .position(|&b| char::from(b) == c)
        .map(|i| i as u32)
}

/// The check character for the first 17 characters of a code (case-insensitive), or `None` if
/// there are not exactly 17 characters from the charset. Test and demo data build valid codes
/// with this.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != WEIGHTS.len() {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c.to_ascii_uppercase())? * w;
    }
    let c18 = (31 - sum % 31) % 31;
    Some(char::from(CHARSET[c18 as usize]))
}

impl CreditCode {
    /// Trims and upper-cases, then checks length, charset and check character, in that order, so
    /// the message names the first thing that is wrong.
    pub fn parse(input: &str) -> Result<Self, Violation> {
        let s = input.trim().to_uppercase();
        let len = s.chars().count();
        if len != LEN {
            return Err(violation(
                input,
                format!("应为 18 位，实为 {len} 位"),
                format!("it has {len} characters, not 18"),
            ));
        }
        if let Some((i, c)) = s.chars().enumerate().find(|&(_, c)| value_of(c).is_none()) {
            let pos = i + 1;
            return Err(violation(
                input,
                format!(
                    "第 {pos} 位“{c}”不是允许的字符（只能是数字和除 I、O、Z、S、V 以外的大写字母）"
                ),
                format!(
                    "character {pos} ({c:?}) is not allowed (digits and capital letters other \
                     than I, O, Z, S, V only)"
                ),
            ));
        }
        // All 18 characters are ASCII now, so byte slicing is safe.
        let expected = check_char(&s[..17]).expect("17 charset characters");
        let actual = s[17..].chars().next().expect("18 characters");
        if actual != expected {
            return Err(violation(
                input,
                format!("校验码错误，第 18 位应为“{expected}”，实为“{actual}”"),
                format!("wrong check character: expected {expected:?}, found {actual:?}"),
            ));
        }
        Ok(CreditCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1, the registration authority (登记管理部门): `1` 机构编制, `5` 民政,
    /// `9` 工商/市场监管, `Y` 其他, and a few more.
    pub fn authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// Position 2, the organisation category within that authority (e.g. `1` 企业 under `9`).
    pub fn category(&self) -> char {
        char::from(self.0.as_bytes()[1])
    }

    /// Positions 3–8: the region of the authority that issued the code. Only a hint of where the
    /// organisation is today (it may have moved since), and `None` when the digits are not a
    /// region code at all.
    pub fn region_hint(&self) -> Option<RegionCode> {
        RegionCode::parse(&self.0[2..8]).ok()
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditCode {
    type Err = Violation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CreditCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Codes published by the organisations themselves; each passes the check as printed.
    const REAL: [&str; 3] = [
        "91350100M000100Y43", // the example GB 32100 explanations usually cite
        "914403001922038216", // 华为技术有限公司
        "91110000802100433B", // 北京百度网讯科技有限公司
    ];

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17).unwrap())
    }

    #[test]
    fn real_codes_are_accepted() {
        for s in REAL {
            let code = CreditCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(code.to_string(), s);
        }
    }

    #[test]
    fn parts_are_read_from_their_positions() {
        let code = CreditCode::parse(&with_check("91360100MA35F6XK1")).unwrap();
        assert_eq!(code.authority(), '9');
        assert_eq!(code.category(), '1');
        assert_eq!(code.region_hint().unwrap().to_string(), "360100");

        let huawei = CreditCode::parse("914403001922038216").unwrap();
        assert_eq!(huawei.region_hint().unwrap().to_string(), "440300");
    }

    #[test]
    fn region_hint_is_none_when_the_digits_are_no_region() {
        let code = CreditCode::parse(&with_check("9199999912345678X")).unwrap();
        assert_eq!(code.region_hint(), None);
        let code = CreditCode::parse(&with_check("91AB000012345678X")).unwrap();
        assert_eq!(code.region_hint(), None);
    }

    #[test]
    fn input_is_trimmed_and_upper_cased() {
        let code = CreditCode::parse("  91110000802100433b\t").unwrap();
        assert_eq!(code.as_str(), "91110000802100433B");
    }

    #[test]
    fn messages_say_what_is_wrong() {
        let err = CreditCode::parse("9135010").unwrap_err();
        assert_eq!(err.code, "invalid_credit_code");
        assert!(err.message_zh.contains("应为 18 位，实为 7 位"), "{err}");

        let err = CreditCode::parse("91350100M0001O0Y43").unwrap_err();
        assert!(err.message_zh.contains("第 14 位“O”"), "{err}");

        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert!(err.message_zh.contains("应为“3”，实为“4”"), "{err}");
    }

    #[test]
    fn malformed_codes_are_refused_with_the_contract_code() {
        for bad in [
            "",
            "91350100M000100Y4",
            "91350100M000100Y433",
            "91350100M000100Y4３",
            "91350100 000100Y43",
            "I1350100M000100Y43",
        ] {
            let err = CreditCode::parse(bad).unwrap_err();
            assert_eq!(err.code, "invalid_credit_code", "{bad:?}");
        }
    }

    #[test]
    fn check_char_wants_seventeen_charset_characters() {
        assert_eq!(check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(check_char("91350100m000100y4"), Some('3'));
        assert_eq!(check_char("91350100M000100Y"), None);
        assert_eq!(check_char("91350100M000100Y43"), None);
        assert_eq!(check_char("91350100M000100YI"), None);
    }

    #[test]
    fn deserializes_through_parse() {
        use serde::de::value::{Error, StrDeserializer};
        let ok = CreditCode::deserialize(StrDeserializer::<Error>::new("914403001922038216"));
        assert_eq!(ok.unwrap().as_str(), "914403001922038216");
        let bad = CreditCode::deserialize(StrDeserializer::<Error>::new("914403001922038217"));
        assert!(bad.is_err());
    }

    fn valid_code() -> impl Strategy<Value = String> {
        proptest::collection::vec(0..CHARSET.len(), 17).prop_map(|ix| {
            let first17: String = ix.into_iter().map(|i| char::from(CHARSET[i])).collect();
            with_check(&first17)
        })
    }

    proptest! {
        #[test]
        fn valid_codes_round_trip(s in valid_code()) {
            let code = CreditCode::parse(&s).unwrap();
            prop_assert_eq!(code.to_string(), s.clone());
            prop_assert_eq!(CreditCode::parse(&code.to_string()).unwrap(), code);
        }

        #[test]
        fn lower_case_is_accepted(s in valid_code()) {
            let code = CreditCode::parse(&s.to_lowercase()).unwrap();
            prop_assert_eq!(code.as_str(), s.as_str());
        }

        #[test]
        fn any_single_substitution_is_caught(
            s in valid_code(),
            pos in 0..LEN,
            shift in 1..CHARSET.len(),
        ) {
            let mut bytes = s.into_bytes();
            let old = CHARSET.iter().position(|&b| b == bytes[pos]).unwrap();
            bytes[pos] = CHARSET[(old + shift) % CHARSET.len()];
            let changed = String::from_utf8(bytes).unwrap();
            let err = CreditCode::parse(&changed).unwrap_err();
            prop_assert_eq!(err.code, "invalid_credit_code");
        }
    }
}
