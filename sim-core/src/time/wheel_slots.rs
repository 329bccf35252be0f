//! The slots of the [`Wheel`]: placing an entry in its level and slot,
//! bringing the earliest slot down (the *cascade*), and sweeping out the
//! keys of removed entries. See the wheel's module docs for the layout.
//!
//! The room of a big slot emptied by a cascade is kept as [`Spare`] room,
//! and the next slot that grows big grows into it. A million timers set at
//! once fill a dozen slots of the top level with tens of thousands of keys
//! each, then drain them: blocks that big come fresh from the kernel and go
//! back to it when freed, so without the spare room every such burst would
//! copy each slot at every doubling and fault all of its pages in again.
//! The spare room is bounded by twice the node slab's (which is kept too,
//! see [`Nodes`](super::Nodes)): what the wheel keeps stays proportional
//! to the most entries it held.

use super::{DUE_AT_ONCE, Entry, LEVELS, RETAINED_CAPACITY, SLOTS, Wheel};

/// Emptied big slots' room; see the module docs.
#[derive(Default)]
pub(super) struct Spare {
    /// Empty vectors of more than [`RETAINED_CAPACITY`].
    rooms: Vec<Vec<Entry>>,
    /// The sum of their capacities.
    keys: usize,
}

impl Spare {
    /// The spare room, in keys.
    #[cfg(test)]
    pub(super) fn keys(&self) -> usize {
        self.keys
    }
}

impl<T> Wheel<T> {
    /// Drops the keys of removed entries from the slots and the due heap
    /// (the live entries keep their places, so the order is unchanged),
    /// and lets a slot's room go down to what it would keep after a
    /// cascade. Back to the small queue if nothing live is left.
    #[cold]
    pub(super) fn sweep_stale(&mut self) {
        let nodes = &self.nodes;
        let live = |e: &Entry| nodes.is_live(e.3, e.2);
        for level in 0..LEVELS {
            let mut occupied = self.occupied[level];
            while occupied != 0 {
                let slot = occupied.trailing_zeros() as usize;
                occupied &= occupied - 1;
                let entries = &mut self.slots[level * SLOTS + slot];
                entries.retain(live);
                if entries.is_empty() {
                    self.occupied[level] &= !(1 << slot);
                }
                if entries.capacity() > RETAINED_CAPACITY {
                    entries.shrink_to(RETAINED_CAPACITY.max(entries.len()));
                }
            }
            if self.occupied[level] == 0 {
                self.levels &= !(1 << level);
            }
        }
        self.due.retain(live);
        self.stale = 0;
        self.unspill_if_empty();
    }

    /// Moves the cursor to the earliest deadline, found in the earliest
    /// occupied slot, and places that slot's entries again: those at the
    /// cursor become due, the rest go to lower levels. `false` when the
    /// wheel is empty.
    pub(super) fn cascade(&mut self) -> bool {
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
        if slot_entries.len() <= DUE_AT_ONCE {
            // Few: all become due, sorted once, and the cursor moves to
            // the latest of them (anywhere in this slot keeps every other
            // entry's level and slot, see below).
            let latest = self.due.take_run(slot_entries).expect("an occupied slot");
            self.elapsed = latest.0;
            let this = level * SLOTS + slot;
            if self.warmed != this {
                // Earliest first: the run is sorted earliest last.
                for e in self.due.run().iter().rev() {
                    self.nodes.warm(e.3, self.owner_hint);
                }
            }
            self.warm_ahead(level);
            return true;
        }
        self.warmed = usize::MAX;
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
        // timers does not pin its memory in every slot it passed through,
        // only in the shared spare room.
        if entries.capacity() <= RETAINED_CAPACITY {
            self.slots[level * SLOTS + slot] = entries;
        } else {
            self.keep_spare(entries);
        }
        true
    }

    /// Warms the next slot of `level`, likely the next to become due, one
    /// batch ahead: its nodes (asked for one batch earlier still, so in
    /// cache by now) are read and their owners asked for, so that the
    /// first owner a batch reaches, often touched before its slot is even
    /// taken (a task polls the sleep it awaits next), is in cache too; and
    /// asks for the nodes of the slot after it.
    fn warm_ahead(&mut self, level: usize) {
        let mut next = self.occupied[level];
        self.warmed = usize::MAX;
        if next == 0 {
            return;
        }
        let slot = level * SLOTS + next.trailing_zeros() as usize;
        for e in self.slots[slot].iter().take(DUE_AT_ONCE) {
            self.nodes.warm(e.3, self.owner_hint);
        }
        self.warmed = slot;
        next &= next - 1;
        if next != 0 {
            let slot = level * SLOTS + next.trailing_zeros() as usize;
            for e in self.slots[slot].iter().take(DUE_AT_ONCE) {
                self.nodes.prefetch(e.3);
            }
        }
    }

    /// Keeps an emptied slot's room for the next slot that grows big, if
    /// it is big and the spare room stays within bounds; frees it
    /// otherwise.
    fn keep_spare(&mut self, room: Vec<Entry>) {
        debug_assert!(room.is_empty());
        let keys = room.capacity();
        if keys > RETAINED_CAPACITY && self.spare.keys + keys <= 2 * self.nodes.capacity() {
            self.spare.keys += keys;
            self.spare.rooms.push(room);
        }
    }

    /// Adds `entry` to the slot at `index`, which is full: a big slot
    /// moves into the smallest spare room larger than it (a copy, but no
    /// fresh pages), any other grows as a vector does.
    #[cold]
    #[inline(never)]
    fn push_growing(&mut self, index: usize, entry: Entry) {
        let slot = &mut self.slots[index];
        let len = slot.len();
        let rooms = &self.spare.rooms;
        let fit = (0..rooms.len())
            .filter(|&i| rooms[i].capacity() > len)
            .min_by_key(|&i| rooms[i].capacity());
        match fit {
            Some(i) if len >= RETAINED_CAPACITY => {
                let mut room = self.spare.rooms.swap_remove(i);
                self.spare.keys -= room.capacity();
                room.extend_from_slice(slot);
                room.push(entry);
                let mut old = std::mem::replace(slot, room);
                old.clear();
                self.keep_spare(old);
            }
            _ => slot.push(entry),
        }
    }

    /// Puts an entry in its slot, or in the due heap.
    pub(super) fn place(&mut self, entry: Entry) {
        let at = entry.0;
        if at <= self.elapsed {
            self.due.push(entry);
            return;
        }
        let level = (63 - (at ^ self.elapsed).leading_zeros()) as usize / 6;
        let slot = ((at >> (6 * level)) & 63) as usize;
        let entries = &mut self.slots[level * SLOTS + slot];
        if entries.len() == entries.capacity() {
            self.push_growing(level * SLOTS + slot, entry);
        } else {
            entries.push(entry);
        }
        self.occupied[level] |= 1 << slot;
        self.levels |= 1 << level;
    }
}
