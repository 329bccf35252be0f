//! The unbounded channel's handles: [`UnboundedSender`] and
//! [`UnboundedReceiver`].

use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::chan::Chan;
use super::closed::Closed;
use super::error::{SendError, TryRecvError};
use crate::sync::ends::EndId;

/// Sends values to an [`UnboundedReceiver`] without ever waiting;
/// cloneable. From [`unbounded_channel`](super::unbounded_channel).
pub struct UnboundedSender<T> {
    chan: Arc<Chan<T>>,
    id: EndId,
}

/// Receives the values of an unbounded channel. From
/// [`unbounded_channel`](super::unbounded_channel).
pub struct UnboundedReceiver<T> {
    chan: Arc<Chan<T>>,
    id: EndId,
}

impl<T> UnboundedSender<T> {
    pub(super) fn new(chan: Arc<Chan<T>>, id: EndId) -> Self {
        UnboundedSender { chan, id }
    }

    /// Queues `value`. Fails, handing it back, if the receiver closed the
    /// channel or was dropped.
    ///
    /// The queue has no bound: a receiver that falls behind lets it grow
    /// without limit, as in tokio. Use a bounded [`channel`](super::channel)
    /// where that matters.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan.push(value, self.id, false).map_err(SendError)
    }

    /// Completes when the receiver has closed the channel or was dropped.
    pub fn closed(&self) -> impl Future<Output = ()> + '_ {
        Closed::new(&self.chan, self.id)
    }

    /// Whether the receiver has closed the channel or was dropped.
    pub fn is_closed(&self) -> bool {
        self.chan.core.state().rx_closed
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for UnboundedSender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        UnboundedSender {
            chan: Arc::clone(&self.chan),
            id: self.chan.add_sender(Location::caller()),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender(self.id);
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("channel", &self.chan.core.state().label.whole())
            .finish()
    }
}

impl<T> UnboundedReceiver<T> {
    pub(super) fn new(chan: Arc<Chan<T>>, id: EndId) -> Self {
        UnboundedReceiver { chan, id }
    }

    /// The next value; `None` once every sender is gone (or the channel
    /// is closed) and nothing is left. Cancel safe.
    pub fn recv(&mut self) -> impl Future<Output = Option<T>> + '_ {
        poll_fn(move |cx| self.poll_recv(cx))
    }

    /// [`recv`](UnboundedReceiver::recv) as a poll function.
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

    /// Closes the channel: sending fails from now on; queued values can
    /// still be received.
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// Whether the channel is closed: by [`close`](UnboundedReceiver::close),
    /// or because every sender is gone.
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

    /// How many senders are alive.
    pub fn sender_strong_count(&self) -> usize {
        self.chan.core.state().senders.count()
    }
}

impl<T> Drop for UnboundedReceiver<T> {
    fn drop(&mut self) {
        self.chan.drop_receiver(self.id);
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver")
            .field("channel", &self.chan.core.state().label.whole())
            .finish()
    }
}
