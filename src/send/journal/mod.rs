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

mod binding;
pub use binding::Binding;

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
    /// For `bound`: the app (SDKAppID) the journal's messages go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<u64>,
    /// For `bound`: the server host they go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
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
    /// The journal's app and host (its first line; see [`Binding`]).
    Bound,
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
            State::Refused | State::Unreachable | State::Bound => {}
        }
    }
}

/// An open journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    tracks: HashMap<String, Track>,
    /// Whose it is, when it says so (journals before the binding do not).
    binding: Option<Binding>,
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
    binding: Option<Binding>,
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
            Ok(Line {
                state: State::Bound,
                app,
                host,
                ..
            }) => {
                if contents.binding.is_none() {
                    contents.binding = Some(Binding {
                        sdkappid: app.unwrap_or_default(),
                        host: host.unwrap_or_default(),
                    });
                }
            }
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
            binding: contents.binding,
        })
    }

    /// Checks that a run of `binding` may use this journal, and binds a new one to it:
    /// a journal of another app or host is refused (nothing is sent), saying whose it
    /// is; a journal written before bindings existed is read as it always was.
    pub fn bind(&mut self, binding: &Binding) -> Result<(), Error> {
        match &self.binding {
            Some(own) if !own.admits(binding) => Err(Error::Write {
                path: self.path.clone(),
                source: io::Error::other(format!(
                    "this journal is app {}'s at {}, and this run is app {} at {}: it was left as it is and nothing was sent or recalled; give --journal this app's journal, or a new file",
                    own.sdkappid,
                    crate::diag::render::printable(&own.host),
                    binding.sdkappid,
                    crate::diag::render::printable(&binding.host)
                )),
            }),
            Some(_) => Ok(()),
            None if self.tracks.is_empty() => {
                self.record(Line {
                    key: String::new(),
                    state: State::Bound,
                    group: None,
                    random: None,
                    code: None,
                    seq: None,
                    maybe: None,
                    app: Some(binding.sdkappid),
                    host: Some(binding.host.clone()),
                    time: now_ms(),
                })?;
                self.binding = Some(binding.clone());
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Whose the journal is, when it says so.
    pub fn binding(&self) -> Option<&Binding> {
        self.binding.as_ref()
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
        if line.state != State::Bound {
            self.tracks
                .entry(line.key.clone())
                .or_default()
                .apply(&line);
        }
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
mod tests;
