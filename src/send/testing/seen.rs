//! What the fake server saw: the messages it stored, every request, and the calls
//! of the group APIs.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::groups::Call;

/// A message the server stored.
#[derive(Debug, Clone)]
pub struct Stored {
    /// `GroupId`.
    pub group: String,
    /// `Random`.
    pub random: u32,
    /// The whole body.
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
}

/// Everything the server saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// Messages stored, in arrival order.
    pub stored: Vec<Stored>,
    /// Repeats dropped as duplicates.
    pub duplicates: usize,
    /// Every request's arrival time and `(GroupId, Random)`.
    pub requests: Vec<(Instant, String, u32)>,
    /// Requests refused for a bad query or UserSig.
    pub unauthorized: usize,
    /// Calls of the group APIs.
    pub calls: Vec<Call>,
    /// Messages recalled: (group, `MsgSeq`).
    pub recalled: Vec<(String, u64)>,
    /// With [`FakeConfig::journal`]: for each request, in arrival order, whether the
    /// journal held its `sending` line (same group and `Random`) when it arrived.
    pub journaled: Vec<bool>,
    /// Attempts so far per group (for the injected failures).
    pub(super) attempts: HashMap<String, u32>,
    /// When each (group, Random) was stored.
    pub(super) recent: HashMap<(String, u32), Instant>,
}

impl Seen {
    /// When each request arrived, to `group` only when given.
    pub fn arrivals(&self, group: Option<&str>) -> Vec<Instant> {
        self.requests
            .iter()
            .filter(|(_, g, _)| group.is_none_or(|group| g == group))
            .map(|(at, _, _)| *at)
            .collect()
    }
}

/// The most of `times` (in order) that fall in any one-second window.
pub fn busiest_second(times: &[Instant]) -> usize {
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| t.duration_since(times[i]) < Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0)
}
