//! What every request and answer type shares at the edge: closed lists of codes as enums (so
//! the OpenAPI document lists their values and a bad one is refused before any service runs),
//! `null` taken as "left out", and the formats and patterns the document declares.

/// A closed list of codes as the API spells them: serialised as its code, listed as an `enum` in
/// the OpenAPI document, and refused when unknown with a field error `invalid_<field>` whose
/// Chinese message names the allowed values (the same words as the domain's own parse).
///
/// `mirrors Alias` adds the conversions to and from the domain enum of the same variants (import
/// it under that alias), so the mapping lives here once.
macro_rules! edge_enum {
    ($(#[doc = $doc:literal])* $name:ident, $field:literal, mirrors $dom:ident, { $($variant:ident = $code:literal),+ $(,)? }) => {
        edge_enum!($(#[doc = $doc])* $name, $field, { $($variant = $code),+ });

        impl From<$dom> for $name {
            fn from(v: $dom) -> Self {
                match v { $($dom::$variant => $name::$variant),+ }
            }
        }

        impl From<$name> for $dom {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => $dom::$variant),+ }
            }
        }
    };
    ($(#[doc = $doc:literal])* $name:ident, $field:literal, { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }

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
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The value of a code, `None` when it is not one of the list.
            pub fn parse(code: &str) -> Option<Self> {
                match code.trim() { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                $name::parse(&text).ok_or_else(|| {
                    <D::Error as serde::de::Error>::custom($crate::edge::refusal(
                        concat!("invalid_", $field),
                        &text,
                        &[$($code),+],
                    ))
                })
            }
        }
    };
}

/// The error text of an unknown code, for [`decode_refusal`].
pub fn refusal(code: &str, value: &str, allowed: &[&str]) -> String {
    let shown: String = value.chars().take(40).collect();
    zhichan_domain::validation::refusal_text(
        code,
        &format!("“{shown}”不是有效的取值，可选：{}", allowed.join("、")),
    )
}

pub use zhichan_domain::validation::{decode_refusal, nullable};

/// Named formats of the document: fields declare them with `#[schema(value_type = …)]`, so
/// the document carries their pattern, as strict as the parsers behind them allow a pattern to
/// be (a credit code's check character and a region's existence are checked by the server).
pub mod format {
    use std::borrow::Cow;
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    use utoipa::openapi::{RefOr, Schema};

    macro_rules! format_schema {
        ($(#[$doc:meta])* $name:ident, $description:literal, $example:literal, pattern $pattern:literal) => {
            format_schema!($(#[$doc])* $name, $description, $example, |b: ObjectBuilder| b.pattern(Some($pattern)));
        };
        ($(#[$doc:meta])* $name:ident, $description:literal, $example:literal, $build:expr) => {
            $(#[$doc])*
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    let base = ObjectBuilder::new()
                        .schema_type(Type::String)
                        .description(Some($description))
                        .examples([serde_json::json!($example)]);
                    ($build)(base).into()
                }
            }

            impl utoipa::ToSchema for $name {
                fn name() -> Cow<'static, str> {
                    Cow::Borrowed(stringify!($name))
                }
            }
        };
    }

    format_schema!(
        CreditCode,
        "统一社会信用代码：18 位数字或除 I、O、Z、S、V 以外的大写字母，末位为校验码",
        "91361002MA35F6XK04",
        pattern "^[0-9A-HJ-NP-RTUWXY]{18}$"
    );
    format_schema!(
        RegionCode,
        "GB/T 2260 行政区划代码：全国为 100000，其余为省级前缀开头的六位数字",
        "361002",
        pattern "^(100000|(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4})$"
    );
    format_schema!(
        IndustryCode,
        "GB/T 4754-2017 行业代码：门类字母，或二至四位数字（可带其门类字母；大类须属于该门类）",
        "C3911",
        pattern "^([A-T]|(A0[1-5]|B(0[6-9]|1[0-2])|C(1[3-9]|2[0-9]|3[0-9]|4[0-3])|D4[4-6]|E(4[7-9]|50)|F5[1-2]|G(5[3-9]|60)|H6[1-2]|I6[3-5]|J6[6-9]|K70|L7[1-2]|M7[3-5]|N7[6-9]|O8[0-2]|P83|Q8[4-5]|R(8[6-9]|90)|S9[1-6]|T97|(0[1-9]|1[0-9]|2[0-9]|3[0-9]|4[0-9]|5[0-9]|6[0-9]|7[0-9]|8[0-9]|9[0-7]))[0-9]{0,2})$"
    );
    format_schema!(
        Money,
        "金额（元），两位小数的字符串，可为负数",
        "1234.50",
        pattern "^-?[0-9]{1,16}\\.[0-9]{2}$"
    );
    format_schema!(
        Amount,
        "金额（元），两位小数的字符串，不为负数",
        "1234.50",
        pattern "^[0-9]{1,16}\\.[0-9]{2}$"
    );
    format_schema!(
        Date,
        "日期 YYYY-MM-DD",
        "2026-03-31",
        |b: ObjectBuilder| b.format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
    );
    format_schema!(
        Month,
        "月份 YYYY-MM",
        "2026-11",
        pattern "^[2-9][0-9]{3}-(0[1-9]|1[0-2])$"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_travels_through_a_serde_error_and_back() {
        edge_enum!(Colour, "colour", { Red = "red", Blue = "blue" });
        let err = serde_json::from_str::<Colour>("\"green\"").unwrap_err();
        let (code, message) = decode_refusal(&err.to_string()).expect("encoded");
        assert_eq!(code, "invalid_colour");
        assert_eq!(message, "“green”不是有效的取值，可选：red、blue");
        assert_eq!(
            serde_json::from_str::<Colour>("\"blue\"").unwrap(),
            Colour::Blue
        );
        assert_eq!(serde_json::to_string(&Colour::Red).unwrap(), "\"red\"");
        assert_eq!(Colour::ALL, &[Colour::Red, Colour::Blue]);
    }

    #[test]
    fn null_is_the_same_as_left_out() {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "nullable")]
            s: String,
        }
        assert_eq!(serde_json::from_str::<T>(r#"{"s":null}"#).unwrap().s, "");
        assert_eq!(serde_json::from_str::<T>("{}").unwrap().s, "");
        assert_eq!(serde_json::from_str::<T>(r#"{"s":"x"}"#).unwrap().s, "x");
    }
}
