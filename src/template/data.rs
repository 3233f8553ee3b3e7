//! Variables for templates: `--var K=V`, `--vars FILE` (JSON or TOML) and the rows of
//! `--data ROWS` (read by [`super::rows`]), and the diagnostics about them.

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::value_budget::{ValueBudget, ROW_VALUES, VARS_VALUES};
use crate::diag::rules;
use crate::diag::{Diagnostic, LineIndex, Span};
use crate::error::Error;
use crate::markup::source::read_text;

/// The most of a `--vars` file timl reads: variables for messages, not a database,
/// so 16 MiB is far more than any needs.
pub const VARS_CAP: usize = 16 << 20;

/// Where template variables come from.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    /// `--var K=V`, in order.
    pub vars: Vec<(String, Value)>,
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
pub fn parse_var(text: &str) -> Result<(String, Value), String> {
    let named = |key: &str| !key.is_empty() && key != ":";
    let Some((key, value)) = text.split_once('=').filter(|(key, _)| named(key)) else {
        return Err(format!("expected NAME=VALUE or NAME:=JSON, found `{text}`"));
    };
    match key.strip_suffix(':') {
        // `n:=5`, `flag:=true`, `tags:=["a","b"]`: a typed value, as minijinja-cli takes.
        Some(name) => match serde_json::from_str(value) {
            Ok(value) => Ok((name.to_owned(), value)),
            Err(error) => Err(format!(
                "the value of `{name}:=` is not JSON ({error}); write `{name}=TEXT` for text"
            )),
        },
        _ => Ok((key.to_owned(), Value::String(value.to_owned()))),
    }
}

/// A diagnostic about a data or variables file, at `line` (0: the whole file), with
/// no source text to show.
pub(super) fn data_error(path: &Path, line: usize, message: String) -> Diagnostic {
    Diagnostic::new(&rules::DATA, message).at_line(&path.display().to_string(), line)
}

/// A diagnostic at `span` (bytes) of `text`, which is line `line` of the data file.
/// The line is shown as every source line is, cut to a window around the span, so
/// that the diagnostic stays small however long the line (a row may be megabytes).
pub(super) fn data_error_in(
    path: &Path,
    line: usize,
    text: &str,
    span: Span,
    message: String,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(&rules::DATA, message).at(span);
    diagnostic.resolve(&path.display().to_string(), &LineIndex::new(text));
    // The span counts in `text`, not in the file: it has served its purpose.
    diagnostic.span = None;
    if let Some(location) = diagnostic.location.as_mut() {
        let shift = line.saturating_sub(location.line);
        location.line += shift;
        location.end_line += shift;
    }
    diagnostic
}

/// A diagnostic at `columns` (1-based, in characters) of `text`, line `line` of a
/// data file.
pub(super) fn data_error_at(
    path: &Path,
    line: usize,
    text: &str,
    columns: Range<usize>,
    message: String,
) -> Diagnostic {
    let byte = |column: usize| {
        text.char_indices()
            .nth(column.saturating_sub(1))
            .map_or(text.len(), |(at, _)| at)
    };
    let span = Span::new(byte(columns.start), byte(columns.end));
    data_error_in(path, line, text, span, message)
}

/// `text` cut to its first `max` characters (with `...`), for a name from a data file
/// quoted in a message: the message stays short whatever the file holds.
pub(super) fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

/// What is wrong with a row that holds more values than timl reads.
pub(super) fn too_many_values() -> String {
    format!("the row holds more than {ROW_VALUES} JSON values, more than timl reads for a row")
}

/// The error for a data file without a single row: compiling it would write an
/// empty output, or send nothing, and call it a success.
pub fn no_rows(path: &Path) -> Diagnostic {
    data_error(path, 0, "the data file has no rows".to_owned()).help(
        "each row is one message: a CSV line below the header, an object of the JSON array, or a line of JSON Lines",
    )
}

pub(super) fn read_error(path: &Path, source: io::Error) -> Error {
    Error::Read {
        path: path.to_owned(),
        source,
    }
}

