//! The public entry points: a file's bytes in, checked [`Message`]s and every
//! diagnostic (resolved to `file:line:col`) out.
//!
//! ```text
//! bytes --utf8--> text --parse--> Document --lower--> Message --random--> --check--> Compiled
//! ```
//!
//! A `.json` request skips parse and lower, and a `.jsonl` file is one request per
//! line; their diagnostics are located through the JSON paths the checks name.

pub mod batch;
pub mod json_input;
pub mod same_message;

use std::ops::Range;
use std::sync::Arc;

use crate::check::facts::{check_facts, GroupFacts};
use crate::check::{self, CheckOptions, DEFAULT_MAX_BYTES, MAX_MAX_BYTES};
use crate::diag::rules;
use crate::diag::{DataRow, Diagnostic, Severity};
use crate::diag::{LineIndex, Span};
use crate::markup::ast::Document;
use crate::markup::lower::{lower, MentionMark};
use crate::markup::parse::parse;
use crate::markup::source::without_bom;
use crate::message::encode::Encoded;
use crate::message::faces::scan::TextPiece;
use crate::message::faces::Catalog;
use crate::message::group::GroupType;
use crate::message::random::{self, RandomChoice};
use crate::message::Message;
use crate::template::shape::{fill_parse, Shaped};
use crate::template::{self, Rendered, Template};

/// Settings from the command line that apply to every input.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--group`: overrides the header's `group:`.
    pub group: Option<String>,
    /// `--group-type`: overrides the header's `type:`.
    pub group_type: Option<GroupType>,
    /// `--random N` / `--fresh-random`.
    pub random: RandomChoice,
    /// `--max-bytes`.
    pub max_bytes: usize,
    /// What the server says of the target groups (a preflight), when it was asked.
    pub facts: Option<Arc<GroupFacts>>,
    /// The emoji and stickers members' apps know (`--faces`; TUIKit's by default).
    pub faces: Arc<Catalog>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            group: None,
            group_type: None,
            random: RandomChoice::Derived,
            max_bytes: DEFAULT_MAX_BYTES,
            facts: None,
            faces: Catalog::shared_builtin(),
        }
    }
}

/// What an input is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// timl markup (`.timl`, or any name not below).
    Markup,
    /// A compiled request body (`.json`).
    Json,
    /// Compiled request bodies, one per line (`.jsonl`).
    JsonLines,
}

impl InputKind {
    /// The kind a file name implies.
    pub fn of_path(name: &str) -> InputKind {
        let name = name.to_ascii_lowercase();
        if name.ends_with(".json") {
            InputKind::Json
        } else if name.ends_with(".jsonl") {
            InputKind::JsonLines
        } else {
            InputKind::Markup
        }
    }
}

/// The result of compiling one input.
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    /// The request body, when there were no errors.
    pub message: Option<Message>,
    /// Every problem found, located, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The request body as compact JSON, when there were no errors (serialized once,
    /// with the checks).
    pub json: Option<String>,
    /// The group type the rules used (given, or the server's), if known.
    pub group_type: Option<GroupType>,
    /// Where each mention's text sits (markup only; empty for `.json` inputs).
    pub marks: Vec<MentionMark>,
    /// The data row it was compiled for, in a batch.
    pub row: Option<DataRow>,
    /// What a batch compares with its other rows' messages.
    pub fingerprints: Option<same_message::Fingerprints>,
    /// `Random` was derived from the message (neither `random:` nor `--random` nor
    /// `--fresh-random`): a batch may derive it again when an earlier row's message
    /// to the same group has it.
    pub random_derived: bool,
}

impl Compiled {
    /// A result with no message.
    pub fn failed(diagnostics: Vec<Diagnostic>) -> Compiled {
        Compiled {
            diagnostics,
            ..Compiled::default()
        }
    }

