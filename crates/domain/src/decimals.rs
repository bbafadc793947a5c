//! Decimal numbers as officials and API clients type them (a quantile, a benchmark, a weight, a
//! pass mark, a score): a JSON string in decimal notation (`"0.5"`, `" 30 "`), or a JSON
//! number, read exactly; `""` (and `null`) is "none" where the number is optional. A value that
//! is not a number is refused with `invalid_decimal` on its own field path (the refusal travels
//! through serde, see [`Violation::into_de_error`]). A decimal is always written as a string.

use crate::validation::Violation;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, SeqAccess, Unexpected, Visitor};
use serde::{Deserialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// `text`, trimmed, as a decimal; `invalid_decimal` naming what was typed otherwise.
pub fn parse(text: &str) -> Result<Decimal, Violation> {
    Decimal::from_str(text.trim()).map_err(|_| {
        let shown = crate::validation::echo(text);
        Violation::new(
            "invalid_decimal",
            format!("“{shown}”不是有效的数字，请填写如 0.5 或 30 的十进制数"),
            format!("\"{shown}\" is not a decimal number"),
        )
    })
}

/// The OpenAPI schema of a decimal as the API writes it (`Decimal`): a string in decimal
/// notation. A request may also send a JSON number, and `""` for an optional one.
pub struct DecimalText;

impl utoipa::PartialSchema for DecimalText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^-?[0-9]+(\.[0-9]+)?$"))
            .description(Some(
                "A decimal number as a string, such as \"0.5\" or \"30\" (a request may also \
                 send a JSON number, and \"\" for an optional one left empty).",
            ))
            .examples(["0.5"])
            .into()
    }
}

impl utoipa::ToSchema for DecimalText {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Decimal")
    }
}

/// What a decimal field may hold once read: a number, or nothing (`""`, `null`).
struct Typed {
    optional: bool,
}

impl<'de> Visitor<'de> for Typed {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number as a string, such as \"0.5\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if self.optional && v.trim().is_empty() {
            return Ok(None);
        }
        parse(v).map(Some).map_err(Violation::into_de_error)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // The shortest text that reads back as the same double: 0.1 is 0.1, not 0.1000…0555.
        if !v.is_finite() {
            return Err(de::Error::invalid_value(Unexpected::Float(v), &self));
        }
        self.visit_str(&v.to_string())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.optional {
            Ok(None)
        } else {
            Err(de::Error::invalid_type(Unexpected::Unit, &self))
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// `#[serde(with = "crate::decimals::required")]`: a decimal that must be there.
pub mod required {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(Typed { optional: false })?
            .ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &"a decimal number"))
    }
}

/// `#[serde(default, with = "crate::decimals::optional", skip_serializing_if =
/// "Option::is_none")]`: a decimal that may be left out, `null` or `""`.
pub mod optional {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_any(Typed { optional: true })
    }
}

/// An optional decimal read on its own (a map's value read by hand): `null` and `""` are none.
pub struct Maybe(pub Option<Decimal>);

impl<'de> Deserialize<'de> for Maybe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        optional::deserialize(d).map(Maybe)
    }
}

/// `#[serde(default, with = "crate::decimals::list")]`: a list of decimals (`null` is the empty
/// list); a bad one is refused on its index (`expert_scores[1]`).
pub mod list {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|d| d.to_string()))
    }

    struct One(Decimal);

    impl<'de> Deserialize<'de> for One {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            required::deserialize(d).map(One)
        }
    }

    struct Many;

    impl<'de> Visitor<'de> for Many {
        type Value = Vec<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of decimal numbers")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(One(d)) = seq.next_element()? {
                out.push(d);
            }
            Ok(out)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
        d.deserialize_any(Many)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::decode_refusal;
    use serde::Serialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct T {
        #[serde(with = "required")]
        a: Decimal,
        #[serde(default, with = "optional", skip_serializing_if = "Option::is_none")]
        b: Option<Decimal>,
        #[serde(default, with = "list")]
        c: Vec<Decimal>,
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_decimal_is_read_from_a_trimmed_string_or_a_number_and_written_as_a_string() {
        let t: T =
            serde_json::from_str(r#"{"a": " 0.5 ", "b": 30, "c": ["1.25", 2, 0.1]}"#).unwrap();
        assert_eq!(t.a, d("0.5"));
        assert_eq!(t.b, Some(d("30")));
        assert_eq!(t.c, vec![d("1.25"), d("2"), d("0.1")]);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"a":"0.5","b":"30","c":["1.25","2","0.1"]}"#
        );
        // An optional one left empty, null or out is none; a null list is empty.
        for json in [
            r#"{"a": "1", "b": "", "c": null}"#,
            r#"{"a": "1", "b": "  ", "c": null}"#,
            r#"{"a": "1", "b": null, "c": null}"#,
            r#"{"a": "1"}"#,
        ] {
            let t: T = serde_json::from_str(json).unwrap();
            assert_eq!((t.b, t.c), (None, vec![]), "{json}");
        }
    }

    #[test]
    fn what_is_not_a_number_is_refused_with_invalid_decimal() {
        for (json, typed) in [
            (r#"{"a": "很多"}"#, "很多"),
            (r#"{"a": ""}"#, ""),
            (r#"{"a": "1", "b": "3x"}"#, "3x"),
            (r#"{"a": "1", "c": ["1", "0,5"]}"#, "0,5"),
        ] {
            let err = serde_json::from_str::<T>(json).unwrap_err().to_string();
            let (code, message) = decode_refusal(&err).expect(json);
            assert_eq!(code, "invalid_decimal", "{json}");
            assert!(message.contains(&format!("“{typed}”")), "{message}");
        }
        // Null where a number is needed is a wrong type, not a number typed wrong.
        let err = serde_json::from_str::<T>(r#"{"a": null}"#).unwrap_err();
        assert!(decode_refusal(&err.to_string()).is_none(), "{err}");
    }
}
