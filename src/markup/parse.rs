//! Parse: markup text in, a typed [`Document`] with spans (and syntax diagnostics) out.
//!
//! pest stays in this module: the pairs become AST nodes at once. The grammar
//! (`grammar/timl.pest`) accepts every input, with rules for the malformed pieces, so
//! one pass reports every syntax problem.

use pest::iterators::Pair;
use pest::Parser as _;

use super::mistakes::{header_in_body, lookalike};
use crate::diag::rules;
use crate::diag::Diagnostic;
use crate::diag::Span;
use crate::markup::ast::{
    Arg, ArgValue, Document, Element, ElementKind, HeaderEntry, Inline, Spanned,
};
use crate::markup::placeholder::VALUE_START;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/timl.pest"]
struct TimlParser;

/// A readable name for every grammar rule, for the (unexpected) case that pest itself
/// reports an error.
fn rule_name(rule: Rule) -> String {
    match rule {
        Rule::EOI => "end of file",
        Rule::inline_ws => "a space",
        Rule::line_end => "a line break",
        Rule::line_rest => "the rest of the line",
        Rule::line_item => "a character",
        Rule::value_run => "a template value",
        Rule::quoted => "a quoted string",
        Rule::quoted_inner => "the inside of a quoted string",
        Rule::unterminated => "an unterminated string",
        Rule::header => "a header",
        Rule::header_open => "`---`",
        Rule::header_close => "the closing `---`",
        Rule::header_line => "a header line",
        Rule::header_item => "a header line",
        Rule::comment => "a comment",
        Rule::entry => "`key: value`",
        Rule::key => "a header key",
        Rule::value => "a header value",
        Rule::after_quote => "text after a quoted value",
        Rule::raw_value => "a header value",
        Rule::bad_line => "a malformed header line",
        Rule::body => "the body",
        Rule::piece => "text, a mention or an element",
        Rule::escape => "a backslash escape",
        Rule::ASCII_PUNCT => "ASCII punctuation",
        Rule::element => "an element",
        Rule::element_name => "an element name",
        Rule::element_end => "`]`",
        Rule::arg => "an element argument",
        Rule::arg_key => "an argument name",
        Rule::arg_value => "an argument value",
        Rule::bare => "a bare word",
        Rule::lookalike => "text in brackets",
        Rule::lookalike_name => "a word",
        Rule::mention => "a mention",
        Rule::account_id => "an account ID",
        Rule::text => "text",
        Rule::ANY_text => "a character",
    }
    .to_owned()
}

