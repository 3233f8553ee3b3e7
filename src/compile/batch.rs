//! Batch: one input file and its variables in, a stream of compiled messages out.
//!
//! An input yields one message (a `.timl` file or template, a `.json` request), one
//! per line (`.jsonl`), or one per data row (`--data`). Results are handed to a
//! callback one at a time, so a million rows never sit in memory together.

use std::collections::BTreeMap;
use std::hash::RandomState;
use std::path::Path;
use std::sync::{mpsc, Arc, Mutex};

use minijinja::value::Serde;

use crate::compile::same_message::{free_random, Fingerprints, SameMessages};
use crate::compile::{compile_file, compile_template, Compiled, InputKind, Options};
use crate::diag::DataRow;
use crate::error::Error;
use crate::template::data::Variables;
use crate::template::data::{self, Row};
use crate::template::rows;
use crate::template::{self, Template};

/// How an input's results are written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputShape {
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
) -> Result<OutputShape, Error> {
    let cap = crate::compile::input_cap(kind, options.max_bytes);
    if bytes.len() > cap {
        each(crate::compile::too_big(name, cap, options))?;
        return Ok(OutputShape::Single);
    }
    let text = match (kind, std::str::from_utf8(bytes)) {
        (InputKind::Markup, Ok(text)) if template::has_tags(text) || variables.any() => text,
        _ => {
            // Not a template: compiled as it is.
            let shape = if kind == InputKind::JsonLines || variables.data.is_some() {
                OutputShape::Lines
            } else {
                OutputShape::Single
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
            return Ok(OutputShape::Single);
        }
    };
    let base = match data::base_vars(variables.vars_file.as_ref(), &variables.vars)? {
        Ok(vars) => minijinja::Value::from(Serde(vars)),
        Err(diagnostic) => {
            each(Compiled::failed(vec![diagnostic]))?;
            return Ok(OutputShape::Single);
        }
    };
    let Some(rows) = &variables.data else {
        each(compile_template(&template, base, options))?;
        return Ok(OutputShape::Single);
    };
    let file: Arc<str> = Arc::from(rows.display().to_string());
    let keys = RandomState::new();
    let compile_row = |row: Row| {
        let (number, line) = (row.number, row.line);
        let mut compiled = match row.into_vars() {
            Ok(vars) => {
                // A row's values override `--var` and `--vars`.
                let context = template::row_context(vars, base.clone());
                compile_template(&template, context, options)
            }
            Err(diagnostic) => Compiled::failed(vec![*diagnostic]),
        };
        // A problem of the whole file already names the file, and is in no row.
        if number > 0 {
            let row = DataRow {
                file: file.clone(),
                number,
                line,
            };
            for diagnostic in &mut compiled.diagnostics {
                diagnostic.row = Some(Box::new(row.clone()));
            }
            // Taken here, on the compiling thread: only the comparing is in order.
            if let (Some(message), Some(json)) = (&compiled.message, &compiled.json) {
                compiled.fingerprints = Some(Fingerprints::of(&keys, message, json));
            }
            compiled.row = Some(row);
        }
        compiled
    };
    // In row order: the warning names the first row with the message.
    let mut same_messages = SameMessages::default();
    let each = &mut |mut compiled: Compiled| {
        compare(&mut same_messages, &keys, &mut compiled);
        each(compiled)
    };
    let workers = workers();
    let count = if workers == 1 {
        rows::for_each_row(rows, |row| each(compile_row(row)))?
    } else {
        // Fewer rows a chunk when messages may be large (`--max-bytes`): a chunk's
        // results wait in memory for the chunks before them.
        let chunk_rows = (CHUNK_MESSAGE_BYTES / options.max_bytes.max(1)).clamp(1, CHUNK);
        in_parallel(rows, workers, chunk_rows, &compile_row, each)?
    };
    if count == 0 {
        // Otherwise an empty output (or nothing sent) would pass for a success.
        each(Compiled::failed(vec![data::no_rows(rows)]))?;
    }
    Ok(OutputShape::Lines)
}

/// Adds to a row's result what `same` finds of its message against earlier rows'; a
/// derived `Random` an earlier row's message to the same group has is derived again.
fn compare(same: &mut SameMessages, keys: &RandomState, compiled: &mut Compiled) {
    let (Some(row), Some(mut fingerprints)) = (&compiled.row, compiled.fingerprints) else {
        return;
    };
    if let (true, Some(message), Some(json)) = (
        compiled.random_derived,
        &mut compiled.message,
        &mut compiled.json,
    ) {
        // The same message twice is its own warning; its Random stays the first's.
        if !same.same_body(&fingerprints) {
            fingerprints = free_random(same, keys, message, json, fingerprints);
            compiled.fingerprints = Some(fingerprints);
        }
    }
    if let Some(mut found) = same.check(row, fingerprints) {
        found.row = Some(Box::new(row.clone()));
        if found.is_error() {
            // Never sent, nor written.
            compiled.message = None;
            compiled.json = None;
        }
        compiled.diagnostics.push(found);
    }
}

/// How many threads compile rows: `TIML_THREADS`, else one per core (at most 8).
fn workers() -> usize {
    std::env::var("TIML_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 8)
}

/// Rows go to the compiling threads in chunks of this many...
const CHUNK: usize = 512;

/// ... or of as many messages of the largest size (`--max-bytes`) as make 4 MiB...
const CHUNK_MESSAGE_BYTES: usize = 4 << 20;

/// ... or fewer, once a chunk holds this many bytes of rows: rows may be up to
/// 16 MiB each, and 512 of those in each of a few chunks would be gigabytes.
const CHUNK_BYTES: usize = 1 << 20;

/// Reads rows on this thread and hands chunks of them to `workers` threads, which
/// compile them; results are passed to `each` in row order. The chunk queue is
/// bounded, and so is each chunk (`chunk_rows` rows, or the rows that pass a megabyte), so
/// only a few chunks are ever in memory, however long the rows. Returns how many rows there were.
fn in_parallel(
    path: &Path,
    workers: usize,
    chunk_rows: usize,
    compile_row: &(dyn Fn(Row) -> Compiled + Sync),
    each: &mut dyn FnMut(Compiled) -> Result<(), Error>,
) -> Result<usize, Error> {
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<(usize, Vec<Row>)>(workers * 2);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Vec<Compiled>)>();
    let chunk_rx = Mutex::new(chunk_rx);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (chunk_rx, done_tx) = (&chunk_rx, done_tx.clone());
            scope.spawn(move || loop {
                let next = chunk_rx.lock().expect("not poisoned").recv();
                let Ok((number, rows)) = next else { return };
                let compiled = rows.into_iter().map(compile_row).collect();
                if done_tx.send((number, compiled)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        let mut emit = |waiting: &mut BTreeMap<usize, Vec<Compiled>>, next: &mut usize| {
            while let Some(ready) = waiting.remove(next) {
                *next += 1;
                ready.into_iter().try_for_each(&mut *each)?;
            }
            Ok::<(), Error>(())
        };
        let mut chunk = Vec::with_capacity(chunk_rows);
        let mut chunk_bytes = 0;
        let mut sent = 0;
        let read = rows::for_each_row(path, |row| {
            chunk_bytes += row.bytes;
            chunk.push(row);
            if chunk.len() == chunk_rows || chunk_bytes >= CHUNK_BYTES {
                chunk_bytes = 0;
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(chunk_rows));
                let _ = chunk_tx.send((sent, full));
                sent += 1;
                // Pass on what is ready meanwhile.
                while let Ok((number, compiled)) = done_rx.try_recv() {
                    waiting.insert(number, compiled);
                }
                emit(&mut waiting, &mut next)?;
            }
            Ok(())
        });
        if !chunk.is_empty() {
            let _ = chunk_tx.send((sent, chunk));
        }
        drop(chunk_tx);
        let count = read?;
        for (number, compiled) in done_rx.iter() {
            waiting.insert(number, compiled);
            emit(&mut waiting, &mut next)?;
        }
        Ok(count)
    })
}