/// Reads a variables file: a JSON object, or TOML (by the `.toml` extension).
pub fn read_vars_file(path: &Path) -> Result<Result<Vars, Diagnostic>, Error> {
    let text = read_text(path, VARS_CAP).map_err(|e| read_error(path, e))?;
    let is_toml = path.extension().and_then(|e| e.to_str()) == Some("toml");
    let parsed: Result<Value, String> = if is_toml && toml_separators(&text) > VARS_VALUES {
        // Counted before parsing: a parsed TOML value takes a hundred times its text.
        Err(format!(
            "it holds more than {VARS_VALUES} TOML values, more than timl reads for variables"
        ))
    } else if is_toml {
        toml::from_str::<toml::Table>(&text)
            .map(|table| toml_to_json(toml::Value::Table(table)))
            .map_err(|e| e.message().to_owned())
    } else {
        ValueBudget::parse(&text, VARS_VALUES).map_err(|(error, exceeded)| match exceeded {
            true => format!(
                "it holds more than {VARS_VALUES} JSON values, more than timl reads for variables"
            ),
            false => error.to_string(),
        })
    };
    Ok(match parsed {
        Ok(Value::Object(vars)) => Ok(vars),
        Ok(_) => Err(data_error(
            path,
            0,
            "the variables file is not a table of names and values".to_owned(),
        )),
        Err(message) => Err(data_error(
            path,
            0,
            format!("cannot read the variables: {message}"),
        )),
    })
}

/// How many `,`, `=`, `[` and `{` a TOML text has outside its strings and comments:
/// every value but the first of an array follows a comma, every key a `=`, so this
/// bounds the number of values (up to one per array) without parsing them.
fn toml_separators(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'#' => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            quote @ (b'"' | b'\'') => {
                at = string_end(bytes, at, quote);
                continue;
            }
            b',' | b'=' | b'[' | b'{' => count += 1,
            _ => {}
        }
        at += 1;
    }
    count
}

/// Where the TOML string opening at `start` with `quote` ends (past its closing
/// quotes): basic strings (`"`) have backslash escapes, literal ones (`'`) none, and
/// either may be tripled (multi-line).
fn string_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let triple = [quote; 3];
    let close: &[u8] = if bytes[start..].starts_with(&triple) {
        &triple
    } else {
        &triple[..1]
    };
    let mut at = start + close.len();
    while at < bytes.len() {
        if quote == b'"' && bytes[at] == b'\\' {
            at += 2;
        } else if bytes[at..].starts_with(close) {
            return at + close.len();
        } else {
            at += 1;
        }
    }
    at
}

/// A TOML value as a JSON one. A date or time becomes its RFC 3339 text, as TOML
/// writes it: through serde it would be a private `{"$__toml_private_datetime": ...}`
/// table, printed as such by a template.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(text) => Value::String(text),
        toml::Value::Integer(number) => Value::from(number),
        // JSON has no NaN or infinity (serde would make them null): they stay the
        // words TOML spells them with.
        toml::Value::Float(number) if !number.is_finite() => Value::String(
            match (number.is_nan(), number > 0.0) {
                (true, _) => "nan",
                (false, true) => "inf",
                (false, false) => "-inf",
            }
            .to_owned(),
        ),
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
    /// How many bytes of the file the row took (0 when unknown): what a batch
    /// counts to keep the rows it holds at once within a budget.
    pub bytes: usize,
    vars: RowVars,
}

/// A row's variables, or its JSON text still to be read (so that the threads
/// compiling rows, not the one reading them, do the parsing).
#[derive(Debug)]
enum RowVars {
    Read(Result<Vars, Diagnostic>),
    JsonLine {
        path: Arc<Path>,
        text: String,
    },
    Csv {
        headers: Arc<[String]>,
        record: csv::StringRecord,
    },
}

impl Row {
    /// A row read already: its variables, or what is wrong with it.
    pub(super) fn read(number: usize, line: usize, vars: Result<Vars, Diagnostic>) -> Row {
        Row {
            number,
            line,
            bytes: 0,
            vars: RowVars::Read(vars),
        }
    }

    /// A line of JSON Lines, to be parsed by whoever compiles it.
    pub(super) fn json_line(number: usize, line: usize, path: Arc<Path>, text: String) -> Row {
        Row {
            number,
            line,
            bytes: text.len(),
            vars: RowVars::JsonLine { path, text },
        }
    }

    /// A CSV record with as many fields as `headers` has columns.
    pub(super) fn csv(
        number: usize,
        line: usize,
        headers: Arc<[String]>,
        record: csv::StringRecord,
    ) -> Row {
        Row {
            number,
            line,
            bytes: 0,
            vars: RowVars::Csv { headers, record },
        }
    }

    /// This row, which took `bytes` of the file.
    pub(super) fn sized(self, bytes: usize) -> Row {
        Row { bytes, ..self }
    }

