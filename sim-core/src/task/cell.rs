//! The task cell: one allocation per spawned task holding its waker state,
//! its future and the slot its output waits in for the `JoinHandle`.
//!
//! A cell is an `Arc`. The executor's task table holds one reference (as
//! `Arc<dyn Task>`; the task's waker is the same `Arc`, through the
//! cell's waker vtable), the `JoinHandle` another (as
//! `Arc<dyn JoinPart<T>>`), and every waker one more.
//!
//! # States
//!
//! - **Running**: `future` is `Some`; the executor polls it in place (it
//!   never moves: the `Arc`'s value does not).
//! - **Completed**: the last poll returned `Ready`; the output sits in
//!   `join` until the handle takes it (or is dropped at once when the
//!   handle is gone: see `task/join_slot.rs`). `future` is still `Some` until the executor
//!   calls [`Task::drop_future`] right after recording the finish.
//! - **Cancelled**: aborted, crashed with its node, or dropped at teardown:
//!   the future is dropped in place and the handle sees a cancelled
//!   `JoinError` (teardown completes nothing: nobody awaits any more).
//! - **Freed**: the last reference went, on whatever thread.
//!
//! # Safety argument
//!
//! The cell is `Send + Sync` (std's `Waker` requires it) although the
//! future and the output need not be. That is sound because:
//! - from any thread, a waker reads only `waker` (an atomic key, set
//!   once before any waker of the cell leaves the runtime's thread, an
//!   atomic flag and the ready queue's `Arc`, all `Send + Sync`);
//! - `future` and `join` are touched only on the runtime's thread: by the
//!   executor (which is `!Send`) and by the `JoinHandle` after its
//!   same-runtime check, whose drop away from the runtime hands its
//!   reference to the runtime's deferred queue (see `join.rs`);
//! - the future is always dropped in place on the runtime's thread before
//!   the executor lets go of its reference (finish, abort, node crash,
//!   teardown; the table entry's `Drop` does it if nothing else did), and
//!   the output is dropped there too (taken by the handle, or dropped when
//!   the handle is or was dropped). So when the last reference goes,
//!   maybe on another thread with a waker, only `Send` parts remain:
//!   `None`s and the waiter's `Waker`.
//!
//! The future sits in a plain `UnsafeCell`, not a `RefCell` (whose flag
//! cost every poll a test, a set and a reset). One `&mut` to it at a time
//! holds because only the executor reaches it, one call at a time:
//! - [`Task::poll`] runs only from the run loop, which polls one task at a
//!   time and never from inside a poll (a nested `block_on` is refused);
//! - [`Task::drop_future`] (and [`Task::cancel`]) never runs on a task
//!   being polled: an abort of the current task, by itself or by a crash
//!   of its node, waits for the poll's end (`Executor::abort`), finish and
//!   teardown come after the last poll, and a drop of another task's
//!   future from inside a poll reaches that task's cell, not this one;
//! - a `Drop` impl run by `drop_future` that reaches this task again finds
//!   its entry gone already (the executor removes it first), so it can
//!   neither poll it nor drop its future a second time.

use std::cell::UnsafeCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable};

use crate::runtime::waker::{RawKey, ReadyQueue, TaskWaker};
use crate::task::join::JoinError;
use crate::task::join_slot::JoinSlot;

/// What the executor does with a task, whatever its future's type.
pub(crate) trait Task {
    /// Marks the task not queued (a wake from now on queues it again),
    /// then polls the future once; on `Ready` the output goes to the join
    /// slot and the handle's waiter is woken. Never call it again after
    /// `Ready`, nor while it runs.
    fn poll(&self, cx: &mut Context<'_>) -> Poll<()>;

    /// Drops the future in place, if it is still there.
    fn drop_future(&self);

    /// Completes the handle with a cancelled `JoinError` (a no-op once
    /// the task completed).
    fn cancel_join(&self);

    /// Aborts: drops the future in place, then completes the handle with a
    /// cancelled `JoinError`.
    fn cancel(&self) {
        self.drop_future();
        self.cancel_join();
    }
}

/// What a `JoinHandle<T>` does with its task's cell.
pub(crate) trait JoinPart<T> {
    /// Takes the output, or registers `cx`'s waker for it.
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>>;

    /// Whether the task completed or was cancelled.
    fn is_done(&self) -> bool;

    /// The handle is gone: the output (now or when it comes) is dropped.
    fn detach(&self);
}

/// A spawned task: see the module docs.
pub(crate) struct TaskCell<F: Future> {
    waker: TaskWaker,
    join: JoinSlot<F::Output>,
    /// Reached by the executor only, one call at a time (module docs).
    future: UnsafeCell<Option<F>>,
}

// SAFETY: see the module docs: off the runtime's thread only `waker` is
// read, and the last reference finds nothing but `Send` values.
unsafe impl<F: Future> Send for TaskCell<F> {}
// SAFETY: as for `Send`: shared references on other threads reach only
// `waker`, whose fields are `Sync`.
unsafe impl<F: Future> Sync for TaskCell<F> {}

impl<F: Future + 'static> TaskCell<F> {
    /// A running task, queued at once (the executor puts its key on the
    /// run queue). Its key is set by [`TaskCell::set_key`] once the task
    /// is in the table, before anything can wake it.
    pub(crate) fn new(future: F, queue: Arc<ReadyQueue>) -> Arc<TaskCell<F>> {
        Arc::new(TaskCell {
            waker: TaskWaker::new(0, queue),
            join: JoinSlot::new(),
            future: UnsafeCell::new(Some(future)),
        })
    }

    /// Sets the task's key, once it is in the table.
    #[inline]
    pub(crate) fn set_key(&self, key: RawKey) {
        self.waker.set_key(key);
    }

