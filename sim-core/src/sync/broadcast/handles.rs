//! The ends of a broadcast channel: [`Sender`] and [`Receiver`], and the
//! futures of `recv` and `closed`.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::error::{RecvError, SendError, TryRecvError};
use super::shared::Shared;
use crate::sync::deadlock::{Op, SyncWait};
use crate::sync::ends::EndId;

/// Sends values to every receiver of a broadcast channel; cloneable.
/// From [`channel`](super::channel).
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
    id: EndId,
}

/// Receives every value sent after it was created (unless it lags). From
/// [`channel`](super::channel) or [`Sender::subscribe`].
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    id: EndId,
    /// The number of the next value it will receive.
    next: u64,
}

impl<T> Sender<T> {
    pub(super) fn from_shared(shared: Arc<Shared<T>>, at: &'static Location<'static>) -> Self {
        let id = shared.add_sender(at);
        Sender { shared, id }
    }

    /// Sends `value` to every receiver alive now; returns how many. Fails,
    /// handing it back, if there is none. Never waits: a slow receiver
    /// lags instead.
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let (receivers, gone) = self.shared.send(value, self.id)?;
        drop(gone);
        Ok(receivers)
    }

    /// A new receiver, which will get the values sent from now on.
    #[track_caller]
    pub fn subscribe(&self) -> Receiver<T> {
        Receiver::from_shared(Arc::clone(&self.shared), Location::caller())
    }

    /// How many receivers are alive.
    pub fn receiver_count(&self) -> usize {
        self.shared.core.state().receivers.count()
    }

    /// How many values are retained (not yet received by every receiver
    /// that existed when they were sent, and not pushed out).
    pub fn len(&self) -> usize {
        self.shared.core.state().len
    }

    /// Whether no value is retained.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Completes when every receiver is gone.
    pub fn closed(&self) -> impl Future<Output = ()> + '_ {
        Closed {
            sender: self,
            key: None,
        }
    }
}

impl<T> Clone for Sender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        Sender::from_shared(Arc::clone(&self.shared), Location::caller())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.shared.drop_sender(self.id);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("channel", &self.shared.core.state().label.whole())
            .finish()
    }
}

impl<T> Receiver<T> {
    pub(super) fn from_shared(shared: Arc<Shared<T>>, at: &'static Location<'static>) -> Self {
        let (id, next) = shared.add_receiver(at);
        Receiver { shared, id, next }
    }

    /// A new receiver of the same channel, which will get the values sent
    /// from now on.
    #[track_caller]
    pub fn resubscribe(&self) -> Self {
        Receiver::from_shared(Arc::clone(&self.shared), Location::caller())
    }

    /// How many values this receiver has yet to receive.
    pub fn len(&self) -> usize {
        let st = self.shared.core.state();
        let head = st.tail - st.len as u64;
        (st.tail - self.next.max(head)) as usize
    }

    /// Whether this receiver has nothing to receive now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every sender is gone.
    pub fn is_closed(&self) -> bool {
        self.sender_strong_count() == 0
    }

    /// How many senders are alive.
    pub fn sender_strong_count(&self) -> usize {
        self.shared.core.state().senders.count()
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T: Clone> Receiver<T> {
    /// The next value (a clone); [`RecvError::Lagged`] if values were
    /// pushed out before this receiver got them, [`RecvError::Closed`]
    /// once every sender is gone and nothing is left. Receivers waiting
    /// together are woken in the order they began waiting. Cancel safe.
    ///
    /// ```
    /// use detsim::sync::broadcast::{self, error::RecvError};
    ///
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let (tx, mut rx) = broadcast::channel(2);
    ///     for n in 0..3 {
    ///         tx.send(n).unwrap();
    ///     }
    ///     assert_eq!(rx.recv().await, Err(RecvError::Lagged(1)));
    ///     assert_eq!(rx.recv().await, Ok(1));
    ///     assert_eq!(rx.recv().await, Ok(2));
    ///     drop(tx);
    ///     assert_eq!(rx.recv().await, Err(RecvError::Closed));
    /// });
    /// ```
    pub fn recv(&mut self) -> impl Future<Output = Result<T, RecvError>> + '_ {
        Recv {
            rx: self,
            key: None,
        }
    }

    /// The next value if there is one now.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.shared.try_recv(self.id, &mut self.next)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.drop_receiver(self.id, self.next);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("channel", &self.shared.core.state().label.whole())
            .finish()
    }
}

/// The future of [`Receiver::recv`].
struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    /// Its entry among the channel's waiting receivers, once it waits.
    key: Option<u64>,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let rx = &mut *this.rx;
        rx.shared
            .poll_recv(rx.id, &mut rx.next, &mut this.key, cx)
            .map(|r| {
                r.map_err(|e| match e {
                    TryRecvError::Lagged(n) => RecvError::Lagged(n),
                    TryRecvError::Closed | TryRecvError::Empty => RecvError::Closed,
                })
            })
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        self.rx.shared.cancel_recv(&mut self.key);
    }
}

/// The future of [`Sender::closed`].
struct Closed<'a, T> {
    sender: &'a Sender<T>,
    key: Option<u64>,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let core = &this.sender.shared.core;
        let mut st = core.state();
        st.senders.used(this.sender.id);
        if st.receivers.count() == 0 {
            return Poll::Ready(());
        }
        let key = *this.key.get_or_insert_with(|| st.key());
        let _untracked = crate::alloc::Untracked::new();
        let old = st.closed_waiters.insert(key, cx.waker().clone());
        drop(st);
        drop(old);
        SyncWait::note(core, Op::Closed);
        Poll::Pending
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let old = self.sender.shared.core.state().closed_waiters.remove(&key);
            drop(old);
        }
    }
}
