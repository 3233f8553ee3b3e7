//! Bracketed words in text, as the kits find them, and where each piece of a text
//! element came from (so a word can be traced to what the author wrote or to a value).
//!
//! Every kit cuts text at `[...]` runs and looks each run up as an emoji key; a key
//! holds no white space and no bracket, so neither does a run here.

use std::ops::Range;

use crate::diag::Span;

/// One `[...]` run of a text: its byte range and its text, brackets included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run<'t> {
    /// Where it is in the text.
    pub range: Range<usize>,
    /// `[...]`.
    pub text: &'t str,
}

impl<'t> Run<'t> {
    fn new(text: &'t str, start: usize, end: usize) -> Run<'t> {
        Run {
            range: start..end,
            text: &text[start..end],
        }
    }
}

/// The `[...]` runs of `text`, in order: a `[`, then characters that are neither
/// brackets nor white space nor control characters, then `]`.
pub fn runs(text: &str) -> impl Iterator<Item = Run<'_>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(found) = text[at..].find('[') {
            let start = at + found;
            let inside = &text[start + 1..];
            let stop = inside
                .find(|c: char| c == '[' || c == ']' || c.is_whitespace() || c.is_control())
                .unwrap_or(inside.len());
            if inside[stop..].starts_with(']') && stop > 0 {
                let end = start + 1 + stop + 1;
                at = end;
                return Some(Run::new(text, start, end));
            }
            at = start + 1 + stop;
        }
        None
    })
}

/// What wrote a piece of a text element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    /// The author's own text.
    Written,
    /// A template value (data).
    Value,
    /// The key of an `[emoji]` element.
    Emoji,
    /// A mention's `@name`.
    Mention,
}

/// A piece of a text element: its byte range in the element's text, the source span
/// that made it, and what made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPiece {
    /// The `MsgBody` index of the text element.
    pub element: usize,
    /// The bytes of the element's text it made.
    pub range: Range<usize>,
    /// Where it was written.
    pub span: Span,
    /// What made it.
    pub kind: PieceKind,
}

/// Where the text at `range` of element `element` was written, and the kinds of the
/// pieces it overlaps. Inside one piece whose text is as long as its source (text with
/// no escapes), the span is exact; otherwise it covers the pieces.
/// `pieces` are in order (by element, then by range), as lowering makes them: the
/// first overlapping one is found by bisection, so a text of many runs stays linear.
pub fn locate(pieces: &[TextPiece], element: usize, range: &Range<usize>) -> Option<Located> {
    let first = pieces.partition_point(|p| (p.element, p.range.end) <= (element, range.start));
    let overlapping: Vec<&TextPiece> = pieces[first..]
        .iter()
        .take_while(|p| p.element == element && p.range.start < range.end)
        .filter(|p| range.start < p.range.end)
        .collect();
    let first = overlapping.first()?;
    let last = overlapping.last()?;
    let span = if overlapping.len() == 1 && first.span.end - first.span.start == first.range.len() {
        let start = first.span.start + (range.start - first.range.start);
        Span::new(start, start + range.len())
    } else {
        first.span.join(last.span)
    };
    let value = overlapping.iter().find(|p| p.kind == PieceKind::Value);
    Some(Located {
        span,
        any_written: overlapping.iter().any(|p| p.kind == PieceKind::Written),
        value: value.map(|p| p.span),
    })
}

/// Where a run of text was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// The source span.
    pub span: Span,
    /// Some of it is the author's own text.
    pub any_written: bool,
    /// The span of the first template value in it, if any.
    pub value: Option<Span>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<&str> {
        runs(text).map(|b| b.text).collect()
    }

    #[test]
    fn runs_are_bracketed_words() {
        assert_eq!(
            all("Hi[TUIEmoji_Smile]! [a b] [[x]] [] [1/3] [微笑"),
            ["[TUIEmoji_Smile]", "[x]", "[1/3]"]
        );
        assert_eq!(all("[[TUIEmoji_Smile]]"), ["[TUIEmoji_Smile]"]);
        assert!(all("no brackets").is_empty());
    }

    #[test]
    fn located_exactly_inside_plain_text() {
        let pieces = [
            TextPiece {
                element: 0,
                range: 0..10,
                span: Span::new(4, 14),
                kind: PieceKind::Written,
            },
            TextPiece {
                element: 0,
                range: 10..20,
                span: Span::new(20, 27),
                kind: PieceKind::Value,
            },
        ];
        let at = locate(&pieces, 0, &(2..5)).unwrap();
        assert_eq!(at.span, Span::new(6, 9));
        assert!(at.any_written && at.value.is_none());
        let at = locate(&pieces, 0, &(12..15)).unwrap();
        assert_eq!(at.span, Span::new(20, 27));
        assert!(!at.any_written && at.value == Some(Span::new(20, 27)));
        assert!(locate(&pieces, 1, &(0..1)).is_none());
    }
}
