//! Inputs: a file or standard input read whole, its kind and its folder; and standard
//! output written.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use super::config::InputPath;
use crate::compile::InputKind;
use crate::error::Error;

/// Standard input is markup; a file's kind comes from its name.
pub(crate) fn input_kind(input: &InputPath, name: &str) -> InputKind {
    match input {
        InputPath::Stdin => InputKind::Markup,
        InputPath::File(_) => InputKind::of_path(name),
    }
}

/// Where includes are read from: the template's folder (the current one for
/// standard input).
pub(crate) fn input_dir(input: &InputPath) -> PathBuf {
    match input {
        InputPath::File(path) => match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        },
        InputPath::Stdin => PathBuf::from("."),
    }
}

/// Reads `input` whole, but never more than `cap` bytes and one: an input over its cap
/// (an endless pipe, a device, a huge file) is refused by the compiler, never read
/// into memory.
pub(crate) fn read_input(input: &InputPath, cap: usize) -> Result<(String, Vec<u8>), Error> {
    let (name, path, reader): (String, PathBuf, Box<dyn Read>) = match input {
        InputPath::Stdin => (
            "<stdin>".to_owned(),
            PathBuf::from("<stdin>"),
            Box::new(io::stdin()),
        ),
        InputPath::File(path) => {
            data_given_as_template(path)?;
            let file = std::fs::File::open(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            (path.display().to_string(), path.clone(), Box::new(file))
        }
    };
    let mut bytes = Vec::new();
    reader
        .take((cap as u64).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read { path, source })?;
    Ok((name, bytes))
}

/// A CSV or TSV file is data rows, never a template nor requests: bad usage with the
/// command the user most likely meant.
pub(crate) fn data_given_as_template(path: &std::path::Path) -> Result<(), Error> {
    let name = path.display().to_string();
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".tsv") {
        let shown = crate::diag::render::printable(&name);
        return Err(Error::Usage(format!(
            "`{shown}` is a data file, not a template: did you mean `--data {shown}` after a template (`timl compile TEMPLATE --data {shown}`)?"
        )));
    }
    Ok(())
}

/// The cap of `input` (see [`crate::compile::input_cap`]).
pub(crate) fn input_cap(input: &InputPath, options: &crate::compile::Options) -> usize {
    let kind = match input {
        InputPath::Stdin => crate::compile::InputKind::Markup,
        InputPath::File(path) => crate::compile::InputKind::of_path(&path.display().to_string()),
    };
    crate::compile::input_cap(kind, options.max_bytes)
}

pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::Write {
            path: PathBuf::from("<stdout>"),
            source,
        })
}
