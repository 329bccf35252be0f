//! [`Sender`]: publishes the latest value of a watch channel.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::error::SendError;
use super::receiver::{Receiver, Ref};
use super::shared::Shared;
use crate::sync::deadlock::{Op, SyncWait};
use crate::sync::ends::EndId;

/// Publishes values to a watch channel's receivers; cloneable. From
/// [`channel`](super::channel) or [`Sender::new`].
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
    id: EndId,
}

impl<T> Sender<T> {
    pub(super) fn from_shared(shared: Arc<Shared<T>>, at: &'static Location<'static>) -> Self {
        let id = shared.add_sender(at);
        Sender { shared, id }
    }

    /// A sender with no receiver yet (add them with
    /// [`subscribe`](Sender::subscribe)), holding `init`.
    #[track_caller]
    pub fn new(init: T) -> Sender<T> {
        let at = Location::caller();
        Sender::from_shared(Shared::new(init, at, None), at)
    }

    /// Replaces the value and notifies the receivers. Fails, handing the
    /// value back, if there is no receiver.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.core.state().receivers.count() == 0 {
            return Err(SendError(value));
        }
        let old = self.send_replace(value);
        drop(old);
        Ok(())
    }

    /// Replaces the value, notifies the receivers (if any) and returns the
    /// old value.
    pub fn send_replace(&self, value: T) -> T {
        self.shared
            .modify(Some(self.id), move |v| (true, std::mem::replace(v, value)))
    }

    /// Changes the value in place and notifies the receivers.
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.shared.modify(Some(self.id), |v| {
            modify(v);
            (true, ())
        });
    }

    /// Lets `modify` change the value in place; notifies the receivers
    /// only if it returns `true`, and returns that.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let (tx, rx) = detsim::sync::watch::channel(1);
    ///     assert!(!tx.send_if_modified(|v| false));
    ///     assert!(!rx.has_changed().unwrap());
    ///     assert!(tx.send_if_modified(|v| { *v = 2; true }));
    ///     assert!(rx.has_changed().unwrap());
    /// });
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        self.shared.modify(Some(self.id), |v| {
            let changed = modify(v);
            (changed, changed)
        })
    }

    /// The current value. Do not hold the [`Ref`] across `.await` or
    /// while sending: it keeps the value locked.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref::new(self.shared.read(), false)
    }

    /// A new receiver that has seen the current value.
    #[track_caller]
    pub fn subscribe(&self) -> Receiver<T> {
        Receiver::from_shared(Arc::clone(&self.shared), Location::caller())
    }

    /// How many receivers are alive.
    pub fn receiver_count(&self) -> usize {
        self.shared.core.state().receivers.count()
    }

    /// How many senders are alive.
    pub fn sender_count(&self) -> usize {
        self.shared.core.state().senders.count()
    }

    /// Whether every receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Completes when every receiver is gone.
    pub fn closed(&self) -> impl Future<Output = ()> + '_ {
        Closed {
            sender: self,
            key: None,
        }
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

/// The future of [`Sender::closed`].
struct Closed<'a, T> {
    sender: &'a Sender<T>,
    /// Its entry among the channel's `closed` waiters, once it waits.
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
        let old = st.closed.insert(key, cx.waker().clone());
        drop(st);
        drop(old);
        SyncWait::note(core, Op::Closed);
        Poll::Pending
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let old = self.sender.shared.core.state().closed.remove(&key);
            drop(old);
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

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("value", &*self.borrow())
            .finish()
    }
}
