//! [`Wheel`]: the deadline queue under the timers and the kernel's
//! scheduled actions. A hierarchical timing wheel over exact nanosecond
//! deadlines, whose cost per entry does not grow with the number of
//! entries.
//!
//! Entries are ordered by `(deadline, tie, sequence)`: the caller's
//! tie-break among entries due at the same instant, then insertion order.
//! [`Wheel::pop_due`] returns them in exactly that order, and
//! [`Wheel::next_deadline`] is the exact earliest deadline, so a virtual
//! clock jumps straight to it.
//!
//! How: the wheel keeps a cursor, `elapsed`, never past the earliest entry
//! it holds. An entry after the cursor sits in one of [`LEVELS`] levels of
//! 64 slots: level `k` is chosen by the highest base-64 digit in which the
//! deadline differs from the cursor, and the slot is the deadline's digit
//! `k`. So every entry of a lower level is earlier than every entry of a
//! higher one, and within a level a lower slot is earlier. So the earliest
//! entry is in the lowest occupied slot of the lowest occupied level: the
//! cursor moves to the earliest deadline in that slot, and the slot's
//! entries are placed again, the earliest ones due, the others each in a
//! lower level. Entries at (or, inserted late, before) the cursor go to
//! the *due* heap, ordered by the full key; it holds only the entries of
//! the cursor's instant and any inserted behind it since, so ties are
//! sorted among themselves and nothing else. Each entry is placed at most
//! once per level on its way down: the cost per entry depends on how far
//! ahead its deadline is, never on how many entries there are.
//!
//! A slot is a vector of keys (deadline, tie, sequence, node), so moving a
//! slot down reads and writes memory in order; the values stay in a slab
//! of nodes, touched only to insert, pop, update or remove one. Removing
//! frees the node at once and leaves the key behind: it is skipped when it
//! becomes due (its sequence no longer matches the node's). The slab is
//! bounded by the number of live entries; the keys by the entries inserted
//! and not yet past the cursor, removed ones included.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::time::Instant;

/// Levels of the wheel: 11 base-64 digits cover every `u64` nanosecond.
const LEVELS: usize = 11;
/// Slots per level.
const SLOTS: usize = 64;
/// The most keys' room an emptied slot keeps for its next entries.
const RETAINED_CAPACITY: usize = 1024;
/// No node: the end of the free list.
const NIL: u32 = u32::MAX;

/// Identifies an entry: its node and the sequence number that makes a
/// stale key (the entry popped or removed, the node reused) harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WheelKey {
    index: u32,
    seq: u64,
}

/// An entry taken out of the wheel by [`Wheel::pop_due`].
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

struct Node<T> {
    seq: u64,
    /// The next free node, while free.
    next_free: u32,
    /// `None` while free.
    value: Option<T>,
}

/// The queue; see the module docs.
pub(crate) struct Wheel<T> {
    nodes: Vec<Node<T>>,
    free: u32,
    slots: Vec<Vec<Entry>>,
    /// Bit `s` of `occupied[k]`: slot `s` of level `k` has entries.
    occupied: [u64; LEVELS],
    /// Bit `k`: `occupied[k]` is not zero.
    levels: u16,
    elapsed: u64,
    due: BinaryHeap<Reverse<Entry>>,
    /// Keys of removed entries still in the wheel or the due heap: while
    /// there are none, the heap's top is live without looking at its node.
    stale: usize,
    next_seq: u64,
}

impl<T> Default for Wheel<T> {
    fn default() -> Self {
        Wheel {
            nodes: Vec::new(),
            free: NIL,
            slots: (0..LEVELS * SLOTS).map(|_| Vec::new()).collect(),
            occupied: [0; LEVELS],
            levels: 0,
            elapsed: 0,
            due: BinaryHeap::new(),
            stale: 0,
            next_seq: 0,
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
        let node = Node {
            seq,
            next_free: NIL,
            value: Some(value),
        };
        let index = if self.free == NIL {
            self.nodes.push(node);
            u32::try_from(self.nodes.len() - 1)
                .ok()
                .filter(|&i| i != NIL)
                .expect("more than 4 billion pending deadlines")
        } else {
            let index = self.free;
            self.free = self.nodes[index as usize].next_free;
            self.nodes[index as usize] = node;
            index
        };
        let entry = Entry(at.as_nanos(), tie, seq, index);
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
        self.live_node(key)?.value.as_mut()
    }

    /// Removes the entry, returning its value; `None` for a stale key.
    pub(crate) fn remove(&mut self, key: WheelKey) -> Option<T> {
        self.live_node(key)?;
        self.stale += 1;
        Some(self.release(key.index))
    }

    /// The earliest deadline, exactly.
    #[inline]
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        self.first_due().map(|e| Instant::from_nanos(e.0))
    }

