//! Shape: a rendering (markup with value slots) in, the same markup with every value
//! replaced by a short placeholder out, so the parse of one row can serve every row
//! of the same shape.
//!
//! A batch renders one template thousands of times, and rows usually differ only in
//! their values. The parser never looks inside a value but for the three facts a
//! placeholder keeps (see [`crate::markup::placeholder`]), so the parse of a shape is
//! cached, and each row only swaps its values back in.

use std::borrow::Cow;

use super::slots;
use crate::diag::Diagnostic;
use crate::diag::Span;
use crate::markup::ast::{ArgValue, Document, Inline, Spanned};
use crate::markup::placeholder::{self, VALUE_END, VALUE_START};

/// Rendered markup with its values taken out.
#[derive(Debug, Default)]
pub struct Shaped<'r> {
    /// The markup with placeholders: the cache key and what the parser reads.
    pub text: String,
    /// The values, in order.
    values: Vec<&'r str>,
    /// For each placeholder: where it is in `text` and where its value run was in
    /// the rendered markup.
    places: Vec<Place>,
}

#[derive(Debug, Clone, Copy)]
struct Place {
    start: usize,
    end: usize,
    rendered_start: usize,
    rendered_end: usize,
}

impl<'r> Shaped<'r> {
    /// Takes the values out of `rendered`, whose slots index `values` (see
    /// [`crate::template::slots`]).
    pub fn new(rendered: &'r str, values: &'r [String]) -> Shaped<'r> {
        let mut shaped = Shaped {
            text: String::with_capacity(rendered.len()),
            ..Shaped::default()
        };
        let mut rest = 0;
        // The formatter checked every slot whole, so `find` meets no error here.
        for found in slots::find(rendered, values.len()).map_while(Result::ok) {
            let value = values[found.index].as_str();
            shaped.text.push_str(&rendered[rest..found.start]);
            let place_start = shaped.text.len();
            placeholder::push(&mut shaped.text, shaped.values.len(), value);
            shaped.places.push(Place {
                start: place_start,
                end: shaped.text.len(),
                rendered_start: found.start,
                rendered_end: found.end,
            });
            shaped.values.push(value);
            rest = found.end;
        }
        shaped.text.push_str(&rendered[rest..]);
        shaped
    }

    /// `text` (a string from the parse of the shape) with its values put back.
    pub fn fill<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.fill_with(text, false)
    }

    /// `text` with its values put back, the commas inside them as
    /// [`placeholder::VALUE_COMMA`] (header values, whose lists split on commas).
    fn fill_header<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.fill_with(text, true)
    }

    fn fill_with<'t>(&self, text: &'t str, mark_commas: bool) -> Cow<'t, str> {
        if !text.contains(VALUE_START) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(VALUE_START) {
            out.push_str(&rest[..start]);
            let after = &rest[start + VALUE_START.len_utf8()..];
            let Some(end) = after.find(VALUE_END) else {
                out.push_str(&rest[start..]);
                return Cow::Owned(out);
            };
            let index = placeholder::index(&after[..end]);
            match index.and_then(|i| self.values.get(i)) {
                Some(value) if mark_commas => {
                    out.extend(value.chars().map(|c| match c {
                        ',' => placeholder::VALUE_COMMA,
                        c => c,
                    }));
                }
                Some(value) => out.push_str(value),
                None => out.push_str(&rest[start..start + VALUE_START.len_utf8() + end + 1]),
            }
            rest = &after[end + VALUE_END.len_utf8()..];
        }
        out.push_str(rest);
        Cow::Owned(out)
    }

    /// The body text `text` (from the parse of the shape) cut at its placeholders into
    /// the author's text and this row's values, pushed onto `out` in order. A
    /// placeholder is copied verbatim from the shape into the parsed text, so the
    /// source of each piece is found by meeting the same placeholders there.
    fn split_values(&self, text: &Spanned<String>, out: &mut Vec<Inline>) {
        let source = &self.text[text.span.start..text.span.end];
        let (mut decoded, mut written) = (text.value.as_str(), 0);
        while let Some(start) = decoded.find(VALUE_START) {
            let Some(length) = decoded[start..]
                .find(VALUE_END)
                .map(|end| end + VALUE_END.len_utf8())
            else {
                break;
            };
            let placeholder = &decoded[start..start + length];
            let Some(at) = source[written..].find(placeholder).map(|at| written + at) else {
                break;
            };
            let base = text.span.start;
            if start > 0 {
                let span = Span::new(base + written, base + at);
                out.push(Inline::Text(Spanned::new(
                    decoded[..start].to_owned(),
                    span,
                )));
            }
            let inside = &placeholder[VALUE_START.len_utf8()..length - VALUE_END.len_utf8()];
            let value = placeholder::index(inside).and_then(|i| self.values.get(i));
            let span = Span::new(base + at, base + at + length);
            match value {
                Some(value) => out.push(Inline::Value(Spanned::new((*value).to_owned(), span))),
                None => out.push(Inline::Text(Spanned::new(placeholder.to_owned(), span))),
            }
            decoded = &decoded[start + length..];
            written = at + length;
        }
        if !decoded.is_empty() {
            let span = Span::new(text.span.start + written, text.span.end);
            // All its placeholders were met above; `fill` is for a text it could not cut.
            out.push(Inline::Text(Spanned::new(
                self.fill(decoded).into_owned(),
                span,
            )));
        }
    }

    /// The rendered offset of shape offset `at`: inside a placeholder, the start of
    /// its value run.
    pub fn rendered_offset(&self, at: usize) -> usize {
        let index = self.places.partition_point(|p| p.start <= at);
        match index.checked_sub(1).map(|i| self.places[i]) {
            None => at,
            Some(place) if at < place.end => place.rendered_start,
            Some(place) => place.rendered_end + (at - place.end),
        }
    }
}

