//! Sender: one compiled request body in, one POST to `send_group_msg` out, retried with
//! backoff while the failure is passing, always with the same body and `Random`.
//!
//! The UserSig is signed once per run (or given), travels only in the query of the
//! request, and is never part of any text this module returns: transport errors are
//! described by their kind, never by the library's message (which would name the
//! URL).

use std::time::Duration;

use serde::Deserialize;

pub use super::transport::{backoff, describe};
use super::transport::{
    describe_transport, may_have_left, percent_encode, redirect_target, shorten, url,
};
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
    /// Not sent (again): an earlier request may have arrived, and it is past the
    /// server's de-duplication window
    /// ([`DEDUP_WINDOW_MS`](crate::send::journal::DEDUP_WINDOW_MS)), or its age is
    /// unknown.
    Uncertain {
        /// Seconds since that request; `None` when it is dated in the future (the
        /// clock was set back since, or the journal comes from another machine),
        /// which says nothing of how long ago it really was.
        age: Option<u64>,
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

    /// The URL of the REST call at `path` with a fresh `random` nonce.
    fn url(&self, path: &str, usersig: &str, nonce: u32) -> String {
        url(
            &self.credentials.endpoint,
            path,
            &self.credentials.sdkappid.to_string(),
            &percent_encode(&self.credentials.identifier),
            &percent_encode(usersig),
            nonce,
        )
    }

    /// One POST of `body` to the REST call at `path`, with the current UserSig.
    pub(super) fn post(
        &self,
        path: &str,
        body: &str,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let usersig = self.usersig();
        let url = self.url(path, usersig.expose(), crate::message::random::fresh());
        self.agent
            .post(&url)
            .content_type("application/json")
            .send(body)
    }

    /// Whether a UserSig expired (70001) can be signed anew (timl has the key): then
    /// it is, and the call is worth another try.
    pub(super) fn renewed_after(&self, code: i64) -> bool {
        match (code, &self.credentials.auth) {
            (70001, Auth::SecretKey(key)) => {
                self.renew_usersig(key);
                true
            }
            _ => false,
        }
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
        let mut response = match self.post(PATH, body) {
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
            // Something took the request and said yes in a way timl cannot read: it
            // may have been stored, so it is uncertain, never refused (which a rerun
            // would send again without the hold for uncertain messages).
            _ if (200..300).contains(&status) => Attempt::unreachable(
                format!("HTTP {status} with an answer that is not a send_group_msg reply"),
                true,
            ),
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
        Attempt::Done(Delivery::Unreachable {
            reason: self.redirect_reason(status, response),
            maybe_arrived: false,
        })
    }

    /// What a redirect says, never its query: where it points and that it is not
    /// followed.
    pub(super) fn redirect_reason(
        &self,
        status: u16,
        response: &ureq::http::Response<ureq::Body>,
    ) -> String {
        let location = response
            .headers()
            .get("location")
            .map(|value| value.to_str().ok());
        let target = redirect_target(location, &self.credentials.endpoint);
        format!(
            "HTTP {status}: the endpoint redirects to {}; timl never follows a redirect (check --endpoint and --region)",
            // Redacted whole, then cut: a cut secret would no longer be found.
            shorten(self.redact(&target))
        )
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
        if self.renewed_after(reply.error_code) {
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
        held_back_at(self.open_since?, crate::send::journal::now_ms()).map(|age| Sent {
            delivery: Delivery::Uncertain { age },
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

/// Whether a request that may have arrived at `since` (Unix milliseconds) must keep
/// its message from being sent again at `now`, and if so its age in seconds (`None`:
/// unknown). Only a request still within the server's memory of repeats may be
/// repeated. A `since` in the future is no such request: the clock was set back, or
/// the journal comes from another machine, so the request may be any age, and
/// counting it as fresh would deliver the message twice.
fn held_back_at(since: u64, now: u64) -> Option<Option<u64>> {
    match now.checked_sub(since) {
        Some(age) if age < crate::send::journal::DEDUP_WINDOW_MS => None,
        Some(age) => Some(Some(age / 1000)),
        None => Some(None),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::journal::DEDUP_WINDOW_MS;

    #[test]
    fn only_a_request_known_to_be_recent_may_be_repeated() {
        let now = 100 * DEDUP_WINDOW_MS;
        assert_eq!(held_back_at(now, now), None);
        assert_eq!(held_back_at(now - 60_000, now), None);
        assert_eq!(held_back_at(now - DEDUP_WINDOW_MS + 1, now), None);
        assert_eq!(held_back_at(now - DEDUP_WINDOW_MS, now), Some(Some(270)));
        assert_eq!(held_back_at(now - 3_600_000, now), Some(Some(3600)));
        // Dated in the future, by a millisecond or a year: its age is unknown.
        assert_eq!(held_back_at(now + 1, now), Some(None));
        assert_eq!(held_back_at(u64::MAX, now), Some(None));
    }

    #[test]
    fn the_window_holds_back_a_future_request_unless_told_to_resend() {
        let policy = |resend_uncertain| Policy {
            retries: 0,
            open_since: Some(crate::send::journal::now_ms() + 3_600_000),
            resend_uncertain,
        };
        let held = Window::new(&policy(false)).held_back().unwrap();
        assert_eq!(held.delivery, Delivery::Uncertain { age: None });
        assert!(Window::new(&policy(true)).held_back().is_none());
    }

    /// The README: timl signs a UserSig valid for a day, from now.
    #[test]
    fn a_usersig_timl_signs_is_valid_a_day_from_now() {
        let key = "0123456789abcdef";
        let credentials = Credentials {
            sdkappid: 1400000000,
            identifier: "admin".into(),
            auth: crate::send::credentials::Auth::SecretKey(Secret::new(key)),
            endpoint: "https://console.tim.qq.com".into(),
        };
        // The clock read here, not through `usersig::now`, which is under test too.
        let unix = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        };
        let before = unix();
        let signed = sign(&credentials, &Secret::new(key));
        let after = unix();
        let claims = usersig::verify(signed.expose(), key, after).unwrap();
        assert_eq!(claims.expire, 86_400);
        assert!((before..=after).contains(&claims.time), "{}", claims.time);
        assert_eq!(
            (claims.sdkappid, claims.identifier.as_str()),
            (1400000000, "admin")
        );
    }

    /// A UserSig the server calls expired (70001) is signed anew when timl has the
    /// key, and the new one is used and redacted from then on.
    #[test]
    fn an_expired_usersig_is_signed_anew() {
        let key = "0123456789abcdef";
        let sender = Sender::new(Credentials {
            sdkappid: 1400000000,
            identifier: "admin".into(),
            auth: crate::send::credentials::Auth::SecretKey(Secret::new(key)),
            endpoint: "https://console.tim.qq.com".into(),
        });
        let first = sender.usersig().expose().to_owned();
        // A UserSig is signed to the second: wait for the next one.
        let signed = usersig::decode(&first).unwrap().time;
        while usersig::now() <= signed {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            !sender.renewed_after(70003),
            "only 70001 is an expired UserSig"
        );
        assert_eq!(sender.usersig().expose(), first);
        assert!(sender.renewed_after(70001));
        let renewed = sender.usersig().expose().to_owned();
        assert_ne!(renewed, first);
        assert!(usersig::verify(&renewed, key, usersig::now()).is_ok());
        assert_eq!(sender.redact(&renewed), "***");
    }
}
