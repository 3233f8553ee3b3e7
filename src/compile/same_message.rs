//! Rows of a batch that compile to the same message: the same group (and topic)
//! would get it twice, once per row, since each message has its own `Random` and the
//! server keeps both. Usually a template that reads no column, or a row pasted twice.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use crate::diag::{rules, DataRow, Diagnostic};

/// The most messages remembered: later rows are still compared with these, so
/// memory stays flat (a few MB) however many rows there are.
pub const REMEMBERED: usize = 100_000;

/// What the batch has seen: a fingerprint of each message but its `Random`, with
/// the first row that gave it.
#[derive(Default)]
pub(crate) struct SameMessages {
    seen: HashMap<u64, usize>,
    keys: RandomState,
}

impl SameMessages {
    /// The warning for `row`, whose message is `json` (compact), when an earlier
    /// row compiled to the same message.
    pub(crate) fn check(&mut self, row: &DataRow, json: &str) -> Option<Diagnostic> {
        let mut hasher = self.keys.build_hasher();
        let (before, after) = around_random(json);
        before.hash(&mut hasher);
        after.hash(&mut hasher);
        let fingerprint = hasher.finish();
        if let Some(&first) = self.seen.get(&fingerprint) {
            let message = format!(
                "this row compiles to the same message as row {first}: the group would get it twice"
            );
            let help = "give the template a column that differs from row to row, or remove the repeated row";
            return Some(
                Diagnostic::new(&rules::SAME_MESSAGE, message)
                    .at_line(&row.file, row.line)
                    .help(help),
            );
        }
        if self.seen.len() < REMEMBERED {
            self.seen.insert(fingerprint, row.number);
        }
        None
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

    #[test]
    fn the_same_message_with_another_random_is_the_same() {
        let mut same = SameMessages::default();
        let a = r#"{"GroupId":"g","Random":1,"MsgBody":[]}"#;
        let b = r#"{"GroupId":"g","Random":22,"MsgBody":[]}"#;
        let other_group = r#"{"GroupId":"h","Random":3,"MsgBody":[]}"#;
        assert!(same.check(&row(1), a).is_none());
        assert!(same.check(&row(2), other_group).is_none());
        let warning = same.check(&row(3), b).unwrap();
        assert_eq!(warning.rule.name, "same-message");
        assert!(warning.message.contains("row 1"), "{}", warning.message);
        assert_eq!(warning.location.unwrap().line, 4);
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
