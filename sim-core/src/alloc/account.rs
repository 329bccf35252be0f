//! The accounting behind the tracker: one thread's counters for the poll
//! in progress, switched on by the executor around a user task's poll and
//! off by [`Untracked`] around detsim's own work inside it.
//!
//! Everything here is reached from inside `GlobalAlloc`, so it never
//! allocates, never takes a lock and never panics: the state is a `const`
//! thread-local of `Cell`s with no destructor (its first access from a
//! thread allocates nothing, and it is never torn down), read with
//! `try_with`.
//!
//! The state of a poll, and when it may change:
//!
//! - *off* (`active` false, nothing charged): outside any poll of a
//!   tracking runtime, and inside one while an [`Untracked`] guard lives;
//! - *on* (`active` true): between [`begin_poll`] and [`end_poll`], except
//!   under a guard. Each allocation adds its size to `bytes` and one to
//!   `allocations`; one above `cap` is kept in `over` (the first of the
//!   poll) and, if the allocator returns null, `refused` is set.

use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// Whether a [`Tracker`](crate::alloc::Tracker) serves this process's
/// allocations: set by its first allocation, long before any runtime
/// exists (the Rust runtime allocates before `main`).
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// This thread's counters; see the module docs.
struct Account {
    active: Cell<bool>,
    /// Requests above this many bytes are violations (`u64::MAX`: none).
    cap: Cell<u64>,
    bytes: Cell<u64>,
    allocations: Cell<u64>,
    /// Size of the poll's first request above the cap (0: none).
    over: Cell<u64>,
    /// Whether the allocator returned null for that request.
    refused: Cell<bool>,
    /// The poll's seed, task id and run poll number: all the allocator's
    /// failure line can learn without touching the runtime's state.
    seed: Cell<u64>,
    task: Cell<u64>,
    poll: Cell<u64>,
}

thread_local! {
    static ACCOUNT: Account = const {
        Account {
            active: Cell::new(false),
            cap: Cell::new(u64::MAX),
            bytes: Cell::new(0),
            allocations: Cell::new(0),
            over: Cell::new(0),
            refused: Cell::new(false),
            seed: Cell::new(0),
            task: Cell::new(0),
            poll: Cell::new(0),
        }
    };
}

/// Whether the tracker is this process's global allocator.
#[inline]
pub(crate) fn installed() -> bool {
    INSTALLED.load(Relaxed)
}

/// Called by the tracker on every allocation.
#[inline]
pub(super) fn mark_installed() {
    if !INSTALLED.load(Relaxed) {
        INSTALLED.store(true, Relaxed);
    }
}

/// Charges a request of `size` bytes to the poll in progress, if one is
/// tracked. Returns whether it is above the cap (already recorded).
#[inline]
pub(super) fn charge(size: usize) -> bool {
    ACCOUNT
        .try_with(|a| {
            if !a.active.get() {
                return false;
            }
            let size = size as u64;
            a.bytes.set(a.bytes.get().wrapping_add(size));
            a.allocations.set(a.allocations.get() + 1);
            if size > a.cap.get() {
                over_cap(a, size);
                return true;
            }
            false
        })
        .unwrap_or(false)
}

#[cold]
fn over_cap(a: &Account, size: u64) {
    if a.over.get() == 0 {
        a.over.set(size);
    }
}

/// The allocator returned null for a request of `size` bytes. Inside a
/// tracked poll, returns what the failure line needs (the poll stops
/// being tracked from here: the line may allocate), and marks an
/// over-cap request as refused.
#[cold]
pub(super) fn refused(size: usize, over_cap: bool) -> Option<Refusal> {
    ACCOUNT
        .try_with(|a| {
            if !a.active.replace(false) {
                return None;
            }
            if over_cap && a.over.get() == size as u64 {
                a.refused.set(true);
            }
            Some(Refusal {
                size: size as u64,
                cap: a.cap.get(),
                seed: a.seed.get(),
                task: a.task.get(),
                poll: a.poll.get(),
            })
        })
        .ok()
        .flatten()
}

/// Switches tracking back on after the failure line (see [`refused`]).
#[cold]
pub(super) fn resume_after_refusal() {
    let _ = ACCOUNT.try_with(|a| a.active.set(true));
}

