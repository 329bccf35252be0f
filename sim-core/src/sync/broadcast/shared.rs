//! The state of a broadcast channel: the retained values, each with the
//! number of receivers that have yet to see it, and a core without `T`
//! (sequence numbers, ends, waiting receivers) that deadlock reports
//! read. Lock order: core, then values.
//!
//! Values are numbered in send order. The channel retains the last
//! `capacity` values; a value leaves once every receiver that existed when
//! it was sent has received it, or when a newer one pushes it out. A
//! receiver whose next number was pushed out has lagged.

use std::collections::{BTreeMap, VecDeque};
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use super::error::{SendError, TryRecvError};
use crate::sync::deadlock::{Op, ReportCtx, SyncWait, WaitTarget};
use crate::sync::ends::{EndId, Ends};
use crate::sync::stamp::{Label, Owner, Stamp, lock};

pub(super) struct CoreState {
    pub(super) label: Label,
    pub(super) senders: Ends,
    pub(super) receivers: Ends,
    /// The number the next value sent will get.
    pub(super) tail: u64,
    /// How many values are retained (`tail - len` is the oldest's number).
    pub(super) len: usize,
    pub(super) capacity: usize,
    /// `recv` futures waiting for a value, in the order they began.
    recv_waiters: BTreeMap<u64, Waker>,
    /// `Sender::closed` futures waiting for the last receiver to go.
    pub(super) closed_waiters: BTreeMap<u64, Waker>,
    next_key: u64,
}

impl CoreState {
    pub(super) fn key(&mut self) -> u64 {
        self.next_key += 1;
        self.next_key
    }

