//! Variables for templates: `--var K=V`, `--vars FILE` (JSON or TOML) and the rows of
//! `--data ROWS` (JSON Lines, a JSON array of objects, or CSV with a header row),
//! read one row at a time so memory stays flat however many rows there are.

use std::collections::hash_map::{Entry, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::diag::rules;
use crate::diag::{Diagnostic, Location};
use crate::error::Error;
use crate::markup::source::{read_text, without_bom, without_bom_bytes};

/// Where template variables come from.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    /// `--var K=V`, in order.
    pub vars: Vec<(String, String)>,
    /// `--vars FILE`.
    pub vars_file: Option<PathBuf>,
    /// `--data ROWS`: one message per row.
    pub data: Option<PathBuf>,
}

impl Variables {
    /// True when any variables were given.
    pub fn any(&self) -> bool {
        !self.vars.is_empty() || self.vars_file.is_some() || self.data.is_some()
    }
}

/// Variables by name.
pub type Vars = Map<String, Value>;

/// `K=V` from `--var`.
pub fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, found `{text}`")),
    }
}

/// A diagnostic about a data or variables file, at `line` (0: the whole file).
fn data_error(path: &Path, line: usize, source_line: &str, message: String) -> Diagnostic {
    let columns = 1..source_line.chars().count() + 1;
    data_error_at(path, line, source_line, columns, message)
}

/// A diagnostic about a data file, at `columns` (1-based, in characters) of `line`.
fn data_error_at(
    path: &Path,
    line: usize,
    source_line: &str,
    columns: Range<usize>,
    message: String,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(&rules::DATA, message);
    diagnostic.location = Some(Box::new(Location {
        file: path.display().to_string(),
        line,
        column: columns.start,
        end_line: line,
        end_column: columns.end,
        source_line: source_line.to_owned(),
        source_column: 1,
    }));
    diagnostic
}

/// The error for a data file without a single row: compiling it would write an
/// empty output, or send nothing, and call it a success.
pub fn no_rows(path: &Path) -> Diagnostic {
    data_error(path, 0, "", "the data file has no rows".to_owned()).help(
        "each row is one message: a CSV line below the header, an object of the JSON array, or a line of JSON Lines",
    )
}

fn read_error(path: &Path, source: io::Error) -> Error {
    Error::Read {
        path: path.to_owned(),
        source,
    }
}

/// Reads a variables file: a JSON object, or TOML (by the `.toml` extension).
pub fn read_vars_file(path: &Path) -> Result<Result<Vars, Diagnostic>, Error> {
    // Variables for messages, not a database: 16 MiB is far more than any needs.
    let text = read_text(path, 16 << 20).map_err(|e| read_error(path, e))?;
    let is_toml = path.extension().and_then(|e| e.to_str()) == Some("toml");
    let parsed: Result<Value, String> = if is_toml {
        toml::from_str::<toml::Table>(&text)
            .map(|table| toml_to_json(toml::Value::Table(table)))
            .map_err(|e| e.message().to_owned())
    } else {
        serde_json::from_str::<Value>(&text).map_err(|e| e.to_string())
    };
    Ok(match parsed {
        Ok(Value::Object(vars)) => Ok(vars),
        Ok(_) => Err(data_error(
            path,
            0,
            "",
            "the variables file is not a table of names and values".to_owned(),
        )),
        Err(message) => Err(data_error(
            path,
            0,
            "",
            format!("cannot read the variables: {message}"),
        )),
    })
}

/// A TOML value as a JSON one. A date or time becomes its RFC 3339 text, as TOML
/// writes it: through serde it would be a private `{"$__toml_private_datetime": ...}`
/// table, printed as such by a template.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(text) => Value::String(text),
        toml::Value::Integer(number) => Value::from(number),
        // NaN and the infinities become null, as they did through serde.
        toml::Value::Float(number) => Value::from(number),
        toml::Value::Boolean(flag) => Value::Bool(flag),
        toml::Value::Datetime(datetime) => Value::String(datetime.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(key, value)| (key, toml_to_json(value)))
                .collect(),
        ),
    }
}

