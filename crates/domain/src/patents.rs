//! What an enterprise holds of a patent (专利) and whether the patent is in force.

use crate::validation::Violation;

code_enum!(
    /// The enterprise's right to a patent it registers products under.
    PatentRight, "right", {
        Own = "own" / "专利权人（自有）",
        Exclusive = "exclusive" / "独占许可",
        Sole = "sole" / "排他许可",
        Ordinary = "ordinary" / "普通许可",
    }
);

impl PatentRight {
    /// Whether the right is a licence, which must carry its record number (许可备案号).
    pub fn is_licence(self) -> bool {
        !matches!(self, PatentRight::Own)
    }
}

code_enum!(
    /// 法律状态 as the enterprise last reported or the office last confirmed.
    LegalStatus, "legal_status", {
        Valid = "valid" / "有效",
        Lapsed = "lapsed" / "失效",
        Transferred = "transferred" / "已转让",
    }
);

impl LegalStatus {
    /// Only a patent in force supports a registration.
    pub fn in_force(self) -> bool {
        self == LegalStatus::Valid
    }
}

/// Why a patent may not support a product: the contract's `patent_not_in_force`.
pub fn not_in_force(number: &str, status: LegalStatus) -> Violation {
    Violation::new(
        "patent_not_in_force",
        format!(
            "专利 {number} 当前为“{}”状态，不能作为备案依据",
            status.label_zh()
        ),
        format!(
            "patent {number} is {} and cannot support a registration",
            status.as_str()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licences_need_a_record_and_only_valid_patents_are_in_force() {
        assert!(!PatentRight::Own.is_licence());
        assert!(PatentRight::Ordinary.is_licence());
        assert!(LegalStatus::Valid.in_force());
        assert!(!LegalStatus::Lapsed.in_force());
        assert_eq!(
            PatentRight::parse("rent").unwrap_err().code,
            "invalid_right"
        );
        assert_eq!(
            not_in_force("ZL201910725275.4", LegalStatus::Lapsed).code,
            "patent_not_in_force"
        );
    }
}
