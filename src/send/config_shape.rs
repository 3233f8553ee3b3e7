//! What `timl.toml` may hold, checked before its values are read: `[profile.NAME]`
//! tables of the profile keys, and `faces`. Anything else (`[default]` for
//! `[profile.default]`, `sdkappid` outside any profile, a misspelt key) would be
//! ignored, and a send would go on with settings the user never meant, or a missing
//! key reported as if it had never been written.
//!
//! A message names an unknown table or key only when the name looks like a word
//! (short, of letters, `_` and `-`): a name is not a value, but a key or UserSig
//! pasted where a name goes (both hold digits) must never be printed. A profile's
//! name, which `timl config` shows anyway, may hold digits and dots too.

use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::config_file::{line_column, PROFILE_KEYS};
use crate::diag::suggest::edit_distance;
use crate::error::Error;

/// The keys of the file itself.
const TOP_KEYS: &[&str] = &["profile", "faces"];

/// A problem: where (a byte offset) and what.
type Found = (usize, String);

/// Refuses a config file holding a table or key timl does not read, at its place:
/// `file:line:column: not a valid timl config: ...`. A file that is not TOML passes:
/// the reading that follows reports it, in its own words.
pub(super) fn check_shape(path: &Path, text: &str) -> Result<(), Error> {
    let Ok(root) = DeTable::parse(text) else {
        return Ok(());
    };
    let mut found: Vec<Found> = Vec::new();
    for (key, value) in root.get_ref() {
        match key.get_ref().as_ref() {
            "faces" => {}
            "profile" => {
                if let DeValue::Table(profiles) = value.get_ref() {
                    for (name, profile) in profiles {
                        check_profile(name, profile, &mut found);
                    }
                }
            }
            _ => found.push(unknown_top(key, value.get_ref())),
        }
    }
    // The first in the file: the map's order need not be the file's.
    match found.into_iter().min_by_key(|(at, _)| *at) {
        None => Ok(()),
        Some((at, what)) => {
            let (line, column) = line_column(text, at);
            Err(Error::Usage(format!(
                "{}:{line}:{column}: not a valid timl config: {what}",
                path.display()
            )))
        }
    }
}

/// The problems of `[profile.NAME]`, whose value is `profile`.
fn check_profile(
    name: &Spanned<std::borrow::Cow<'_, str>>,
    profile: &Spanned<DeValue<'_>>,
    found: &mut Vec<Found>,
) {
    let at = name.span().start;
    let Some(shown_name) = profile_name(name.get_ref()) else {
        if !profile.get_ref().is_table() {
            found.push((at, "a key in `[profile]` is outside any profile; a profile is `[profile.NAME]` (`[profile.default]` unless --profile says otherwise)".to_owned()));
        }
        return;
    };
    let DeValue::Table(keys) = profile.get_ref() else {
        found.push((
            at,
            if PROFILE_KEYS.contains(&shown_name) {
                format!("`{shown_name}` is in `[profile]` but in no profile; put it in a profile table, `[profile.default]` (or `[profile.NAME]` for --profile NAME)")
            } else {
                format!("`profile.{shown_name}` is not a profile; a profile is a table, `[profile.{shown_name}]`")
            },
        ));
        return;
    };
    for (key, value) in keys {
        // A known key of the wrong type is the reading's to report.
        if PROFILE_KEYS.contains(&key.get_ref().as_ref()) {
            continue;
        }
        let at = key.span().start;
        let message = match (shown(key.get_ref()), value.get_ref().is_table()) {
            (Some(key), true) => format!(
                "unknown table `[profile.{shown_name}.{key}]`; a profile holds keys only: {}",
                PROFILE_KEYS.join(", ")
            ),
            (Some(key), false) => format!(
                "unknown key `{key}` in `[profile.{shown_name}]`; {}",
                nearest(key, PROFILE_KEYS)
            ),
            (None, true) => format!(
                "unknown table in `[profile.{shown_name}]` (its name is not shown); a profile holds keys only: {}",
                PROFILE_KEYS.join(", ")
            ),
            (None, false) => format!(
                "unknown key in `[profile.{shown_name}]` (its name is not shown); expected one of {}",
                PROFILE_KEYS.join(", ")
            ),
        };
        found.push((at, message));
    }
}

/// The problem of a top-level `key` that is neither `profile` nor `faces`.
fn unknown_top(key: &Spanned<std::borrow::Cow<'_, str>>, value: &DeValue<'_>) -> Found {
    let at = key.span().start;
    let Some(name) = shown(key.get_ref()) else {
        let message = match value.is_table() {
            true => "unknown table (its name is not shown); a profile is `[profile.NAME]`",
            false => "unknown key (its name is not shown); timl.toml holds `[profile.NAME]` tables and `faces`",
        };
        return (at, message.to_owned());
    };
    let message = if value.is_table() && closest(name, TOP_KEYS) == Some("profile") {
        format!(
            "unknown table `[{name}]`; profiles are `[profile.NAME]` tables (`[profile.default]`)"
        )
    } else if value.is_table() {
        format!("unknown table `[{name}]`; a profile is `[profile.{name}]`")
    } else if PROFILE_KEYS.contains(&name) {
        format!("`{name}` is in no profile; put it in a profile table, `[profile.default]` (or `[profile.NAME]` for --profile NAME)")
    } else {
        format!("unknown key `{name}`; {}", nearest(name, TOP_KEYS))
    };
    (at, message)
}

