//! What a rejected value says about itself: a stable machine code and a sentence for people.

use std::fmt;

/// One reason a value was refused. `code` is part of the public API (CONTRACT.md lists the codes
/// clients rely on); the messages are for people, Chinese first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

impl Violation {
    pub fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Violation {
            code,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message_zh)
    }
}

impl std::error::Error for Violation {}

/// Separates the code and the message of a refusal inside a deserialiser's error text (serde
/// carries only a string; the JSON extractor takes them apart again with [`decode_refusal`]).
const MARK: char = '\u{1f}';

impl Violation {
    /// The violation as a deserialiser's error, so that a request body refused while it is read
    /// is answered on the field's JSON path with this violation's code and Chinese message.
    pub fn into_de_error<E: serde::de::Error>(self) -> E {
        E::custom(refusal_text(self.code, &self.message_zh))
    }
}

/// The error text of a refusal, for [`decode_refusal`].
pub fn refusal_text(code: &str, message_zh: &str) -> String {
    format!("{MARK}{code}{MARK}{message_zh}{MARK}")
}

/// The code and the Chinese message of a refusal made by [`refusal_text`], from a
/// deserialiser's error text (which may carry a position after it).
pub fn decode_refusal(text: &str) -> Option<(String, String)> {
    let mut parts = text.split(MARK);
    parts.next()?;
    let code = parts.next()?;
    let message = parts.next()?;
    parts.next()?;
    Some((code.to_string(), message.to_string()))
}

/// For `#[serde(default, deserialize_with = "nullable")]`: JSON `null` means the same as
/// leaving the field out (its default), as CONTRACT.md promises for every optional field.
pub fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// For `#[serde(deserialize_with = "trimmed")]`: text as it will be kept, without the spaces
/// around it; `null` is the empty text (a required one is then refused by the check that
/// follows, on its own path).
pub fn trimmed<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::Deserialize;
    let text = Option::<String>::deserialize(d)?.unwrap_or_default();
    let kept = text.trim();
    Ok(if kept.len() == text.len() {
        text
    } else {
        kept.to_string()
    })
}

