//! [`Due`]: the entries of the [`Wheel`](super::wheel::Wheel) at or before
//! its cursor, earliest first out.
//!
//! They come two ways. A slot of few entries that is the earliest becomes
//! due whole: it is sorted once into the *run*, earliest last, and each
//! pop is a `Vec::pop`. Entries placed one at a time (the many keys of a
//! big slot at the cursor's instant, or one inserted behind the cursor)
//! go to a binary heap, where ties at one instant of any number sort in
//! `O(log n)` each. The first out is the earlier of the two fronts, so the
//! order is the entries' key order whichever way they came.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The due entries; see the module docs.
pub(crate) struct Due<E> {
    /// Sorted, earliest last.
    run: Vec<E>,
    heap: BinaryHeap<Reverse<E>>,
}

impl<E: Ord + Copy> Default for Due<E> {
    fn default() -> Self {
        Due {
            run: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }
}

impl<E: Ord + Copy> Due<E> {
    /// Whether no entry is due.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.run.is_empty() && self.heap.is_empty()
    }

    /// Entries due.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.run.len() + self.heap.len()
    }

    /// The earliest due entry.
    #[inline]
    pub(crate) fn first(&self) -> Option<E> {
        match (self.run.last(), self.heap.peek()) {
            (Some(&r), Some(&Reverse(h))) => Some(r.min(h)),
            (Some(&r), None) => Some(r),
            (None, Some(&Reverse(h))) => Some(h),
            (None, None) => None,
        }
    }

    /// Removes the earliest due entry.
    #[inline]
    pub(crate) fn pop_first(&mut self) {
        match (self.run.last(), self.heap.peek()) {
            (Some(r), Some(Reverse(h))) if h < r => {
                self.heap.pop();
            }
            (Some(_), _) => {
                self.run.pop();
            }
            (None, _) => {
                self.heap.pop();
            }
        }
    }

    /// Adds one entry.
    #[inline]
    pub(crate) fn push(&mut self, entry: E) {
        self.heap.push(Reverse(entry));
    }

    /// Makes every entry of `slot` due, leaving it empty (with the room
    /// the run had); there must be none due. Returns the latest.
    pub(crate) fn take_run(&mut self, slot: &mut Vec<E>) -> Option<E> {
        debug_assert!(self.is_empty());
        std::mem::swap(&mut self.run, slot);
        self.run.sort_unstable_by(|a, b| b.cmp(a));
        self.run.first().copied()
    }

    /// The run's entries, earliest last.
    pub(crate) fn run(&self) -> &[E] {
        &self.run
    }

    /// Keeps the entries `live` says to, in their order.
    pub(crate) fn retain(&mut self, mut live: impl FnMut(&E) -> bool) {
        self.run.retain(&mut live);
        self.heap.retain(|Reverse(e)| live(e));
    }
}
