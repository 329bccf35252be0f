//! FIFO permit accounting: the core of `Semaphore`, `Mutex`, `RwLock` and
//! the bounded `mpsc` channel's capacity, kept under its owner's lock.
//!
//! Waiters are served strictly in arrival order (the order in which their
//! futures were first polled without enough permits). Released permits go
//! to the oldest waiter first, even if a later one needs fewer: a waiter
//! for many permits is never starved by a stream of small ones, and no
//! newcomer may take permits while anyone waits (no barging). Permits are
//! handed to a waiter at release time, partly if it needs more than are
//! free, so a waiter whose future is dropped gives back exactly what it
//! was given, and a grant made to a future that is then dropped is passed
//! on rather than lost.
//!
//! States of a waiter, by key:
//! - queued (in `queue`): some permits may be assigned, not all;
//! - granted (in `granted`): all assigned; its future has been woken and
//!   takes them at its next poll;
//! - gone (in neither): taken, cancelled, or removed by `close` (a poll
//!   then reports the semaphore closed).

use std::collections::BTreeMap;
use std::task::{Poll, Waker};

use crate::sync::stamp::Stamp;

/// The most permits a semaphore may hold, as in tokio.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> 3;

/// Wakers to wake once the owner's lock is released (waking is user code
/// as far as this module knows).
pub(crate) type Wakers = Vec<Waker>;

/// Wakes `wakers` in order; call with no lock held.
pub(crate) fn wake_all(wakers: Wakers) {
    for w in wakers {
        w.wake();
    }
}

/// A waiter not yet fully served.
pub(crate) struct Waiter {
    needed: usize,
    assigned: usize,
    waker: Option<Waker>,
    /// Who waits, where it called, since when.
    pub(crate) stamp: Stamp,
}

/// The permit count and its FIFO waiters; see the module docs.
pub(crate) struct Permits {
    available: usize,
    closed: bool,
    queue: BTreeMap<u64, Waiter>,
    granted: BTreeMap<u64, usize>,
    next_key: u64,
}

/// Why a permit could not be taken at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotNow {
    Closed,
    NoPermits,
}

impl Permits {
    /// `n` permits, nobody waiting.
    ///
    /// # Panics
    ///
    /// If `n` exceeds [`MAX_PERMITS`].
    pub(crate) fn new(n: usize) -> Permits {
        assert!(
            n <= MAX_PERMITS,
            "a semaphore may not have more than MAX_PERMITS permits ({MAX_PERMITS})"
        );
        Permits {
            available: n,
            closed: false,
            queue: BTreeMap::new(),
            granted: BTreeMap::new(),
            next_key: 0,
        }
    }

    pub(crate) fn available(&self) -> usize {
        self.available
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// The waiters not yet served, oldest first.
    pub(crate) fn queued(&self) -> impl Iterator<Item = &Waiter> {
        self.queue.values()
    }

    /// Takes `n` permits now, if nobody waits and enough are free.
    pub(crate) fn try_take(&mut self, n: usize) -> Result<(), NotNow> {
        if self.closed {
            return Err(NotNow::Closed);
        }
        if n > 0 && (!self.queue.is_empty() || self.available < n) {
            return Err(NotNow::NoPermits);
        }
        self.available -= n;
        Ok(())
    }

    /// Polls the waiter `key` (`None` before its first wait) for `n`
    /// permits. `Ready(Ok)` means they are the caller's; the second value
    /// is a replaced waker, to drop with no lock held.
    pub(crate) fn poll(
        &mut self,
        key: &mut Option<u64>,
        n: usize,
        waker: &Waker,
        stamp: impl FnOnce() -> Stamp,
    ) -> (Poll<Result<(), NotNow>>, Option<Waker>) {
        let Some(k) = *key else {
            match self.try_take(n) {
                Err(NotNow::NoPermits) => {}
                done => return (Poll::Ready(done), None),
            }
            let k = self.next_key;
            self.next_key += 1;
            // The first in line takes what is free now; later ones take
            // nothing until everyone before them is served.
            let assigned = if self.queue.is_empty() {
                std::mem::take(&mut self.available)
            } else {
                0
            };
            let _untracked = crate::alloc::Untracked::new();
            self.queue.insert(
                k,
                Waiter {
                    needed: n,
                    assigned,
                    waker: Some(waker.clone()),
                    stamp: stamp(),
                },
            );
            *key = Some(k);
            return (Poll::Pending, None);
        };
        if self.granted.remove(&k).is_some() {
            *key = None;
            return (Poll::Ready(Ok(())), None);
        }
        match self.queue.get_mut(&k) {
            Some(w) => {
                let old = match &w.waker {
                    Some(old) if old.will_wake(waker) => None,
                    _ => w.waker.replace(waker.clone()),
                };
                (Poll::Pending, old)
            }
            None => {
                *key = None;
                (Poll::Ready(Err(NotNow::Closed)), None)
            }
        }
    }

    /// The future of waiter `key` was dropped: what it was given goes to
    /// the next waiters. Returns its waker, to drop with no lock held.
    pub(crate) fn cancel(&mut self, key: u64, wakers: &mut Wakers) -> Option<Waker> {
        let (back, waker) = if let Some(n) = self.granted.remove(&key) {
            (n, None)
        } else if let Some(w) = self.queue.remove(&key) {
            (w.assigned, w.waker)
        } else {
            (0, None)
        };
        self.release(back, wakers);
        waker
    }

    /// Returns `n` permits: to the waiters in order, then to the pool.
    ///
    /// # Panics
    ///
    /// If the pool would exceed [`MAX_PERMITS`].
    pub(crate) fn release(&mut self, n: usize, wakers: &mut Wakers) {
        let mut free = n;
        while free > 0 {
            let Some(mut entry) = self.queue.first_entry() else {
                break;
            };
            let w = entry.get_mut();
            let give = free.min(w.needed - w.assigned);
            w.assigned += give;
            free -= give;
            if w.assigned < w.needed {
                break;
            }
            let (k, w) = entry.remove_entry();
            let _untracked = crate::alloc::Untracked::new();
            self.granted.insert(k, w.needed);
            wakers.extend(w.waker);
        }
        assert!(
            self.available.saturating_add(free) <= MAX_PERMITS,
            "a semaphore may not have more than MAX_PERMITS permits ({MAX_PERMITS})"
        );
        self.available += free;
    }

    /// Removes up to `n` free permits; returns how many.
    pub(crate) fn forget(&mut self, n: usize) -> usize {
        let gone = n.min(self.available);
        self.available -= gone;
        gone
    }

    /// Closes: every queued waiter fails, and later acquisitions too.
    /// Waiters already granted still get their permits.
    pub(crate) fn close(&mut self, wakers: &mut Wakers) {
        self.closed = true;
        for (_, w) in std::mem::take(&mut self.queue) {
            self.available += w.assigned;
            wakers.extend(w.waker);
        }
    }
}
