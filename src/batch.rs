//! Batch: one input file and its variables in, a stream of compiled messages out.
//!
//! An input yields one message (a `.timl` file or template, a `.json` request), one
//! per line (`.jsonl`), or one per data row (`--data`). Results are handed to a
//! callback one at a time, so a million rows never sit in memory together.

use std::path::Path;

use minijinja::value::Serde;

use crate::compile::{compile_file, compile_template, Compiled, InputKind, Options};
use crate::config::Variables;
use crate::data::{self, Row};
use crate::error::Error;
use crate::template::{self, Template};

/// How an input's results are written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One message: pretty JSON for review.
    Single,
    /// Many messages: JSON Lines, one compact request per line.
    Lines,
}

/// Compiles the input `name` (its `bytes`, of `kind`; read from `dir` for includes)
/// and calls `each` with every result in order. Returns how the results are shaped.
pub fn compile_input(
    name: &str,
    bytes: &[u8],
    kind: InputKind,
    dir: &Path,
    variables: &Variables,
    options: &Options,
    each: &mut dyn FnMut(Compiled) -> Result<(), Error>,
) -> Result<Shape, Error> {
    let text = match (kind, std::str::from_utf8(bytes)) {
        (InputKind::Markup, Ok(text)) if template::has_tags(text) || variables.any() => text,
        _ => {
            // Not a template: compiled as it is.
            let shape = if kind == InputKind::JsonLines || variables.data.is_some() {
                Shape::Lines
            } else {
                Shape::Single
            };
            for compiled in compile_file(name, bytes, kind, options) {
                each(compiled)?;
            }
            return Ok(shape);
        }
    };
    let template = match Template::new(name, text, Some(dir)) {
        Ok(template) => template,
        Err(diagnostics) => {
            each(Compiled::failed(diagnostics))?;
            return Ok(Shape::Single);
        }
    };
    let base = match data::base_vars(variables.vars_file.as_ref(), &variables.vars)? {
        Ok(vars) => minijinja::Value::from(Serde(vars)),
        Err(diagnostic) => {
            each(Compiled::failed(vec![diagnostic]))?;
            return Ok(Shape::Single);
        }
    };
    let Some(rows) = &variables.data else {
        each(compile_template(&template, base, options))?;
        return Ok(Shape::Single);
    };
    let compile_row = |row: Row| {
        let mut compiled = match row.vars {
            Ok(vars) => {
                // A row's values override `--var` and `--vars`.
                let context = template::row_context(vars, base.clone());
                compile_template(&template, context, options)
            }
            Err(diagnostic) => Compiled::failed(vec![diagnostic]),
        };
        let at = match row.line {
            0 => format!("in row {} of {}", row.number, rows.display()),
            line => format!("in row {} of {} (line {line})", row.number, rows.display()),
        };
        for diagnostic in &mut compiled.diagnostics {
            diagnostic.notes.push(at.clone());
        }
        compiled
    };
    data::for_each_row(rows, |row| each(compile_row(row)))?;
    Ok(Shape::Lines)
}
