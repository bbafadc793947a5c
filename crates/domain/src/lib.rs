//! zhichan's domain: value types and business rules, with no I/O.
//!
//! Values are validated once, when parsed; everything downstream takes the parsed type and never
//! checks again.

/// A closed list of codes with their Chinese labels, parsed with a field-level violation naming
/// the allowed values (`invalid_<field>`).
macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal, { $($variant:ident = $code:literal / $zh:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            pub fn parse(s: &str) -> Result<Self, Violation> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    other => Err({
                        let other = $crate::validation::echo(other);
                        Violation::new(
                        concat!("invalid_", $field),
                        format!("“{other}”不是有效的取值，可选：{}",
                            [$($code),+].join("、")),
                        format!("\"{other}\" is not one of {}", [$($code),+].join(", ")),
                    )}),
                }
            }
        }
    };
}

pub mod access;
pub mod accounts;
pub mod audit;
pub mod awards;
pub mod calendar;
pub mod credit_code;
pub mod enterprises;
pub mod identification;
pub mod industries;
pub mod money;
pub mod names;
pub mod notices;
pub mod panels;
pub mod patent_number;
pub mod patents;
pub mod payouts;
pub mod policies;
pub mod policy_placement;
pub mod regions;
pub mod registration;
pub mod rule_versions;
pub mod rules;
pub mod time;
pub mod validation;

pub use credit_code::CreditCode;
pub use industries::{IndustryCode, IndustryLevel};
pub use money::Money;
pub use patent_number::{PatentNumber, PatentType};
pub use regions::{RegionCode, RegionLevel};
pub use time::Timestamp;
pub use validation::Violation;
