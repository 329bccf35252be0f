//! A `!Send` future kept in its runtime and polled through a `Send`
//! handle: how detsim's async IO methods (`connect`, `accept`, file
//! reads...) return `Send` futures although their state machines hold the
//! simulation's `Rc`s.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::alloc::Untracked;
use crate::runtime::Resident;

type Boxed<T> = RefCell<Pin<Box<dyn Future<Output = T>>>>;

/// A future that lives on its runtime's thread; the value users hold
/// is `Send + Sync` whatever the future is (see [`Resident`]).
///
/// It is the kernel's: what it allocates, boxed and polled, is never
/// charged to the task that awaits it (see [`detsim::alloc`](crate::alloc)).
///
/// Polling it anywhere but on the thread running its runtime panics, with a
/// message naming both runtimes.
///
/// ```
/// use detsim::kernel::ResidentFuture;
/// use std::rc::Rc;
///
/// fn needs_send<T: Send>(_: &T) {}
///
/// detsim::Runtime::sim(1).block_on(async {
///     let shared = Rc::new(41); // !Send
///     let future = ResidentFuture::new("answer", async move { *shared + 1 });
///     needs_send(&future);
///     assert_eq!(future.await, 42);
/// });
/// ```
pub struct ResidentFuture<T: 'static> {
    future: Resident<Boxed<T>>,
}

impl<T: 'static> ResidentFuture<T> {
    /// Moves `future` into the current runtime; `what` names it in misuse
    /// messages ("TcpStream::connect").
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub fn new(what: &'static str, future: impl Future<Output = T> + 'static) -> ResidentFuture<T> {
        let _untracked = Untracked::new();
        let boxed: Pin<Box<dyn Future<Output = T>>> = Box::pin(future);
        ResidentFuture {
            future: Resident::new(what, RefCell::new(boxed)),
        }
    }
}

impl<T: 'static> Future for ResidentFuture<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let _untracked = Untracked::new();
        let future = self.future.get();
        let mut future = future.borrow_mut();
        future.as_mut().poll(cx)
    }
}

impl<T: 'static> fmt::Debug for ResidentFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResidentFuture").finish_non_exhaustive()
    }
}