/// "did you mean `x`?" when a known key is near `name`, else the known keys.
fn nearest(name: &str, known: &[&str]) -> String {
    match closest(name, known) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("expected one of {}", known.join(", ")),
    }
}

/// The known key nearest to `name`, if it is close enough to be a typo.
fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = name.to_ascii_lowercase();
    known
        .iter()
        .map(|key| (edit_distance(&lower, key), *key))
        .filter(|&(distance, key)| distance <= if key.len() > 6 { 3 } else { 2 })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, key)| key)
}

/// `name` if it looks like a word, to be quoted in a message.
fn shown(name: &str) -> Option<&str> {
    let word = |c: char| c.is_ascii_alphabetic() || matches!(c, '_' | '-');
    (!name.is_empty() && name.len() <= 40 && name.chars().all(word)).then_some(name)
}

/// `name` if it looks like a profile's name, to be quoted in a message.
fn profile_name(name: &str) -> Option<&str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    (!name.is_empty() && name.len() <= 40 && name.chars().all(plain)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message for `text`, from `file:line:column:` on.
    fn refusal(text: &str) -> Option<String> {
        let error = check_shape(Path::new("timl.toml"), text).err()?;
        let message = error.to_string();
        Some(message.replacen(" not a valid timl config:", "", 1))
    }

    #[test]
    fn what_timl_reads_passes() {
        for text in [
            "",
            "faces = \"cats.toml\"\n",
            "[profile.default]\nsdkappid = 1\nidentifier = \"a\"\nsecret_key_file = \"k\"\n",
            "[profile.work]\nregion = \"china\"\n[profile.default]\nendpoint = \"https://x\"\n",
            "profile.default.sdkappid = 1\n",
            // Wrong types and bad TOML are the reading's to report, in its words.
            "[profile.default]\nsecret_key = { k = 1 }\n",
            "faces = 5\n",
            "[profile.default\n",
        ] {
            assert_eq!(refusal(text), None, "{text}");
        }
    }

    #[test]
    fn a_table_or_key_timl_does_not_read_is_refused_at_its_place() {
        for (text, expected) in [
            (
                "[default]\nsdkappid = 1\n",
                "timl.toml:1:2: unknown table `[default]`; a profile is `[profile.default]`",
            ),
            (
                "[profile.work]\nsdkappid = 1\n\n[prod]\n",
                "timl.toml:4:2: unknown table `[prod]`; a profile is `[profile.prod]`",
            ),
            (
                "[profiles.default]\n",
                "timl.toml:1:2: unknown table `[profiles]`; profiles are `[profile.NAME]` tables (`[profile.default]`)",
            ),
            (
                "sdkappid = 1\n",
                "timl.toml:1:1: `sdkappid` is in no profile; put it in a profile table, `[profile.default]` (or `[profile.NAME]` for --profile NAME)",
            ),
            (
                "face = \"cats.toml\"\n",
                "timl.toml:1:1: unknown key `face`; did you mean `faces`?",
            ),
            (
                "colour = 1\n",
                "timl.toml:1:1: unknown key `colour`; expected one of profile, faces",
            ),
            (
                "[profile]\nregion = \"china\"\n",
                "timl.toml:2:1: `region` is in `[profile]` but in no profile; put it in a profile table, `[profile.default]` (or `[profile.NAME]` for --profile NAME)",
            ),
            (
                "[profile.default]\nidentifer = \"a\"\n",
                "timl.toml:2:1: unknown key `identifer` in `[profile.default]`; did you mean `identifier`?",
            ),
            (
                "[profile.default]\nsdkappid = 1\n[profile.default.extra]\n",
                "timl.toml:3:18: unknown table `[profile.default.extra]`; a profile holds keys only: sdkappid, identifier, secret_key, secret_key_file, usersig, usersig_file, region, endpoint",
            ),
            // The first in the file, whatever the order of the tables.
            (
                "[zz]\n[aa]\n",
                "timl.toml:1:2: unknown table `[zz]`; a profile is `[profile.zz]`",
            ),
        ] {
            assert_eq!(refusal(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn a_name_that_could_be_a_secret_is_not_shown() {
        for text in [
            "[profile.default]\n0a1b2c3d4e5f = 1\n",
            "[profile.default]\n\"ab+cd/ef==\" = 1\n",
            "[0a1b2c3d4e5f]\n",
            "\"0a1b 2c3d\" = 1\n",
        ] {
            let message = refusal(text).expect("refused");
            assert!(message.contains("(its name is not shown)"), "{message}");
            for part in ["0a1b", "ab+cd", "2c3d"] {
                assert!(!message.contains(part), "{message}");
            }
        }
    }
}
