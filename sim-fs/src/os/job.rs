//! [`Job`]: a closure on the blocking pool, submitted at once.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};

use sim_core::kernel::KernelHandle;

/// A closure handed to the blocking pool when the `Job` is made, whose
/// result is awaited later.
///
/// `KernelHandle::run_blocking` is an `async fn`: it reaches the pool at
/// its first poll. A completion-model operation must be in the kernel's
/// hands when it is submitted (so one that is never awaited still takes
/// effect, and two submitted together overlap), so `submit` polls it once
/// with a no-op waker; the pool keeps only the waker of the latest poll,
/// so later polls by the task wake the task as usual.
///
/// States: `Running` from submission until a poll returns the result,
/// then `Done(Some)` only if that first poll already had it, then
/// `Done(None)` once the result is taken (polling again is a bug).
pub(crate) struct Job<T> {
    state: State<T>,
    /// Set by the pool thread when the closure returned: `is_complete`
    /// without a poll.
    finished: Arc<AtomicBool>,
}

enum State<T> {
    Running(Pin<Box<dyn Future<Output = T>>>),
    Done(Option<T>),
}

// The boxed future is pinned on the heap; `T` is only moved out, never
// pinned.
impl<T> Unpin for Job<T> {}

impl<T: Send + 'static> Job<T> {
    /// Hands `f` to the current runtime's blocking pool.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub(crate) fn submit(f: impl FnOnce() -> T + Send + 'static) -> Job<T> {
        let kernel = KernelHandle::current();
        let finished = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&finished);
        let mut running: Pin<Box<dyn Future<Output = T>>> = Box::pin(async move {
            kernel
                .run_blocking(move || {
                    let out = f();
                    flag.store(true, Ordering::Release);
                    out
                })
                .await
        });
        let state = match running
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(out) => State::Done(Some(out)),
            Poll::Pending => State::Running(running),
        };
        Job { state, finished }
    }
}

impl<T> Job<T> {
    /// Whether the closure has returned.
    pub(crate) fn is_complete(&self) -> bool {
        match &self.state {
            State::Running(_) => self.finished.load(Ordering::Acquire),
            State::Done(out) => out.is_some(),
        }
    }
}

impl<T> Future for Job<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        let out = match &mut this.state {
            State::Running(running) => std::task::ready!(running.as_mut().poll(cx)),
            State::Done(out) => out
                .take()
                .expect("a detsim fs Job polled after it completed"),
        };
        this.state = State::Done(None);
        Poll::Ready(out)
    }
}
