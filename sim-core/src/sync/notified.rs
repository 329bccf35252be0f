//! The futures of [`Notify::notified`] and [`Notify::notified_owned`]:
//! where each stands (not yet waiting, waiting, notified, done) and what
//! dropping one does to a notification it took.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::sync::Notify;
use crate::sync::deadlock::{Op, SyncWait};
use crate::sync::notify::{How, Shared, Waiter};
use crate::sync::stamp::Stamp;

/// Where a [`Notified`] future is.
enum Phase {
    /// Not yet waiting; `calls` is `notify_waiters`' count at creation.
    Init {
        calls: u64,
    },
    Waiting(u64),
    /// Notified, not yet returned `Ready`.
    Ready(How),
    Done,
}

/// The state of a `Notified`/`OwnedNotified` future.
pub(super) struct Inner {
    shared: Arc<Shared>,
    phase: Phase,
    /// Where `notified` was called.
    at: &'static Location<'static>,
}

impl Inner {
    pub(super) fn new(shared: &Arc<Shared>, at: &'static Location<'static>) -> Inner {
        let calls = shared.state().waiters_calls;
        Inner {
            shared: Arc::clone(shared),
            phase: Phase::Init { calls },
            at,
        }
    }

    /// Moves on as far as possible without a waker (`enable`) or with
    /// one (`poll`); returns whether it is notified. The old waker, if
    /// replaced, is dropped after unlocking.
    fn advance(&mut self, waker: Option<&Waker>) -> bool {
        let mut st = self.shared.state();
        let mut old = None;
        match self.phase {
            Phase::Init { calls } if st.waiters_calls != calls => {
                self.phase = Phase::Ready(How::All)
            }
            Phase::Init { .. } if st.permit => {
                st.permit = false;
                self.phase = Phase::Ready(How::One);
            }
            Phase::Init { .. } => {
                let key = st.next_key;
                st.next_key += 1;
                let waiter = Waiter {
                    waker: waker.cloned(),
                    stamp: Stamp::now(self.at),
                    since: st.calls,
                };
                let _untracked = crate::alloc::Untracked::new();
                st.waiting.insert(key, waiter);
                self.phase = Phase::Waiting(key);
            }
            Phase::Waiting(key) => {
                if let Some(how) = st.notified.remove(&key) {
                    self.phase = Phase::Ready(how);
                } else if let (Some(w), Some(waker)) = (st.waiting.get_mut(&key), waker) {
                    old = match &w.waker {
                        Some(o) if o.will_wake(waker) => None,
                        _ => w.waker.replace(waker.clone()),
                    };
                }
            }
            Phase::Ready(_) | Phase::Done => {}
        }
        drop(st);
        drop(old);
        matches!(self.phase, Phase::Ready(_) | Phase::Done)
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.advance(Some(cx.waker())) {
            self.phase = Phase::Done;
            return Poll::Ready(());
        }
        SyncWait::note(&self.shared, Op::Notified);
        Poll::Pending
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let mut st = self.shared.state();
        let forward = match self.phase {
            Phase::Waiting(key) => {
                st.waiting.remove(&key);
                st.notified.remove(&key) == Some(How::One)
            }
            Phase::Ready(how) => how == How::One,
            Phase::Init { .. } | Phase::Done => false,
        };
        // A notify_one this future took but never returned goes on.
        let waker = forward.then(|| st.notify_one(false)).flatten();
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The future of [`Notify::notified`].
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    pub(super) inner: Inner,
    pub(super) _notify: PhantomData<&'a Notify>,
}

/// The future of [`Notify::notified_owned`].
#[must_use = "futures do nothing unless polled"]
pub struct OwnedNotified {
    pub(super) inner: Inner,
}

impl Notified<'_> {
    /// Registers this future as a waiter without polling it, so that a
    /// `notify_one` or `notify_waiters` from now on reaches it; returns
    /// whether it is already notified (the next poll is then `Ready`).
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.get_mut().inner.advance(None)
    }
}

impl OwnedNotified {
    /// As [`Notified::enable`].
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.get_mut().inner.advance(None)
    }
}

impl Future for Notified<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().inner.poll(cx)
    }
}

impl Future for OwnedNotified {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().inner.poll(cx)
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Notified")
    }
}

impl fmt::Debug for OwnedNotified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedNotified")
    }
}
