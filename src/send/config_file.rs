//! `timl.toml`: profiles of credentials, read leniently enough to say where a value is
//! wrong and never what it is.

use std::path::{Path, PathBuf};

use super::secret::Secret;
use crate::error::Error;
use crate::markup::source::read_text;

/// One profile of a config file. (No `Debug`: it holds secrets.)
#[derive(Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    pub sdkappid: Option<u64>,
    pub identifier: Option<String>,
    /// With its place in the file, so that a malformed one is reported by position.
    pub secret_key: Option<toml::Spanned<String>>,
    pub secret_key_file: Option<PathBuf>,
    pub usersig: Option<toml::Spanned<String>>,
    pub usersig_file: Option<PathBuf>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
}

/// The keys of a profile, for messages.
pub(super) const PROFILE_KEYS: &[&str] = &[
    "sdkappid",
    "identifier",
    "secret_key",
    "secret_key_file",
    "usersig",
    "usersig_file",
    "region",
    "endpoint",
];

#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    profile: std::collections::BTreeMap<String, Profile>,
    /// An app's face catalog, relative to this file.
    faces: Option<PathBuf>,
}

/// The config file at `path`, whose text is `text`: a table or key timl does not
/// read is refused, as a value of the wrong type is.
fn parse(path: &Path, text: &str) -> Result<ConfigFile, Error> {
    super::config_shape::check_shape(path, text)?;
    toml::from_str(text).map_err(|error| config_error(path, text, &error))
}

/// The face catalog `faces = "FILE"` of the first config file among `paths` that
/// names one, relative to that file's folder.
pub fn faces_file(paths: &[PathBuf]) -> Result<Option<PathBuf>, Error> {
    for path in paths {
        // Found by looking (none may exist); a FIFO or a device there is not one.
        if !path.is_file() {
            continue;
        }
        let text = read_text(path, 1 << 20).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        let config = parse(path, &text)?;
        if let Some(faces) = config.faces {
            let folder = path.parent().unwrap_or(Path::new("."));
            return Ok(Some(if faces.is_relative() {
                folder.join(faces)
            } else {
                faces
            }));
        }
    }
    Ok(None)
}

/// The config files looked at, in order: the nearest `timl.toml` in the current
/// folder or above it (as cargo finds its config), then the user's
/// (`$XDG_CONFIG_HOME/timl/timl.toml` or `~/.config/timl/timl.toml`).
pub fn config_paths() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // The nearest one the user owns: a planted one (another user's, or one others
    // may write) is passed over, with a warning.
    if let Some(project) = here
        .ancestors()
        .map(|folder| folder.join("timl.toml"))
        .filter(|path| path.is_file())
        .find(|path| trusted(path))
    {
        paths.push(project);
    }
    if let Some(user) = user_config_path() {
        if !paths.contains(&user) && (!user.is_file() || trusted(&user)) {
            paths.push(user);
        }
    }
    paths
}

/// The user's own config file: `$XDG_CONFIG_HOME/timl/timl.toml` or
/// `~/.config/timl/timl.toml`.
pub fn user_config_path() -> Option<PathBuf> {
    // An empty XDG_CONFIG_HOME is unset (the XDG base directory spec).
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|x| !x.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("timl").join("timl.toml"))
}

/// Whether `path` is the user's own config file rather than a project's.
pub fn is_user_config(path: &Path) -> bool {
    user_config_path().is_some_and(|user| user == path)
}

/// Whether a config file found by looking is the user's to trust: owned by the user
/// (or root) and writable by no one else, as git asks of a repository's config
/// (`safe.directory`). One that is not is passed over with a warning, once.
fn trusted(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(metadata) = std::fs::metadata(path) else {
            return false;
        };
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        let owner_ok = metadata.uid() == me || metadata.uid() == 0;
        let others_write = metadata.mode() & 0o022 != 0;
        if owner_ok && !others_write {
            return true;
        }
        static WARNED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
        let fresh = WARNED.lock().map(|mut warned| {
            let fresh = !warned.contains(&path.to_path_buf());
            if fresh {
                warned.push(path.to_path_buf());
            }
            fresh
        });
        if fresh.unwrap_or(true) {
            let why = if owner_ok {
                "others may write to it"
            } else {
                "another user owns it"
            };
            status!(
                "warning: {} is not read: {why} (a timl.toml found by looking must be yours and writable by you alone)",
                crate::diag::render::printable(&path.display().to_string())
            );
        }
        false
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// Which file gave each piece of a layered profile.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProfileSources {
    pub sdkappid: Option<PathBuf>,
    pub identifier: Option<PathBuf>,
    /// `secret_key`, `secret_key_file`, `usersig` or `usersig_file`: one piece.
    pub auth: Option<PathBuf>,
    /// `endpoint` or `region`: one piece.
    pub endpoint: Option<PathBuf>,
}

