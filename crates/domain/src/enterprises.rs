//! The enterprise profile (企业信息): scale, ownership and the qualifications that drive key
//! directories and policy matching.

use crate::validation::Violation;
use time::Date;

code_enum!(
    /// 企业规模 (by the statistics bureau's size classification).
    Scale, "scale", {
        Large = "large" / "大型",
        Medium = "medium" / "中型",
        Small = "small" / "小型",
        Micro = "micro" / "微型",
    }
);

code_enum!(
    /// 企业所有制类型 (registration type).
    Ownership, "ownership", {
        State = "state" / "国有",
        Collective = "collective" / "集体",
        Private = "private" / "私营",
        Foreign = "foreign" / "外商投资",
        HongKongMacaoTaiwan = "hmt" / "港澳台投资",
        Other = "other" / "其他",
    }
);

code_enum!(
    /// What an enterprise has been recognised as.
    // Its schema is named for the award rules, whose fields are its only use in the document
    // (the enterprise profile's edge type has its own).
    QualificationKind as "AwardQualificationKind", "qualification", {
        IpDemonstration = "ip_demonstration" / "知识产权示范企业",
        IpAdvantage = "ip_advantage" / "知识产权优势企业",
        LittleGiant = "little_giant" / "专精特新“小巨人”企业",
        SpecialisedSme = "specialised_sme" / "专精特新中小企业",
        HighTech = "high_tech" / "高新技术企业",
        IpManagementStandard = "gbt29490" / "通过《企业知识产权管理规范》（GB/T 29490）认证",
    }
);

code_enum!(
    /// The level of the office that conferred a qualification.
    QualificationLevel as "AwardQualificationLevel", "qualification_level", {
        National = "national" / "国家级",
        Provincial = "provincial" / "省级",
        City = "city" / "市级",
        County = "county" / "县级",
    }
);

code_enum!(
    /// Whether a reviewer of the enterprise's region has confirmed a qualification: those a
    /// reviewer enters are confirmed; those the enterprise enters or changes wait (`pending`)
    /// until one confirms or returns them. Only confirmed ones count for awards.
    QualificationReview, "qualification_review", {
        Pending = "pending" / "待审核",
        Confirmed = "confirmed" / "已确认",
        Returned = "returned" / "已退回",
    }
);

/// One qualification with its level and validity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qualification {
    pub kind: QualificationKind,
    pub level: QualificationLevel,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub certificate: String,
    pub review: QualificationReview,
    /// Why a reviewer returned it.
    pub review_reason: Option<String>,
}

impl Qualification {
    /// Whether `other` states the same facts (kind, level, validity, certificate), whatever
    /// its review.
    pub fn same_facts(&self, other: &Qualification) -> bool {
        self.kind == other.kind
            && self.level == other.level
            && self.valid_from == other.valid_from
            && self.valid_to == other.valid_to
            && self.certificate == other.certificate
    }

    /// Whether it is in force on `day`.
    pub fn valid_on(&self, day: Date) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day <= t)
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    // The stored form is read by position (every product and patent read carries dates).
    if s.len() == 10 {
        return crate::time::stored_date(s.as_bytes());
    }
    Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Formats as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    let mut b = [0u8; 10];
    if crate::time::put_date(&mut b, d) {
        String::from_utf8_lossy(&b).into_owned()
    } else {
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_name_the_choices() {
        for s in Scale::ALL {
            assert_eq!(Scale::parse(s.as_str()).unwrap(), *s);
        }
        let e = Ownership::parse("mixed").unwrap_err();
        assert_eq!(e.code, "invalid_ownership");
        assert!(e.message_zh.contains("private"));
    }

    #[test]
    fn a_qualification_is_valid_between_its_dates() {
        let q = Qualification {
            kind: QualificationKind::HighTech,
            level: QualificationLevel::National,
            valid_from: parse_date("2024-01-01"),
            valid_to: parse_date("2026-12-31"),
            certificate: "GR202436000123".into(),
            review: QualificationReview::Confirmed,
            review_reason: None,
        };
        assert!(q.valid_on(parse_date("2026-06-30").unwrap()));
        assert!(!q.valid_on(parse_date("2027-01-01").unwrap()));
        assert_eq!(format_date(parse_date("2024-03-05").unwrap()), "2024-03-05");
        assert!(parse_date("2024-13-01").is_none());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-0a-01").is_none());
        assert_eq!(parse_date(" 2024-03-05 "), parse_date("2024-03-05"));
    }
}
