//! The completion model: an operation is handed to the kernel with what it
//! owns (a buffer, a path) and finishes later with its result, as
//! io_uring's operations do.
//!
//! One type serves both kernels. The simulated kernel completes an
//! operation from a scheduled event, on the runtime's thread, at a seeded
//! virtual time ([`KernelHandle::submit`](crate::kernel::KernelHandle::submit));
//! the OS kernel from the blocking-pool thread that ran it. The two sides
//! share one small state machine behind a mutex:
//!
//! - `InFlight(waker)`: submitted; holds the waker of the latest poll.
//!   Entered at submission.
//! - `Done(value)`: the kernel completed it ([`Slot::complete`]). Entered
//!   once, from `InFlight`; the waker is woken after the state is set.
//! - `Lost(reason)`: it ended without a result: its pool job panicked, or
//!   the kernel dropped it unfinished (its runtime shut down). Entered
//!   once, from `InFlight`; polling panics with the reason, since the
//!   awaiting task can no more go on than after a panic in its own code.
//! - `Taken`: a poll returned the value. Polling again is a bug.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use crate::kernel::ResourceId;
use crate::runtime::{Home, WaitReason, context};
use crate::time::Instant;

/// What a buffered operation completes with: its result and the buffer it
/// owned, handed back whether it succeeded or not (tokio-uring's
/// `BufResult`).
pub type BufResult<T, B> = (io::Result<T>, B);

enum State<T> {
    InFlight(Option<Waker>),
    Done(T),
    Lost(String),
    Taken,
}

type Shared<T> = Arc<Mutex<State<T>>>;

fn lock<T>(shared: &Shared<T>) -> MutexGuard<'_, State<T>> {
    // A poisoned lock can only come from a panic between two lines below
    // that cannot panic; the state is consistent either way.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// The kernel's side of an operation in flight: completing it wakes the
/// task awaiting the [`Completion`]. `Send` when the result is, so a
/// blocking-pool thread can complete it.
pub(crate) struct Slot<T> {
    /// `None` once completed or lost.
    shared: Option<Shared<T>>,
}

impl<T> Slot<T> {
    /// Completes the operation with `value`.
    pub(crate) fn complete(mut self, value: T) {
        let shared = self.shared.take().expect("a slot completes once");
        finish(&shared, State::Done(value));
    }

    /// Ends the operation without a result; the awaiting task panics with
    /// `reason`.
    pub(crate) fn lose(mut self, reason: String) {
        let shared = self.shared.take().expect("a slot completes once");
        finish(&shared, State::Lost(reason));
    }
}

impl<T> Drop for Slot<T> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            finish(
                &shared,
                State::Lost(
                    "detsim: the kernel dropped an operation before completing it (its \
                     runtime shut down)"
                        .to_string(),
                ),
            );
        }
    }
}

/// Moves an operation out of `InFlight` and wakes its task, with no lock
/// held while the waker runs (a waker may do anything).
fn finish<T>(shared: &Shared<T>, end: State<T>) {
    let waker = {
        let mut st = lock(shared);
        let State::InFlight(waker) = std::mem::replace(&mut *st, end) else {
            unreachable!("an operation completed twice");
        };
        waker
    };
    if let Some(w) = waker {
        w.wake();
    }
}

/// A submitted operation: resolves to its result (for buffered operations,
/// a [`BufResult`]: the result and the buffer it owned).
///
/// The same type on both kernels: the simulated kernel completes it at a
/// seeded virtual time, the OS kernel when its blocking-pool job returns.
/// Operations in flight together may complete in any order.
///
/// # Cancellation
///
/// Dropping a `Completion` does not stop the operation, as an io_uring
/// operation already handed to the kernel is not stopped by forgetting it:
/// the kernel keeps what the operation owns, the operation takes effect at
/// its completion time (a write still lands), and its result is dropped
/// then. This is why buffers are owned: no borrowed buffer can be freed
/// while the kernel still writes into it.
///
/// # Panics
///
/// Polling it, or asking [`is_complete`](Completion::is_complete), panics
/// unless the runtime that submitted it runs on this thread; so does a
/// poll after the operation was lost (its blocking-pool job panicked, with
/// the job's message, or its runtime shut down first).
#[must_use = "an operation's result is only seen by awaiting its Completion"]
pub struct Completion<T> {
    shared: Shared<T>,
    home: Home,
    target: ResourceId,
    submitted: Instant,
}

impl<T> Completion<T> {
    /// An operation in flight on `target`, and the slot the kernel
    /// completes it through.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub(crate) fn new(target: ResourceId) -> (Completion<T>, Slot<T>) {
        let completion = Completion::with_state(target, State::InFlight(None));
        let slot = Slot {
            shared: Some(Arc::clone(&completion.shared)),
        };
        (completion, slot)
    }

    /// An operation that completed as it was submitted: a check that
    /// failed before reaching any device, or an answer the kernel already
    /// holds (a file's length, for `lseek(SEEK_END)`).
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub fn ready(value: T) -> Completion<T> {
        Completion::with_state(ResourceId::NONE, State::Done(value))
    }

    #[track_caller]
    fn with_state(target: ResourceId, state: State<T>) -> Completion<T> {
        let (home, submitted) =
            context::with_runtime("a detsim kernel operation", |rt| (Home::of(rt), rt.now()));
        Completion {
            shared: Arc::new(Mutex::new(state)),
            home,
            target,
            submitted,
        }
    }

    /// The resource the operation was submitted to
    /// ([`ResourceId::NONE`] for one with no simulated resource).
    pub fn target(&self) -> ResourceId {
        self.target
    }

    /// When it was submitted.
    pub fn submitted_at(&self) -> Instant {
        self.submitted
    }

    /// Whether the result is ready (or the operation was lost: the next
    /// poll returns at once, with the result or a panic).
    ///
    /// # Panics
    ///
    /// Unless the runtime that submitted the operation runs on this thread.
    #[track_caller]
    pub fn is_complete(&self) -> bool {
        self.home.with(
            || "a kernel Completion".to_string(),
            |_| !matches!(*lock(&self.shared), State::InFlight(_)),
        )
    }
}

impl<T> Future for Completion<T> {
    type Output = T;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        this.home
            .with(
                || "a kernel Completion".to_string(),
                |rt| {
                    let mut st = lock(&this.shared);
                    match &mut *st {
                        State::InFlight(waker) => {
                            let old = match waker {
                                Some(w) if w.will_wake(cx.waker()) => None,
                                _ => waker.replace(cx.waker().clone()),
                            };
                            drop(st);
                            drop(old);
                            rt.note_wait(WaitReason::Completion {
                                target: this.target,
                            });
                            Poll::Pending
                        }
                        State::Done(_) | State::Lost(_) => {
                            match std::mem::replace(&mut *st, State::Taken) {
                                State::Done(value) => Poll::Ready(Ok(value)),
                                State::Lost(reason) => Poll::Ready(Err(reason)),
                                _ => unreachable!("matched Done or Lost above"),
                            }
                        }
                        State::Taken => Poll::Ready(Err(
                            "a detsim Completion was polled after it returned its result"
                                .to_string(),
                        )),
                    }
                },
            )
            .map(|result| result.unwrap_or_else(|reason| panic!("{reason}")))
    }
}

impl<T> fmt::Debug for Completion<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let complete = self
            .shared
            .try_lock()
            .ok()
            .map(|st| !matches!(*st, State::InFlight(_)));
        f.debug_struct("Completion")
            .field("target", &self.target)
            .field("complete", &complete)
            .finish()
    }
}
