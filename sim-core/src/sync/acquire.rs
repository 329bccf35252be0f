//! Waiting for permits: the one future behind `Semaphore::acquire*`,
//! `Mutex::lock*`, `RwLock::read*`/`write*` and the bounded `mpsc`
//! channel's `send`/`reserve`.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::sync::deadlock::{Op, SyncWait, WaitTarget};
use crate::sync::permits::{NotNow, Permits, Wakers, wake_all};
use crate::sync::stamp::Stamp;

/// Shared state that keeps [`Permits`] under its lock.
pub(crate) trait PermitHost: WaitTarget + 'static {
    /// Calls `f` with the permits, under the host's lock.
    fn with_permits<R>(&self, f: impl FnOnce(&mut Permits) -> R) -> R;
}

/// The semaphore was closed while (or before) waiting.
#[derive(Debug)]
pub(crate) struct Closed;

/// Waits for `n` permits of `host`, first in, first served; on success
/// they are the caller's. Dropping it while it waits gives back whatever
/// it was already assigned.
pub(crate) struct Acquire<'a, H: PermitHost> {
    host: &'a Arc<H>,
    n: usize,
    op: Op,
    at: &'static Location<'static>,
    /// Its place in the queue, once it waits.
    key: Option<u64>,
}

impl<'a, H: PermitHost> Acquire<'a, H> {
    /// A wait for `n` permits, to do `op`, called from `at`.
    pub(crate) fn new(host: &'a Arc<H>, n: usize, op: Op, at: &'static Location<'static>) -> Self {
        Acquire {
            host,
            n,
            op,
            at,
            key: None,
        }
    }
}

impl<H: PermitHost> Future for Acquire<'_, H> {
    type Output = Result<(), Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let (at, n, key) = (this.at, this.n, &mut this.key);
        let (poll, old) = this
            .host
            .with_permits(|p| p.poll(key, n, cx.waker(), || Stamp::now(at)));
        drop(old);
        match poll {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(())),
            Poll::Ready(Err(NotNow::Closed)) => Poll::Ready(Err(Closed)),
            Poll::Ready(Err(NotNow::NoPermits)) => unreachable!("a waiter is queued, not refused"),
            Poll::Pending => {
                SyncWait::note(this.host, this.op);
                Poll::Pending
            }
        }
    }
}

impl<H: PermitHost> Drop for Acquire<'_, H> {
    fn drop(&mut self) {
        let Some(key) = self.key else {
            return;
        };
        let mut wakers = Wakers::new();
        let old = self.host.with_permits(|p| p.cancel(key, &mut wakers));
        drop(old);
        wake_all(wakers);
    }
}
