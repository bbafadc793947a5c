//! The registration flow of a product (专利产品备案): what may happen to a registration in each
//! state, and the registration number issued on approval.
//!
//! ```text
//!  draft ──submit──▶ submitted ──approve──▶ approved ──withdraw──▶ withdrawn (by the enterprise)
//!    ▲                  │                      │  └─────revoke───▶ revoked (by a reviewer)
//!    └──── edit ◀── returned ◀──return────┘     └─ edit: an amendment (变更), see below
//! ```
//!
//! An approved registration stays in force while it is amended: the change is kept apart as its
//! one amendment, which runs its own draft → submitted → returned / approved flow; approved, its
//! content becomes the registered version (the number is kept).

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
        Revoked = "revoked" / "已被撤销备案",
    }
);

code_enum!(
    /// Where an amendment (变更) of an approved registration stands.
    AmendmentStatus, "amendment_status", {
        Draft = "draft" / "变更草稿",
        Submitted = "submitted" / "变更待审核",
        Returned = "returned" / "变更已退回",
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

code_enum!(
    /// What happened to a product at one of its versions (its history), kept as a code so that
    /// a page names it in the reader's language; named as what has happened, not as the action.
    VersionEvent, "version_event", {
        Created = "created" / "产品已创建",
        Imported = "imported" / "已批量导入",
        Edited = "edited" / "已修改",
        Submitted = "submitted" / "已提交审核",
        Approved = "approved" / "备案通过",
        Returned = "returned" / "备案退回",
        Withdrawn = "withdrawn" / "已撤销",
        Revoked = "revoked" / "已撤销备案",
        AmendmentDrafted = "amendment_drafted" / "变更草稿",
        AmendmentSubmitted = "amendment_submitted" / "提交变更",
        AmendmentReturned = "amendment_returned" / "变更退回",
        AmendmentApproved = "amendment_approved" / "变更通过",
        AmendmentDiscarded = "amendment_discarded" / "变更已放弃",
        AnnualUpdateApproved = "annual_update_approved" / "年度信息更新通过",
    }
);

impl VersionEvent {
    /// The note as the history has always stored it (and the API answers it), in Chinese:
    /// the event in a word or two, with the reason given (`退回：…`) or the year updated
    /// (`2025 年度信息更新通过`).
    pub fn note_zh(self, detail: Option<&str>) -> String {
        use VersionEvent::*;
        let word = match self {
            Created => "创建",
            Imported => "批量导入",
            Edited => "修改",
            Submitted => "提交审核",
            Approved => "备案通过",
            Returned => "退回",
            Withdrawn => "撤销",
            Revoked => "撤销备案",
            AmendmentDrafted => "变更草稿",
            AmendmentSubmitted => "提交变更",
            AmendmentReturned => "变更退回",
            AmendmentApproved => "变更通过",
            AmendmentDiscarded => "放弃变更",
            AnnualUpdateApproved => "年度信息更新通过",
        };
        match (self, detail) {
            (AnnualUpdateApproved, Some(year)) => format!("{year} {word}"),
            (_, Some(d)) => format!("{word}：{d}"),
            (_, None) => word.to_string(),
        }
    }
}

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
    /// A reviewer of its region revokes it (e.g. false information found).
    Revoke,
    /// The enterprise discards its amendment.
    Discard,
}

/// Every step, for tables and tests.
pub const STEPS: [Step; 7] = [
    Step::Edit,
    Step::Submit,
    Step::Approve,
    Step::Return,
    Step::Withdraw,
    Step::Revoke,
    Step::Discard,
];

impl Step {
    pub fn label_zh(self) -> &'static str {
        match self {
            Step::Edit => "修改",
            Step::Submit => "提交",
            Step::Approve => "通过",
            Step::Return => "退回",
            Step::Withdraw => "撤销",
            Step::Revoke => "撤销备案",
            Step::Discard => "放弃变更",
        }
    }
}

