//! A deadline for template work that minijinja's fuel does not count: comparing or
//! searching a lazily repeated list (`[1] * 100000000`), and constant expressions that
//! minijinja folds while it compiles a template. Off in the library; the command line
//! turns it on, and then a compile or a rendering that runs past the deadline ends the
//! process with a `template` error (exit 1) before it can take the machine's memory.
//! Nothing is written or sent by then: output is committed, and requests leave, only
//! after every message has compiled.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// The deadline, once the watchdog runs.
static LIMIT: OnceLock<Duration> = OnceLock::new();

/// The template work in progress: its thread, when it started, and the template.
static RUNNING: Mutex<Option<HashMap<ThreadId, (Instant, String)>>> = Mutex::new(None);

/// Starts the watchdog (once; later calls do nothing).
pub fn enable(limit: Duration) {
    if LIMIT.set(limit).is_ok() {
        std::thread::spawn(move || watch(limit));
    }
}

/// Runs `work` (compiling or rendering the template `name`) under the deadline.
pub fn guard<T>(name: &str, work: impl FnOnce() -> T) -> T {
    if LIMIT.get().is_none() {
        return work();
    }
    let thread = std::thread::current().id();
    running(|map| map.insert(thread, (Instant::now(), name.to_owned())));
    let result = work();
    running(|map| map.remove(&thread));
    result
}

fn running<T>(change: impl FnOnce(&mut HashMap<ThreadId, (Instant, String)>) -> T) -> T {
    let mut running = RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    change(running.get_or_insert_with(HashMap::new))
}

fn watch(limit: Duration) {
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let late = running(|map| {
            map.values()
                .find(|(start, _)| start.elapsed() > limit)
                .map(|(_, name)| name.clone())
        });
        if let Some(name) = late {
            eprintln!(
                "error[template]: `{}` has run for more than {} s, on work minijinja's fuel does not count (comparing or searching a huge repeated list, say); timl stops, and nothing was written or sent",
                crate::diag::render::printable(&name),
                limit.as_secs()
            );
            std::process::exit(1);
        }
    }
}
