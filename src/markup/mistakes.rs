//! Markup gone wrong that still parses: a header read as message text, and
//! bracketed words that look like elements (a warning) or carry an element's
//! arguments under a misspelt name (an error). The parser calls these on the pieces
//! it reads; each gives the diagnostic, or nothing.

use crate::diag::rules;
use crate::diag::{Diagnostic, Span};
use crate::markup::ast::ElementKind;

/// The body's first lines when they are evidently a header read as message text: a
/// `---` line (the header did not start on the file's first line: a blank line or a
/// space came first), or `key: value` lines whose keys are header keys (written
/// without their `---` lines, or after the closing one). One line of `to:` or `from:`
/// alone may be prose ("to: everyone in the team"); two header lines never are.
pub(super) fn header_in_body(text: &str, body: Span, has_header: bool) -> Option<Diagnostic> {
    let mut lines = text[body.range()]
        .split('\n')
        .map(|l| l.trim_end_matches('\r'));
    let first = lines.next()?;
    let trimmed = first.trim();
    let at = body.start + (first.len() - first.trim_start().len());
    let span = Span::new(at, at + trimmed.len());
    if trimmed == "---" && !has_header {
        return Some(
            Diagnostic::new(
                &rules::HEADER_IN_BODY,
                "this `---` is message text: a header starts on the file's very first line",
            )
            .at(span)
            .help("remove the blank lines and spaces before the first `---`; to send a line of dashes, write `\\---`"),
        );
    }
    let key_of = |line: &str| {
        let (key, _) = line.trim().split_once(':')?;
        crate::markup::header::find(key.trim_end()).map(|k| k.name)
    };
    let key = key_of(first)?;
    let more = lines.next().and_then(key_of).is_some();
    if !more && matches!(key, "to" | "from") {
        return None;
    }
    let (message, help) = if has_header {
        (
            format!("`{key}:` after the header's closing `---` is message text, not a header line"),
            "move the line above the closing `---`",
        )
    } else {
        (
            format!("`{key}:` is a header key, but this file has no header: the line is message text"),
            "put the header between two lines of `---` at the very start of the file (`---` on line 1, the header lines, then `---`)",
        )
    };
    Some(
        Diagnostic::new(&rules::HEADER_IN_BODY, message)
            .at(span)
            .help(format!(
                "{help}; to send it as text, escape the colon: `{key}\\:`"
            )),
    )
}

/// Bracketed text that looks like an element: an error when it carries element
/// arguments (`key=value` with a parameter some element has, or a URL, after a word
/// near an element name), since it is markup gone wrong, else a warning when the word
/// is near an element name.
pub(super) fn lookalike(word: &str, span: Span, args: &str) -> Option<Diagnostic> {
    let near = near_element(word);
    let has_url = args.contains("://");
    let keys = args
        .split([' ', '\t'])
        .filter_map(|arg| arg.split_once('=').map(|(key, _)| key))
        .filter(|key| !key.is_empty() && !key.contains(['"', '\u{E000}']));
    let mut param_keys = keys.filter(|key| {
        ElementKind::ALL.into_iter().any(|kind| {
            super::signature::signature(kind)
                .params
                .iter()
                .any(|param| param.name == *key)
        })
    });
    let has_params = param_keys.next().is_some();
    if has_params || (has_url && near.is_some()) {
        let names: Vec<&str> = ElementKind::ALL
            .into_iter()
            .map(ElementKind::name)
            .collect();
        let help = match near {
            Some(near) => {
                format!("did you mean `[{near}`? As written, the whole element is sent as text")
            }
            None => format!(
                "the elements are {}; as written, the whole element is sent as text",
                names
                    .iter()
                    .map(|n| format!("`[{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Some(
            Diagnostic::new(
                &rules::ELEMENT_NAME,
                format!("`[{word}` is no element, but its arguments are an element's"),
            )
            .at(span)
            .help(help),
        );
    }
    // `[Sticker]` alone is a heading more often than an element: the name in another
    // case is a lookalike only with something after it.
    let case_only = near.is_some_and(|near| word.to_ascii_lowercase() == near);
    if case_only && args.trim().is_empty() {
        return None;
    }
    lookalike_warning(word, span)
}

/// The element name `word` is one or two edits from (or equal to but for case).
fn near_element(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    ElementKind::ALL
        .into_iter()
        .map(ElementKind::name)
        .filter(|name| name.len() > 2 && lower.len() >= 3)
        .map(|name| (crate::diag::suggest::edit_distance(&lower, name), name))
        .filter(|&(distance, name)| {
            distance <= 1 || (distance == 2 && lower.chars().next() == name.chars().next())
        })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, name)| name)
        .or_else(|| ElementKind::from_name(&lower).map(ElementKind::name))
}

fn lookalike_warning(word: &str, span: Span) -> Option<Diagnostic> {
    let near = near_element(word)?;
    Some(
        Diagnostic::new(
            &rules::ELEMENT_LOOKALIKE,
            format!("`[{word}` looks like the element `[{near}` but is plain text"),
        )
        .at(span)
        .help(format!(
            "write `[{near}` for the element, or `\\[{word}` to keep the text and silence this"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookalikes() {
        assert!(lookalike_warning("fcae", Span::default()).is_some());
        assert!(lookalike_warning("Face", Span::default()).is_some());
        assert!(lookalike_warning("Notice", Span::default()).is_none());
        assert!(lookalike_warning("ok", Span::default()).is_none());
        assert!(lookalike_warning("fcea", Span::default()).is_some());
        assert!(lookalike_warning("life", Span::default()).is_none());
        assert!(lookalike_warning("cat", Span::default()).is_none());
        assert!(lookalike_warning("AT", Span::default()).is_some());
    }
}
