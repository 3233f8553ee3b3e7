//! The rows of `--data ROWS` (JSON Lines, a JSON array of objects, or CSV with a
//! header row), read one row at a time so memory stays flat however many rows there
//! are, and never more than a cap at once however long a row: a line with no end (a
//! device, a pipe) stops at the cap with a diagnostic.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;

use super::data::{data_error, read_error, too_many_values, Row};
use super::value_budget::{ValueBudget, ROW_VALUES};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::markup::source::{read_line, without_bom, without_bom_bytes, LineRead, Meter};

/// The most bytes of one row timl reads (a line of JSON Lines, a CSV record, an item
/// of a JSON array): a row holds one message's values, and 16 MiB, the cap of a
/// `--vars` file, is far more than any needs.
pub const ROW_CAP: usize = 16 << 20;

/// The most of a JSON array data file timl reads, as for a `.jsonl` input: an array
/// is one JSON text, so it is capped as a whole (JSON Lines are read line by line,
/// with no cap on their number).
pub const ARRAY_CAP: usize = 64 << 20;

/// The buffer between a JSON array's meter and its parser: how far the meter may be
/// ahead of the item being parsed, which an item's cap allows for.
const ARRAY_BUFFER: usize = 8 << 10;

/// How a data file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// One JSON object per line.
    JsonLines,
    /// A JSON array of objects.
    JsonArray,
    /// CSV with a header row.
    Csv,
}

impl DataFormat {
    /// `.csv` is CSV; otherwise the first character decides: `[` an array, `{` lines.
    pub fn detect(path: &Path, first: Option<u8>) -> DataFormat {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match (extension.as_str(), first) {
            ("csv", _) => DataFormat::Csv,
            (_, Some(b'[')) => DataFormat::JsonArray,
            (_, Some(b'{')) | ("jsonl" | "ndjson" | "json", _) => DataFormat::JsonLines,
            _ => DataFormat::Csv,
        }
    }
}

pub(super) type Each<'a> = dyn FnMut(Row) -> Result<(), Error> + 'a;

/// Calls `each` with every row of the data file at `path`, in order, reading one row
/// at a time, and returns how many rows there were (a row that cannot be read
/// counts: `each` gets its diagnostic). Stops early if `each` fails, and after a row
/// over [`ROW_CAP`] (or an array over [`ARRAY_CAP`]), whose rest is never read.
pub fn for_each_row(
    path: &Path,
    mut each: impl FnMut(Row) -> Result<(), Error>,
) -> Result<usize, Error> {
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let (first, first_line) = {
        let buffer = reader.fill_buf().map_err(|e| read_error(path, e))?;
        let text = without_bom_bytes(buffer);
        // A line ends at `\n`, `\r\n` or a lone `\r`, as a CSV record does.
        let line = text.split(|b| matches!(b, b'\n' | b'\r')).next();
        let line = line.unwrap_or_default();
        (
            text.iter().copied().find(|b| !b.is_ascii_whitespace()),
            String::from_utf8_lossy(line).into_owned(),
        )
    };
    let mut rows = 0;
    let mut counted = |row: Row| {
        rows += 1;
        each(row)
    };
    match DataFormat::detect(path, first) {
        DataFormat::JsonLines => json_lines(path, reader, &mut counted),
        DataFormat::JsonArray => json_array(path, reader, &mut counted),
        DataFormat::Csv => super::csv_rows::csv_rows(path, reader, &first_line, &mut counted),
    }?;
    Ok(rows)
}

/// The error for row `number` (at `line`) over [`ROW_CAP`]: reading stopped there.
pub(super) fn row_too_long(path: &Path, number: usize, line: usize) -> Diagnostic {
    data_error(
        path,
        line,
        format!(
            "row {number} is over {ROW_CAP} bytes (16 MiB), more than timl reads for a row; reading stops there"
        ),
    )
    .help("a row holds the values of one message: a line with no end (a device, an endless pipe) or a file that is not data would never end")
}