    fn complete(&self, result: Result<F::Output, JoinError>) {
        self.join.complete(result);
    }
}

impl<F: Future + 'static> Task for TaskCell<F> {
    fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {
        // Here rather than in a call of its own when the executor takes the
        // task up: one virtual call per poll, not two. Nothing between the
        // two points wakes the task, and a wake there would only have
        // queued it for a second, spurious poll.
        self.waker.unqueue();
        // SAFETY: the only `&mut` to the future while the poll runs (module
        // docs), and it ends before `complete` runs user code.
        let slot = unsafe { &mut *self.future.get() };
        debug_assert!(slot.is_some(), "a task is not polled after it finished");
        // Unchecked: the test cost two instructions per poll.
        // SAFETY: the future is there. It goes only through `drop_future`
        // (and `cancel`), and every caller of those takes the task's entry
        // out of the executor's table first (finish and a panicked poll:
        // `end_poll_ready`; abort: `Executor::remove` or the end of the
        // current poll; teardown: `drain_all` or the table's drop), while
        // a poll comes only from `begin_poll`, which finds the entry in the
        // table. After `Ready` the executor takes the entry out before any
        // further poll could be asked for (the trait's contract).
        let future = unsafe { slot.as_mut().unwrap_unchecked() };
        // SAFETY: the future lives inside the `Arc` until it is dropped in
        // place (`drop_future`); it is never moved out.
        let future = unsafe { Pin::new_unchecked(future) };
        match future.poll(cx) {
            Poll::Ready(out) => {
                self.complete(Ok(out));
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn drop_future(&self) {
        // Dropped in place (the assignment runs its Drop where it lies),
        // as `Pin` requires.
        // SAFETY: never during a poll of this task nor reentrantly (module
        // docs): the only `&mut` to the future.
        let slot = unsafe { &mut *self.future.get() };
        if slot.is_some() {
            *slot = None;
        }
    }

    fn cancel_join(&self) {
        self.complete(Err(JoinError::cancelled()));
    }
}

impl<F: Future + 'static> JoinPart<F::Output> for TaskCell<F> {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<F::Output, JoinError>> {
        self.join.poll(cx)
    }

    fn is_done(&self) -> bool {
        self.join.is_done()
    }

    fn detach(&self) {
        self.join.detach();
    }
}

/// The cell's waker: its own vtable rather than std's `Wake`, so the
/// task table needs no `Waker` of its own beside the cell's reference it
/// holds (see `runtime/executor.rs`): a waker's data is the pointer
/// `Arc::into_raw` gives for the cell, which is also where the table's
/// `Arc<dyn Task>` points, and an owned waker holds one strong reference
/// (added by `clone`, released by `wake` and `drop`). A copy that the
/// executor lends to a poll is never dropped and owns nothing. Only
/// `waker` is read, which any thread may do (module docs).
impl<F: Future + 'static> TaskCell<F> {
    const WAKER_VTABLE: RawWakerVTable = RawWakerVTable::new(
        Self::clone_waker,
        Self::wake,
        Self::wake_by_ref,
        Self::drop_waker,
    );

    /// The vtable of the cell's wakers.
    pub(crate) fn waker_vtable() -> &'static RawWakerVTable {
        &Self::WAKER_VTABLE
    }

    unsafe fn clone_waker(data: *const ()) -> RawWaker {
        // SAFETY: `data` is a live cell's `Arc` pointer (above); the new
        // waker owns the reference added here.
        unsafe { Arc::increment_strong_count(data.cast::<Self>()) };
        RawWaker::new(data, &Self::WAKER_VTABLE)
    }

    unsafe fn wake(data: *const ()) {
        // SAFETY: an owned waker's reference, released here, once.
        let cell = unsafe { Arc::from_raw(data.cast::<Self>()) };
        cell.waker.wake_key();
    }

    unsafe fn wake_by_ref(data: *const ()) {
        // SAFETY: the waker's reference keeps the cell alive meanwhile.
        unsafe { &*data.cast::<Self>() }.waker.wake_key();
    }

    unsafe fn drop_waker(data: *const ()) {
        // SAFETY: an owned waker's reference, released here, once.
        drop(unsafe { Arc::from_raw(data.cast::<Self>()) });
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use crate::Runtime;
    use crate::task::{spawn, yield_now};

    /// Every path of the cell's safety argument in one run (miri runs it:
    /// `cargo +nightly miri test -p sim-core --lib task::`): a poll to
    /// `Ready` with a waiting handle, an abort of a pending task (its
    /// future dropped in place, the handle completed as cancelled), a
    /// detached task whose output is dropped when it comes, and a task
    /// that wakes itself from inside its poll.
    #[test]
    fn a_cell_polls_completes_aborts_and_detaches_without_aliasing_its_future() {
        // No long-poll watchdog: it reads the host clock, which miri
        // cannot.
        let config = crate::Config {
            long_poll_budget: std::time::Duration::ZERO,
            ..crate::Config::default()
        };
        Runtime::with_config(7, config).block_on(async {
            let done = spawn(async { Rc::new(1) });
            assert_eq!(*done.await.unwrap(), 1);

            let held = Rc::new(());
            let in_future = Rc::clone(&held);
            let forever = spawn(async move {
                let _held = in_future;
                std::future::pending::<()>().await;
            });
            yield_now().await;
            forever.abort();
            assert!(forever.await.unwrap_err().is_cancelled());
            assert_eq!(Rc::strong_count(&held), 1, "the future was dropped");

            let detached = spawn(async {
                yield_now().await;
                Rc::new("dropped with nobody waiting")
            });
            drop(detached);

            let spinner = spawn(async {
                for _ in 0..3 {
                    yield_now().await;
                }
                7
            });
            assert_eq!(spinner.await.unwrap(), 7);
        });
    }
}