/// The profile `name` layered over `paths`, key by key: the first file that has a
/// piece gives it (a project file with only `region` still takes `sdkappid` from
/// the user's). `None` when no file has the profile.
pub(crate) fn read_profile(
    paths: &[PathBuf],
    name: &str,
) -> Result<Option<(Profile, ProfileSources)>, Error> {
    let mut layered: Option<(Profile, ProfileSources)> = None;
    for path in paths {
        let Some(profile) = read_one(path, name)? else {
            continue;
        };
        let (merged, sources) = layered.get_or_insert_with(Default::default);
        let from = || Some(path.clone());
        if merged.sdkappid.is_none() && profile.sdkappid.is_some() {
            merged.sdkappid = profile.sdkappid;
            sources.sdkappid = from();
        }
        if merged.identifier.is_none() && profile.identifier.is_some() {
            merged.identifier = profile.identifier.clone();
            sources.identifier = from();
        }
        let has_auth = |p: &Profile| {
            p.secret_key.is_some()
                || p.secret_key_file.is_some()
                || p.usersig.is_some()
                || p.usersig_file.is_some()
        };
        if !has_auth(merged) && has_auth(&profile) {
            merged.secret_key = profile.secret_key.clone();
            merged.secret_key_file = profile.secret_key_file.clone();
            merged.usersig = profile.usersig.clone();
            merged.usersig_file = profile.usersig_file.clone();
            sources.auth = from();
        }
        let has_endpoint = |p: &Profile| p.endpoint.is_some() || p.region.is_some();
        if !has_endpoint(merged) && has_endpoint(&profile) {
            merged.endpoint = profile.endpoint.clone();
            merged.region = profile.region.clone();
            sources.endpoint = from();
        }
    }
    Ok(layered)
}

/// The profile `name` of the config file at `path`, if the file exists and has it;
/// its secrets checked, its file names made relative to the file's folder.
fn read_one(path: &Path, name: &str) -> Result<Option<Profile>, Error> {
    // Found by looking (none may exist); a FIFO or a device there is not one.
    if !path.is_file() {
        return Ok(None);
    }
    let text = read_text(path, 1 << 20).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let config = parse(path, &text)?;
    let Some(profile) = config.profile.get(name) else {
        return Ok(None);
    };
    for (key, secret) in [
        ("secret_key", &profile.secret_key),
        ("usersig", &profile.usersig),
    ] {
        if let Some(secret) = secret {
            if let Err(why) = check_secret(secret.get_ref()) {
                let (line, column) = line_column(&text, secret.span().start);
                return Err(Error::Usage(format!(
                    "{}:{line}:{column}: `{key}` {why} (the value is not shown)",
                    path.display()
                )));
            }
        }
    }
    let mut profile = profile.clone();
    let folder = path.parent().unwrap_or(Path::new("."));
    let project = !is_user_config(path);
    for (key, file) in [
        ("secret_key_file", &mut profile.secret_key_file),
        ("usersig_file", &mut profile.usersig_file),
    ] {
        let Some(file) = file else { continue };
        // A project's file (a cloned repository's) is the user's, but not the user's
        // choice: it may name a credential file only inside its own folder.
        if project && !inside(folder, file) {
            return Err(Error::Usage(format!(
                "{}: `{key}` names a file outside the folder of this project's timl.toml; a project file names credential files only inside its own folder (put the path in your own ~/.config/timl/timl.toml, or pass --secret-key-file)",
                crate::diag::render::printable(&path.display().to_string())
            )));
        }
        if file.is_relative() {
            *file = folder.join(&*file);
        }
    }
    Ok(Some(profile))
}

/// Whether `file`, as a config file in `folder` names it, is inside `folder`: a
/// relative path with no `..` (and no `~`, which is not expanded), that no symbolic
/// link leads out of.
fn inside(folder: &Path, file: &Path) -> bool {
    use std::path::Component;
    let plain = file
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !plain || file.starts_with("~") {
        return false;
    }
    match (folder.join(file).canonicalize(), folder.canonicalize()) {
        (Ok(real), Ok(base)) => real.starts_with(base),
        // Not there (yet): its path is inside.
        _ => true,
    }
}