fn json_lines(path: &Path, mut reader: impl BufRead, each: &mut Each<'_>) -> Result<(), Error> {
    let shared_path: Arc<Path> = Arc::from(path);
    let mut number = 0;
    let mut bytes = Vec::new();
    for index in 0.. {
        let line_no = index + 1;
        match read_line(&mut reader, ROW_CAP, &mut bytes).map_err(|e| read_error(path, e))? {
            LineRead::End => return Ok(()),
            LineRead::TooLong => {
                let vars = Err(row_too_long(path, number + 1, line_no));
                return each(Row::read(number + 1, line_no, vars).sized(bytes.len()));
            }
            LineRead::Line => {}
        }
        let Ok(line) = std::str::from_utf8(&bytes) else {
            number += 1;
            let message = "the line is not valid UTF-8".to_owned();
            let vars = Err(data_error(path, line_no, message));
            each(Row::read(number, line_no, vars).sized(bytes.len()))?;
            continue;
        };
        let text = without_bom(line).trim();
        if text.is_empty() {
            continue;
        }
        number += 1;
        let row = Row::json_line(number, line_no, shared_path.clone(), text.to_owned());
        each(row)?;
    }
    Ok(())
}

/// The items of a JSON array, each handed to `each` as it is read.
struct Items<'a, 'e> {
    path: &'a Path,
    meter: &'a Meter,
    budget: &'a ValueBudget,
    each: &'a mut Each<'e>,
    /// The number of the row being read (or the last one).
    number: &'a mut usize,
    failure: &'a mut Option<Error>,
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            // Each item may take ROW_CAP bytes, the separator before it included,
            // within the file's cap; the meter is ahead of the parser by at most
            // the buffer between them.
            let start = self.meter.read();
            let item_limit = start.saturating_add((ROW_CAP + ARRAY_BUFFER) as u64);
            self.meter.set_limit(item_limit.min(ARRAY_CAP as u64));
            self.budget.reset(ROW_VALUES);
            *self.number += 1;
            let Some(item) = seq.next_element_seed(self.budget.seed())? else {
                *self.number -= 1;
                // What follows the array is the file's, not a row's.
                self.meter.set_limit(ARRAY_CAP as u64);
                return Ok(());
            };
            let number = *self.number;
            let vars = match item {
                Value::Object(vars) => Ok(vars),
                _ => Err(data_error(
                    self.path,
                    0,
                    "the row is not a JSON object".to_owned(),
                )),
            };
            let bytes = self.meter.read().saturating_sub(start) as usize;
            if let Err(error) = (self.each)(Row::read(number, 0, vars).sized(bytes)) {
                *self.failure = Some(error);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

/// Streams the items of a top-level JSON array to `each` without holding the array,
/// reading no more than [`ARRAY_CAP`] of the file and [`ROW_CAP`] of an item.
fn json_array(path: &Path, reader: impl Read, each: &mut Each<'_>) -> Result<(), Error> {
    let meter = Meter::new(ARRAY_CAP as u64);
    let budget = ValueBudget::new(ROW_VALUES);
    let mut failure = None;
    let mut number = 0;
    // serde_json reads a byte at a time: from a buffer, not through the meter.
    let buffered = BufReader::with_capacity(ARRAY_BUFFER, meter.reader(reader));
    let mut deserializer = serde_json::Deserializer::from_reader(buffered);
    let result = Items {
        path,
        meter: &meter,
        budget: &budget,
        each,
        number: &mut number,
        failure: &mut failure,
    }
    .deserialize(&mut deserializer);
    if let Some(error) = failure {
        return Err(error);
    }
    let result = result.and_then(|()| deserializer.end());
    if meter.is_over() {
        // Where reading stopped (the meter counts every line break it let through).
        let line = meter.line_breaks() as usize + 1;
        if meter.limit() < ARRAY_CAP as u64 {
            return each(Row::read(number, 0, Err(row_too_long(path, number, line))));
        }
        let message = format!(
            "the data file is over {ARRAY_CAP} bytes (64 MiB), more than timl reads for a JSON array; reading stops there"
        );
        let diagnostic = data_error(path, line, message)
            .help("write the rows as JSON Lines (one object per line), which are read one at a time whatever their number");
        return each(Row::read(0, line, Err(diagnostic)));
    }
    if let Err(error) = result {
        if budget.exceeded() {
            let message = format!("{}; reading stops there", too_many_values());
            let diagnostic = data_error(path, error.line(), message);
            return each(Row::read(number, 0, Err(diagnostic)));
        }
        if error.is_io() {
            return Err(read_error(path, std::io::Error::other(error.to_string())));
        }
        let vars = Err(data_error(
            path,
            error.line(),
            format!("the data is not a JSON array of objects: {error}"),
        ));
        each(Row::read(0, error.line(), vars))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::data::Vars;
    use super::*;

    /// The rows of `text` in a data file called `name`, as (number, line, message or
    /// variables).
    fn collect(name: &str, text: &str) -> Vec<(usize, usize, Result<Vars, String>)> {
        let path = scratch(name).join(name);
        std::fs::write(&path, text).unwrap();
        let rows = rows_of(&path).0.into_iter();
        let message = |m: String| m.split_once(": ").map_or(m.clone(), |(_, m)| m.into());
        rows.map(|(n, line, _, vars)| (n, line, vars.map_err(message)))
            .collect()
    }

    #[test]
    fn json_lines_skip_blank_lines_and_name_bad_rows() {
        let rows = collect("a.jsonl", "{\"a\": 1}\n\n[1]\n{\"b\": \"x\"}\n");
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[1].0, rows[1].1), (2, 3));
        assert_eq!(
            rows[1].2.as_ref().unwrap_err(),
            "the row is not a JSON object"
        );
        assert_eq!(rows[2].2.as_ref().unwrap()["b"], "x");
    }

    #[test]
    fn json_arrays_stream_their_items() {
        let rows = collect("a.json", "[{\"a\": 1}, {\"a\": 2}]");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].2.as_ref().unwrap()["a"], 2);
    }

    #[test]
    fn csv_has_a_header_row_and_quoted_fields() {
        let rows = collect(
            "a.csv",
            "group,name\n\"@TGS#1\",\"Lee, Tommy\"\ng2,\"say \"\"hi\"\"\"\n",
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].2.as_ref().unwrap()["name"], "Lee, Tommy");
        assert_eq!(rows[1].2.as_ref().unwrap()["name"], "say \"hi\"");
        assert_eq!(rows[1].1, 3);
    }

    #[test]
    fn rows_are_counted_and_a_header_is_no_row() {
        let dir = std::env::temp_dir().join(format!("timl-data-{}-count", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text, count) in [
            ("a.csv", "a,b\n1,2\n3,4\n", 2),
            ("b.csv", "a,b\n", 0),
            ("c.json", "[]", 0),
            ("d.jsonl", "\n\n", 0),
            ("e.jsonl", "{}\nnot json\n", 2),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            assert_eq!(for_each_row(&path, |_| Ok(())).unwrap(), count, "{name}");
        }
    }

    /// A row as (number, line, bytes, variables or `file:line: message`).
    type Seen = (usize, usize, usize, Result<Vars, String>);

    /// The rows of the data file at `path`, and the count `for_each_row` gives.
    fn rows_of(path: &Path) -> (Vec<Seen>, usize) {
        let mut rows = Vec::new();
        let count = for_each_row(path, |row| {
            let (number, line, bytes) = (row.number, row.line, row.bytes);
            let vars = row.into_vars().map_err(|d| {
                let l = d.location.as_ref().unwrap();
                format!("{}:{}: {}", l.file, l.line, d.message)
            });
            rows.push((number, line, bytes, vars));
            Ok(())
        })
        .unwrap();
        (rows, count)
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("timl-rows-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_stops_at_the_row_cap() {
        let dir = scratch("zero");
        // JSON Lines (by the name), and CSV (a device with no name to go by).
        let jsonl = dir.join("zero.jsonl");
        std::os::unix::fs::symlink("/dev/zero", &jsonl).unwrap();
        let (rows, count) = rows_of(&jsonl);
        assert_eq!(count, 1);
        assert_eq!((rows[0].0, rows[0].1), (1, 1));
        let message = rows[0].3.as_ref().unwrap_err();
        assert!(
            message.contains("zero.jsonl:1: row 1 is over 16777216 bytes"),
            "{message}"
        );
        assert!(rows[0].2 <= ROW_CAP + 1, "read no further than the cap");
        let (rows, count) = rows_of(Path::new("/dev/zero"));
        assert_eq!(count, 1);
        let message = rows[0].3.as_ref().unwrap_err();
        assert!(message.contains("/dev/zero:1: row 0 is over"), "{message}");
    }

    #[test]
    fn a_row_over_the_cap_ends_the_reading_with_its_line() {
        let dir = scratch("long");
        let long = "x".repeat(ROW_CAP);
        let jsonl = dir.join("a.jsonl");
        std::fs::write(&jsonl, format!("{{}}\n\n{{\"a\":\"{long}\"}}\n{{}}\n")).unwrap();
        let (rows, count) = rows_of(&jsonl);
        assert_eq!(count, 2, "the row after it is never read");
        assert_eq!(rows[0].2, 2);
        assert_eq!((rows[1].0, rows[1].1), (2, 3));
        assert!(rows[1]
            .3
            .as_ref()
            .unwrap_err()
            .contains("a.jsonl:3: row 2 is over"));
        // Exactly the cap, with or without its line break, is a row.
        let exact = format!("{{\"a\":\"{}\"}}", &long[..ROW_CAP - 8]);
        std::fs::write(&jsonl, format!("{exact}\n{exact}")).unwrap();
        let (rows, _) = rows_of(&jsonl);
        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter().all(|row| row.3.is_ok()),
            "{:?}",
            rows[0].3.as_ref().err()
        );
        let csv = dir.join("a.csv");
        std::fs::write(&csv, format!("a,b\n1,2\n3,\"{long}\"\n5,6\n")).unwrap();
        let (rows, count) = rows_of(&csv);
        assert_eq!(count, 2);
        assert_eq!((rows[1].0, rows[1].1), (2, 3));
        assert!(rows[1]
            .3
            .as_ref()
            .unwrap_err()
            .contains("a.csv:3: row 2 is over"));
        let header = dir.join("b.csv");
        std::fs::write(&header, format!("a,\"{long}\"\n1,2\n")).unwrap();
        let (rows, _) = rows_of(&header);
        assert!(rows[0]
            .3
            .as_ref()
            .unwrap_err()
            .contains("b.csv:1: row 0 is over"));
        // An item may pass the cap by the read-ahead buffer, no more.
        let array = dir.join("a.json");
        let longer = "x".repeat(ROW_CAP + 2 * ARRAY_BUFFER);
        std::fs::write(&array, format!("[{{}},\n{{\"a\":\"{longer}\"}}, {{}}]")).unwrap();
        let (rows, count) = rows_of(&array);
        assert_eq!(count, 2);
        assert!(rows[1]
            .3
            .as_ref()
            .unwrap_err()
            .contains("a.json:2: row 2 is over"));
    }

    #[test]
    fn a_json_array_is_read_up_to_its_cap() {
        let dir = scratch("array");
        let item = format!("{{\"a\":\"{}\"}},\n", "x".repeat(ROW_CAP / 2));
        let path = dir.join("a.json");
        let text = format!("[{}{{}}]", item.repeat(ARRAY_CAP / item.len() + 1));
        std::fs::write(&path, text).unwrap();
        let (rows, count) = rows_of(&path);
        let last = rows.last().unwrap();
        assert_eq!(count, ARRAY_CAP / item.len() + 1);
        assert_eq!(last.0, 0, "a problem of the file, not of a row");
        let message = last.3.as_ref().unwrap_err();
        let line = ARRAY_CAP / item.len() + 1;
        assert!(
            message.contains(&format!(
                "a.json:{line}: the data file is over 67108864 bytes"
            )),
            "{message}"
        );
    }
}
