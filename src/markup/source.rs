//! Source text as a user's editor wrote it, read the one way timl reads every file
//! (templates, includes, markup, `.json` requests, data rows).

use std::borrow::Cow;

/// Reads the text file at `path`, at most `cap` bytes of it: a bigger file (or an
/// endless pipe or device) is an error, never read into memory. A leading byte-order
/// mark is dropped.
pub fn read_text(path: &std::path::Path, cap: usize) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take((cap as u64).saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() > cap {
        return Err(std::io::Error::other(format!(
            "the file is over {cap} bytes, more than timl reads for it"
        )));
    }
    let text = String::from_utf8(without_bom_bytes(&bytes).to_vec())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8"))?;
    Ok(text)
}

/// The UTF-8 byte-order mark some editors (on Windows) put at the start of a file.
const BOM: char = '\u{FEFF}';

/// `text` without a leading byte-order mark: it is not part of the text.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// `bytes` without a leading UTF-8 byte-order mark.
pub fn without_bom_bytes(bytes: &[u8]) -> &[u8] {
    let mut mark = [0; 3];
    bytes
        .strip_prefix(BOM.encode_utf8(&mut mark).as_bytes())
        .unwrap_or(bytes)
}

/// A file written with classic Mac line endings (CR only, no LF anywhere) read as
/// lines: each CR becomes LF, which keeps every offset. A lone CR in a file that has
/// LF line endings stays what it is (text).
pub fn normalize_line_endings(text: &str) -> Cow<'_, str> {
    if text.contains('\r') && !text.contains('\n') {
        Cow::Owned(text.replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_line_endings() {
        assert_eq!(without_bom("\u{FEFF}a\u{FEFF}"), "a\u{FEFF}");
        assert_eq!(without_bom_bytes("\u{FEFF}a".as_bytes()), b"a");
        assert_eq!(normalize_line_endings("a\rb\r"), "a\nb\n");
        assert_eq!(normalize_line_endings("a\rb\n"), "a\rb\n");
    }
}
