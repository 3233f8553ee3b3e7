//! Finding the forms of secrets in a text read through [`spelling`](super::spelling).
//!
//! A text is read left to right, place by place; each place has a few readings (a
//! character as itself, an escape, filler). A form is found when a path of readings
//! spells it, filler allowed between any two of its characters. The search keeps, at
//! each place, the forms begun there and how much of each is spelled (one entry per
//! form and length: of two paths the one that began first is kept, for the longest
//! cut), so it never goes back: its work is the text's length times the forms begun at
//! a place, which is a handful unless a secret repeats itself. The span of each find,
//! from the first byte of its first reading to the last of its last, is what is cut.

use std::collections::VecDeque;
use std::ops::Range;

use super::spelling::{is_introducer, readings, Reading};

/// One form of a secret, to be found byte by byte through the spellings.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Pattern {
    pub(super) bytes: Vec<u8>,
    /// Hex digits match in either case.
    pub(super) fold_case: bool,
}

/// The forms of every secret, indexed by the byte each begins with.
#[derive(Clone, Default)]
pub(super) struct Patterns {
    list: Vec<Pattern>,
    /// For each byte, the forms that begin with it (in either case if they fold it).
    by_first: Vec<Vec<usize>>,
}

/// A form begun at `start`, with its first `matched` bytes spelled.
#[derive(Clone, Copy)]
struct State {
    pattern: usize,
    matched: usize,
    start: usize,
}

impl Patterns {
    /// How many forms there are.
    pub(super) fn len(&self) -> usize {
        self.list.len()
    }

    /// Adds `pattern`, unless it is there already.
    pub(super) fn insert(&mut self, pattern: Pattern) {
        if pattern.bytes.is_empty() || self.list.contains(&pattern) {
            return;
        }
        if self.by_first.is_empty() {
            self.by_first = vec![Vec::new(); 256];
        }
        let first = pattern.bytes[0];
        let index = self.list.len();
        self.by_first[usize::from(first)].push(index);
        if pattern.fold_case && first.to_ascii_lowercase() != first.to_ascii_uppercase() {
            let other = if first.is_ascii_lowercase() {
                first.to_ascii_uppercase()
            } else {
                first.to_ascii_lowercase()
            };
            self.by_first[usize::from(other)].push(index);
        }
        self.list.push(pattern);
    }

    /// Where the forms are in `text` (overlapping, in no order); only the first one
    /// found if `first_only`.
    pub(super) fn spans(&self, text: &[u8], first_only: bool) -> Vec<Range<usize>> {
        let mut scan = Scan {
            patterns: self,
            pending: VecDeque::new(),
            spare: Vec::new(),
            spans: Vec::new(),
        };
        if self.list.is_empty() {
            return scan.spans;
        }
        for at in 0..text.len() {
            // The forms being spelled that reached this place; the front of `pending`
            // is always this place.
            let mut here = scan.pending.pop_front().unwrap_or_default();
            if here.is_empty() && !self.may_begin(text[at]) {
                continue;
            }
            // Of the paths that spelled as much of one form, the one that began first.
            here.sort_unstable_by_key(|s| (s.pattern, s.matched, s.start));
            here.dedup_by_key(|s| (s.pattern, s.matched));
            for reading in readings(text, at).iter() {
                scan.step(&here, at, reading);
            }
            // Kept to be filled again if it was ever filled: an empty list allocated
            // nothing, and keeping those would grow with the text.
            if here.capacity() > 0 {
                here.clear();
                scan.spare.push(here);
            }
            if first_only && !scan.spans.is_empty() {
                break;
            }
        }
        scan.spans
    }

    /// Whether a form can begin at a place that begins with `byte`.
    fn may_begin(&self, byte: u8) -> bool {
        is_introducer(byte) || !self.by_first[usize::from(byte)].is_empty()
    }
}

/// The state of one search.
struct Scan<'p> {
    patterns: &'p Patterns,
    /// The forms being spelled, by the place they have reached: the place after the
    /// one being read first.
    pending: VecDeque<Vec<State>>,
    /// Emptied lists, to be used again.
    spare: Vec<Vec<State>>,
    spans: Vec<Range<usize>>,
}

impl Scan<'_> {
    /// Follows `reading` of the place `at` from each form being spelled there, and
    /// begins every form it can begin.
    fn step(&mut self, here: &[State], at: usize, reading: Reading) {
        if reading.filler {
            // Between two characters of a form: every form begun goes on past it. None
            // begins with filler.
            for &state in here {
                self.schedule(at, reading.end, state);
            }
            return;
        }
        let patterns = self.patterns;
        let begun = patterns.by_first[usize::from(reading.bytes()[0])]
            .iter()
            .map(|&pattern| State {
                pattern,
                matched: 0,
                start: at,
            });
        for state in here.iter().copied().chain(begun) {
            self.advance(state, at, reading);
        }
    }

    /// `state` after `reading` of the place `at`, if it spells the form's next bytes.
    fn advance(&mut self, state: State, at: usize, reading: Reading) {
        let pattern = &self.patterns.list[state.pattern];
        let bytes = reading.bytes();
        let Some(want) = pattern
            .bytes
            .get(state.matched..state.matched + bytes.len())
        else {
            return;
        };
        let same = if pattern.fold_case {
            want.eq_ignore_ascii_case(bytes)
        } else {
            want == bytes
        };
        if !same {
            return;
        }
        let matched = state.matched + bytes.len();
        if matched == pattern.bytes.len() {
            self.spans.push(state.start..reading.end);
        } else {
            self.schedule(at, reading.end, State { matched, ..state });
        }
    }

    /// Keeps `state` for the place `end`, read after the place `at`.
    fn schedule(&mut self, at: usize, end: usize, state: State) {
        let ahead = end - at - 1;
        while self.pending.len() <= ahead {
            let list = self.spare.pop().unwrap_or_default();
            self.pending.push_back(list);
        }
        self.pending[ahead].push(state);
    }
}
