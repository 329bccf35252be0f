//! The timer queue shared by both backends: a binary heap of deadlines with
//! lazily-cancelled entries.
//!
//! A timer is a slot holding the waker of the task that waits; the heap
//! holds `(deadline, sequence, slot)`. Cancelling a timer frees its slot and
//! leaves the heap entry behind; the entry is skipped when it surfaces
//! because its sequence number no longer matches the slot's. The heap is
//! bounded by the number of timers created since it last drained past them,
//! and the slots by the number of live timers.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::task::Waker;

use crate::time::Instant;

/// Identifies a registered timer: slot index plus the sequence number that
/// makes stale handles harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    slot: u32,
    seq: u64,
}

struct Slot {
    seq: u64,
    waker: Option<Waker>,
    fired: bool,
}

#[derive(Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64, u32)>>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    next_seq: u64,
}

impl Timers {
    /// Registers a timer at `deadline` that wakes `waker`.
    pub(crate) fn insert(&mut self, deadline: Instant, waker: Waker) -> TimerKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = Slot {
            seq,
            waker: Some(waker),
            fired: false,
        };
        let index = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                u32::try_from(self.slots.len() - 1).expect("more than 4 billion live timers")
            }
        };
        self.heap.push(Reverse((deadline, seq, index)));
        TimerKey { slot: index, seq }
    }

    /// Replaces the waker of a pending timer (the task may have moved).
    /// Returns the old waker, for the caller to drop once it holds no
    /// borrow (a waker's `Drop` is user code too).
    pub(crate) fn update_waker(&mut self, key: TimerKey, waker: &Waker) -> Option<Waker> {
        let slot = self.slot_mut(key)?;
        match &slot.waker {
            Some(w) if w.will_wake(waker) => None,
            _ => slot.waker.replace(waker.clone()),
        }
    }

    /// Whether the timer has fired.
    pub(crate) fn has_fired(&self, key: TimerKey) -> bool {
        self.slots
            .get(key.slot as usize)
            .is_some_and(|s| s.seq == key.seq && s.fired)
    }

    /// Frees the timer's slot; a no-op for a stale key. Returns the waker,
    /// for the caller to drop once it holds no borrow.
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<Waker> {
        let slot = self.slot_mut(key)?;
        slot.seq = u64::MAX;
        let waker = slot.waker.take();
        if self.free.len() == self.free.capacity() {
            self.grow_free();
        }
        self.free.push(key.slot);
        waker
    }

    /// Called from a sleep's poll or drop: the table is the runtime's
    /// memory, never charged to the task.
    #[cold]
    fn grow_free(&mut self) {
        let _untracked = crate::alloc::Untracked::new();
        self.free.reserve(1);
    }

    fn slot_mut(&mut self, key: TimerKey) -> Option<&mut Slot> {
        self.slots
            .get_mut(key.slot as usize)
            .filter(|s| s.seq == key.seq)
    }

    /// The earliest deadline of a live, unfired timer.
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(&Reverse((deadline, seq, slot))) = self.heap.peek() {
            let s = &self.slots[slot as usize];
            if s.seq == seq && !s.fired {
                return Some(deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// Fires the earliest timer due at or before `now` (ties in creation
    /// order): marks it fired and returns its sequence number and waker.
    /// One at a time, so the caller wakes with no borrow of the queue held:
    /// a waker may insert or cancel timers.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(u64, Waker)> {
        while let Some(&Reverse((deadline, seq, slot))) = self.heap.peek() {
            if deadline > now {
                return None;
            }
            self.heap.pop();
            let s = &mut self.slots[slot as usize];
            if s.seq == seq && !s.fired {
                s.fired = true;
                if let Some(w) = s.waker.take() {
                    return Some((seq, w));
                }
            }
        }
        None
    }
}
