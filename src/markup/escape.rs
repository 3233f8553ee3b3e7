//! Escapes both ways: text to markup that compiles back to exactly that text, and
//! the JSON escapes of quoted strings to text.

use super::placeholder::{is_reserved, VALUE_START};

/// Escapes `text` so that, as a body, it is plain text with no mention, element or
/// escape: every `\`, `@` and `[` gets a backslash, and so does a leading `-` (which
/// could start a header).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        if matches!(c, '\\' | '@' | '[') || (i == 0 && c == '-') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Decodes JSON string escapes (`\" \\ \/ \b \f \n \r \t \uXXXX`, surrogate pairs
/// joined). On error: the byte offset and length of the bad
/// escape, and a message.
pub fn decode_json_escapes(raw: &str) -> Result<String, (usize, usize, String)> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        // A template value's placeholder (`\u{E000}v12\u{E001}`, filled in later,
        // see `shape`) holds no backslash: it is copied like any text.
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, escape)) = chars.next() else {
            return Err((at, 1, "a backslash ends the string".to_owned()));
        };
        match escape {
            VALUE_START => {
                return Err((
                    at,
                    1,
                    "a backslash cannot escape a template value".to_owned(),
                ))
            }
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let (c, length) = unicode_escape(raw, at)?;
                out.push(c);
                // The `u` is read; skip the rest of the escape.
                for _ in 2..length {
                    chars.next();
                }
            }
            other => {
                return Err((
                    at,
                    1 + other.len_utf8(),
                    format!("unknown escape `\\{other}` in a quoted string"),
                ))
            }
        }
    }
    Ok(out)
}

/// The character a `\uXXXX` escape at `at` stands for (a surrogate pair joined),
/// and the escape's length in bytes.
fn unicode_escape(raw: &str, at: usize) -> Result<(char, usize), (usize, usize, String)> {
    let high = hex4(raw, at)?;
    let (code, length) = if (0xD800..0xDC00).contains(&high) {
        // A high surrogate must be followed by `\u` and a low one.
        let low = raw
            .get(at + 6..at + 8)
            .filter(|s| *s == "\\u")
            .and_then(|_| hex4(raw, at + 6).ok())
            .filter(|low| (0xDC00..0xE000).contains(low))
            .ok_or((
                at,
                6,
                format!("`{}` is half of a surrogate pair", &raw[at..at + 6]),
            ))?;
        (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00), 12)
    } else {
        (high, 6)
    };
    let c = char::from_u32(code).ok_or((
        at,
        6,
        format!("`{}` is not a character", &raw[at..at + 6]),
    ))?;
    // An escape must not forge what only a template value may hold.
    if is_reserved(c) {
        return Err((
            at,
            6,
            format!(
                "`{}` is reserved by timl for template values",
                &raw[at..at + 6]
            ),
        ));
    }
    Ok((c, length))
}

/// The four hex digits after the `\u` at `at`.
fn hex4(raw: &str, at: usize) -> Result<u32, (usize, usize, String)> {
    raw.get(at + 2..at + 6)
        .filter(|digits| digits.chars().all(|c| c.is_ascii_hexdigit()))
        .and_then(|digits| u32::from_str_radix(digits, 16).ok())
        .ok_or_else(|| {
            let len = raw[at..].chars().take(6).map(char::len_utf8).sum();
            (at, len, "`\\u` needs four hex digits".to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes() {
        assert_eq!(
            decode_json_escapes(r"a\u0000\n\uD83D\uDE00").unwrap(),
            "a\0\n😀"
        );
        assert_eq!(decode_json_escapes(r"a\q").unwrap_err().0, 1);
        assert!(decode_json_escapes(r"\uD83D").is_err());
        assert!(decode_json_escapes(r"\u12").is_err());
        for reserved in [r"\ue000", r"\uE001", r"\ue00b", r"a\uE000n0\uE001"] {
            assert!(decode_json_escapes(reserved).is_err(), "{reserved}");
        }
        assert_eq!(decode_json_escapes(r"\ue00c").unwrap(), "\u{e00c}");
    }

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(escape(r"@all [face 1] \ -"), r"\@all \[face 1] \\ -");
        assert_eq!(escape("---"), r"\---");
    }
}
