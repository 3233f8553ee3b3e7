//! The printer: diagnostics formatted once (human or JSON lines), counted, and a
//! repeated note given once.

use std::io::{self, Write};

use super::config::Format;
use crate::diag::render::{self, Colour};
use crate::diag::{Diagnostic, Severity, Tally};

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

    pub(crate) fn new_input(&mut self) {
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
