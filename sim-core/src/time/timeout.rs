use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::time::{Sleep, sleep};

/// Runs `future` for at most `duration` of runtime time.
///
/// Returns `Err(Elapsed)` if the deadline passes first; the inner future is
/// then dropped. The inner future is polled before the deadline is checked,
/// so a future that is ready exactly at the deadline wins.
///
/// ```
/// use detsim::time::{sleep, timeout, Duration, Instant};
///
/// detsim::Runtime::sim(3).block_on(async {
///     let r = timeout(Duration::from_millis(5), sleep(Duration::from_secs(1))).await;
///     assert!(r.is_err());
///     assert_eq!(Instant::now().since_start(), Duration::from_millis(5));
/// });
/// ```
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        delay: sleep(duration),
    }
}

pin_project! {
    /// Future returned by [`timeout`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        #[pin]
        delay: Sleep,
    }
}

impl<F> Timeout<F> {
    /// The wrapped future.
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// Unwraps the inner future, discarding the deadline.
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // What the inner future notes it waits on (for deadlock reports) is
        // forgotten if the timeout completes: the task no longer waits on it.
        let rt = this.delay.home().runtime(|| "a timeout".to_string());
        let before = rt.exec.take_wait();
        let out = match this.future.poll(cx) {
            Poll::Ready(v) => Poll::Ready(Ok(v)),
            Poll::Pending => match this.delay.poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
                Poll::Pending => Poll::Pending,
            },
        };
        rt.exec.restore_wait(before, out.is_ready());
        out
    }
}

/// The error of a [`timeout`] whose deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for io::Error {
    fn from(e: Elapsed) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, e)
    }
}
