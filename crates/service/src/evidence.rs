//! Uploaded evidence (证明材料), checked and kept the same way for every record that asks for
//! it — a declaration's evidence, a real-name application's supporting document, and whatever
//! asks next: at most [`MAX_BYTES`], a PDF, JPEG or PNG recognised by its own first bytes
//! (never by its name), its name cleaned for a download header, kept in the one evidence
//! store in the caller's transaction.

use crate::FieldViolation;
use zhichan_domain::{Timestamp, Violation};
use zhichan_store::db::Exec;
use zhichan_store::evidence::{self as store, NewEvidence};
use zhichan_store::StoreError;

/// The largest file accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The longest name kept, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The type of a file from its first bytes: PDF, PNG or JPEG, else `None`.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// A file that may be kept: its cleaned name and the type read from its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub name: String,
    pub content_type: &'static str,
}

/// Checks a non-empty upload of field `field` (the caller decides whether an empty one is
/// missing or left out): its size and its type, each refused on `field`.
pub fn check(field: &str, name: &str, bytes: &[u8]) -> Result<Checked, FieldViolation> {
    if bytes.len() > MAX_BYTES {
        return Err(FieldViolation::new(
            field,
            Violation::new(
                "too_large",
                "证明材料不能超过 10 MB",
                format!("{field} over 10 MB"),
            ),
        ));
    }
    let Some(content_type) = sniff(bytes) else {
        return Err(FieldViolation::new(
            field,
            Violation::new(
                "invalid_document",
                "证明材料应为 PDF、JPG 或 PNG 文件",
                format!("the {field} must be PDF, JPEG or PNG"),
            ),
        ));
    };
    let name: String = name
        .trim()
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .take(MAX_NAME_CHARS)
        .collect();
    Ok(Checked {
        name: if name.is_empty() {
            field.to_string()
        } else {
            name
        },
        content_type,
    })
}

/// Keeps a checked file in the caller's transaction; its id, for the record that holds it.
pub async fn put(
    ex: &impl Exec,
    file: &Checked,
    bytes: &[u8],
    now: Timestamp,
) -> Result<i64, StoreError> {
    store::put(
        ex,
        NewEvidence {
            name: &file.name,
            content_type: file.content_type,
            bytes,
        },
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff(&[0x89, b'P', b'N', b'G', 13, 10]), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"MZ\x90\x00"), None);
    }

    #[test]
    fn a_file_is_checked_on_its_own_field() {
        let ok = check("evidence", " 发票\u{0}/1.pdf ", b"%PDF-1.4").unwrap();
        assert_eq!(ok.name, "发票1.pdf");
        assert_eq!(ok.content_type, "application/pdf");
        assert_eq!(check("document", "", b"%PDF-1.4").unwrap().name, "document");
        let e = check("document", "a.exe", b"MZ\x90\x00").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.violation.code),
            ("document", "invalid_document")
        );
        let big = vec![b'%'; MAX_BYTES + 1];
        let e = check("evidence", "a.pdf", &big).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.violation.code),
            ("evidence", "too_large")
        );
    }
}
