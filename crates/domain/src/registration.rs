//! The registration flow of a product (专利产品备案): what may happen to a registration in each
//! state, and the registration number issued on approval.
//!
//! ```text
//!  draft ──submit──▶ submitted ──approve──▶ approved ──withdraw──▶ withdrawn
//!    ▲                  │                      │
//!    └──── edit ◀── returned ◀──return────┘     └─ edit: a new version, submitted again
//! ```

use crate::regions::RegionCode;
use crate::validation::Violation;
use serde::{Deserialize, Serialize};
use std::fmt;

code_enum!(
    /// Where a product's registration stands.
    ProductStatus, "status", {
        Draft = "draft" / "草稿",
        Submitted = "submitted" / "待审核",
        Returned = "returned" / "已退回",
        Approved = "approved" / "备案成功",
        Withdrawn = "withdrawn" / "已撤销",
    }
);

code_enum!(
    /// Where an annual update (信息更新) stands.
    UpdateStatus, "update_status", {
        Submitted = "submitted" / "待审核",
        Returned = "returned" / "已退回",
        Approved = "approved" / "已通过",
    }
);

/// Something that happens to a registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The enterprise saves changes.
    Edit,
    /// The enterprise submits it for formal review (形式审查).
    Submit,
    /// The reviewer approves it.
    Approve,
    /// The reviewer returns it with reasons.
    Return,
    /// The enterprise withdraws it (the product left the market, or its patents lapsed).
    Withdraw,
}

impl Step {
    pub fn label_zh(self) -> &'static str {
        match self {
            Step::Edit => "修改",
            Step::Submit => "提交",
            Step::Approve => "通过",
            Step::Return => "退回",
            Step::Withdraw => "撤销",
        }
    }
}

impl ProductStatus {
    /// The state after `step`, or why the step is not possible now.
    pub fn after(self, step: Step) -> Result<ProductStatus, Violation> {
        use ProductStatus::*;
        let next = match (self, step) {
            (Draft | Returned, Step::Edit) => Some(self),
            // Changing an approved registration opens a new version that is reviewed again;
            // the approved one stays in force until then.
            (Approved, Step::Edit) => Some(Draft),
            (Draft | Returned, Step::Submit) => Some(Submitted),
            (Submitted, Step::Approve) => Some(Approved),
            (Submitted, Step::Return) => Some(Returned),
            (Approved, Step::Withdraw) => Some(Withdrawn),
            _ => None,
        };
        next.ok_or_else(|| {
            Violation::new(
                "invalid_transition",
                format!("“{}”状态的备案不能{}", self.label_zh(), step.label_zh()),
                format!("a {} registration cannot be {:?}", self.as_str(), step),
            )
        })
    }

    /// Whether a product in this state counts in statistics and identification.
    pub fn counts(self) -> bool {
        self == ProductStatus::Approved
    }
}

/// 备案编号: `BA`, the year of approval, the enterprise's region and a serial within that year
/// and region, e.g. `BA2026361002000017`. Unique by construction when the serial is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RegistrationNumber(String);

impl RegistrationNumber {
    pub fn new(year: i32, region: RegionCode, serial: u32) -> Option<Self> {
        ((2000..=9999).contains(&year) && (1..=999_999).contains(&serial))
            .then(|| RegistrationNumber(format!("BA{year}{region}{serial:06}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegistrationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::ProductStatus::*;
    use super::*;

    #[test]
    fn the_flow_runs_draft_submitted_returned_submitted_approved() {
        let s = Draft.after(Step::Submit).unwrap();
        assert_eq!(s, Submitted);
        let s = s.after(Step::Return).unwrap();
        assert_eq!(s, Returned);
        let s = s.after(Step::Edit).unwrap().after(Step::Submit).unwrap();
        assert_eq!(s.after(Step::Approve).unwrap(), Approved);
    }

    #[test]
    fn impossible_steps_say_why() {
        for (from, step) in [
            (Draft, Step::Approve),
            (Submitted, Step::Edit),
            (Submitted, Step::Submit),
            (Approved, Step::Return),
            (Withdrawn, Step::Edit),
            (Withdrawn, Step::Submit),
            (Draft, Step::Withdraw),
        ] {
            let e = from.after(step).unwrap_err();
            assert_eq!(e.code, "invalid_transition", "{from:?} {step:?}");
        }
        assert!(Submitted
            .after(Step::Edit)
            .unwrap_err()
            .message_zh
            .contains("待审核"));
    }

    #[test]
    fn every_state_and_step_is_decided() {
        // The table is total: each pair either moves or refuses, never panics.
        for s in ProductStatus::ALL {
            for step in [
                Step::Edit,
                Step::Submit,
                Step::Approve,
                Step::Return,
                Step::Withdraw,
            ] {
                let _ = s.after(step);
            }
        }
        assert!(Approved.counts() && !Submitted.counts() && !Withdrawn.counts());
    }

    #[test]
    fn registration_numbers_carry_year_region_and_serial() {
        let r = RegionCode::parse("361002").unwrap();
        assert_eq!(
            RegistrationNumber::new(2026, r, 17).unwrap().as_str(),
            "BA2026361002000017"
        );
        assert!(RegistrationNumber::new(2026, r, 0).is_none());
        assert!(RegistrationNumber::new(2026, r, 1_000_000).is_none());
    }
}