    /// Takes the first entry (in key order) due at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<Popped<T>> {
        let Entry(at, _, seq, index) = self.first_due()?;
        if at > now.as_nanos() {
            return None;
        }
        self.due.pop();
        let value = self.release(index);
        Some(Popped { seq, value })
    }

    /// Removes every entry, in slab order.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        let values = self.nodes.drain(..).filter_map(|n| n.value).collect();
        *self = Wheel {
            next_seq: self.next_seq,
            ..Wheel::default()
        };
        values
    }

    fn live_node(&mut self, key: WheelKey) -> Option<&mut Node<T>> {
        self.nodes
            .get_mut(key.index as usize)
            .filter(|n| n.seq == key.seq && n.value.is_some())
    }

    /// The due heap's first live entry, after bringing the earliest slot
    /// down if the heap is empty.
    #[inline]
    fn first_due(&mut self) -> Option<Entry> {
        match self.due.peek() {
            Some(&Reverse(first)) if self.stale == 0 => Some(first),
            None if self.levels == 0 => None,
            _ => self.first_due_slow(),
        }
    }

    /// [`Self::first_due`] when the heap's top may be stale or the heap
    /// is empty.
    fn first_due_slow(&mut self) -> Option<Entry> {
        loop {
            if self.due.is_empty() && !self.cascade() {
                return None;
            }
            let &Reverse(first) = self.due.peek()?;
            let node = &self.nodes[first.3 as usize];
            if node.seq == first.2 && node.value.is_some() {
                return Some(first);
            }
            // Removed: its node is free or reused.
            self.due.pop();
            self.stale -= 1;
        }
    }

    /// Moves the cursor to the earliest deadline, found in the earliest
    /// occupied slot, and places that slot's entries again: those at the
    /// cursor become due, the rest go to lower levels. `false` when the
    /// wheel is empty.
    fn cascade(&mut self) -> bool {
        if self.levels == 0 {
            return false;
        }
        let level = self.levels.trailing_zeros() as usize;
        let slot = self.occupied[level].trailing_zeros() as usize;
        self.occupied[level] &= !(1 << slot);
        if self.occupied[level] == 0 {
            self.levels &= !(1 << level);
        }
        let slot_entries = &mut self.slots[level * SLOTS + slot];
        if slot_entries.len() == 1 {
            let entry = slot_entries.pop().expect("one entry");
            self.elapsed = entry.0;
            self.due.push(Reverse(entry));
            return true;
        }
        let mut entries = std::mem::take(slot_entries);
        // Every entry of a lower slot or level is earlier than every entry
        // of a higher one, so this slot's earliest is the wheel's. Moving
        // the cursor anywhere in this slot keeps every other entry's level
        // and slot: they differ from it in the same highest digit.
        self.elapsed = entries.iter().map(|e| e.0).min().unwrap_or(u64::MAX);
        for entry in entries.drain(..) {
            // Never this slot again: each goes to a lower level, or due.
            self.place(entry);
        }
        // Kept for the slot's next entries, unless it is big: a burst of
        // timers does not pin its memory in every slot it passed through.
        if entries.capacity() <= RETAINED_CAPACITY {
            self.slots[level * SLOTS + slot] = entries;
        }
        true
    }

    /// Puts an entry in its slot, or in the due heap.
    fn place(&mut self, entry: Entry) {
        let at = entry.0;
        if at <= self.elapsed {
            self.due.push(Reverse(entry));
            return;
        }
        let level = (63 - (at ^ self.elapsed).leading_zeros()) as usize / 6;
        let slot = ((at >> (6 * level)) & 63) as usize;
        self.slots[level * SLOTS + slot].push(entry);
        self.occupied[level] |= 1 << slot;
        self.levels |= 1 << level;
    }

    /// Frees a live node, returning its value.
    fn release(&mut self, index: u32) -> T {
        let node = &mut self.nodes[index as usize];
        node.next_free = self.free;
        self.free = index;
        node.value.take().expect("a live entry has its value")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ns: u64) -> Instant {
        Instant::from_nanos(ns)
    }

    fn pop_all(wheel: &mut Wheel<u32>, now: u64) -> Vec<u32> {
        std::iter::from_fn(|| wheel.pop_due(at(now)).map(|p| p.value)).collect()
    }

    #[test]
    fn entries_pop_in_deadline_then_tie_then_insertion_order() {
        let mut wheel = Wheel::default();
        wheel.insert(at(1 << 40), 0, 1);
        wheel.insert(at(10), 7, 2);
        wheel.insert(at(10), 3, 3);
        wheel.insert(at(10), 3, 4);
        wheel.insert(at(9), 9, 5);
        assert_eq!(wheel.next_deadline(), Some(at(9)));
        assert_eq!(pop_all(&mut wheel, 15), [5, 3, 4, 2]);
        assert_eq!(wheel.next_deadline(), Some(at(1 << 40)), "not due: kept");
        assert_eq!(pop_all(&mut wheel, u64::MAX), [1]);
        assert_eq!(wheel.next_deadline(), None);
    }

    #[test]
    fn a_deadline_behind_the_cursor_is_due_in_key_order() {
        let mut wheel = Wheel::default();
        wheel.insert(at(1_000_000), 5, 1);
        assert_eq!(wheel.next_deadline(), Some(at(1_000_000)));
        // The cursor is at 1 ms now; these land behind or on it.
        wheel.insert(at(1_000_000), 2, 2);
        wheel.insert(at(500), 9, 3);
        assert_eq!(wheel.next_deadline(), Some(at(500)));
        assert_eq!(pop_all(&mut wheel, 600), [3]);
        assert_eq!(pop_all(&mut wheel, 1_000_000), [2, 1]);
    }

    #[test]
    fn removed_entries_never_pop_and_stale_keys_do_nothing() {
        let mut wheel = Wheel::default();
        let slot = wheel.insert(at(1 << 20), 0, 1);
        let due = wheel.insert(at(5), 0, 2);
        wheel.insert(at(5), 1, 3);
        assert_eq!(
            wheel.next_deadline(),
            Some(at(5)),
            "2 and 3 are in the due heap"
        );
        assert_eq!(wheel.remove(due), Some(2));
        assert_eq!(wheel.remove(slot), Some(1));
        assert_eq!(wheel.remove(slot), None, "already removed");
        let reused = wheel.insert(at(5), 1, 4);
        assert_eq!(
            wheel.get_mut(due),
            None,
            "the node is reused under another key"
        );
        assert_eq!(pop_all(&mut wheel, 5), [3, 4]);
        assert_eq!(wheel.remove(reused), None, "already popped");
        assert_eq!(wheel.next_deadline(), None);
    }

    #[test]
    fn the_wheel_agrees_with_a_sorted_model_under_random_operations() {
        let mut state = 0x1234_5678_u64;
        let mut next = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let mut wheel = Wheel::default();
        // The model: live entries as (at, tie, seq, value, key).
        let mut model: Vec<(u64, u64, u64, u32, WheelKey)> = Vec::new();
        let mut now = 0u64;
        for step in 0..20_000u32 {
            match next() % 8 {
                0..=3 => {
                    // Spread over many levels, with ties and some past.
                    let ahead = match next() % 4 {
                        0 => next() % 4,
                        1 => next() % 5_000,
                        2 => next() % (1 << 30),
                        _ => next() >> (next() % 64),
                    };
                    let deadline = if next() % 16 == 0 {
                        now.saturating_sub(ahead)
                    } else {
                        now.saturating_add(ahead)
                    };
                    let tie = next() % 3;
                    let key = wheel.insert(at(deadline), tie, step);
                    model.push((deadline, tie, key.seq, step, key));
                }
                4 if !model.is_empty() => {
                    let i = (next() % model.len() as u64) as usize;
                    let gone = model.swap_remove(i);
                    assert_eq!(wheel.remove(gone.4), Some(gone.3));
                }
                _ => {
                    model.sort_unstable_by_key(|e| (e.0, e.1, e.2));
                    let first = model.first().map(|e| at(e.0));
                    assert_eq!(wheel.next_deadline(), first);
                    now = match (next() % 2, first) {
                        (0, Some(first)) => first.as_nanos().max(now),
                        _ => now.saturating_add(next() % (1 << 20)),
                    };
                    let due = model.iter().take_while(|e| e.0 <= now).count();
                    let expected: Vec<u32> = model.drain(..due).map(|e| e.3).collect();
                    assert_eq!(pop_all(&mut wheel, now), expected);
                }
            }
        }
        let values = wheel.drain();
        assert_eq!(values.len(), model.len());
    }
}
