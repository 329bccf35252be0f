//! [`Watchers`]: the descriptors registered with the OS kernel's epoll, by
//! the token epoll hands back with each of their events.
//!
//! Every `epoll_wait` looks up the source of each event it returns: on a
//! loopback request/response, one lookup per message. The token is the
//! watcher's slot in a slab (and the slot's generation), so that lookup is
//! an index and a compare, touching one slab entry, where a map keyed by
//! source id walked a tree node's keys and then its values (two to three
//! cache lines the syscalls have just evicted, on every park).
//!
//! The generation guards one case: an event already copied out of epoll for
//! a descriptor that a waker deregistered (and maybe a new descriptor took
//! its slot) while the same batch of events was being reported. The stale
//! token then names an older generation and finds nothing.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use crate::kernel::source::SourceInner;

/// A registered descriptor's epoll token: its slot in the low 32 bits, the
/// slot's generation in the high 32. Generations never reach `u32::MAX`,
/// so tokens from `u32::MAX << 32` up are left for the kernel's own
/// descriptors (its wake eventfd, the file ring's eventfd).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FdToken(u64);

impl FdToken {
    /// The value epoll carries.
    pub(crate) fn as_u64(self) -> u64 {
        self.0
    }

    fn new(slot: u32, generation: u32) -> FdToken {
        FdToken(u64::from(generation) << 32 | u64::from(slot))
    }

    fn slot(self) -> usize {
        (self.0 & u64::from(u32::MAX)) as usize
    }

    fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

/// The lowest token reserved for the kernel's own descriptors.
pub(super) const FIRST_RESERVED_TOKEN: u64 = (u32::MAX as u64) << 32;

/// A registered descriptor: the source its events go to.
pub(super) struct Watched {
    pub(super) source: Weak<SourceInner>,
    /// A stream socket's: see [`OsKernel::urgent_flag`](super::OsKernel::urgent_flag).
    pub(super) urgent: Option<Rc<Cell<bool>>>,
}

struct Slot {
    generation: u32,
    watched: Option<Watched>,
}

/// The registered descriptors. A slot freed by a deregistration is reused
/// by the next registration, under the next generation; the slab is as
/// large as the most descriptors ever registered at once.
#[derive(Default)]
pub(super) struct Watchers {
    slots: Vec<Slot>,
    /// Free slots, the last freed first.
    free: Vec<u32>,
}

impl Watchers {
    /// Adds `watched`; its events must carry the returned token.
    pub(super) fn insert(&mut self, watched: Watched) -> FdToken {
        if let Some(slot) = self.free.pop() {
            let entry = &mut self.slots[slot as usize];
            debug_assert!(entry.watched.is_none(), "a free slot is empty");
            entry.watched = Some(watched);
            return FdToken::new(slot, entry.generation);
        }
        let slot = u32::try_from(self.slots.len())
            .ok()
            .filter(|&slot| slot < u32::MAX)
            .expect("fewer than 2^32 - 1 descriptors registered at once");
        self.slots.push(Slot {
            generation: 0,
            watched: Some(watched),
        });
        FdToken::new(slot, 0)
    }

    /// The descriptor `token` names, if it is still registered.
    #[inline]
    pub(super) fn get(&self, token: u64) -> Option<&Watched> {
        let token = FdToken(token);
        let entry = self.slots.get(token.slot())?;
        if entry.generation != token.generation() {
            return None;
        }
        entry.watched.as_ref()
    }

    /// [`Watchers::get`], to change it.
    pub(super) fn get_mut(&mut self, token: FdToken) -> Option<&mut Watched> {
        let entry = self.slots.get_mut(token.slot())?;
        if entry.generation != token.generation() {
            return None;
        }
        entry.watched.as_mut()
    }

    /// Forgets the descriptor `token` names: its slot's later events find
    /// nothing, and the slot goes to a later registration under the next
    /// generation.
    pub(super) fn remove(&mut self, token: FdToken) -> Option<Watched> {
        let slot = token.slot();
        let entry = self.slots.get_mut(slot)?;
        if entry.generation != token.generation() {
            return None;
        }
        let watched = entry.watched.take()?;
        // Wraps before `u32::MAX`, which only reserved tokens carry.
        entry.generation = (entry.generation + 1) % u32::MAX;
        self.free.push(slot as u32);
        Some(watched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched() -> Watched {
        Watched {
            source: Weak::new(),
            urgent: None,
        }
    }

    #[test]
    fn a_stale_token_finds_nothing_after_its_slot_is_reused() {
        let mut watchers = Watchers::default();
        let first = watchers.insert(watched());
        assert!(watchers.get(first.as_u64()).is_some());
        assert!(watchers.remove(first).is_some());
        assert!(watchers.get(first.as_u64()).is_none(), "removed");
        let second = watchers.insert(watched());
        assert_eq!(second.slot(), first.slot(), "the slot is reused");
        assert_ne!(second, first, "under a new generation");
        assert!(watchers.get(first.as_u64()).is_none(), "the stale token");
        assert!(
            watchers.remove(first).is_none(),
            "cannot remove the new one"
        );
        assert!(watchers.get(second.as_u64()).is_some());
    }

    #[test]
    fn tokens_never_reach_the_reserved_range() {
        let mut watchers = Watchers::default();
        let token = watchers.insert(watched());
        // Jump to the last generation a slot may have.
        watchers.slots[token.slot()].generation = u32::MAX - 1;
        let last = FdToken::new(token.slot() as u32, u32::MAX - 1);
        assert!(last.as_u64() < FIRST_RESERVED_TOKEN);
        assert!(watchers.remove(last).is_some());
        let wrapped = watchers.insert(watched());
        assert_eq!(wrapped.generation(), 0, "wraps before u32::MAX");
        assert!(wrapped.as_u64() < FIRST_RESERVED_TOKEN);
    }

    #[test]
    fn a_token_outside_the_slab_finds_nothing() {
        let mut watchers = Watchers::default();
        assert!(watchers.get(7).is_none());
        assert!(watchers.get(u64::MAX).is_none());
        assert!(watchers.remove(FdToken(7)).is_none());
    }
}
