//! An app's own face catalog, read from a TOML file:
//!
//! ```toml
//! builtin = true                 # false: drop TUIKit's default catalog
//! [[emoji]]
//! key = "[Cat_Smile]"            # the text the app looks up
//! names = ["cat-smile", "猫笑"]
//! picture = "https://cdn.example.com/e/cat_smile.png"
//! [[sticker-group]]
//! index = 4
//! names = ["cat01", "cat02"]
//! picture = "https://cdn.example.com/s/{name}.gif"
//! ```
//!
//! Text in, a [`Catalog`] or the first problem (with its line and column) out. Every
//! value is held to what the apps and the preview can use: a key is one bracketed
//! word, a name one word, a picture an `http(s)` address.

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use toml::Spanned;

use super::{Catalog, Emoji, FaceOrigin, Sticker};
use crate::diag::LineIndex;

/// The most emoji, and the most stickers, one catalog file defines.
pub const MOST_ENTRIES: usize = 10_000;
/// The longest key, name and picture address, in bytes.
const LONGEST_KEY: usize = 64;
const LONGEST_NAME: usize = 64;
const LONGEST_PICTURE: usize = 2048;

/// A problem in a catalog file, at a line and column (1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// The line.
    pub line: usize,
    /// The column.
    pub column: usize,
    /// What is wrong, and how to put it right.
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default = "yes")]
    builtin: bool,
    #[serde(default)]
    emoji: Vec<Spanned<EmojiEntry>>,
    #[serde(default, rename = "sticker-group")]
    sticker_group: Vec<Spanned<GroupEntry>>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmojiEntry {
    key: Spanned<String>,
    names: Spanned<Vec<Spanned<String>>>,
    picture: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupEntry {
    index: Spanned<u32>,
    names: Spanned<Vec<Spanned<String>>>,
    picture: Option<Spanned<String>>,
}

/// Reads the catalog file `path` (its name, for where each entry came from) whose
/// text is `text`: its faces, and TUIKit's unless it says `builtin = false`.
pub fn read(path: &str, text: &str) -> Result<Catalog, CatalogError> {
    let index = LineIndex::new(text);
    let at = |offset: usize, message: String| {
        let place = index.line_col(offset.min(text.len()));
        CatalogError {
            line: place.line,
            column: place.column,
            message,
        }
    };
    let file: CatalogFile = toml::from_str(text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        at(offset, toml_message(&error))
    })?;
    let mut catalog = if file.builtin {
        Catalog::builtin()
    } else {
        Catalog::default()
    };
    catalog.set_app();
    let origin = |offset: usize| FaceOrigin::File {
        path: path.to_owned(),
        line: index.line_col(offset).line,
    };
    if file.emoji.len() > MOST_ENTRIES {
        return Err(at(
            file.emoji[MOST_ENTRIES].span().start,
            format!("a catalog defines at most {MOST_ENTRIES} emoji"),
        ));
    }
    for entry in &file.emoji {
        let emoji = emoji(entry.get_ref(), origin(entry.span().start))
            .map_err(|(offset, message)| at(offset, message))?;
        let entry = entry.get_ref();
        // A repeated key is the key's fault; a repeated name, the names'.
        let offset = if catalog.emoji_by_key(&emoji.key).is_some() {
            entry.key.span().start
        } else {
            entry.names.span().start
        };
        catalog
            .add_emoji(emoji)
            .map_err(|message| at(offset, message))?;
    }
    let mut stickers = 0;
    for entry in &file.sticker_group {
        let group = entry.get_ref();
        let number = *group.index.get_ref();
        if number == 0 {
            return Err(at(
                group.index.span().start,
                "a sticker group's `index` is 1 or more (Android's kit takes no group 0)"
                    .to_owned(),
            ));
        }
        if catalog.groups().contains(&number) {
            return Err(at(
                group.index.span().start,
                format!("sticker group {number} is already defined (TUIKit's default catalog has groups 1, 2 and 3; set `builtin = false` to replace them)"),
            ));
        }
        stickers += group.names.get_ref().len();
        if stickers > MOST_ENTRIES {
            return Err(at(
                group.names.span().start,
                format!("a catalog defines at most {MOST_ENTRIES} stickers"),
            ));
        }
        for sticker in sticker_group(group, origin(entry.span().start))
            .map_err(|(offset, message)| at(offset, message))?
        {
            let offset = group.names.span().start;
            catalog
                .add_sticker(sticker)
                .map_err(|message| at(offset, message))?;
        }
    }
    Ok(catalog)
}

