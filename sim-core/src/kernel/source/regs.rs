//! A source's registrations: one slot each, found by the key a
//! [`Registration`](super::Registration) holds.
//!
//! Idle connections add up (two sources each, two registrations per
//! source: an `IoSource`'s reader and writer), so the first two slots are
//! kept inline in the source's state and only a third registration boxes
//! a `Vec` for the rest. A dropped registration's slot is found by a scan
//! and reused, rather than kept on a free list.

use std::task::Waker;

use crate::kernel::{Interest, Readiness, Trigger};

/// Slots kept inline, in the source's own allocation.
const INLINE: usize = 2;

/// One subscription's state.
pub(super) struct Reg {
    pub(super) interest: Interest,
    pub(super) trigger: Trigger,
    /// One-shot: armed until an event is reported.
    pub(super) armed: bool,
    /// Edge: events reported by changes and not yet consumed.
    pub(super) pending: Readiness,
    pub(super) waker: Option<Waker>,
    /// The last `poll_ready` returned a spurious event: do not inject two in
    /// a row, so a loop of readiness polls always ends.
    pub(super) spurious_last: bool,
}

impl Reg {
    /// What `poll_ready` would report now, without consuming anything.
    pub(super) fn ready(&self, state: Readiness) -> Readiness {
        let mask = self.interest.mask();
        match self.trigger {
            Trigger::Level => state & mask,
            Trigger::Edge => self.pending & mask,
            Trigger::OneShot if self.armed => state & mask,
            Trigger::OneShot => Readiness::EMPTY,
        }
    }
}

/// The slots: `None` is a dropped registration's slot, reused by the next.
/// Keys `0..INLINE` are inline; key `INLINE + i` is `more[i]`.
#[derive(Default)]
pub(super) struct Regs {
    inline: [Option<Reg>; INLINE],
    /// Boxed on the first registration past the inline ones: 8 bytes in
    /// every source rather than a `Vec`'s 24.
    #[allow(clippy::box_collection)] // The point: 8 bytes, not 24.
    more: Option<Box<Vec<Option<Reg>>>>,
}

impl Regs {
    /// Puts `reg` in the first free slot; returns its key.
    pub(super) fn insert(&mut self, reg: Reg) -> usize {
        if let Some(k) = self.inline.iter().position(Option::is_none) {
            self.inline[k] = Some(reg);
            return k;
        }
        let more = self.more.get_or_insert_with(Box::default);
        let k = match more.iter().position(Option::is_none) {
            Some(k) => {
                more[k] = Some(reg);
                k
            }
            None => {
                more.push(Some(reg));
                more.len() - 1
            }
        };
        INLINE + k
    }

    /// The slot of `key`, `None` once its registration was dropped.
    #[inline]
    fn slot_mut(&mut self, key: usize) -> Option<&mut Option<Reg>> {
        if key < INLINE {
            self.inline.get_mut(key)
        } else {
            self.more.as_mut()?.get_mut(key - INLINE)
        }
    }

    /// The live registration of `key`.
    #[inline]
    pub(super) fn get_mut(&mut self, key: usize) -> Option<&mut Reg> {
        self.slot_mut(key)?.as_mut()
    }

    /// The live registration of `key`.
    pub(super) fn get(&self, key: usize) -> Option<&Reg> {
        if key < INLINE {
            self.inline[key].as_ref()
        } else {
            self.more.as_ref()?.get(key - INLINE)?.as_ref()
        }
    }

    /// Empties the slot of `key`, returning what it held.
    pub(super) fn take(&mut self, key: usize) -> Option<Reg> {
        self.slot_mut(key)?.take()
    }

    /// Every live registration, in key order.
    #[inline]
    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Reg> {
        let more = self
            .more
            .as_deref_mut()
            .map_or(&mut [][..], Vec::as_mut_slice);
        self.inline.iter_mut().chain(more).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(interest: Interest) -> Reg {
        Reg {
            interest,
            trigger: Trigger::Level,
            armed: true,
            pending: Readiness::EMPTY,
            waker: None,
            spurious_last: false,
        }
    }

    #[test]
    fn slots_are_reused_inline_first_and_spill_past_two() {
        let mut regs = Regs::default();
        let keys: Vec<usize> = (0..4)
            .map(|_| regs.insert(reg(Interest::READABLE)))
            .collect();
        assert_eq!(keys, [0, 1, 2, 3]);
        assert!(regs.take(1).is_some());
        assert!(regs.take(2).is_some());
        assert!(regs.get(1).is_none() && regs.get_mut(2).is_none() && regs.take(9).is_none());
        // A freed inline slot is taken before a freed spilled one.
        assert_eq!(regs.insert(reg(Interest::WRITABLE)), 1);
        assert_eq!(regs.insert(reg(Interest::WRITABLE)), 2);
        let interests: Vec<Interest> = regs.iter_mut().map(|r| r.interest).collect();
        assert_eq!(
            interests,
            [
                Interest::READABLE,
                Interest::WRITABLE,
                Interest::WRITABLE,
                Interest::READABLE
            ]
        );
        // Two inline slots and a pointer: 56 bytes.
        assert_eq!(std::mem::size_of::<Regs>(), 56);
    }
}
