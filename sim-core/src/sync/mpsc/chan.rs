//! The state both mpsc flavours share: the queue of values, the capacity
//! of a bounded channel, the ends, and what a deadlock report says.
//!
//! The state is split in two under one lock order (core, then queue): a
//! [`Core`] that knows no `T` (counts, wakers, capacity, names: what a
//! report reads, so a deadlock note can point at it whatever `T` is), and
//! the queue of `T` values.

use std::collections::{BTreeMap, VecDeque};
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use super::error::TryRecvError;
use crate::sync::acquire::PermitHost;
use crate::sync::deadlock::{Op, ReportCtx, SyncWait, WaitTarget};
use crate::sync::ends::{EndId, Ends};
use crate::sync::permits::{Permits, Wakers, wake_all};
use crate::sync::stamp::{Label, Owner, Stamp, lock};

pub(crate) struct CoreState {
    pub(crate) label: Label,
    pub(crate) senders: Ends,
    pub(crate) receiver: Ends,
    /// How many values are queued (the queue's length, for reports).
    len: usize,
    /// The capacity of a bounded channel.
    pub(crate) bound: Option<usize>,
    /// Free slots of a bounded channel (unused when unbounded).
    pub(crate) capacity: Permits,
    /// Slots reserved by `Permit`s not yet used.
    pub(crate) reserved: usize,
    /// The receiver closed the channel or was dropped.
    pub(crate) rx_closed: bool,
    rx_waker: Option<Waker>,
    /// `Sender::closed` futures, in the order they began waiting.
    closed_waiters: BTreeMap<u64, Waker>,
    next_key: u64,
}

/// The part of a channel that knows no `T`; see the module docs.
pub(crate) struct Core {
    state: Mutex<CoreState>,
}

impl Core {
    pub(crate) fn state(&self) -> MutexGuard<'_, CoreState> {
        lock(&self.state)
    }
}

/// One channel: its core and its queue.
pub(crate) struct Chan<T> {
    pub(crate) core: Arc<Core>,
    queue: Mutex<VecDeque<T>>,
}

impl<T> Chan<T> {
    /// A channel (bounded to `bound` values, or not) with one sender and
    /// the receiver, created at `at`.
    pub(crate) fn new(
        bound: Option<usize>,
        at: &'static Location<'static>,
    ) -> (Arc<Self>, EndId, EndId) {
        let stamp = Stamp::now(at);
        let mut senders = Ends::default();
        let mut receiver = Ends::default();
        let tx = senders.add(stamp);
        let rx = receiver.add(stamp);
        let core = Core {
            state: Mutex::new(CoreState {
                label: Label::new("mpsc", at),
                senders,
                receiver,
                len: 0,
                bound,
                capacity: Permits::new(bound.unwrap_or(0)),
                reserved: 0,
                rx_closed: false,
                rx_waker: None,
                closed_waiters: BTreeMap::new(),
                next_key: 0,
            }),
        };
        let chan = Chan {
            core: Arc::new(core),
            queue: Mutex::new(VecDeque::new()),
        };
        (Arc::new(chan), tx, rx)
    }

    /// Adds a sender (a clone), created at `at`.
    pub(crate) fn add_sender(&self, at: &'static Location<'static>) -> EndId {
        self.core.state().senders.add(Stamp::now(at))
    }

