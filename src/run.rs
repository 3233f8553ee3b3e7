//! Run: a [`Command`] in, files read and written, an [`Outcome`] out.
//!
//! This is the only module that touches the file system and the standard streams.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::batch::{compile_input, Shape};
use crate::compile::InputKind;
use crate::config::{CheckConfig, Command, CompileConfig, Format, InputPath};
use crate::diagnostic::{Diagnostic, Severity, Tally};
use crate::error::Error;
use crate::render::{self, Colour};

/// How a command that ran to the end went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was fine.
    Success,
    /// The input has errors (or warnings under `--deny-warnings`).
    InputProblems,
    /// The server refused at least one message.
    Refused,
    /// The server could not be reached for at least one message.
    Unreachable,
}

/// Runs `command`.
pub fn run(command: Command) -> Result<Outcome, Error> {
    match command {
        Command::Compile(config) => compile(config),
        Command::Check(config) => check(config),
        Command::Send(config) => crate::sending::send(config),
        Command::Usersig(config) => crate::sending::usersig(config),
    }
}

fn compile(config: CompileConfig) -> Result<Outcome, Error> {
    let (name, bytes) = read_input(&config.input)?;
    let kind = input_kind(&config.input, &name);
    let colour = Colour::for_terminal(io::stderr().is_terminal());
    let mut printer = Printer::new(Format::Human, colour);
    // Messages go to a temporary file beside the output (or in the temporary folder
    // for standard output): written whole, and only when every message compiled.
    let mut output = PendingOutput::new(config.output.as_deref())?;
    let shape = compile_input(
        &name,
        &bytes,
        kind,
        &input_dir(&config.input),
        &config.variables,
        &config.options,
        &mut |compiled| {
            printer.print_to_stderr(&compiled.diagnostics);
            if let (Some(json), 0) = (compiled.compact_json(), printer.tally.errors) {
                output.push(json, compiled.message)?;
            }
            Ok(())
        },
    )?;
    if printer.tally.errors > 0 {
        if let Some(summary) = render::summary(printer.tally, colour) {
            let _ = writeln!(io::stderr(), "{summary}: nothing was written");
        }
        return Ok(Outcome::InputProblems);
    }
    output.finish(shape)?;
    Ok(Outcome::Success)
}

/// Standard input is markup; a file's kind comes from its name.
pub(crate) fn input_kind(input: &InputPath, name: &str) -> InputKind {
    match input {
        InputPath::Stdin => InputKind::Markup,
        InputPath::File(_) => InputKind::of_path(name),
    }
}

