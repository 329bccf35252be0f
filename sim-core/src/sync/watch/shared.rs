//! The state of a watch channel: the value behind a read-write lock, and
//! a core without `T` (version, ends, waiting receivers) that deadlock
//! reports read. Only a send holds both, the value's lock first; the
//! core's lock is never held while user code runs.

use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};
use std::task::Waker;

use crate::runtime::context;
use crate::sync::deadlock::{Op, ReportCtx, WaitTarget};
use crate::sync::ends::{EndId, Ends};
use crate::sync::stamp::{Label, Owner, Stamp, lock};

pub(super) struct CoreState {
    pub(super) label: Label,
    pub(super) senders: Ends,
    pub(super) receivers: Ends,
    /// Bumped by every send; a receiver has seen the value up to some
    /// version.
    pub(super) version: u64,
    /// `changed` futures waiting for a new version, in the order they
    /// began waiting.
    pub(super) changed: BTreeMap<u64, Waker>,
    /// `Sender::closed` futures waiting for the last receiver to go.
    pub(super) closed: BTreeMap<u64, Waker>,
    next_key: u64,
}

impl CoreState {
    pub(super) fn key(&mut self) -> u64 {
        self.next_key += 1;
        self.next_key
    }
}

/// What reports read, without the value's type.
pub(super) struct Core {
    state: Mutex<CoreState>,
}

impl Core {
    pub(super) fn state(&self) -> MutexGuard<'_, CoreState> {
        lock(&self.state)
    }
}

pub(super) struct Shared<T> {
    pub(super) core: Arc<Core>,
    value: RwLock<T>,
}

impl<T> Shared<T> {
    /// A channel holding `init`, with no handles yet.
    pub(super) fn new(init: T, at: &'static Location<'static>, name: Option<String>) -> Arc<Self> {
        let mut label = Label::new("watch", at);
        if let Some(name) = name {
            label.set_name(name);
        }
        Arc::new(Shared {
            core: Arc::new(Core {
                state: Mutex::new(CoreState {
                    label,
                    senders: Ends::default(),
                    receivers: Ends::default(),
                    version: 0,
                    changed: BTreeMap::new(),
                    closed: BTreeMap::new(),
                    next_key: 0,
                }),
            }),
            value: RwLock::new(init),
        })
    }

    pub(super) fn read(&self) -> RwLockReadGuard<'_, T> {
        self.value.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The value for writing. A `watch::Ref` held on this thread while
    /// its runtime runs would block this forever, so that is a panic
    /// that says what to do.
    pub(super) fn write(&self) -> RwLockWriteGuard<'_, T> {
        match self.value.try_write() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) if context::try_runtime().is_some() => panic!(
                "detsim::sync::watch: a value was sent while a watch::Ref of the same channel \
                 is held; drop the Ref (from borrow()) before sending, and never hold it \
                 across an .await"
            ),
            Err(TryLockError::WouldBlock) => self.value.write().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Lets `modify` change the value; if it says it did, the version
    /// moves on and every waiting receiver is woken. `by` is the sender.
    /// `modify` is user code: it runs under the value's lock only.
    pub(super) fn modify<R>(
        &self,
        by: Option<EndId>,
        modify: impl FnOnce(&mut T) -> (bool, R),
    ) -> R {
        let mut value = self.write();
        let (changed, out) = modify(&mut value);
        // Still under the value's lock: the new value and its version
        // appear together.
        let mut st = self.core.state();
        if let Some(by) = by {
            st.senders.used(by);
        }
        let wakers = if changed {
            st.version += 1;
            std::mem::take(&mut st.changed)
        } else {
            BTreeMap::new()
        };
        drop(st);
        drop(value);
        for w in wakers.into_values() {
            w.wake();
        }
        out
    }

    /// Adds a receiver that has seen the current version.
    pub(super) fn add_receiver(&self, at: &'static Location<'static>) -> (EndId, u64) {
        let mut st = self.core.state();
        (st.receivers.add(Stamp::now(at)), st.version)
    }

    pub(super) fn add_sender(&self, at: &'static Location<'static>) -> EndId {
        self.core.state().senders.add(Stamp::now(at))
    }

    /// The last sender's drop wakes every waiting receiver (they fail).
    pub(super) fn drop_sender(&self, id: EndId) {
        let mut st = self.core.state();
        st.senders.remove(id);
        let wakers = if st.senders.count() == 0 {
            std::mem::take(&mut st.changed)
        } else {
            BTreeMap::new()
        };
        drop(st);
        for w in wakers.into_values() {
            w.wake();
        }
    }

    /// The last receiver's drop completes the senders' `closed`.
    pub(super) fn drop_receiver(&self, id: EndId) {
        let mut st = self.core.state();
        st.receivers.remove(id);
        let wakers = if st.receivers.count() == 0 {
            std::mem::take(&mut st.closed)
        } else {
            BTreeMap::new()
        };
        drop(st);
        for w in wakers.into_values() {
            w.wake();
        }
    }
}

impl WaitTarget for Core {
    fn label(&self, op: Op) -> String {
        let end = if op == Op::Changed {
            "receiver"
        } else {
            "sender"
        };
        self.state().label.end(end)
    }

    fn describe(&self, op: Op, ctx: &ReportCtx<'_>) -> String {
        let st = self.state();
        if op == Op::Changed {
            format!(
                "{} for a change (none since it last looked; {})",
                st.label.end("receiver"),
                st.senders.describe("sender", ctx)
            )
        } else {
            format!(
                "{} to be closed ({})",
                st.label.end("sender"),
                st.receivers.describe("receiver", ctx)
            )
        }
    }

    fn blockers(&self, op: Op) -> Vec<Owner> {
        let st = self.state();
        if op == Op::Changed {
            st.senders.owners()
        } else {
            st.receivers.owners()
        }
    }
}
