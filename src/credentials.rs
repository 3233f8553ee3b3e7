//! Credentials and endpoint: from flags, then the environment, then a config file
//! (`./timl.toml`, then the user's config folder), each piece on its own. The secret
//! key and the UserSig are never taken from the command line, and never shown.

use std::fmt;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::error::Error;

/// A secret (key or UserSig) that prints as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(text.into())
    }

    /// The secret itself, for signing and for the request only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Secrets shorter than this are not redacted: they would blank out ordinary words,
/// and no real key (64 hex digits) or UserSig (a few hundred characters) is that short.
const SHORTEST_SECRET: usize = 6;

/// Finds secrets in text in every encoding a server, a proxy or a library could echo
/// them in, and replaces each with `***`. Every text timl writes that could hold one
/// (the server's texts, reports, the journal, a dry run) goes through one of these.
///
/// A secret is found as itself (a hex key also in either case); with any of its bytes
/// percent-encoded (`%2B` or `%2b`, `%252B` twice over, a space as `+` or `%20`) or
/// JSON-escaped (`\u002b`, `\/`, `\"`); and as its base64 (standard, URL-safe, or the
/// UserSig's `*-_` alphabet, at any alignment, so also inside a longer encoded text)
/// and its hex, themselves in any of those forms.
#[derive(Clone, Default)]
pub struct Redactor {
    patterns: Vec<Pattern>,
}

/// One form of a secret, matched byte by byte through the encodings above.
#[derive(Clone, PartialEq, Eq)]
struct Pattern {
    bytes: Vec<u8>,
    /// Hex digits match in either case.
    fold_case: bool,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} patterns)", self.patterns.len())
    }
}

impl Redactor {
    /// A redactor for `secrets`.
    pub fn new(secrets: &[&str]) -> Redactor {
        let mut redactor = Redactor::default();
        for secret in secrets {
            redactor.add(secret);
        }
        redactor
    }

    /// A redactor for the secrets of `auth`.
    pub fn for_auth(auth: Option<&Auth>) -> Redactor {
        match auth {
            Some(Auth::SecretKey(secret) | Auth::UserSig(secret)) => {
                Redactor::new(&[secret.expose()])
            }
            None => Redactor::default(),
        }
    }

    /// Redacts `secret` too (a UserSig signed during the run).
    pub fn add(&mut self, secret: &str) {
        let bytes = secret.as_bytes();
        if bytes.len() < SHORTEST_SECRET {
            return;
        }
        let hex_only = bytes.iter().all(u8::is_ascii_hexdigit);
        let mut forms = vec![Pattern {
            bytes: bytes.to_vec(),
            fold_case: hex_only,
        }];
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        forms.push(Pattern {
            bytes: hex.into_bytes(),
            fold_case: true,
        });
        // Base64 of the secret alone (padded or not), and at each of the three
        // alignments it can have inside a longer encoded text, the characters made of
        // the secret's bits alone.
        let whole = STANDARD.encode(bytes);
        let mut encodings = vec![whole.clone(), whole.trim_end_matches('=').to_owned()];
        for offset in 0..3usize {
            let mut input = vec![0u8; offset];
            input.extend_from_slice(bytes);
            let encoded = STANDARD.encode(&input);
            let start = (8 * offset).div_ceil(6);
            let end = 8 * (offset + bytes.len()) / 6;
            encodings.push(encoded[start..end].to_owned());
        }
        for encoded in encodings {
            // Standard, URL-safe, and the UserSig's own alphabet.
            for (plus, slash, pad) in [("+", "/", "="), ("-", "_", "="), ("*", "-", "_")] {
                let encoded = encoded
                    .replace('+', plus)
                    .replace('/', slash)
                    .replace('=', pad);
                forms.push(Pattern {
                    bytes: encoded.into_bytes(),
                    fold_case: false,
                });
            }
        }
        for form in forms {
            if form.bytes.len() >= SHORTEST_SECRET && !self.patterns.contains(&form) {
                self.patterns.push(form);
            }
        }
        // The longest form that matches at a place is the one taken, so that nothing
        // of a longer encoding is left beside the `***`.
        self.patterns
            .sort_by_key(|p| std::cmp::Reverse(p.bytes.len()));
    }

