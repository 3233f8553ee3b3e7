//! Journal: what happened to each message, one JSON line per event, appended and
//! written through as it happens, so that a batch stopped at any moment can be run
//! again without sending anything twice.
//!
//! Right before a message's first request: a `sending` line (its key, `Random`,
//! time). After the last: `delivered`, `refused` (not stored: safe to send again) or
//! `unreachable` (with `maybe`: whether a request may have reached the server). On a
//! re-run a delivered message is skipped. A message that may have arrived, from the
//! earliest such `sending` line on, can be sent again with the same `Random` only
//! while the server still drops repeats ([`DEDUP_WINDOW_MS`]); after that it is held
//! back and listed, unless `--resend-uncertain`; so is one whose `sending` line is
//! dated in the future, whose age is unknown. The sender checks that age again
//! before every attempt.

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::markup::source::{read_line, LineRead};

/// How long timl counts on the server to drop a repeated (`GroupId`, `Random`): the
/// server remembers a `Random` for five minutes; this leaves 30 seconds for clocks
/// and requests in flight. Every "may have arrived too long ago" in timl is this.
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
    /// For `unreachable`: whether a request may have reached the server (a timeout,
    /// a reset, an HTTP 5xx) rather than certainly not (a refused connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maybe: Option<bool>,
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
    /// Delivered, then recalled (`timl recall`).
    Recalled,
}

/// What the journal says about a message before this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prior {
    /// Never sent, or not reached: send it.
    New,
    /// Done: skip it.
    Delivered,
    /// May have arrived, from this Unix millisecond on.
    Uncertain(u64),
}

/// What the journal knows of one message.
#[derive(Debug, Clone, Default)]
struct Track {
    delivered: bool,
    /// Where and as which `MsgSeq` it was delivered, for a recall.
    delivered_as: Option<(String, u64)>,
    /// Recalled since.
    recalled: bool,
    /// The earliest `sending` whose request may have arrived.
    open_since: Option<u64>,
    /// The window was opened by the latest `sending` (so its outcome can close it).
    opened_by_latest: bool,
}

impl Track {
    fn apply(&mut self, line: &Line) {
        match line.state {
            State::Sending => {
                self.opened_by_latest = self.open_since.is_none();
                self.open_since.get_or_insert(line.time);
            }
            State::Delivered => {
                self.delivered = true;
                if let (Some(group), Some(seq)) = (&line.group, line.seq) {
                    self.delivered_as = Some((group.clone(), seq));
                }
            }
            State::Recalled => self.recalled = true,
            // Not stored by this attempt: if it opened the window, nothing is open.
            State::Refused | State::Unreachable if line.maybe != Some(true) => {
                if self.opened_by_latest {
                    self.open_since = None;
                    self.opened_by_latest = false;
                }
            }
            State::Refused | State::Unreachable => {}
        }
    }
}

/// An open journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    tracks: HashMap<String, Track>,
}

/// A delivered message that has not been recalled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The message's key.
    pub key: String,
    /// Its group.
    pub group: String,
    /// The `MsgSeq` the server gave it.
    pub seq: u64,
}

/// The most bytes of one journal line timl reads. A line timl writes is a few
/// hundred bytes (a key, a group ID of at most 48 bytes, numbers); a longer one is no
/// journal line (a file given by mistake, a corrupt one), and is never read whole.
pub const MAX_LINE: usize = 4 << 10;

/// Why a file is not a journal, by the number of its first bad line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotJournal {
    /// The line is not one timl writes.
    Foreign(usize),
    /// The line is longer than [`MAX_LINE`]: only that much of it was read.
    TooLong(usize),
}

/// What a journal says about each message, and whether it ends with a line break.
#[derive(Debug, Default)]
struct Contents {
    tracks: HashMap<String, Track>,
    ends_with_break: bool,
}