/// An entry's problem: where, and what.
type Problem = (usize, String);

fn emoji(entry: &EmojiEntry, origin: FaceOrigin) -> Result<Emoji, Problem> {
    let key = entry.key.get_ref();
    let inner = key
        .strip_prefix('[')
        .and_then(|k| k.strip_suffix(']'))
        .filter(|inner| !inner.is_empty() && key.len() <= LONGEST_KEY && word(inner));
    if inner.is_none() {
        return Err((
            entry.key.span().start,
            format!("a `key` is one bracketed word of at most {LONGEST_KEY} bytes, such as \"[Cat_Smile]\": no white space, brackets or control characters inside"),
        ));
    }
    let names = names(&entry.names)?;
    let picture = picture(entry.picture.as_ref(), false)?;
    Ok(Emoji {
        key: key.clone(),
        label: names[0].clone(),
        names,
        picture,
        origin,
    })
}

fn sticker_group(group: &GroupEntry, origin: FaceOrigin) -> Result<Vec<Sticker>, Problem> {
    let names = names(&group.names)?;
    let picture = picture(group.picture.as_ref(), true)?;
    Ok(names
        .into_iter()
        .map(|name| Sticker {
            group: *group.index.get_ref(),
            picture: picture
                .as_ref()
                .map(|p| p.replace("{name}", &utf8_percent_encode(&name, URL_WORD).to_string())),
            name,
            origin: origin.clone(),
        })
        .collect())
}

/// The characters a name keeps as they are in a picture's address.
const URL_WORD: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// One word: no white space, brackets, quotes, backslashes, control or reserved
/// characters, so that it can be written bare in `[emoji NAME]` and found in text.
fn word(text: &str) -> bool {
    !text.chars().any(|c| {
        c.is_whitespace()
            || crate::diag::render::unseen(c)
            || blank_looking(c)
            || matches!(c, '[' | ']' | '"' | '\\')
            || ('\u{E000}'..='\u{F8FF}').contains(&c)
    })
}

/// Characters that draw as nothing though they are no control: joiners, variation
/// selectors, fillers and blanks (a name made of them would look like no name, or
/// like another).
fn blank_looking(c: char) -> bool {
    matches!(c,
        '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{200C}' | '\u{200D}'
        | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FFA0}' | '\u{E0100}'..='\u{E01EF}')
}

fn names(list: &Spanned<Vec<Spanned<String>>>) -> Result<Vec<String>, Problem> {
    if list.get_ref().is_empty() {
        return Err((
            list.span().start,
            "`names` lists at least one name".to_owned(),
        ));
    }
    let mut names: Vec<String> = Vec::new();
    for name in list.get_ref() {
        let text = name.get_ref();
        if text.is_empty() || text.len() > LONGEST_NAME || !word(text) {
            return Err((
                name.span().start,
                format!("a name is one word of at most {LONGEST_NAME} bytes: no white space, brackets, quotes, backslashes, control or invisible characters"),
            ));
        }
        if names
            .iter()
            .any(|n| super::normalize(n) == super::normalize(text))
        {
            return Err((
                name.span().start,
                format!("the name `{text}` is given twice"),
            ));
        }
        names.push(text.clone());
    }
    Ok(names)
}

fn picture(picture: Option<&Spanned<String>>, per_name: bool) -> Result<Option<String>, Problem> {
    let Some(picture) = picture else {
        return Ok(None);
    };
    let url = picture.get_ref();
    let lower = url.to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let clean = !url.chars().any(|c| {
        c.is_whitespace()
            || crate::diag::render::unseen(c)
            || blank_looking(c)
            || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
    });
    let host = url.split_once("//").map_or("", |(_, rest)| rest);
    if !web || !clean || host.is_empty() || host.starts_with('/') || url.len() > LONGEST_PICTURE {
        return Err((
            picture.span().start,
            format!("a `picture` is an https:// (or http://) address of at most {LONGEST_PICTURE} bytes, without white space, quotes, `<`, `>`, backslashes or invisible characters"),
        ));
    }
    if per_name && !url.contains("{name}") {
        return Err((
            picture.span().start,
            "a sticker group's `picture` holds `{name}`, which each sticker's name replaces: \"https://cdn.example.com/s/{name}.gif\"".to_owned(),
        ));
    }
    Ok(Some(url.clone()))
}

