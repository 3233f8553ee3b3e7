//! A memory budget for template work, kept by the global allocator.
//!
//! Fuel counts minijinja's instructions and the watchdog counts seconds, but one
//! instruction can ask for a gigabyte (`(["x" * 60000] * 100000000)|join`), and a
//! string that doubles as it grows takes the machine's memory long before a deadline.
//! So the binary's allocator ([`Budgeted`]) counts, per thread, what template work
//! allocates and frees; an allocation that would take a compile or a rendering past
//! [`BUDGET`] ends the process with a `template` error (exit 1), the same way the
//! watchdog does: nothing is written or sent by then, since output is committed and
//! requests leave only after every message has compiled.
//!
//! Off in the library unless its user installs [`Budgeted`] and calls [`enable`].

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How much one compile or rendering may hold at once: far above any real message
/// (a rendering is capped at a few hundred KiB of markup), far below a machine's memory.
pub const BUDGET: usize = 128 << 20;

/// The budget in force: 0 until [`enable`].
static LIMIT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Bytes this thread's current template work holds (allocated minus freed), or
    /// `None` outside template work.
    static HELD: Cell<Option<isize>> = const { Cell::new(None) };
}

/// Turns the budget on for every later template compile and rendering.
pub fn enable() {
    LIMIT.store(BUDGET, Ordering::Relaxed);
}

/// Runs `work` (template work) with this thread's allocations counted.
pub fn counted<T>(work: impl FnOnce() -> T) -> T {
    let outer = HELD.with(|held| held.replace(Some(0)));
    let result = work();
    HELD.with(|held| held.set(outer));
    result
}

/// A global allocator that keeps the budget over `A`.
#[derive(Debug, Default)]
pub struct Budgeted<A>(pub A);

impl<A> Budgeted<A> {
    /// Counts `grow` more bytes (negative: freed) for this thread's template work,
    /// and stops the process when that passes the budget.
    fn count(&self, grow: isize) {
        let limit = LIMIT.load(Ordering::Relaxed);
        // `try_with`: the allocator also runs while a thread's locals are torn down.
        let _ = HELD.try_with(|held| {
            let Some(now) = held.get() else { return };
            let now = now.saturating_add(grow);
            held.set(Some(now));
            if limit != 0 && grow > 0 && now > limit as isize {
                over_budget();
            }
        });
    }
}

// SAFETY: every call is passed to `A` unchanged; the bookkeeping around it touches only
// a thread-local counter and never allocates.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Budgeted<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.count(layout.size() as isize);
        self.0.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.count(layout.size() as isize);
        self.0.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.count(-(layout.size() as isize));
        self.0.dealloc(ptr, layout);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.count(new_size as isize - layout.size() as isize);
        self.0.realloc(ptr, layout, new_size)
    }
}

/// Ends the process with a `template` error, from inside the allocator: no
/// allocation, no lock, no unwinding.
#[cold]
fn over_budget() -> ! {
    const _: () = assert!(BUDGET == 128 << 20, "the message names the budget");
    const MESSAGE: &[u8] = b"error[template]: the template needed more than 128 MiB of memory (a huge string or list, say); timl stops, and nothing was written or sent\n";
    #[cfg(unix)]
    // SAFETY: writes a static buffer to standard error, then exits without running
    // anything of this process again.
    unsafe {
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(1);
    }
    #[cfg(not(unix))]
    std::process::abort();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_template_work_is_counted() {
        let allocator = Budgeted(std::alloc::System);
        allocator.count(1 << 40);
        assert_eq!(HELD.with(Cell::get), None);
        let held = counted(|| {
            allocator.count(100);
            allocator.count(-40);
            counted(|| allocator.count(1_000));
            HELD.with(Cell::get)
        });
        assert_eq!(held, Some(60));
        assert_eq!(HELD.with(Cell::get), None);
    }
}