    /// `text` with every secret, in every form, replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        if self.patterns.is_empty() {
            return text.to_owned();
        }
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut at = 0;
        while at < bytes.len() {
            match self.patterns.iter().find_map(|p| p.match_at(bytes, at, 0)) {
                Some(end) => {
                    out.extend_from_slice(b"***");
                    at = end;
                }
                None => {
                    out.push(bytes[at]);
                    at += 1;
                }
            }
        }
        // A match starts and ends on character boundaries (it begins with a secret's
        // first byte or an ASCII escape, and ends after a whole character).
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Whether `text` holds any secret, in any form.
    pub fn finds(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        (0..bytes.len()).any(|at| {
            self.patterns
                .iter()
                .any(|p| p.match_at(bytes, at, 0).is_some())
        })
    }
}

impl Pattern {
    /// Where a match of the pattern from its byte `j` on, starting at `text[at]`, ends.
    fn match_at(&self, text: &[u8], mut at: usize, mut j: usize) -> Option<usize> {
        while j < self.bytes.len() {
            let steps = self.steps(text, at, j);
            match steps.as_slice() {
                [] => return None,
                [(next_at, next_j)] => (at, j) = (*next_at, *next_j),
                // Only where the secret holds `%`, `\` or a space, so a few short
                // branches: the longest match, so no escape is left half-redacted.
                several => {
                    return several
                        .iter()
                        .filter_map(|&(next_at, next_j)| self.match_at(text, next_at, next_j))
                        .max()
                }
            }
        }
        Some(at)
    }

    /// Every way `text[at..]` can spell the pattern's byte `j` (and maybe more): the
    /// positions after it in the text and in the pattern.
    fn steps(&self, text: &[u8], at: usize, j: usize) -> Steps {
        let want = self.bytes[j];
        let same = |byte: u8| byte == want || (self.fold_case && byte.eq_ignore_ascii_case(&want));
        let mut steps = Steps::default();
        let Some(&first) = text.get(at) else {
            return steps;
        };
        if same(first) {
            steps.push((at + 1, j + 1));
        }
        match first {
            b'%' => {
                if let Some(byte) = hex_byte(text, at + 1) {
                    if same(byte) {
                        steps.push((at + 3, j + 1));
                    }
                    // `%25` is `%` itself: the secret encoded twice.
                    if byte == b'%' && hex_byte(text, at + 3).is_some_and(same) {
                        steps.push((at + 5, j + 1));
                    }
                }
            }
            b'+' if want == b' ' => steps.push((at + 1, j + 1)),
            b'\\' => match text.get(at + 1) {
                Some(b'u') => {
                    if let Some((c, len)) = json_unicode(text, at) {
                        let mut utf8 = [0; 4];
                        let utf8 = c.encode_utf8(&mut utf8).as_bytes();
                        let matched = match utf8 {
                            [byte] => same(*byte),
                            _ => self.bytes[j..].starts_with(utf8),
                        };
                        if matched {
                            steps.push((at + len, j + utf8.len()));
                        }
                    }
                }
                Some(&escaped) => {
                    let byte = match escaped {
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        other => other,
                    };
                    if matches!(
                        escaped,
                        b'/' | b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't'
                    ) && same(byte)
                    {
                        steps.push((at + 2, j + 1));
                    }
                }
                None => {}
            },
            _ => {}
        }
        steps
    }
}

/// The ways found to spell one byte at one place: at most three (itself, `%XX`,
/// `%25XX`), kept without allocating, as this runs for every byte shown.
#[derive(Default)]
struct Steps {
    found: [(usize, usize); 3],
    len: usize,
}

impl Steps {
    fn push(&mut self, step: (usize, usize)) {
        if let Some(slot) = self.found.get_mut(self.len) {
            *slot = step;
            self.len += 1;
        }
    }

    fn as_slice(&self) -> &[(usize, usize)] {
        &self.found[..self.len]
    }
}

/// The byte written as two hex digits at `text[at..]`.
fn hex_byte(text: &[u8], at: usize) -> Option<u8> {
    let digit = |at: usize| char::from(*text.get(at)?).to_digit(16);
    Some((digit(at)? * 16 + digit(at + 1)?) as u8)
}

/// The character of a JSON `\uXXXX` escape at `text[at..]` (a surrogate pair is two),
/// and how many bytes it takes.
fn json_unicode(text: &[u8], at: usize) -> Option<(char, usize)> {
    let unit = |at: usize| -> Option<u32> {
        let escape = text.get(at..at + 6)?;
        if !escape.starts_with(b"\\u") || !escape[2..].iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(&escape[2..]).ok()?, 16).ok()
    };
    let high = unit(at)?;
    if (0xd800..0xdc00).contains(&high) {
        let low = unit(at + 6).filter(|low| (0xdc00..0xe000).contains(low))?;
        let c = char::from_u32(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00))?;
        return Some((c, 12));
    }
    Some((char::from_u32(high)?, 6))
}

