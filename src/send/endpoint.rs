//! Where requests go: a region's host, or an endpoint given as a URL, checked
//! strictly.

use crate::error::Error;

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
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if let Some((_, host)) = authority.rsplit_once('@') {
        // Not shown: the part before `@` may be a password.
        return Err(Error::Usage(format!(
            "`{scheme}://***@{host}{path}` is not a usable endpoint: a user name or password in the URL is not allowed"
        )));
    }
    let bad = |why: &str| Error::Usage(format!("`{url}` is not a usable endpoint: {why}"));
    if scheme.is_empty() {
        return Err(bad("expected https://host[:port]"));
    }
    // timl adds the API path; a path of the endpoint's own would move every request.
    if !path.is_empty() {
        return Err(bad("give only https://host[:port], without a path"));
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
    let digits = |port: &str| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    if port.is_some_and(|port| !digits(port) || port.parse::<u16>().map_or(true, |p| p == 0)) {
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
        assert_eq!(
            endpoint_url("https://h.example/").unwrap(),
            "https://h.example"
        );
    }

    #[test]
    fn only_scheme_host_and_port() {
        for url in [
            "http://127.0.0.1:18080/path",
            "http://127.0.0.1:1/%3Fa",
            "https://x/..",
            "https://x/;x",
            "http://127.0.0.1:+1",
            "http://127.0.0.1:",
        ] {
            assert!(endpoint_url(url).is_err(), "{url}");
        }
        let Err(Error::Usage(message)) = endpoint_url("http://user:hunter2secret@127.0.0.1:1")
        else {
            panic!("a password in the endpoint is refused");
        };
        assert!(!message.contains("hunter2"), "{message}");
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
}
