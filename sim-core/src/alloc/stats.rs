//! What a task has allocated, as the task itself can read it.

use std::ops::{Add, AddAssign};

use crate::alloc::account;
use crate::runtime::context;

/// Allocations charged to a task or a poll: see the
/// [module docs](crate::alloc) for what is charged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Usage {
    /// The sizes asked for, added up (a `realloc` counts its new size;
    /// frees are not subtracted).
    pub bytes: u64,
    /// How many allocations and reallocations were made.
    pub allocations: u64,
}

impl Add for Usage {
    type Output = Usage;

    fn add(self, other: Usage) -> Usage {
        Usage {
            bytes: self.bytes.saturating_add(other.bytes),
            allocations: self.allocations.saturating_add(other.allocations),
        }
    }
}

impl AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        *self = *self + other;
    }
}

/// The calling task's allocations so far; see [`stats`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Since the task was spawned, this poll included.
    pub task: Usage,
    /// In the poll in progress, up to this call.
    pub poll: Usage,
}

/// What the task calling it has allocated: in all its polls so far, and
/// in this one. `None` when the [`Tracker`](crate::alloc::Tracker) is not
/// the global allocator, outside a task, or on the OS runtime. Allocates
/// nothing itself.
///
/// ```
/// use detsim::alloc::stats;
///
/// detsim::Runtime::sim(0).block_on(async {
///     // This doctest's binary does not install the tracker.
///     assert_eq!(stats(), None);
/// });
/// ```
pub fn stats() -> Option<Stats> {
    if !account::installed() {
        return None;
    }
    let rt = context::try_runtime()?;
    if !rt.tracks_allocations() {
        return None;
    }
    let before = rt.exec.current_allocated()?;
    let poll = account::poll_so_far();
    Some(Stats {
        task: before + poll,
        poll,
    })
}
