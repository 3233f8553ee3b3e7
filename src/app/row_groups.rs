//! The same diagnostic from many rows of a batch, printed once: the printer shows
//! the first in full, counts the rest, and at the end of the input says in how many
//! more rows it came and which (`... and in 4,997 more rows: 3, 4, 5, ...`). 5,000
//! rows that share a problem print a screenful, not 45,000 lines.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use crate::diag::Diagnostic;

/// At most this many different diagnostics are grouped for one input; any beyond
/// them are printed in full, so memory stays bounded however many rows differ.
const MOST_GROUPS: usize = 1000;

/// How many of the later rows' numbers are listed.
pub(super) const ROWS_LISTED: usize = 10;

/// One diagnostic met in several rows.
pub(super) struct RowGroup {
    /// The first, as printed.
    pub(super) first: Diagnostic,
    /// How many later rows had it.
    pub(super) more: usize,
    /// The first [`ROWS_LISTED`] of those rows' numbers.
    pub(super) rows: Vec<usize>,
}

/// The groups of one input.
#[derive(Default)]
pub(super) struct RowGroups {
    index: HashMap<u64, usize>,
    groups: Vec<RowGroup>,
    keys: RandomState,
}

impl RowGroups {
    /// True when `diagnostic` (from a row) repeats one printed for an earlier row:
    /// it is counted here instead of printed.
    pub(super) fn is_repeat(&mut self, diagnostic: &Diagnostic) -> bool {
        let Some(row) = &diagnostic.row else {
            return false;
        };
        let fingerprint = self.fingerprint(diagnostic);
        if let Some(&at) = self.index.get(&fingerprint) {
            let group = &mut self.groups[at];
            group.more += 1;
            if group.rows.len() < ROWS_LISTED {
                group.rows.push(row.number);
            }
            return true;
        }
        if self.groups.len() < MOST_GROUPS {
            self.index.insert(fingerprint, self.groups.len());
            self.groups.push(RowGroup {
                first: diagnostic.clone(),
                more: 0,
                rows: Vec::new(),
            });
        }
        false
    }

    /// The groups met more than once, in the order first met; the input is done.
    pub(super) fn take(&mut self) -> Vec<RowGroup> {
        self.index.clear();
        let groups = std::mem::take(&mut self.groups);
        groups.into_iter().filter(|group| group.more > 0).collect()
    }

    /// Everything but the row: the rule, the words, the place (unless it is the
    /// row's line), the data file.
    fn fingerprint(&self, diagnostic: &Diagnostic) -> u64 {
        let mut hasher = self.keys.build_hasher();
        diagnostic.rule.name.hash(&mut hasher);
        diagnostic.severity.hash(&mut hasher);
        diagnostic.message.hash(&mut hasher);
        diagnostic.help.hash(&mut hasher);
        diagnostic.path.hash(&mut hasher);
        diagnostic.notes.hash(&mut hasher);
        let row_file = diagnostic.row.as_ref().map(|row| &*row.file);
        row_file.hash(&mut hasher);
        // A place in the data file is the row's own line: every row has another.
        if let Some(l) = diagnostic
            .location
            .as_ref()
            .filter(|l| Some(&*l.file) != row_file)
        {
            (&l.file, l.line, l.column, l.end_line, l.end_column).hash(&mut hasher);
        }
        hasher.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{rules, DataRow};

    fn from_row(message: &str, number: usize) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(&rules::TEMPLATE, message);
        diagnostic.row = Some(Box::new(DataRow {
            file: "rows.csv".into(),
            number,
            line: number + 1,
        }));
        diagnostic
    }

    #[test]
    fn repeats_are_counted_with_their_first_rows() {
        let mut groups = RowGroups::default();
        assert!(!groups.is_repeat(&from_row("a", 1)));
        assert!(!groups.is_repeat(&from_row("b", 1)));
        for number in 2..=5000 {
            assert!(groups.is_repeat(&from_row("a", number)));
        }
        assert!(!groups.is_repeat(&Diagnostic::new(&rules::TEMPLATE, "a")));
        let taken = groups.take();
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].more, 4999);
        assert_eq!(taken[0].rows, (2..12).collect::<Vec<_>>());
        assert!(groups.take().is_empty());
    }

    #[test]
    fn groups_are_bounded() {
        let mut groups = RowGroups::default();
        for n in 0..MOST_GROUPS + 10 {
            groups.is_repeat(&from_row(&n.to_string(), 1));
        }
        assert!(!groups.is_repeat(&from_row(&(MOST_GROUPS + 5).to_string(), 2)));
        assert!(groups.is_repeat(&from_row("0", 2)));
    }
}
