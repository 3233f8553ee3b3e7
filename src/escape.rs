//! Escaping: any text in, markup that compiles back to exactly that text out.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(escape(r"@all [face 1] \ -"), r"\@all \[face 1] \\ -");
        assert_eq!(escape("---"), r"\---");
    }
}