/// A parse of the shape, with this row's values put back into every string.
pub fn fill_parse(
    document: &Document,
    diagnostics: &[Diagnostic],
    shaped: &Shaped<'_>,
) -> (Document, Vec<Diagnostic>) {
    let mut document = document.clone();
    for entry in &mut document.header {
        if let Cow::Owned(filled) = shaped.fill_header(&entry.value.value) {
            entry.value.value = filled;
        }
    }
    let body = std::mem::take(&mut document.body);
    for mut inline in body {
        match &mut inline {
            Inline::Text(text) if text.value.contains(VALUE_START) => {
                shaped.split_values(text, &mut document.body);
                continue;
            }
            Inline::Text(_) | Inline::Value(_) | Inline::Mention(_) => {}
            Inline::Element(element) => {
                for arg in &mut element.args {
                    if let Some(value) = &mut arg.value {
                        match &mut value.value {
                            ArgValue::Bare(text)
                            | ArgValue::Quoted(text)
                            | ArgValue::Data(text) => fill_string(text, shaped),
                        }
                    }
                }
            }
        }
        document.body.push(inline);
    }
    let mut diagnostics = diagnostics.to_vec();
    for diagnostic in &mut diagnostics {
        fill_string(&mut diagnostic.message, shaped);
    }
    (document, diagnostics)
}

fn fill_string(text: &mut String, shaped: &Shaped<'_>) {
    if let Cow::Owned(filled) = shaped.fill(text) {
        *text = filled;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_placeholders_and_come_back() {
        let values = ["bob".to_owned(), String::new(), "x\ny ".to_owned()];
        let ((a, b, c), _) = slots::recording(100, || {
            (
                slots::slot(values[0].clone()).unwrap(),
                slots::slot(values[1].clone()).unwrap(),
                slots::slot(values[2].clone()).unwrap(),
            )
        });
        let rendered = format!("a {a}@x {b}{c}!");
        let rendered = rendered.as_str();
        let shaped = Shaped::new(rendered, &values);
        assert_eq!(
            shaped.text,
            "a \u{E000}v0\u{E001}@x \u{E000}v1\u{E001}\u{E000}V2\u{E001}!"
        );
        assert_eq!(shaped.fill(&shaped.text), "a bob@x x\ny !");
        // An offset after the first placeholder moves by the length difference.
        let bang = shaped.text.find('!').unwrap();
        assert_eq!(shaped.rendered_offset(bang), rendered.find('!').unwrap());
        let inside = shaped.text.find('v').unwrap();
        assert_eq!(shaped.rendered_offset(inside), 2);
    }
}
