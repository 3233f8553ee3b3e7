//! Messages of one `send` run that the server would take for repeats of an earlier
//! one: the same group (and topic) and the same `Random`. The server keeps the first
//! and drops the rest without an error, so a second copy of a message is sent twice
//! to no effect, and two different messages with a fixed `random:` lose all but one.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use crate::message::Message;

/// What the run has seen: a fingerprint of each message's group, topic and `Random`,
/// with the message's number (12 bytes a message, so a million rows take about 20 MB).
#[derive(Default)]
pub(super) struct Repeats {
    seen: HashMap<u64, usize>,
    keys: RandomState,
}

impl Repeats {
    /// Records message `number`; the number of an earlier message it repeats, if any.
    pub(super) fn check(&mut self, number: usize, message: &Message) -> Option<usize> {
        let fingerprint = self.keys.hash_one((
            message.group_id.as_deref(),
            message.topic_id.as_deref(),
            message.random,
        ));
        match self.seen.get(&fingerprint) {
            Some(&first) => Some(first),
            None => {
                self.seen.insert(fingerprint, number);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(group: &str, random: u32) -> Message {
        Message {
            group_id: Some(group.to_owned()),
            random: Some(random),
            ..Message::default()
        }
    }

    #[test]
    fn the_same_group_and_random_is_a_repeat() {
        let mut repeats = Repeats::default();
        assert_eq!(repeats.check(1, &message("g1", 7)), None);
        assert_eq!(repeats.check(2, &message("g2", 7)), None);
        assert_eq!(repeats.check(3, &message("g1", 8)), None);
        assert_eq!(repeats.check(4, &message("g1", 7)), Some(1));
        let mut topic = message("g1", 7);
        topic.topic_id = Some("g1@TOPIC#_news".to_owned());
        assert_eq!(repeats.check(5, &topic), None);
    }
}
