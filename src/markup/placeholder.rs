//! Placeholders: how a template value appears in the markup the parser reads.
//!
//! A template renders each value as a slot (see `template::slots`); before parsing, a
//! rendering's slots become placeholders: U+E000, a kind letter, the value's index,
//! U+E001. The grammar reads a placeholder as one literal atom wherever it lands, so a
//! value is never markup. The parser asks one thing of a value, which the kind letter
//! keeps: whether it holds a line break (refused in a header line): `V` if it does,
//! `v` if not.
//!
//! What the template's own text means never depends on a value: an `@` right after a
//! value is glued to it (text, never a mention), whatever the value ends with, so a
//! blank cell cannot turn `{{ user }}@all.example.com` into `@all`.

/// Starts a template value in rendered markup.
pub const VALUE_START: char = '\u{E000}';
/// Ends a template value in rendered markup.
pub const VALUE_END: char = '\u{E001}';

/// A comma inside a value in a header line, until the header's lists are split: a
/// value is one list item (`to: {{ v }}` with `a, b` names one account `a, b`).
pub const VALUE_COMMA: char = '\u{E002}';

/// `text` with [`VALUE_COMMA`] back to commas.
pub fn restore_commas(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(VALUE_COMMA) {
        std::borrow::Cow::Owned(text.replace(VALUE_COMMA, ","))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

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
    let kind = if value.contains(['\n', '\r']) {
        'V'
    } else {
        'v'
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

/// Whether an `@` after `before` is glued to what precedes it (and so is text): after
/// a word character, or right after a value, whatever the value holds.
pub fn ends_glued(before: &str) -> Option<bool> {
    let c = before.chars().next_back()?;
    Some(c == VALUE_END || is_word_char(c))
}

/// Whether a placeholder in `raw` holds a value with a line break.
pub fn has_line_break(raw: &str) -> bool {
    raw.split(VALUE_START)
        .skip(1)
        .any(|run| run.starts_with('V'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_say_only_whether_a_value_breaks_a_line() {
        let mut text = String::new();
        push(&mut text, 0, "bob");
        push(&mut text, 1, "");
        push(&mut text, 12, "x\ny ");
        assert_eq!(
            text,
            "\u{E000}v0\u{E001}\u{E000}v1\u{E001}\u{E000}V12\u{E001}"
        );
        assert_eq!(index("V12"), Some(12));
        assert!(has_line_break("a \u{E000}V1\u{E001}"));
        assert!(!has_line_break("a \u{E000}v1\u{E001} V"));
    }

    #[test]
    fn an_at_after_a_value_is_glued_whatever_the_value() {
        assert_eq!(ends_glued("x\u{E000}v0\u{E001}"), Some(true));
        assert_eq!(ends_glued("(\u{E000}v0\u{E001}"), Some(true));
        assert_eq!(ends_glued("a b"), Some(true));
        assert_eq!(ends_glued("a "), Some(false));
        assert_eq!(ends_glued(""), None);
    }
}
