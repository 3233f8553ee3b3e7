//! A deadline for template work that minijinja's fuel does not count: comparing or
//! searching a lazily repeated list (`[1] * 100000000`), and constant expressions that
//! minijinja folds while it compiles a template. Off in the library; the command line
//! turns it on, and then a compile or a rendering that runs past the deadline ends the
//! process with a `template` error (exit 1) before it can take the machine's memory.
//! Nothing is written or sent by then: output is committed, and requests leave, only
//! after every message has compiled.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The deadline, once the watchdog runs, and when it started (the clock of `Work`).
static LIMIT: OnceLock<(Duration, Instant)> = OnceLock::new();

/// One thread's template work: when it started (milliseconds on the watchdog's clock,
/// plus one; 0 when idle) and the template's name.
#[derive(Default)]
struct Work {
    since: AtomicU64,
    name: Mutex<Arc<str>>,
}

/// Every thread that has done template work under the deadline.
static THREADS: Mutex<Vec<Arc<Work>>> = Mutex::new(Vec::new());

thread_local! {
    /// This thread's entry in `THREADS`, made on its first guarded work.
    static WORK: Arc<Work> = {
        let work = Arc::new(Work::default());
        THREADS.lock().unwrap_or_else(|p| p.into_inner()).push(work.clone());
        work
    };
}

/// Starts the watchdog (once; later calls do nothing).
pub fn enable(limit: Duration) {
    if LIMIT.set((limit, Instant::now())).is_ok() {
        std::thread::spawn(move || watch(limit));
    }
}

/// Runs `work` (compiling or rendering the template `name`) under the deadline. Two
/// atomic stores when the watchdog runs; nothing when it does not.
pub fn guard<T>(name: &str, work: impl FnOnce() -> T) -> T {
    let Some((_, clock)) = LIMIT.get() else {
        return super::budget::counted(work);
    };
    WORK.with(|entry| {
        let mut shown = entry.name.lock().unwrap_or_else(|p| p.into_inner());
        if &**shown != name {
            *shown = Arc::from(name);
        }
        drop(shown);
        let now = clock.elapsed().as_millis() as u64 + 1;
        entry.since.store(now, Ordering::Relaxed);
    });
    let result = super::budget::counted(work);
    WORK.with(|entry| entry.since.store(0, Ordering::Relaxed));
    result
}

fn watch(limit: Duration) {
    let Some((_, clock)) = LIMIT.get() else {
        return;
    };
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let now = clock.elapsed().as_millis() as u64 + 1;
        let late = THREADS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|work| {
                let since = work.since.load(Ordering::Relaxed);
                since != 0 && now.saturating_sub(since) > limit.as_millis() as u64
            })
            .map(|work| work.name.lock().unwrap_or_else(|p| p.into_inner()).clone());
        if let Some(name) = late {
            status!(
                "error[template]: `{}` has run for more than {} s, on work minijinja's fuel does not count (comparing or searching a huge repeated list, say); timl stops, and nothing was written or sent",
                crate::diag::render::printable(&name),
                limit.as_secs()
            );
            std::process::exit(1);
        }
    }
}