    fn head(&self) -> u64 {
        self.tail - self.len as u64
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

struct Slot<T> {
    value: T,
    /// Receivers that have yet to receive it.
    remaining: usize,
}

pub(super) struct Shared<T> {
    pub(super) core: Arc<Core>,
    slots: Mutex<VecDeque<Slot<T>>>,
}

impl<T> Shared<T> {
    /// A channel retaining `capacity` values (a power of two), no handles.
    pub(super) fn new(
        capacity: usize,
        at: &'static Location<'static>,
        name: Option<String>,
    ) -> Arc<Self> {
        let mut label = Label::new("broadcast", at);
        if let Some(name) = name {
            label.set_name(name);
        }
        Arc::new(Shared {
            core: Arc::new(Core {
                state: Mutex::new(CoreState {
                    label,
                    senders: Ends::default(),
                    receivers: Ends::default(),
                    tail: 0,
                    len: 0,
                    capacity,
                    recv_waiters: BTreeMap::new(),
                    closed_waiters: BTreeMap::new(),
                    next_key: 0,
                }),
            }),
            slots: Mutex::new(VecDeque::new()),
        })
    }

    /// Retains `value` for every live receiver; returns how many, and the
    /// values that left (to drop with no lock held).
    pub(super) fn send(&self, value: T, by: EndId) -> Result<(usize, Vec<T>), SendError<T>> {
        let mut st = self.core.state();
        st.senders.used(by);
        let receivers = st.receivers.count();
        if receivers == 0 {
            return Err(SendError(value));
        }
        let mut slots = lock(&self.slots);
        slots.push_back(Slot {
            value,
            remaining: receivers,
        });
        st.tail += 1;
        let mut gone = Vec::new();
        while slots.len() > st.capacity {
            gone.extend(slots.pop_front().map(|s| s.value));
        }
        st.len = slots.len();
        drop(slots);
        let wakers = std::mem::take(&mut st.recv_waiters);
        drop(st);
        for w in wakers.into_values() {
            w.wake();
        }
        Ok((receivers, gone))
    }

    /// Drops the leading values every receiver has seen; returns them.
    fn release_seen(&self, st: &mut CoreState, slots: &mut VecDeque<Slot<T>>) -> Vec<T> {
        let mut gone = Vec::new();
        while slots.front().is_some_and(|s| s.remaining == 0) {
            gone.extend(slots.pop_front().map(|s| s.value));
        }
        st.len = slots.len();
        gone
    }

    /// The value numbered `*next` for a receiver, moving `next` on.
    pub(super) fn try_recv(&self, rx: EndId, next: &mut u64) -> Result<T, TryRecvError>
    where
        T: Clone,
    {
        let mut st = self.core.state();
        st.receivers.used(rx);
        let head = st.head();
        if *next < head {
            let missed = head - *next;
            *next = head;
            return Err(TryRecvError::Lagged(missed));
        }
        if *next == st.tail {
            return Err(if st.senders.count() == 0 {
                TryRecvError::Closed
            } else {
                TryRecvError::Empty
            });
        }
        let mut slots = lock(&self.slots);
        let slot = &mut slots[(*next - head) as usize];
        let value = slot.value.clone();
        slot.remaining -= 1;
        *next += 1;
        let gone = self.release_seen(&mut st, &mut slots);
        drop(slots);
        drop(st);
        drop(gone);
        Ok(value)
    }

    pub(super) fn poll_recv(
        &self,
        rx: EndId,
        next: &mut u64,
        key: &mut Option<u64>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, TryRecvError>>
    where
        T: Clone,
    {
        match self.try_recv(rx, next) {
            Err(TryRecvError::Empty) => {}
            done => {
                self.cancel_recv(key);
                return Poll::Ready(done);
            }
        }
        let mut st = self.core.state();
        // A send may have come in between: look again under the lock.
        if *next != st.tail || st.senders.count() == 0 {
            drop(st);
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let k = *key.get_or_insert_with(|| st.key());
        let _untracked = crate::alloc::Untracked::new();
        let old = st.recv_waiters.insert(k, cx.waker().clone());
        drop(st);
        drop(old);
        SyncWait::note(&self.core, Op::Recv);
        Poll::Pending
    }

    /// A `recv` future is done or dropped: forget its waker.
    pub(super) fn cancel_recv(&self, key: &mut Option<u64>) {
        if let Some(k) = key.take() {
            let old = self.core.state().recv_waiters.remove(&k);
            drop(old);
        }
    }

    pub(super) fn add_sender(&self, at: &'static Location<'static>) -> EndId {
        self.core.state().senders.add(Stamp::now(at))
    }

    /// A receiver that will get the values sent from now on: its id and
    /// the number of its first value.
    pub(super) fn add_receiver(&self, at: &'static Location<'static>) -> (EndId, u64) {
        let mut st = self.core.state();
        (st.receivers.add(Stamp::now(at)), st.tail)
    }

    /// The last sender's drop wakes the receivers (they finish).
    pub(super) fn drop_sender(&self, id: EndId) {
        let mut st = self.core.state();
        st.senders.remove(id);
        let wakers = if st.senders.count() == 0 {
            std::mem::take(&mut st.recv_waiters)
        } else {
            BTreeMap::new()
        };
        drop(st);
        for w in wakers.into_values() {
            w.wake();
        }
    }

    /// A receiver whose next value was `next` is gone: the values it had
    /// not received no longer wait for it.
    pub(super) fn drop_receiver(&self, id: EndId, next: u64) {
        let mut st = self.core.state();
        st.receivers.remove(id);
        let mut slots = lock(&self.slots);
        let head = st.head();
        for seq in next.max(head)..st.tail {
            slots[(seq - head) as usize].remaining -= 1;
        }
        let gone = self.release_seen(&mut st, &mut slots);
        drop(slots);
        let wakers = if st.receivers.count() == 0 {
            std::mem::take(&mut st.closed_waiters)
        } else {
            BTreeMap::new()
        };
        drop(st);
        drop(gone);
        for w in wakers.into_values() {
            w.wake();
        }
    }
}

impl WaitTarget for Core {
    fn label(&self, op: Op) -> String {
        let end = if op == Op::Recv { "receiver" } else { "sender" };
        self.state().label.end(end)
    }

    fn describe(&self, op: Op, ctx: &ReportCtx<'_>) -> String {
        let st = self.state();
        if op == Op::Recv {
            format!(
                "{} (nothing unread; {})",
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
        if op == Op::Recv {
            st.senders.owners()
        } else {
            st.receivers.owners()
        }
    }
}
