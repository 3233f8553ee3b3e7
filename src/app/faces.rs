//! The face catalog a command uses (`--faces FILE`, else `faces` in `timl.toml`, else
//! TUIKit's), and `timl faces`, which lists it.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use super::config::{FacesConfig, Format};
use super::input::write_stdout;
use super::outcome::Outcome;
use crate::diag::render::{json_safe, printable};
use crate::error::Error;
use crate::markup::source::read_text;
use crate::message::faces::{self, Catalog};
use crate::send::config_file;

/// The most of a catalog file timl reads.
const CATALOG_CAP: usize = 4 << 20;

/// The catalog for a command whose `--faces` is `flag`.
pub(super) fn catalog(flag: Option<&Path>) -> Result<Arc<Catalog>, Error> {
    let file = match flag {
        Some(file) => Some(file.to_owned()),
        None => config_file::faces_file(&config_file::config_paths())?,
    };
    match file {
        Some(file) => read_catalog(&file).map(Arc::new),
        None => Ok(Catalog::shared_builtin()),
    }
}

/// Reads the catalog file at `path`; a problem in it is a usage error at its line.
fn read_catalog(path: &Path) -> Result<Catalog, Error> {
    // A FIFO or a device would block the read, or never end it.
    let regular = std::fs::metadata(path).map(|m| m.is_file());
    if let Ok(false) = regular {
        return Err(Error::Usage(format!(
            "the face catalog `{}` is not a regular file",
            printable(&path.display().to_string())
        )));
    }
    let text = read_text(path, CATALOG_CAP).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let name = path.display().to_string();
    faces::file::read(&name, &text).map_err(|error| {
        Error::Usage(printable(&format!(
            "{name}:{}:{}: {}",
            error.line, error.column, error.message
        )))
    })
}

/// `timl faces`: every emoji (key, names, where it came from) and every sticker
/// (group, name, where it came from).
pub(super) fn list_faces(config: FacesConfig) -> Result<Outcome, Error> {
    let catalog = catalog(config.faces.as_deref())?;
    let text = match config.format {
        Format::Human => human(&catalog),
        Format::Json => json(&catalog),
    };
    write_stdout(text.as_bytes())?;
    Ok(Outcome::Success)
}

fn human(catalog: &Catalog) -> String {
    // Columns by display width: a CJK key or name takes two columns a character.
    let width = |text: &str| unicode_width::UnicodeWidthStr::width(text);
    let pad =
        |text: &str, to: usize| format!("{text}{}", " ".repeat(to.saturating_sub(width(text))));
    let emoji: Vec<[String; 3]> = catalog
        .emoji()
        .iter()
        .map(|e| {
            [
                printable(&e.key),
                printable(&e.origin.to_string()),
                printable(&e.names.join(", ")),
            ]
        })
        .collect();
    let stickers: Vec<[String; 3]> = catalog
        .stickers()
        .iter()
        .map(|s| {
            [
                s.group.to_string(),
                printable(&s.name),
                printable(&s.origin.to_string()),
            ]
        })
        .collect();
    let widest = |rows: &[[String; 3]], column: usize| {
        rows.iter().map(|r| width(&r[column])).max().unwrap_or(0)
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Emoji ({}): the key sent in text, where it came from, its names",
        emoji.len()
    );
    let (key_width, origin_width) = (widest(&emoji, 0), widest(&emoji, 1));
    for [key, origin, names] in &emoji {
        let _ = writeln!(
            out,
            "  {}  {}  {names}",
            pad(key, key_width),
            pad(origin, origin_width)
        );
    }
    let _ = writeln!(
        out,
        "\nStickers ({}): the group (`Index`), the name (`Data`), where it came from",
        stickers.len()
    );
    let (group_width, name_width) = (widest(&stickers, 0).max(5), widest(&stickers, 1));
    for [group, name, origin] in &stickers {
        let group = format!("{}{group}", " ".repeat(group_width - width(group)));
        let _ = writeln!(out, "  {group}  {}  {origin}", pad(name, name_width));
    }
    let _ = writeln!(
        out,
        "\nWrite `[emoji NAME]` for an emoji in the text and `[sticker NAME]` for a sticker."
    );
    out
}

fn json(catalog: &Catalog) -> String {
    let mut out = String::new();
    for emoji in catalog.emoji() {
        let line = serde_json::json!({
            "kind": "emoji",
            "key": emoji.key,
            "label": emoji.label,
            "names": emoji.names,
            "picture": emoji.picture,
            "source": emoji.origin.to_string(),
        });
        let _ = writeln!(out, "{}", json_safe(&line.to_string()));
    }
    for sticker in catalog.stickers() {
        let line = serde_json::json!({
            "kind": "sticker",
            "group": sticker.group,
            "name": sticker.name,
            "picture": sticker.picture,
            "source": sticker.origin.to_string(),
        });
        let _ = writeln!(out, "{}", json_safe(&line.to_string()));
    }
    out
}
