//! What a run publishes for the runner's stall monitor, another thread.
//!
//! A task that blocks its thread forever (`futures::executor::block_on`
//! inside a task, an endless loop) never returns to the run loop, so
//! nothing on that thread can report it. The runner's monitor thread
//! (`runner/stall.rs`) watches a [`Heartbeat`] instead: before each poll
//! the run stores the poll's number, task and spawn site, with relaxed
//! stores to memory only this thread writes (a few cycles; no fence, no
//! locked instruction). When the count stops moving for the stall limit,
//! the values stored are those of the poll that never returned.

use std::panic::Location;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering::Relaxed};

use crate::task::TaskId;

/// One thread's published progress; see the module docs.
#[derive(Debug)]
pub(crate) struct Heartbeat {
    /// Polls begun on this heartbeat, over every run: it only grows, so a
    /// new run can never look like the old one standing still.
    beats: AtomicU64,
    /// The run's number of the poll in progress.
    poll: AtomicU64,
    task: AtomicU64,
    /// Always null or from a `&'static Location<'static>`.
    spawned_at: AtomicPtr<Location<'static>>,
    seed: AtomicU64,
    running: AtomicBool,
}

/// What the monitor reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Beat {
    pub(crate) beats: u64,
    pub(crate) running: bool,
    pub(crate) poll: u64,
    pub(crate) task: TaskId,
    pub(crate) spawned_at: Option<&'static Location<'static>>,
    pub(crate) seed: u64,
}

impl Default for Heartbeat {
    fn default() -> Heartbeat {
        Heartbeat {
            beats: AtomicU64::new(0),
            poll: AtomicU64::new(0),
            task: AtomicU64::new(0),
            spawned_at: AtomicPtr::new(ptr::null_mut()),
            seed: AtomicU64::new(0),
            running: AtomicBool::new(false),
        }
    }
}

impl Heartbeat {
    /// A run of `seed` starts (`true`) or ends on this thread.
    pub(crate) fn running(&self, seed: u64, on: bool) {
        self.seed.store(seed, Relaxed);
        self.running.store(on, Relaxed);
        // A run's end is progress too.
        self.beats.store(self.beats.load(Relaxed) + 1, Relaxed);
    }

    /// Poll number `poll` of `task`, spawned at `at`, begins.
    #[inline]
    pub(crate) fn beat(&self, poll: u64, task: TaskId, at: &'static Location<'static>) {
        self.task.store(task.0, Relaxed);
        self.poll.store(poll, Relaxed);
        self.spawned_at.store(ptr::from_ref(at).cast_mut(), Relaxed);
        // Only the run's thread writes: a load and a store, not an RMW.
        self.beats.store(self.beats.load(Relaxed) + 1, Relaxed);
    }

    /// The latest values. They are consistent with each other when `beats`
    /// has not moved for a while, which is when the monitor uses them.
    pub(crate) fn read(&self) -> Beat {
        let at = self.spawned_at.load(Relaxed);
        Beat {
            beats: self.beats.load(Relaxed),
            running: self.running.load(Relaxed),
            poll: self.poll.load(Relaxed),
            task: TaskId(self.task.load(Relaxed)),
            // SAFETY: every non-null value stored comes from a
            // `&'static Location<'static>`: valid forever, immutable, Sync.
            spawned_at: unsafe { at.as_ref() },
            seed: self.seed.load(Relaxed),
        }
    }
}
