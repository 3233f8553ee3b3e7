//! Sender: one compiled request body in, one POST to `send_group_msg` out, retried with
//! backoff while the failure is passing, always with the same body and `Random`.
//!
//! The UserSig is signed once per run (or given), travels only in the query of the
//! request, and is never part of any text this module returns: transport errors are
//! described by their kind, never by the library's message (which would name the
//! URL).

use std::time::Duration;

use serde::Deserialize;

use crate::send::codes::{self, Retry};
use crate::send::credentials::{Auth, Credentials};
use crate::send::rate::Schedule;
use crate::send::redact::Redactor;
use crate::send::secret::Secret;
use crate::send::usersig;

/// The path of the REST call.
pub const PATH: &str = "/v4/group_open_http_svc/send_group_msg";

/// How a message ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Stored by the server.
    Delivered {
        /// `MsgSeq`.
        seq: u64,
        /// `MsgTime`.
        time: u64,
    },
    /// Refused for good (or still failing after every retry).
    Refused {
        /// `ErrorCode` (or the HTTP status for an HTTP error).
        code: i64,
        /// The server's `ErrorInfo`.
        info: String,
        /// timl's explanation of the code.
        explanation: &'static str,
    },
    /// Accepted but dropped (`MsgDropReason`): not delivered.
    Dropped {
        /// The server's reason.
        reason: String,
    },
    /// The server could not be reached, after every retry.
    Unreachable {
        /// What went wrong, without the URL.
        reason: String,
        /// Whether a request may have reached the server (a timeout, a reset, an HTTP
        /// 5xx) rather than certainly not (a refused connection, an unknown host).
        maybe_arrived: bool,
    },
    /// Not sent (again): an earlier request, this many seconds ago, may have
    /// arrived, and it is past the server's de-duplication window
    /// ([`DEDUP_WINDOW_MS`](crate::send::journal::DEDUP_WINDOW_MS)).
    Uncertain {
        /// Seconds since that request.
        age: u64,
    },
}

/// How a message's attempts ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The result to report.
    pub delivery: Delivery,
    /// Whether a request of this run may have reached the server though the result
    /// says otherwise (a timeout, then a refusal): the journal keeps it uncertain.
    pub maybe_arrived: bool,
}

/// When to send a message again.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Retries of a passing failure.
    pub retries: u32,
    /// An earlier run's request that may have arrived, at this Unix millisecond.
    pub open_since: Option<u64>,
    /// Send even when such a request is older than the server's memory of repeats.
    pub resend_uncertain: bool,
}

/// One attempt's result.
#[derive(Debug)]
enum Attempt {
    Done(Delivery),
    /// Worth another try; `rate_limited` slows every worker down.
    Again {
        last: Delivery,
        rate_limited: bool,
        maybe_arrived: bool,
    },
}

