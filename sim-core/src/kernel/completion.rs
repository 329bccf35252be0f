//! The completion model: operations own their buffers and finish later,
//! in an order the seed chooses, as io_uring's do.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::kernel::ResourceId;
use crate::runtime::{WaitReason, context};
use crate::time::Instant;

enum State<B> {
    InFlight(Option<Waker>),
    Done(io::Result<usize>, B),
    Taken,
}

/// The kernel's side of an operation in flight.
pub(crate) struct Slot<B> {
    state: Rc<RefCell<State<B>>>,
}

impl<B> Slot<B> {
    pub(crate) fn complete(self, result: io::Result<usize>, buf: B) {
        let waker = {
            let mut st = self.state.borrow_mut();
            let State::InFlight(waker) = std::mem::replace(&mut *st, State::Done(result, buf))
            else {
                unreachable!("an operation completed twice");
            };
            waker
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// A submitted operation: resolves to its result and the buffer it owned.
///
/// # Cancellation
///
/// Dropping a `Completion` does not stop the operation, as an io_uring
/// operation already handed to the kernel is not stopped by forgetting it:
/// the kernel keeps the buffer, the operation takes effect at its
/// completion time (a write still lands), and the buffer is dropped then.
/// This is why buffers are owned: no borrowed buffer can be freed while the
/// kernel still writes into it.
#[must_use = "an operation's result is only seen by awaiting its Completion"]
pub struct Completion<B> {
    state: Rc<RefCell<State<B>>>,
    target: ResourceId,
    submitted: Instant,
}

impl<B> Completion<B> {
    pub(crate) fn new(target: ResourceId) -> (Completion<B>, Slot<B>) {
        let state = Rc::new(RefCell::new(State::InFlight(None)));
        let submitted = context::try_runtime().map_or(Instant::ZERO, |rt| rt.now());
        (
            Completion {
                state: Rc::clone(&state),
                target,
                submitted,
            },
            Slot { state },
        )
    }

    /// The resource the operation was submitted to.
    pub fn target(&self) -> ResourceId {
        self.target
    }

    /// When it was submitted.
    pub fn submitted_at(&self) -> Instant {
        self.submitted
    }

    /// Whether the result is ready.
    pub fn is_complete(&self) -> bool {
        matches!(*self.state.borrow(), State::Done(..))
    }
}

impl<B> Future for Completion<B> {
    type Output = (io::Result<usize>, B);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut st = self.state.borrow_mut();
        match &mut *st {
            State::InFlight(waker) => {
                let old = match waker {
                    Some(w) if w.will_wake(cx.waker()) => None,
                    _ => waker.replace(cx.waker().clone()),
                };
                drop(st);
                drop(old);
                if let Some(rt) = context::try_runtime() {
                    rt.note_wait(WaitReason::Completion {
                        target: self.target,
                    });
                }
                Poll::Pending
            }
            State::Done(..) => match std::mem::replace(&mut *st, State::Taken) {
                State::Done(result, buf) => Poll::Ready((result, buf)),
                _ => unreachable!(),
            },
            State::Taken => panic!("a detsim Completion was polled after it returned its result"),
        }
    }
}

impl<B> fmt::Debug for Completion<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Completion")
            .field("target", &self.target)
            .field("complete", &self.is_complete())
            .finish()
    }
}
