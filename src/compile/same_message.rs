//! Rows of a batch that compile to the same message: the same group (and topic)
//! would get it twice, once per row, since each message has its own `Random` and the
//! server keeps both. Usually a template that reads no column, or a row pasted twice.
//! And rows whose messages share a group and a `Random` (a fixed `random:`): the
//! server would keep the first and drop the others without a word.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use crate::diag::{rules, DataRow, Diagnostic};
use crate::message::{random, Message};

/// The most messages remembered: later rows are still compared with these, so
/// memory stays flat (a few MB) however many rows there are.
pub const REMEMBERED: usize = 100_000;

/// How many (group, topic, `Random`) fingerprints one generation holds: the latest
/// two generations are remembered, so a derived `Random` is never one of the last
/// 500,000 messages' (at most the last million) to the same group, in about 20 MB.
/// The server drops a repeat only within five minutes: 60,000 messages at the API's
/// 200 a second.
pub const RANDOM_GENERATION: usize = 500_000;

/// What the batch compares of a message: a fingerprint of all of it but its `Random`,
/// and one of its group, topic and `Random`. Taken where the message is compiled (on
/// any thread), compared in row order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprints {
    body: u64,
    random: u64,
}

impl Fingerprints {
    /// The fingerprints of `message`, whose compact JSON is `json`, under `keys` (one
    /// for the whole batch).
    pub(crate) fn of(keys: &RandomState, message: &Message, json: &str) -> Fingerprints {
        let mut hasher = keys.build_hasher();
        let (before, after) = around_random(json);
        before.hash(&mut hasher);
        after.hash(&mut hasher);
        Fingerprints {
            body: hasher.finish(),
            random: keys.hash_one((&message.group_id, &message.topic_id, message.random)),
        }
    }
}

/// Gives a row's message whose `Random` was derived (not fixed by its author) and
/// is taken by an earlier row's message to the same group the next free number of
/// [`random::derive_again`]; its new fingerprints. `json` is its compact JSON.
pub(crate) fn free_random(
    same: &SameMessages,
    keys: &RandomState,
    message: &mut Message,
    json: &mut String,
    mut found: Fingerprints,
) -> Fingerprints {
    let mut attempt = 0;
    // Each attempt is free with odds of at least 999,999 in 1,000,000 (a million
    // remembered of 2^32): 64 are never all taken.
    while same.random_taken(&found) && attempt < 64 {
        attempt += 1;
        let (before, after) = around_random(json);
        let random = random::derive_again(&format!("{before}{after}"), attempt);
        let again = format!("{before}\"Random\":{random}{after}");
        message.random = Some(random);
        found.random = keys.hash_one((&message.group_id, &message.topic_id, message.random));
        *json = again;
    }
    found
}

/// What the batch has seen: the first [`REMEMBERED`] bodies and the rows that gave
/// them, and the latest Randoms (two generations of [`RANDOM_GENERATION`]), the row of
/// each of the first [`REMEMBERED`] for the error that names it.
#[derive(Default)]
pub(crate) struct SameMessages {
    seen: HashMap<u64, usize>,
    randoms: HashSet<u64>,
    older_randoms: HashSet<u64>,
    random_rows: HashMap<u64, usize>,
}

impl SameMessages {
    /// Whether an earlier row's message is this one but for `Random`.
    pub(crate) fn same_body(&self, found: &Fingerprints) -> bool {
        self.seen.contains_key(&found.body)
    }

    /// Whether a remembered earlier row's message has this one's group and `Random`.
    fn random_taken(&self, found: &Fingerprints) -> bool {
        self.randoms.contains(&found.random) || self.older_randoms.contains(&found.random)
    }

    /// The warning for `row` when an earlier row compiled to the same message (but
    /// for `Random`); else the error when an earlier row's message has the same group
    /// and `Random`.
    pub(crate) fn check(&mut self, row: &DataRow, found: Fingerprints) -> Option<Diagnostic> {
        let found = if let Some(&first) = self.seen.get(&found.body) {
            let text = format!(
                "this row compiles to the same message as row {first}: a batch sends each message once (`timl send` refuses a batch that repeats one)"
            );
            let help = "give the template a column that differs from row to row, or remove the repeated row";
            Diagnostic::new(&rules::SAME_MESSAGE, text).help(help)
        } else if self.random_taken(&found) {
            let first = self.random_rows.get(&found.random).map_or_else(
                || "an earlier row's".to_owned(),
                |row| format!("row {row}'s"),
            );
            let text = format!(
                "this row's message has the same group and Random as {first}: the server would keep that one and drop this one without a word"
            );
            let help =
                "leave out `random:` and `--random`, so that each message gets a Random of its own";
            Diagnostic::new(&rules::SAME_RANDOM, text).help(help)
        } else {
            if self.seen.len() < REMEMBERED {
                self.seen.insert(found.body, row.number);
                self.random_rows.insert(found.random, row.number);
            }
            if self.randoms.len() == RANDOM_GENERATION {
                self.older_randoms = std::mem::take(&mut self.randoms);
            }
            self.randoms.insert(found.random);
            return None;
        };
        Some(found.at_line(&row.file, row.line))
    }
}

