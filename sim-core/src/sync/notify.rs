//! [`Notify`]: wake one task, or every waiting task, without sending data.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

use crate::sync::deadlock::{Op, ReportCtx, WaitTarget};
use crate::sync::notified::{Inner, Notified, OwnedNotified};
use crate::sync::stamp::{Label, Owner, Stamp, lock};

/// A notification for tasks, as tokio's `Notify`: [`notify_one`]
/// wakes one waiting task or, if none waits, stores one permit that the
/// next [`notified`] consumes at once; [`notify_waiters`] wakes every
/// task waiting now and stores nothing.
///
/// Order: `notify_one` wakes the task that began waiting first (FIFO),
/// `notify_last` the one that began last, `notify_waiters` wakes them all
/// in FIFO order. A task "begins waiting" when its [`Notified`] future is
/// first polled or [`enable`](Notified::enable)d; a `Notified` created
/// before a `notify_waiters` call completes even if it was not yet polled,
/// as in tokio. A `Notified` future woken by `notify_one` and dropped
/// before it returned passes the notification on (to the next waiter, or
/// as the stored permit), so cancelling never loses one.
///
/// A `notify_waiters` that finds nobody waiting is remembered: a task
/// that then waits forever is reported as ``waits on Notify `ready` (1
/// waiting; not notified since this task began waiting; notify_waiters at
/// src/y.rs:5:9 by task `a` found no waiter at t=0.000ms)``: the usual
/// lost wakeup.
/// Name it with [`with_name`](Notify::with_name).
///
/// [`notify_one`]: Notify::notify_one
/// [`notify_waiters`]: Notify::notify_waiters
/// [`notified`]: Notify::notified
///
/// ```
/// use detsim::sync::Notify;
/// use std::sync::Arc;
///
/// detsim::Runtime::sim(1).block_on(async {
///     let ready = Arc::new(Notify::new().with_name("ready"));
///     let waiter = detsim::spawn({
///         let ready = ready.clone();
///         async move { ready.notified().await }
///     });
///     ready.notify_one(); // stored if the waiter has not started yet
///     waiter.await.unwrap();
/// });
/// ```
pub struct Notify {
    shared: Arc<Shared>,
}

pub(super) struct Shared {
    state: Mutex<State>,
}

/// How a waiter was notified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum How {
    /// By `notify_one`/`notify_last` (or the stored permit): passed on if
    /// its future is dropped before it returns.
    One,
    /// By `notify_waiters`.
    All,
}

pub(super) struct Waiter {
    pub(super) waker: Option<Waker>,
    pub(super) stamp: Stamp,
    /// `State::calls` when it began waiting.
    pub(super) since: u64,
}

pub(super) struct State {
    pub(super) permit: bool,
    /// How many times `notify_waiters` was called.
    pub(super) waiters_calls: u64,
    /// Waiting, oldest first.
    pub(super) waiting: BTreeMap<u64, Waiter>,
    /// Notified, not yet returned `Ready`.
    pub(super) notified: BTreeMap<u64, How>,
    pub(super) next_key: u64,
    label: Label,
    /// How many notify calls of any kind were made: orders waits and calls.
    pub(super) calls: u64,
    /// The last `notify_one`/`notify_last`/`notify_waiters` call.
    last: Option<(&'static str, Stamp)>,
    /// The last `notify_waiters` call that found no waiter, and its
    /// number among all calls.
    unheard: Option<(Stamp, u64)>,
}

impl State {
    /// Notifies the waiter at `key` by `notify_one`; its waker, to wake.
    fn notify_key(&mut self, key: u64) -> Option<Waker> {
        let w = self.waiting.remove(&key)?;
        self.notified.insert(key, How::One);
        w.waker
    }