    /// The request body as one line of compact JSON.
    pub fn compact_json(&self) -> Option<String> {
        self.json
            .clone()
            .or_else(|| self.message.as_ref().map(Message::to_compact_json))
    }

    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Compiles the bytes of the file called `name`: one result for markup and `.json`,
/// one per non-blank line for `.jsonl`.
pub fn compile_file(name: &str, bytes: &[u8], kind: InputKind, options: &Options) -> Vec<Compiled> {
    let cap = input_cap(kind, options.max_bytes);
    if bytes.len() > cap {
        return vec![too_big(name, cap, options)];
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => return vec![not_utf8(name, bytes, error)],
    };
    match kind {
        InputKind::Markup => vec![compile_markup(name, text, options)],
        InputKind::Json => vec![compile_json(name, text, options)],
        InputKind::JsonLines => compile_json_lines(name, text, options),
    }
}

fn not_utf8(name: &str, bytes: &[u8], error: std::str::Utf8Error) -> Compiled {
    let at = error.valid_up_to();
    // Lossy decoding keeps every valid byte before `at` in place, and puts one
    // three-byte U+FFFD where the bad bytes were.
    let shown = String::from_utf8_lossy(bytes);
    let mut diagnostic = Diagnostic::new(
        &rules::ENCODING,
        format!(
            "the file is not valid UTF-8 (byte 0x{:02X} at offset {at})",
            bytes[at]
        ),
    )
    .at(Span::new(at, at + '\u{FFFD}'.len_utf8()))
    .help("save the file as UTF-8");
    diagnostic.resolve(name, &LineIndex::new(&shown));
    Compiled::failed(vec![diagnostic])
}

/// Compiles timl markup (a file without template tags, or one rendered elsewhere).
pub fn compile_markup(name: &str, text: &str, options: &Options) -> Compiled {
    let text = without_bom(text);
    let text = &*crate::markup::source::normalize_line_endings(text);
    let index = LineIndex::new(text);
    let origin = Origin::File {
        name,
        index: &index,
    };
    if let Some(diagnostic) = template::reserved_char(text) {
        return finish_diagnostics(&origin, None, vec![diagnostic], |_| None);
    }
    let cap = markup_cap(options.max_bytes);
    if text.len() > cap {
        return too_big(name, cap, options);
    }
    compile_text(text, &origin, options)
}

/// The most of an input file timl reads: markup and a `.json` request hold one
/// message ([`markup_cap`]); a `.jsonl` file holds many, up to 64 MiB (split a bigger
/// one, or compile its rows from a template with `--data`, which streams).
pub fn input_cap(kind: InputKind, max_bytes: usize) -> usize {
    match kind {
        InputKind::Markup | InputKind::Json => markup_cap(max_bytes),
        InputKind::JsonLines => 64 << 20,
    }
}

/// The error for an input over its cap (of which no more than the cap was read).
pub fn too_big(name: &str, cap: usize, options: &Options) -> Compiled {
    let mut diagnostic = Diagnostic::new(
        &rules::TOO_LONG,
        format!("the file is over {cap} bytes, more than timl reads for it; it stops there"),
    )
    .help(format!(
        "a message body is at most {} bytes of JSON (`--max-bytes`)",
        options.max_bytes
    ));
    diagnostic.resolve(name, &LineIndex::new(""));
    Compiled::failed(vec![diagnostic])
}

/// The most markup (a file, or a template's rendering) timl reads for one message:
/// far more than any message can hold (32 times the body limit, at least 256 KiB),
/// so what is refused is never a message, and reading stays cheap. A limit over
/// [`MAX_MAX_BYTES`] (which the command line refuses; a library caller may pass
/// `usize::MAX` to switch the size rule off) counts as that: the cap stays at most
/// 32 MiB, whatever the limit.
pub fn markup_cap(max_bytes: usize) -> usize {
    max_bytes
        .min(MAX_MAX_BYTES)
        .saturating_mul(32)
        .max(256 * 1024)
}

/// Renders `template` with `context` and compiles the result; diagnostics point at
/// the template's sources.
pub fn compile_template(
    template: &Template,
    context: minijinja::Value,
    options: &Options,
) -> Compiled {
    match template.render(context, markup_cap(options.max_bytes)) {
        Ok(rendered) => {
            let text = without_bom(&rendered.text);
            // Rows of one template mostly share a shape: parse each shape once.
            let shaped = Shaped::new(text, &rendered.values);
            let parsed = template.parse_shape(&shaped.text);
            let (document, diagnostics) = fill_parse(&parsed.0, &parsed.1, &shaped);
            let origin = Origin::Template {
                template,
                rendered: &rendered,
                shaped: &shaped,
                bom: rendered.text.len() - text.len(),
            };
            compile_document(&document, diagnostics, &origin, options)
        }
        Err(diagnostics) => Compiled::failed(diagnostics),
    }
}

/// Where the text being compiled came from, to resolve diagnostics against.
enum Origin<'a> {
    /// A file, as it is.
    File {
        name: &'a str,
        index: &'a LineIndex<'a>,
    },
    /// A rendering of a template (after `bom` bytes of byte-order mark), parsed in
    /// the coordinates of its shape.
    Template {
        template: &'a Template,
        rendered: &'a Rendered<'a>,
        shaped: &'a Shaped<'a>,
        bom: usize,
    },
}

