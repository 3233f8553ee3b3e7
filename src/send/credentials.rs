//! Credentials and endpoint: from flags, then the environment, then a config file
//! (`./timl.toml`, then the user's config folder), each piece on its own. The secret
//! key and the UserSig are never taken from the command line, and never shown.

use std::path::PathBuf;

use super::config_file::{env_secret, read_profile, read_secret, Profile, ProfileSources};
use super::endpoint::{endpoint_url, region_url};
use super::secret::Secret;
use crate::error::Error;

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

/// Where a setting came from, for `timl config` and for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag (`--sdkappid`).
    Flag(&'static str),
    /// An environment variable (`TIM_SDKAPPID`).
    Env(&'static str),
    /// A config file's profile.
    File {
        /// The file.
        path: PathBuf,
        /// The profile's name.
        profile: String,
    },
    /// timl's default.
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "the flag {flag}"),
            Source::Env(name) => write!(f, "the environment variable {name}"),
            Source::File { path, profile } => {
                write!(f, "[profile.{profile}] in {}", path.display())
            }
            Source::Default => f.write_str("the default"),
        }
    }
}

/// Where each piece of [`Found`] came from (`None`: not found).
#[derive(Debug, Clone)]
pub struct Sources {
    /// The SDKAppID's.
    pub sdkappid: Option<Source>,
    /// The admin identifier's.
    pub identifier: Option<Source>,
    /// The key's or UserSig's.
    pub auth: Option<Source>,
    /// The endpoint's (or region's).
    pub endpoint: Source,
}

/// What was found of the credentials, each piece from a flag, the environment or the
/// config files. A dry run needs none of them; [`Found::complete`] says what a real
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
    /// Where each piece came from.
    pub sources: Sources,
    /// The profile looked up, for messages.
    profile: String,
}

/// A setting that is given but cannot be used: a key file that cannot be read, a
/// malformed value, a config file that is not valid.
#[derive(Debug)]
pub struct Problem {
    /// The setting, as `timl config` names it: `sdkappid`, `secret`, `endpoint`, or
    /// `config` for a config file (or the profile asked for) itself.
    pub setting: &'static str,
    /// Where the setting came from (`None` for a config file's own problem).
    pub source: Option<Source>,
    /// What is wrong (never the secret).
    pub error: Error,
}

/// Finds every piece: flags, then `env`, then the config files (layered key by key).
/// A piece that is given but malformed is an error; one that is missing is not (yet).
pub fn find(
    flags: &CredentialFlags,
    env: &dyn Fn(&str) -> Option<String>,
    paths: &[PathBuf],
) -> Result<Found, Error> {
    let (found, problems) = survey(flags, env, paths);
    match problems.into_iter().next() {
        Some(problem) => Err(problem.error),
        None => Ok(found),
    }
}

