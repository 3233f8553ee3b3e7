//! A bound on how deeply one template expression can nest, checked on the source
//! before minijinja sees it.
//!
//! minijinja parses a chain such as `1+1+1…`, `x.a.a…`, `- - -1` or `f()()…` into a
//! tree as deep as the chain, and compiles and drops that tree recursively: a 30 KB
//! chain overflows the stack, which aborts the process. Parentheses, lists and
//! blocks have minijinja's own limit; chains do not. An expression's depth is at
//! most the number of operators in its tag, so a tag may hold at most
//! [`MAX_OPERATORS`]; no written template comes near it.

use crate::diag::{rules, Diagnostic, Span};

/// The most operators one `{{ }}` or `{% %}` tag may hold.
pub const MAX_OPERATORS: usize = 500;

/// The first tag of `text` with more than [`MAX_OPERATORS`] operators, as a
/// `template` diagnostic at the tag's opening delimiter.
pub fn too_deep(text: &str) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(found) = find(bytes, i, b"{") {
        i = found + 1;
        let close: &[u8] = match bytes.get(found + 1) {
            Some(b'{') => b"}}",
            Some(b'%') => b"%}",
            Some(b'#') => {
                i = find(bytes, found + 2, b"#}").map_or(bytes.len(), |end| end + 2);
                continue;
            }
            _ => continue,
        };
        let (operators, end) = count_operators(bytes, found + 2, close);
        if operators > MAX_OPERATORS {
            return Some(
                Diagnostic::new(
                    &rules::TEMPLATE,
                    format!("this tag holds more than {MAX_OPERATORS} operators"),
                )
                .at(Span::new(found, found + 2))
                .help("split the expression with `{% set %}`; a chain this long cannot be evaluated safely"),
            );
        }
        i = end;
        if close == b"%}" && is_raw(&bytes[found + 2..end.saturating_sub(2).max(found + 2)]) {
            // `{% raw %}` text is not template code.
            i = find(bytes, end, b"endraw").map_or(bytes.len(), |at| at + 6);
        }
    }
    None
}

/// The position of `needle` in `bytes` from `from` on.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| from + at)
}

/// Whether a statement tag's inside is `raw` (with whitespace control marks).
fn is_raw(inside: &[u8]) -> bool {
    let text = String::from_utf8_lossy(inside);
    text.trim_matches(|c: char| c.is_whitespace() || c == '-' || c == '+') == "raw"
}

/// The operators from `start` to the tag's `close`, outside string literals, and the
/// position after `close` (the end of the text when the tag is never closed).
fn count_operators(bytes: &[u8], start: usize, close: &[u8]) -> (usize, usize) {
    let mut operators = 0;
    let mut i = start;
    let mut previous = b' ';
    while i < bytes.len() {
        let byte = bytes[i];
        if bytes[i..].starts_with(close) {
            return (operators, i + close.len());
        }
        match byte {
            b'"' | b'\'' => {
                i = skip_string(bytes, i);
                previous = byte;
                continue;
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'~' | b'|' | b'!' | b'=' | b'<' | b'>' => {
                operators += 1
            }
            b'.' if !(previous.is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                operators += 1
            }
            // A subscript or a call follows a name, `)`, `]` or a string; a list or
            // a group does not, and minijinja bounds those itself.
            b'[' | b'('
                if previous.is_ascii_alphanumeric()
                    || matches!(previous, b'_' | b')' | b']' | b'"' | b'\'') =>
            {
                operators += 1
            }
            _ if byte.is_ascii_alphabetic() => {
                let word_end = bytes[i..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                    .map_or(bytes.len(), |n| i + n);
                if matches!(
                    &bytes[i..word_end],
                    b"not" | b"and" | b"or" | b"is" | b"in" | b"if"
                ) {
                    operators += 1;
                }
                previous = bytes[word_end - 1];
                i = word_end;
                continue;
            }
            _ => {}
        }
        if !byte.is_ascii_whitespace() {
            previous = byte;
        }
        i += 1;
    }
    (operators, bytes.len())
}

/// The position after the string literal that opens at `start` (backslash escapes
/// skipped), or the end of the text.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(piece: &str, n: usize, open: &str, close: &str) -> String {
        format!("{open} x{} {close}", piece.repeat(n))
    }

    #[test]
    fn long_chains_are_refused_in_every_form() {
        for piece in ["+1", ".a", "|abs", "[0]", "()", " ~ x", " and x"] {
            let text = chain(piece, MAX_OPERATORS + 1, "{{", "}}");
            assert!(too_deep(&text).is_some(), "{piece}");
            let text = chain(piece, MAX_OPERATORS + 1, "{% set y =", "%}");
            assert!(too_deep(&text).is_some(), "{piece}");
        }
        let unary = format!("{{{{ {}1 }}}}", "-".repeat(MAX_OPERATORS + 1));
        assert!(too_deep(&unary).is_some());
        let not = format!("{{{{ {}x }}}}", "not ".repeat(MAX_OPERATORS + 1));
        assert!(too_deep(&not).is_some());
    }

    #[test]
    fn ordinary_templates_pass() {
        let tags = chain(".a", MAX_OPERATORS, "{{", "}}").repeat(10);
        assert!(too_deep(&tags).is_none());
        let rows = format!(
            "{{% set rows = [{}] %}}",
            "[1, 2.5, \"a.b|c\"], ".repeat(2000)
        );
        assert!(too_deep(&rows).is_none());
        let text = format!("{}{{{{ name }}}}", "a.b+c|d ".repeat(2000));
        assert!(too_deep(&text).is_none());
        let comment = format!("{{# {} #}}", ".a".repeat(2000));
        assert!(too_deep(&comment).is_none());
        let raw = format!("{{% raw %}}{{{{ {} }}}}{{% endraw %}}", ".a".repeat(2000));
        assert!(too_deep(&raw).is_none());
        let string = format!("{{{{ \"{}\" }}}}", "+".repeat(2000));
        assert!(too_deep(&string).is_none());
    }

    #[test]
    fn the_diagnostic_points_at_the_tag() {
        let text = format!("hello {}", chain("+1", 600, "{{", "}}"));
        let diagnostic = too_deep(&text).unwrap();
        assert_eq!(diagnostic.span, Some(Span::new(6, 8)));
    }
}
