//! The task table's storage: a slot per task index, each with the
//! generation that makes stale keys harmless, and the free list.
//!
//! Slots live in fixed chunks of [`CHUNK`] that never move: a spawn never
//! copies the table, however many tasks are alive (a flat vector copied
//! every slot each time it doubled, which at 10k tasks cost more per
//! spawn than the rest of the table's work). A chunk is made whole, its
//! slots empty, so a lookup is a shift, a mask and one bounds check (of
//! the chunk list; a masked index is always inside its chunk). Iteration
//! is in index order, as it was, so whatever walks the table
//! (scheduling-fault targets, a node's tasks) sees the same order, and
//! stops at the last index reserved: a runtime with a few tasks (a fresh
//! simulation per seed) does not walk the rest of its first chunk at
//! every teardown.

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
    chunks: Vec<Box<[Slot; CHUNK]>>,
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

    /// The slot at `index`, if its chunk exists (a slot never reserved is
    /// empty, with generation 0).
    #[inline]
    pub(super) fn get(&self, index: u32) -> Option<&Slot> {
        let chunk = self.chunks.get((index >> CHUNK_BITS) as usize)?;
        Some(&chunk[(index & MASK) as usize])
    }

    /// The slot at `index`, mutably, if its chunk exists.
    #[inline]
    pub(super) fn get_mut(&mut self, index: u32) -> Option<&mut Slot> {
        let chunk = self.chunks.get_mut((index >> CHUNK_BITS) as usize)?;
        Some(&mut chunk[(index & MASK) as usize])
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
            self.chunks.push(empty_chunk());
        }
        self.len += 1;
        index
    }

    /// Makes `index` free for reuse (its slot is empty).
    #[inline]
    pub(super) fn release(&mut self, index: u32) {
        self.free.push(index);
    }

    /// Every slot ever reserved, in index order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Slot> {
        let len = self.len as usize;
        self.chunks.iter().flat_map(|c| c.iter()).take(len)
    }

    /// Every slot ever reserved, mutably, in index order.
    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Slot> {
        let len = self.len as usize;
        self.chunks.iter_mut().flat_map(|c| c.iter_mut()).take(len)
    }

    /// Forgets every slot and free index.
    pub(super) fn clear(&mut self) {
        self.chunks.clear();
        self.len = 0;
        self.free.clear();
    }
}

/// A chunk of empty slots, built in place on the heap.
fn empty_chunk() -> Box<[Slot; CHUNK]> {
    let slots: Box<[Slot]> = (0..CHUNK)
        .map(|_| Slot {
            generation: 0,
            entry: None,
        })
        .collect();
    match slots.try_into() {
        Ok(chunk) => chunk,
        Err(_) => unreachable!("CHUNK slots were collected"),
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
        assert!(slab.get(CHUNK as u32 * 3).is_none());
        // A walk sees the reserved slots only, not the rest of the chunk.
        assert_eq!(slab.iter().count(), CHUNK * 2 + 3);
        assert!(slab.iter().all(|s| s.generation > 0));
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