/// Reads a journal line by line, never more than [`MAX_LINE`] of a line, and stops
/// at its first line that is not a journal line: a huge file that is not a journal
/// (a sparse one, a disk image) is refused after its first line, having taken a few
/// kilobytes.
fn read_lines(mut reader: impl BufRead) -> io::Result<Result<Contents, NotJournal>> {
    let mut contents = Contents {
        ends_with_break: true,
        ..Contents::default()
    };
    let mut line = Vec::new();
    for number in 1.. {
        match read_line(&mut reader, MAX_LINE, &mut line)? {
            LineRead::End => break,
            LineRead::TooLong => return Ok(Err(NotJournal::TooLong(number))),
            LineRead::Line => {}
        }
        contents.ends_with_break = line.last() == Some(&b'\n');
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Line>(text) {
            Ok(entry) => contents
                .tracks
                .entry(entry.key.clone())
                .or_default()
                .apply(&entry),
            Err(error) if is_torn(text, &error) => {}
            Err(_) => return Ok(Err(NotJournal::Foreign(number))),
        }
    }
    Ok(Ok(contents))
}

/// Whether `line` is the start of a line timl wrote, cut short: every line timl
/// writes starts `{"key":"`, and a cut one ends before the JSON does.
fn is_torn(line: &[u8], error: &serde_json::Error) -> bool {
    const START: &[u8] = b"{\"key\":\"";
    error.is_eof() && (line.starts_with(START) || START.starts_with(line))
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
    /// Opens (or creates) the journal at `path`, locks it, and reads what it holds.
    ///
    /// The lock is exclusive and taken before anything is read, so two runs can never
    /// both send from the same journal: the second stops here, before sending
    /// anything. A file that is not a journal (a template given by mistake, a CSV) is
    /// refused and left as it is. A torn line (a run killed mid-write) is no reason
    /// to refuse: it is ignored, wherever later runs have left it.
    pub fn open(path: &Path) -> Result<Journal, Error> {
        Journal::open_as(path, true)
    }

    /// Opens the journal at `path` as [`Journal::open`] does, but only if it exists
    /// (`timl recall`): a mistyped name is a read error, and leaves no empty journal
    /// behind to say there is nothing to recall.
    pub fn open_existing(path: &Path) -> Result<Journal, Error> {
        Journal::open_as(path, false)
    }

    fn open_as(path: &Path, create: bool) -> Result<Journal, Error> {
        let unusable = |why: String| Error::Write {
            path: path.to_owned(),
            source: io::Error::other(why),
        };
        let write_error = |source| Error::Write {
            path: path.to_owned(),
            source,
        };
        // A FIFO would block and a device would swallow the lines: only a regular
        // file (or a new one) can remember what was sent.
        if std::fs::metadata(path).is_ok_and(|metadata| !metadata.is_file()) {
            return Err(unusable(
                "a journal must be a regular file (not a device, a FIFO or a folder)".to_owned(),
            ));
        }
        let mut file = match OpenOptions::new()
            .read(true)
            .append(true)
            .create(create)
            .open(path)
        {
            Ok(file) => file,
            Err(source) if !create && source.kind() == io::ErrorKind::NotFound => {
                let why = format!("{source}; a journal is the file `timl send --journal` wrote");
                return Err(Error::Read {
                    path: path.to_owned(),
                    source: io::Error::new(source.kind(), why),
                });
            }
            Err(source) => return Err(write_error(source)),
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(unusable(
                    "another `timl send` is using this journal (it is locked), so nothing was sent; run this again once that run has ended".to_owned(),
                ))
            }
            Err(TryLockError::Error(source)) => return Err(write_error(source)),
        }
        let read = read_lines(BufReader::new(&file)).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        let contents = read.map_err(|refusal| {
            let why = match refusal {
                NotJournal::Foreign(line) => format!("line {line} is not a journal line"),
                NotJournal::TooLong(line) => format!(
                    "line {line} is over {MAX_LINE} bytes, longer than any journal line"
                ),
            };
            unusable(format!(
                "this is not a timl journal ({why}), so it was left as it is and nothing was sent; give --journal a new file or an earlier run's journal"
            ))
        })?;
        // A torn line from a killed run must not glue onto the next one.
        if !contents.ends_with_break {
            file.write_all(b"\n").map_err(write_error)?;
        }
        Ok(Journal {
            path: path.to_owned(),
            file,
            tracks: contents.tracks,
        })
    }

    /// What the journal says about the message with `key`.
    pub fn prior(&self, key: &str) -> Prior {
        match self.tracks.get(key) {
            Some(track) if track.delivered => Prior::Delivered,
            Some(Track {
                open_since: Some(since),
                ..
            }) => Prior::Uncertain(*since),
            _ => Prior::New,
        }
    }

    /// The messages delivered and not recalled yet, by group and `MsgSeq`.
    pub fn delivered(&self) -> Vec<Delivered> {
        let mut out: Vec<Delivered> = self
            .tracks
            .iter()
            .filter(|(_, track)| track.delivered && !track.recalled)
            .filter_map(|(key, track)| {
                let (group, seq) = track.delivered_as.clone()?;
                Some(Delivered {
                    key: key.clone(),
                    group,
                    seq,
                })
            })
            .collect();
        out.sort_by(|a, b| (&a.group, a.seq).cmp(&(&b.group, b.seq)));
        out
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
        self.tracks
            .entry(line.key.clone())
            .or_default()
            .apply(&line);
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
            maybe: None,
            time,
        }
    }

    #[test]
    fn a_rerun_sees_what_may_have_arrived_and_skips_torn_lines() {
        let path = std::env::temp_dir().join(format!("timl-journal-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let maybe = |key: &str, time, maybe| Line {
            maybe: Some(maybe),
            ..line(key, State::Unreachable, time)
        };
        {
            let mut journal = Journal::open(&path).unwrap();
            journal.record(line("a", State::Sending, 1)).unwrap();
            journal.record(line("a", State::Delivered, 2)).unwrap();
            // b: a run killed after sending.
            journal.record(line("b", State::Sending, 3)).unwrap();
            // c: the server certainly never got it.
            journal.record(line("c", State::Sending, 4)).unwrap();
            journal.record(maybe("c", 5, false)).unwrap();
            // d: timed out (may have arrived), then resent later: the window stays at
            // the first sending.
            journal.record(line("d", State::Sending, 6)).unwrap();
            journal.record(maybe("d", 7, true)).unwrap();
            journal.record(line("d", State::Sending, 8)).unwrap();
            journal.record(line("d", State::Refused, 9)).unwrap();
            // e: refused: not stored, safe to send again.
            journal.record(line("e", State::Sending, 10)).unwrap();
            journal.record(line("e", State::Refused, 11)).unwrap();
        }
        // A run killed in the middle of a line.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"key\":\"f\",\"sta")
            .unwrap();
        let mut journal = Journal::open(&path).unwrap();
        assert_eq!(journal.prior("a"), Prior::Delivered);
        assert_eq!(journal.prior("b"), Prior::Uncertain(3));
        assert_eq!(journal.prior("c"), Prior::New);
        assert_eq!(journal.prior("d"), Prior::Uncertain(6));
        assert_eq!(journal.prior("e"), Prior::New);
        assert_eq!(journal.prior("f"), Prior::New);
        // g: a timeout, then a refusal in the same run: the timed-out request may
        // have been stored, so the refusal does not close the window.
        journal.record(line("g", State::Sending, 20)).unwrap();
        journal
            .record(Line {
                maybe: Some(true),
                ..line("g", State::Refused, 21)
            })
            .unwrap();
        assert_eq!(journal.prior("g"), Prior::Uncertain(20));
        journal.record(line("f", State::Delivered, 12)).unwrap();
        drop(journal);
        // The torn line is now in the middle, between two runs' lines: still a journal.
        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.prior("f"), Prior::Delivered);
        assert_eq!(journal.prior("a"), Prior::Delivered);
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("timl-journal-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("journal")
    }

    #[test]
    fn only_a_send_creates_a_journal() {
        let path = scratch("existing");
        let error = Journal::open_existing(&path).unwrap_err();
        assert!(matches!(error, Error::Read { .. }), "{error}");
        assert!(error.to_string().contains("timl send --journal"), "{error}");
        assert!(!path.exists(), "no empty journal is left behind");
        drop(Journal::open(&path).unwrap());
        assert!(path.exists());
        assert!(Journal::open_existing(&path).is_ok());
    }

    #[test]
    fn a_journal_in_use_is_refused_until_it_is_free() {
        let path = scratch("locked");
        let first = Journal::open(&path).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(matches!(error, Error::Write { .. }), "{error}");
        assert!(error.to_string().contains("locked"), "{error}");
        drop(first);
        assert!(Journal::open(&path).is_ok());
    }

    #[test]
    fn a_file_that_is_not_a_journal_is_refused_and_left_alone() {
        let path = scratch("foreign");
        let mut binary: Vec<u8> = (0..=255u8).collect();
        binary.extend_from_slice(b"\n{\"key\":\"");
        let foreign: [&[u8]; 8] = [
            b"---\ngroup: g\n---\nHello @all\n",
            b"group,name\ng1,Tommy\n",
            &binary,
            b"{\"GroupId\":\"g\",\"Random\":1}\n",
            b"{\"key\":\"a\",\"state\":\"sending\",\"time\":1}\nnot json\n",
            b"{\"key\":\"a\",\"state\":\"bogus\",\"time\":1}\n",
            b"[1, 2",
            b"x",
        ];
        for bytes in foreign {
            std::fs::write(&path, bytes).unwrap();
            let error = Journal::open(&path).unwrap_err();
            assert!(error.to_string().contains("not a timl journal"), "{error}");
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "left as it was");
        }
        // Empty, blank, torn: all journals.
        for bytes in [
            &b""[..],
            b"\n\n",
            b"{\"ke",
            b"{\"key\":\"a\",\"state\":\"sen",
        ] {
            std::fs::write(&path, bytes).unwrap();
            assert!(
                Journal::open(&path).is_ok(),
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn a_huge_file_is_refused_after_its_first_line_and_left_alone() {
        let path = scratch("huge");
        // 2 GB of one line of NUL bytes (sparse: no disk, and never read whole).
        let file = File::create(&path).unwrap();
        file.set_len(2 << 30).unwrap();
        let error = Journal::open(&path).unwrap_err().to_string();
        assert!(
            error.contains("not a timl journal (line 1 is over 4096 bytes"),
            "{error}"
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            2 << 30,
            "left as it was"
        );
        // Journal lines first, then a line too long to be one.
        let good = "{\"key\":\"a\",\"state\":\"sending\",\"time\":1}\n";
        let long = format!("{good}\n{good}{}\n{good}", " ".repeat(MAX_LINE + 1));
        std::fs::write(&path, &long).unwrap();
        let error = Journal::open(&path).unwrap_err().to_string();
        assert!(error.contains("(line 4 is over 4096 bytes"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), long);
        // The longest line allowed is read.
        let padded = format!(
            "{{\"key\":\"{}\",\"state\":\"sending\",\"time\":1}}",
            "k".repeat(4000)
        );
        let padded = format!("{padded}{}\n", " ".repeat(MAX_LINE - padded.len()));
        std::fs::write(&path, &padded).unwrap();
        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.prior(&"k".repeat(4000)), Prior::Uncertain(1));
    }

    #[test]
    fn delivered_messages_are_listed_until_recalled() {
        let dir = std::env::temp_dir().join(format!("timl-journal-recall-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("j");
        let _ = std::fs::remove_file(&path);
        let mut journal = Journal::open(&path).unwrap();
        let delivered = |key: &str, seq| Line {
            group: Some("g".into()),
            seq: Some(seq),
            ..line(key, State::Delivered, 1)
        };
        journal.record(delivered("a", 7)).unwrap();
        journal.record(delivered("b", 3)).unwrap();
        journal.record(line("c", State::Refused, 1)).unwrap();
        let keys: Vec<_> = journal
            .delivered()
            .into_iter()
            .map(|d| (d.key, d.seq))
            .collect();
        assert_eq!(keys, [("b".to_owned(), 3), ("a".to_owned(), 7)]);
        journal
            .record(Line {
                seq: Some(3),
                ..line("b", State::Recalled, 2)
            })
            .unwrap();
        drop(journal);
        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.delivered().len(), 1);
        assert_eq!(journal.prior("b"), Prior::Delivered);
    }
}
