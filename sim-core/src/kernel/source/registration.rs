//! [`Registration`]: one subscription to a [`Source`], what a task polls
//! for readiness (epoll's `EPOLL_CTL_ADD`, `MOD` and `DEL` for one file
//! descriptor); the state it reads is the source's (`source/regs.rs`).

use std::fmt;
use std::task::{Context, Poll};

use super::Source;
use crate::kernel::{Interest, Readiness};

/// One subscription to a [`Source`]. Dropping it deregisters.
///
/// ```
/// use detsim::kernel::{Interest, Readiness, Source, Trigger};
/// use std::future::poll_fn;
///
/// detsim::Runtime::sim(0).block_on(async {
///     let src = Source::new("demo", Readiness::EMPTY);
///     let reg = src.register(Interest::READABLE, Trigger::Edge);
///     src.set(Readiness::READABLE, Readiness::READABLE);
///     let ready = poll_fn(|cx| reg.poll_ready(cx)).await;
///     assert!(ready.is_readable());
/// });
/// ```
pub struct Registration {
    pub(super) source: Source,
    pub(super) key: usize,
}

impl Registration {
    /// Reports readiness per the trigger, or registers the task's waker.
    ///
    /// Edge: consumes the pending events. One-shot: disarms. Level: reports
    /// the current state and consumes nothing. Under the fault plan this
    /// may report readiness that is not there (spurious readiness): the
    /// next operation then returns `WouldBlock`.
    ///
    /// # Panics
    ///
    /// Outside the runtime the source was created in (after it ended, or
    /// in another one), with a message naming both.
    #[track_caller]
    #[inline]
    pub fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<Readiness> {
        self.source.poll_key(self.key, cx)
    }

    /// Forgets edge events reported before now, because the operation they
    /// announced has since returned `WouldBlock`: they are stale, and
    /// acting on them would only repeat the failed operation (what tokio's
    /// `clear_readiness` achieves). An edge-triggered consumer's loop
    /// calls it on `WouldBlock` before waiting; a new change after this
    /// still wakes the task. (detsim's IO types wait through
    /// [`IoSource`](crate::kernel::IoSource), which clears the source's
    /// state instead.)
    pub fn clear_pending(&self) {
        let mut st = self.source.inner.state.borrow_mut();
        if let Some(reg) = st.regs.get_mut(self.key) {
            reg.pending = Readiness::EMPTY;
        }
    }

    /// Waits for readiness; see [`Registration::poll_ready`].
    pub async fn ready(&self) -> Readiness {
        std::future::poll_fn(|cx| self.poll_ready(cx)).await
    }

    /// Re-arms a one-shot registration (`EPOLL_CTL_MOD`), optionally with a
    /// new interest. If the condition already holds, the next poll reports
    /// it at once.
    pub fn rearm(&self, interest: Interest) {
        let mut st = self.source.inner.state.borrow_mut();
        let state = st.ready;
        let reg = st
            .regs
            .get_mut(self.key)
            .expect("registration outlived its slot");
        reg.set_interest(interest);
        reg.armed = true;
        let wake = if reg.ready(state).is_empty() {
            None
        } else {
            reg.waker.take()
        };
        drop(st);
        self.source
            .trace("rearmed", i64::from(interest.mask().bits()));
        if let Some(w) = wake {
            w.wake();
        }
    }

    /// The source this registration listens to.
    #[inline]
    pub fn source(&self) -> &Source {
        &self.source
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.source.deregister(self.key);
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}
