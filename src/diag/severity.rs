//! How serious a diagnostic is.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Context only; never fails a run.
    Note,
    /// A likely mistake; fails `check --deny-warnings`.
    Warning,
    /// The server would refuse the message, or the input cannot be read.
    Error,
}

impl Severity {
    /// The word shown to users: `error`, `warning`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
