//! The rows of a CSV data file: a header row names the columns, and each record is
//! a row. A record of another length is an error of its row alone: the records after
//! it are read as usual.

use std::collections::hash_map::{Entry, HashMap};
use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::csv_scan::{CsvScan, Place};
use super::data::{cut, data_error, data_error_at, read_error, Row};
use super::rows::{row_too_long, Each, ROW_CAP};
use super::value_budget::ROW_VALUES;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::markup::source::{without_bom, Meter};

/// The buffer of the CSV reader: how far it may have read past the record it is in,
/// which the record cap allows for.
const CSV_BUFFER: usize = 64 << 10;

/// `header_line` is the file's first line, as far as it was read ahead: where the
/// header's columns are, for diagnostics.
pub(super) fn csv_rows(
    path: &Path,
    reader: impl Read,
    header_line: &str,
    each: &mut Each<'_>,
) -> Result<(), Error> {
    // Every record may take ROW_CAP bytes, counted from its start; the reader's
    // buffer may be ahead of the record by CSV_BUFFER.
    let allowance = (ROW_CAP + CSV_BUFFER) as u64;
    let meter = Meter::new(allowance);
    // The lines of records and a quote open at the end are the scan's: the csv
    // crate's lines are wrong with CRLF, and it closes an open quote silently.
    let scan = CsvScan::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        // A record of another length is checked here, as an error of its row only.
        .flexible(true)
        .buffer_capacity(CSV_BUFFER)
        .from_reader(scan.reader(meter.reader(reader)));
    let headers = match headers(path, &mut reader, &meter, &scan, header_line) {
        Ok(headers) => headers,
        Err(row) => return each(*row),
    };
    let mut record = csv::StringRecord::new();
    let mut number = 0;
    loop {
        number += 1;
        let start = reader.position().clone();
        meter.set_limit(start.byte().saturating_add(allowance));
        let result = reader.read_record(&mut record);
        let bytes = reader.position().byte().saturating_sub(start.byte()) as usize;
        let at = scan.record_at(start.byte());
        let line = at.map_or(start.line() as usize, |at| at.line);
        let unclosed = at.and_then(|at| scan.unclosed_quote(at)).map(|quote| {
            let column = record.len().checked_sub(1).and_then(|i| headers.get(i));
            let column = column.map(String::as_str);
            unclosed_quote(path, number, quote, column)
        });
        match result {
            Ok(false) => return Ok(()),
            Ok(true) if bytes > ROW_CAP => {
                return each(Row::read(
                    number,
                    line,
                    Err(row_too_long(path, number, line)),
                ));
            }
            Ok(true) => {
                let row = if let Some(diagnostic) = unclosed {
                    Row::read(number, line, Err(diagnostic))
                } else if record.len() == headers.len() {
                    // Paired with the column names by whoever compiles it: the names
                    // are not copied into every row waiting to be compiled.
                    Row::csv(number, line, headers.clone(), record.clone())
                } else {
                    Row::read(
                        number,
                        line,
                        Err(ragged(path, line, record.len(), &headers)),
                    )
                };
                each(row.sized(bytes))?;
            }
            Err(_) if meter.is_over() => {
                return each(Row::read(
                    number,
                    line,
                    Err(row_too_long(path, number, line)),
                ));
            }
            Err(error) => {
                let message = match error.kind() {
                    csv::ErrorKind::Io(io) => {
                        let source = std::io::Error::new(io.kind(), io.to_string());
                        return Err(read_error(path, source));
                    }
                    csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_owned(),
                    _ => format!("the row is not valid CSV: {error}"),
                };
                // A quote left open explains the rest of the file better than its bytes.
                let diagnostic = unclosed.unwrap_or_else(|| data_error(path, line, message));
                // The reader has passed the record: the next one is read as usual.
                each(Row::read(number, line, Err(diagnostic)).sized(bytes))?;
            }
        }
    }
}

/// The header row's column names, or the row (row 0) that says why there are none.
fn headers(
    path: &Path,
    reader: &mut csv::Reader<impl Read>,
    meter: &Meter,
    scan: &CsvScan,
    header_line: &str,
) -> Result<Arc<[String]>, Box<Row>> {
    let too_long = || Box::new(Row::read(0, 1, Err(row_too_long(path, 0, 1))));
    let headers = match reader.headers().cloned() {
        Ok(_) if reader.position().byte() > ROW_CAP as u64 => return Err(too_long()),
        Ok(headers) => headers,
        Err(_) if meter.is_over() => return Err(too_long()),
        Err(error) => {
            let message = format!("cannot read the CSV header row: {error}");
            return Err(Box::new(Row::read(0, 1, Err(data_error(path, 1, message)))));
        }
    };
    if let Some(quote) = scan.record_at(0).and_then(|at| scan.unclosed_quote(at)) {
        let column = headers.len().checked_sub(1).map(|i| &headers[i]);
        let diagnostic = unclosed_quote(path, 0, quote, column);
        return Err(Box::new(Row::read(0, 1, Err(diagnostic))));
    }
    // Every row has as many values as the header has columns (a row of another
    // length is refused): capping the columns caps every row's values, as a JSON
    // row's are.
    if headers.len() > ROW_VALUES {
        let message = format!(
            "the CSV header row has {} columns, more than the {ROW_VALUES} values timl reads for a row",
            headers.len()
        );
        return Err(Box::new(Row::read(0, 1, Err(data_error(path, 1, message)))));
    }
    let headers: Arc<[String]> = headers.iter().map(|h| without_bom(h).to_owned()).collect();
    match duplicate_column(path, &headers, header_line) {
        Some(diagnostic) => Err(Box::new(Row::read(0, 1, Err(diagnostic)))),
        None => Ok(headers),
    }
}

