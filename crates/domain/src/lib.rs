//! zhichan's domain: value types and business rules, with no I/O.
//!
//! Values are validated once, when parsed; everything downstream takes the parsed type and never
//! checks again.

pub mod industries;
pub mod regions;
pub mod validation;

pub use industries::{IndustryCode, IndustryLevel};
pub use regions::{RegionCode, RegionLevel};
pub use validation::Violation;
