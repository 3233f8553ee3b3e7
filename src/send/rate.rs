//! Rate: a shared schedule that keeps every one-second window at the server under the
//! app's limit and each group's, however many requests are in flight and however
//! long they take to get there.
//!
//! Hand-written on purpose: rate-limiting crates (governor, leaky-bucket) meter
//! departures with a token bucket, which allows a burst, and cannot count requests
//! still in flight; the server counts what reaches it. The window budget below is
//! what makes "never over the limit" hold, and it needs both.
//!
//! Two rules, for the app and for each group:
//!
//! - Spacing: each request takes the next free slot, `slot = max(now, last +
//!   1/rate)` (at 95% of the limit), so there is no burst at the start as with a
//!   token bucket.
//! - A window budget: a request may leave only while fewer than `limit` requests are
//!   in flight or finished within the last second. The server sees a request at some
//!   moment between its departure and its answer, so any one-second window at the
//!   server can only hold requests counted here: at most `limit`, even when new
//!   connections are slow to open and requests that left on time arrive bunched. The
//!   price is throughput against slow servers: at most `limit / (1 + latency)`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The share of a limit the spacing runs at.
const MARGIN: f64 = 0.95;

/// Tencent IM's limit for one group: 40 messages per second.
pub const GROUP_RATE: f64 = 40.0;

const WINDOW: Duration = Duration::from_secs(1);

/// Spacing and window budget for one stream of requests (the app, or one group).
#[derive(Debug)]
struct Lane {
    next: Instant,
    in_flight: usize,
    finished: VecDeque<Instant>,
}

impl Lane {
    fn new(now: Instant) -> Lane {
        Lane {
            next: now,
            in_flight: 0,
            finished: VecDeque::new(),
        }
    }

    /// Forgets answers older than the window.
    fn expire(&mut self, now: Instant) {
        while self
            .finished
            .front()
            .is_some_and(|at| now.duration_since(*at) >= WINDOW)
        {
            self.finished.pop_front();
        }
    }

    fn used(&self) -> usize {
        self.in_flight + self.finished.len()
    }

    /// When a place in the window frees up: the oldest answer leaving it (or, with
    /// everything in flight, whenever an answer comes: `None`).
    fn frees_at(&self) -> Option<Instant> {
        self.finished.front().map(|at| *at + WINDOW)
    }
}

#[derive(Debug)]
struct State {
    app: Lane,
    groups: HashMap<String, Lane>,
}

/// How long `admit` sleeps before it looks again: until the `slot`, or until the
/// window frees a place where one is full (`frees`: for the app and the group, when
/// full, when its oldest answer leaves the window, if it knows). An answer arriving
/// wakes it too. Each wake-up checks everything anew, so this decides only how soon
/// a free slot is seen, never whether a request may leave.
fn wait_for(now: Instant, slot: Instant, frees: [Option<Option<Instant>>; 2]) -> Duration {
    let mut until = slot;
    if frees.iter().any(Option::is_some) {
        let frees = frees.into_iter().flatten().flatten().max();
        until = until.max(frees.unwrap_or(now + Duration::from_millis(50)));
    }
    until
        .saturating_duration_since(now)
        .max(Duration::from_micros(100))
}

/// The shared schedule.
#[derive(Debug)]
pub struct Schedule {
    interval: Duration,
    group_interval: Duration,
    limit: usize,
    group_limit: usize,
    state: Mutex<State>,
    changed: Condvar,
}

/// A request admitted by the schedule; hand it back with [`Schedule::done`].
#[derive(Debug)]
pub struct Ticket {
    group: String,
}

impl Schedule {
    /// At most `rate` requests per second overall and `group_rate` to one group.
    pub fn new(rate: f64, group_rate: f64) -> Schedule {
        let interval = |rate: f64| Duration::from_secs_f64(1.0 / (rate.max(0.001) * MARGIN));
        Schedule {
            interval: interval(rate),
            group_interval: interval(group_rate),
            limit: (rate.floor() as usize).max(1),
            group_limit: (group_rate.floor() as usize).max(1),
            state: Mutex::new(State {
                app: Lane::new(Instant::now()),
                groups: HashMap::new(),
            }),
            changed: Condvar::new(),
        }
    }

    /// Waits until a request to `group` may leave, and counts it as in flight.
    pub fn admit(&self, group: &str) -> Ticket {
        let mut state = self.state.lock().expect("not poisoned");
        loop {
            let now = Instant::now();
            let State { app, groups } = &mut *state;
            let lane = groups
                .entry(group.to_owned())
                .or_insert_with(|| Lane::new(now));
            app.expire(now);
            lane.expire(now);
            let slot = now.max(app.next).max(lane.next);
            let app_full = app.used() >= self.limit;
            let group_full = lane.used() >= self.group_limit;
            if slot <= now && !app_full && !group_full {
                app.next = now + self.interval;
                lane.next = now + self.group_interval;
                app.in_flight += 1;
                lane.in_flight += 1;
                return Ticket {
                    group: group.to_owned(),
                };
            }
            let frees = [
                app_full.then(|| app.frees_at()),
                group_full.then(|| lane.frees_at()),
            ];
            let wait = wait_for(now, slot, frees);
            state = self
                .changed
                .wait_timeout(state, wait)
                .expect("not poisoned")
                .0;
        }
    }