/// Finds every piece as [`find`] does, but goes on past a piece that cannot be used
/// (`timl config` shows them all): such a piece is left unset (the endpoint empty)
/// and its problem listed, in the order `find` meets them.
pub fn survey(
    flags: &CredentialFlags,
    env: &dyn Fn(&str) -> Option<String>,
    paths: &[PathBuf],
) -> (Found, Vec<Problem>) {
    let mut problems = Vec::new();
    let (profile_name, file, in_file) = profile(flags, paths, &mut problems);
    let from_file = |path: Option<PathBuf>| {
        path.map(|path| Source::File {
            path,
            profile: profile_name.clone(),
        })
    };
    let mut problem = |setting, source, error| {
        let source = Some(source);
        problems.push(Problem {
            setting,
            source,
            error,
        })
    };
    let (sdkappid, sdkappid_source) =
        match given(flags.sdkappid.clone(), "--sdkappid", env, "TIM_SDKAPPID") {
            Some((text, source)) => match text.trim().parse() {
                Ok(id) => (Some(id), Some(source)),
                Err(_) => {
                    let why = format!("the SDKAppID must be a number, not `{text}`");
                    problem("sdkappid", source, Error::Usage(why));
                    (None, None)
                }
            },
            None => (file.sdkappid, from_file(in_file.sdkappid.clone())),
        };
    let (identifier, identifier_source) = match given(
        flags.identifier.clone(),
        "--identifier",
        env,
        "TIM_IDENTIFIER",
    ) {
        Some((text, source)) => (Some(text), Some(source)),
        None => (
            file.identifier.clone(),
            from_file(in_file.identifier.clone()),
        ),
    };
    let (auth, auth_source) = match find_auth(flags, env, &file, from_file(in_file.auth.clone())) {
        Some((Ok(auth), source)) => (Some(auth), Some(source)),
        Some((Err(error), source)) => {
            problem("secret", source, error);
            (None, None)
        }
        None => (None, None),
    };
    let (endpoint, endpoint_source) =
        match find_endpoint(flags, env, &file, from_file(in_file.endpoint)) {
            (Ok(url), source) => match carried_away(&url, &source, auth_source.as_ref()) {
                Some(error) => {
                    problem("endpoint", source.clone(), error);
                    (String::new(), source)
                }
                None => (url, source),
            },
            (Err(error), source) => {
                problem("endpoint", source.clone(), error);
                (String::new(), source)
            }
        };
    let sources = Sources {
        sdkappid: sdkappid.and(sdkappid_source),
        identifier: identifier.as_ref().and(identifier_source),
        auth: auth.as_ref().and(auth_source),
        endpoint: endpoint_source,
    };
    let found = Found {
        sdkappid,
        identifier,
        auth,
        endpoint,
        sources,
        profile: profile_name,
    };
    (found, problems)
}

/// The profile's name and the profile layered over the config files (empty, with a
/// problem, when a file cannot be read or `--profile` names a profile none has).
fn profile(
    flags: &CredentialFlags,
    paths: &[PathBuf],
    problems: &mut Vec<Problem>,
) -> (String, Profile, ProfileSources) {
    let name = flags
        .profile
        .clone()
        .unwrap_or_else(|| "default".to_owned());
    let error = match read_profile(paths, &name) {
        Ok(Some((profile, sources))) => return (name, profile, sources),
        Ok(None) if flags.profile.is_some() => Error::Usage(format!(
            "no profile `{name}` in {}",
            paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(" or ")
        )),
        Ok(None) => return (name, Profile::default(), ProfileSources::default()),
        Err(error) => error,
    };
    problems.push(Problem {
        setting: "config",
        source: None,
        error,
    });
    (name, Profile::default(), ProfileSources::default())
}

/// A piece given by its flag, else by its environment variable, with where from.
fn given(
    flag: Option<String>,
    flag_name: &'static str,
    env: &dyn Fn(&str) -> Option<String>,
    var: &'static str,
) -> Option<(String, Source)> {
    match flag {
        Some(value) => Some((value, Source::Flag(flag_name))),
        None => env(var).map(|value| (value, Source::Env(var))),
    }
}

/// The key or UserSig (or why it cannot be used) with where it came from: a flag's
/// file, the environment, then the config files. `None` when none gives one.
fn find_auth(
    flags: &CredentialFlags,
    env: &dyn Fn(&str) -> Option<String>,
    file: &Profile,
    in_file: Option<Source>,
) -> Option<(Result<Auth, Error>, Source)> {
    let key_file = |path: &PathBuf| read_secret(path, "secret key").map(Auth::SecretKey);
    let usersig_file = |path: &PathBuf| read_secret(path, "UserSig").map(Auth::UserSig);
    Some(if let Some(path) = &flags.secret_key_file {
        (key_file(path), Source::Flag("--secret-key-file"))
    } else if let Some(path) = &flags.usersig_file {
        (usersig_file(path), Source::Flag("--usersig-file"))
    } else if let Some(key) = env("TIM_SECRET_KEY") {
        (
            env_secret(key, "TIM_SECRET_KEY").map(Auth::SecretKey),
            Source::Env("TIM_SECRET_KEY"),
        )
    } else if let Some(usersig) = env("TIM_USERSIG") {
        (
            env_secret(usersig, "TIM_USERSIG").map(Auth::UserSig),
            Source::Env("TIM_USERSIG"),
        )
    } else {
        let auth = if let Some(key) = &file.secret_key {
            Ok(Auth::SecretKey(Secret::new(key.get_ref().trim())))
        } else if let Some(path) = &file.secret_key_file {
            key_file(path)
        } else if let Some(usersig) = &file.usersig {
            Ok(Auth::UserSig(Secret::new(usersig.get_ref().trim())))
        } else if let Some(path) = &file.usersig_file {
            usersig_file(path)
        } else {
            return None;
        };
        // A profile with a key or UserSig says which file gave it.
        (auth, in_file?)
    })
}

