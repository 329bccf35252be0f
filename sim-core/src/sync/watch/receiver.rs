//! [`Receiver`]: watches a watch channel's value; [`Ref`]: a borrow of it.

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::panic::Location;
use std::pin::Pin;
use std::sync::{Arc, RwLockReadGuard};
use std::task::{Context, Poll};

use super::error::RecvError;
use super::shared::Shared;
use crate::sync::deadlock::{Op, SyncWait};
use crate::sync::ends::EndId;

/// Watches a channel's latest value; cloneable. From
/// [`channel`](super::channel) or [`Sender::subscribe`](super::Sender::subscribe).
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    id: EndId,
    /// The version this receiver has seen.
    version: u64,
}

/// A borrow of a watch channel's value. It keeps the value locked: do not
/// hold it across `.await` or while sending on the channel.
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    changed: bool,
}

impl<'a, T> Ref<'a, T> {
    pub(super) fn new(guard: RwLockReadGuard<'a, T>, changed: bool) -> Self {
        Ref { guard, changed }
    }

    /// Whether the value was new to the receiver when it was borrowed.
    pub fn has_changed(&self) -> bool {
        self.changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> Receiver<T> {
    pub(super) fn from_shared(shared: Arc<Shared<T>>, at: &'static Location<'static>) -> Self {
        let (id, version) = shared.add_receiver(at);
        Receiver {
            shared,
            id,
            version,
        }
    }

    /// The current value, without marking it seen.
    pub fn borrow(&self) -> Ref<'_, T> {
        let changed = self.shared.core.state().version != self.version;
        Ref::new(self.shared.read(), changed)
    }

    /// The current value, marking it seen.
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let version = self.shared.core.state().version;
        let changed = version != self.version;
        self.version = version;
        Ref::new(self.shared.read(), changed)
    }

    /// Whether a value this receiver has not seen was sent; an error once
    /// every sender is gone.
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let st = self.shared.core.state();
        if st.senders.count() == 0 {
            return Err(RecvError(()));
        }
        Ok(st.version != self.version)
    }

    /// Makes the current value count as unseen.
    pub fn mark_changed(&mut self) {
        self.version = self.shared.core.state().version.wrapping_sub(1);
    }

    /// Makes the current value count as seen.
    pub fn mark_unchanged(&mut self) {
        self.version = self.shared.core.state().version;
    }

    /// Waits for a value this receiver has not seen, and marks it seen.
    /// Returns at once if there is one; fails once every sender is gone
    /// and the last value was seen. Receivers waiting together are woken
    /// in the order they began waiting. Cancel safe.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let (tx, mut rx) = detsim::sync::watch::named_channel("config", "v1");
    ///     detsim::spawn(async move { tx.send("v2").unwrap() });
    ///     rx.changed().await.unwrap();
    ///     assert_eq!(*rx.borrow(), "v2");
    ///     assert!(rx.changed().await.is_err(), "the sender is gone");
    /// });
    /// ```
    pub fn changed(&mut self) -> impl Future<Output = Result<(), RecvError>> + '_ {
        Changed {
            shared: &self.shared,
            version: &mut self.version,
            id: self.id,
            key: None,
        }
    }

    /// Waits until `f` accepts the value (checking the current one
    /// first), marks it seen and returns it; fails if every sender is
    /// gone first.
    pub async fn wait_for(
        &mut self,
        mut f: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        let (shared, version, id) = (&self.shared, &mut self.version, self.id);
        loop {
            {
                let current = shared.core.state().version;
                let changed = current != *version;
                *version = current;
                let guard = shared.read();
                if f(&guard) {
                    return Ok(Ref::new(guard, changed));
                }
            }
            Changed {
                shared,
                version: &mut *version,
                id,
                key: None,
            }
            .await?;
        }
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Receiver<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        let mut rx = Receiver::from_shared(Arc::clone(&self.shared), Location::caller());
        rx.version = self.version;
        rx
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.drop_receiver(self.id);
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("value", &*self.borrow())
            .finish()
    }
}

/// The future of [`Receiver::changed`].
struct Changed<'a, T> {
    shared: &'a Shared<T>,
    version: &'a mut u64,
    id: EndId,
    /// Its entry among the channel's waiting receivers, once it waits.
    key: Option<u64>,
}

impl<T> Future for Changed<'_, T> {
    type Output = Result<(), RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let core = &this.shared.core;
        let mut st = core.state();
        st.receivers.used(this.id);
        let done = if st.version != *this.version {
            *this.version = st.version;
            Some(Ok(()))
        } else if st.senders.count() == 0 {
            Some(Err(RecvError(())))
        } else {
            None
        };
        if let Some(out) = done {
            let old = this.key.take().and_then(|k| st.changed.remove(&k));
            drop(st);
            drop(old);
            return Poll::Ready(out);
        }
        let key = *this.key.get_or_insert_with(|| st.key());
        let _untracked = crate::alloc::Untracked::new();
        let old = st.changed.insert(key, cx.waker().clone());
        drop(st);
        drop(old);
        SyncWait::note(core, Op::Changed);
        Poll::Pending
    }
}

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let old = self.shared.core.state().changed.remove(&key);
            drop(old);
        }
    }
}
