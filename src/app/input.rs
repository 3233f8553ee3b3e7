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

pub(crate) fn read_input(input: &InputPath) -> Result<(String, Vec<u8>), Error> {
    match input {
        InputPath::Stdin => {
            let mut bytes = Vec::new();
            io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|source| Error::Read {
                    path: PathBuf::from("<stdin>"),
                    source,
                })?;
            Ok(("<stdin>".to_owned(), bytes))
        }
        InputPath::File(path) => {
            let bytes = std::fs::read(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            Ok((path.display().to_string(), bytes))
        }
    }
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
