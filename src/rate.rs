//! Rate: a shared schedule that keeps every one-second window under the app's limit
//! and each group under its own, however many requests are in flight.
//!
//! Each request takes the next free slot: `slot = max(now, last + 1/rate)`, for the
//! app and for its group. Unlike a token bucket there is no burst at the start, so no
//! window of one second ever holds more than the limit. The rates are kept a little
//! under the limits (`MARGIN`) so that scheduling jitter on the way to the server
//! cannot push a window over.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The share of a limit actually scheduled.
const MARGIN: f64 = 0.95;

/// Tencent IM's limit for one group: 40 messages per second.
pub const GROUP_RATE: f64 = 40.0;

/// The shared schedule.
#[derive(Debug)]
pub struct Schedule {
    interval: Duration,
    group_interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    next: Instant,
    groups: HashMap<String, Instant>,
}

impl Schedule {
    /// At most `rate` requests per second overall and `group_rate` to one group.
    pub fn new(rate: f64, group_rate: f64) -> Schedule {
        let interval = |rate: f64| Duration::from_secs_f64(1.0 / (rate.max(0.001) * MARGIN));
        Schedule {
            interval: interval(rate),
            group_interval: interval(group_rate),
            state: Mutex::new(State {
                next: Instant::now(),
                groups: HashMap::new(),
            }),
        }
    }

    /// Reserves the next slot for a request to `group`: the moment to send it.
    pub fn reserve(&self, group: &str) -> Instant {
        let mut state = self.state.lock().expect("not poisoned");
        let now = Instant::now();
        let group_next = state.groups.get(group).copied().unwrap_or(now);
        let slot = now.max(state.next).max(group_next);
        state.next = slot + self.interval;
        state
            .groups
            .insert(group.to_owned(), slot + self.group_interval);
        slot
    }

    /// The server said "too many": nobody sends for `pause`.
    pub fn slow_down(&self, pause: Duration) {
        let mut state = self.state.lock().expect("not poisoned");
        state.next = state.next.max(Instant::now() + pause);
    }

    /// Reserves a slot and sleeps until it.
    pub fn wait(&self, group: &str) {
        let slot = self.reserve(group);
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_spaced_for_the_app_and_the_group() {
        let schedule = Schedule::new(100.0, 10.0);
        let a = schedule.reserve("g1");
        let b = schedule.reserve("g2");
        let c = schedule.reserve("g1");
        let spacing = Duration::from_secs_f64(1.0 / (100.0 * MARGIN));
        assert!(b - a >= spacing - Duration::from_micros(1));
        // The second message to g1 waits for the group's slot, not just the app's.
        assert!(c - a >= Duration::from_secs_f64(1.0 / (10.0 * MARGIN)) - Duration::from_micros(1));
    }

    #[test]
    fn no_window_of_one_second_holds_more_than_the_rate() {
        let schedule = Schedule::new(200.0, 40.0);
        let slots: Vec<Instant> = (0..1000)
            .map(|i| schedule.reserve(&format!("g{}", i % 50)))
            .collect();
        for (i, start) in slots.iter().enumerate() {
            let within = slots[i..]
                .iter()
                .take_while(|s| **s < *start + Duration::from_secs(1))
                .count();
            assert!(within <= 200, "{within} slots in one second");
        }
    }
}