impl Attempt {
    fn unreachable(reason: String, maybe_arrived: bool) -> Attempt {
        Attempt::Again {
            last: Delivery::Unreachable {
                reason,
                maybe_arrived,
            },
            rate_limited: false,
            maybe_arrived,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Reply {
    #[serde(rename = "ActionStatus", default)]
    action_status: String,
    #[serde(rename = "ErrorCode", default)]
    error_code: i64,
    #[serde(rename = "ErrorInfo", default)]
    error_info: String,
    #[serde(rename = "MsgSeq", default)]
    msg_seq: u64,
    #[serde(rename = "MsgTime", default)]
    msg_time: u64,
    #[serde(rename = "MsgDropReason", default)]
    msg_drop_reason: String,
}

/// Sends messages with one HTTP agent (kept-alive connections) and one UserSig.
#[derive(Debug)]
pub struct Sender {
    agent: ureq::Agent,
    credentials: Credentials,
    /// Signed anew when the server says it expired (70001), if timl has the key.
    usersig: std::sync::RwLock<Secret>,
    /// The key and every UserSig of this run.
    redactor: std::sync::RwLock<Redactor>,
}

/// How long a UserSig timl signs is valid: one day.
const USERSIG_LIFETIME: u64 = 24 * 60 * 60;

impl Sender {
    /// A sender for `credentials`, signing a UserSig now if given the secret key.
    pub fn new(credentials: Credentials) -> Sender {
        let usersig = match &credentials.auth {
            Auth::UserSig(usersig) => usersig.clone(),
            Auth::SecretKey(key) => sign(&credentials, key),
        };
        let config = ureq::Agent::config_builder()
            // The server gives up after 3 s; wait longer than that.
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            // A redirect is answered, never followed: following it would send the
            // request (and its UserSig) somewhere else, and an OK from there would
            // pass for a delivery.
            .max_redirects(0)
            .max_idle_connections_per_host(256)
            .build();
        let mut redactor = Redactor::for_auth(Some(&credentials.auth));
        redactor.add(usersig.expose());
        Sender {
            agent: config.into(),
            credentials,
            usersig: std::sync::RwLock::new(usersig),
            redactor: std::sync::RwLock::new(redactor),
        }
    }

    fn usersig(&self) -> Secret {
        self.usersig.read().expect("not poisoned").clone()
    }

    /// The request URL with a fresh `random` nonce.
    fn url(&self, usersig: &str, nonce: u32) -> String {
        url(
            &self.credentials.endpoint,
            &self.credentials.sdkappid.to_string(),
            &percent_encode(&self.credentials.identifier),
            &percent_encode(usersig),
            nonce,
        )
    }

    /// Sends `body` to `group`, waiting for its slot in `schedule` before every
    /// attempt and retrying passing failures as `policy` allows. `before_first` runs
    /// right before the first request leaves (to journal it); if it fails, nothing is
    /// sent. Before every attempt the age of any request that may have arrived is
    /// checked: past the server's de-duplication window, sending again could deliver
    /// twice, so the message is held back as uncertain.
    pub fn send_with_retries(
        &self,
        body: &str,
        group: &str,
        schedule: &Schedule,
        policy: Policy,
        before_first: &mut dyn FnMut() -> bool,
    ) -> Option<Sent> {
        let mut window = Window::new(&policy);
        let mut attempt = 0;
        loop {
            // Checked before waiting for a slot (a held message takes none) and again
            // right before sending.
            if let Some(held) = window.held_back() {
                return Some(held);
            }
            let ticket = schedule.admit(group);
            if let Some(held) = window.held_back() {
                schedule.done(ticket);
                return Some(held);
            }
            if attempt == 0 && !before_first() {
                schedule.done(ticket);
                return None;
            }
            let sent_at = crate::send::journal::now_ms();
            let result = self.attempt(body);
            schedule.done(ticket);
            match result {
                Attempt::Done(delivery) => return Some(window.ended(delivery)),
                Attempt::Again {
                    last,
                    rate_limited,
                    maybe_arrived,
                } => {
                    if maybe_arrived {
                        window.opened(sent_at);
                    }
                    if attempt >= policy.retries {
                        return Some(window.ended(last));
                    }
                    let pause = backoff(attempt);
                    if rate_limited {
                        schedule.slow_down(pause);
                    }
                    std::thread::sleep(pause);
                    attempt += 1;
                }
            }
        }
    }

    /// One request, and what its answer means.
    fn attempt(&self, body: &str) -> Attempt {
        let usersig = self.usersig();
        let url = self.url(usersig.expose(), crate::message::random::fresh());
        let response = self
            .agent
            .post(&url)
            .content_type("application/json")
            .send(body);
        let mut response = match response {
            Ok(response) => response,
            Err(error) => {
                return Attempt::unreachable(describe_transport(&error), may_have_left(&error))
            }
        };
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            return self.redirected(status, &response);
        }
        let text = match response.body_mut().read_to_string() {
            Ok(text) => text,
            Err(error) => return Attempt::unreachable(describe_transport(&error), true),
        };
        if status >= 500 {
            return Attempt::unreachable(format!("HTTP {status} from the server"), true);
        }
        if status == 429 {
            return Attempt::Again {
                last: Delivery::Unreachable {
                    reason: "HTTP 429: too many requests".to_owned(),
                    maybe_arrived: false,
                },
                rate_limited: true,
                maybe_arrived: false,
            };
        }
        match serde_json::from_str::<Reply>(&text) {
            Ok(reply) if status == 200 && !reply.action_status.is_empty() => self.answered(reply),
            _ => Attempt::Done(Delivery::Refused {
                code: i64::from(status),
                info: format!("HTTP {status} with a body that is not a send_group_msg reply"),
                explanation:
                    "the endpoint did not answer like Tencent IM (check --endpoint and --region)",
            }),
        }
    }

    /// A redirect: not stored by Tencent IM (it answered with a redirect), and trying
    /// again gets the same answer.
    fn redirected(&self, status: u16, response: &ureq::http::Response<ureq::Body>) -> Attempt {
        let location = response
            .headers()
            .get("location")
            .map(|value| value.to_str().ok());
        let target = redirect_target(location, &self.credentials.endpoint);
        Attempt::Done(Delivery::Unreachable {
            reason: format!(
                "HTTP {status}: the endpoint redirects to {}; timl never follows a redirect (check --endpoint and --region)",
                // Redacted whole, then cut: a cut secret would no longer be found.
                shorten(self.redact(&target))
            ),
            maybe_arrived: false,
        })
    }

    /// What a `send_group_msg` reply means.
    fn answered(&self, reply: Reply) -> Attempt {
        if reply.action_status == "OK" && reply.error_code == 0 {
            if reply.msg_drop_reason.is_empty() {
                return Attempt::Done(Delivery::Delivered {
                    seq: reply.msg_seq,
                    time: reply.msg_time,
                });
            }
            return Attempt::Done(Delivery::Dropped {
                reason: self.redact(&reply.msg_drop_reason),
            });
        }
        let (explanation, mut retry) = codes::explain(reply.error_code);
        // A long run can outlive the UserSig: with the key, sign a new one and retry.
        if let (70001, Auth::SecretKey(key)) = (reply.error_code, &self.credentials.auth) {
            self.renew_usersig(key);
            retry = Retry::Transient;
        }
        let refused = Delivery::Refused {
            code: reply.error_code,
            info: self.redact(&reply.error_info),
            explanation,
        };
        // The server answered: this request was not stored.
        match retry {
            Retry::Final => Attempt::Done(refused),
            // An internal error or a server-side timeout may still have stored it.
            Retry::Transient => Attempt::Again {
                last: refused,
                rate_limited: false,
                maybe_arrived: matches!(reply.error_code, 10002 | 60008),
            },
            Retry::RateLimited => Attempt::Again {
                last: refused,
                rate_limited: true,
                maybe_arrived: false,
            },
        }
    }

    /// Signs a new UserSig with `key` and uses it from now on.
    fn renew_usersig(&self, key: &Secret) {
        let renewed = sign(&self.credentials, key);
        // Redactable before it can be sent, and so before any answer echoes it.
        self.redactor
            .write()
            .expect("not poisoned")
            .add(renewed.expose());
        *self.usersig.write().expect("not poisoned") = renewed;
    }
}

/// Since when a request of one message may have arrived (this run's, or an earlier
/// run's from the journal), and whether one of this run's may have. Sending again is
/// safe only while the server still drops repeats of the `Random`; past that it could
/// deliver twice, so the message is held back as uncertain.
struct Window {
    open_since: Option<u64>,
    maybe_this_run: bool,
}

impl Window {
    fn new(policy: &Policy) -> Window {
        Window {
            open_since: if policy.resend_uncertain {
                None
            } else {
                policy.open_since
            },
            maybe_this_run: false,
        }
    }

    /// A request sent at `at` may have arrived.
    fn opened(&mut self, at: u64) {
        self.open_since.get_or_insert(at);
        self.maybe_this_run = true;
    }

    /// The message held back, when the window is past the server's memory.
    fn held_back(&self) -> Option<Sent> {
        let age = crate::send::journal::now_ms().saturating_sub(self.open_since?);
        (age >= crate::send::journal::DEDUP_WINDOW_MS).then_some(Sent {
            delivery: Delivery::Uncertain { age: age / 1000 },
            maybe_arrived: self.maybe_this_run,
        })
    }

    /// How the message ended: an unreachable ending says whether any request of this
    /// run may have arrived, as the journal will.
    fn ended(&self, delivery: Delivery) -> Sent {
        let delivery = match delivery {
            Delivery::Unreachable {
                reason,
                maybe_arrived,
            } => Delivery::Unreachable {
                reason,
                maybe_arrived: maybe_arrived || self.maybe_this_run,
            },
            other => other,
        };
        Sent {
            delivery,
            maybe_arrived: self.maybe_this_run,
        }
    }
}

impl Sender {
    /// `text` without the key or any UserSig of this run, in any encoding (a server may
    /// echo the query back, percent-encoded or not). Everything printed or journalled
    /// about a send goes through this.
    pub fn redact(&self, text: &str) -> String {
        self.redactor.read().expect("not poisoned").redact(text)
    }
}

/// The request URL, from query values already encoded.
fn url(endpoint: &str, sdkappid: &str, identifier: &str, usersig: &str, nonce: u32) -> String {
    format!(
        "{endpoint}{PATH}?sdkappid={sdkappid}&identifier={identifier}&usersig={usersig}&random={nonce}&contenttype=json"
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
        &sdkappid.map_or_else(|| "<sdkappid>".to_owned(), |id| id.to_string()),
        &identifier.map_or_else(|| "<identifier>".to_owned(), percent_encode),
        "***",
        crate::message::random::fresh(),
    );
    format!("POST {url}\n{body}\n")
}

/// A UserSig for `credentials`, valid for a day from now.
fn sign(credentials: &Credentials, key: &Secret) -> Secret {
    Secret::new(usersig::sign(
        key.expose(),
        credentials.sdkappid,
        &credentials.identifier,
        usersig::now(),
        USERSIG_LIFETIME,
    ))
}

/// Whether a failed request may have reached the server: not when the connection
/// was never made.
fn may_have_left(error: &ureq::Error) -> bool {
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
fn backoff(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1 << attempt.min(6)).min(10_000);
    let jitter = u64::from(crate::message::random::fresh()) % (base + 1);
    Duration::from_millis(base + jitter)
}

/// A transport error by its kind only: the library's own message names the URL, and
/// with it the UserSig.
fn describe_transport(error: &ureq::Error) -> String {
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
fn redirect_target(location: Option<Option<&str>>, endpoint: &str) -> String {
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
fn shorten(text: String) -> String {
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'*') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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
