//! Run: a [`Command`] in, files read and written, an [`Outcome`] out.
//!
//! This is the only module that touches the file system and the standard streams.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::compile::{compile_file, InputKind};
use crate::config::{CheckConfig, Command, CompileConfig, Format, InputPath};
use crate::diagnostic::{Diagnostic, Tally};
use crate::error::Error;
use crate::render::{self, Colour};

/// How a command that ran to the end went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was fine.
    Success,
    /// The input has errors (or warnings under `--deny-warnings`).
    InputProblems,
}

/// Runs `command`.
pub fn run(command: Command) -> Result<Outcome, Error> {
    match command {
        Command::Compile(config) => compile(config),
        Command::Check(config) => check(config),
    }
}

fn compile(config: CompileConfig) -> Result<Outcome, Error> {
    let (name, bytes) = read_input(&config.input)?;
    let kind = input_kind(&config.input, &name);
    let results = compile_file(&name, &bytes, kind, &config.options);
    let colour = Colour::for_terminal(io::stderr().is_terminal());
    let mut stderr = io::stderr().lock();
    let mut tally = Tally::default();
    for diagnostic in results.iter().flat_map(|r| &r.diagnostics) {
        tally.add(diagnostic);
        let _ = stderr.write_all(render::human(diagnostic, colour).as_bytes());
    }
    if tally.errors > 0 {
        if let Some(summary) = render::summary(tally, colour) {
            let _ = writeln!(stderr, "{summary}: nothing was written");
        }
        return Ok(Outcome::InputProblems);
    }
    let messages = results.into_iter().filter_map(|r| r.message);
    // One request: pretty JSON for review. Several: JSON Lines, one compact request each.
    let json = match kind {
        InputKind::JsonLines => messages.map(|m| m.to_compact_json() + "\n").collect(),
        _ => messages.map(|m| m.to_pretty_json()).collect::<String>(),
    };
    match &config.output {
        Some(path) => write_atomically(path, json.as_bytes())?,
        None => write_stdout(json.as_bytes())?,
    }
    Ok(Outcome::Success)
}

/// Standard input is markup; a file's kind comes from its name.
fn input_kind(input: &InputPath, name: &str) -> InputKind {
    match input {
        InputPath::Stdin => InputKind::Markup,
        InputPath::File(_) => InputKind::of_path(name),
    }
}

fn check(config: CheckConfig) -> Result<Outcome, Error> {
    let mut files = Vec::new();
    for input in &config.inputs {
        match input {
            InputPath::Stdin => files.push(InputPath::Stdin),
            InputPath::File(path) if path.is_dir() => {
                let mut found = Vec::new();
                collect_inputs(path, &mut found)?;
                found.sort();
                files.extend(found.into_iter().map(InputPath::File));
            }
            InputPath::File(path) => files.push(InputPath::File(path.clone())),
        }
    }
    let colour = Colour::for_terminal(io::stdout().is_terminal());
    let mut tally = Tally::default();
    for file in &files {
        let (name, bytes) = read_input(file)?;
        let results = compile_file(&name, &bytes, input_kind(file, &name), &config.options);
        let mut out = String::new();
        for diagnostic in results.iter().flat_map(|r| &r.diagnostics) {
            tally.add(diagnostic);
            out.push_str(&format_diagnostic(diagnostic, config.format, colour));
        }
        write_stdout(out.as_bytes())?;
    }
    if config.format == Format::Human {
        let noun = if files.len() == 1 { "file" } else { "files" };
        let result = render::summary(tally, colour).unwrap_or_else(|| "no problems".to_owned());
        write_stdout(format!("checked {} {noun}: {result}\n", files.len()).as_bytes())?;
    }
    let failed = tally.errors > 0 || (config.deny_warnings && tally.warnings > 0);
    Ok(if failed {
        Outcome::InputProblems
    } else {
        Outcome::Success
    })
}

fn format_diagnostic(diagnostic: &Diagnostic, format: Format, colour: Colour) -> String {
    match format {
        Format::Human => render::human(diagnostic, colour),
        Format::Json => render::json(diagnostic),
    }
}

/// Every `.timl`, `.json` and `.jsonl` file below `dir`.
fn collect_inputs(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), Error> {
    let read_error = |source| Error::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.is_dir() {
            collect_inputs(&path, found)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("timl" | "json" | "jsonl")
        ) {
            found.push(path);
        }
    }
    Ok(())
}

fn read_input(input: &InputPath) -> Result<(String, Vec<u8>), Error> {
    match input {
        InputPath::Stdin => {
            let mut bytes = Vec::new();
            io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|source| Error::Read {
                    path: PathBuf::from("<stdin>"),
                    source,
                })?;
            Ok(("<stdin>".to_owned(), bytes))
        }
        InputPath::File(path) => {
            let bytes = std::fs::read(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            Ok((path.display().to_string(), bytes))
        }
    }
}

fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::Write {
            path: PathBuf::from("<stdout>"),
            source,
        })
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside it, renamed
/// over it once complete.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let write_error = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // Keep the permissions of the file being replaced; a new file gets the usual
    // 0644 (less the umask), not the temporary file's private 0600.
    let permissions = std::fs::metadata(path)
        .map(|metadata| metadata.permissions())
        .ok()
        .or_else(default_permissions);
    let mut builder = tempfile::Builder::new();
    if let Some(permissions) = permissions {
        builder.permissions(permissions);
    }
    let mut temp = builder.tempfile_in(dir).map_err(write_error)?;
    temp.write_all(bytes).map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    temp.persist(path).map_err(|e| write_error(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}
