//! Faces: what members' apps draw for an emoji key in text and for a face element.
//!
//! Tencent's UI kits know two kinds of face. A small emoji is its key (`[TUIEmoji_Smile]`)
//! typed into a text element; every kit scans text for keys and draws each as its
//! picture. A big sticker is a `TIMFaceElem` whose `Index` is the sticker's group and
//! whose `Data` is its name (`{"Index": 1, "Data": "yz00"}`). A [`Catalog`] holds both:
//! TUIKit's default one ([`Catalog::builtin`]), an app's own packs read from a file
//! ([`file`](self::file)), or both. Markup looks names up in it (`[emoji smile]`, `[sticker yz00]`),
//! the checks ask it what a face element or a bracketed word in text will be drawn as,
//! and the preview asks it for each face's picture.

mod builtin;
pub mod file;
pub mod scan;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use crate::diag::suggest::within;
pub use builtin::{EMOJI_CDN, STICKER_CDN};

/// Where a catalog entry came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaceOrigin {
    /// TUIKit's default catalog.
    BuiltIn,
    /// An app's catalog file, at this line.
    File {
        /// The file as it was named.
        path: String,
        /// The 1-based line of the entry.
        line: usize,
    },
}

impl fmt::Display for FaceOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaceOrigin::BuiltIn => f.write_str("built-in"),
            FaceOrigin::File { path, line } => write!(f, "{path}:{line}"),
        }
    }
}

/// A small emoji: a key the apps draw as a picture wherever it stands in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emoji {
    /// The text the apps look up, brackets included: `[TUIEmoji_Smile]`.
    pub key: String,
    /// What a tile shows when its picture is not loaded: `Smile`.
    pub label: String,
    /// The names `[emoji NAME]` takes, as written (`smile`, `微笑`, `TUIEmoji_Smile`).
    pub names: Vec<String>,
    /// The picture's address, when the catalog knows it.
    pub picture: Option<String>,
    /// Where it was defined.
    pub origin: FaceOrigin,
}

/// A big sticker: a face element `{"Index": group, "Data": name}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sticker {
    /// Its group: the face element's `Index`.
    pub group: u32,
    /// Its name: the face element's `Data`.
    pub name: String,
    /// The picture's address, when the catalog knows it.
    pub picture: Option<String>,
    /// Where its group was defined.
    pub origin: FaceOrigin,
}