/// One data row: its 1-based number, its line in the file where known (0 otherwise),
/// and its variables or what is wrong with it.
#[derive(Debug)]
pub struct Row {
    /// 1-based row number; 0 for a problem of the file as a whole (its CSV header,
    /// a JSON array that does not parse), which is no row.
    pub number: usize,
    /// 1-based line of the file where the row starts; 0 when unknown.
    pub line: usize,
    vars: RowVars,
}

/// A row's variables, or its JSON text still to be read (so that the threads
/// compiling rows, not the one reading them, do the parsing).
#[derive(Debug)]
enum RowVars {
    Read(Result<Vars, Diagnostic>),
    JsonLine { path: Arc<Path>, text: String },
}

impl Row {
    fn read(number: usize, line: usize, vars: Result<Vars, Diagnostic>) -> Row {
        Row {
            number,
            line,
            vars: RowVars::Read(vars),
        }
    }

    /// The row's variables, or what is wrong with it.
    pub fn into_vars(self) -> Result<Vars, Box<Diagnostic>> {
        match self.vars {
            RowVars::Read(vars) => vars.map_err(Box::new),
            RowVars::JsonLine { path, text } => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(vars)) => Ok(vars),
                Ok(_) => Err(Box::new(data_error(
                    &path,
                    self.line,
                    &text,
                    format!("row {} is not a JSON object", self.number),
                ))),
                Err(error) => Err(Box::new(data_error(
                    &path,
                    self.line,
                    &text,
                    format!("row {} is not JSON: {error}", self.number),
                ))),
            },
        }
    }
}

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

/// Calls `each` with every row of the data file at `path`, in order, reading one row
/// at a time, and returns how many rows there were (a row that cannot be read
/// counts: `each` gets its diagnostic). Stops early if `each` fails.
pub fn for_each_row(
    path: &Path,
    mut each: impl FnMut(Row) -> Result<(), Error>,
) -> Result<usize, Error> {
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let (first, first_line) = {
        let buffer = reader.fill_buf().map_err(|e| read_error(path, e))?;
        let text = without_bom_bytes(buffer);
        let line = text.split(|b| *b == b'\n').next().unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
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
        DataFormat::Csv => csv_rows(path, reader, &first_line, &mut counted),
    }?;
    Ok(rows)
}

fn json_lines(
    path: &Path,
    reader: impl BufRead,
    each: &mut dyn FnMut(Row) -> Result<(), Error>,
) -> Result<(), Error> {
    let shared_path: Arc<Path> = Arc::from(path);
    let mut number = 0;
    for (index, line) in reader.lines().enumerate() {
        let line = match line {
            Ok(line) => line,
            Err(error) if error.kind() == io::ErrorKind::InvalidData => {
                number += 1;
                let message = "the line is not valid UTF-8".to_owned();
                each(Row::read(
                    number,
                    index + 1,
                    Err(data_error(path, index + 1, "", message)),
                ))?;
                continue;
            }
            Err(error) => return Err(read_error(path, error)),
        };
        let text = without_bom(&line).trim();
        if text.is_empty() {
            continue;
        }
        number += 1;
        each(Row {
            number,
            line: index + 1,
            vars: RowVars::JsonLine {
                path: shared_path.clone(),
                text: text.to_owned(),
            },
        })?;
    }
    Ok(())
}

/// `header_line` is the file's first line, as far as it was read ahead: where the
/// header's columns are, for diagnostics.
fn csv_rows(
    path: &Path,
    reader: impl Read,
    header_line: &str,
    each: &mut dyn FnMut(Row) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(reader);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            let vars = Err(data_error(
                path,
                1,
                "",
                format!("cannot read the CSV header row: {error}"),
            ));
            return each(Row::read(0, 1, vars));
        }
    };
    let headers: Vec<String> = headers.iter().map(|h| without_bom(h).to_owned()).collect();
    if let Some(diagnostic) = duplicate_column(path, &headers, header_line) {
        return each(Row::read(0, 1, Err(diagnostic)));
    }
    let mut record = csv::StringRecord::new();
    let mut number = 0;
    loop {
        number += 1;
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line() as usize);
                let vars = headers
                    .iter()
                    .zip(record.iter())
                    .map(|(key, value)| (key.clone(), Value::String(value.to_owned())))
                    .collect();
                each(Row::read(number, line, Ok(vars)))?;
            }
            Err(error) => {
                if let csv::ErrorKind::Io(io) = error.kind() {
                    return Err(read_error(path, io::Error::new(io.kind(), io.to_string())));
                }
                let message = format!("row {number} is not valid CSV: {error}");
                each(Row::read(
                    number,
                    line,
                    Err(data_error(path, line, "", message)),
                ))?;
                // A broken record cannot be skipped reliably: stop reading.
                return Ok(());
            }
        }
    }
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
        headers[later],
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

