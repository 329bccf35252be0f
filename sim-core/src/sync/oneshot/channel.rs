//! The oneshot channel: its shared state, the two ends, and what a
//! deadlock report says about them.

use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::Location;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use super::error::{RecvError, TryRecvError};
use crate::sync::deadlock::{Op, ReportCtx, SyncWait, WaitTarget};
use crate::sync::ends::{EndId, Ends};
use crate::sync::stamp::{Label, Owner, Stamp, lock};

struct CoreState {
    label: Label,
    sender: Ends,
    receiver: Ends,
    /// A value was sent (it may since have been taken).
    sent: bool,
    /// The receiver closed the channel or was dropped.
    rx_closed: bool,
    rx_waker: Option<Waker>,
    tx_waker: Option<Waker>,
}

/// What reports read, without the value's type.
struct Core {
    state: Mutex<CoreState>,
}

impl Core {
    fn state(&self) -> MutexGuard<'_, CoreState> {
        lock(&self.state)
    }
}

struct Shared<T> {
    core: Arc<Core>,
    value: Mutex<Option<T>>,
}

/// Sends the channel's one value. From [`channel`].
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
    id: EndId,
}

/// The future of the channel's one value; fails if the sender is dropped
/// without sending. From [`channel`].
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    id: EndId,
    /// The value was taken (or the failure returned).
    done: bool,
}

/// A channel for one value, named in reports after the place it was
/// created.
///
/// ```
/// detsim::Runtime::sim(1).block_on(async {
///     let (tx, rx) = detsim::sync::oneshot::channel::<u32>();
///     drop(tx); // never sent
///     assert!(rx.await.is_err());
/// });
/// ```
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    make(Location::caller(), None)
}

/// Like [`channel`], named in deadlock reports (``oneshot receiver
/// `reply` ``).
#[track_caller]
pub fn named_channel<T>(name: impl Into<String>) -> (Sender<T>, Receiver<T>) {
    make(Location::caller(), Some(name.into()))
}

fn make<T>(at: &'static Location<'static>, name: Option<String>) -> (Sender<T>, Receiver<T>) {
    let stamp = Stamp::now(at);
    let mut label = Label::new("oneshot", at);
    if let Some(name) = name {
        label.set_name(name);
    }
    let (mut sender, mut receiver) = (Ends::default(), Ends::default());
    let (tx, rx) = (sender.add(stamp), receiver.add(stamp));
    let core = Core {
        state: Mutex::new(CoreState {
            label,
            sender,
            receiver,
            sent: false,
            rx_closed: false,
            rx_waker: None,
            tx_waker: None,
        }),
    };
    let shared = Arc::new(Shared {
        core: Arc::new(core),
        value: Mutex::new(None),
    });
    (
        Sender {
            shared: Arc::clone(&shared),
            id: tx,
        },
        Receiver {
            shared,
            id: rx,
            done: false,
        },
    )
}

impl<T> Sender<T> {
    /// Sends `value`; hands it back if the receiver closed the channel or
    /// was dropped.
    pub fn send(self, value: T) -> Result<(), T> {
        let mut st = self.shared.core.state();
        st.sender.used(self.id);
        if st.rx_closed {
            return Err(value);
        }
        *lock(&self.shared.value) = Some(value);
        st.sent = true;
        let waker = st.rx_waker.take();
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Completes when the receiver has closed the channel or was dropped.
    pub fn closed(&mut self) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| self.poll_closed(cx))
    }

    /// [`closed`](Sender::closed) as a poll function.
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = self.shared.core.state();
        st.sender.used(self.id);
        if st.rx_closed {
            return Poll::Ready(());
        }
        let old = st.tx_waker.replace(cx.waker().clone());
        drop(st);
        drop(old);
        SyncWait::note(&self.shared.core, Op::Closed);
        Poll::Pending
    }

    /// Whether the receiver has closed the channel or was dropped.
    pub fn is_closed(&self) -> bool {
        self.shared.core.state().rx_closed
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut st = self.shared.core.state();
        st.sender.remove(self.id);
        let (rx, tx) = (st.rx_waker.take(), st.tx_waker.take());
        drop(st);
        drop(tx);
        if let Some(w) = rx {
            w.wake();
        }
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
    /// The value if it was sent; [`TryRecvError::Empty`] while the sender
    /// may still send.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut st = self.shared.core.state();
        st.receiver.used(self.id);
        if let Some(value) = lock(&self.shared.value).take() {
            self.done = true;
            return Ok(value);
        }
        if st.sent || st.sender.count() == 0 || self.done {
            self.done = true;
            return Err(TryRecvError::Closed);
        }
        Err(TryRecvError::Empty)
    }

    /// Closes the channel: a later `send` fails. A value already sent can
    /// still be received.
    pub fn close(&mut self) {
        let mut st = self.shared.core.state();
        st.rx_closed = true;
        let waker = st.tx_waker.take();
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Whether the value (or the failure) was already returned.
    pub fn is_terminated(&self) -> bool {
        self.done
    }

    /// Whether no value is waiting to be received now.
    pub fn is_empty(&self) -> bool {
        lock(&self.shared.value).is_none()
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match this.try_recv() {
            Ok(value) => Poll::Ready(Ok(value)),
            Err(TryRecvError::Closed) => Poll::Ready(Err(RecvError(()))),
            Err(TryRecvError::Empty) => {
                let mut st = this.shared.core.state();
                let old = match &st.rx_waker {
                    Some(w) if w.will_wake(cx.waker()) => None,
                    _ => st.rx_waker.replace(cx.waker().clone()),
                };
                drop(st);
                drop(old);
                SyncWait::note(&this.shared.core, Op::Recv);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
        let mut st = self.shared.core.state();
        st.receiver.remove(self.id);
        let value = lock(&self.shared.value).take();
        let waker = st.rx_waker.take();
        drop(st);
        drop(waker);
        drop(value);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("channel", &self.shared.core.state().label.whole())
            .finish()
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
                "{} (nothing sent; {})",
                st.label.end("receiver"),
                st.sender.describe("sender", ctx)
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
        if op == Op::Recv {
            st.sender.owners()
        } else {
            st.receiver.owners()
        }
    }
}
