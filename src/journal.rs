//! Journal: what happened to each message, one JSON line per event, appended and
//! written through as it happens, so that a batch stopped at any moment can be run
//! again without sending anything twice.
//!
//! Before a request: a `sending` line (the message's key, `Random`, time). After it:
//! `delivered`, `refused` or `unreachable`. On a re-run a message whose last line is
//! `delivered` or `refused` is skipped. One whose last line is `sending` may have
//! arrived: within five minutes of that line, sending it again with the same `Random`
//! is safe (the server drops the repeat); after that it is held back and listed,
//! unless `--resend-uncertain`.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// How long the server remembers a `Random`: five minutes, less a margin for clocks.
pub const DEDUP_WINDOW_MS: u64 = 4 * 60 * 1000 + 30 * 1000;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The message's key: a digest of its final body.
    pub key: String,
    /// What happened.
    pub state: State,
    /// The group, for people reading the journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The message's `Random`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random: Option<u32>,
    /// The server's error code, for `refused`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// The server's `MsgSeq`, for `delivered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Unix milliseconds.
    pub time: u64,
}

/// The events of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// About to send.
    Sending,
    /// The server stored it.
    Delivered,
    /// The server refused it for good.
    Refused,
    /// It could not be delivered this time; a re-run tries again.
    Unreachable,
}

/// What the journal says about a message before this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prior {
    /// Never sent, or not reached: send it.
    New,
    /// Done: skip it.
    Delivered,
    /// Refused for good: skip it.
    Refused,
    /// Sent, with no outcome recorded, at this Unix millisecond.
    Uncertain(u64),
}

/// An open journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    last: HashMap<String, Line>,
}

/// The key of a message: the first 16 bytes of the SHA-256 of its compact JSON.
pub fn key(json: &str) -> String {
    Sha256::digest(json.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Journal {
    /// Opens (or creates) the journal at `path` and reads what it already holds. A
    /// torn last line (the process was killed mid-write) is ignored.
    pub fn open(path: &Path) -> Result<Journal, Error> {
        let mut last = HashMap::new();
        if let Ok(file) = File::open(path) {
            for line in BufReader::new(file).lines() {
                let line = line.map_err(|source| Error::Read {
                    path: path.to_owned(),
                    source,
                })?;
                if let Ok(entry) = serde_json::from_str::<Line>(&line) {
                    last.insert(entry.key.clone(), entry);
                }
            }
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| Error::Write {
                path: path.to_owned(),
                source,
            })?;
        // A torn line from a killed run must not glue onto the next one.
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            let ends_with_newline = std::fs::read(path)
                .map(|bytes| bytes.last() == Some(&b'\n'))
                .unwrap_or(true);
            if !ends_with_newline {
                let _ = file.write_all(b"\n");
            }
        }
        Ok(Journal {
            path: path.to_owned(),
            file,
            last,
        })
    }

    /// What the journal says about the message with `key`.
    pub fn prior(&self, key: &str) -> Prior {
        match self.last.get(key) {
            None => Prior::New,
            Some(line) => match line.state {
                State::Delivered => Prior::Delivered,
                State::Refused => Prior::Refused,
                State::Unreachable => Prior::New,
                State::Sending => Prior::Uncertain(line.time),
            },
        }
    }

    /// Appends `line` and writes it through to the operating system at once.
    pub fn record(&mut self, line: Line) -> Result<(), Error> {
        let mut text = serde_json::to_string(&line).expect("journal lines serialize");
        text.push('\n');
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|source| Error::Write {
                path: self.path.clone(),
                source,
            })?;
        self.last.insert(line.key.clone(), line);
        Ok(())
    }

    /// Forces everything written to disk (at the end of a run).
    pub fn sync(&self) -> Result<(), Error> {
        self.file.sync_data().map_err(|source| Error::Write {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(key: &str, state: State, time: u64) -> Line {
        Line {
            key: key.into(),
            state,
            group: None,
            random: Some(1),
            code: None,
            seq: None,
            time,
        }
    }

    #[test]
    fn a_rerun_sees_the_last_state_of_each_message_and_skips_torn_lines() {
        let path = std::env::temp_dir().join(format!("timl-journal-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&path);
        {
            let mut journal = Journal::open(&path).unwrap();
            journal.record(line("a", State::Sending, 1)).unwrap();
            journal.record(line("a", State::Delivered, 2)).unwrap();
            journal.record(line("b", State::Sending, 3)).unwrap();
            journal.record(line("c", State::Sending, 4)).unwrap();
            journal.record(line("c", State::Unreachable, 5)).unwrap();
        }
        // A run killed in the middle of a line.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"key\":\"d\",\"sta")
            .unwrap();
        let mut journal = Journal::open(&path).unwrap();
        assert_eq!(journal.prior("a"), Prior::Delivered);
        assert_eq!(journal.prior("b"), Prior::Uncertain(3));
        assert_eq!(journal.prior("c"), Prior::New);
        assert_eq!(journal.prior("d"), Prior::New);
        journal.record(line("d", State::Refused, 6)).unwrap();
        assert_eq!(Journal::open(&path).unwrap().prior("d"), Prior::Refused);
    }
}
