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
    let next = lines.next();
    let trimmed = first.trim();
    let at = body.start + (first.len() - first.trim_start().len());
    let span = Span::new(at, at + trimmed.len());
    let dashes = trimmed.len() >= 3 && trimmed.chars().all(|c| c == '-');
    if dashes && (!has_header || next.is_some_and(|line| header_line(line, true).is_some())) {
        let message = if trimmed != "---" {
            format!("`{trimmed}` is message text: a header's lines of dashes are exactly `---`")
        } else if has_header {
            "a second header after the first is message text: a file has one header".to_owned()
        } else {
            "this `---` is message text: a header starts on the file's very first line".to_owned()
        };
        return Some(
            Diagnostic::new(&rules::HEADER_IN_BODY, message)
                .at(span)
                .help("write the header once, between two lines of exactly `---`, the first on the file's first line (no blank line or space before it); to send a line of dashes, write `\\---`"),
        );
    }
    let (key, how) = header_line(first, has_header)?;
    let more = next.and_then(|line| header_line(line, true)).is_some();
    let alone_is_prose = match how {
        Likeness::Exact => matches!(key, "to" | "from"),
        Likeness::Case => true,
        Likeness::Near => !has_header,
    };
    if alone_is_prose && !more {
        return None;
    }
    let written = trimmed
        .split_once(':')
        .map_or(trimmed, |(k, _)| k.trim_end());
    let named = match how {
        Likeness::Exact => format!("`{key}:`"),
        _ => format!("`{written}:` (the header key `{key}`)"),
    };
    let (message, help) = if has_header {
        (
            format!("{named} after the header's closing `---` is message text, not a header line"),
            format!("move it above the closing `---`, as `{key}:`"),
        )
    } else {
        (
            format!("{named} is a header line, but this file has no header: it is message text"),
            "put the header between two lines of `---` at the very start of the file (`---` on line 1, the header lines, then `---`)".to_owned(),
        )
    };
    Some(
        Diagnostic::new(&rules::HEADER_IN_BODY, message)
            .at(span)
            .help(format!(
                "{help}; to send it as text, escape the colon: `{written}\\:`"
            )),
    )
}

/// How a line's key is like a header key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Likeness {
    /// The key itself (`priority:`).
    Exact,
    /// The key in another case (`Priority:`).
    Case,
    /// One edit from a long key (`prority:`); only when `near` is allowed.
    Near,
}

/// The header key the line `line` (`key: value`) is written with, and how alike.
fn header_line(line: &str, near: bool) -> Option<(&'static str, Likeness)> {
    let (key, _) = line.trim().split_once(':')?;
    let key = key.trim_end();
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
    {
        return None;
    }
    if let Some(found) = crate::markup::header::find(key) {
        return Some((found.name, Likeness::Exact));
    }
    let lower = key.to_ascii_lowercase();
    if let Some(found) = crate::markup::header::find(&lower) {
        return Some((found.name, Likeness::Case));
    }
    let typo = crate::markup::header::suggest(key)
        .filter(|name| name.len() >= 6 && crate::diag::suggest::edit_distance(&lower, name) == 1);
    typo.filter(|_| near).map(|name| (name, Likeness::Near))
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
    // Arguments as an element takes them, not words of a sentence: one bare value
    // (`[emoij smile]`, `[Sticker yz00]`), a quoted string, a number first.
    let tokens: Vec<&str> = args.split_whitespace().collect();
    let element_like = tokens.len() == 1
        || args.contains('"')
        || tokens.first().is_some_and(|t| {
            t.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        });
    if has_params || ((has_url || element_like) && near.is_some()) {
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
