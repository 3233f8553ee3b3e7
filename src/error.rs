//! The library's error type: what stops a command before or after the checks.
//! Problems in the input itself are diagnostics, not errors.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a command could not finish.
#[derive(Debug)]
pub enum Error {
    /// The command line does not make sense (exit 2).
    Usage(String),
    /// A file could not be read (exit 3).
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// An output could not be written (exit 3).
    Write {
        /// The file, or `<stdout>`.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The system would not give what the work needs, a thread say (exit 3).
    System {
        /// What was asked for.
        what: &'static str,
        /// Why not.
        source: io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) => f.write_str(message),
            Error::Read { path, source } => write!(f, "cannot read `{}`: {source}", path.display()),
            Error::Write { path, source } => {
                write!(f, "cannot write `{}`: {source}", path.display())
            }
            Error::System { what, source } => write!(f, "cannot {what}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Usage(_) => None,
            Error::Read { source, .. }
            | Error::Write { source, .. }
            | Error::System { source, .. } => Some(source),
        }
    }
}
