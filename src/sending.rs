//! The `send` and `usersig` commands: compile every input first (nothing is sent if
//! any has an error), then deliver, report and map the outcome to an exit code.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, IsTerminal, Seek, Write};

use serde_json::json;

use crate::batch::compile_input;
use crate::config::{Format, SendConfig, UsersigConfig};
use crate::credentials::{self, Auth};
use crate::deliver::{deliver_all, Report, Status};
use crate::error::Error;
use crate::random::RandomChoice;
use crate::render::{self, Colour};
use crate::run::{input_dir, input_kind, read_input, write_stdout, Outcome, Printer};
use crate::send::{Delivery, Sender};
use crate::usersig;

fn environment(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `timl send`.
pub fn send(config: SendConfig) -> Result<Outcome, Error> {
    if config.deliver.journal.is_some() && config.options.random == RandomChoice::Fresh {
        return Err(Error::Usage(
            "--fresh-random cannot go with --journal: every run would make new messages, and a re-run would send them all again".to_owned(),
        ));
    }
    let credentials = credentials::resolve(
        &config.credentials,
        &environment,
        &credentials::config_paths(),
        !config.dry_run,
    )?;
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
                printer.print_to_stderr(&compiled.diagnostics);
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
    let sender = Sender::new(credentials);
    if config.dry_run {
        for line in lines {
            write_stdout(format!("{}\n", sender.describe(&line)).as_bytes())?;
        }
        eprintln!("dry run: {total} request(s) shown, nothing sent");
        return Ok(Outcome::Success);
    }
    let progress = (io::stderr().is_terminal() && total > 1 && config.format == Format::Human)
        .then(|| indicatif::ProgressBar::new(total as u64));
    let mut summary = Summary::default();
    deliver_all(&sender, lines, &config.deliver, &mut |report| {
        summary.add(&report);
        // The server's texts are redacted where they are read; the rest of a report
        // (the group comes from the data) is redacted here.
        let redact = |text: &str| sender.redact(text);
        match config.format {
            Format::Json => {
                let _ = write_stdout(format!("{}\n", report_json(&report, &redact)).as_bytes());
            }
            Format::Human => {
                if let Some(line) = report_line(&report).map(|line| redact(&line)) {
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

/// `timl usersig`.
pub fn usersig(config: UsersigConfig) -> Result<Outcome, Error> {
    let credentials = credentials::resolve(
        &config.credentials,
        &environment,
        &credentials::config_paths(),
        true,
    )?;
    let Auth::SecretKey(key) = &credentials.auth else {
        return Err(Error::Usage(
            "`timl usersig` signs with the secret key: pass --secret-key-file or set TIM_SECRET_KEY".to_owned(),
        ));
    };
    let usersig = usersig::sign(
        key.expose(),
        credentials.sdkappid,
        &credentials.identifier,
        usersig::now(),
        config.expire,
    );
    write_stdout(format!("{usersig}\n").as_bytes())?;
    Ok(Outcome::Success)
}
