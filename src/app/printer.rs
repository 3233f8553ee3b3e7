//! The printer: diagnostics formatted once (human or JSON lines), counted, a
//! repeated note given once, and the same diagnostic from many rows of a batch
//! printed once with the count (human only: JSON keeps one object per diagnostic).

use std::io::{self, Write};

use super::config::Format;
use super::row_groups::RowGroups;
use crate::diag::render::{self, Colour};
use crate::diag::{Diagnostic, Severity, Tally};

/// Formats diagnostics and counts them; a note already given for an input (the same
/// rule and message, as for every row of a batch) is counted but not repeated.
pub(crate) struct Printer {
    format: Format,
    colour: Colour,
    pub(crate) tally: Tally,
    notes_given: Vec<(&'static str, String)>,
    row_groups: RowGroups,
}

impl Printer {
    pub(crate) fn new(format: Format, colour: Colour) -> Printer {
        Printer {
            format,
            colour,
            tally: Tally::default(),
            notes_given: Vec::new(),
            row_groups: RowGroups::default(),
        }
    }

    /// Ends an input: what is left to say of it (in how many more rows each
    /// repeated diagnostic came), and a fresh start for the next.
    pub(crate) fn end_input(&mut self) -> String {
        self.notes_given.clear();
        self.row_groups
            .take()
            .iter()
            .map(|group| render::more_rows(&group.first, group.more, &group.rows, self.colour))
            .collect()
    }

    /// Prints `diagnostics` to standard error as they come (`end_input` is left to
    /// the caller).
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
        if self.format == Format::Human && self.row_groups.is_repeat(diagnostic) {
            return None;
        }
        Some(match self.format {
            Format::Human => render::human(diagnostic, self.colour),
            Format::Json => render::json(diagnostic),
        })
    }
}