    /// `notify_one`: the oldest waiter (or the newest), else the permit.
    pub(super) fn notify_one(&mut self, newest: bool) -> Option<Waker> {
        let key = if newest {
            self.waiting.keys().next_back()
        } else {
            self.waiting.keys().next()
        };
        match key.copied() {
            Some(key) => self.notify_key(key),
            None => {
                self.permit = true;
                None
            }
        }
    }
}

impl Notify {
    /// A `Notify` with no permit stored, named in reports after the place
    /// it was created until [`with_name`](Notify::with_name).
    #[track_caller]
    pub fn new() -> Notify {
        Notify {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    permit: false,
                    waiters_calls: 0,
                    waiting: BTreeMap::new(),
                    notified: BTreeMap::new(),
                    next_key: 0,
                    label: Label::new("Notify", Location::caller()),
                    calls: 0,
                    last: None,
                    unheard: None,
                }),
            }),
        }
    }

    /// Names it in deadlock reports (``Notify `ready` ``).
    pub fn with_name(self, name: impl Into<String>) -> Notify {
        self.shared.state().label.set_name(name);
        self
    }

    /// A future that completes when this is notified: by a stored permit,
    /// a later `notify_one`, or a `notify_waiters` called after this
    /// returns.
    #[track_caller]
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            inner: Inner::new(&self.shared, Location::caller()),
            _notify: PhantomData,
        }
    }

    /// Like [`notified`](Notify::notified), for a `Notify` in an `Arc`:
    /// the future keeps it alive.
    #[track_caller]
    pub fn notified_owned(self: Arc<Self>) -> OwnedNotified {
        OwnedNotified {
            inner: Inner::new(&self.shared, Location::caller()),
        }
    }

    /// Wakes the task that has waited longest, or stores a permit for the
    /// next `notified` if none waits (at most one permit is stored).
    ///
    /// ```
    /// use futures::FutureExt;
    ///
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let notify = detsim::sync::Notify::new();
    ///     notify.notify_one();
    ///     notify.notify_one(); // still one permit
    ///     notify.notified().await;
    ///     assert!(notify.notified().now_or_never().is_none());
    /// });
    /// ```
    #[track_caller]
    pub fn notify_one(&self) {
        self.notify(false, Location::caller());
    }

    /// Like [`notify_one`](Notify::notify_one), but wakes the task that
    /// began waiting last.
    #[track_caller]
    pub fn notify_last(&self) {
        self.notify(true, Location::caller());
    }

    fn notify(&self, newest: bool, at: &'static Location<'static>) {
        let mut st = self.shared.state();
        let what = if newest { "notify_last" } else { "notify_one" };
        st.last = Some((what, Stamp::now(at)));
        st.calls += 1;
        let waker = st.notify_one(newest);
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Wakes every task waiting now (and completes every `Notified`
    /// created before this call), oldest first; stores no permit.
    ///
    /// ```
    /// use detsim::sync::Notify;
    /// use std::pin::pin;
    ///
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let notify = Notify::new();
    ///     let mut early = pin!(notify.notified());
    ///     early.as_mut().enable(); // registered, not yet polled
    ///     notify.notify_waiters();
    ///     early.await; // completes
    /// });
    /// ```
    #[track_caller]
    pub fn notify_waiters(&self) {
        let stamp = Stamp::now(Location::caller());
        let mut st = self.shared.state();
        st.waiters_calls += 1;
        st.last = Some(("notify_waiters", stamp));
        st.calls += 1;
        let waiting = std::mem::take(&mut st.waiting);
        if waiting.is_empty() {
            st.unheard = Some((stamp, st.calls));
        }
        let mut wakers = Vec::with_capacity(waiting.len());
        for (key, w) in waiting {
            st.notified.insert(key, How::All);
            wakers.extend(w.waker);
        }
        drop(st);
        for w in wakers {
            w.wake();
        }
    }
}

impl Default for Notify {
    #[track_caller]
    fn default() -> Self {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.shared.state();
        f.debug_struct("Notify")
            .field("name", &st.label.name())
            .field("permit", &st.permit)
            .field("waiting", &st.waiting.len())
            .finish()
    }
}

impl Shared {
    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

impl WaitTarget for Shared {
    fn label(&self, _op: Op) -> String {
        self.state().label.whole()
    }

    fn describe(&self, _op: Op, ctx: &ReportCtx<'_>) -> String {
        let st = self.state();
        let mut words = vec![format!("{} waiting", st.waiting.len())];
        // When this task began waiting, in calls made so far.
        let since = st
            .waiting
            .values()
            .find(|w| w.stamp.owner.task == Some(ctx.me()))
            .map(|w| w.since);
        if since == Some(st.calls) {
            words.push("not notified since this task began waiting".to_string());
        }
        let unheard = st.unheard.map(|(_, n)| n);
        match &st.last {
            None => words.push("never notified".to_string()),
            // The last call is the unheard one, told below.
            Some(_) if unheard == Some(st.calls) => {}
            Some((what, s)) => {
                words.push(format!("last {what} at {} by {}", s.at, ctx.task(s.owner)))
            }
        }
        if let Some((s, _)) = st.unheard {
            let time = s.time.map(|t| format!(" at t={t}")).unwrap_or_default();
            words.push(format!(
                "notify_waiters at {} by {} found no waiter{time}",
                s.at,
                ctx.task(s.owner)
            ));
        }
        format!("{} ({})", st.label.whole(), words.join("; "))
    }

    fn blockers(&self, _op: Op) -> Vec<Owner> {
        Vec::new()
    }
}