/// The compact JSON of a message before and after its `Random` field. The first
/// `"Random":` is the field: it comes after `GroupId`, `TopicId` and `From_Account`,
/// strings whose quotes are escaped.
fn around_random(json: &str) -> (&str, &str) {
    const KEY: &str = "\"Random\":";
    let Some(at) = json.find(KEY) else {
        return (json, "");
    };
    let rest = &json[at + KEY.len()..];
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    (&json[..at], &rest[digits..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: usize) -> DataRow {
        DataRow {
            file: "rows.csv".into(),
            number,
            line: number + 1,
        }
    }

    fn check(same: &mut SameMessages, row: &DataRow, json: &str) -> Option<Diagnostic> {
        thread_local!(static KEYS: RandomState = RandomState::new());
        let message: Message = serde_json::from_str(json).unwrap();
        KEYS.with(|keys| same.check(row, Fingerprints::of(keys, &message, json)))
    }

    #[test]
    fn randoms_are_remembered_for_one_generation_at_least_and_two_at_most() {
        let mut same = SameMessages::default();
        let fingerprint = |n: u64| Fingerprints { body: n, random: n };
        same.check(&row(1), fingerprint(0));
        for n in 1..=RANDOM_GENERATION as u64 {
            same.check(&row(2), fingerprint(n));
        }
        assert!(
            same.random_taken(&fingerprint(0)),
            "within a generation's length"
        );
        for n in 1..=RANDOM_GENERATION as u64 {
            same.check(&row(3), fingerprint(RANDOM_GENERATION as u64 + n));
        }
        assert!(!same.random_taken(&fingerprint(0)), "forgotten after two");
        assert!(same.random_taken(&fingerprint(2 * RANDOM_GENERATION as u64)));
    }

    #[test]
    fn the_same_message_with_another_random_is_the_same() {
        let mut same = SameMessages::default();
        let a = r#"{"GroupId":"g","Random":1,"MsgBody":[]}"#;
        let b = r#"{"GroupId":"g","Random":22,"MsgBody":[]}"#;
        let other_group = r#"{"GroupId":"h","Random":3,"MsgBody":[]}"#;
        assert!(check(&mut same, &row(1), a).is_none());
        assert!(check(&mut same, &row(2), other_group).is_none());
        let warning = check(&mut same, &row(3), b).unwrap();
        assert_eq!(warning.rule.name, "same-message");
        assert!(warning.message.contains("row 1"), "{}", warning.message);
        assert_eq!(warning.location.unwrap().line, 4);
    }

    #[test]
    fn the_same_group_and_random_is_an_error_whatever_the_body() {
        let mut same = SameMessages::default();
        let a = r#"{"GroupId":"g","Random":7,"MsgBody":[]}"#;
        let b = r#"{"GroupId":"g","Random":7,"MsgBody":[{"MsgType":"TIMFaceElem","MsgContent":{"Index":1}}]}"#;
        let topic = r#"{"GroupId":"g","TopicId":"g@TOPIC#_t","Random":7,"MsgBody":[]}"#;
        assert!(check(&mut same, &row(1), a).is_none());
        assert!(check(&mut same, &row(2), topic).is_none());
        let error = check(&mut same, &row(3), b).unwrap();
        assert_eq!((error.rule.name, error.is_error()), ("same-random", true));
        assert!(error.message.contains("row 1's"), "{}", error.message);
    }

    #[test]
    fn random_is_found_whatever_the_strings_hold() {
        let json = r#"{"GroupId":"\"Random\":5","Random":7,"MsgBody":[]}"#;
        assert_eq!(
            around_random(json),
            (r#"{"GroupId":"\"Random\":5","#, r#","MsgBody":[]}"#)
        );
        assert_eq!(around_random("{}"), ("{}", ""));
    }
}
