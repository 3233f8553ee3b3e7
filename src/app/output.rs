//! `-o`: compiled messages written whole or not at all, into the right kind of file.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::config::{InputPath, Variables};
use super::input::{input_dir, input_kind};
use crate::compile::batch::OutputShape;
use crate::compile::InputKind;
use crate::error::Error;

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

/// Refuses an `-o` that names a file this run reads, before anything is read or
/// written: the input, the `--vars` and `--data` files, and (for a template) any
/// `.timl` file of the template's folder, which an include may read. Replacing one
/// would destroy it, and with it what the output was made from. "Names" is "is the
/// same file": through symbolic links, hard links and any spelling of the path.
pub(super) fn refuse_an_input(
    output: Option<&Path>,
    input: &InputPath,
    variables: &Variables,
) -> Result<(), Error> {
    let Some(output) = output.filter(|path| *path != Path::new("-")) else {
        return Ok(());
    };
    // An output that does not exist yet is no input.
    let Some(written) = FileId::of(output) else {
        return Ok(());
    };
    let refuse = |what: &str, input: &Path| {
        Err(Error::Usage(format!(
            "-o `{}` is {what} `{}`, which this run reads: writing the output there would destroy it; name another file",
            output.display(),
            input.display()
        )))
    };
    let template = match input {
        InputPath::File(path) => Some(path.as_path()),
        InputPath::Stdin => None,
    };
    for (what, path) in [
        ("the input", template),
        ("the variables file", variables.vars_file.as_deref()),
        ("the data file", variables.data.as_deref()),
    ] {
        if let Some(path) = path.filter(|path| FileId::of(path).as_ref() == Some(&written)) {
            return refuse(what, path);
        }
    }
    let name = template.map_or(String::new(), |path| path.display().to_string());
    let folder = input_dir(input);
    if input_kind(input, &name) == InputKind::Markup && includable(&folder, output) {
        return refuse(
            "a template that an include may read, in the folder",
            &folder,
        );
    }
    Ok(())
}

/// Whether `path` is a file an include of a template in `folder` could read: a
/// `.timl` file whose real path is below the folder's (as the include loader has it).
fn includable(folder: &Path, path: &Path) -> bool {
    let (Ok(folder), Ok(real)) = (folder.canonicalize(), path.canonicalize()) else {
        return false;
    };
    real.starts_with(folder)
        && real.is_file()
        && real.extension().and_then(|e| e.to_str()) == Some("timl")
}

/// What makes two paths one file: its device and inode (its real path where there
/// are none), whatever links lead to it.
#[derive(Debug, PartialEq, Eq)]
struct FileId(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] PathBuf);

impl FileId {
    /// The file `path` leads to, if there is one.
    fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let metadata = std::fs::metadata(path).ok()?;
            Some(FileId((metadata.dev(), metadata.ino())))
        }
        #[cfg(not(unix))]
        {
            path.canonicalize().ok().map(FileId)
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
pub(super) struct PendingOutput {
    destination: Destination,
    temp: io::BufWriter<tempfile::NamedTempFile>,
    /// The first message (compact JSON, and the message), held back: alone it is
    /// written as pretty JSON.
    first: Option<(String, Option<crate::message::Message>)>,
    count: usize,
}

impl PendingOutput {
    pub(super) fn new(path: Option<&Path>) -> Result<PendingOutput, Error> {
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
    pub(super) fn push(
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
    pub(super) fn finish(mut self, shape: OutputShape) -> Result<(), Error> {
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
        self.commit()
    }

    /// Writes `bytes` (a whole document, such as a preview page) and commits them.
    pub(super) fn finish_with(mut self, bytes: &[u8]) -> Result<(), Error> {
        self.temp
            .write_all(bytes)
            .map_err(|e| self.write_error(e))?;
        self.commit()
    }

    /// Moves what was written into place: renamed over a regular file, copied to
    /// standard output or into a FIFO or a device.
    fn commit(self) -> Result<(), Error> {
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
            Destination::Stdout if io::stdout().is_terminal() => {
                copy_shown(&temp, &mut io::stdout().lock()).map_err(write_error)
            }
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

/// Copies the finished temporary file onto a terminal: a value's control, bidi and
/// invisible characters become JSON escapes (`\u009b`), the same JSON value, so the
/// terminal shows them rather than obeys them. Files and pipes get the exact bytes.
fn copy_shown(temp: &tempfile::NamedTempFile, sink: &mut dyn Write) -> io::Result<()> {
    let mut lines = io::BufReader::new(temp.reopen()?);
    let mut line = String::new();
    while lines.read_line(&mut line)? > 0 {
        sink.write_all(crate::diag::render::json_safe(&line).as_bytes())?;
        line.clear();
    }
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