/// A request the allocator refused during a tracked poll.
#[derive(Clone, Copy, Debug)]
pub(super) struct Refusal {
    pub(super) size: u64,
    pub(super) cap: u64,
    pub(super) seed: u64,
    pub(super) task: u64,
    pub(super) poll: u64,
}

/// What one poll allocated, as the executor reads it when the poll returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PollCharge {
    pub(crate) usage: crate::alloc::Usage,
    /// The first request above the cap, and whether it was refused.
    pub(crate) over: Option<(u64, bool)>,
}

/// Starts tracking the poll number `poll` of task `task` in the run of
/// `seed`, with `cap` (`u64::MAX`: none), until [`end_poll`].
#[inline]
pub(crate) fn begin_poll(cap: u64, seed: u64, task: u64, poll: u64) {
    let _ = ACCOUNT.try_with(|a| {
        a.cap.set(cap);
        a.bytes.set(0);
        a.allocations.set(0);
        a.over.set(0);
        a.refused.set(false);
        a.seed.set(seed);
        a.task.set(task);
        a.poll.set(poll);
        a.active.set(true);
    });
}

/// Stops tracking the poll [`begin_poll`] started; what it allocated.
#[inline]
pub(crate) fn end_poll() -> PollCharge {
    ACCOUNT
        .try_with(|a| {
            a.active.set(false);
            let over = a.over.get();
            PollCharge {
                usage: crate::alloc::Usage {
                    bytes: a.bytes.get(),
                    allocations: a.allocations.get(),
                },
                over: (over > 0).then(|| (over, a.refused.get())),
            }
        })
        .unwrap_or_default()
}

/// What the poll in progress has allocated so far.
pub(crate) fn poll_so_far() -> crate::alloc::Usage {
    ACCOUNT
        .try_with(|a| crate::alloc::Usage {
            bytes: a.bytes.get(),
            allocations: a.allocations.get(),
        })
        .unwrap_or_default()
}

/// While it lives, allocations on this thread are not charged to the task
/// being polled.
///
/// detsim holds one wherever its own code runs inside a task's poll: the
/// trace, the fault log, spawning (all but the task's future and its
/// output's slot),
/// timers, the kernel and the simulated devices behind the IO types. A
/// simulated device of your own (built on
/// [`KernelHandle`](crate::kernel::KernelHandle)) can hold one for the
/// memory it models as the kernel's. Guards nest; without the tracker, a
/// guard is one load of a static.
///
/// ```
/// use detsim::alloc::Untracked;
///
/// /// A simulated device's buffer: the kernel's memory, not the task's.
/// fn device_buffer(len: usize) -> Vec<u8> {
///     let _kernel_side = Untracked::new();
///     vec![0; len]
/// }
///
/// detsim::Runtime::sim(0).block_on(async {
///     assert_eq!(device_buffer(4096).len(), 4096);
/// });
/// ```
#[derive(Debug)]
#[must_use = "tracking resumes when the guard drops"]
pub struct Untracked {
    /// Whether tracking was on when the guard was made.
    was: bool,
    /// Thread-bound: it restores this thread's state.
    _thread: PhantomData<*const ()>,
}

impl Untracked {
    /// Stops charging this thread's allocations until the guard drops.
    #[inline]
    pub fn new() -> Untracked {
        Untracked {
            was: pause(),
            _thread: PhantomData,
        }
    }
}

/// [`Untracked`] without a guard, for detsim's hottest paths (each IO
/// operation): no drop to run on unwinding keeps the code small enough to
/// inline. Returns whether tracking was on, for [`resume`]. A panic
/// between the two leaves the rest of that poll uncharged, which is
/// harmless: the panic fails the run, or the task caught it.
#[inline(always)]
pub(crate) fn pause() -> bool {
    installed()
        && ACCOUNT
            .try_with(|a| a.active.replace(false))
            .unwrap_or(false)
}

/// Ends a [`pause`].
#[inline(always)]
pub(crate) fn resume(paused: bool) {
    if paused {
        let _ = ACCOUNT.try_with(|a| a.active.set(true));
    }
}

impl Default for Untracked {
    fn default() -> Untracked {
        Untracked::new()
    }
}

impl Drop for Untracked {
    #[inline]
    fn drop(&mut self) {
        resume(self.was);
    }
}
