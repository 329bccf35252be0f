//! The run queue: the keys of runnable tasks, oldest first, in a ring
//! whose length is a power of two.
//!
//! It replaces a `VecDeque`, whose index arithmetic wraps with a compare
//! and a subtraction at every push and pop (its capacity need not be a
//! power of two). Here a position is `(head + i) & mask`, and a pick of
//! the only runnable task (the common case of a wake-driven run) empties
//! the ring by resetting two words. Every operation keeps the order a
//! `VecDeque` keeps, so a seeded pick sees the same queue as before and
//! draws the same choices.

use std::ops::Index;

use crate::runtime::waker::RawKey;

/// Slots of a new queue (a power of two).
const FIRST_LEN: usize = 16;

/// The queue; see the module docs.
pub(crate) struct RunQueue {
    /// The ring: its length is a nonzero power of two and never shrinks.
    slots: Box<[RawKey]>,
    /// `slots.len() - 1`.
    mask: usize,
    /// Where the oldest key is.
    head: usize,
    /// How many keys are queued (at most `slots.len()`).
    len: usize,
}

impl RunQueue {
    /// An empty queue.
    pub(crate) fn new() -> RunQueue {
        RunQueue {
            slots: vec![0; FIRST_LEN].into_boxed_slice(),
            mask: FIRST_LEN - 1,
            head: 0,
            len: 0,
        }
    }

    /// How many keys are queued.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The ring position of the `i`th key: always inside the ring.
    #[inline(always)]
    fn at(&self, i: usize) -> usize {
        (self.head + i) & self.mask
    }

    /// The key in ring position `at` (from [`RunQueue::at`]).
    #[inline(always)]
    fn read(&self, at: usize) -> RawKey {
        debug_assert!(at < self.slots.len());
        // SAFETY: `at` is masked by `mask`, which is the ring's length
        // minus one, a power of two (`new` and `grow` keep both), so it is
        // below the length. Unchecked: the compiler cannot see that, and
        // its check cost two instructions per push and pop.
        unsafe { *self.slots.get_unchecked(at) }
    }

    /// Stores `key` in ring position `at` (from [`RunQueue::at`]).
    #[inline(always)]
    fn write(&mut self, at: usize, key: RawKey) {
        debug_assert!(at < self.slots.len());
        // SAFETY: as in `read`: a masked position is inside the ring.
        unsafe { *self.slots.get_unchecked_mut(at) = key };
    }

    /// Queues `key` last.
    #[inline(always)]
    pub(crate) fn push_back(&mut self, key: RawKey) {
        if self.len == self.slots.len() {
            self.grow();
        }
        let at = self.at(self.len);
        self.write(at, key);
        self.len += 1;
    }

    /// Doubles the ring, its keys moved to the front in queue order.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let mut slots = vec![0; self.slots.len() * 2].into_boxed_slice();
        for (i, slot) in slots.iter_mut().take(self.len).enumerate() {
            *slot = self.read(self.at(i));
        }
        self.mask = slots.len() - 1;
        self.slots = slots;
        self.head = 0;
    }

    /// The oldest key, if any, without taking it.
    #[inline(always)]
    pub(crate) fn front(&self) -> Option<RawKey> {
        (self.len > 0).then(|| self.read(self.head))
    }

    /// Takes the oldest key.
    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<RawKey> {
        if self.len == 0 {
            return None;
        }
        let key = self.read(self.head);
        self.head = self.at(1);
        self.len -= 1;
        Some(key)
    }

    /// Empties the queue (its ring stays).
    #[inline(always)]
    pub(crate) fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }

    /// The `i`th key from the oldest, if there is one.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<RawKey> {
        (i < self.len).then(|| self.read(self.at(i)))
    }

    /// Takes the `i`th key; the newest takes its place (as
    /// `VecDeque::swap_remove_back`).
    pub(crate) fn swap_remove_back(&mut self, i: usize) -> Option<RawKey> {
        if i >= self.len {
            return None;
        }
        let at = self.at(i);
        let key = self.read(at);
        let last = self.read(self.at(self.len - 1));
        self.write(at, last);
        self.len -= 1;
        Some(key)
    }

    /// Takes the `i`th key; the oldest takes its place (as
    /// `VecDeque::swap_remove_front`).
    pub(crate) fn swap_remove_front(&mut self, i: usize) -> Option<RawKey> {
        if i >= self.len {
            return None;
        }
        let at = self.at(i);
        let key = self.read(at);
        let first = self.read(self.head);
        self.write(at, first);
        self.head = self.at(1);
        self.len -= 1;
        Some(key)
    }

    /// Takes the `i`th key; the keys after it move up one place, in order
    /// (as `VecDeque::remove`).
    pub(crate) fn remove(&mut self, i: usize) -> Option<RawKey> {
        if i >= self.len {
            return None;
        }
        let key = self.read(self.at(i));
        for j in i..self.len - 1 {
            let next = self.read(self.at(j + 1));
            self.write(self.at(j), next);
        }
        self.len -= 1;
        Some(key)
    }

    /// The keys, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &RawKey> {
        (0..self.len).map(move |i| &self.slots[self.at(i)])
    }
}

impl Extend<RawKey> for RunQueue {
    fn extend<I: IntoIterator<Item = RawKey>>(&mut self, keys: I) {
        for key in keys {
            self.push_back(key);
        }
    }
}

impl FromIterator<RawKey> for RunQueue {
    fn from_iter<I: IntoIterator<Item = RawKey>>(keys: I) -> RunQueue {
        let mut queue = RunQueue::new();
        queue.extend(keys);
        queue
    }
}

impl Index<usize> for RunQueue {
    type Output = RawKey;

    /// # Panics
    ///
    /// Unless `i` is below the length.
    fn index(&self, i: usize) -> &RawKey {
        assert!(i < self.len, "run queue index {i} out of {}", self.len);
        &self.slots[self.at(i)]
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    /// A small deterministic stream (xorshift) for the model test.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Every operation, at random and across growth and wrap-around, gives
    /// what a `VecDeque` gives (the order a seeded pick relies on).
    #[test]
    fn the_ring_behaves_as_a_vec_deque() {
        let mut state = 0x9e37_79b9_7f4a_7c15;
        let mut ring = RunQueue::new();
        let mut model = VecDeque::new();
        let steps = if cfg!(miri) { 2_000 } else { 20_000 };
        for step in 0..steps {
            let r = next(&mut state);
            let i = (r >> 32) as usize % (model.len() + 2);
            match r % 10 {
                0..=3 => {
                    ring.push_back(step);
                    model.push_back(step);
                }
                4 => assert_eq!(ring.pop_front(), model.pop_front()),
                5 => assert_eq!(ring.swap_remove_back(i), model.swap_remove_back(i)),
                6 => assert_eq!(ring.swap_remove_front(i), model.swap_remove_front(i)),
                7 => assert_eq!(ring.remove(i), model.remove(i)),
                8 if r % 97 == 0 => {
                    ring.clear();
                    model.clear();
                }
                _ => {
                    assert_eq!(ring.get(i), model.get(i).copied());
                    assert_eq!(ring.front(), model.front().copied());
                }
            }
            assert_eq!(ring.len(), model.len());
            assert!(ring.iter().eq(model.iter()));
        }
        let collected: RunQueue = (0..40).collect();
        assert_eq!(collected[39], 39);
        assert!(collected.iter().copied().eq(0..40));
    }
}
