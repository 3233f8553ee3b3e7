//! Placeholders: how a template value appears in the markup the parser reads.
//!
//! A template renders each value as a slot (see `template::slots`); before parsing, a
//! rendering's slots become placeholders: U+E000, a kind letter, the value's index,
//! U+E001. The grammar reads a placeholder as one literal atom wherever it lands, so a
//! value is never markup. The parser looks inside a value for three facts only, which
//! the kind letter keeps: whether it is empty, whether it ends with a word character
//! (an `@` right after it is glued, not a mention), and whether it holds a line break
//! (refused in a header line). The kind is `e` (empty), `w` (ends with a word
//! character) or `n`; upper case when the value has a line break.

/// Starts a template value in rendered markup.
pub const VALUE_START: char = '\u{E000}';
/// Ends a template value in rendered markup.
pub const VALUE_END: char = '\u{E001}';

/// Whether timl reserves `c` for template values (U+E000 to U+E00B): refused in
/// templates, values and escapes, so that only a printed value can make one.
pub fn is_reserved(c: char) -> bool {
    ('\u{E000}'..='\u{E00B}').contains(&c)
}

/// Whether `c` glues a following `@` to it.
pub fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+')
}

/// Appends the placeholder of the value with `index` and text `value` to `out`.
pub fn push(out: &mut String, index: usize, value: &str) {
    let kind = match value.chars().next_back() {
        None => 'e',
        Some(c) if is_word_char(c) => 'w',
        Some(_) => 'n',
    };
    let kind = if value.contains(['\n', '\r']) {
        kind.to_ascii_uppercase()
    } else {
        kind
    };
    out.push(VALUE_START);
    out.push(kind);
    push_decimal(out, index);
    out.push(VALUE_END);
}

/// The index a placeholder's inside (between U+E000 and U+E001) names.
pub fn index(inside: &str) -> Option<usize> {
    inside.get(1..)?.parse().ok()
}

/// Appends `n` in decimal (cheaper than the formatting machinery, once per value).
fn push_decimal(text: &mut String, n: usize) {
    if n >= 10 {
        push_decimal(text, n / 10);
    }
    text.push(char::from(b'0' + (n % 10) as u8));
}

/// Whether the placeholder that ends `before` (which ends with `U+E001`) holds a value
/// that ends with a word character; for an empty value, whatever comes before it.
pub fn ends_glued(before: &str) -> Option<bool> {
    let mut before = before;
    loop {
        let c = before.chars().next_back()?;
        if c != VALUE_END {
            return Some(is_word_char(c));
        }
        let start = before.rfind(VALUE_START)?;
        match before[start + VALUE_START.len_utf8()..].chars().next() {
            Some('w' | 'W') => return Some(true),
            Some('n' | 'N') => return Some(false),
            _ => before = &before[..start],
        }
    }
}

/// Whether a placeholder in `raw` holds a value with a line break.
pub fn has_line_break(raw: &str) -> bool {
    raw.split(VALUE_START)
        .skip(1)
        .any(|run| run.starts_with(['W', 'N']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_keep_the_three_facts() {
        let mut text = String::new();
        push(&mut text, 0, "bob");
        push(&mut text, 1, "");
        push(&mut text, 12, "x\ny ");
        assert_eq!(
            text,
            "\u{E000}w0\u{E001}\u{E000}e1\u{E001}\u{E000}N12\u{E001}"
        );
        assert_eq!(index("N12"), Some(12));
    }

    #[test]
    fn glue_looks_through_empty_values() {
        assert_eq!(ends_glued("x\u{E000}e0\u{E001}"), Some(true));
        assert_eq!(ends_glued("(\u{E000}e0\u{E001}"), Some(false));
        assert_eq!(ends_glued("\u{E000}n3\u{E001}"), Some(false));
        assert_eq!(ends_glued(""), None);
        assert!(has_line_break("a \u{E000}N1\u{E001}"));
        assert!(!has_line_break("a \u{E000}n1\u{E001} N"));
    }
}
