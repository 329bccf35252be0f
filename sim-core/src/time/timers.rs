//! The timer queue shared by both backends: a [`Wheel`] of the wakers of
//! the tasks that wait, keyed by deadline and creation order.
//!
//! A timer is an entry of the wheel; its key is the sleep's handle.
//! Cancelling a timer removes its entry at once, wherever it is (O(1)), so
//! the queue holds exactly the live, unfired timers. Firing removes the
//! entry too: the sleep that owned it learns that it fired from the clock
//! (a timer fires only once the clock has reached its deadline, and the
//! clock never goes back), and its stale key is harmless.
//!
//! Each timer keeps the address of the sleep that set it, refreshed at
//! each poll, as its owner's address: when a batch of timers is about to
//! fire,
//! the wheel asks the CPU for those sleeps' memory, so each woken task
//! finds its sleep in cache (with a million sleeps far beyond the caches,
//! a read of each sleep would otherwise wait on memory when its task
//! polls it, one after another).

use std::num::NonZeroU32;
use std::task::Waker;

use crate::time::Instant;
use crate::time::wheel::{Popped, Wheel, WheelKey};

/// Identifies a registered timer; stale once it fired or was cancelled.
///
/// Its wheel key, with the node index kept complemented: no node has index
/// `u32::MAX`, so the stored value is never zero and an `Option<TimerKey>`
/// needs no room of its own. A sleep holding one is then 32 bytes, two to
/// a cache line, not 40. (The niche is not in the sequence number: every
/// value of it is a timer's identity in the trace. Nor in the wheel's own
/// key: the kernel's actions would pay for it, and they need no niche.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    not_index: NonZeroU32,
    seq: u64,
}

impl TimerKey {
    #[inline(always)]
    fn new(key: WheelKey) -> TimerKey {
        let (index, seq) = key.parts();
        TimerKey {
            not_index: NonZeroU32::new(!index).expect("no node has index u32::MAX"),
            seq,
        }
    }

    #[inline(always)]
    fn wheel(self) -> WheelKey {
        WheelKey::from_parts(!self.not_index.get(), self.seq)
    }
}

/// A pending timer: what it wakes, and where its sleep was when last
/// polled (a hint for the wheel, never dereferenced).
struct Timer {
    waker: Waker,
    sleep: usize,
}

/// The queue; see the module docs.
pub(crate) struct Timers {
    wheel: Wheel<Timer>,
}

impl Default for Timers {
    fn default() -> Self {
        let mut wheel = Wheel::default();
        wheel.set_owner_hint(|t: &Timer| t.sleep, size_of::<crate::time::Sleep>() - 1);
        Timers { wheel }
    }
}

impl Timers {
    /// Registers a timer at `deadline` that wakes `waker`, set by the
    /// sleep at address `sleep` (a hint, never dereferenced). Timers due at
    /// the same instant fire in creation order.
    pub(crate) fn insert(&mut self, deadline: Instant, waker: Waker, sleep: usize) -> TimerKey {
        TimerKey::new(self.wheel.insert(deadline, 0, Timer { waker, sleep }))
    }

    /// Replaces the waker of a pending timer (the task may have moved),
    /// and notes where its sleep is now (it may have moved too). Returns
    /// the old waker, for the caller to drop once it holds no borrow (a
    /// waker's `Drop` is user code too).
    pub(crate) fn update_waker(
        &mut self,
        key: TimerKey,
        waker: &Waker,
        sleep: usize,
    ) -> Option<Waker> {
        let timer = self.wheel.get_mut(key.wheel())?;
        timer.sleep = sleep;
        if timer.waker.will_wake(waker) {
            return None;
        }
        Some(std::mem::replace(&mut timer.waker, waker.clone()))
    }

    /// Cancels the timer; a no-op for a stale key (fired or cancelled).
    /// Returns the waker, for the caller to drop once it holds no borrow.
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<Waker> {
        self.wheel.remove(key.wheel()).map(|t| t.waker)
    }

    /// The earliest deadline of a pending timer.
    #[inline]
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        self.wheel.next_deadline()
    }

    /// Fires the earliest timer due at or before `now` (ties in creation
    /// order): removes it and returns its sequence number and waker; when
    /// none is due, says when the earliest pending timer is. One at a
    /// time, so the caller wakes with no borrow of the queue held: a
    /// waker may insert or cancel timers.
    #[inline]
    pub(crate) fn pop_or_next(&mut self, now: Instant) -> Result<(u64, Waker), Option<Instant>> {
        self.wheel
            .pop_or_next(now)
            .map(|Popped { seq, value }| (seq, value.waker))
    }
}

#[cfg(test)]
mod tests {
    use super::TimerKey;

    #[test]
    fn a_sleep_takes_half_a_cache_line() {
        // Its home, its deadline and its timer's key, if it has one: the
        // key's complemented node index leaves a niche for the `Option`.
        assert_eq!(size_of::<Option<TimerKey>>(), size_of::<TimerKey>());
        assert_eq!(size_of::<crate::time::Sleep>(), 32);
    }
}