/// Streams the items of a top-level JSON array to `each` without holding the array.
fn json_array(
    path: &Path,
    reader: impl Read,
    each: &mut dyn FnMut(Row) -> Result<(), Error>,
) -> Result<(), Error> {
    struct Items<'a> {
        path: &'a Path,
        each: &'a mut dyn FnMut(Row) -> Result<(), Error>,
        failure: &'a mut Option<Error>,
    }
    impl<'de> Visitor<'de> for Items<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut number = 0;
            while let Some(item) = seq.next_element::<Value>()? {
                number += 1;
                let vars = match item {
                    Value::Object(vars) => Ok(vars),
                    _ => Err(data_error(
                        self.path,
                        0,
                        "",
                        format!("row {number} is not a JSON object"),
                    )),
                };
                if let Err(error) = (self.each)(Row::read(number, 0, vars)) {
                    *self.failure = Some(error);
                    return Err(serde::de::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for Items<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_seq(self)
        }
    }
    let mut failure = None;
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let result = Items {
        path,
        each,
        failure: &mut failure,
    }
    .deserialize(&mut deserializer);
    if let Some(error) = failure {
        return Err(error);
    }
    if let Err(error) = result.and_then(|()| deserializer.end()) {
        let vars = Err(data_error(
            path,
            error.line(),
            "",
            format!("the data is not a JSON array of objects: {error}"),
        ));
        each(Row::read(0, error.line(), vars))?;
    }
    Ok(())
}

/// The merged variables of `--vars` and `--var` (the latter win).
pub fn base_vars(
    file: Option<&PathBuf>,
    pairs: &[(String, String)],
) -> Result<Result<Vars, Diagnostic>, Error> {
    let mut vars = match file {
        Some(path) => match read_vars_file(path)? {
            Ok(vars) => vars,
            Err(diagnostic) => return Ok(Err(diagnostic)),
        },
        None => Vars::new(),
    };
    for (key, value) in pairs {
        vars.insert(key.clone(), Value::String(value.clone()));
    }
    Ok(Ok(vars))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(name: &str, text: &str) -> Vec<(usize, usize, Result<Vars, String>)> {
        let dir = std::env::temp_dir().join(format!("timl-data-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let mut rows = Vec::new();
        for_each_row(&path, |row| {
            rows.push((
                row.number,
                row.line,
                row.into_vars().map_err(|d| d.message.clone()),
            ));
            Ok(())
        })
        .unwrap();
        rows
    }

    #[test]
    fn json_lines_skip_blank_lines_and_name_bad_rows() {
        let rows = collect("a.jsonl", "{\"a\": 1}\n\n[1]\n{\"b\": \"x\"}\n");
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[1].0, rows[1].1), (2, 3));
        assert_eq!(
            rows[1].2.as_ref().unwrap_err(),
            "row 2 is not a JSON object"
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

    #[test]
    fn csv_field_columns_skip_quoted_commas() {
        assert_eq!(
            csv_field_columns(r#"a,"b,""c""",d"#),
            vec![1..2, 3..12, 13..14]
        );
        assert_eq!(csv_field_columns(""), vec![1..1]);
    }

    #[test]
    fn toml_datetimes_become_text_and_the_rest_stays() {
        let table: toml::Table =
            toml::from_str("a = 1979-05-27T07:32:00Z\nb = [{ c = 07:32:00 }]\nd = 1.5\ne = nan")
                .unwrap();
        let json = toml_to_json(toml::Value::Table(table));
        assert_eq!(
            json,
            serde_json::json!({"a": "1979-05-27T07:32:00Z", "b": [{"c": "07:32:00"}], "d": 1.5, "e": null})
        );
    }

    #[test]
    fn vars_pairs() {
        assert_eq!(parse_var("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert!(parse_var("=x").is_err());
    }
}
