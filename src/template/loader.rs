//! Includes and imports: a name in, the text of a `.timl` file inside the template's
//! folder out. The folder is taken as it really is (symlinks resolved), and so is
//! every file asked for: a name with `..` or an absolute path, a symlink (to a file or
//! a folder) that leads anywhere outside the folder, and a file that is not a `.timl`
//! template (`timl.toml`, with its secret key, sits in such folders) are refused.
//! Names may come from data (`{% include name %}`); this is where they are held.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use minijinja::{Error, ErrorKind};

use super::slots::{self, reserved_char};
use crate::markup::source::read_text;

/// A template source: the name it is shown under and its text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as shown in diagnostics.
    pub path: String,
    /// The text as read.
    pub text: Arc<str>,
}

/// The most of an included template timl reads: the largest rendering any
/// `--max-bytes` allows (32 MiB, see `compile::markup_cap`), which no include can
/// usefully pass. A bigger file is never read whole.
const INCLUDE_CAP: usize = 32 << 20;

/// Template sources by minijinja template name (the main one and every include).
pub(super) type Sources = Arc<Mutex<HashMap<String, Source>>>;

/// The loader for templates in `dir` (none for standard input: no includes), which
/// records every source it reads in `sources`.
pub fn loader(
    dir: Option<&Path>,
    sources: Sources,
) -> impl Fn(&str) -> Result<Option<String>, Error> + Send + Sync + 'static {
    let given = dir.map(Path::to_owned);
    // The folder as it really is; one that cannot be resolved has no includes.
    let root = dir.map(|dir| {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        dir.canonicalize()
    });
    move |name| {
        let root = match &root {
            None => return Ok(None),
            Some(Ok(root)) => root,
            Some(Err(error)) => {
                return Err(failed(format!(
                    "cannot read the template's folder: {error}"
                )))
            }
        };
        let Some(path) = inside(root, name)? else {
            return Ok(None);
        };
        let text = read_text(&path, INCLUDE_CAP)
            .map_err(|error| failed(format!("cannot read `{name}`: {error}")))?;
        if let Some(diagnostic) = reserved_char(&text).or_else(|| super::depth::too_deep(&text)) {
            return Err(failed(format!("`{name}`: {}", diagnostic.message)));
        }
        sources.lock().expect("not poisoned").insert(
            name.to_owned(),
            Source {
                // Named as the user would: below the folder as given.
                path: given
                    .as_deref()
                    .unwrap_or(Path::new(""))
                    .join(name)
                    .display()
                    .to_string(),
                text: Arc::from(text.as_str()),
            },
        );
        Ok(Some(text))
    }
}

/// The real path of `name` below `root`: `None` when there is no such file, an error
/// when the name or the file it leads to is outside `root` or not a file.
fn inside(root: &Path, name: &str) -> Result<Option<PathBuf>, Error> {
    let outside = || {
        failed(format!(
            "`{name}` is outside the template's folder: includes and imports are read \
             from that folder only"
        ))
    };
    if name.contains(slots::is_reserved) || name.contains('\0') {
        return Err(failed(format!("`{name}` is not a file name")));
    }
    let relative = Path::new(name);
    let lexically_inside = relative
        .components()
        .all(|part| matches!(part, Component::Normal(_) | Component::CurDir));
    if !lexically_inside {
        return Err(outside());
    }
    let real = match root.join(relative).canonicalize() {
        Ok(real) => real,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(failed(format!("cannot read `{name}`: {error}"))),
    };
    // A symlink may point anywhere: what counts is where it leads.
    if !real.starts_with(root) {
        return Err(outside());
    }
    if !real.is_file() {
        return Err(failed(format!("`{name}` is not a file")));
    }
    // Only templates: a name from data must not pull `timl.toml` (the secret key) or
    // any other file of the folder into a message.
    if real.extension().and_then(|e| e.to_str()) != Some("timl") {
        return Err(failed(format!(
            "`{name}` is not a template: includes and imports read `.timl` files only"
        )));
    }
    Ok(Some(real))
}

fn failed(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}