impl Origin<'_> {
    fn resolve(&self, diagnostic: &mut Diagnostic) {
        match self {
            Origin::File { name, index } => diagnostic.resolve(name, index),
            Origin::Template {
                template,
                rendered,
                shaped,
                bom,
            } => {
                let located = diagnostic
                    .span
                    .map(|span| {
                        let start = shaped.rendered_offset(span.start) + bom;
                        let end = shaped.rendered_offset(span.end) + bom;
                        Span::new(start, end.max(start))
                    })
                    .and_then(|span| rendered.locate(span))
                    .and_then(|(name, span)| Some((template.source(name)?, span)));
                match located {
                    Some((source, span)) => {
                        diagnostic.span = Some(span);
                        diagnostic.resolve(&source.path, &LineIndex::new(&source.text));
                    }
                    None => {
                        let source = template.main_source();
                        diagnostic.span = None;
                        diagnostic.resolve(&source.path, &LineIndex::new(&source.text));
                    }
                }
            }
        }
    }
}

fn compile_text(text: &str, origin: &Origin<'_>, options: &Options) -> Compiled {
    let (document, diagnostics) = parse(text);
    compile_document(&document, diagnostics, origin, options)
}

fn compile_document(
    document: &Document,
    mut diagnostics: Vec<Diagnostic>,
    origin: &Origin<'_>,
    options: &Options,
) -> Compiled {
    let (mut lowered, more) = lower(document, &options.faces);
    diagnostics.extend(more);
    // A header read as text leaves the group unset: saying so would only repeat it.
    if diagnostics
        .iter()
        .any(|d| std::ptr::eq(d.rule, &rules::HEADER_IN_BODY))
    {
        lowered.unset_by_errors.push("GroupId");
    }
    let group_type = options.group_type.or(lowered.group_type);
    let spans = &lowered.spans;
    let locate = |path: &str| {
        // A group from `--group` has no place in the file to point at.
        let from_flag = path == "GroupId" && options.group.is_some();
        (!from_flag).then(|| spans.locate(path)).flatten()
    };
    let checks = CheckOptions {
        group_type,
        max_bytes: options.max_bytes,
        partial_body: lowered.partial_body,
    };
    let checked = Checked {
        options: &checks,
        unset_by_errors: &lowered.unset_by_errors,
        texts: &lowered.texts,
    };
    let mut compiled = finish(
        origin,
        lowered.message,
        checked,
        diagnostics,
        options,
        locate,
    );
    compiled.marks = lowered.marks;
    compiled
}

/// Checks a compiled request body.
pub fn compile_json(name: &str, text: &str, options: &Options) -> Compiled {
    let text = without_bom(text);
    compile_json_at(name, &LineIndex::new(text), text, 0..text.len(), options)
}

/// Checks compiled request bodies, one per line; blank lines are skipped.
pub fn compile_json_lines(name: &str, text: &str, options: &Options) -> Vec<Compiled> {
    let text = without_bom(text);
    let index = LineIndex::new(text);
    let mut start = 0;
    let mut out = Vec::new();
    for line in text.split_inclusive('\n') {
        let range = start..start + line.trim_end().len();
        start += line.len();
        if !line.trim().is_empty() {
            out.push(compile_json_at(name, &index, text, range, options));
        }
    }
    out
}

/// Checks the request at `range` of `text`.
fn compile_json_at(
    name: &str,
    index: &LineIndex<'_>,
    text: &str,
    range: Range<usize>,
    options: &Options,
) -> Compiled {
    let offset = range.start;
    let json = &text[range];
    let locate = |path: &str| Some(json_input::locate(json, path).shifted(offset));
    let origin = Origin::File { name, index };
    match json_input::read_message(json) {
        Ok(message) => {
            let checks = CheckOptions {
                group_type: options.group_type,
                max_bytes: options.max_bytes,
                partial_body: false,
            };
            let checked = Checked {
                options: &checks,
                unset_by_errors: &[],
                texts: &[],
            };
            finish(&origin, message, checked, Vec::new(), options, locate)
        }
        Err(diagnostic) => {
            let mut diagnostic = *diagnostic;
            diagnostic.span = diagnostic.span.map(|span| span.shifted(offset));
            finish_diagnostics(&origin, None, vec![diagnostic], locate)
        }
    }
}

/// How to check a message, and which of its fields to leave alone.
struct Checked<'a> {
    options: &'a CheckOptions,
    /// Fields left unset because their values had syntax errors: complaints about
    /// them would only repeat those errors.
    unset_by_errors: &'a [&'static str],
    /// Where each piece of the text elements came from (markup only).
    texts: &'a [TextPiece],
}

