//! The ring of recent events a failure report shows.
//!
//! While the ring is on, every event the trace records goes into it, so
//! the trace's event count already says where each one goes: event `n`
//! (counting from 0) sits at `n` modulo the ring's length, a power of two,
//! and the last `capacity` events are the `capacity` numbers before the
//! count. Keeping an event is then one masked store: no fill level, no
//! oldest index to move on and wrap, and no borrow, as the slots are
//! cells (the trace records through a shared reference).

use std::cell::Cell;
use std::fmt;

use super::{Event, EventKind};
use crate::time::Instant;

/// The ring; see the module docs.
pub(super) struct Recent {
    /// A power of two of slots, at least `capacity` (none when off).
    slots: Box<[Cell<Event>]>,
    /// The number of slots minus one, kept rather than derived at each
    /// store (one instruction less per event); meaningless when off.
    mask: usize,
    /// How many of the latest events [`Recent::events`] gives back.
    capacity: usize,
}

/// What fills a slot no event has reached yet; never given back.
const UNUSED: Event = Event {
    at: Instant::ZERO,
    kind: EventKind::ClockAdvanced,
};

impl Recent {
    /// A ring that gives back the last `capacity` events (off when 0).
    pub(super) fn new(capacity: usize) -> Recent {
        let len = if capacity == 0 {
            0
        } else {
            capacity
                .checked_next_power_of_two()
                .expect("detsim: too many recent events asked for the report")
        };
        Recent {
            slots: (0..len).map(|_| Cell::new(UNUSED)).collect(),
            mask: len.wrapping_sub(1),
            capacity,
        }
    }

    /// Whether events are kept here.
    pub(super) fn is_on(&self) -> bool {
        self.capacity > 0
    }

    /// Keeps event number `n` (from 0), which must be the trace's next
    /// one. Only while the ring is on ([`Recent::is_on`]): both callers
    /// test that first.
    #[inline(always)]
    pub(super) fn put(&self, n: u64, event: Event) {
        debug_assert!(self.is_on(), "an event put into a ring that is off");
        // An event has no drop glue: the old one is overwritten in place.
        // Unchecked: the masked index is in bounds by construction, and
        // the check the compiler cannot drop (it does not know the length
        // is a nonzero power of two) cost two instructions per event.
        // SAFETY: the ring is on, so `slots` has a nonzero power-of-two
        // length (`new`: `capacity > 0` and `checked_next_power_of_two`),
        // never changed, and `mask` is that length minus one: `n & mask`
        // is below the length.
        unsafe { self.slots.get_unchecked(n as usize & self.mask) }.set(event);
    }

    /// The last `capacity` of the `len` events recorded so far, oldest
    /// first.
    pub(super) fn events(&self, len: u64) -> Vec<Event> {
        let kept = len.min(self.capacity as u64);
        (len - kept..len)
            .map(|n| {
                let slot = &self.slots[n as usize & (self.slots.len() - 1)];
                // A cell lends no reference: the event is swapped out,
                // cloned and put back.
                let event = slot.replace(UNUSED);
                slot.set(event.clone());
                event
            })
            .collect()
    }
}

impl fmt::Debug for Recent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recent")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}