/// How requests are signed.
#[derive(Debug, Clone)]
pub enum Auth {
    /// timl signs a UserSig itself (TLSSigAPIv2).
    SecretKey(Secret),
    /// A ready UserSig.
    UserSig(Secret),
}

/// What is needed to call the REST API.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The app.
    pub sdkappid: u64,
    /// The App admin account.
    pub identifier: String,
    /// The key or UserSig.
    pub auth: Auth,
    /// `https://host` (or a loopback `http://` address), without a path.
    pub endpoint: String,
}

/// Credential settings from the command line.
#[derive(Debug, Clone, Default)]
pub struct CredentialFlags {
    /// `--sdkappid`.
    pub sdkappid: Option<String>,
    /// `--identifier`.
    pub identifier: Option<String>,
    /// `--secret-key-file`.
    pub secret_key_file: Option<PathBuf>,
    /// `--usersig-file`.
    pub usersig_file: Option<PathBuf>,
    /// `--region`.
    pub region: Option<String>,
    /// `--endpoint`.
    pub endpoint: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
}

/// The REST hosts by region (the facts page).
pub const REGIONS: &[(&str, &str)] = &[
    ("china", "console.tim.qq.com"),
    ("singapore", "adminapisgp.im.qcloud.com"),
    ("seoul", "adminapikr.im.qcloud.com"),
    ("tokyo", "adminapijpn.im.qcloud.com"),
    ("frankfurt", "adminapiger.im.qcloud.com"),
    ("silicon-valley", "adminapiusa.im.qcloud.com"),
    ("jakarta", "adminapiidn.im.qcloud.com"),
];

/// One profile of a config file. (No `Debug`: it holds secrets.)
#[derive(Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    sdkappid: Option<u64>,
    identifier: Option<String>,
    /// With its place in the file, so that a malformed one is reported by position.
    secret_key: Option<toml::Spanned<String>>,
    secret_key_file: Option<PathBuf>,
    usersig: Option<toml::Spanned<String>>,
    usersig_file: Option<PathBuf>,
    region: Option<String>,
    endpoint: Option<String>,
}

/// The keys of a profile, for messages.
const PROFILE_KEYS: &[&str] = &[
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
struct ConfigFile {
    #[serde(default)]
    profile: std::collections::BTreeMap<String, Profile>,
}

/// The config files looked at, in order: `./timl.toml`, then the user's.
pub fn config_paths() -> Vec<PathBuf> {
    let mut paths = vec![PathBuf::from("timl.toml")];
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")));
    if let Some(base) = base {
        paths.push(base.join("timl").join("timl.toml"));
    }
    paths
}

fn read_profile(paths: &[PathBuf], name: &str) -> Result<(Profile, Option<PathBuf>), Error> {
    for path in paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let config: ConfigFile =
            toml::from_str(&text).map_err(|error| config_error(path, &text, &error))?;
        if let Some(profile) = config.profile.get(name) {
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
            // Files named in a config file are relative to that file's folder.
            let mut profile = profile.clone();
            let folder = path.parent().unwrap_or(Path::new("."));
            for file in [&mut profile.secret_key_file, &mut profile.usersig_file]
                .into_iter()
                .flatten()
            {
                if file.is_relative() {
                    *file = folder.join(&*file);
                }
            }
            return Ok((profile, Some(path.clone())));
        }
    }
    Ok((Profile::default(), None))
}