impl ProductStatus {
    /// The state after `step`, or why the step is not possible now.
    pub fn after(self, step: Step) -> Result<ProductStatus, Violation> {
        use ProductStatus::*;
        let next = match (self, step) {
            (Draft | Returned, Step::Edit) => Some(self),
            // Changing an approved registration opens an amendment; the approved version stays
            // in force (and the status approved) until the amendment is approved.
            (Approved, Step::Edit) => Some(Approved),
            (Draft | Returned, Step::Submit) => Some(Submitted),
            (Submitted, Step::Approve) => Some(Approved),
            (Submitted, Step::Return) => Some(Returned),
            (Approved, Step::Withdraw) => Some(Withdrawn),
            (Approved, Step::Revoke) => Some(Revoked),
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

impl AmendmentStatus {
    /// The amendment's state after `step` (`None`: there is none any more — approved into the
    /// registered version, or discarded), or why the step is not possible now. `current` is
    /// `None` when the registration has no amendment.
    pub fn after(current: Option<Self>, step: Step) -> Result<Option<Self>, Violation> {
        use AmendmentStatus::*;
        let next = match (current, step) {
            (None | Some(Draft | Returned), Step::Edit) => Some(Some(Draft)),
            (Some(Draft | Returned), Step::Submit) => Some(Some(Submitted)),
            (Some(Submitted), Step::Approve) => Some(None),
            (Some(Submitted), Step::Return) => Some(Some(Returned)),
            (Some(_), Step::Discard) => Some(None),
            _ => None,
        };
        next.ok_or_else(|| {
            let state = current.map_or("无变更", Self::label_zh);
            Violation::new(
                "invalid_transition",
                format!("“{state}”时不能{}", step.label_zh()),
                format!("an amendment in {current:?} cannot be {step:?}"),
            )
        })
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
        // The whole table, written out: a change to any transition is a change to this test.
        use Step::*;
        let expected: &[(ProductStatus, Step, Option<ProductStatus>)] = &[
            (Draft, Edit, Some(Draft)),
            (Draft, Submit, Some(Submitted)),
            (Submitted, Approve, Some(Approved)),
            (Submitted, Return, Some(Returned)),
            (Returned, Edit, Some(Returned)),
            (Returned, Submit, Some(Submitted)),
            (Approved, Edit, Some(Approved)),
            (Approved, Withdraw, Some(Withdrawn)),
            (Approved, Revoke, Some(Revoked)),
        ];
        for &s in ProductStatus::ALL {
            for step in STEPS {
                let want = expected
                    .iter()
                    .find(|(f, st, _)| *f == s && *st == step)
                    .and_then(|(_, _, to)| *to);
                assert_eq!(s.after(step).ok(), want, "{s:?} {step:?}");
            }
        }
        for &s in ProductStatus::ALL {
            assert_eq!(s.counts(), s == Approved, "{s:?}");
        }
    }

    #[test]
    fn an_amendment_runs_its_own_flow() {
        use AmendmentStatus as A;
        use Step::*;
        let expected: &[(Option<A>, Step, Option<A>)] = &[
            (None, Edit, Some(A::Draft)),
            (Some(A::Draft), Edit, Some(A::Draft)),
            (Some(A::Returned), Edit, Some(A::Draft)),
            (Some(A::Draft), Submit, Some(A::Submitted)),
            (Some(A::Returned), Submit, Some(A::Submitted)),
            (Some(A::Submitted), Approve, None),
            (Some(A::Submitted), Return, Some(A::Returned)),
            (Some(A::Draft), Discard, None),
            (Some(A::Submitted), Discard, None),
            (Some(A::Returned), Discard, None),
        ];
        let states = [None, Some(A::Draft), Some(A::Submitted), Some(A::Returned)];
        for s in states {
            for step in STEPS {
                let found = expected.iter().find(|(f, st, _)| *f == s && *st == step);
                match (A::after(s, step), found) {
                    (Ok(next), Some((_, _, want))) => assert_eq!(next, *want, "{s:?} {step:?}"),
                    (Err(v), None) => assert_eq!(v.code, "invalid_transition"),
                    (got, want) => panic!("{s:?} {step:?}: {got:?}, expected {want:?}"),
                }
            }
        }
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