    /// A sender was dropped: the last one's drop ends the receiver's wait.
    pub(crate) fn drop_sender(&self, id: EndId) {
        let mut st = self.core.state();
        st.senders.remove(id);
        let waker = if st.senders.count() == 0 {
            st.rx_waker.take()
        } else {
            None
        };
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Appends `value` (a bounded channel's slot already taken, and
    /// reserved if `reserved`) and wakes the receiver; hands the value
    /// back if the receiving side is closed.
    pub(crate) fn push(&self, value: T, from: EndId, reserved: bool) -> Result<(), T> {
        let mut st = self.core.state();
        st.senders.used(from);
        if reserved {
            st.reserved -= 1;
        }
        // A reserved slot may still be used after `close`, as in tokio.
        if st.rx_closed && !(reserved && st.receiver.count() > 0) {
            return Err(value);
        }
        lock(&self.queue).push_back(value);
        st.len += 1;
        let waker = st.rx_waker.take();
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// A slot taken by `reserve` was not used: it goes back, and a closed
    /// channel may now be finished.
    pub(crate) fn unreserve(&self) {
        let mut wakers = Wakers::new();
        let mut st = self.core.state();
        st.reserved -= 1;
        st.capacity.release(1, &mut wakers);
        if st.rx_closed && st.reserved == 0 {
            wakers.extend(st.rx_waker.take());
        }
        drop(st);
        wake_all(wakers);
    }

    /// `reserve` got a slot.
    pub(crate) fn reserved(&self, from: EndId) {
        let mut st = self.core.state();
        st.senders.used(from);
        st.reserved += 1;
    }

    /// Marks the receiving side closed: later sends fail, senders waiting
    /// for capacity fail, `closed()` completes; queued values stay.
    pub(crate) fn close(&self) {
        let mut wakers = Wakers::new();
        let mut st = self.core.state();
        st.rx_closed = true;
        st.capacity.close(&mut wakers);
        wakers.extend(std::mem::take(&mut st.closed_waiters).into_values());
        drop(st);
        wake_all(wakers);
    }

    /// The receiver was dropped: closes, and drops the queued values.
    pub(crate) fn drop_receiver(&self, id: EndId) {
        self.close();
        let mut st = self.core.state();
        st.receiver.remove(id);
        st.len = 0;
        let values = std::mem::take(&mut *lock(&self.queue));
        let waker = st.rx_waker.take();
        drop(st);
        drop(waker);
        drop(values);
    }

    /// One value, if there is one; `Ok(None)` is "none and none will come".
    fn take(&self, st: &mut CoreState, wakers: &mut Wakers) -> Result<Option<T>, TryRecvError> {
        if let Some(value) = lock(&self.queue).pop_front() {
            st.len -= 1;
            if st.bound.is_some() {
                st.capacity.release(1, wakers);
            }
            return Ok(Some(value));
        }
        let done = st.senders.count() == 0 || (st.rx_closed && st.reserved == 0);
        if done {
            Ok(None)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    pub(crate) fn poll_recv(&self, rx: EndId, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut wakers = Wakers::new();
        let mut st = self.core.state();
        st.receiver.used(rx);
        let out = match self.take(&mut st, &mut wakers) {
            Ok(value) => Poll::Ready(value),
            Err(_) => {
                let old = match &st.rx_waker {
                    Some(w) if w.will_wake(cx.waker()) => None,
                    _ => st.rx_waker.replace(cx.waker().clone()),
                };
                drop(st);
                drop(old);
                SyncWait::note(&self.core, Op::Recv);
                return Poll::Pending;
            }
        };
        drop(st);
        wake_all(wakers);
        out
    }

    pub(crate) fn try_recv(&self, rx: EndId) -> Result<T, TryRecvError> {
        let mut wakers = Wakers::new();
        let mut st = self.core.state();
        st.receiver.used(rx);
        let out = self.take(&mut st, &mut wakers);
        drop(st);
        wake_all(wakers);
        match out {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(TryRecvError::Disconnected),
            Err(e) => Err(e),
        }
    }

    /// Moves up to `limit` queued values into `buffer`, waiting for the
    /// first one; 0 only when the channel is closed and empty (or `limit`
    /// is 0).
    pub(crate) fn poll_recv_many(
        &self,
        rx: EndId,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        let Some(first) = std::task::ready!(self.poll_recv(rx, cx)) else {
            return Poll::Ready(0);
        };
        buffer.push(first);
        let mut n = 1;
        while n < limit {
            match self.try_recv(rx) {
                Ok(value) => buffer.push(value),
                Err(_) => break,
            }
            n += 1;
        }
        Poll::Ready(n)
    }

    /// How many values are queued.
    pub(crate) fn len(&self) -> usize {
        self.core.state().len
    }

    /// `Sender::closed`: ready once the receiving side is closed.
    pub(crate) fn poll_closed(
        &self,
        from: EndId,
        key: &mut Option<u64>,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        let mut st = self.core.state();
        st.senders.used(from);
        if st.rx_closed {
            if let Some(k) = key.take() {
                let old = st.closed_waiters.remove(&k);
                drop(st);
                drop(old);
            }
            return Poll::Ready(());
        }
        let k = *key.get_or_insert_with(|| {
            st.next_key += 1;
            st.next_key
        });
        let _untracked = crate::alloc::Untracked::new();
        let old = st.closed_waiters.insert(k, cx.waker().clone());
        drop(st);
        drop(old);
        SyncWait::note(&self.core, Op::Closed);
        Poll::Pending
    }

    /// A `closed()` future was dropped while waiting.
    pub(crate) fn cancel_closed(&self, key: u64) {
        let old = self.core.state().closed_waiters.remove(&key);
        drop(old);
    }
}

impl PermitHost for Core {
    fn with_permits<R>(&self, f: impl FnOnce(&mut Permits) -> R) -> R {
        f(&mut self.state().capacity)
    }
}

impl WaitTarget for Core {
    fn label(&self, op: Op) -> String {
        let end = if op == Op::Recv { "receiver" } else { "sender" };
        self.state().label.end(end)
    }

    fn describe(&self, op: Op, ctx: &ReportCtx<'_>) -> String {
        let st = self.state();
        match op {
            Op::Recv => format!(
                "{} (empty; {})",
                st.label.end("receiver"),
                st.senders.describe("sender", ctx)
            ),
            Op::Send => format!(
                "{} for capacity ({} of {} slots full, {} reserved; {})",
                st.label.end("sender"),
                st.len,
                st.bound.unwrap_or(0),
                st.reserved,
                st.receiver.describe("receiver", ctx)
            ),
            _ => format!(
                "{} to be closed ({})",
                st.label.end("sender"),
                st.receiver.describe("receiver", ctx)
            ),
        }
    }

    fn blockers(&self, op: Op) -> Vec<Owner> {
        let st = self.state();
        match op {
            Op::Recv => st.senders.owners(),
            _ => st.receiver.owners(),
        }
    }
}
