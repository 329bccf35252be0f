//! [`Wheel`]: the deadline queue under the timers and the kernel's
//! scheduled actions. A hierarchical timing wheel over exact nanosecond
//! deadlines, whose cost per entry does not grow with the number of
//! entries.
//!
//! Entries are ordered by `(deadline, tie, sequence)`: the caller's
//! tie-break among entries due at the same instant, then insertion order.
//! [`Wheel::pop_or_next`] returns them in exactly that order, and
//! [`Wheel::next_deadline`] is the exact earliest deadline, so a virtual
//! clock jumps straight to it.
//!
//! How: the wheel keeps a cursor, `elapsed`: every entry in a slot is
//! after it. An entry after the cursor sits in one of [`LEVELS`] levels of
//! 64 slots: level `k` is chosen by the highest base-64 digit in which the
//! deadline differs from the cursor, and the slot is the deadline's digit
//! `k`. So every entry of a lower level is earlier than every entry of a
//! higher one, and within a level a lower slot is earlier. So the earliest
//! entry is in the lowest occupied slot of the lowest occupied level. When
//! nothing is due, that slot is taken: if it holds at most
//! [`DUE_AT_ONCE`] entries, they all become due at once and the cursor
//! moves to the latest of them; otherwise the cursor moves to the earliest
//! and the entries are placed again, the earliest ones due, the others
//! each in a lower level. Entries at (or, inserted late, before) the
//! cursor go to the *due* set ([`Due`]), ordered by the full key; it holds
//! only entries at or behind the cursor, all earlier than any in a slot.
//! Each entry is placed at most once per level on its way down: the cost
//! per entry depends on how far ahead its deadline is, never on how many
//! entries there are.
//!
//! Few entries (the usual case: a couple of segments and timers in
//! flight) skip all that: up to [`SMALL`] of them sit in one vector sorted
//! by the same key, earliest last, so popping is a `Vec::pop` and
//! inserting a short scan. The entry past [`SMALL`] *spills* them into the
//! wheel, which serves every operation until it is empty again; the order
//! popped is the key order either way, so it never depends on which form
//! holds the entries. The wheel's slots are allocated at the first spill.
//!
//! A slot is a vector of keys (deadline, tie, sequence, node), so moving a
//! slot down reads and writes memory in order; the values stay in a slab
//! of nodes ([`Nodes`]), touched only to insert, pop, update or remove one.
//! When a slot becomes due at once, the next slot of that level, likely
//! the next to become due, is warmed ahead: its nodes are read, together,
//! and the memory each node's *hint* names (the sleep that set a timer) is
//! asked for; the nodes of the slot after it are asked for too. So a pop
//! does not wait on a cache miss of its own when the slab outgrows the
//! cache, nor does the first sleep of a batch, which its task polls
//! before the batch is due. (A slot that was not warmed ahead is warmed
//! when it becomes due.) Removing
//! frees the node at once and leaves the key behind: it is skipped when it
//! becomes due (its sequence no longer matches the node's). The slab is
//! bounded by the number of live entries. The keys of removed entries are
//! swept out of the slots once they outnumber the slab's nodes, so many
//! cancellations far ahead of the cursor (one retransmission per idle
//! connection opened) do not pile up a key each.

use crate::time::Instant;
use crate::time::wheel_due::Due;
use crate::time::wheel_nodes::{Nodes, OwnerHint};
use slots::Spare;

/// Levels of the wheel: 11 base-64 digits cover every `u64` nanosecond.
const LEVELS: usize = 11;
/// Slots per level.
const SLOTS: usize = 64;
/// The most keys' room an emptied slot keeps for its next entries.
const RETAINED_CAPACITY: usize = 1024;
/// The most entries kept in the sorted vector before spilling into the
/// wheel.
const SMALL: usize = 16;
/// Keys of removed entries allowed beyond the slab's size before a sweep.
const STALE_SLACK: usize = 64;
/// The most keys of a slot that become due at once when it is the
/// earliest, instead of moving down level by level.
const DUE_AT_ONCE: usize = 32;

/// Identifies an entry: its node and the sequence number that makes a
/// stale key (the entry popped or removed, the node reused) harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WheelKey {
    index: u32,
    seq: u64,
}

impl WheelKey {
    /// The key's node index, never `u32::MAX` (the slab panics before it
    /// would hand that out), and its sequence number.
    #[inline(always)]
    pub(crate) fn parts(self) -> (u32, u64) {
        (self.index, self.seq)
    }

