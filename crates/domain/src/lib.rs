//! zhichan's domain: value types and business rules, with no I/O.
//!
//! Values are validated once, when parsed; everything downstream takes the parsed type and never
//! checks again.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod credit_code;
pub mod enterprises;
pub mod industries;
pub mod money;
pub mod patent_number;
pub mod regions;
pub mod time;
pub mod validation;

pub use credit_code::CreditCode;
pub use industries::{IndustryCode, IndustryLevel};
pub use money::Money;
pub use patent_number::{PatentNumber, PatentType};
pub use regions::{RegionCode, RegionLevel};
pub use time::Timestamp;
pub use validation::Violation;
