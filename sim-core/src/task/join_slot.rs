//! The part of a task cell the `JoinHandle` reads: where the output waits,
//! and the handle's waker.
//!
//! One enum says both whether the task is done and whether the handle is
//! still there, and holds the output while it waits; with the waiter in a
//! `Cell` beside it, the slot is 32 bytes for a small output, where an
//! `Option` output, two flags and a `RefCell`'s borrow count took 48
//! (with the cell's other parts, a task's cell now fits a smaller
//! allocation: 96 bytes instead of 112 for a small future and output).
//! No borrow flag is needed: each method moves the state out, decides,
//! and puts it back before any user code (an output's `Drop`, a waker)
//! runs, so a reentrant call finds a consistent state.
//!
//! # States
//!
//! - **Running**: the task has not completed; the handle is there.
//! - **Detached**: the task has not completed; the handle was dropped, so
//!   its output will be dropped as soon as it comes.
//! - **Ready**: the task completed; the output waits for the handle.
//! - **Done**: the output was taken, or dropped (the handle was gone).

use std::cell::Cell;
use std::task::{Context, Poll, Waker};

use crate::task::join::JoinError;

/// The output's slot; see the module docs.
pub(crate) struct JoinSlot<T> {
    state: Cell<State<T>>,
    /// The handle's waker, while it waits.
    waiter: Cell<Option<Waker>>,
}

enum State<T> {
    Running,
    Detached,
    Ready(Result<T, JoinError>),
    Done,
}

impl<T> JoinSlot<T> {
    /// A running task's slot, its handle there.
    #[inline]
    pub(crate) fn new() -> JoinSlot<T> {
        JoinSlot {
            state: Cell::new(State::Running),
            waiter: Cell::new(None),
        }
    }

    /// The task completed (or was cancelled) with `result`: it waits for
    /// the handle, which is woken, or is dropped at once if the handle is
    /// gone. A no-op once done (a cancel after the task completed).
    #[inline]
    pub(crate) fn complete(&self, result: Result<T, JoinError>) {
        // Stored first: the common case (the handle is there) is done.
        match self.state.replace(State::Ready(result)) {
            State::Running => {
                if let Some(waiter) = self.waiter.take() {
                    waiter.wake();
                }
            }
            State::Detached => {
                // Taken back out and dropped, the state final first: the
                // output's `Drop` may do anything.
                let dropped = self.state.replace(State::Done);
                drop(dropped);
            }
            done @ (State::Ready(_) | State::Done) => {
                // A cancel after the task completed: nothing changes.
                let ignored = self.state.replace(done);
                drop(ignored);
            }
        }
    }

    /// Takes the output, or registers `cx`'s waker for it.
    ///
    /// # Panics
    ///
    /// If the output was taken already.
    #[inline]
    pub(crate) fn poll(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>> {
        match self.state.replace(State::Done) {
            State::Ready(out) => return Poll::Ready(out),
            State::Done => {
                panic!("a detsim JoinHandle was polled after it returned its output")
            }
            waiting @ (State::Running | State::Detached) => self.state.set(waiting),
        }
        match self.waiter.take() {
            Some(w) if w.will_wake(cx.waker()) => self.waiter.set(Some(w)),
            old => {
                self.waiter.set(Some(cx.waker().clone()));
                // After the new one is in place: a waker's `Drop` may do
                // anything.
                drop(old);
            }
        }
        Poll::Pending
    }

    /// Whether the task completed or was cancelled.
    #[inline]
    pub(crate) fn is_done(&self) -> bool {
        let state = self.state.replace(State::Done);
        let done = matches!(state, State::Ready(_) | State::Done);
        self.state.set(state);
        done
    }

    /// The handle is gone: the output (now or when it comes) is dropped,
    /// and so is its waker.
    #[inline]
    pub(crate) fn detach(&self) {
        let output = match self.state.replace(State::Done) {
            State::Running | State::Detached => {
                self.state.set(State::Detached);
                None
            }
            State::Ready(out) => Some(out),
            State::Done => None,
        };
        let waiter = self.waiter.take();
        drop(output);
        drop(waiter);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn a_small_output_s_slot_is_two_words_and_a_waker() {
        assert_eq!(std::mem::size_of::<JoinSlot<usize>>(), 32);
    }

    #[test]
    fn the_output_waits_for_the_handle_which_is_woken_once() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&count));
        let mut cx = Context::from_waker(&waker);
        let slot = JoinSlot::new();
        assert!(slot.poll(&mut cx).is_pending());
        assert!(slot.poll(&mut cx).is_pending(), "the same waker, kept");
        assert!(!slot.is_done());
        slot.complete(Ok(5));
        assert_eq!(count.0.load(Ordering::Relaxed), 1);
        assert!(slot.is_done());
        slot.complete(Err(JoinError::cancelled()));
        assert!(slot.is_done(), "a cancel after completing is a no-op");
        assert_eq!(slot.poll(&mut cx), Poll::Ready(Ok(5)));
        assert!(slot.is_done());
    }

    #[test]
    fn a_detached_slot_drops_its_output_when_it_comes() {
        let output = Arc::new(());
        let slot = JoinSlot::new();
        slot.detach();
        assert!(!slot.is_done());
        slot.complete(Ok(Arc::clone(&output)));
        assert!(slot.is_done());
        assert_eq!(Arc::strong_count(&output), 1, "dropped at once");

        let late = JoinSlot::new();
        late.complete(Ok(Arc::clone(&output)));
        assert_eq!(Arc::strong_count(&output), 2, "waits for the handle");
        late.detach();
        assert_eq!(Arc::strong_count(&output), 1, "dropped with the handle");
    }

    #[test]
    #[should_panic(expected = "polled after it returned its output")]
    fn a_handle_polled_after_its_output_panics() {
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        let slot = JoinSlot::new();
        slot.complete(Ok(1));
        assert_eq!(slot.poll(&mut cx), Poll::Ready(Ok(1)));
        let _ = slot.poll(&mut cx);
    }
}
