//! The bounded channel's handles: [`Sender`], [`Receiver`] and the
//! reserved slots [`Permit`] and [`OwnedPermit`].

use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::chan::Chan;
use super::closed::Closed;
use super::error::{SendError, TryRecvError, TrySendError};
use crate::sync::acquire::Acquire;
use crate::sync::deadlock::Op;
use crate::sync::ends::EndId;
use crate::sync::permits::NotNow;

/// Sends values to the [`Receiver`] of a bounded channel; cloneable.
/// From [`channel`](super::channel).
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
    id: EndId,
}

/// Receives the values of a bounded channel. From
/// [`channel`](super::channel).
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
    id: EndId,
}

/// A slot reserved in a bounded channel by [`Sender::reserve`]: sending
/// through it cannot fail or wait. Dropped unused, the slot goes back.
#[must_use = "the slot goes back to the channel as soon as this is dropped"]
pub struct Permit<'a, T> {
    sender: &'a Sender<T>,
}

/// A slot reserved by [`Sender::reserve_owned`], holding its sender.
#[must_use = "the slot goes back to the channel as soon as this is dropped"]
pub struct OwnedPermit<T> {
    sender: Option<Sender<T>>,
}

impl<T> Sender<T> {
    pub(super) fn new(chan: Arc<Chan<T>>, id: EndId) -> Self {
        Sender { chan, id }
    }

    /// Waits for a free slot, then sends `value`. Fails, handing `value`
    /// back, if the receiver closed the channel or was dropped.
    ///
    /// Senders waiting for a slot get one in the order they began waiting
    /// (FIFO). Dropping the future while it waits drops `value` and loses
    /// no slot.
    #[track_caller]
    pub fn send(&self, value: T) -> impl Future<Output = Result<(), SendError<T>>> + '_ {
        let at = Location::caller();
        async move {
            match self.reserve_at(at).await {
                Ok(permit) => {
                    permit.send(value);
                    Ok(())
                }
                Err(_) => Err(SendError(value)),
            }
        }
    }

    /// Sends `value` now if a slot is free (and no sender waits for one).
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.chan.core.state().capacity.try_take(1) {
            Ok(()) => {}
            Err(NotNow::Closed) => return Err(TrySendError::Closed(value)),
            Err(NotNow::NoPermits) => return Err(TrySendError::Full(value)),
        }
        self.chan.reserved(self.id);
        self.chan
            .push(value, self.id, true)
            .map_err(TrySendError::Closed)
    }

    /// Waits for a free slot and reserves it.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let (tx, mut rx) = detsim::sync::mpsc::channel(1);
    ///     let permit = tx.reserve().await.unwrap();
    ///     assert!(tx.try_send(1).is_err(), "the only slot is reserved");
    ///     permit.send(2);
    ///     assert_eq!(rx.recv().await, Some(2));
    /// });
    /// ```
    #[track_caller]
    pub fn reserve(&self) -> impl Future<Output = Result<Permit<'_, T>, SendError<()>>> {
        self.reserve_at(Location::caller())
    }

    async fn reserve_at(
        &self,
        at: &'static Location<'static>,
    ) -> Result<Permit<'_, T>, SendError<()>> {
        Acquire::new(&self.chan.core, 1, Op::Send, at)
            .await
            .map_err(|_| SendError(()))?;
        self.chan.reserved(self.id);
        Ok(Permit { sender: self })
    }

    /// Like [`reserve`](Sender::reserve), keeping the sender in the permit.
    #[track_caller]
    pub fn reserve_owned(self) -> impl Future<Output = Result<OwnedPermit<T>, SendError<()>>> {
        let at = Location::caller();
        async move {
            Acquire::new(&self.chan.core, 1, Op::Send, at)
                .await
                .map_err(|_| SendError(()))?;
            self.chan.reserved(self.id);
            Ok(OwnedPermit { sender: Some(self) })
        }
    }

    /// Reserves a slot now if one is free.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        match self.chan.core.state().capacity.try_take(1) {
            Ok(()) => {}
            Err(NotNow::Closed) => return Err(TrySendError::Closed(())),
            Err(NotNow::NoPermits) => return Err(TrySendError::Full(())),
        }
        self.chan.reserved(self.id);
        Ok(Permit { sender: self })
    }

    /// Completes when the receiver has closed the channel or was dropped.
    pub fn closed(&self) -> impl Future<Output = ()> + '_ {
        Closed::new(&self.chan, self.id)
    }

    /// Whether the receiver has closed the channel or was dropped.
    pub fn is_closed(&self) -> bool {
        self.chan.core.state().rx_closed
    }

    /// How many slots are free now.
    pub fn capacity(&self) -> usize {
        self.chan.core.state().capacity.available()
    }

    /// The channel's capacity, as created.
    pub fn max_capacity(&self) -> usize {
        self.chan.core.state().bound.unwrap_or(0)
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for Sender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        Sender {
            chan: Arc::clone(&self.chan),
            id: self.chan.add_sender(Location::caller()),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender(self.id);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("channel", &self.chan.core.state().label.whole())
            .finish()
    }
}

