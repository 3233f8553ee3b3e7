//! The data row a diagnostic came from, for a template compiled once per row.

use std::fmt;
use std::sync::Arc;

/// Which row of a `--data` file produced a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRow {
    /// The data file as the user named it.
    pub file: Arc<str>,
    /// 1-based row number (the header row of a CSV file is no row).
    pub number: usize,
    /// 1-based line of the row in the file, or 0 when unknown (a JSON array item).
    pub line: usize,
}

impl fmt::Display for DataRow {
    /// `in row 3 of rows.csv (line 4)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "in row {} of {}", self.number, self.file)?;
        if self.line > 0 {
            write!(f, " (line {})", self.line)?;
        }
        Ok(())
    }
}

/// `n` with a comma between each three digits: `4,997`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_name_their_file_and_line() {
        let row = DataRow {
            file: Arc::from("rows.csv"),
            number: 3,
            line: 4,
        };
        assert_eq!(row.to_string(), "in row 3 of rows.csv (line 4)");
        let item = DataRow { line: 0, ..row };
        assert_eq!(item.to_string(), "in row 3 of rows.csv");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4997), "4,997");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