/// A TOML error in timl's words (a catalog holds no secret, so values may be quoted).
fn toml_message(error: &toml::de::Error) -> String {
    let message = error.message().trim();
    if message.starts_with("unknown field") {
        let field = message.split('`').nth(1).unwrap_or("");
        format!("unknown key `{field}`; a catalog has `builtin`, `[[emoji]]` (`key`, `names`, `picture`) and `[[sticker-group]]` (`index`, `names`, `picture`)")
    } else {
        format!("not a valid face catalog: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATS: &str = r#"
builtin = true
[[emoji]]
key = "[Cat_Smile]"
names = ["cat-smile", "猫笑"]
picture = "https://cdn.example.com/e/cat_smile.png"
[[sticker-group]]
index = 4
names = ["cat01", "cat 02x"]
picture = "https://cdn.example.com/s/{name}.gif"
"#;

    #[test]
    fn an_app_catalog_adds_to_the_default() {
        let text = CATS.replace("cat 02x", "cat02");
        let catalog = read("faces.toml", &text).unwrap();
        assert!(catalog.has_app_catalog());
        assert_eq!(catalog.emoji().len(), 63);
        let cat = catalog.emoji_named("猫笑").unwrap();
        assert_eq!(cat.key, "[Cat_Smile]");
        assert_eq!(cat.origin.to_string(), "faces.toml:3");
        let sticker = catalog.sticker(4, "cat02").unwrap();
        assert_eq!(
            sticker.picture.as_deref(),
            Some("https://cdn.example.com/s/cat02.gif")
        );
        assert!(catalog.emoji_named("smile").is_some());
        let alone = read("f", &text.replace("builtin = true", "builtin = false")).unwrap();
        assert!(alone.emoji_named("smile").is_none());
        assert_eq!(alone.emoji().len(), 1);
    }

    #[test]
    fn a_catalog_holds_at_most_its_entries() {
        let emoji = |n: usize| -> String {
            (0..n)
                .map(|i| format!("[[emoji]]\nkey = \"[E{i}]\"\nnames = [\"e{i}\"]\n"))
                .collect()
        };
        assert!(read("f", &emoji(MOST_ENTRIES)).is_ok());
        let error = read("f", &emoji(MOST_ENTRIES + 1)).unwrap_err();
        assert!(error.message.contains("at most 10000 emoji"), "{error}");
        let names: Vec<String> = (0..=MOST_ENTRIES).map(|i| format!("\"s{i}\"")).collect();
        let stickers = format!(
            "[[sticker-group]]\nindex = 9\nnames = [{}]\n",
            names.join(", ")
        );
        let error = read("f", &stickers).unwrap_err();
        assert!(error.message.contains("at most 10000 stickers"), "{error}");
    }

    #[test]
    fn problems_point_at_their_line() {
        let error = read("f", CATS).unwrap_err();
        assert_eq!((error.line, error.message.contains("one word")), (9, true));
        let error = read(
            "f",
            "[[emoji]]\nkey = \"[A]\"\nnames = [\"a\"]\ncolour = 1\n",
        )
        .unwrap_err();
        assert_eq!(error.line, 4, "{error}");
        assert!(error.message.contains("unknown key `colour`"), "{error}");
        let error = read("f", "[[emoji]]\nkey = \"A\"\nnames = [\"a\"]\n").unwrap_err();
        assert_eq!(error.line, 2);
        let error = read("f", "[[emoji]]\nkey = \"[A]\"\nnames = [\"smile\"]\n").unwrap_err();
        assert!(
            error.message.contains("already the emoji [TUIEmoji_Smile]"),
            "{error}"
        );
        let error = read("f", "[[sticker-group]]\nindex = 2\nnames = [\"x\"]\n").unwrap_err();
        assert!(error.message.contains("already defined"), "{error}");
        let error = read(
            "f",
            "[[emoji]]\nkey = \"[A]\"\nnames = [\"a\"]\npicture = \"javascript:alert(1)\"\n",
        )
        .unwrap_err();
        assert_eq!(error.line, 4);
        let error = read(
            "f",
            "[[sticker-group]]\nindex = 9\nnames = [\"x\"]\npicture = \"https://a/x.gif\"\n",
        )
        .unwrap_err();
        assert!(error.message.contains("{name}"), "{error}");
    }
}
