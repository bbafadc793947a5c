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
