//! `timl send`: compile every input first (nothing is sent if any has an error), then
//! deliver, report and map the outcome to an exit code.

use std::io::{self, BufRead, BufReader, IsTerminal, Seek, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::config::{Format, SendConfig};
use super::input::write_stdout;
use super::outcome::Outcome;
use super::preflight::{self, read_all, Asking, Input};
use super::printer::Printer;
use super::repeats::Repeats;
use super::report::{said, Summary};
use crate::compile::batch::compile_input;
use crate::compile::Options;
use crate::diag::render::{self, json_safe, printable, Colour};
use crate::error::Error;
use crate::message::random::RandomChoice;
use crate::send::config_file::config_paths;
use crate::send::credentials::{self, Credentials, Found};
use crate::send::deliver::deliver_all;
use crate::send::journal::Binding;
use crate::send::journal::Journal;
use crate::send::redact::Redactor;
use crate::send::sender::{describe, Sender};

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
        // A fixed text and the system's own message.
        Error::System { .. } => error,
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
        (Some(path), false) => {
            let mut journal = Journal::open(path)?;
            // Another app's or host's journal is refused before anything is sent.
            if let Some(credentials) = &credentials {
                journal.bind(&Binding::of(credentials))?;
            }
            Some(journal)
        }
        _ => None,
    };
    let inputs = read_all(&config.inputs, &config.options)?;
    if let Some(credentials) = &credentials {
        // Where the secrets go, said before they go.
        let binding = Binding::of(credentials);
        status!(
            "sending as app {} to {}",
            binding.sdkappid,
            crate::diag::render::printable(&binding.host)
        );
    }
    let sender = credentials.map(Sender::new);
    // The server is asked about the groups first (a dry run asks nothing).
    let mut options = config.options.clone();
    if let (Some(sender), true) = (&sender, config.preflight) {
        let asking = Asking {
            check_members: config.check_members,
            rate: config.deliver.rate,
            retries: config.deliver.retries,
        };
        match preflight::facts(&inputs, &config.variables, &options, sender, asking)? {
            Ok(facts) => options.facts = facts.map(Arc::new),
            Err(error) => return Ok(preflight::failed(&error)),
        }
    }
    let Some(requests) = compile_all(&inputs, config, &options, redactor)? else {
        return Ok(Outcome::InputProblems);
    };
    match sender {
        None => dry_run(requests, found, redactor),
        Some(sender) => deliver(requests, config, sender, journal),
    }
}

/// The compiled requests of a run, waiting in a temporary file (so a million rows
/// take no memory).
struct Requests {
    file: std::fs::File,
    total: usize,
}

impl Requests {
    /// The requests, one compact JSON body each.
    fn lines(mut self) -> Result<impl Iterator<Item = String> + Send, Error> {
        self.file.rewind().map_err(|source| Error::Read {
            path: std::env::temp_dir(),
            source,
        })?;
        Ok(BufReader::new(self.file).lines().map_while(Result::ok))
    }
}

/// Compiles and checks every message of every input before anything is sent; `None`
/// when any has an error (they are printed, with the summary).
fn compile_all(
    inputs: &[Input],
    config: &SendConfig,
    options: &Options,
    redactor: &Redactor,
) -> Result<Option<Requests>, Error> {
    let temp_error = |source| Error::Write {
        path: std::env::temp_dir(),
        source,
    };
    let colour = Colour::for_stream(&io::stderr());
    let mut printer = Printer::new(Format::Human, colour);
    let mut requests = io::BufWriter::new(tempfile::tempfile().map_err(temp_error)?);
    let mut total = 0usize;
    // Messages that must not be sent: they hold a secret, or repeat another.
    let mut refused = 0usize;
    let mut repeats = Repeats::default();
    for input in inputs {
        compile_input(
            &input.name,
            &input.bytes,
            input.kind,
            &input.dir,
            &config.variables,
            options,
            &mut |compiled| {
                let shown: String = compiled
                    .diagnostics
                    .iter()
                    .filter_map(|diagnostic| printer.print(diagnostic))
                    .collect();
                if !shown.is_empty() {
                    let _ = io::stderr().write_all(redactor.redact(&shown).as_bytes());
                }
                if let Some(json) = compiled.compact_json() {
                    total += 1;
                    // A message that would carry the key or the UserSig (a value or an
                    // include put it there) is never sent, nor shown as `***`.
                    if redactor.redact(&json) != json {
                        refused += 1;
                        status!(
                            "error: message {total} holds the secret key or the UserSig; timl does not send it"
                        );
                    }
                    let repeated = compiled
                        .message
                        .as_ref()
                        .and_then(|m| repeats.check(total, m));
                    if let Some(first) = repeated {
                        refused += 1;
                        status!(
                            "error: message {total} has the same group and Random as message {first}: the server keeps the first and silently drops the other; list a message once, and give each message its own Random (leave out `random:` and `--random`)"
                        );
                    }
                    writeln!(requests, "{json}").map_err(temp_error)?;
                }
                Ok(())
            },
        )?;
        let more = printer.end_input();
        if !more.is_empty() {
            let _ = io::stderr().write_all(redactor.redact(&more).as_bytes());
        }
    }
    if printer.tally.errors > 0 || refused > 0 {
        let mut tally = printer.tally;
        tally.errors += refused;
        if let Some(summary) = render::summary(tally, colour) {
            status!("{summary}: nothing was sent");
        }
        return Ok(None);
    }
    let file = requests
        .into_inner()
        .map_err(|error| temp_error(error.into_error()))?;
    Ok(Some(Requests { file, total }))
}

/// `--dry-run`: the requests as they would be sent, nothing sent.
fn dry_run(requests: Requests, found: &Found, redactor: &Redactor) -> Result<Outcome, Error> {
    let total = requests.total;
    for line in requests.lines()? {
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
    status!("dry run: {total} request(s) shown, nothing sent{needs}");
    Ok(Outcome::Success)
}

/// Sends the requests and reports each result as it happens, then the summary.
fn deliver(
    requests: Requests,
    config: &SendConfig,
    sender: Sender,
    journal: Option<Journal>,
) -> Result<Outcome, Error> {
    let progress =
        (io::stderr().is_terminal() && requests.total > 1 && config.format == Format::Human)
            .then(|| indicatif::ProgressBar::new(requests.total as u64));
    let mut summary = Summary::default();
    deliver_all(
        &sender,
        requests.lines()?,
        &config.deliver,
        journal,
        &mut |report| {
            // The server's texts are redacted where they are read; the rest of a report
            // (the group comes from the data) is redacted here.
            let redact = |text: &str| sender.redact(text);
            let said = said(&report, &redact);
            summary.add(&said);
            match config.format {
                Format::Json => {
                    let json = json_safe(&said.json(&report, &redact).to_string());
                    let _ = write_stdout(format!("{json}\n").as_bytes());
                }
                // Server texts and names from the data are shown, never obeyed.
                Format::Human => {
                    if let Some(line) = said.line().map(printable) {
                        match &progress {
                            Some(bar) => bar.println(line),
                            None => status!("{line}"),
                        }
                    }
                }
            }
            if let Some(bar) = &progress {
                bar.inc(1);
            }
        },
    )?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    status!("{}", summary.line());
    Ok(summary.outcome())
}
