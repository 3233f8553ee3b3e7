//! Credentials and endpoint: from flags, then the environment, then a config file
//! (`./timl.toml`, then the user's config folder), each piece on its own. The secret
//! key and the UserSig are never taken from the command line, and never shown.

use std::fmt;
use std::path::{Path, PathBuf};

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

/// One profile of a config file.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    sdkappid: Option<u64>,
    identifier: Option<String>,
    secret_key: Option<String>,
    secret_key_file: Option<PathBuf>,
    usersig: Option<String>,
    usersig_file: Option<PathBuf>,
    region: Option<String>,
    endpoint: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
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
        let config: ConfigFile = toml::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "`{}` is not a valid timl config: {}",
                path.display(),
                e.message()
            ))
        })?;
        if let Some(profile) = config.profile.get(name) {
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
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::Usage(format!(
            "the {what} file `{}` is empty",
            path.display()
        )));
    }
    Ok(Secret::new(text))
}

/// Resolves every piece: flags, then `env`, then the config file.
/// Without `need_auth` (a dry run), a missing key or UserSig is no error.
pub fn resolve(
    flags: &CredentialFlags,
    env: &dyn Fn(&str) -> Option<String>,
    paths: &[PathBuf],
    need_auth: bool,
) -> Result<Credentials, Error> {
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
    let where_to = |flag: &str, var: &str, key: &str| {
        format!("pass {flag}, set {var}, or add `{key} = ...` under [profile.{profile_name}] in ./timl.toml")
    };
    let sdkappid = match flags.sdkappid.clone().or_else(|| env("TIM_SDKAPPID")) {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| Error::Usage(format!("the SDKAppID must be a number, not `{text}`")))?,
        None => file.sdkappid.ok_or_else(|| {
            Error::Usage(format!(
                "no SDKAppID: {}",
                where_to("--sdkappid", "TIM_SDKAPPID", "sdkappid")
            ))
        })?,
    };
    let identifier = flags
        .identifier
        .clone()
        .or_else(|| env("TIM_IDENTIFIER"))
        .or(file.identifier)
        .ok_or_else(|| {
            Error::Usage(format!(
                "no admin identifier: {}",
                where_to("--identifier", "TIM_IDENTIFIER", "identifier")
            ))
        })?;
    let auth = if let Some(path) = &flags.secret_key_file {
        Auth::SecretKey(read_secret(path, "secret key")?)
    } else if let Some(path) = &flags.usersig_file {
        Auth::UserSig(read_secret(path, "UserSig")?)
    } else if let Some(key) = env("TIM_SECRET_KEY") {
        Auth::SecretKey(Secret::new(key))
    } else if let Some(usersig) = env("TIM_USERSIG") {
        Auth::UserSig(Secret::new(usersig))
    } else if let Some(key) = file.secret_key {
        Auth::SecretKey(Secret::new(key))
    } else if let Some(path) = &file.secret_key_file {
        Auth::SecretKey(read_secret(path, "secret key")?)
    } else if let Some(usersig) = file.usersig {
        Auth::UserSig(Secret::new(usersig))
    } else if let Some(path) = &file.usersig_file {
        Auth::UserSig(read_secret(path, "UserSig")?)
    } else if !need_auth {
        Auth::UserSig(Secret::new(""))
    } else {
        return Err(Error::Usage(format!(
            "no secret key or UserSig: pass --secret-key-file or --usersig-file, set TIM_SECRET_KEY or TIM_USERSIG, or add `secret_key_file = ...` under [profile.{profile_name}] in ./timl.toml"
        )));
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
    Ok(Credentials {
        sdkappid,
        identifier,
        auth,
        endpoint,
    })
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
        let all = resolve(&CredentialFlags::default(), &env(&[]), &paths, true).unwrap();
        assert_eq!((all.sdkappid, all.identifier.as_str()), (3, "file"));
        assert_eq!(all.endpoint, "https://adminapijpn.im.qcloud.com");
        let from_env = resolve(
            &CredentialFlags::default(),
            &env(&[("TIM_SDKAPPID", "2"), ("TIM_REGION", "seoul")]),
            &paths,
            true,
        )
        .unwrap();
        assert_eq!(from_env.sdkappid, 2);
        assert_eq!(from_env.endpoint, "https://adminapikr.im.qcloud.com");
        let flags = CredentialFlags {
            sdkappid: Some("1".into()),
            ..CredentialFlags::default()
        };
        assert_eq!(
            resolve(&flags, &env(&[("TIM_SDKAPPID", "2")]), &paths, true)
                .unwrap()
                .sdkappid,
            1
        );
    }

    #[test]
    fn missing_pieces_say_where_to_put_them() {
        let error = resolve(&CredentialFlags::default(), &env(&[]), &[], true)
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
    fn secrets_never_print() {
        assert_eq!(format!("{:?}", Secret::new("abc")), "***");
    }
}
