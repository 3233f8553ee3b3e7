//! `timl check`: files and folders in, every problem of every file on standard output,
//! a summary line, and the outcome.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::config::{CheckConfig, Format, InputPath, Online};
use super::input::write_stdout;
use super::outcome::Outcome;
use super::preflight::{self, read_all, Asking, Input};
use super::printer::Printer;
use super::send::environment;
use crate::check::facts::GroupFacts;
use crate::compile::batch::compile_input;
use crate::diag::render::{self, Colour};
use crate::error::Error;
use crate::send::config_file::config_paths;
use crate::send::credentials;
use crate::send::sender::Sender;

/// The rate and retries of `check --online`'s questions (those of `send`'s defaults).
const DEFAULT_RATE: f64 = 200.0;
const DEFAULT_RETRIES: u32 = 4;

pub(super) fn check(config: CheckConfig) -> Result<Outcome, Error> {
    let mut files = Vec::new();
    // A file reached twice (named twice, or through links) is checked once.
    let mut seen = HashSet::new();
    let mut empty_folders = 0;
    let mut first_time =
        |path: &Path| seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()));
    for input in &config.inputs {
        match input {
            InputPath::Stdin => files.push(InputPath::Stdin),
            InputPath::File(path) if path.is_dir() => {
                let mut found = Vec::new();
                collect_inputs(path, &mut found)?;
                if found.is_empty() {
                    // A folder named to be checked that holds nothing is a mistake (a
                    // wrong path, files not generated yet), never a pass.
                    empty_folders += 1;
                    status!(
                        "error: `{}` holds nothing to check: no .timl, .json or .jsonl file",
                        render::printable(&path.display().to_string())
                    );
                }
                found.sort();
                for file in found {
                    if first_time(&file) {
                        files.push(InputPath::File(file));
                    }
                }
            }
            InputPath::File(path) => {
                if first_time(path) {
                    files.push(InputPath::File(path.clone()));
                }
            }
        }
    }
    if files.is_empty() {
        return Ok(Outcome::InputProblems);
    }
    let inputs = read_all(&files, &config.options)?;
    let mut options = config.options.clone();
    if let Some(online) = &config.online {
        match ask_online(&inputs, &config, online)? {
            Ok(facts) => options.facts = facts.map(Arc::new),
            Err(outcome) => return Ok(outcome),
        }
    }
    let colour = Colour::for_stream(&io::stdout());
    let mut printer = Printer::new(config.format, colour);
    for input in &inputs {
        compile_input(
            &input.name,
            &input.bytes,
            input.kind,
            &input.dir,
            &config.variables,
            &options,
            &mut |compiled| {
                let mut out = String::new();
                for diagnostic in &compiled.diagnostics {
                    if let Some(text) = printer.print(diagnostic) {
                        out.push_str(&text);
                    }
                }
                write_stdout(out.as_bytes())
            },
        )?;
        write_stdout(printer.end_input().as_bytes())?;
    }
    let tally = printer.tally;
    if config.format == Format::Human {
        let noun = if files.len() == 1 { "file" } else { "files" };
        let result = render::summary(tally, colour).unwrap_or_else(|| "no problems".to_owned());
        write_stdout(format!("checked {} {noun}: {result}\n", files.len()).as_bytes())?;
    }
    let failed =
        tally.errors > 0 || empty_folders > 0 || (config.deny_warnings && tally.warnings > 0);
    Ok(if failed {
        Outcome::InputProblems
    } else {
        Outcome::Success
    })
}

/// `--online`: what the server says of the groups (sending nothing), or the outcome
/// of a run that could not ask.
fn ask_online(
    inputs: &[Input],
    config: &CheckConfig,
    online: &Online,
) -> Result<Result<Option<GroupFacts>, Outcome>, Error> {
    let found = credentials::find(&online.credentials, &environment, &config_paths())?;
    let credentials = found.complete()?;
    let binding = crate::send::journal::Binding::of(&credentials);
    status!(
        "asking as app {} at {}",
        binding.sdkappid,
        crate::diag::render::printable(&binding.host)
    );
    let sender = Sender::new(credentials);
    let asking = Asking {
        check_members: online.check_members,
        rate: DEFAULT_RATE,
        retries: DEFAULT_RETRIES,
    };
    Ok(
        preflight::facts(inputs, &config.variables, &config.options, &sender, asking)?
            .map_err(|error| preflight::failed(&error)),
    )
}

/// Every `.timl`, `.json` and `.jsonl` file below `dir`, but partials (names
/// starting with `_`). Links to files are followed; links to folders are not (as
/// ripgrep and fd do), so a link to `..` or two links into each other's folders
/// cannot make the walk loop. Only regular files are taken: reading a FIFO would
/// wait forever.
fn collect_inputs(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), Error> {
    let read_error = |source| Error::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let path = entry.path();
        let partial = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('_'));
        if partial {
            // `_footer.timl` and the like are included by other templates.
            continue;
        }
        // The entry itself: a link is not followed here.
        let kind = entry.file_type().map_err(read_error)?;
        if kind.is_dir() {
            collect_inputs(&path, found)?;
            continue;
        }
        let input = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("timl" | "json" | "jsonl")
        );
        // A link counts when it leads to a file; a dangling one, or one in a loop of
        // links, leads nowhere.
        let file = kind.is_file()
            || (kind.is_symlink() && std::fs::metadata(&path).is_ok_and(|m| m.is_file()));
        if input && file {
            found.push(path);
        }
    }
    Ok(())
}
