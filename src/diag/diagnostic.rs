//! The one diagnostic type: a rule, a message, where, and a help line.
//!
//! Stages create diagnostics with a byte [`Span`] into the text they read, or with a
//! JSON path into the message (the checks see only the message). The public entry
//! points resolve both into a [`Location`] once; `render` then prints them.

use super::data_row::DataRow;
use super::rules::Rule;
use super::severity::Severity;
use super::span::{LineIndex, Span};

/// How many characters of a long source line are shown before the span, and from
/// it: a diagnostic shows a window of its line, never the whole of a long one.
pub(crate) const WINDOW: (usize, usize) = (60, 120);

/// Where a diagnostic points, once resolved against its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it (`<stdin>` for standard input).
    pub file: String,
    /// 1-based line of the first character.
    pub line: usize,
    /// 1-based column (in characters) of the first character.
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column just past the last character.
    pub end_column: usize,
    /// The text of `line` around the span, for the caret display (long lines are
    /// cut to a window).
    pub source_line: String,
    /// The column of the first character of `source_line`.
    pub source_column: usize,
}

/// One problem found in an input.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The rule that was broken.
    pub rule: &'static Rule,
    /// The severity: the rule's, unless a caller raised it.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it, when there is something useful to say.
    pub help: Option<String>,
    /// Byte span in the text the stage read; resolved into `location`.
    pub span: Option<Span>,
    /// JSON path into the message (`MsgBody[2].MsgContent.Index`) for rule checks.
    pub path: Option<String>,
    /// The resolved position, filled in at the public entry points.
    pub location: Option<Box<Location>>,
    /// Context added by the caller.
    pub notes: Vec<String>,
    /// The data row that produced the message, in a batch.
    pub row: Option<Box<DataRow>>,
}

impl Diagnostic {
    /// A diagnostic of `rule` with its own severity. A message over 1,000 characters
    /// (one quoting a huge value) keeps its start and end.
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: shortened(message.into()),
            help: None,
            span: None,
            path: None,
            location: None,
            notes: Vec::new(),
            row: None,
        }
    }

    /// Points the diagnostic at a span of the source.
    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// Points the diagnostic at a JSON path of the message.
    pub fn at_path(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    /// Points the diagnostic at line `line` of `file`, a file whose text is not at
    /// hand (a data file read as a stream): no source line is shown.
    pub fn at_line(mut self, file: &str, line: usize) -> Diagnostic {
        self.location = Some(Box::new(Location {
            file: file.to_owned(),
            line,
            column: 1,
            end_line: line,
            end_column: 1,
            source_line: String::new(),
            source_column: 1,
        }));
        self
    }

    /// Adds a help line (shortened as a message is).
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(shortened(help.into()));
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Fills in `location` from `span` against `text`, the file called `file`.
    pub fn resolve(&mut self, file: &str, index: &LineIndex<'_>) {
        let Some(span) = self.span else {
            self.location = Some(Box::new(Location {
                file: file.to_owned(),
                line: 0,
                column: 0,
                end_line: 0,
                end_column: 0,
                source_line: String::new(),
                source_column: 1,
            }));
            return;
        };
        let (start, end) = index.span_line_cols(span);
        // Long lines are shown as a window around the span.
        let (source_line, source_column) = index.window(span.start, WINDOW.0, WINDOW.1);
        self.location = Some(Box::new(Location {
            file: file.to_owned(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            source_line: source_line.to_owned(),
            source_column,
        }));
    }
}

/// The most characters of a message or help line. They quote what they are about (a
/// value, a key, serde's words about a string), and that may be megabytes long: what
/// a diagnostic prints stays bounded whatever the input.
const MAX_TEXT: usize = 1000;

/// `text`, or for a text over [`MAX_TEXT`] characters, its start and its end (where
/// serde says what it expected) around a note of how much was left out.
fn shortened(text: String) -> String {
    const HEAD: usize = 700;
    const TAIL: usize = 200;
    if text.len() <= MAX_TEXT || text.char_indices().nth(MAX_TEXT).is_none() {
        return text;
    }
    let head = text.char_indices().nth(HEAD).map_or(0, |(at, _)| at);
    let tail = text
        .char_indices()
        .rev()
        .nth(TAIL - 1)
        .map_or(0, |(at, _)| at);
    let left_out = text[head..tail].chars().count();
    format!(
        "{} [... {left_out} characters left out ...] {}",
        &text[..head],
        &text[tail..]
    )
}

/// Counts of a set of diagnostics by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
}

impl Tally {
    /// Counts `diagnostics`.
    pub fn of<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Tally {
        let mut tally = Tally::default();
        for diagnostic in diagnostics {
            tally.add(diagnostic);
        }
        tally
    }

    /// Counts one more diagnostic.
    pub fn add(&mut self, diagnostic: &Diagnostic) {
        match diagnostic.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Note => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::rules;

    #[test]
    fn long_messages_keep_their_start_and_end() {
        let short = "x".repeat(MAX_TEXT);
        assert_eq!(Diagnostic::new(&rules::JSON, short.clone()).message, short);
        let quoted = format!(
            "invalid type: string \"{}\", expected u32",
            "é".repeat(1 << 20)
        );
        let left_out = quoted.chars().count() - 900;
        let d = Diagnostic::new(&rules::JSON, quoted).help("é".repeat(5000));
        assert!(d.message.starts_with("invalid type: string \"ééé"));
        assert!(d.message.ends_with("éé\", expected u32"));
        let note = format!(" [... {left_out} characters left out ...] ");
        assert!(d.message.contains(&note), "{}", d.message);
        assert!(d.message.chars().count() < MAX_TEXT);
        assert!(d.help.unwrap().chars().count() < MAX_TEXT);
    }
}