/// What a bracketed word in text (`[...]`) is, for the apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bracketed<'c> {
    /// Exactly a key: drawn as the emoji's picture.
    Key(&'c Emoji),
    /// Looks like a key but is none (`[TUIEmoji_Smiel]`): shown as text.
    NearKey(Option<&'c Emoji>),
    /// A Chinese name in brackets (`[微笑]`), the key of the kits before 2024:
    /// current kits show it as text.
    Legacy(&'c Emoji),
    /// Any other bracketed text (`[Notice]`, `[1/3]`).
    Plain,
}

/// The emoji and stickers members' apps know: TUIKit's, an app's own, or both.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    emoji: Vec<Emoji>,
    stickers: Vec<Sticker>,
    /// Normalized name to emoji.
    emoji_names: HashMap<String, usize>,
    /// Normalized name to sticker.
    sticker_names: HashMap<String, usize>,
    /// Exact key to emoji.
    keys: HashMap<String, usize>,
    /// Exact name (a face element's `Data`) to sticker: names are unique across
    /// groups, so the group is checked after (and a lookup allocates nothing).
    data: HashMap<String, usize>,
    /// Each emoji's key in lower case, as characters (for "looks like a key").
    lower_keys: Vec<Vec<char>>,
    /// The bracketed words already judged near a key or not: the rows of a batch
    /// share their template's words, and a catalog may hold 10,000 keys.
    near_cache: Arc<Mutex<HashMap<String, Option<usize>>>>,
    /// An app's catalog file is in use.
    app: bool,
}

/// The most bracketed words [`Catalog::bracketed`] remembers.
const NEAR_CACHED: usize = 4096;

/// A name as it is looked up: Latin letters in any case match.
pub fn normalize(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Names longer than this are never close to a catalog name (and are not compared:
/// "did you mean" over a huge word would cost its length times every name).
const MOST_COMPARED: usize = 64;

impl Catalog {
    /// TUIKit's default catalog: the 62 emoji and the 51 stickers, with the
    /// addresses Tencent's web kit loads their pictures from.
    pub fn builtin() -> Catalog {
        let mut catalog = Catalog::default();
        for emoji in &builtin::EMOJI {
            let inner = &emoji.key[1..emoji.key.len() - 1];
            let english = emoji.english.to_ascii_lowercase().replace(' ', "-");
            let mut names = vec![english, emoji.simplified.to_owned()];
            names.push(emoji.traditional.to_owned());
            names.push(inner.to_owned());
            let mut seen = Vec::new();
            names.retain(|name| {
                let key = normalize(name);
                let fresh = !seen.contains(&key);
                seen.push(key);
                fresh
            });
            catalog
                .add_emoji(Emoji {
                    key: emoji.key.to_owned(),
                    label: emoji.english.to_owned(),
                    names,
                    picture: Some(format!("{EMOJI_CDN}{}", emoji.web_file)),
                    origin: FaceOrigin::BuiltIn,
                })
                .expect("the default names are unique");
        }
        for (group, prefix, count) in builtin::STICKER_GROUPS {
            for n in 0..count {
                let name = format!("{prefix}{n:02}");
                catalog
                    .add_sticker(Sticker {
                        group,
                        picture: Some(format!("{STICKER_CDN}{name}@2x.png")),
                        name,
                        origin: FaceOrigin::BuiltIn,
                    })
                    .expect("the default names are unique");
            }
        }
        catalog
    }

    /// The default catalog, built once and shared.
    pub fn shared_builtin() -> Arc<Catalog> {
        static BUILTIN: OnceLock<Arc<Catalog>> = OnceLock::new();
        BUILTIN.get_or_init(|| Arc::new(Catalog::builtin())).clone()
    }

    /// Adds `emoji`, or names what it repeats: its key, or a name another emoji has.
    pub(crate) fn add_emoji(&mut self, emoji: Emoji) -> Result<(), String> {
        if let Some(&other) = self.keys.get(&emoji.key) {
            return Err(format!(
                "the key `{}` is already defined ({})",
                emoji.key, self.emoji[other].origin
            ));
        }
        let index = self.emoji.len();
        for name in &emoji.names {
            if let Some(&other) = self.sticker_names.get(&normalize(name)) {
                let other = &self.stickers[other];
                return Err(format!(
                    "the name `{name}` is already the sticker {} of group {} ({})",
                    other.name, other.group, other.origin
                ));
            }
            if let Some(&other) = self.emoji_names.get(&normalize(name)) {
                if other != index {
                    return Err(format!(
                        "the name `{name}` is already the emoji {} ({})",
                        self.emoji[other].key, self.emoji[other].origin
                    ));
                }
            }
            self.emoji_names.insert(normalize(name), index);
        }
        self.keys.insert(emoji.key.clone(), index);
        self.lower_keys
            .push(normalize(&emoji.key).chars().collect());
        self.emoji.push(emoji);
        Ok(())
    }

    /// Adds `sticker`, or names what it repeats: a name another sticker has.
    pub(crate) fn add_sticker(&mut self, sticker: Sticker) -> Result<(), String> {
        if let Some(&other) = self.emoji_names.get(&normalize(&sticker.name)) {
            let other = &self.emoji[other];
            return Err(format!(
                "the name `{}` is already the emoji {} ({})",
                sticker.name, other.key, other.origin
            ));
        }
        if let Some(&other) = self.sticker_names.get(&normalize(&sticker.name)) {
            let other = &self.stickers[other];
            return Err(format!(
                "the sticker name `{}` is already in group {} ({})",
                sticker.name, other.group, other.origin
            ));
        }
        let index = self.stickers.len();
        self.sticker_names.insert(normalize(&sticker.name), index);
        self.data.insert(sticker.name.clone(), index);
        self.stickers.push(sticker);
        Ok(())
    }

    /// Marks the catalog as holding an app's own faces.
    pub(crate) fn set_app(&mut self) {
        self.app = true;
    }

    /// Whether an app's catalog file is in use (so a face element outside it is
    /// unknown rather than undrawable).
    pub fn has_app_catalog(&self) -> bool {
        self.app
    }

    /// Every emoji, in catalog order.
    pub fn emoji(&self) -> &[Emoji] {
        &self.emoji
    }

    /// Every sticker, in catalog order.
    pub fn stickers(&self) -> &[Sticker] {
        &self.stickers
    }

    /// The sticker groups in use, in catalog order.
    pub fn groups(&self) -> Vec<u32> {
        let mut groups: Vec<u32> = Vec::new();
        for sticker in &self.stickers {
            if !groups.contains(&sticker.group) {
                groups.push(sticker.group);
            }
        }
        groups
    }

    /// The emoji called `name` (any of its names; Latin letters in any case).
    pub fn emoji_named(&self, name: &str) -> Option<&Emoji> {
        self.emoji_names
            .get(&normalize(name))
            .map(|&i| &self.emoji[i])
    }

    /// The sticker called `name`.
    pub fn sticker_named(&self, name: &str) -> Option<&Sticker> {
        self.sticker_names
            .get(&normalize(name))
            .map(|&i| &self.stickers[i])
    }

    /// The emoji whose key is exactly `key` (brackets included).
    pub fn emoji_by_key(&self, key: &str) -> Option<&Emoji> {
        self.keys.get(key).map(|&i| &self.emoji[i])
    }

    /// The sticker a face element `{"Index": group, "Data": name}` shows.
    pub fn sticker(&self, group: u32, name: &str) -> Option<&Sticker> {
        self.data
            .get(name)
            .map(|&i| &self.stickers[i])
            .filter(|sticker| sticker.group == group)
    }

    /// The emoji name nearest to `name`, when one is close enough to suggest.
    pub fn suggest_emoji(&self, name: &str) -> Option<&str> {
        nearest(name, self.emoji.iter().flat_map(|e| e.names.iter()))
    }

    /// The sticker name nearest to `name`, when one is close enough to suggest.
    pub fn suggest_sticker(&self, name: &str) -> Option<&str> {
        nearest(name, self.stickers.iter().map(|s| &s.name))
    }

    /// What the apps make of the bracketed word `token` (`[...]`, brackets included).
    pub fn bracketed(&self, token: &str) -> Bracketed<'_> {
        if let Some(emoji) = self.emoji_by_key(token) {
            return Bracketed::Key(emoji);
        }
        let inner = &token[1..token.len() - 1];
        if !inner.is_ascii() {
            if let Some(emoji) = self.emoji_named(inner) {
                return Bracketed::Legacy(emoji);
            }
        }
        let lower = normalize(token);
        match self.near_key(token, inner) {
            Some(emoji) => Bracketed::NearKey(Some(emoji)),
            None if lower.starts_with("[tuiemoji_") => Bracketed::NearKey(None),
            None => Bracketed::Plain,
        }
    }

    /// The emoji whose key `token` is nearest to, when it is close enough to be a
    /// misspelling: two edits at most, one for short words, none for words of under
    /// four characters inside the brackets (`[OK]`, `[1/3]` are prose).
    fn near_key(&self, token: &str, inner: &str) -> Option<&Emoji> {
        let count = inner.chars().count();
        if token.len() > MOST_COMPARED || count < 4 {
            return None;
        }
        let cached = self
            .near_cache
            .lock()
            .ok()
            .and_then(|cache| cache.get(token).copied());
        let found = match cached {
            Some(found) => found,
            None => {
                let found = self.nearest_key(token, (count / 3).clamp(1, 2));
                if let Ok(mut cache) = self.near_cache.lock() {
                    if cache.len() < NEAR_CACHED {
                        cache.insert(token.to_owned(), found);
                    }
                }
                found
            }
        };
        found.map(|i| &self.emoji[i])
    }

    /// The index of the key nearest to `token` within `limit` edits (in any case).
    fn nearest_key(&self, token: &str, limit: usize) -> Option<usize> {
        let wanted: Vec<char> = normalize(token).chars().collect();
        let mut best: Option<(usize, usize)> = None;
        for (index, key) in self.lower_keys.iter().enumerate() {
            let bound = best.map_or(limit, |(d, _)| d.saturating_sub(1));
            if best.is_some_and(|(d, _)| d == 0) {
                break;
            }
            if let Some(d) = within(&wanted, key, bound) {
                if best.is_none_or(|(b, _)| d < b) {
                    best = Some((d, index));
                }
            }
        }
        best.map(|(_, index)| index)
    }
}

/// The name among `names` nearest to `name`, if close enough: at most two edits, one
/// for short names; none for a name of one character (every one-character name would
/// be one edit away).
fn nearest<'c>(name: &str, names: impl Iterator<Item = &'c String>) -> Option<&'c str> {
    let count = name.chars().count();
    if !(2..=MOST_COMPARED).contains(&count) {
        return None;
    }
    let wanted: Vec<char> = normalize(name).chars().collect();
    let limit = (count / 3).clamp(1, 2);
    let mut best: Option<(usize, &str)> = None;
    for candidate in names {
        let bound = best.map_or(limit, |(d, _)| d.saturating_sub(1));
        if best.is_some_and(|(d, _)| d == 0) {
            break;
        }
        let other: Vec<char> = normalize(candidate).chars().collect();
        if let Some(d) = within(&wanted, &other, bound) {
            if best.is_none_or(|(b, _)| d < b) {
                best = Some((d, candidate.as_str()));
            }
        }
    }
    best.map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_name_finds_the_key() {
        let catalog = Catalog::builtin();
        for name in ["smile", "Smile", "微笑", "TUIEmoji_Smile", "tuiemoji_smile"] {
            assert_eq!(catalog.emoji_named(name).unwrap().key, "[TUIEmoji_Smile]");
        }
        assert_eq!(
            catalog.emoji_named("kind-smile").unwrap().key,
            "[TUIEmoji_KindSmile]"
        );
        assert_eq!(catalog.emoji_named("親親").unwrap().key, "[TUIEmoji_Kiss]");
        assert_eq!(catalog.emoji_named("ok").unwrap().key, "[TUIEmoji_Ok]");
        assert_eq!(catalog.emoji_named("666").unwrap().key, "[TUIEmoji_666]");
        assert!(catalog.emoji_named("kind smile").is_none());
        assert_eq!(catalog.emoji().len(), 62);
        assert_eq!(catalog.stickers().len(), 51);
        assert_eq!(catalog.sticker_named("gcs16").unwrap().group, 3);
        assert_eq!(catalog.groups(), [1, 2, 3]);
    }

    #[test]
    fn suggestions_are_near_and_short_names_strict() {
        let catalog = Catalog::builtin();
        assert_eq!(catalog.suggest_emoji("smiel"), Some("smile"));
        assert_eq!(catalog.suggest_emoji("微小"), Some("微笑"));
        assert_eq!(catalog.suggest_sticker("yz0"), Some("yz00"));
        assert_eq!(catalog.suggest_emoji("zzzzzzzz"), None);
        assert_eq!(catalog.suggest_emoji(&"x".repeat(10_000)), None);
    }

    #[test]
    fn bracketed_words() {
        let catalog = Catalog::builtin();
        let kind = |token: &str| match catalog.bracketed(token) {
            Bracketed::Key(_) => "key",
            Bracketed::NearKey(_) => "near",
            Bracketed::Legacy(_) => "legacy",
            Bracketed::Plain => "plain",
        };
        assert_eq!(kind("[TUIEmoji_Smile]"), "key");
        assert_eq!(kind("[TUIEmoji_Smiel]"), "near");
        assert_eq!(kind("[tuiemoji_smile]"), "near");
        assert_eq!(kind("[TUIEmoji_Nothing_Like_It]"), "near");
        assert_eq!(kind("[微笑]"), "legacy");
        assert_eq!(kind("[Notice]"), "plain");
        assert_eq!(kind("[1/3]"), "plain");
        assert_eq!(kind("[OK]"), "plain");
        assert_eq!(kind(&format!("[{}]", "a".repeat(500))), "plain");
    }
}
