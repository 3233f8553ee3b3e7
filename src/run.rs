//! Run: a [`Command`] in, files read and written, an [`Outcome`] out.
//!
//! This is the only module that touches the file system and the standard streams.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::compile::batch::{compile_input, OutputShape};
use crate::compile::InputKind;
use crate::config::{CheckConfig, Command, CompileConfig, Format, InputPath};
use crate::diag::{Diagnostic, Severity, Tally};
use crate::error::Error;
use crate::diag::render::{self, Colour};

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
    // Messages go to a temporary file beside the output file (in the temporary folder
    // for standard output, a FIFO or a device): written whole, and only when every
    // message compiled.
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
    // A file reached twice (named twice, or through links) is checked once.
    let mut seen = HashSet::new();
    let mut first_time =
        |path: &Path| seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()));
    for input in &config.inputs {
        match input {
            InputPath::Stdin => files.push(InputPath::Stdin),
            InputPath::File(path) if path.is_dir() => {
                let mut found = Vec::new();
                collect_inputs(path, &mut found)?;
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

/// Where `-o` sends the output, decided before anything is compiled.
enum Destination {
    /// Standard output: no `-o`, or `-o -`.
    Stdout,
    /// A regular file, or a new one: replaced whole by renaming a temporary file over
    /// `target`, the end of the symlink chain at `shown` (the link stays a link).
    Replace { shown: PathBuf, target: PathBuf },
    /// A FIFO, a device or another file that is not regular: written into, because
    /// renaming over it would replace it (as root, `-o /dev/null` would turn
    /// /dev/null into a regular file).
    Into(PathBuf),
}

impl Destination {
    fn of(path: Option<&Path>) -> Result<Destination, Error> {
        let Some(path) = path.filter(|path| *path != Path::new("-")) else {
            return Ok(Destination::Stdout);
        };
        let write_error = |source| Error::Write {
            path: path.to_owned(),
            source,
        };
        let replace = |target| Destination::Replace {
            shown: path.to_owned(),
            target,
        };
        // `metadata` follows links as the kernel does (`/dev/stdout` included).
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_file() => {
                let linked = std::fs::symlink_metadata(path)
                    .is_ok_and(|metadata| metadata.file_type().is_symlink());
                Ok(replace(if linked {
                    std::fs::canonicalize(path).map_err(write_error)?
                } else {
                    path.to_owned()
                }))
            }
            // Directories too: opening one for writing fails, and nothing is written.
            Ok(_) => Ok(Destination::Into(path.to_owned())),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                Ok(replace(chain_end(path).map_err(write_error)?))
            }
            Err(error) => Err(write_error(error)),
        }
    }

    /// The path errors name: the one the user gave.
    fn shown(&self) -> PathBuf {
        match self {
            Destination::Stdout => PathBuf::from("<stdout>"),
            Destination::Replace { shown, .. } => shown.clone(),
            Destination::Into(path) => path.clone(),
        }
    }
}

/// Where the symlink chain at `path` ends, for a path that does not lead to an
/// existing file: `path` itself, or the missing file a dangling link names (created
/// there, as a shell's `>` would).
fn chain_end(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_owned();
    // The kernel's own limit on links followed in a path.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                // A relative link is relative to its folder; `join` keeps an absolute one.
                current = match current.parent() {
                    Some(parent) => parent.join(link),
                    None => link,
                };
            }
            Ok(_) => return Ok(current),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Compiled messages on their way to the output: kept in a temporary file (beside a
/// regular output file, in the temporary folder otherwise) and moved into place,
/// or copied to standard output or into a special file, only once every message has
/// compiled.
struct PendingOutput {
    destination: Destination,
    temp: io::BufWriter<tempfile::NamedTempFile>,
    /// The first message (compact JSON, and the message), held back: alone it is
    /// written as pretty JSON.
    first: Option<(String, Option<crate::message::Message>)>,
    count: usize,
}

impl PendingOutput {
    fn new(path: Option<&Path>) -> Result<PendingOutput, Error> {
        let destination = Destination::of(path)?;
        let temp = match &destination {
            Destination::Replace { shown, target } => temp_beside(shown, target)?,
            Destination::Stdout | Destination::Into(_) => {
                tempfile::NamedTempFile::new().map_err(|source| Error::Write {
                    path: std::env::temp_dir(),
                    source,
                })?
            }
        };
        Ok(PendingOutput {
            destination,
            temp: io::BufWriter::with_capacity(1 << 16, temp),
            first: None,
            count: 0,
        })
    }

    fn write_error(&self, source: io::Error) -> Error {
        Error::Write {
            path: self.destination.shown(),
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
    fn finish(mut self, shape: OutputShape) -> Result<(), Error> {
        if let Some((json, message)) = self.first.take() {
            match (shape, message) {
                (OutputShape::Single, Some(message)) => {
                    let pretty = message.to_pretty_json();
                    self.temp
                        .write_all(pretty.as_bytes())
                        .map_err(|e| self.write_error(e))?;
                }
                _ => self.write_line(&json)?,
            }
        }
        let shown = self.destination.shown();
        let write_error = |source| Error::Write {
            path: shown.clone(),
            source,
        };
        let temp = self
            .temp
            .into_inner()
            .map_err(|e| write_error(e.into_error()))?;
        match &self.destination {
            Destination::Replace { target, .. } => commit(temp, &shown, target),
            Destination::Stdout => copy(&temp, &mut io::stdout().lock()).map_err(write_error),
            // Opened only now, with every message compiled: a FIFO's reader gets all
            // or nothing. No truncation: a FIFO or a device has nothing to cut.
            Destination::Into(path) => std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut file| copy(&temp, &mut file))
                .map_err(write_error),
        }
    }
}

/// Copies the finished temporary file into `sink`.
fn copy(temp: &tempfile::NamedTempFile, sink: &mut dyn Write) -> io::Result<()> {
    let mut file = temp.reopen()?;
    io::copy(&mut file, sink)?;
    sink.flush()
}

/// A temporary file beside `target` (where `shown` leads), with the permissions
/// `target` has (0644 less the umask for a new file, not the temporary file's
/// private 0600).
fn temp_beside(shown: &Path, target: &Path) -> Result<tempfile::NamedTempFile, Error> {
    let write_error = |source| Error::Write {
        path: shown.to_owned(),
        source,
    };
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(target)
        .map(|metadata| metadata.permissions())
        .ok()
        .or_else(default_permissions);
    let mut builder = tempfile::Builder::new();
    if let Some(permissions) = permissions {
        builder.permissions(permissions);
    }
    builder.tempfile_in(dir).map_err(write_error)
}

/// Moves a finished temporary file over `target` (where `shown` leads).
fn commit(temp: tempfile::NamedTempFile, shown: &Path, target: &Path) -> Result<(), Error> {
    let write_error = |source| Error::Write {
        path: shown.to_owned(),
        source,
    };
    temp.as_file().sync_all().map_err(write_error)?;
    temp.persist(target).map_err(|e| write_error(e.error))?;
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