fn pest_failure(error: pest::error::Error<Rule>, offset: usize) -> Diagnostic {
    let at = match error.location {
        pest::error::InputLocation::Pos(pos) => pos,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let error = error.renamed_rules(|rule| rule_name(*rule));
    Diagnostic::new(&rules::SYNTAX, error.variant.message().into_owned())
        .at(Span::point(at + offset))
}

/// Parses a whole file.
pub fn parse(text: &str) -> (Document, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut document = Document::default();
    let mut body_start = 0;
    let mut header_close = None;

    if starts_with_header(text) {
        match TimlParser::parse(Rule::header, text) {
            Ok(mut pairs) => {
                let header = pairs.next().expect("the header rule yields one pair");
                body_start = header.as_span().end();
                let mut header_diagnostics = Vec::new();
                let shape = read_header(header, &mut document.header, &mut header_diagnostics);
                match (shape.close, shape.first_bad_line) {
                    (Some(close), _) => {
                        header_close = Some(close);
                        diagnostics.extend(header_diagnostics);
                    }
                    // Unclosed: the body was most likely read as header lines. Keep
                    // what came before the first line that is not `key: value`, and
                    // report only the missing `---`.
                    (None, first_bad) => {
                        document.header_unclosed = true;
                        let cut = first_bad.map_or(usize::MAX, |span| span.start);
                        document.header.retain(|entry| entry.key.span.start < cut);
                        diagnostics.extend(
                            header_diagnostics
                                .into_iter()
                                .filter(|d| d.span.is_some_and(|span| span.start < cut)),
                        );
                        let help = match first_bad {
                            Some(_) => {
                                "add a line of `---` where the header ends, before the line this \
                                        points at; the body comes after it"
                            }
                            None => "end the header with a line of `---`, then write the body",
                        };
                        diagnostics.push(
                            Diagnostic::new(&rules::SYNTAX, "the header is never closed")
                                .at(first_bad.unwrap_or(Span::new(0, 3)))
                                .help(help),
                        );
                    }
                }
            }
            Err(error) => {
                diagnostics.push(pest_failure(error, 0));
                body_start = text.len();
            }
        }
    }

    let body = trim_body(text, body_start);
    let has_header = header_close.is_some() || document.header_unclosed;
    diagnostics.extend(header_in_body(text, body, has_header));
    // An empty body is pointed at where it should start: after the header.
    document.body_span = match header_close {
        Some(close) if body.range().is_empty() => close,
        None if body.range().is_empty() => Span::point(0),
        _ => body,
    };
    if !body.range().is_empty() {
        match TimlParser::parse(Rule::body, &text[body.range()]) {
            Ok(mut pairs) => {
                let pair = pairs.next().expect("the body rule yields one pair");
                let mut body = BodyBuilder {
                    source: text,
                    offset: body.start,
                    inlines: Vec::new(),
                    diagnostics: &mut diagnostics,
                };
                for piece in pair.into_inner() {
                    body.piece(piece);
                }
                document.body = body.inlines;
            }
            Err(error) => diagnostics.push(pest_failure(error, body.start)),
        }
    }
    (document, diagnostics)
}

/// A header starts on the first line with `---` and nothing else (even when nothing
/// follows: a file that is only `---` is an unclosed header, not the text `---`).
fn starts_with_header(text: &str) -> bool {
    let first_line = text.split('\n').next().unwrap_or("");
    first_line
        .strip_prefix("---")
        .is_some_and(|rest| rest.trim_end_matches([' ', '\t', '\r']).is_empty())
}

/// The body: after the header, without leading blank lines and trailing white space.
fn trim_body(text: &str, mut start: usize) -> Span {
    loop {
        let rest = &text[start..];
        let line_len = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
        let line = &rest[..line_len];
        if line_len == 0 || !line.chars().all(char::is_whitespace) {
            break;
        }
        start += line_len;
    }
    let end = start + text[start..].trim_end().len();
    Span::new(start, end)
}

/// What the header looked like, besides its entries.
struct HeaderShape {
    /// The closing `---`, when there is one.
    close: Option<Span>,
    /// The first line that is not `key: value`, a comment or blank.
    first_bad_line: Option<Span>,
}

/// Turns the header pair into entries, reporting lines that are not `key: value`.
fn read_header(
    header: Pair<'_, Rule>,
    entries: &mut Vec<HeaderEntry>,
    diagnostics: &mut Vec<Diagnostic>,
) -> HeaderShape {
    let mut shape = HeaderShape {
        close: None,
        first_bad_line: None,
    };
    for pair in header.into_inner() {
        match pair.as_rule() {
            Rule::header_close => shape.close = Some(trimmed_span(&pair)),
            Rule::header_line => {
                for item in pair.into_inner() {
                    match item.as_rule() {
                        Rule::entry => {
                            if let Some(entry) = header_entry(item, diagnostics) {
                                entries.push(entry);
                            }
                        }
                        Rule::bad_line => {
                            let span = trimmed_span(&item);
                            shape.first_bad_line.get_or_insert(span);
                            diagnostics.push(
                                Diagnostic::new(
                                    &rules::SYNTAX,
                                    format!(
                                        "expected `key: value`, found `{}`",
                                        item.as_str().trim_end()
                                    ),
                                )
                                .at(span)
                                .help("each header line is `key: value`, a `# comment`, or blank"),
                            )
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    shape
}

fn trimmed_span(pair: &Pair<'_, Rule>) -> Span {
    let span = Span::from(pair.as_span());
    Span::new(span.start, span.start + pair.as_str().trim_end().len())
}

fn header_entry(entry: Pair<'_, Rule>, diagnostics: &mut Vec<Diagnostic>) -> Option<HeaderEntry> {
    let mut inner = entry.into_inner();
    let key = inner.next()?;
    let key = Spanned::new(key.as_str().to_owned(), key.as_span().into());
    let value = inner.next()?;
    let value_start = value.as_span().start();
    let errors_before = diagnostics.len();
    if crate::markup::placeholder::has_line_break(value.as_str()) {
        diagnostics.push(
            Diagnostic::new(
                &rules::HEADER_VALUE,
                format!(
                    "`{}`: a template value with a line break cannot go in a header line",
                    key.value
                ),
            )
            .at(trimmed_span(&value))
            .help("header values are one line; remove the line break from the data"),
        );
    }
    let mut parts = value.into_inner();
    let value = match parts.next() {
        Some(part) if part.as_rule() == Rule::quoted => {
            let span = Span::from(part.as_span());
            let text = decode_quoted(part, 0, diagnostics);
            if let Some(junk) = parts.next() {
                diagnostics.push(
                    Diagnostic::new(
                        &rules::SYNTAX,
                        format!(
                            "unexpected `{}` after the quoted value",
                            junk.as_str().trim_end()
                        ),
                    )
                    .at(trimmed_span(&junk))
                    .help("put the whole value inside the quotes"),
                );
            }
            Spanned::new(text, span)
        }
        Some(part) if part.as_rule() == Rule::unterminated => {
            diagnostics.push(unterminated(&part, 0));
            Spanned::new(String::new(), trimmed_span(&part))
        }
        Some(part) => {
            // Template values stay as placeholders until the row's values are filled in.
            let text = part.as_str().trim_end().to_owned();
            Spanned::new(text, trimmed_span(&part))
        }
        None => Spanned::new(String::new(), Span::point(value_start)),
    };
    let broken = diagnostics.len() > errors_before;
    Some(HeaderEntry { key, value, broken })
}

fn unterminated(pair: &Pair<'_, Rule>, offset: usize) -> Diagnostic {
    Diagnostic::new(&rules::SYNTAX, "unterminated string")
        .at(trimmed_span(pair).shifted(offset))
        .help("close the string with `\"` before the end of the line")
}

/// Decodes the JSON escapes of a `quoted` pair; a bad escape is reported at itself.
fn decode_quoted(
    quoted: Pair<'_, Rule>,
    offset: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> String {
    let inner = quoted
        .into_inner()
        .next()
        .expect("quoted has an inner part");
    let start = inner.as_span().start() + offset;
    match crate::markup::escape::decode_json_escapes(inner.as_str()) {
        Ok(text) => text,
        Err((at, len, message)) => {
            diagnostics.push(
                Diagnostic::new(&rules::SYNTAX, message)
                    .at(Span::new(start + at, start + at + len))
                    .help(
                        r#"the escapes in quoted strings are \" \\ \/ \b \f \n \r \t and \uXXXX"#,
                    ),
            );
            String::new()
        }
    }
}

struct BodyBuilder<'d> {
    /// The whole file, for looking behind a mention.
    source: &'d str,
    offset: usize,
    inlines: Vec<Inline>,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl BodyBuilder<'_> {
    /// Whether the `@` at `at` follows a character that glues it to a word
    /// (an ASCII letter or digit, `_`, `-`, `.` or `+`), so it does not mention.
    /// A template value counts as the text it holds (an empty one as nothing).
    fn glued(&self, at: usize) -> bool {
        crate::markup::placeholder::ends_glued(&self.source[self.offset..at]).unwrap_or(false)
    }

    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        Span::from(pair.as_span()).shifted(self.offset)
    }

    fn text(&mut self, text: &str, span: Span) {
        if let Some(Inline::Text(last)) = self.inlines.last_mut() {
            if last.span.end == span.start {
                last.value.push_str(text);
                last.span.end = span.end;
                return;
            }
        }
        self.inlines
            .push(Inline::Text(Spanned::new(text.to_owned(), span)));
    }

    fn piece(&mut self, pair: Pair<'_, Rule>) {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::escape => self.text(&pair.as_str()[1..], span),
            Rule::mention if self.glued(span.start) => self.text(pair.as_str(), span),
            Rule::mention => {
                let id = &pair.as_str()[1..];
                self.inlines
                    .push(Inline::Mention(Spanned::new(id.to_owned(), span)));
            }
            Rule::element => self.element(pair),
            Rule::lookalike => {
                let name = pair
                    .clone()
                    .into_inner()
                    .next()
                    .expect("lookalike has a name");
                let after = &self.source[span.end..];
                let line = &after[..after.find(['\n', ']']).unwrap_or(after.len())];
                if let Some(problem) = lookalike(name.as_str(), self.span(&name), line) {
                    self.diagnostics.push(problem);
                }
                self.text(pair.as_str(), span);
            }
            // A value's placeholder, filled in per row (see `shape`).
            Rule::value_run => self.text(pair.as_str(), span),
            Rule::EOI => {}
            _ => self.text(pair.as_str(), span),
        }
    }

    fn element(&mut self, pair: Pair<'_, Rule>) {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().expect("an element has a name");
        let kind = ElementKind::from_name(name.as_str()).expect("the grammar lists the names");
        let kind = Spanned::new(kind, self.span(&name));
        let errors_before = self.diagnostics.len();
        let mut args = Vec::new();
        for part in inner {
            match part.as_rule() {
                Rule::arg => args.push(self.arg(part)),
                // An unterminated string already explains the missing `]`.
                Rule::element_end
                    if part.as_str().is_empty() && self.diagnostics.len() == errors_before =>
                {
                    self.diagnostics.push(
                    Diagnostic::new(
                        &rules::SYNTAX,
                        format!("unclosed element `[{}`", kind.value.name()),
                    )
                    .at(span)
                    .help("close the element with `]` on the same line; to write a literal `[`, use `\\[`"),
                    )
                }
                _ => {}
            }
        }
        let broken = self.diagnostics.len() > errors_before;
        self.inlines.push(Inline::Element(Element {
            kind,
            args,
            span,
            broken,
        }));
    }

    fn arg(&mut self, pair: Pair<'_, Rule>) -> Arg {
        let span = self.span(&pair);
        let mut key = None;
        let mut value = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::arg_key => {
                    key = Some(Spanned::new(part.as_str().to_owned(), self.span(&part)))
                }
                Rule::arg_value => {
                    let inner = part.into_inner().next().expect("a value has one form");
                    let value_span = self.span(&inner);
                    let parsed = match inner.as_rule() {
                        Rule::quoted => {
                            ArgValue::Quoted(decode_quoted(inner, self.offset, self.diagnostics))
                        }
                        Rule::unterminated => {
                            self.diagnostics.push(unterminated(&inner, self.offset));
                            ArgValue::Quoted(String::new())
                        }
                        _ if inner.as_str().contains(VALUE_START) => {
                            ArgValue::Data(inner.as_str().to_owned())
                        }
                        _ => ArgValue::Bare(inner.as_str().to_owned()),
                    };
                    value = Some(Spanned::new(parsed, value_span));
                }
                _ => {}
            }
        }
        Arg { key, value, span }
    }
}

/// A warning for `[fcae 6]`: a bracketed word one or two edits from an element name
/// (or one in the wrong case, `[Face`). To keep ordinary words quiet, the word has
/// at least three letters, `at` is matched only by case, and a two-edit match must
/// keep the name's first letter (`[fcea` warns, `[life` does not).
#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Vec<Inline> {
        let (document, diagnostics) = parse(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        document.body
    }

    fn texts(inlines: &[Inline]) -> Vec<String> {
        inlines
            .iter()
            .map(|inline| match inline {
                Inline::Text(t) => format!("T:{}", t.value),
                Inline::Value(v) => format!("V:{}", v.value),
                Inline::Mention(m) => format!("M:{}", m.value),
                Inline::Element(e) => format!("E:{}", e.kind.value.name()),
            })
            .collect()
    }

    #[test]
    fn mention_boundaries() {
        assert_eq!(texts(&body("大家好@tommy")), ["T:大家好", "M:tommy"]);
        assert_eq!(
            texts(&body("first.last@example.com")),
            ["T:first.last@example.com"]
        );
        assert_eq!(texts(&body("a@@b")), ["T:a@", "M:b"]);
        assert_eq!(texts(&body("@tommy@x hi")), ["M:tommy", "T:@x hi"]);
        assert_eq!(texts(&body("x\\_@tommy")), ["T:x_@tommy"]);
        assert_eq!(texts(&body("(@all)")), ["T:(", "M:all", "T:)"]);
        assert_eq!(texts(&body("@ alone")), ["T:@ alone"]);
    }

    #[test]
    fn brackets_that_are_not_elements_stay_text() {
        assert_eq!(
            texts(&body("[Notice] [1/3] [face6]")),
            ["T:[Notice] [1/3] [face6]"]
        );
        assert_eq!(texts(&body("a[face 6]b")), ["T:a", "E:face", "T:b"]);
    }

    #[test]
    fn escapes_follow_commonmark() {
        assert_eq!(
            texts(&body(r"\@tommy \[face 6] \\ \a")),
            [r"T:@tommy [face 6] \ \a"]
        );
    }

    #[test]
    fn header_and_trimming() {
        let (document, diagnostics) = parse("---\ngroup: g\n# c\n\nk: \"a#b\"\n---\n\n\n  hi \n\n");
        assert!(diagnostics.is_empty());
        assert_eq!(document.header.len(), 2);
        assert_eq!(document.header[1].value.value, "a#b");
        assert_eq!(texts(&document.body), ["T:  hi"]);
    }

    #[test]
    fn unclosed_things_are_reported() {
        let (_, diagnostics) = parse("---\ngroup: g\n");
        assert_eq!(diagnostics[0].message, "the header is never closed");
        let (_, diagnostics) = parse("[face 6\nnext [at \"x]");
        let messages: Vec<_> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            ["unclosed element `[face`", "unterminated string"],
            "an unterminated string is not also reported as an unclosed element"
        );
    }
}