/// Where includes are read from: the template's folder (the current one for
/// standard input).
pub(crate) fn input_dir(input: &InputPath) -> PathBuf {
    match input {
        InputPath::File(path) => match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        },
        InputPath::Stdin => PathBuf::from("."),
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
    let mut printer = Printer::new(config.format, colour);
    for file in &files {
        let (name, bytes) = read_input(file)?;
        printer.new_input();
        compile_input(
            &name,
            &bytes,
            input_kind(file, &name),
            &input_dir(file),
            &config.variables,
            &config.options,
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
    }
    let tally = printer.tally;
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

/// Formats diagnostics and counts them; a note already given for an input (the same
/// rule and message, as for every row of a batch) is counted but not repeated.
pub(crate) struct Printer {
    format: Format,
    colour: Colour,
    pub(crate) tally: Tally,
    notes_given: Vec<(&'static str, String)>,
}

impl Printer {
    pub(crate) fn new(format: Format, colour: Colour) -> Printer {
        Printer {
            format,
            colour,
            tally: Tally::default(),
            notes_given: Vec::new(),
        }
    }

    fn new_input(&mut self) {
        self.notes_given.clear();
    }

    /// Prints `diagnostics` to standard error as they come.
    pub(crate) fn print_to_stderr(&mut self, diagnostics: &[Diagnostic]) {
        let mut stderr = io::stderr().lock();
        for diagnostic in diagnostics {
            if let Some(text) = self.print(diagnostic) {
                let _ = stderr.write_all(text.as_bytes());
            }
        }
    }

    pub(crate) fn print(&mut self, diagnostic: &Diagnostic) -> Option<String> {
        self.tally.add(diagnostic);
        if diagnostic.severity == Severity::Note {
            let key = (diagnostic.rule.name, diagnostic.message.clone());
            if self.notes_given.contains(&key) {
                return None;
            }
            self.notes_given.push(key);
        }
        Some(match self.format {
            Format::Human => render::human(diagnostic, self.colour),
            Format::Json => render::json(diagnostic),
        })
    }
}

/// Every `.timl`, `.json` and `.jsonl` file below `dir`, but partials (names
/// starting with `_`).
fn collect_inputs(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), Error> {
    let read_error = |source| Error::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        let partial = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('_'));
        if partial {
            // `_footer.timl` and the like are included by other templates.
            continue;
        } else if path.is_dir() {
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

pub(crate) fn read_input(input: &InputPath) -> Result<(String, Vec<u8>), Error> {
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

pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::Write {
            path: PathBuf::from("<stdout>"),
            source,
        })
}

/// Compiled messages on their way to the output: kept in a temporary file beside it
/// (in the temporary folder for standard output) and moved into place, or copied to
/// standard output, only once every message has compiled.
struct PendingOutput<'p> {
    path: Option<&'p Path>,
    temp: io::BufWriter<tempfile::NamedTempFile>,
    /// The first message (compact JSON, and the message), held back: alone it is
    /// written as pretty JSON.
    first: Option<(String, Option<crate::message::Message>)>,
    count: usize,
}

impl<'p> PendingOutput<'p> {
    fn new(path: Option<&'p Path>) -> Result<PendingOutput<'p>, Error> {
        let temp = match path {
            Some(path) => temp_beside(path)?,
            None => tempfile::NamedTempFile::new().map_err(|source| Error::Write {
                path: std::env::temp_dir(),
                source,
            })?,
        };
        Ok(PendingOutput {
            path,
            temp: io::BufWriter::with_capacity(1 << 16, temp),
            first: None,
            count: 0,
        })
    }

    fn write_error(&self, source: io::Error) -> Error {
        Error::Write {
            path: self
                .path
                .map_or_else(|| PathBuf::from("<stdout>"), Path::to_owned),
            source,
        }
    }

    /// Adds a message, given as compact JSON (a line of the output, unless it stays
    /// the only one).
    fn push(
        &mut self,
        json: String,
        message: Option<crate::message::Message>,
    ) -> Result<(), Error> {
        self.count += 1;
        if self.count == 1 {
            self.first = Some((json, message));
            return Ok(());
        }
        if let Some((first, _)) = self.first.take() {
            self.write_line(&first)?;
        }
        self.write_line(&json)
    }

    fn write_line(&mut self, json: &str) -> Result<(), Error> {
        self.temp
            .write_all(json.as_bytes())
            .and_then(|()| self.temp.write_all(b"\n"))
            .map_err(|e| self.write_error(e))
    }

    /// Writes the output: a single message as pretty JSON (unless the input is a
    /// batch), otherwise JSON Lines.
    fn finish(mut self, shape: Shape) -> Result<(), Error> {
        if let Some((json, message)) = self.first.take() {
            match (shape, message) {
                (Shape::Single, Some(message)) => {
                    let pretty = message.to_pretty_json();
                    self.temp
                        .write_all(pretty.as_bytes())
                        .map_err(|e| self.write_error(e))?;
                }
                _ => self.write_line(&json)?,
            }
        }
        let temp = self.temp.into_inner().map_err(|e| Error::Write {
            path: PathBuf::from("<output>"),
            source: e.into_error(),
        })?;
        match self.path {
            Some(path) => commit(temp, path),
            None => {
                let mut file = temp.reopen().map_err(|source| Error::Write {
                    path: PathBuf::from("<stdout>"),
                    source,
                })?;
                let mut stdout = io::stdout().lock();
                io::copy(&mut file, &mut stdout)
                    .and_then(|_| stdout.flush())
                    .map(|_| ())
                    .map_err(|source| Error::Write {
                        path: PathBuf::from("<stdout>"),
                        source,
                    })
            }
        }
    }
}

/// A temporary file beside `path`, with the permissions `path` has (0644 less the
/// umask for a new file, not the temporary file's private 0600).
fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile, Error> {
    let write_error = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path)
        .map(|metadata| metadata.permissions())
        .ok()
        .or_else(default_permissions);
    let mut builder = tempfile::Builder::new();
    if let Some(permissions) = permissions {
        builder.permissions(permissions);
    }
    builder.tempfile_in(dir).map_err(write_error)
}

/// Moves a finished temporary file over `path`.
fn commit(temp: tempfile::NamedTempFile, path: &Path) -> Result<(), Error> {
    let write_error = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
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
