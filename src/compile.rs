//! The public entry points: a file's bytes in, a checked [`Message`] and every
//! diagnostic (resolved to `file:line:col`) out.
//!
//! ```text
//! bytes --utf8--> text --parse--> Document --lower--> Message --random--> --check--> Compiled
//! ```
//!
//! A `.json` request skips parse and lower; its diagnostics are located through the
//! JSON paths the checks name.

use crate::check::{self, CheckOptions, DEFAULT_MAX_BYTES};
use crate::diagnostic::{Diagnostic, Severity};
use crate::group::GroupType;
use crate::json_input;
use crate::lower::lower;
use crate::message::Message;
use crate::parse::parse;
use crate::random::{self, RandomChoice};
use crate::rules;
use crate::span::{LineIndex, Span};

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
}

impl Default for Options {
    fn default() -> Options {
        Options {
            group: None,
            group_type: None,
            random: RandomChoice::Derived,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// What an input is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// timl markup (`.timl`, or anything not `.json`).
    Markup,
    /// A compiled request body (`.json`).
    Json,
}

impl InputKind {
    /// The kind a file name implies.
    pub fn of_path(name: &str) -> InputKind {
        if name.to_ascii_lowercase().ends_with(".json") {
            InputKind::Json
        } else {
            InputKind::Markup
        }
    }
}

/// The result of compiling one input.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The request body, when there were no errors.
    pub message: Option<Message>,
    /// Every problem found, located, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Compiles the bytes of the file called `name`.
pub fn compile_bytes(name: &str, bytes: &[u8], kind: InputKind, options: &Options) -> Compiled {
    match std::str::from_utf8(bytes) {
        Ok(text) => match kind {
            InputKind::Markup => compile_markup(name, text, options),
            InputKind::Json => compile_json(name, text, options),
        },
        Err(error) => {
            let at = error.valid_up_to();
            let shown = String::from_utf8_lossy(bytes);
            // Lossy decoding keeps every valid byte before `at` in place.
            let mut diagnostic = Diagnostic::new(
                &rules::ENCODING,
                format!(
                    "the file is not valid UTF-8 (byte 0x{:02X} at offset {at})",
                    bytes[at]
                ),
            )
            .at(Span::new(at, at + 1))
            .help("save the file as UTF-8");
            diagnostic.resolve(name, &LineIndex::new(&shown));
            Compiled {
                message: None,
                diagnostics: vec![diagnostic],
            }
        }
    }
}

/// Compiles timl markup.
pub fn compile_markup(name: &str, text: &str, options: &Options) -> Compiled {
    // A UTF-8 byte-order mark is not part of the text (editors on Windows add it).
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let (document, mut diagnostics) = parse(text);
    let (lowered, more) = lower(&document);
    diagnostics.extend(more);
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
    finish(
        name,
        text,
        lowered.message,
        &checks,
        diagnostics,
        options,
        locate,
    )
}

/// Checks a compiled request body.
pub fn compile_json(name: &str, text: &str, options: &Options) -> Compiled {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let locate = |path: &str| Some(json_input::locate(text, path));
    match json_input::read_message(text) {
        Ok(message) => {
            let checks = CheckOptions {
                group_type: options.group_type,
                max_bytes: options.max_bytes,
                partial_body: false,
            };
            finish(name, text, message, &checks, Vec::new(), options, locate)
        }
        Err(diagnostic) => finish_diagnostics(name, text, None, vec![*diagnostic], locate),
    }
}

fn finish(
    name: &str,
    text: &str,
    mut message: Message,
    checks: &CheckOptions,
    mut diagnostics: Vec<Diagnostic>,
    options: &Options,
    locate: impl Fn(&str) -> Option<Span>,
) -> Compiled {
    if let Some(group) = &options.group {
        message.group_id = Some(group.clone());
    }
    random::apply(&mut message, options.random);
    diagnostics.extend(check::check(&message, checks));
    finish_diagnostics(name, text, Some(message), diagnostics, locate)
}

fn finish_diagnostics(
    name: &str,
    text: &str,
    message: Option<Message>,
    mut diagnostics: Vec<Diagnostic>,
    locate: impl Fn(&str) -> Option<Span>,
) -> Compiled {
    let index = LineIndex::new(text);
    for diagnostic in &mut diagnostics {
        if diagnostic.span.is_none() {
            diagnostic.span = diagnostic.path.as_deref().and_then(&locate);
        }
        diagnostic.resolve(name, &index);
    }
    // File order; notes after the problems they explain.
    diagnostics.sort_by_key(|d| {
        let location = d.location.as_ref().expect("just resolved");
        (d.severity == Severity::Note, location.line, location.column)
    });
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    Compiled {
        message: if failed { None } else { message },
        diagnostics,
    }
}
