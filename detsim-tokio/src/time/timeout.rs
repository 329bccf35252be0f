//! `timeout` and `timeout_at`: a future raced against a [`Sleep`] of the
//! caller's world.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::time::error::Elapsed;
use crate::time::{Instant, Sleep, sleep, sleep_until};

/// Runs `future` for at most `duration` (`tokio::time::timeout`).
///
/// Gives `Err(Elapsed)` if the deadline passes first, dropping the future
/// then. The future is polled before the deadline is checked, so one that
/// is ready at the deadline wins. Under detsim the deadline is virtual.
///
/// ```
/// use detsim_tokio::time::{sleep, timeout, Duration};
///
/// detsim::Runtime::sim(3).block_on(async {
///     let slow = timeout(Duration::from_secs(1), sleep(Duration::from_secs(5)));
///     assert!(slow.await.is_err());
///     let fast = timeout(Duration::from_secs(1), async { 7 });
///     assert_eq!(fast.await, Ok(7));
/// });
/// ```
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        value: future.into_future(),
        delay: sleep(duration),
    }
}

/// Runs `future` until `deadline` at most (`tokio::time::timeout_at`).
///
/// ```
/// use detsim_tokio::time::{sleep, timeout_at, Duration, Instant};
///
/// detsim::Runtime::sim(3).block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(10);
///     assert!(timeout_at(deadline, sleep(Duration::from_secs(1))).await.is_err());
///     assert_eq!(Instant::now(), deadline);
/// });
/// ```
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        value: future.into_future(),
        delay: sleep_until(deadline),
    }
}

pin_project! {
    /// The future of [`timeout`] and [`timeout_at`]
    /// (`tokio::time::Timeout`). `!Unpin`, like tokio's.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<T> {
        #[pin]
        value: T,
        #[pin]
        delay: Sleep,
    }
}

impl<T> Timeout<T> {
    /// The wrapped future.
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// The wrapped future, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// The wrapped future, without its deadline.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: Future> Future for Timeout<T> {
    type Output = Result<T::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // As tokio's Timeout: if the future spent the task's coop budget,
        // the deadline is polled outside it (tokio's Sleep waits for budget
        // like any resource), or a busy future that yields through the
        // budget would never time out. Outside a tokio runtime (under
        // detsim) the budget is unconstrained: both reads say true.
        let had_budget_before = tokio::task::coop::has_budget_remaining();
        if let Poll::Ready(v) = this.value.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        let delay = if had_budget_before && !tokio::task::coop::has_budget_remaining() {
            Pin::new(&mut tokio::task::coop::unconstrained(this.delay)).poll(cx)
        } else {
            this.delay.poll(cx)
        };
        delay.map(|()| Err(Elapsed::new()))
    }
}
