//! Reports of a send: what happened to each message, said once ([`said`]) and shown
//! as a line for people, a JSON object for tools, and a count in the summary.

use std::collections::BTreeMap;

use serde_json::json;

use super::outcome::Outcome;
use crate::send::deliver::{Report, Status};
use crate::send::sender::Delivery;

/// What a report says: the status word, the error code (for refusals), the line for
/// people (none when all went well) and the JSON fields.
pub(super) struct Said {
    status: &'static str,
    code: Option<i64>,
    line: Option<String>,
    fields: serde_json::Value,
}

/// What `report` says; every text from the server or the data through `redact`
/// (redacting strings, not serialized text, keeps the JSON valid).
pub(super) fn said(report: &Report, redact: &dyn Fn(&str) -> String) -> Said {
    let which = format!(
        "message {} to {} (Random {})",
        report.index + 1,
        redact(&report.group),
        report.random
    );
    let (status, code, line, fields) = match &report.status {
        Status::Sent(Delivery::Delivered { seq, time }) => {
            ("delivered", None, None, json!({"seq": seq, "time": time}))
        }
        Status::Sent(Delivery::Refused {
            code,
            info,
            explanation,
        }) => (
            "refused",
            Some(*code),
            Some(format!(
                "refused: {which}: error {code}: {explanation} (server: {})",
                redact(info)
            )),
            json!({"code": code, "info": redact(info), "explanation": explanation}),
        ),
        Status::Sent(Delivery::Dropped { reason }) => (
            "dropped",
            None,
            Some(format!(
                "not delivered: {which}: the server dropped it ({})",
                redact(reason)
            )),
            json!({"reason": redact(reason)}),
        ),
        Status::Sent(Delivery::Unreachable {
            reason,
            maybe_arrived,
        }) => (
            "unreachable",
            None,
            Some(format!("unreachable: {which}: {}", redact(reason))),
            json!({"reason": redact(reason), "maybe_arrived": maybe_arrived}),
        ),
        Status::Sent(Delivery::Uncertain { age: Some(age) }) => (
            "held",
            None,
            Some(format!(
                "held back: {which}: sent {age} s ago and may have arrived; the server drops repeats only for five minutes"
            )),
            json!({"reason": format!("sent {age} s ago and may have arrived")}),
        ),
        Status::Sent(Delivery::Uncertain { age: None }) => (
            "held",
            None,
            Some(format!(
                "held back: {which}: it may have arrived, and the journal dates that send in the future (the clock was set back, or the journal comes from another machine), so whether the server still drops a repeat is unknown"
            )),
            json!({"reason": "sent at a time in the future and may have arrived"}),
        ),
        Status::AlreadyDelivered => (
            "skipped",
            None,
            None,
            json!({"reason": "delivered in an earlier run"}),
        ),
    };
    Said {
        status,
        code,
        line,
        fields,
    }
}

impl Said {
    /// The line for people, if there is anything to say.
    pub(super) fn line(&self) -> Option<&str> {
        self.line.as_deref()
    }

    /// The JSON object for tools.
    pub(super) fn json(
        &self,
        report: &Report,
        redact: &dyn Fn(&str) -> String,
    ) -> serde_json::Value {
        let mut object = json!({
            "index": report.index,
            "group": redact(&report.group),
            "random": report.random,
            "key": report.key,
            "status": self.status,
        });
        if let (Some(object), serde_json::Value::Object(fields)) =
            (object.as_object_mut(), self.fields.clone())
        {
            object.extend(fields);
        }
        object
    }
}

/// Counts of a run's results.
#[derive(Debug, Default)]
pub(super) struct Summary {
    delivered: usize,
    refused: BTreeMap<i64, usize>,
    dropped: usize,
    unreachable: usize,
    skipped: usize,
    uncertain: usize,
}

impl Summary {
    pub(super) fn add(&mut self, said: &Said) {
        match (said.status, said.code) {
            ("delivered", _) => self.delivered += 1,
            ("refused", code) => *self.refused.entry(code.unwrap_or(0)).or_default() += 1,
            ("dropped", _) => self.dropped += 1,
            ("unreachable", _) => self.unreachable += 1,
            ("held", _) => self.uncertain += 1,
            _ => self.skipped += 1,
        }
    }

    /// `58 delivered, 1 refused (10017 x1), 1 could not reach the server`.
    pub(super) fn line(&self) -> String {
        let refused: usize = self.refused.values().sum();
        let codes: Vec<String> = self
            .refused
            .iter()
            .map(|(code, n)| format!("{code} x{n}"))
            .collect();
        let mut parts = vec![format!("{} delivered", self.delivered)];
        if refused > 0 {
            parts.push(format!("{refused} refused ({})", codes.join(", ")));
        }
        if self.dropped > 0 {
            parts.push(format!("{} dropped by the server", self.dropped));
        }
        if self.unreachable > 0 {
            parts.push(format!("{} could not reach the server", self.unreachable));
        }
        if self.skipped > 0 {
            parts.push(format!("{} skipped (done in an earlier run)", self.skipped));
        }
        if self.uncertain > 0 {
            parts.push(format!(
                "{} held back (sent with no outcome over five minutes ago, or at a time the clock cannot tell; --resend-uncertain sends them)",
                self.uncertain
            ));
        }
        parts.join(", ")
    }

    /// The exit code's meaning: unreachable or held back beats refused.
    pub(super) fn outcome(&self) -> Outcome {
        if self.unreachable > 0 || self.uncertain > 0 {
            Outcome::Unreachable
        } else if !self.refused.is_empty() || self.dropped > 0 {
            Outcome::Refused
        } else {
            Outcome::Success
        }
    }
}