fn read_secret(path: &Path, what: &str) -> Result<Secret, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
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
fn env_secret(text: String, name: &str) -> Result<Secret, Error> {
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
fn line_column(text: &str, offset: usize) -> (usize, usize) {
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
                .chain(&["profile"])
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

/// What was found of the credentials, each piece from a flag, the environment or the
/// config file. A dry run needs none of them; [`Found::complete`] says what a real
/// send still needs.
#[derive(Debug, Clone)]
pub struct Found {
    /// The app, if given.
    pub sdkappid: Option<u64>,
    /// The App admin account, if given.
    pub identifier: Option<String>,
    /// The key or UserSig, if given.
    pub auth: Option<Auth>,
    /// `https://host` (or a loopback `http://` address), without a path.
    pub endpoint: String,
    /// The profile looked up, for messages.
    profile: String,
}

/// Finds every piece: flags, then `env`, then the config file. A piece that is
/// given but malformed is an error; one that is missing is not (yet).
pub fn find(
    flags: &CredentialFlags,
    env: &dyn Fn(&str) -> Option<String>,
    paths: &[PathBuf],
) -> Result<Found, Error> {
    let profile_name = flags
        .profile
        .clone()
        .unwrap_or_else(|| "default".to_owned());
    let (file, file_path) = read_profile(paths, &profile_name)?;
    if flags.profile.is_some() && file_path.is_none() {
        return Err(Error::Usage(format!(
            "no profile `{profile_name}` in {}",
            paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(" or ")
        )));
    }
    let sdkappid =
        match flags.sdkappid.clone().or_else(|| env("TIM_SDKAPPID")) {
            Some(text) => Some(text.trim().parse().map_err(|_| {
                Error::Usage(format!("the SDKAppID must be a number, not `{text}`"))
            })?),
            None => file.sdkappid,
        };
    let identifier = flags
        .identifier
        .clone()
        .or_else(|| env("TIM_IDENTIFIER"))
        .or(file.identifier);
    let auth = if let Some(path) = &flags.secret_key_file {
        Some(Auth::SecretKey(read_secret(path, "secret key")?))
    } else if let Some(path) = &flags.usersig_file {
        Some(Auth::UserSig(read_secret(path, "UserSig")?))
    } else if let Some(key) = env("TIM_SECRET_KEY") {
        Some(Auth::SecretKey(env_secret(key, "TIM_SECRET_KEY")?))
    } else if let Some(usersig) = env("TIM_USERSIG") {
        Some(Auth::UserSig(env_secret(usersig, "TIM_USERSIG")?))
    } else if let Some(key) = file.secret_key {
        Some(Auth::SecretKey(Secret::new(key.into_inner().trim())))
    } else if let Some(path) = &file.secret_key_file {
        Some(Auth::SecretKey(read_secret(path, "secret key")?))
    } else if let Some(usersig) = file.usersig {
        Some(Auth::UserSig(Secret::new(usersig.into_inner().trim())))
    } else if let Some(path) = &file.usersig_file {
        Some(Auth::UserSig(read_secret(path, "UserSig")?))
    } else {
        None
    };
    let endpoint = match (flags.endpoint.clone(), flags.region.clone()) {
        (Some(url), _) => endpoint_url(&url)?,
        (None, Some(region)) => region_url(&region)?,
        (None, None) => match (env("TIM_ENDPOINT"), env("TIM_REGION")) {
            (Some(url), _) => endpoint_url(&url)?,
            (None, Some(region)) => region_url(&region)?,
            (None, None) => match (file.endpoint, file.region) {
                (Some(url), _) => endpoint_url(&url)?,
                (None, Some(region)) => region_url(&region)?,
                (None, None) => region_url("china")?,
            },
        },
    };
    Ok(Found {
        sdkappid,
        identifier,
        auth,
        endpoint,
        profile: profile_name,
    })
}

impl Found {
    /// The pieces a real send needs that are missing, by name.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.sdkappid.is_none() {
            missing.push("the SDKAppID");
        }
        if self.identifier.is_none() {
            missing.push("the admin identifier");
        }
        if self.auth.is_none() {
            missing.push("a secret key or UserSig");
        }
        missing
    }

    /// Everything a real send needs, or an error naming the flag, the environment
    /// variable and the config key that give the first missing piece.
    pub fn complete(self) -> Result<Credentials, Error> {
        let profile = &self.profile;
        let where_to = |flag: &str, var: &str, key: &str| {
            format!("pass {flag}, set {var}, or add `{key} = ...` under [profile.{profile}] in ./timl.toml")
        };
        let sdkappid = self.sdkappid.ok_or_else(|| {
            Error::Usage(format!(
                "no SDKAppID: {}",
                where_to("--sdkappid", "TIM_SDKAPPID", "sdkappid")
            ))
        })?;
        let identifier = self.identifier.clone().ok_or_else(|| {
            Error::Usage(format!(
                "no admin identifier: {}",
                where_to("--identifier", "TIM_IDENTIFIER", "identifier")
            ))
        })?;
        let auth = self.auth.ok_or_else(|| Error::Usage(format!(
            "no secret key or UserSig: pass --secret-key-file or --usersig-file, set TIM_SECRET_KEY or TIM_USERSIG, or add `secret_key_file = ...` under [profile.{profile}] in ./timl.toml"
        )))?;
        Ok(Credentials {
            sdkappid,
            identifier,
            auth,
            endpoint: self.endpoint,
        })
    }
}

