//! The slots of the [`Wheel`]: placing an entry in its level and slot,
//! bringing the earliest slot down (the *cascade*), and sweeping out the
//! keys of removed entries. See the wheel's module docs for the layout.

use super::{DUE_AT_ONCE, Entry, LEVELS, RETAINED_CAPACITY, SLOTS, Wheel};

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
            // Earliest first: the run is sorted earliest last.
            for e in self.due.run().iter().rev() {
                self.nodes.warm(e.3, self.owner_hint);
            }
            // The next slot of this level is likely the next to become
            // due: its nodes are asked for now, so that they are in cache
            // when it is warmed in turn.
            let next = self.occupied[level];
            if next != 0 {
                let slot = level * SLOTS + next.trailing_zeros() as usize;
                for e in self.slots[slot].iter().take(DUE_AT_ONCE) {
                    self.nodes.prefetch(e.3);
                }
            }
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
    pub(super) fn place(&mut self, entry: Entry) {
        let at = entry.0;
        if at <= self.elapsed {
            self.due.push(entry);
            return;
        }
        let level = (63 - (at ^ self.elapsed).leading_zeros()) as usize / 6;
        let slot = ((at >> (6 * level)) & 63) as usize;
        self.slots[level * SLOTS + slot].push(entry);
        self.occupied[level] |= 1 << slot;
        self.levels |= 1 << level;
    }
}
