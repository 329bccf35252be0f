//! The prefetch hint of the seeded random pick: with many runnable tasks,
//! the memory of the tasks about to enter the pick's window is loaded
//! ahead of time. A hint only: it changes no state and no order.

use super::{Executor, TaskKey};
use crate::runtime::run_queue::RunQueue;

/// How far past the random window [`Executor::prefetch_window`] reaches:
/// the cell of the key this many places past it, and the slot of the key
/// twice as far (whose cell comes into reach that many picks later).
const PREFETCH_DISTANCE: usize = 8;

/// How many runnable tasks it takes before [`Executor::prefetch_window`]
/// does anything: below that, their slots and cells (a few hundred bytes
/// each) mostly stay in the caches anyway, and the prefetch would only
/// add instructions.
const PREFETCH_FROM: usize = 16_384;

impl Executor {
    /// Starts loading the memory of the tasks about to enter the random
    /// window (see `scheduler.rs`), so that when the pick lands on one it
    /// is in the cache. The window's picks are in random order, which
    /// defeats the hardware's stride prefetcher that a FIFO order gets
    /// for free: at 100k runnable tasks and more, each pick otherwise
    /// waits on a few cache misses (the slot and the cell). A hint only:
    /// it changes no state and no order. Does nothing below
    /// [`PREFETCH_FROM`] runnable tasks.
    #[inline]
    pub(crate) fn prefetch_window(&self, runnable: &RunQueue) {
        if runnable.len() >= PREFETCH_FROM {
            self.prefetch_window_now(runnable);
        }
    }

    /// [`Executor::prefetch_window`]'s work, out of line so that the loop's
    /// pick stays as small as it was for runs with fewer tasks.
    #[inline(never)]
    fn prefetch_window_now(&self, runnable: &RunQueue) {
        use crate::runtime::scheduler::RANDOM_WINDOW;
        let near = RANDOM_WINDOW + PREFETCH_DISTANCE;
        let (Some(cell_key), Some(slot_key)) =
            (runnable.get(near), runnable.get(near + PREFETCH_DISTANCE))
        else {
            return;
        };
        let slots = self.slots.borrow();
        if let Some(slot) = slots.get(TaskKey::from_raw(slot_key).index) {
            let at = std::ptr::from_ref(slot).cast::<u8>();
            prefetch(at);
            prefetch(at.wrapping_add(64));
        }
        let task = slots
            .get(TaskKey::from_raw(cell_key).index)
            .and_then(|s| s.entry.as_ref())
            .and_then(|e| e.task.as_ref());
        if let Some(task) = task {
            let at = task.as_ptr().as_ptr().cast::<u8>().cast_const();
            prefetch(at);
            prefetch(at.wrapping_add(64));
        }
    }
}

/// Asks the CPU to load the cache line at `at` (a hint: any address is
/// fine, nothing is read).
#[inline]
fn prefetch(at: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is a hint that never faults and reads nothing
        // the program sees, whatever the address; SSE is part of x86_64.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