/// Whether `c` is a character no text of ours should hold: a control character (NUL, ESC, DEL,
/// the C1 range) or a mark that reorders how text is shown (U+200E/U+200F, U+061C,
/// U+202A–U+202E, U+2066–U+2069), which can make a title read as something else.
pub fn is_hidden_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` without [`is_hidden_control`] characters (keeping line breaks and tabs when
/// `multiline`), and how many went. PostgreSQL refuses NUL in text, so nothing stored may hold one.
pub fn strip_controls(text: &str, multiline: bool) -> (String, usize) {
    let keep = |c: char| !is_hidden_control(c) || (multiline && (c == '\n' || c == '\t'));
    let removed = text.chars().filter(|c| !keep(*c)).count();
    if removed == 0 {
        return (text.to_string(), 0);
    }
    (text.chars().filter(|c| keep(*c)).collect(), removed)
}

/// A file name cut to at most `max` characters, its extension (up to ten letters or digits after
/// the last dot) kept: "…很长的名字.pdf" stays a PDF.
pub fn shorten_file_name(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).filter(|e| {
        !e.is_empty() && e.chars().count() <= 10 && e.chars().all(char::is_alphanumeric)
    });
    match ext {
        Some(ext) if max > ext.chars().count() + 1 => {
            let keep = max - ext.chars().count() - 1;
            let stem: String = name.chars().take(keep).collect();
            format!("{stem}.{ext}")
        }
        _ => name.chars().take(max).collect(),
    }
}

/// How many characters of a typed value a message repeats back: enough to recognise it, never
/// a 19 MB cell.
pub const ECHO_CHARS: usize = 50;

/// A typed value as a message may quote it: its first [`ECHO_CHARS`] characters, then `…`.
pub fn echo(input: &str) -> String {
    match input.char_indices().nth(ECHO_CHARS) {
        Some((end, _)) => format!("{}…", &input[..end]),
        None => input.to_string(),
    }
}

/// The longest each text field of a profile, product or patent may be, in characters.
pub mod limits {
    pub const ENTERPRISE_NAME: usize = 100;
    pub const ADDRESS: usize = 200;
    pub const CONTACT_NAME: usize = 50;
    pub const CONTACT_PHONE: usize = 30;
    pub const CONTACT_EMAIL: usize = 100;
    pub const CERTIFICATE: usize = 100;
    pub const PRODUCT_NAME: usize = 100;
    pub const MODEL: usize = 100;
    pub const DESCRIPTION: usize = 2_000;
    pub const EMBODIMENT: usize = 1_000;
    pub const PATENT_TITLE: usize = 200;
    /// Each patentee's name.
    pub const PATENTEE: usize = 100;
    /// How many patentees one patent lists.
    pub const PATENTEES: usize = 20;
    pub const LICENCE_RECORD: usize = 50;
    /// A reason given for a decision (退回, 撤销, 不予开通, a change of rules, …).
    pub const REASON: usize = 500;
    /// The longest of them all: what a refused workbook may write back into one cell.
    pub const LONGEST: usize = DESCRIPTION;
}

/// `too_long` when `value` (as it will be stored, trimmed) has more than `limit` characters.
pub fn max_chars(value: &str, limit: usize) -> Result<(), Violation> {
    if value.trim().chars().nth(limit).is_some() {
        Err(Violation::new(
            "too_long",
            format!("不能超过 {limit} 个字"),
            format!("at most {limit} characters"),
        ))
    } else {
        Ok(())
    }
}

/// The earliest date a person may type for an event of a firm or a patent.
pub const EARLIEST_DATE: time::Date = time::macros::date!(1900 - 01 - 01);

/// The latest a date of the future (a validity's end, a deadline) may be.
pub const LATEST_DATE: time::Date = time::macros::date!(2199 - 12 - 31);

/// `invalid_date` unless `day` lies between 1900-01-01 and `latest` (usually today, from the
/// injected clock).
pub fn date_between(day: time::Date, latest: time::Date, what_zh: &str) -> Result<(), Violation> {
    if (EARLIEST_DATE..=latest).contains(&day) {
        Ok(())
    } else {
        Err(Violation::new(
            "invalid_date",
            format!(
                "{what_zh}应在 {} 至 {} 之间",
                crate::enterprises::format_date(EARLIEST_DATE),
                crate::enterprises::format_date(latest)
            ),
            format!("{what_zh} out of range"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_are_capped_and_lengths_counted_in_characters() {
        assert_eq!(echo("短"), "短");
        let long = "专".repeat(60);
        assert_eq!(echo(&long).chars().count(), ECHO_CHARS + 1);
        assert!(echo(&long).ends_with('…'));
        assert!(max_chars(&"名".repeat(100), 100).is_ok());
        assert_eq!(
            max_chars(&"名".repeat(101), 100).unwrap_err().code,
            "too_long"
        );
        let today = time::macros::date!(2026 - 12 - 02);
        assert!(date_between(time::macros::date!(0000 - 01 - 01), today, "日期").is_err());
        assert!(date_between(time::macros::date!(2026 - 12 - 03), today, "日期").is_err());
        assert!(date_between(EARLIEST_DATE, today, "日期").is_ok());
    }
}

#[cfg(test)]
mod control_tests {
    use super::*;

    #[test]
    fn controls_and_direction_marks_go_line_breaks_stay_in_bodies() {
        let text = "第一条\u{0}\u{1b}[31m\u{202e}txt.exe\u{2066}\n\t第二条\r";
        assert_eq!(
            strip_controls(text, true),
            ("第一条[31mtxt.exe\n\t第二条".to_string(), 5)
        );
        assert_eq!(strip_controls("标题\n\t", false), ("标题".to_string(), 2));
        assert_eq!(strip_controls("干净", false), ("干净".to_string(), 0));
    }

    #[test]
    fn a_long_file_name_is_cut_before_its_extension() {
        let long = format!("{}.pdf", "附".repeat(300));
        let short = shorten_file_name(&long, 200);
        assert_eq!(short.chars().count(), 200);
        assert!(short.ends_with("附.pdf"));
        assert_eq!(shorten_file_name("a.pdf", 200), "a.pdf");
        assert_eq!(shorten_file_name(&"x".repeat(300), 10), "x".repeat(10));
    }
}