/// The endpoint (or why it cannot be used) with where it came from: `--endpoint` or
/// `--region`, the environment, the config files, then the default region (china).
/// Why the endpoint `url` may not carry credentials from `auth`: it comes from a
/// project's `timl.toml` (a cloned repository's, or one planted in a parent folder)
/// while the secret comes from a flag, the environment or the user's own config,
/// and it is no Tencent region host. A project file may still choose a region.
fn carried_away(url: &str, endpoint: &Source, auth: Option<&Source>) -> Option<Error> {
    let Source::File { path, .. } = endpoint else {
        return None;
    };
    let project = !super::config_file::is_user_config(path);
    let secret_elsewhere = match auth {
        Some(Source::File {
            path: auth_path, ..
        }) => auth_path != path,
        Some(_) => true,
        None => false,
    };
    let host = url.split_once("://").map_or(url, |(_, rest)| rest);
    let tencent = super::endpoint::REGIONS
        .iter()
        .any(|(_, region_host)| host == *region_host);
    (project && secret_elsewhere && !tencent).then(|| {
        Error::Usage(format!(
            "the endpoint `{}` comes from {}, a project's timl.toml, and would carry credentials from elsewhere: nothing was sent; a project file may choose a `region`, but another host only with its own credentials (pass --endpoint, or set it in your own ~/.config/timl/timl.toml)",
            crate::diag::render::printable(url),
            crate::diag::render::printable(&path.display().to_string())
        ))
    })
}

fn find_endpoint(
    flags: &CredentialFlags,
    env: &dyn Fn(&str) -> Option<String>,
    file: &Profile,
    in_file: Option<Source>,
) -> (Result<String, Error>, Source) {
    match (flags.endpoint.clone(), flags.region.clone()) {
        (Some(url), _) => (endpoint_url(&url), Source::Flag("--endpoint")),
        (None, Some(region)) => (region_url(&region), Source::Flag("--region")),
        (None, None) => match (env("TIM_ENDPOINT"), env("TIM_REGION")) {
            (Some(url), _) => (endpoint_url(&url), Source::Env("TIM_ENDPOINT")),
            (None, Some(region)) => (region_url(&region), Source::Env("TIM_REGION")),
            (None, None) => match (&file.endpoint, &file.region, in_file) {
                (Some(url), _, Some(source)) => (endpoint_url(url), source),
                (None, Some(region), Some(source)) => (region_url(region), source),
                _ => (region_url("china"), Source::Default),
            },
        },
    }
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
        // It goes into every request's query and into the UserSig: an account ID.
        if identifier.is_empty()
            || identifier.len() > 32
            || identifier
                .chars()
                .any(|c| c.is_whitespace() || crate::diag::render::unseen(c))
        {
            return Err(Error::Usage(format!(
                "the admin identifier is not an account ID ({} bytes; at most 32, without white space, control or invisible characters)",
                identifier.len()
            )));
        }
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
                "unknown key `sdkapid` in `[profile.default]`; did you mean `sdkappid`?",
            ),
            (
                "5ecret5ecret = 5",
                "2:1",
                "unknown key in `[profile.default]` (its name is not shown)",
            ),
            (
                "[profile.default.5ecret]",
                "2:18",
                "unknown table in `[profile.default]` (its name is not shown)",
            ),
            ("[5ecret]", "2:2", "unknown table (its name is not shown)"),
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
}