/// The error for row `number` (0: the header row), whose field under `column` opens
/// a quote at `quote` that is still open at the end of the file: the csv crate would
/// read every line after it into that one field, and the rows there would be lost.
fn unclosed_quote(
    path: &Path,
    number: usize,
    (quote, text): (Place, Option<String>),
    column: Option<&str>,
) -> Diagnostic {
    let row = match number {
        0 => "the CSV header row".to_owned(),
        _ => format!("row {number}"),
    };
    let field = match column {
        Some(name) if !name.is_empty() && number > 0 => format!("the `{}` field", cut(name, 40)),
        _ => "a field".to_owned(),
    };
    let message = format!(
        "{row} opens a quote in {field} that is never closed: every line after it, to the end of the file, would be read into that field"
    );
    let diagnostic = match text {
        Some(text) => {
            let columns = quote.column..quote.column + 1;
            data_error_at(path, quote.line, &text, columns, message)
        }
        None => data_error(path, quote.line, message),
    };
    diagnostic.help(
        "close the quote at the end of the field (`\"...\"`), or double a quote that is part of the value (`\"\"`)",
    )
}

/// The error for the row at `line`, which has `fields` fields where the
/// header row has a column each for `headers`.
fn ragged(path: &Path, line: usize, fields: usize, headers: &[String]) -> Diagnostic {
    let plural = |n: usize| if n == 1 { "field" } else { "fields" };
    let columns = headers.len();
    data_error(
        path,
        line,
        format!(
            "the row has {fields} {}, but the header row has {columns} {}",
            plural(fields),
            if columns == 1 { "column" } else { "columns" }
        ),
    )
    .help(format!(
        "give each row a field for each column ({}); quote a field that holds a comma",
        listed(headers)
    ))
}

/// The first columns' names, for a help line.
fn listed(headers: &[String]) -> String {
    let mut shown: Vec<String> = headers.iter().take(8).map(|h| cut(h, 40)).collect();
    if headers.len() > shown.len() {
        shown.push("...".to_owned());
    }
    shown.join(", ")
}

/// A column named twice, which would silently take the later column's value. Empty
/// names are left alone: no template can read them, and spreadsheets end rows with
/// empty columns.
fn duplicate_column(path: &Path, headers: &[String], header_line: &str) -> Option<Diagnostic> {
    let mut first = HashMap::new();
    let (earlier, later) = headers.iter().enumerate().find_map(|(i, name)| {
        if name.is_empty() {
            return None;
        }
        match first.entry(name.as_str()) {
            Entry::Occupied(entry) => Some((*entry.get(), i)),
            Entry::Vacant(entry) => {
                entry.insert(i);
                None
            }
        }
    })?;
    let fields = csv_field_columns(header_line);
    // The line read ahead may not hold the whole header (a quoted line break).
    let columns = match fields.get(later) {
        Some(columns) if fields.len() == headers.len() => columns.clone(),
        _ => 1..header_line.chars().count() + 1,
    };
    let message = format!(
        "the CSV header names the column `{}` twice: columns {} and {}",
        cut(&headers[later], 60),
        earlier + 1,
        later + 1
    );
    Some(
        data_error_at(path, 1, header_line, columns, message)
            .help("rename one of them: a row's later value would silently replace the earlier"),
    )
}

/// Where each field of a CSV line is: 1-based character columns, quotes included.
fn csv_field_columns(line: &str) -> Vec<Range<usize>> {
    let mut fields = Vec::new();
    let mut start = 1;
    let mut quoted = false;
    let mut column = 1;
    for c in line.chars() {
        match c {
            // A doubled quote inside a quoted field toggles twice.
            '"' => quoted = !quoted,
            ',' if !quoted => {
                fields.push(start..column);
                start = column + 1;
            }
            _ => {}
        }
        column += 1;
    }
    fields.push(start..column);
    fields
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_field_columns_skip_quoted_commas() {
        assert_eq!(
            csv_field_columns(r#"a,"b,""c""",d"#),
            vec![1..2, 3..12, 13..14]
        );
        assert_eq!(csv_field_columns(""), vec![1..1]);
    }
}
