//! REST calls other than `send_group_msg` (group facts, roles, recall): one JSON body
//! in, the server's JSON answer out, through the same agent, UserSig, rate schedule and
//! redaction as sending. They change nothing a repeat would change twice (asking is
//! harmless; recalling a recalled message only fails), so passing failures are simply
//! retried.

use std::time::Duration;

use serde_json::Value;

use super::codes::{self, Retry};
use super::rate::Schedule;
use super::sender::Sender;
use super::transport::{backoff, describe_transport};

/// Why a call gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The server answered with an error for the whole call.
    Refused {
        /// `ErrorCode`.
        code: i64,
        /// `ErrorInfo`, redacted.
        info: String,
        /// What the code means.
        explanation: &'static str,
    },
    /// No answer, after every retry (or a redirect, never followed).
    Unreachable(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Refused {
                code,
                info,
                explanation,
            } => write!(f, "answered error {code}: {explanation} (server: {info})"),
            CallError::Unreachable(reason) => write!(f, "could not reach it: {reason}"),
        }
    }
}

impl Sender {
    /// Calls the REST API at `path` with `body`, waiting for a slot of `lane` (a group,
    /// or a name for calls about many) in `schedule` before every attempt, retrying a
    /// passing failure up to `retries` times.
    pub fn call(
        &self,
        path: &str,
        body: &Value,
        schedule: &Schedule,
        lane: &str,
        retries: u32,
    ) -> Result<Value, CallError> {
        let body = body.to_string();
        let mut attempt = 0;
        loop {
            let ticket = schedule.admit(lane);
            let result = self.call_once(path, &body);
            schedule.done(ticket);
            let (error, retry) = match result {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if retry == Retry::Final || attempt >= retries {
                return Err(error);
            }
            let pause: Duration = backoff(attempt);
            if retry == Retry::RateLimited {
                schedule.slow_down(pause);
            }
            std::thread::sleep(pause);
            attempt += 1;
        }
    }

    /// One attempt: the answer, or why not and whether to try again.
    fn call_once(&self, path: &str, body: &str) -> Result<Value, (CallError, Retry)> {
        let unreachable = |reason: String| CallError::Unreachable(self.redact(&reason));
        let mut response = self
            .post(path, body)
            .map_err(|error| (unreachable(describe_transport(&error)), Retry::Transient))?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            let reason = self.redirect_reason(status, &response);
            return Err((CallError::Unreachable(reason), Retry::Final));
        }
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|error| (unreachable(describe_transport(&error)), Retry::Transient))?;
        match status {
            500.. => return Err((unreachable(format!("HTTP {status}")), Retry::Transient)),
            429 => return Err((unreachable("HTTP 429".to_owned()), Retry::RateLimited)),
            _ => {}
        }
        let answer: Value = serde_json::from_str(&text).map_err(|_| {
            let reason = format!("HTTP {status} with a body that is not a REST answer");
            (unreachable(reason), Retry::Final)
        })?;
        let code = answer["ErrorCode"].as_i64().unwrap_or(-1);
        if answer["ActionStatus"] == "OK" && code == 0 {
            return Ok(answer);
        }
        let (explanation, mut retry) = codes::explain(code);
        if self.renewed_after(code) {
            retry = Retry::Transient;
        }
        let info = self.redact(answer["ErrorInfo"].as_str().unwrap_or(""));
        Err((
            CallError::Refused {
                code,
                info,
                explanation,
            },
            retry,
        ))
    }
}