impl<T> Receiver<T> {
    pub(super) fn new(chan: Arc<Chan<T>>, id: EndId) -> Self {
        Receiver { chan, id }
    }

    /// The next value; `None` once every sender is gone (or the channel
    /// is closed) and nothing is left. Cancel safe: a dropped `recv`
    /// future takes no value.
    pub fn recv(&mut self) -> impl Future<Output = Option<T>> + '_ {
        poll_fn(move |cx| self.poll_recv(cx))
    }

    /// [`recv`](Receiver::recv) as a poll function, for hand-written
    /// futures.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(self.id, cx)
    }

    /// Waits for at least one value, then moves up to `limit` queued
    /// values into `buffer`; returns how many (0 once the channel is done,
    /// or if `limit` is 0).
    pub fn recv_many<'a>(
        &'a mut self,
        buffer: &'a mut Vec<T>,
        limit: usize,
    ) -> impl Future<Output = usize> + 'a {
        poll_fn(move |cx| self.chan.poll_recv_many(self.id, cx, buffer, limit))
    }

    /// The next value if one is queued.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv(self.id)
    }

    /// Closes the channel: sending fails from now on, but queued values
    /// (and values sent through permits already reserved) can still be
    /// received.
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// Whether the channel is closed: by [`close`](Receiver::close), or
    /// because every sender is gone.
    pub fn is_closed(&self) -> bool {
        let st = self.chan.core.state();
        st.rx_closed || st.senders.count() == 0
    }

    /// Whether no value is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many values are queued.
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// How many slots are free now.
    pub fn capacity(&self) -> usize {
        self.chan.core.state().capacity.available()
    }

    /// The channel's capacity, as created.
    pub fn max_capacity(&self) -> usize {
        self.chan.core.state().bound.unwrap_or(0)
    }

    /// How many senders are alive.
    pub fn sender_strong_count(&self) -> usize {
        self.chan.core.state().senders.count()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.chan.drop_receiver(self.id);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("channel", &self.chan.core.state().label.whole())
            .finish()
    }
}

impl<T> Permit<'_, T> {
    /// Sends `value` in the reserved slot.
    pub fn send(self, value: T) {
        let sender = self.sender;
        std::mem::forget(self);
        // The receiver may be gone; then the value is dropped, as in tokio.
        let _ = sender.chan.push(value, sender.id, true);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.sender.chan.unreserve();
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Permit")
    }
}

impl<T> OwnedPermit<T> {
    /// Sends `value` in the reserved slot and gives the sender back.
    pub fn send(mut self, value: T) -> Sender<T> {
        let sender = self.sender.take().expect("a permit is used once");
        let _ = sender.chan.push(value, sender.id, true);
        sender
    }

    /// Gives the slot back unused, and the sender with it.
    pub fn release(mut self) -> Sender<T> {
        let sender = self.sender.take().expect("a permit is used once");
        sender.chan.unreserve();
        sender
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = &self.sender {
            sender.chan.unreserve();
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedPermit")
    }
}