/// Resolves every piece a real send needs: [`find`], then [`Found::complete`].
pub fn resolve(
    flags: &CredentialFlags,
    env: &dyn Fn(&str) -> Option<String>,
    paths: &[PathBuf],
) -> Result<Credentials, Error> {
    find(flags, env, paths)?.complete()
}

/// The base URL of a region.
pub fn region_url(region: &str) -> Result<String, Error> {
    REGIONS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(region))
        .map(|(_, host)| format!("https://{host}"))
        .ok_or_else(|| {
            let names: Vec<&str> = REGIONS.iter().map(|(name, _)| *name).collect();
            Error::Usage(format!(
                "unknown region `{region}`; expected one of {}",
                names.join(", ")
            ))
        })
}

/// Checks an `--endpoint`: `https://`, or `http://` to a loopback address only, with
/// no query or fragment (timl appends the API path and its own query).
pub fn endpoint_url(url: &str) -> Result<String, Error> {
    if let Some(cut) = url.find(['?', '#']) {
        // A query or fragment would swallow the API path (`https://h?x` + the path is
        // still the query of `/`). It is not shown: it may carry a UserSig.
        let what = if url[cut..].starts_with('?') {
            "a query (`?...`)"
        } else {
            "a fragment (`#...`)"
        };
        return Err(Error::Usage(format!(
            "`{}...` is not a usable endpoint: {what} is not allowed; give only https://host[:port] (timl adds the API path and its own query)",
            &url[..cut]
        )));
    }
    let url = url.trim_end_matches('/');
    let bad = |why: &str| Error::Usage(format!("`{url}` is not a usable endpoint: {why}"));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("expected https://host[:port]"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(bad("a user name or password in the URL is not allowed"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("it contains white space"));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or_else(|| bad("an unclosed `[`"))?;
            if !after.is_empty() && !after.starts_with(':') {
                return Err(bad("text after the address"));
            }
            (host, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let host_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':');
    if host.is_empty() || !host.chars().all(host_chars) {
        return Err(bad("the host is missing or malformed"));
    }
    if port.is_some_and(|port| port.parse::<u16>().map_or(true, |p| p == 0)) {
        return Err(bad("the port must be a number from 1 to 65535"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_owned()),
        "http" if is_loopback(host) => Ok(url.to_owned()),
        "http" => Err(Error::Usage(format!(
            "plain http:// is allowed only to a loopback address (127.0.0.1, localhost, [::1]), not `{host}`: the UserSig would cross the network in clear"
        ))),
        _ => Err(Error::Usage(format!("`{url}` must start with https://"))),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn flags_beat_environment_beat_file() {
        let dir = std::env::temp_dir().join(format!("timl-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("timl.toml");
        std::fs::write(&file, "[profile.default]\nsdkappid = 3\nidentifier = \"file\"\nsecret_key = \"k\"\nregion = \"tokyo\"\n").unwrap();
        let paths = vec![file];
        let all = resolve(&CredentialFlags::default(), &env(&[]), &paths).unwrap();
        assert_eq!((all.sdkappid, all.identifier.as_str()), (3, "file"));
        assert_eq!(all.endpoint, "https://adminapijpn.im.qcloud.com");
        let from_env = resolve(
            &CredentialFlags::default(),
            &env(&[("TIM_SDKAPPID", "2"), ("TIM_REGION", "seoul")]),
            &paths,
        )
        .unwrap();
        assert_eq!(from_env.sdkappid, 2);
        assert_eq!(from_env.endpoint, "https://adminapikr.im.qcloud.com");
        let flags = CredentialFlags {
            sdkappid: Some("1".into()),
            ..CredentialFlags::default()
        };
        assert_eq!(
            resolve(&flags, &env(&[("TIM_SDKAPPID", "2")]), &paths)
                .unwrap()
                .sdkappid,
            1
        );
    }

    #[test]
    fn missing_pieces_say_where_to_put_them() {
        let error = resolve(&CredentialFlags::default(), &env(&[]), &[])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("--sdkappid")
                && error.contains("TIM_SDKAPPID")
                && error.contains("timl.toml"),
            "{error}"
        );
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(endpoint_url("http://127.0.0.1:8080").is_ok());
        assert!(endpoint_url("http://localhost:1").is_ok());
        assert!(endpoint_url("http://[::1]:9").is_ok());
        assert!(endpoint_url("http://10.0.0.1").is_err());
        assert!(endpoint_url("http://example.com").is_err());
        assert!(endpoint_url("https://example.com").is_ok());
        assert!(endpoint_url("ftp://x").is_err());
        assert!(
            endpoint_url("http://[::1]@0.0.0.0:80").is_err(),
            "userinfo cannot hide the host"
        );
        assert!(endpoint_url("http://127.0.0.1:99999").is_err());
        assert!(endpoint_url("https://exa mple.com").is_err());
    }

    #[test]
    fn a_query_or_fragment_is_refused_without_showing_it() {
        for url in [
            "https://example.com?x=1",
            "https://example.com/?usersig=SECRET",
            "https://example.com#top",
            "https://example.com/#SECRET",
            "http://127.0.0.1:8080/?",
            "http://127.0.0.1:8080#",
        ] {
            let error = endpoint_url(url).unwrap_err();
            assert!(matches!(error, Error::Usage(_)), "{url}");
            let message = error.to_string();
            assert!(
                !message.contains("SECRET") && !message.contains("x=1"),
                "{message}"
            );
            assert!(
                message.contains("query") || message.contains("fragment"),
                "{message}"
            );
        }
    }

    #[test]
    fn config_errors_give_the_place_never_the_value() {
        let dir = std::env::temp_dir().join(format!("timl-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("timl.toml");
        for (body, place, words) in [
            (
                "secret_key = 123456789012",
                "2:14",
                "`secret_key` must be a string",
            ),
            (
                "secret_key = 0x1c5a9b7e6f",
                "2:14",
                "`secret_key` must be a string",
            ),
            (
                "secret_key = 1234.5678e3",
                "2:14",
                "`secret_key` must be a string",
            ),
            (
                "usersig = 1979-05-27T07:32:00",
                "2:11",
                "`usersig` must be a string",
            ),
            ("usersig = true", "2:11", "`usersig` must be a string"),
            (
                "secret_key = [\"5ecret\"]",
                "2:14",
                "`secret_key` must be a string",
            ),
            (
                "secret_key = { k = \"5ecret\" }",
                "2:14",
                "`secret_key` must be a string",
            ),
            ("secret_key = 0123456789", "2:14", "leading zero"),
            (
                "secret_key = ab+cd/5ecret==",
                "2:",
                "not a valid timl config",
            ),
            (
                "secret_key = \"5ecret\\q\"",
                "2:",
                "not a valid timl config",
            ),
            ("secret_key = \"\"", "2:14", "`secret_key` is empty"),
            ("secret_key = \"5ecret 5ecret\"", "2:14", "white space"),
            (
                "usersig = \"\"\"\n5ecret\n5ecret\"\"\"",
                "2:11",
                "white space",
            ),
            (
                "sdkappid = \"5ecret\"",
                "2:12",
                "`sdkappid` must be a whole number",
            ),
            (
                "sdkapid = 5",
                "2:1",
                "unknown key; expected one of sdkappid",
            ),
            ("5ecret5ecret = 5", "2:1", "unknown key"),
        ] {
            std::fs::write(&file, format!("[profile.default]\n{body}\n")).unwrap();
            let error = resolve(
                &CredentialFlags::default(),
                &env(&[]),
                std::slice::from_ref(&file),
            )
            .unwrap_err();
            assert!(matches!(error, Error::Usage(_)), "{body}");
            let message = error.to_string();
            assert!(
                message.contains(&format!("timl.toml:{place}")),
                "{body}: {message}"
            );
            assert!(message.contains(words), "{body}: {message}");
            for value in [
                "5ecret",
                "123456789012",
                "0x1c5a",
                "1c5a9b",
                "1234.5678",
                "1979",
                "true",
                "0123456789",
                "ab+cd",
            ] {
                assert!(!message.contains(value), "{body}: {message}");
            }
        }
        // Secrets from the environment and from files are checked the same way.
        let error = resolve(
            &CredentialFlags::default(),
            &env(&[
                ("TIM_SDKAPPID", "1"),
                ("TIM_IDENTIFIER", "a"),
                ("TIM_SECRET_KEY", "5ecret 5ecret"),
            ]),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("TIM_SECRET_KEY") && !error.contains("5ecret"),
            "{error}"
        );
        std::fs::write(&file, "5ecret\n5ecret\n").unwrap();
        let flags = CredentialFlags {
            usersig_file: Some(file.clone()),
            ..CredentialFlags::default()
        };
        let error = resolve(
            &flags,
            &env(&[("TIM_SDKAPPID", "1"), ("TIM_IDENTIFIER", "a")]),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("white space") && !error.contains("5ecret"),
            "{error}"
        );
    }

    #[test]
    fn secrets_never_print() {
        assert_eq!(format!("{:?}", Secret::new("abc")), "***");
        let redactor = Redactor::new(&["0123456789abcdef"]);
        assert!(!format!("{redactor:?}").contains("0123"));
    }

    #[test]
    fn every_encoding_of_a_secret_is_redacted() {
        let secret = "eJw1+a/b=c*d-e_f";
        let redactor = Redactor::new(&[secret]);
        for shown in [
            "eJw1+a/b=c*d-e_f",
            "eJw1%2Ba%2Fb%3Dc*d-e_f",
            "eJw1%2ba%2fb%3dc*d-e_f",
            "%65%4A%77%31%2B%61%2F%62%3D%63%2A%64%2D%65%5F%66",
            "eJw1%252Ba%252Fb%253Dc*d-e_f",
            "eJw1\\u002ba\\/b\\u003Dc*d-e_f",
            "\\u0065Jw1+a\\/b=c*d-e_f",
            &STANDARD.encode(secret),
            &STANDARD.encode(secret).replace('=', ""),
            &STANDARD.encode(secret).replace('+', "-").replace('/', "_"),
            &STANDARD
                .encode(secret)
                .replace('+', "%2B")
                .replace('/', "%2F"),
            &secret
                .bytes()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            &secret
                .bytes()
                .map(|b| format!("{b:02X}"))
                .collect::<String>(),
        ] {
            let text = format!("ErrorInfo: usersig={shown}&random=1");
            let redacted = redactor.redact(&text);
            assert!(
                redacted.starts_with("ErrorInfo: usersig=***"),
                "{shown}: {redacted}"
            );
            assert_eq!(redacted, "ErrorInfo: usersig=***&random=1", "{shown}");
            assert!(!redactor.finds(&redacted), "{shown}: {redacted}");
        }
        // A secret with a space: `+` and `%20` both spell it.
        let spaced = Redactor::new(&["my secret key"]);
        for shown in [
            "my+secret+key",
            "my%20secret%20key",
            "my secret key",
            "my\\u0020secret key",
        ] {
            assert_eq!(spaced.redact(&format!("[{shown}]")), "[***]", "{shown}");
        }
        // A secret ending in `\\`, JSON-escaped: the longest reading is taken, so no
        // `u005C` is left behind.
        let backslash = Redactor::new(&["ab/cd\\"]);
        assert_eq!(backslash.redact("<ab\\/cd\\u005C>"), "<***>");
        assert_eq!(backslash.redact("<ab/cd\\\\>"), "<***>");
        // Non-ASCII characters, raw, percent-encoded or JSON-escaped (a surrogate pair too).
        let unicode = Redactor::new(&["clé-🔑-secrète"]);
        for shown in [
            "clé-🔑-secrète",
            "cl%C3%A9-%F0%9F%94%91-secr%C3%A8te",
            "cl\\u00e9-\\ud83d\\udd11-secr\\u00E8te",
        ] {
            assert_eq!(unicode.redact(&format!("<{shown}>")), "<***>", "{shown}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let redactor = Redactor::new(&["0123456789abcdef", "eJw1+a/b=c*d-e_f", "short"]);
        for text in [
            "",
            "the group does not exist %2B \\u002b \\/ +",
            "0123456789abcde",
            "ab%",
            "\\u12",
            "%ZZ",
            "short",
            "clé 🔑",
        ] {
            assert_eq!(redactor.redact(text), text);
        }
        assert_eq!(Redactor::default().redact("anything"), "anything");
    }

    /// Encodings a server, a proxy or a library could echo a secret in.
    fn encode(secret: &str, how: usize, bits: &[bool]) -> String {
        let bit = |i: usize| bits.get(i % bits.len().max(1)).copied().unwrap_or(false);
        let percent = |byte: u8, upper: bool| {
            if upper {
                format!("%{byte:02X}")
            } else {
                format!("%{byte:02x}")
            }
        };
        let base64 = STANDARD.encode(secret);
        let utf8 = |c: char| c.to_string().into_bytes().into_iter();
        match how {
            0 => secret.to_owned(),
            // Fully percent-encoded, upper- or lower-case hex.
            1 | 2 => secret.bytes().map(|b| percent(b, how == 1)).collect(),
            // Partly encoded, each byte's case at random, a space as `+` or `%20`.
            3 => secret
                .chars()
                .enumerate()
                .map(|(i, c)| match c {
                    ' ' if bit(i) => "+".to_owned(),
                    ' ' => "%20".to_owned(),
                    _ if bit(i) => utf8(c).map(|b| percent(b, bit(i + 1))).collect(),
                    _ => c.to_string(),
                })
                .collect(),
            // What a query encoder does: unreserved characters as they are.
            4 => secret
                .chars()
                .map(|c| match c {
                    c if c.is_ascii_alphanumeric() || "-_.~".contains(c) => c.to_string(),
                    ' ' => "+".to_owned(),
                    c => utf8(c).map(|b| percent(b, true)).collect(),
                })
                .collect(),
            // Percent-encoded twice.
            5 => secret
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if bit(i) {
                        utf8(c).map(|b| format!("%25{b:02X}")).collect()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
            // JSON-escaped: `\/`, `\u002b`, any character as `\uXXXX`.
            6 => {
                let json = serde_json::to_string(secret).unwrap();
                json[1..json.len() - 1]
                    .replace('/', "\\/")
                    .replace('+', "\\u002b")
            }
            7 => secret
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if bit(i) && (c as u32) < 0x10000 {
                        let escaped = format!("\\u{:04x}", c as u32);
                        if bit(i + 1) {
                            escaped.to_uppercase().replacen("\\U", "\\u", 1)
                        } else {
                            escaped
                        }
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
            // Whole-string base64: standard, unpadded, URL-safe, the UserSig's alphabet.
            8 => base64,
            9 => base64.trim_end_matches('=').to_owned(),
            10 => base64.replace('+', "-").replace('/', "_"),
            11 => base64.replace('+', "*").replace('/', "-").replace('=', "_"),
            // Base64, then percent-encoded as a query value.
            12 => base64
                .replace('+', "%2B")
                .replace('/', "%2f")
                .replace('=', "%3D"),
            // Whole-string hex.
            13 => secret.bytes().map(|b| format!("{b:02x}")).collect(),
            _ => secret.bytes().map(|b| format!("{b:02X}")).collect(),
        }
    }

    fn assert_redacted(secret: &str, how: usize, bits: &[bool], prefix: &str, suffix: &str) {
        let redactor = Redactor::new(&[secret]);
        let shown = encode(secret, how, bits);
        let text = format!("{prefix}{shown}{suffix}");
        let redacted = redactor.redact(&text);
        assert!(
            !redacted.contains(&shown),
            "form {how}: {text:?} -> {redacted:?}"
        );
        assert!(
            !redacted.contains(secret),
            "form {how}: {text:?} -> {redacted:?}"
        );
        // All of it is gone.
        assert!(
            redacted.len() + shown.len() <= text.len() + 3,
            "form {how}: {text:?} -> {redacted:?}"
        );
    }

    proptest::proptest! {
        #[test]
        fn secrets_over_the_base64_alphabet_are_redacted_in_every_encoding(
            secret in "[A-Za-z0-9+/=*_-]{6,80}",
            how in 0usize..15,
            bits in proptest::collection::vec(proptest::bool::ANY, 1..64),
            prefix in "\\PC{0,24}",
            suffix in "\\PC{0,24}",
        ) {
            assert_redacted(&secret, how, &bits, &prefix, &suffix);
        }

        #[test]
        fn any_secret_is_redacted_in_every_encoding(
            secret in "\\PC{6,40}",
            how in 0usize..15,
            bits in proptest::collection::vec(proptest::bool::ANY, 1..64),
            prefix in "\\PC{0,24}",
            suffix in "\\PC{0,24}",
        ) {
            assert_redacted(&secret, how, &bits, &prefix, &suffix);
        }

        #[test]
        fn text_without_the_secret_is_unchanged(
            secret in "[a-z]{3}[0-9][A-Za-z0-9+/=*_-]{4,60}",
            text in "[a-z ,.;:!?()]{0,200}",
        ) {
            proptest::prop_assert_eq!(Redactor::new(&[&secret]).redact(&text), text);
        }
    }
}