fn finish(
    origin: &Origin<'_>,
    mut message: Message,
    checked: Checked<'_>,
    mut diagnostics: Vec<Diagnostic>,
    options: &Options,
    locate: impl Fn(&str) -> Option<Span>,
) -> Compiled {
    if let Some(group) = &options.group {
        message.group_id = Some(group.clone());
    }
    // One serialization serves the derived Random, the size rule and the output.
    let encoded = Encoded::new(&message);
    let derived = options.random == RandomChoice::Derived && message.random.is_none();
    let random = random::choose(message.random, options.random, &encoded);
    message.random = Some(random);
    let unset = |d: &Diagnostic| {
        let path = d.path.as_deref().unwrap_or("");
        checked
            .unset_by_errors
            .iter()
            .any(|field| path.starts_with(field))
    };
    // The server's facts: a missing group, a type that disagrees, non-members; and
    // the group's type for the type rules when the message does not say it.
    let mut checks = *checked.options;
    if let Some(facts) = &options.facts {
        let (found, server_type) = check_facts(&message, checks.group_type, facts);
        diagnostics.extend(found);
        checks.group_type = checks.group_type.or(server_type);
    }
    diagnostics.extend(
        check::check_sized(&message, &checks, encoded.body_bytes())
            .into_iter()
            .filter(|d| !unset(d)),
    );
    diagnostics.extend(check::faces::check_faces(
        &message,
        &options.faces,
        checked.texts,
    ));
    let mut compiled = finish_diagnostics(origin, Some(message), diagnostics, locate);
    compiled.group_type = checks.group_type;
    compiled.random_derived = derived;
    if compiled.message.is_some() {
        compiled.json = Some(encoded.with_random(random));
    }
    compiled
}

/// The most diagnostics one message keeps: a template can make thousands of the
/// same mistake (a loop over a long list), and a batch holds many messages at once.
const MOST_SHOWN: usize = 50;

/// What stands for the diagnostics of a message past [`MOST_SHOWN`]: an error if
/// any of them is one, so that a message is never taken for good.
fn more_problems(first: &Diagnostic, not_shown: &[Diagnostic], origin: &Origin<'_>) -> Diagnostic {
    let mut more = Diagnostic::new(
        first.rule,
        format!(
            "{} more problems in this message are not shown (the first {MOST_SHOWN} are)",
            not_shown.len()
        ),
    )
    .help("fix those shown and check again");
    more.severity = not_shown
        .iter()
        .map(|d| d.severity)
        .max()
        .unwrap_or(first.severity);
    more.span = first.span;
    origin.resolve(&mut more);
    more
}

fn finish_diagnostics(
    origin: &Origin<'_>,
    message: Option<Message>,
    mut diagnostics: Vec<Diagnostic>,
    locate: impl Fn(&str) -> Option<Span>,
) -> Compiled {
    for diagnostic in &mut diagnostics {
        if diagnostic.span.is_none() {
            diagnostic.span = diagnostic.path.as_deref().and_then(&locate);
        }
    }
    // File order (which also keeps resolving linear on long lines); notes after the
    // problems they explain.
    diagnostics.sort_by_key(|d| (d.severity == Severity::Note, d.span.map(|s| s.start)));
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    let not_shown = diagnostics.split_off(diagnostics.len().min(MOST_SHOWN));
    // The room of those not shown goes too: a batch holds many messages at once.
    diagnostics.shrink_to_fit();
    for diagnostic in &mut diagnostics {
        origin.resolve(diagnostic);
    }
    if let Some(first) = not_shown.first() {
        diagnostics.push(more_problems(first, &not_shown, origin));
    }
    Compiled {
        message: if failed { None } else { message },
        diagnostics,
        ..Compiled::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_never_overflow_and_never_lift() {
        assert_eq!(markup_cap(0), 256 * 1024);
        assert_eq!(markup_cap(DEFAULT_MAX_BYTES), 256 * 1024);
        assert_eq!(markup_cap(MAX_MAX_BYTES), 32 << 20);
        // Limits the command line refuses, from a library caller: the cap stays.
        for limit in [MAX_MAX_BYTES + 1, 1 << 59, (1 << 59) - 1, usize::MAX] {
            assert_eq!(markup_cap(limit), 32 << 20, "{limit}");
            assert_eq!(input_cap(InputKind::Markup, limit), 32 << 20, "{limit}");
        }
        assert_eq!(input_cap(InputKind::JsonLines, usize::MAX), 64 << 20);
    }
}
