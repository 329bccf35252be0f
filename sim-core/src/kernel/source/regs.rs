//! A source's registrations: one slot each, found by the key a
//! [`Registration`](super::Registration) holds.
//!
//! Idle connections add up (two sources each, two registrations per
//! source: an `IoSource`'s reader and writer), so the first two slots are
//! kept inline in the source's state and only a third registration moves
//! them to a `Vec`. A dropped registration's slot is found by a scan and
//! reused, rather than kept on a free list.

use std::task::Waker;

use crate::kernel::{Interest, Readiness, Trigger};

/// Slots kept inline, in the source's own allocation.
const INLINE: usize = 2;

/// One subscription's state.
pub(super) struct Reg {
    /// Private, so only [`Reg::set_interest`] changes it, and `mask`
    /// with it.
    interest: Interest,
    /// `interest.mask()`, kept so a change delivered to the source does
    /// not rebuild it per registration (it fills padding).
    mask: Readiness,
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
    /// A new armed registration with nothing reported yet but `pending`.
    pub(super) fn new(interest: Interest, trigger: Trigger, pending: Readiness) -> Reg {
        Reg {
            interest,
            mask: interest.mask(),
            trigger,
            armed: true,
            pending,
            waker: None,
            spurious_last: false,
        }
    }

    /// What the registration is interested in.
    pub(super) fn interest(&self) -> Interest {
        self.interest
    }

    /// What readiness `interest` covers: [`Interest::mask`].
    #[inline]
    pub(super) fn mask(&self) -> Readiness {
        self.mask
    }

    /// Changes the interest (`EPOLL_CTL_MOD`).
    pub(super) fn set_interest(&mut self, interest: Interest) {
        self.interest = interest;
        self.mask = interest.mask();
    }

    /// A change of the source's state to `state`, with `edges` the bits
    /// that rose or arrived: an edge registration keeps the events it
    /// listens to; the waker is handed back if the change is reported.
    #[inline(always)]
    pub(super) fn notify(&mut self, edges: Readiness, state: Readiness) -> Option<Waker> {
        if self.trigger == Trigger::Edge {
            self.pending |= edges & self.mask;
        }
        if self.ready(state).is_empty() {
            return None;
        }
        self.waker.take()
    }

    /// What `poll_ready` would report now, without consuming anything.
    #[inline]
    pub(super) fn ready(&self, state: Readiness) -> Readiness {
        let mask = self.mask;
        match self.trigger {
            Trigger::Level => state & mask,
            Trigger::Edge => self.pending & mask,
            Trigger::OneShot if self.armed => state & mask,
            Trigger::OneShot => Readiness::EMPTY,
        }
    }
}

/// The slots, indexed by key: `None` is a dropped registration's slot,
/// reused by the next. Inline while two suffice; a third registration
/// moves them to a `Vec`, keeping their keys. Either way one slice, which
/// the delivery path walks as it walked the `Vec` before.
pub(super) enum Regs {
    Inline([Option<Reg>; INLINE]),
    Spilled(Vec<Option<Reg>>),
}

impl Default for Regs {
    fn default() -> Regs {
        Regs::Inline([None, None])
    }
}

impl Regs {
    /// Every slot, in key order.
    #[inline]
    fn slots(&self) -> &[Option<Reg>] {
        match self {
            Regs::Inline(slots) => slots,
            Regs::Spilled(slots) => slots,
        }
    }

    /// Every slot, in key order.
    #[inline]
    pub(super) fn slots_mut(&mut self) -> &mut [Option<Reg>] {
        match self {
            Regs::Inline(slots) => slots,
            Regs::Spilled(slots) => slots,
        }
    }

    /// Puts `reg` in the first free slot; returns its key.
    pub(super) fn insert(&mut self, reg: Reg) -> usize {
        let slots = self.slots_mut();
        if let Some(k) = slots.iter().position(Option::is_none) {
            slots[k] = Some(reg);
            return k;
        }
        if let Regs::Inline(inline) = self {
            let spilled: Vec<Option<Reg>> = inline.iter_mut().map(Option::take).collect();
            *self = Regs::Spilled(spilled);
        }
        let Regs::Spilled(slots) = self else {
            unreachable!("spilled above");
        };
        slots.push(Some(reg));
        slots.len() - 1
    }

    /// The live registration of `key`.
    #[inline]
    pub(super) fn get_mut(&mut self, key: usize) -> Option<&mut Reg> {
        self.slots_mut().get_mut(key)?.as_mut()
    }

    /// The live registration of `key`.
    pub(super) fn get(&self, key: usize) -> Option<&Reg> {
        self.slots().get(key)?.as_ref()
    }

    /// Empties the slot of `key`, returning what it held.
    pub(super) fn take(&mut self, key: usize) -> Option<Reg> {
        self.slots_mut().get_mut(key)?.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(interest: Interest) -> Reg {
        Reg::new(interest, Trigger::Level, Readiness::EMPTY)
    }

    #[test]
    fn a_third_registration_spills_keeping_keys_and_free_slots_are_reused() {
        let mut regs = Regs::default();
        assert_eq!(regs.insert(reg(Interest::READABLE)), 0);
        assert_eq!(regs.insert(reg(Interest::WRITABLE)), 1);
        assert!(matches!(regs, Regs::Inline(_)));
        assert_eq!(regs.insert(reg(Interest::READABLE)), 2);
        assert!(matches!(regs, Regs::Spilled(_)));
        assert_eq!(regs.get(1).unwrap().interest, Interest::WRITABLE);
        assert!(regs.take(1).is_some());
        assert!(regs.get(1).is_none() && regs.get_mut(1).is_none() && regs.take(9).is_none());
        // The lowest free slot is reused.
        assert_eq!(regs.insert(reg(Interest::WRITABLE)), 1);
        assert_eq!(regs.insert(reg(Interest::WRITABLE)), 3);
        let interests: Vec<Interest> = (0..4).map(|k| regs.get(k).unwrap().interest).collect();
        assert_eq!(
            interests,
            [
                Interest::READABLE,
                Interest::WRITABLE,
                Interest::READABLE,
                Interest::WRITABLE
            ]
        );
        // Two inline slots, the spilled Vec laid out around their niche:
        // 48 bytes.
        assert_eq!(std::mem::size_of::<Regs>(), 48);
    }
}