pub(crate) fn read_secret(path: &Path, what: &str) -> Result<Secret, Error> {
    // A FIFO would block the read (and `config` and `--dry-run` with it); a device
    // would be read as a key: a secret is a regular file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(Error::Usage(format!(
            "the {what} file `{}` is not a regular file",
            crate::diag::render::printable(&path.display().to_string())
        )));
    }
    // A key is 64 hex digits, a UserSig a few hundred characters.
    let text = read_text(path, 64 << 10).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let text = check_secret(&text).map_err(|why| {
        Error::Usage(format!(
            "the {what} in `{}` {why} (the file is not shown)",
            path.display()
        ))
    })?;
    Ok(Secret::new(text))
}

/// A secret without the white space around it, or why it cannot be one: no key or
/// UserSig is empty or holds white space or control characters inside.
fn check_secret(text: &str) -> Result<&str, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        Err("is empty")
    } else if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err("holds white space or control characters (a key or UserSig has none)")
    } else {
        Ok(text)
    }
}

/// A secret from an environment variable, checked.
pub(crate) fn env_secret(text: String, name: &str) -> Result<Secret, Error> {
    check_secret(&text)
        .map(Secret::new)
        .map_err(|why| Error::Usage(format!("{name} {why} (the value is not shown)")))
}

/// The text before byte `offset` (moved back to a character boundary), and where
/// the line holding it starts.
fn before(text: &str, offset: usize) -> (&str, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    (before, before.rfind('\n').map_or(0, |i| i + 1))
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let (before, line_start) = before(text, offset);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// A config file's TOML error as `file:line:column: what`, in timl's own words:
/// the toml crate's messages quote the value (`invalid type: integer `123``), and a
/// value there may be a secret key or UserSig written without quotes.
fn config_error(path: &Path, text: &str, error: &toml::de::Error) -> Error {
    let offset = error.span().map_or(0, |span| span.start);
    let (line, column) = line_column(text, offset);
    // The key on the error's line, if it is one of timl's (never other source text).
    let line_text = text[before(text, offset).1..].lines().next().unwrap_or("");
    let key = line_text
        .split_once('=')
        .map(|(key, _)| key.trim().trim_matches(['"', '\'']))
        .and_then(|key| {
            PROFILE_KEYS
                .iter()
                .chain(&["profile", "faces"])
                .find(|known| **known == key)
        });
    let message = error.message();
    let what = if ["invalid type", "invalid value", "invalid length"]
        .iter()
        .any(|start| message.starts_with(start))
    {
        let expected = message.rsplit_once(", expected ").map_or("", |(_, e)| e);
        let expected = if expected.contains("string") {
            "a string in double quotes"
        } else if expected.contains("u64") || expected.contains("integer") {
            "a whole number"
        } else if ["map", "struct", "table"]
            .iter()
            .any(|t| expected.contains(t))
        {
            "a table"
        } else {
            "of another type"
        };
        match key {
            Some(key) => format!("`{key}` must be {expected} (the value is not shown)"),
            None => format!("a value must be {expected} (the value is not shown)"),
        }
    } else if message.starts_with("unknown field") {
        format!("unknown key; expected one of {}", PROFILE_KEYS.join(", "))
    } else if message.starts_with("duplicate key") {
        "a key is given twice".to_owned()
    } else if quotes_only_grammar(message) {
        // A syntax error: the parser names what it expected, never the text it met.
        message.to_owned()
    } else {
        "not valid TOML".to_owned()
    };
    Error::Usage(format!(
        "{}:{line}:{column}: not a valid timl config: {what}",
        path.display()
    ))
}

/// Whether `message` quotes nothing but short grammar tokens (`` `#` ``, `` `"` ``):
/// the toml parser's syntax errors, as opposed to messages that quote a value.
fn quotes_only_grammar(message: &str) -> bool {
    let mut parts = message.split('`');
    let mut outside = parts.next().unwrap_or("").to_owned();
    loop {
        match (parts.next(), parts.next()) {
            (Some(quoted), Some(after)) if quoted.chars().count() <= 3 => outside.push_str(after),
            (None, _) => break,
            _ => return false,
        }
    }
    !outside.contains(['"', '\'', '`'])
}
