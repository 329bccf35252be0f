//! What each task's polls allocated so far, for the allocation tracker.
//!
//! Kept apart from the task table: without a tracker (the common case)
//! nothing is ever charged, and a field in every task's entry cost 16
//! bytes of table per task all the same (a sixth of an entry; at a
//! million live tasks, 16 MB of memory touched for nothing). Here a
//! runtime that tracks pays for the tasks it charges, indexed like the
//! table, and one that does not pays for an empty vector.
//!
//! A slot's count belongs to the occupant whose generation it was
//! charged under: a new occupant of the slot finds a stale generation
//! and starts from zero, so a spawn need not reset anything.

use crate::alloc::Usage;

use super::TaskKey;

/// The counts; see the module docs.
#[derive(Default)]
pub(super) struct Usages {
    /// By slot index: the generation charged under, and the total.
    by_slot: Vec<(u32, Usage)>,
    /// `block_on`'s future, under its generation.
    main: (u32, Usage),
}

impl Usages {
    /// What task `key` allocated so far (zero if never charged).
    pub(super) fn get(&self, key: TaskKey) -> Usage {
        let (generation, usage) = if key.is_main() {
            self.main
        } else {
            match self.by_slot.get(key.index as usize) {
                Some(&counted) => counted,
                None => return Usage::default(),
            }
        };
        if generation == key.generation {
            usage
        } else {
            Usage::default()
        }
    }

    /// Adds `usage` to task `key`; its total since spawn.
    pub(super) fn charge(&mut self, key: TaskKey, usage: Usage) -> Usage {
        let counted = if key.is_main() {
            &mut self.main
        } else {
            let index = key.index as usize;
            if index >= self.by_slot.len() {
                // Generation 0 is never a live task's (a slot's first
                // occupant has 1), so the new counts read as stale.
                self.by_slot.resize(index + 1, (0, Usage::default()));
            }
            &mut self.by_slot[index]
        };
        if counted.0 != key.generation {
            *counted = (key.generation, Usage::default());
        }
        counted.1 += usage;
        counted.1
    }

    /// Forgets every count (the table is cleared).
    pub(super) fn clear(&mut self) {
        self.by_slot.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(index: u32, generation: u32) -> TaskKey {
        TaskKey { index, generation }
    }

    fn usage(bytes: u64) -> Usage {
        Usage {
            bytes,
            allocations: 1,
        }
    }

    #[test]
    fn a_slot_s_next_occupant_starts_from_zero() {
        let mut usages = Usages::default();
        assert_eq!(usages.get(key(3, 1)).bytes, 0);
        usages.charge(key(3, 1), usage(10));
        assert_eq!(usages.charge(key(3, 1), usage(5)).bytes, 15);
        assert_eq!(usages.get(key(3, 1)).allocations, 2);
        assert_eq!(usages.get(key(3, 2)).bytes, 0, "a new occupant");
        assert_eq!(usages.charge(key(3, 2), usage(1)).bytes, 1);
        assert_eq!(usages.get(key(0, 1)).bytes, 0, "never charged");
        assert_eq!(usages.charge(key(super::super::MAIN, 1), usage(7)).bytes, 7);
        assert_eq!(usages.get(key(super::super::MAIN, 2)).bytes, 0);
        usages.clear();
        assert_eq!(usages.get(key(3, 2)).bytes, 0);
    }
}