    /// The key made of [`WheelKey::parts`].
    #[inline(always)]
    pub(crate) fn from_parts(index: u32, seq: u64) -> WheelKey {
        WheelKey { index, seq }
    }
}

/// An entry taken out of the wheel by [`Wheel::pop_or_next`].
pub(crate) struct Popped<T> {
    /// Its insertion order, unique within the wheel.
    pub(crate) seq: u64,
    /// What was inserted.
    pub(crate) value: T,
}

/// An entry's place in the order, and its node: `(deadline, tie,
/// sequence, node)`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry(u64, u64, u64, u32);

/// The queue; see the module docs.
pub(crate) struct Wheel<T> {
    nodes: Nodes<T>,
    /// While not `spilled`: every entry, sorted by key, earliest last.
    /// Removing takes an entry out at once (no stale keys here).
    small: Vec<Entry>,
    /// The entries are in the wheel (slots and due heap), not in `small`.
    spilled: bool,
    /// Empty until the first spill, then `LEVELS * SLOTS` slots.
    slots: Vec<Vec<Entry>>,
    /// Bit `s` of `occupied[k]`: slot `s` of level `k` has entries.
    occupied: [u64; LEVELS],
    /// Bit `k`: `occupied[k]` is not zero.
    levels: u16,
    elapsed: u64,
    due: Due<Entry>,
    /// Keys of removed entries still in the wheel or the due heap: while
    /// there are none, the heap's top is live without looking at its node.
    stale: usize,
    next_seq: u64,
    /// See [`Wheel::set_owner_hint`].
    owner_hint: Option<OwnerHint<T>>,
    /// The room of big slots emptied by a cascade, for the next slot that
    /// grows big (see `wheel_slots.rs`).
    spare: Spare,
    /// The slot (`level * SLOTS + slot`) whose nodes and owners were last
    /// asked for ahead of its turn; `usize::MAX`: none.
    warmed: usize,
}

impl<T> Default for Wheel<T> {
    fn default() -> Self {
        Wheel {
            nodes: Nodes::default(),
            small: Vec::new(),
            spilled: false,
            slots: Vec::new(),
            occupied: [0; LEVELS],
            levels: 0,
            elapsed: 0,
            due: Due::default(),
            stale: 0,
            next_seq: 0,
            owner_hint: None,
            spare: Spare::default(),
            warmed: usize::MAX,
        }
    }
}

