//! zhichan's domain: value types and business rules, with no I/O.
//!
//! Values are validated once, when parsed; everything downstream takes the parsed type and never
//! checks again.

/// A closed list of codes with their Chinese labels, parsed with a field-level violation naming
/// the allowed values (`invalid_<field>`). A request body that carries one is refused with that
/// violation on the field's path; the OpenAPI document lists the codes (under the schema name
/// given after `as`, by default the type's own name).
///
/// It is written as the snake case of its variant (as stored documents hold it) and read from
/// that or from its code; `written as codes` after the field name writes the code instead (for
/// a list whose code is not the snake case of its variant, so that the API shows the code while
/// documents stored under the snake case still read).
macro_rules! code_enum {
    ($(#[doc = $doc:literal])* $name:ident, $field:literal, written as codes, { $($variant:ident = $code:literal / $zh:literal),+ $(,)? }) => {
        code_enum!(@make codes, $(#[doc = $doc])* $name as stringify!($name), $field, { $($variant = $code / $zh),+ });
    };
    ($(#[doc = $doc:literal])* $name:ident, $field:literal, { $($variant:ident = $code:literal / $zh:literal),+ $(,)? }) => {
        code_enum!(@make snake, $(#[doc = $doc])* $name as stringify!($name), $field, { $($variant = $code / $zh),+ });
    };
    ($(#[doc = $doc:literal])* $name:ident as $schema:expr, $field:literal, { $($variant:ident = $code:literal / $zh:literal),+ $(,)? }) => {
        code_enum!(@make snake, $(#[doc = $doc])* $name as $schema, $field, { $($variant = $code / $zh),+ });
    };
    (@write codes, $name:ident, $v:expr, $s:expr, $written:ty) => {
        $s.serialize_str($v.as_str())
    };
    (@write snake, $name:ident, $v:expr, $s:expr, $written:ty) => {
        <$written as serde::Serialize>::serialize(&<$written>::from(*$v), $s)
    };
    (@make $how:ident, $(#[doc = $doc:literal])* $name:ident as $schema:expr, $field:literal, { $($variant:ident = $code:literal / $zh:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

        const _: () = {
            /// The snake case names of the variants, which stored documents hold.
            #[derive(serde::Deserialize, serde::Serialize)]
            #[serde(rename_all = "snake_case")]
            enum Written { $($variant),+ }

            impl From<$name> for Written {
                fn from(v: $name) -> Self {
                    match v { $($name::$variant => Written::$variant),+ }
                }
            }

            impl serde::Serialize for $name {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    code_enum!(@write $how, $name, self, s, Written)
                }
            }

            impl<'de> serde::Deserialize<'de> for $name {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    use serde::de::IntoDeserializer;
                    let text = String::deserialize(d)?;
                    if let Ok(v) = $name::parse(&text) {
                        return Ok(v);
                    }
                    let written: Result<Written, serde::de::value::Error> =
                        Written::deserialize(text.as_str().into_deserializer());
                    match written {
                        $(Ok(Written::$variant) => Ok($name::$variant),)+
                        Err(_) => Err($name::parse(&text).unwrap_err().into_de_error()),
                    }
                }
            }
        };

        // Written out rather than derived: the derive does not see renames made by a macro.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .description(Some(concat!($($doc),*).trim()))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($schema)
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
pub mod decimals;
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