    /// The answer to an admitted request came (or the attempt ended): it leaves the
    /// in-flight count and stays in the window for a second.
    pub fn done(&self, ticket: Ticket) {
        let mut state = self.state.lock().expect("not poisoned");
        let now = Instant::now();
        state.app.in_flight = state.app.in_flight.saturating_sub(1);
        state.app.finished.push_back(now);
        if let Some(lane) = state.groups.get_mut(&ticket.group) {
            lane.in_flight = lane.in_flight.saturating_sub(1);
            lane.finished.push_back(now);
        }
        drop(state);
        self.changed.notify_all();
    }

    /// The server said "too many": nobody sends for `pause`.
    pub fn slow_down(&self, pause: Duration) {
        let mut state = self.state.lock().expect("not poisoned");
        state.app.next = state.app.next.max(Instant::now() + pause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departures_are_spaced_for_the_app_and_the_group() {
        let schedule = Schedule::new(100.0, 10.0);
        let start = Instant::now();
        let a = schedule.admit("g1");
        let t_a = Instant::now();
        let b = schedule.admit("g2");
        let t_b = Instant::now();
        let c = schedule.admit("g1");
        let t_c = Instant::now();
        let spacing = Duration::from_secs_f64(1.0 / (100.0 * MARGIN));
        assert!(
            t_b - t_a >= spacing - Duration::from_micros(200),
            "{:?}",
            t_b - t_a
        );
        assert!(
            t_c - start
                >= Duration::from_secs_f64(1.0 / (10.0 * MARGIN)) - Duration::from_millis(1)
        );
        for ticket in [a, b, c] {
            schedule.done(ticket);
        }
    }

    #[test]
    fn a_full_window_waits_for_answers_to_age() {
        // A limit of 3 per second: three requests in flight fill the window.
        let schedule = Schedule::new(3.0, 3.0);
        let tickets: Vec<Ticket> = (0..3).map(|i| schedule.admit(&format!("g{i}"))).collect();
        let start = Instant::now();
        let handle = std::thread::scope(|scope| {
            let waiter = scope.spawn(|| {
                let ticket = schedule.admit("g9");
                (Instant::now(), ticket)
            });
            std::thread::sleep(Duration::from_millis(100));
            for ticket in tickets {
                schedule.done(ticket);
            }
            waiter.join().unwrap()
        });
        // The fourth left only once the first answers were a second old.
        assert!(
            handle.0.duration_since(start) >= Duration::from_millis(1000),
            "{:?}",
            handle.0 - start
        );
    }

    /// Each test below asserts a lower bound on a wait: a slow machine only makes
    /// waits longer, so it cannot fail them; a broken limit lets a request go early.
    #[test]
    fn the_group_limit_holds_on_its_own() {
        // The app's limit is far away: only the group's (3 a second) can hold.
        let schedule = Schedule::new(1000.0, 3.0);
        let tickets: Vec<Ticket> = (0..3).map(|_| schedule.admit("g")).collect();
        std::thread::sleep(Duration::from_millis(50));
        let answered = Instant::now();
        for ticket in tickets {
            schedule.done(ticket);
        }
        // Spacing alone would let it go 351 ms after the third; the window holds it
        // until the answers are a second old.
        let fourth = schedule.admit("g");
        assert!(answered.elapsed() >= WINDOW, "{:?}", answered.elapsed());
        schedule.done(fourth);
    }

    #[test]
    fn the_app_limit_holds_on_its_own() {
        // Every request to a group of its own: only the app's limit (3) can hold.
        let schedule = Schedule::new(3.0, 1000.0);
        let tickets: Vec<Ticket> = (0..3).map(|i| schedule.admit(&format!("g{i}"))).collect();
        std::thread::sleep(Duration::from_millis(50));
        let answered = Instant::now();
        for ticket in tickets {
            schedule.done(ticket);
        }
        let fourth = schedule.admit("g3");
        assert!(answered.elapsed() >= WINDOW, "{:?}", answered.elapsed());
        schedule.done(fourth);
    }

    #[test]
    fn requests_in_flight_count_against_each_limit() {
        // Three requests in flight with no answer: a fourth waits for an answer,
        // under the app's limit (three groups) and under the group's (one group).
        for (schedule, group) in [
            (Schedule::new(3.0, 1000.0), None),
            (Schedule::new(1000.0, 3.0), Some("g")),
        ] {
            let name = |i: usize| group.map_or(format!("g{i}"), str::to_owned);
            let tickets: Vec<Ticket> = (0..3).map(|i| schedule.admit(&name(i))).collect();
            let (answered, left) = std::thread::scope(|scope| {
                let waiter = scope.spawn(|| {
                    let ticket = schedule.admit(&name(3));
                    let at = Instant::now();
                    schedule.done(ticket);
                    at
                });
                // Longer than the spacing (351 ms), so that only the count holds it.
                std::thread::sleep(Duration::from_millis(600));
                let answered = Instant::now();
                for ticket in tickets {
                    schedule.done(ticket);
                }
                (answered, waiter.join().unwrap())
            });
            assert!(
                left >= answered,
                "it left before any answer came ({group:?})"
            );
        }
    }

    #[test]
    fn a_rate_code_pauses_every_later_request() {
        let schedule = Schedule::new(1000.0, 1000.0);
        let first = schedule.admit("g1");
        schedule.done(first);
        let paused = Instant::now();
        schedule.slow_down(Duration::from_millis(300));
        // Another group, and the app's spacing is a millisecond: only the pause holds.
        let next = schedule.admit("g2");
        assert!(
            paused.elapsed() >= Duration::from_millis(300),
            "{:?}",
            paused.elapsed()
        );
        schedule.done(next);
    }
}