impl<T> Wheel<T> {
    /// Adds `value` at `at`, ordered by `tie` among the entries at the same
    /// instant, then by insertion order. A deadline already past is fine:
    /// it is due at once, in key order among the others due.
    pub(crate) fn insert(&mut self, at: Instant, tie: u64, value: T) -> WheelKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        let index = self.nodes.insert(seq, value);
        let entry = Entry(at.as_nanos(), tie, seq, index);
        if !self.spilled {
            if self.small.len() < SMALL {
                self.insert_small(entry);
            } else {
                self.spill(entry);
            }
            return WheelKey { index, seq };
        }
        if self.levels == 0 && self.due.is_empty() {
            // Alone: the cursor may as well be there already (what the
            // next look at the earliest deadline would do).
            self.elapsed = self.elapsed.max(entry.0);
        }
        self.place(entry);
        WheelKey { index, seq }
    }

    /// The entry's value, unless it was popped or removed.
    pub(crate) fn get_mut(&mut self, key: WheelKey) -> Option<&mut T> {
        self.nodes.get_mut(key.index, key.seq)
    }

    /// Says where a value's owner lives: `address_of` gives its address
    /// (0: unknown), and the owner spans `span_bytes` past it (at most two
    /// cache lines are asked for). When entries are about to become due,
    /// their owners' memory is asked for, so that what an entry wakes
    /// finds its owner in cache. Unset (the default), nothing is.
    pub(crate) fn set_owner_hint(&mut self, address_of: fn(&T) -> usize, span_bytes: usize) {
        self.owner_hint = Some((address_of, span_bytes));
    }

    /// Removes the entry, returning its value; `None` for a stale key.
    pub(crate) fn remove(&mut self, key: WheelKey) -> Option<T> {
        if !self.nodes.is_live(key.index, key.seq) {
            return None;
        }
        if self.spilled {
            self.stale += 1;
            let value = self.release(key.index);
            if self.stale > self.nodes.len() + STALE_SLACK {
                self.sweep_stale();
            }
            return Some(value);
        } else {
            let i = self
                .small
                .iter()
                .rposition(|e| e.2 == key.seq)
                .expect("a live entry of the small queue is in it");
            self.small.remove(i);
        }
        Some(self.release(key.index))
    }

    /// The earliest deadline, exactly.
    #[inline]
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        self.first_due().map(|e| Instant::from_nanos(e.0))
    }

    /// Takes the first entry (in key order) due at or before `now`; when
    /// none is, says when the earliest is due (`None`: the wheel is
    /// empty). A caller that delivers until nothing is due learns the
    /// next deadline from the same look, instead of asking again.
    #[inline]
    pub(crate) fn pop_or_next(&mut self, now: Instant) -> Result<Popped<T>, Option<Instant>> {
        let Some(Entry(at, _, seq, index)) = self.first_due() else {
            return Err(None);
        };
        if at > now.as_nanos() {
            return Err(Some(Instant::from_nanos(at)));
        }
        let value = if self.spilled {
            self.due.pop_first();
            let value = self.release(index);
            self.unspill_if_empty();
            value
        } else {
            self.small.pop();
            self.release(index)
        };
        Ok(Popped { seq, value })
    }

    /// Removes every entry, in slab order.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        let values = self.nodes.drain();
        *self = Wheel {
            next_seq: self.next_seq,
            owner_hint: self.owner_hint,
            ..Wheel::default()
        };
        values
    }

    /// The due heap's first live entry, after bringing the earliest slot
    /// down if the heap is empty.
    #[inline(always)]
    fn first_due(&mut self) -> Option<Entry> {
        if !self.spilled {
            return self.small.last().copied();
        }
        match self.due.first() {
            // While keys of removed entries wait in the wheel (a cancelled
            // retransmission per connection opened, until its deadline),
            // the first due entry is checked here, not out of line: its
            // node is read anyway, as it is popped.
            Some(first) if self.stale == 0 || self.nodes.is_live(first.3, first.2) => Some(first),
            None if self.levels == 0 => None,
            _ => self.first_due_slow(),
        }
    }

    /// [`Self::first_due`] when the first due entry may be stale or none
    /// is due. Never inlined: the fast path stays small, with no frame to
    /// set up, in the many callers that hold a few entries.
    #[inline(never)]
    fn first_due_slow(&mut self) -> Option<Entry> {
        loop {
            if self.due.is_empty() && !self.cascade() {
                return None;
            }
            let first = self.due.first()?;
            if self.stale == 0 || self.nodes.is_live(first.3, first.2) {
                return Some(first);
            }
            // Removed: its node is free or reused.
            self.due.pop_first();
            self.stale -= 1;
            self.unspill_if_empty();
            if !self.spilled {
                return None;
            }
        }
    }

    /// Adds an entry to the small queue, in key order (earliest last). New
    /// entries are mostly the latest, so the scan starts at the front.
    fn insert_small(&mut self, entry: Entry) {
        let i = self
            .small
            .iter()
            .position(|e| *e < entry)
            .unwrap_or(self.small.len());
        self.small.insert(i, entry);
    }

    /// The small queue is full: every entry, `entry` too, goes into the
    /// wheel, with the cursor at the earliest (the slots are empty, so it
    /// may move back).
    #[cold]
    fn spill(&mut self, entry: Entry) {
        debug_assert!(self.levels == 0 && self.due.is_empty() && self.stale == 0);
        if self.slots.is_empty() {
            self.slots = (0..LEVELS * SLOTS).map(|_| Vec::new()).collect();
        }
        self.spilled = true;
        let earliest = self.small.last().map_or(entry.0, |e| e.0);
        self.elapsed = earliest.min(entry.0);
        let mut small = std::mem::take(&mut self.small);
        for e in small.drain(..) {
            self.place(e);
        }
        self.small = small;
        self.place(entry);
    }

    /// Back to the small queue once the wheel holds nothing, stale keys
    /// included.
    #[inline]
    fn unspill_if_empty(&mut self) {
        if self.levels == 0 && self.due.is_empty() {
            self.unspill();
        }
    }

    /// [`Self::unspill_if_empty`]'s work: no entry is left, so every node
    /// is free, and the slab starts over (see [`Nodes`]).
    #[cold]
    fn unspill(&mut self) {
        debug_assert_eq!(self.stale, 0);
        self.spilled = false;
        self.nodes.reset();
    }

    /// Frees a live node, returning its value.
    #[inline]
    fn release(&mut self, index: u32) -> T {
        self.nodes.take(index)
    }
}

#[path = "wheel_slots.rs"]
mod slots;

#[cfg(test)]
#[path = "wheel_tests.rs"]
mod tests;
