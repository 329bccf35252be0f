//! The task table's storage: a slot per task index, each with the
//! generation that makes stale keys harmless, and the free list.
//!
//! Slots live in chunks of [`CHUNK`] that never move: a spawn never
//! copies the table, however many tasks are alive (a flat vector copied
//! every slot each time it doubled, which at 10k tasks cost more per
//! spawn than the rest of the table's work). A chunk is a vector made
//! with room for all its slots and filled one reserved index at a time,
//! so it never reallocates, and a runtime with a few tasks neither writes
//! nor walks nor drops the rest of its first chunk (a fresh simulation per
//! seed would pay for all of them at every teardown). A lookup is a
//! shift, a mask and two bounds checks. Iteration is in index order, as
//! it was, so whatever walks the table (scheduling-fault targets, a
//! node's tasks) sees the same order.

use std::ops::{Index, IndexMut};

use super::{Entry, MAIN, TaskKey};

/// Slots per chunk (a power of two: an index splits with a shift and a
/// mask).
const CHUNK_BITS: u32 = 8;
const CHUNK: usize = 1 << CHUNK_BITS;
const MASK: u32 = (1 << CHUNK_BITS) - 1;

/// One index of the table: its current generation and the task, if any.
pub(super) struct Slot {
    pub(super) generation: u32,
    pub(super) entry: Option<Entry>,
}

/// The slots and the indices free for reuse.
pub(super) struct Slab {
    /// Each made with capacity [`CHUNK`] and never pushed past it.
    chunks: Vec<Vec<Slot>>,
    /// Indices handed out so far: the next new slot's.
    len: u32,
    free: Vec<u32>,
}

impl Slab {
    pub(super) fn new() -> Slab {
        Slab {
            chunks: Vec::new(),
            len: 0,
            free: Vec::new(),
        }
    }

    /// The slot at `index`, if that index was ever reserved.
    #[inline]
    pub(super) fn get(&self, index: u32) -> Option<&Slot> {
        let chunk = self.chunks.get((index >> CHUNK_BITS) as usize)?;
        chunk.get((index & MASK) as usize)
    }

    /// The slot at `index`, mutably, if that index was ever reserved.
    #[inline]
    pub(super) fn get_mut(&mut self, index: u32) -> Option<&mut Slot> {
        let chunk = self.chunks.get_mut((index >> CHUNK_BITS) as usize)?;
        chunk.get_mut((index & MASK) as usize)
    }

    /// Takes an index for a new task (a freed one first, most recently
    /// freed first) and moves its generation on; the slot stays empty.
    pub(super) fn reserve(&mut self) -> TaskKey {
        let index = match self.free.pop() {
            Some(i) => i,
            None => self.push_slot(),
        };
        let slot = &mut self[index];
        slot.generation = slot.generation.wrapping_add(1);
        TaskKey {
            index,
            generation: slot.generation,
        }
    }

    /// Takes the next never-used index, adding a chunk when it needs one.
    fn push_slot(&mut self) -> u32 {
        let index = self.len;
        assert!(index != MAIN, "detsim: more than 4 billion live tasks");
        if (index >> CHUNK_BITS) as usize == self.chunks.len() {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let chunk = self
            .chunks
            .last_mut()
            .expect("the index's chunk was just made");
        // Within the capacity it was made with: the chunk never moves.
        debug_assert!(chunk.len() < CHUNK);
        chunk.push(Slot {
            generation: 0,
            entry: None,
        });
        self.len += 1;
        index
    }

    /// Makes `index` free for reuse (its slot is empty).
    #[inline]
    pub(super) fn release(&mut self, index: u32) {
        self.free.push(index);
    }

    /// Every slot, in index order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// Every slot, mutably, in index order.
    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Slot> {
        self.chunks.iter_mut().flat_map(|c| c.iter_mut())
    }

    /// Forgets every slot and free index.
    pub(super) fn clear(&mut self) {
        self.chunks.clear();
        self.len = 0;
        self.free.clear();
    }
}

impl Index<u32> for Slab {
    type Output = Slot;

    /// # Panics
    ///
    /// If the table never had a slot at `index`.
    #[inline]
    fn index(&self, index: u32) -> &Slot {
        &self.chunks[(index >> CHUNK_BITS) as usize][(index & MASK) as usize]
    }
}

impl IndexMut<u32> for Slab {
    #[inline]
    fn index_mut(&mut self, index: u32) -> &mut Slot {
        &mut self.chunks[(index >> CHUNK_BITS) as usize][(index & MASK) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_cross_chunks_in_order_and_are_reused_last_freed_first() {
        let mut slab = Slab::new();
        let keys: Vec<TaskKey> = (0..CHUNK * 2 + 3).map(|_| slab.reserve()).collect();
        let indices: Vec<u32> = keys.iter().map(|k| k.index).collect();
        assert_eq!(indices, (0..(CHUNK * 2 + 3) as u32).collect::<Vec<_>>());
        assert_eq!(slab.chunks.len(), 3);
        assert!(slab.get(CHUNK as u32 * 2 + 2).is_some());
        // Never reserved: past the last chunk, or inside it.
        assert!(slab.get(CHUNK as u32 * 3).is_none());
        assert!(slab.get(CHUNK as u32 * 2 + 3).is_none());
        // A walk sees the reserved slots only, and no chunk grew.
        assert_eq!(slab.iter().count(), CHUNK * 2 + 3);
        assert!(slab.iter().all(|s| s.generation > 0));
        assert!(slab.chunks.iter().all(|c| c.capacity() == CHUNK));
        slab.release(CHUNK as u32 + 1);
        slab.release(5);
        let again = slab.reserve();
        assert_eq!((again.index, again.generation), (5, 2));
        let again = slab.reserve();
        assert_eq!((again.index, again.generation), (CHUNK as u32 + 1, 2));
        assert_eq!(slab.reserve().index, CHUNK as u32 * 2 + 3);
        slab.clear();
        assert_eq!(slab.iter().count(), 0);
        assert_eq!(slab.reserve().index, 0);
    }
}
