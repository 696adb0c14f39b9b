//! Upload rules: which file types customers and agents may send, decided from the bytes
//! (magic numbers), never from the client's `Content-Type` header or file name.

/// Media types accepted for upload: images, PDF, common office and text documents.
pub const ALLOWED_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// Images a browser may show inline (SVG is excluded: it can carry script).
pub const INLINE_IMAGE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Whether a stored type may be served inline.
pub fn is_inline_image(content_type: &str) -> bool {
    INLINE_IMAGE_TYPES.contains(&content_type)
}

/// Decides a file's media type from its bytes and, for formats without magic numbers
/// (text, CSV), from the name. `None` when the type is not accepted.
pub fn sniff_content_type(bytes: &[u8], file_name: &str) -> Option<&'static str> {
    let lower = file_name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // OLE compound file: legacy Office; the extension picks which.
        return match ext {
            "doc" => Some("application/msword"),
            "xls" => Some("application/vnd.ms-excel"),
            "ppt" => Some("application/vnd.ms-powerpoint"),
            _ => None,
        };
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // Zip container: OOXML / ODF are zips; the extension picks which, other zips refused.
        return match ext {
            "docx" => {
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            }
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "pptx" => {
                Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
            }
            "odt" => Some("application/vnd.oasis.opendocument.text"),
            "ods" => Some("application/vnd.oasis.opendocument.spreadsheet"),
            _ => None,
        };
    }
    // Text: valid UTF-8 without NUL bytes and without markup that a browser would run.
    let text = std::str::from_utf8(bytes).ok()?;
    if text.contains('\0') {
        return None;
    }
    let head = text
        .trim_start()
        .get(..text.trim_start().len().min(256))?
        .to_ascii_lowercase();
    if head.starts_with('<') {
        return None;
    }
    match ext {
        "csv" => Some("text/csv"),
        "txt" | "log" | "md" | "" => Some("text/plain"),
        _ => Some("text/plain"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_is_decided_from_bytes_not_name() {
        assert_eq!(
            sniff_content_type(b"\x89PNG\r\n\x1a\nrest", "x.pdf"),
            Some("image/png")
        );
        assert_eq!(
            sniff_content_type(b"%PDF-1.7 ...", "x.png"),
            Some("application/pdf")
        );
        assert_eq!(
            sniff_content_type(b"hello, world", "notes.txt"),
            Some("text/plain")
        );
        assert_eq!(sniff_content_type(b"a,b\n1,2", "t.csv"), Some("text/csv"));
    }

    #[test]
    fn executables_markup_and_unknown_zips_are_refused() {
        assert_eq!(
            sniff_content_type(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", "a.exe"),
            None
        );
        assert_eq!(
            sniff_content_type(b"<html><script>alert(1)</script>", "a.txt"),
            None
        );
        assert_eq!(
            sniff_content_type(b"  <svg onload=alert(1)>", "a.svg"),
            None
        );
        assert_eq!(sniff_content_type(b"PK\x03\x04....", "a.zip"), None);
        assert_eq!(sniff_content_type(b"ab\0cd", "a.txt"), None);
    }

    #[test]
    fn office_containers_need_a_matching_extension() {
        assert!(sniff_content_type(b"PK\x03\x04rest", "report.docx").is_some());
        assert!(sniff_content_type(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", "old.xls").is_some());
    }
}
