//! How a request is addressed and what a failure says: the URL of a REST call (query
//! values encoded), the request a dry run shows, backoff between attempts, and the
//! words for a transport error or a redirect, never the URL (which holds the
//! UserSig).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::Duration;

use super::sender::PATH;

/// The URL of the REST call at `path`, from query values already encoded.
pub(super) fn url(
    endpoint: &str,
    path: &str,
    sdkappid: &str,
    identifier: &str,
    usersig: &str,
    nonce: u32,
) -> String {
    format!(
        "{endpoint}{path}?sdkappid={sdkappid}&identifier={identifier}&usersig={usersig}&random={nonce}&contenttype=json"
    )
}

/// A request as `--dry-run` shows it: the UserSig always as `***`, and a missing
/// SDKAppID or identifier as `<sdkappid>` or `<identifier>` (a dry run needs no
/// credentials).
pub fn describe(
    endpoint: &str,
    sdkappid: Option<u64>,
    identifier: Option<&str>,
    body: &str,
) -> String {
    let url = url(
        endpoint,
        PATH,
        &sdkappid.map_or_else(|| "<sdkappid>".to_owned(), |id| id.to_string()),
        &identifier.map_or_else(|| "<identifier>".to_owned(), percent_encode),
        "***",
        crate::message::random::fresh(),
    );
    format!("POST {url}\n{body}\n")
}

/// Whether a failed request may have reached the server: not when the connection
/// was never made.
pub(super) fn may_have_left(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::Tls(_) => false,
        ureq::Error::Io(io) => !matches!(
            io.kind(),
            std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::AddrNotAvailable
        ),
        _ => true,
    }
}

/// Exponential backoff with jitter: 200 ms, 400 ms, 800 ms, ... (at most 10 s), plus
/// up to the same again at random, so retries from many workers spread out.
pub fn backoff(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1 << attempt.min(6)).min(10_000);
    let jitter = u64::from(crate::message::random::fresh()) % (base + 1);
    Duration::from_millis(base + jitter)
}

/// A transport error by its kind only: the library's own message names the URL, and
/// with it the UserSig.
pub(super) fn describe_transport(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => "the request timed out".to_owned(),
        ureq::Error::HostNotFound => "the host was not found".to_owned(),
        ureq::Error::ConnectionFailed => "the connection failed".to_owned(),
        ureq::Error::Io(io) => format!("network error: {}", io.kind()),
        ureq::Error::Tls(_) => "the TLS handshake failed".to_owned(),
        ureq::Error::StatusCode(code) => format!("HTTP {code}"),
        _ => "the request could not be completed".to_owned(),
    }
}

/// Where a redirect pointed, as scheme, host and path only: the query and fragment
/// are left out (they may carry the UserSig timl sent), and so is any user name or
/// password. A relative `Location` is shown resolved against `endpoint`.
pub(super) fn redirect_target(location: Option<Option<&str>>, endpoint: &str) -> String {
    let location = match location {
        None => return "nowhere (no Location header)".to_owned(),
        Some(None) => return "a Location that is not plain text".to_owned(),
        Some(Some(location)) => location.trim(),
    };
    let location = location.split(['?', '#']).next().unwrap_or("");
    let (endpoint_scheme, endpoint_rest) = endpoint.split_once("://").unwrap_or(("https", ""));
    let endpoint_host = endpoint_rest.split('/').next().unwrap_or("");
    let has_scheme = location.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let (scheme, rest) = if has_scheme {
        location.split_once("://").unwrap_or(("", location))
    } else if let Some(rest) = location.strip_prefix("//") {
        (endpoint_scheme, rest)
    } else if location.starts_with('/') {
        return format!("{endpoint_scheme}://{endpoint_host}{location}");
    } else {
        let folder = &PATH[..=PATH.rfind('/').unwrap_or(0)];
        return format!(
            "{endpoint_scheme}://{endpoint_host}{}{folder}{location}",
            endpoint_rest
                .split_once('/')
                .map_or(String::new(), |(_, path)| format!("/{path}"))
        );
    };
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    // `user:password@host`: only the host is shown.
    let host = authority.rsplit('@').next().unwrap_or("");
    format!("{scheme}://{host}{path}")
}

/// At most 200 characters of a server-given text, so a hostile answer cannot flood
/// the report.
pub(super) fn shorten(text: String) -> String {
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// Every byte but the unreserved ones (and `*`, which UserSigs hold and Tencent's
/// SDKs leave as it is).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'*');

/// Percent-encodes a query value.
pub(super) fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(percent_encode("admin"), "admin");
        assert_eq!(percent_encode("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(percent_encode("eJw*-_"), "eJw*-_");
    }

    #[test]
    fn a_dry_run_shows_placeholders_for_what_is_missing() {
        let shown = describe("https://h", None, None, "{}");
        assert!(
            shown.starts_with("POST https://h/v4/group_open_http_svc/send_group_msg?sdkappid=<sdkappid>&identifier=<identifier>&usersig=***&random="),
            "{shown}"
        );
        assert!(shown.ends_with("&contenttype=json\n{}\n"), "{shown}");
        let shown = describe("https://h", Some(14), Some("a b"), "{}");
        assert!(
            shown.contains("?sdkappid=14&identifier=a%20b&usersig=***&"),
            "{shown}"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(
            backoff(0) >= Duration::from_millis(200) && backoff(0) <= Duration::from_millis(400)
        );
        assert!(backoff(3) >= Duration::from_millis(1600));
        assert!(backoff(30) <= Duration::from_millis(20_000));
    }

    #[test]
    fn a_redirect_shows_where_it_points_without_query_fragment_or_password() {
        let endpoint = "https://console.tim.qq.com";
        let shown = |location| redirect_target(Some(Some(location)), endpoint);
        assert_eq!(
            shown("https://evil.example:8443/a/b?usersig=SECRET&x=1#frag"),
            "https://evil.example:8443/a/b"
        );
        assert_eq!(shown("http://user:pw@10.0.0.1/x#y"), "http://10.0.0.1/x");
        assert_eq!(shown("//other.example/p?q"), "https://other.example/p");
        assert_eq!(
            shown("/elsewhere?q"),
            "https://console.tim.qq.com/elsewhere"
        );
        assert_eq!(
            shown("next?usersig=SECRET"),
            "https://console.tim.qq.com/v4/group_open_http_svc/next"
        );
        assert_eq!(shown("https://h.example"), "https://h.example");
        assert_eq!(
            redirect_target(None, endpoint),
            "nowhere (no Location header)"
        );
        assert_eq!(
            redirect_target(Some(None), endpoint),
            "a Location that is not plain text"
        );
        // The full target (the caller redacts it, then cuts it).
        assert!(shown(&format!("https://h/{}", "a".repeat(500))).len() > 500);
        assert!(shorten(format!("https://h/{}", "a".repeat(500))).len() < 210);
    }
}
