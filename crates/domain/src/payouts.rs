//! Payouts of entitlements (免申即享兑现): what an office pays of the ceiling a rule allows
//! (its budget for the year), and the checks on a payment it records. An amount in a clause
//! is a ceiling ("不超过"); the budget turns it into what is payable, never more than it.

use crate::money::Money;
use crate::validation::Violation;
use time::Date;

code_enum!(
    /// How a budget turns a ceiling into the amount paid.
    BudgetMode, "budget_mode", {
        Full = "full" / "按上限全额",
        Share = "share" / "按上限的比例",
    }
);

/// What an office pays of a rule's ceilings in a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub mode: BudgetMode,
    /// 1–100; 100 when `mode` is `full`.
    pub share_percent: u32,
}

impl Budget {
    /// A budget from a form or a request: `share` needs a percentage of 1–99 (100 is `full`).
    pub fn new(mode: BudgetMode, share_percent: Option<u32>) -> Result<Budget, Violation> {
        match mode {
            BudgetMode::Full => Ok(Budget {
                mode,
                share_percent: 100,
            }),
            BudgetMode::Share => match share_percent {
                Some(p @ 1..=99) => Ok(Budget {
                    mode,
                    share_percent: p,
                }),
                _ => Err(Violation::new(
                    "invalid_share_percent",
                    "按比例兑现时，比例应为 1～99 之间的整数（100% 请选择“按上限全额”）",
                    "a share is a whole percentage from 1 to 99 (choose full for 100%)",
                )),
            },
        }
    }

    /// The amount payable for a ceiling: the share of it, rounded down to the fen — never more
    /// than the ceiling.
    pub fn payable(self, ceiling: Money) -> Money {
        let fen = i128::from(ceiling.fen()) * i128::from(self.share_percent) / 100;
        Money::within_range(fen).unwrap_or(ceiling).min(ceiling)
    }

    /// How the budget reads on a page or in a notification.
    pub fn describe(self) -> String {
        match self.mode {
            BudgetMode::Full => "按上限全额兑现".into(),
            BudgetMode::Share => format!("按上限的 {}% 兑现", self.share_percent),
        }
    }
}

/// The checks on a payment an office records: a positive amount not above what is payable, a
/// date between the day the enterprise confirmed its application and today, a reference (the
/// voucher or transfer number). Every bad field at once.
pub fn check_payment(
    amount: Result<Money, Violation>,
    payable: Money,
    paid_on: Option<Date>,
    (confirmed_on, today): (Date, Date),
    reference: &str,
) -> Vec<(String, Violation)> {
    let mut errs = Vec::new();
    match amount {
        Err(v) => errs.push(("amount".into(), v)),
        Ok(a) if a <= Money::ZERO => errs.push((
            "amount".into(),
            Violation::new(
                "invalid_money",
                "兑付金额应大于零",
                "the amount paid must be above zero",
            ),
        )),
        Ok(a) if a > payable => errs.push((
            "amount".into(),
            Violation::new(
                "exceeds_payable",
                format!("兑付金额不能超过应兑付金额 {} 元", payable.grouped()),
                format!("the amount paid may not exceed the payable {payable}"),
            ),
        )),
        Ok(_) => {}
    }
    match paid_on {
        None => errs.push((
            "paid_on".into(),
            Violation::new(
                "invalid_date",
                "兑付日期应为 YYYY-MM-DD 格式的日期",
                "the payment date is a date YYYY-MM-DD",
            ),
        )),
        Some(d) if d > today => errs.push((
            "paid_on".into(),
            Violation::new(
                "date_in_future",
                "兑付日期不能晚于今天",
                "the payment date may not be in the future",
            ),
        )),
        Some(d) if d < confirmed_on => errs.push((
            "paid_on".into(),
            Violation::new(
                "date_before_confirmation",
                format!("兑付日期不能早于企业确认申请的日期（{confirmed_on}）"),
                format!(
                    "the payment date may not be before the day the application was confirmed ({confirmed_on})"
                ),
            ),
        )),
        Some(_) => {}
    }
    let reference = reference.trim();
    if reference.is_empty() || reference.chars().count() > 100 {
        errs.push((
            "reference".into(),
            Violation::new(
                "required",
                "请填写拨付凭证号或转账流水号（不超过 100 字）",
                "the payment reference (voucher or transfer number, at most 100 characters) is required",
            ),
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn a_share_rounds_down_to_the_fen_and_never_exceeds_the_ceiling() {
        let b = Budget::new(BudgetMode::Share, Some(33)).unwrap();
        assert_eq!(b.payable(m("1000.01")), m("330.00"));
        let full = Budget::new(BudgetMode::Full, Some(40)).unwrap();
        assert_eq!(full.share_percent, 100);
        assert_eq!(full.payable(m("30000.00")), m("30000.00"));
        assert!(Budget::new(BudgetMode::Share, Some(100)).is_err());
        assert!(Budget::new(BudgetMode::Share, None).is_err());
    }

    #[test]
    fn a_payment_above_what_is_payable_or_in_the_future_is_refused() {
        let today = time::macros::date!(2025 - 06 - 16);
        let confirmed = time::macros::date!(2025 - 06 - 02);
        let errs = check_payment(
            Ok(m("1000.01")),
            m("1000.00"),
            Some(time::macros::date!(2025 - 06 - 17)),
            (confirmed, today),
            " ",
        );
        let codes: Vec<&str> = errs.iter().map(|(_, v)| v.code).collect();
        assert_eq!(codes, ["exceeds_payable", "date_in_future", "required"]);
        assert!(check_payment(
            Ok(m("1000.00")),
            m("1000.00"),
            Some(today),
            (confirmed, today),
            "BZ-1"
        )
        .is_empty());
    }

    #[test]
    fn a_payment_dated_before_the_enterprise_confirmed_its_application_is_refused() {
        let (confirmed, today) = (
            time::macros::date!(2025 - 06 - 02),
            time::macros::date!(2025 - 06 - 16),
        );
        let at = |d| {
            check_payment(
                Ok(m("1.00")),
                m("1000.00"),
                Some(d),
                (confirmed, today),
                "x",
            )
        };
        let codes: Vec<&str> = at(time::macros::date!(1900 - 01 - 01))
            .iter()
            .map(|(_, v)| v.code)
            .collect();
        assert_eq!(codes, ["date_before_confirmation"]);
        assert!(at(time::macros::date!(2025 - 06 - 01)).len() == 1);
        assert!(at(confirmed).is_empty());
    }
}