    /// The row's variables, or what is wrong with it.
    pub fn into_vars(self) -> Result<Vars, Box<Diagnostic>> {
        match self.vars {
            RowVars::Read(vars) => vars.map_err(Box::new),
            RowVars::Csv { headers, record } => Ok(headers
                .iter()
                .zip(record.iter())
                .map(|(key, value)| (key.clone(), Value::String(value.to_owned())))
                .collect()),
            RowVars::JsonLine { path, text } => match ValueBudget::parse(&text, ROW_VALUES) {
                Ok(Value::Object(vars)) => Ok(vars),
                Ok(_) => Err(Box::new(data_error_in(
                    &path,
                    self.line,
                    &text,
                    Span::new(0, text.len()),
                    "the row is not a JSON object".to_owned(),
                ))),
                Err((error, exceeded)) => {
                    // serde_json counts columns in bytes, from 1.
                    let at = error.column().saturating_sub(1).min(text.len());
                    let message = match exceeded {
                        true => too_many_values(),
                        false => format!("the row is not JSON: {error}"),
                    };
                    let span = Span::point(at);
                    let diagnostic = data_error_in(&path, self.line, &text, span, message);
                    Err(Box::new(diagnostic))
                }
            },
        }
    }
}

/// The merged variables of `--vars` and `--var` (the latter win).
pub fn base_vars(
    file: Option<&PathBuf>,
    pairs: &[(String, Value)],
) -> Result<Result<Vars, Diagnostic>, Error> {
    let mut vars = match file {
        Some(path) => match read_vars_file(path)? {
            Ok(vars) => vars,
            Err(diagnostic) => return Ok(Err(diagnostic)),
        },
        None => Vars::new(),
    };
    for (key, value) in pairs {
        vars.insert(key.clone(), value.clone());
    }
    Ok(Ok(vars))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_datetimes_become_text_and_the_rest_stays() {
        let table: toml::Table =
            toml::from_str("a = 1979-05-27T07:32:00Z\nb = [{ c = 07:32:00 }]\nd = 1.5\ne = nan\nf = -inf\ng = +inf")
                .unwrap();
        let json = toml_to_json(toml::Value::Table(table));
        assert_eq!(
            json,
            serde_json::json!({"a": "1979-05-27T07:32:00Z", "b": [{"c": "07:32:00"}], "d": 1.5, "e": "nan", "f": "-inf", "g": "inf"})
        );
    }

    #[test]
    fn toml_values_are_counted_outside_strings_and_comments() {
        assert_eq!(toml_separators("a = [1, 2, 3]\n[t]\nb = { c = 1 }"), 8);
        let quoted = r#"a = "x, = [ {\" ," # , , ,
b = 'y,=\'
c = """
,,\""""
d = '''
,'''"#;
        assert_eq!(toml_separators(quoted), 4);
        assert_eq!(toml_separators("a = \"unterminated, , ,"), 1);
    }

    #[test]
    fn vars_pairs() {
        assert_eq!(parse_var("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert_eq!(parse_var("url=x:=y"), Ok(("url".into(), "x:=y".into())));
        assert!(parse_var("=x").is_err());
        assert!(parse_var(":=5").is_err());
        assert_eq!(parse_var("n:=5"), Ok(("n".into(), serde_json::json!(5))));
        assert_eq!(
            parse_var("f:=true"),
            Ok(("f".into(), serde_json::json!(true)))
        );
        let tags = parse_var(r#"tags:=["a","b"]"#).unwrap();
        assert_eq!(tags.1, serde_json::json!(["a", "b"]));
        let error = parse_var("n:=five").unwrap_err();
        assert!(
            error.contains("not JSON") && error.contains("`n=TEXT`"),
            "{error}"
        );
    }

    #[test]
    fn a_bad_row_shows_a_window_of_its_line() {
        let path: Arc<Path> = Arc::from(Path::new("rows.jsonl"));
        // Ten megabytes of one line, broken near its end.
        let text = format!("{{\"a\": \"{}\" x}}", "é".repeat(5 << 20));
        let error = Row::json_line(7, 9, path.clone(), text.clone())
            .into_vars()
            .unwrap_err();
        let location = error.location.as_ref().unwrap();
        assert_eq!((location.line, location.end_line), (9, 9));
        assert_eq!(location.column, (5 << 20) + 10, "in characters");
        assert!(location.source_line.chars().count() <= 180);
        assert!(location.source_line.contains("\" x}"), "{location:?}");
        let shown = crate::diag::render::human(&error, crate::diag::render::Colour(false));
        assert!(shown.len() < 1000, "{} bytes", shown.len());
        assert!(shown.contains("rows.jsonl:9:"), "{shown}");
        // Not an object: the start of the line, cut short.
        let text = format!("[\"{}\"]", "1,".repeat(1 << 20));
        let error = Row::json_line(1, 3, path, text).into_vars().unwrap_err();
        let shown = crate::diag::render::human(&error, crate::diag::render::Colour(false));
        assert!(shown.len() < 1000, "{} bytes", shown.len());
        assert!(shown.contains("the row is not a JSON object"), "{shown}");
    }

    #[test]
    fn cut_keeps_short_names_and_cuts_long_ones() {
        assert_eq!(cut("name", 4), "name");
        assert_eq!(cut("名前です", 2), "名前...");
    }
}
