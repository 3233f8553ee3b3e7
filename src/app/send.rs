//! The `send` and `usersig` commands: compile every input first (nothing is sent if
//! any has an error), then deliver, report and map the outcome to an exit code.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, IsTerminal, Seek, Write};
use std::path::PathBuf;

use serde_json::json;

use super::config::{Format, SendConfig};
use super::input::{input_dir, input_kind, read_input, write_stdout};
use super::outcome::Outcome;
use super::printer::Printer;
use crate::compile::batch::compile_input;
use crate::diag::render::{self, printable, Colour};
use crate::error::Error;
use crate::message::random::RandomChoice;
use crate::send::config_file::config_paths;
use crate::send::credentials::{self, Credentials, Found};
use crate::send::deliver::{deliver_all, Report, Status};
use crate::send::journal::Journal;
use crate::send::redact::Redactor;
use crate::send::sender::{describe, Delivery, Sender};

pub(super) fn environment(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `timl send`.
pub(super) fn send(config: SendConfig) -> Result<Outcome, Error> {
    if config.journal.is_some() && config.options.random == RandomChoice::Fresh {
        return Err(Error::Usage(
            "--fresh-random cannot go with --journal: every run would make new messages, and a re-run would send them all again".to_owned(),
        ));
    }
    let found = credentials::find(&config.credentials, &environment, &config_paths())?;
    // A dry run needs no credentials (it shows placeholders); a real send needs all.
    let credentials = if config.dry_run {
        None
    } else {
        Some(found.clone().complete()?)
    };
    let redactor = Redactor::for_auth(found.auth.as_ref());
    send_with(&config, &found, credentials, &redactor).map_err(|error| redacted(error, &redactor))
}

/// `error` with any secret taken out of its text: everything timl prints goes
/// through the redactor once it knows the secrets.
fn redacted(error: Error, redactor: &Redactor) -> Error {
    let path = |path: PathBuf| PathBuf::from(redactor.redact(&path.to_string_lossy()));
    match error {
        Error::Usage(message) => Error::Usage(redactor.redact(&message)),
        Error::Read { path: file, source } => Error::Read {
            path: path(file),
            source,
        },
        Error::Write { path: file, source } => Error::Write {
            path: path(file),
            source,
        },
    }
}

/// `timl send` once the credentials are known (`None` for a dry run).
fn send_with(
    config: &SendConfig,
    found: &Found,
    credentials: Option<Credentials>,
    redactor: &Redactor,
) -> Result<Outcome, Error> {
    // The journal is opened, locked and checked before anything else, so that a run
    // that cannot use it (another run has it, or it is not a journal) stops at once,
    // before compiling, and certainly before sending. A dry run does not touch it.
    let journal = match (&config.journal, config.dry_run) {
        (Some(path), false) => Some(Journal::open(path)?),
        _ => None,
    };
    // Every message is compiled and checked before anything is sent; the requests
    // wait in a temporary file, so a million rows take no memory.
    let colour = Colour::for_terminal(io::stderr().is_terminal());
    let mut printer = Printer::new(Format::Human, colour);
    let temp = tempfile::tempfile().map_err(|source| Error::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let mut requests = io::BufWriter::new(temp);
    let mut total = 0usize;
    for input in &config.inputs {
        let (name, bytes) = read_input(input)?;
        compile_input(
            &name,
            &bytes,
            input_kind(input, &name),
            &input_dir(input),
            &config.variables,
            &config.options,
            &mut |compiled| {
                let mut shown = String::new();
                for diagnostic in &compiled.diagnostics {
                    if let Some(text) = printer.print(diagnostic) {
                        shown.push_str(&text);
                    }
                }
                if !shown.is_empty() {
                    let _ = io::stderr().write_all(redactor.redact(&shown).as_bytes());
                }
                if let Some(json) = compiled.compact_json() {
                    total += 1;
                    writeln!(requests, "{json}").map_err(|source| Error::Write {
                        path: std::env::temp_dir(),
                        source,
                    })?;
                }
                Ok(())
            },
        )?;
    }
    if printer.tally.errors > 0 {
        if let Some(summary) = render::summary(printer.tally, colour) {
            eprintln!("{summary}: nothing was sent");
        }
        return Ok(Outcome::InputProblems);
    }
    let mut temp = requests.into_inner().map_err(|e| Error::Write {
        path: std::env::temp_dir(),
        source: e.into_error(),
    })?;
    temp.rewind().map_err(|source| Error::Read {
        path: std::env::temp_dir(),
        source,
    })?;
    let lines = BufReader::new(temp).lines().map_while(Result::ok);
    let Some(credentials) = credentials else {
        for line in lines {
            let shown = describe(
                &found.endpoint,
                found.sdkappid,
                found.identifier.as_deref(),
                &json_safe(&line),
            );
            write_stdout(format!("{}\n", redactor.redact(&shown)).as_bytes())?;
        }
        let missing = found.missing();
        let needs = if missing.is_empty() {
            String::new()
        } else {
            format!(" (a real send also needs {})", missing.join(", "))
        };
        eprintln!("dry run: {total} request(s) shown, nothing sent{needs}");
        return Ok(Outcome::Success);
    };
    let sender = Sender::new(credentials);
    let progress = (io::stderr().is_terminal() && total > 1 && config.format == Format::Human)
        .then(|| indicatif::ProgressBar::new(total as u64));
    let mut summary = Summary::default();
    deliver_all(&sender, lines, &config.deliver, journal, &mut |report| {
        summary.add(&report);
        // The server's texts are redacted where they are read; the rest of a report
        // (the group comes from the data) is redacted here.
        let redact = |text: &str| sender.redact(text);
        match config.format {
            Format::Json => {
                let json = json_safe(&report_json(&report, &redact).to_string());
                let _ = write_stdout(format!("{json}\n").as_bytes());
            }
            Format::Human => {
                // Server texts and names from the data are shown, never obeyed.
                if let Some(line) = report_line(&report).map(|line| printable(&redact(&line))) {
                    match &progress {
                        Some(bar) => bar.println(line),
                        None => eprintln!("{line}"),
                    }
                }
            }
        }
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    })?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    eprintln!("{}", summary.line());
    Ok(summary.outcome())
}

/// Counts of a run's results.
#[derive(Debug, Default)]
struct Summary {
    delivered: usize,
    refused: BTreeMap<i64, usize>,
    dropped: usize,
    unreachable: usize,
    skipped: usize,
    uncertain: usize,
}

impl Summary {
    fn add(&mut self, report: &Report) {
        match &report.status {
            Status::Sent(Delivery::Delivered { .. }) => self.delivered += 1,
            Status::Sent(Delivery::Refused { code, .. }) => {
                *self.refused.entry(*code).or_default() += 1
            }
            Status::Sent(Delivery::Dropped { .. }) => self.dropped += 1,
            Status::Sent(Delivery::Unreachable { .. }) => self.unreachable += 1,
            Status::Sent(Delivery::Uncertain { .. }) => self.uncertain += 1,
            Status::AlreadyDelivered => self.skipped += 1,
        }
    }

    fn line(&self) -> String {
        let refused: usize = self.refused.values().sum();
        let codes: Vec<String> = self
            .refused
            .iter()
            .map(|(code, n)| format!("{code} x{n}"))
            .collect();
        let mut parts = vec![format!("{} delivered", self.delivered)];
        if refused > 0 {
            parts.push(format!("{refused} refused ({})", codes.join(", ")));
        }
        if self.dropped > 0 {
            parts.push(format!("{} dropped by the server", self.dropped));
        }
        if self.unreachable > 0 {
            parts.push(format!("{} could not reach the server", self.unreachable));
        }
        if self.skipped > 0 {
            parts.push(format!("{} skipped (done in an earlier run)", self.skipped));
        }
        if self.uncertain > 0 {
            parts.push(format!(
                "{} held back (sent over five minutes ago with no outcome; --resend-uncertain sends them)",
                self.uncertain
            ));
        }
        parts.join(", ")
    }

    fn outcome(&self) -> Outcome {
        if self.unreachable > 0 || self.uncertain > 0 {
            Outcome::Unreachable
        } else if !self.refused.is_empty() || self.dropped > 0 {
            Outcome::Refused
        } else {
            Outcome::Success
        }
    }
}

fn report_line(report: &Report) -> Option<String> {
    let which = format!(
        "message {} to {} (Random {})",
        report.index + 1,
        report.group,
        report.random
    );
    match &report.status {
        Status::Sent(Delivery::Delivered { .. }) | Status::AlreadyDelivered => None,
        Status::Sent(Delivery::Refused {
            code,
            info,
            explanation,
        }) => Some(format!(
            "refused: {which}: error {code}: {explanation} (server: {info})"
        )),
        Status::Sent(Delivery::Dropped { reason }) => Some(format!(
            "not delivered: {which}: the server dropped it ({reason})"
        )),
        Status::Sent(Delivery::Unreachable { reason, .. }) => {
            Some(format!("unreachable: {which}: {reason}"))
        }
        Status::Sent(Delivery::Uncertain { age }) => Some(format!(
            "held back: {which}: sent {age} s ago and may have arrived; the server drops repeats only for five minutes"
        )),
    }
}

/// One result as a JSON object; every string in it through `redact` (redacting
/// strings, not the serialized text, keeps it valid JSON).
fn report_json(report: &Report, redact: &dyn Fn(&str) -> String) -> serde_json::Value {
    let mut object = json!({
        "index": report.index,
        "group": redact(&report.group),
        "random": report.random,
        "key": report.key,
    });
    let fields = match &report.status {
        Status::Sent(Delivery::Delivered { seq, time }) => {
            json!({"status": "delivered", "seq": seq, "time": time})
        }
        Status::Sent(Delivery::Refused {
            code,
            info,
            explanation,
        }) => {
            json!({"status": "refused", "code": code, "info": redact(info), "explanation": explanation})
        }
        Status::Sent(Delivery::Dropped { reason }) => {
            json!({"status": "dropped", "reason": redact(reason)})
        }
        Status::Sent(Delivery::Unreachable {
            reason,
            maybe_arrived,
        }) => {
            json!({"status": "unreachable", "reason": redact(reason), "maybe_arrived": maybe_arrived})
        }
        Status::Sent(Delivery::Uncertain { age }) => {
            json!({"status": "held", "reason": format!("sent {age} s ago and may have arrived")})
        }
        Status::AlreadyDelivered => {
            json!({"status": "skipped", "reason": "delivered in an earlier run"})
        }
    };
    if let (Some(object), serde_json::Value::Object(fields)) = (object.as_object_mut(), fields) {
        object.extend(fields);
    }
    object
}

/// `json` (JSON text) with the characters that [`printable`] would show as stand-ins
/// and that serde writes as they are (DEL, C1 controls, bidirectional controls, line
/// separators) written as `\uXXXX` escapes: the same JSON value, safe on a terminal.
/// They can only occur inside strings, where an escape means the same.
fn json_safe(json: &str) -> String {
    if json.is_ascii() && !json.contains('\u{7f}') {
        return json.to_owned();
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if stands_in(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether [`printable`] shows `c` as a stand-in (a unit test keeps the two in step);
/// C0 controls are left out, serde escapes them.
fn stands_in(c: char) -> bool {
    matches!(c,
        '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_safe_escapes_exactly_what_printable_would_replace() {
        for code in (0x20..0x3000).chain(0xfeff..0xff00) {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let replaced = printable(&c.to_string()) != c.to_string();
            assert_eq!(stands_in(c), replaced, "U+{code:04X}");
        }
        let json = serde_json::json!({"info": "a\u{1b}[31m\u{9b}b\u{202e}c\u{7f}\r"}).to_string();
        let safe = json_safe(&json);
        assert_eq!(safe, r#"{"info":"a\u001b[31m\u009bb\u202ec\u007f\r"}"#);
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back.to_string(), json);
    }
}
