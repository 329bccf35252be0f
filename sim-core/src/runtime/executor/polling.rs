//! What one poll borrows from the task table ([`Polling`]), and a task
//! removed at teardown ([`Drained`]).

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::task::TaskId;
use crate::task::cell::Task;

/// A task taken up for polling.
pub(crate) struct Polling {
    pub(crate) id: TaskId,
    /// The task's cell (`None`: the `block_on` future), borrowed from its
    /// entry: an entry being polled is never removed before `end_poll_*`
    /// (an abort waits for the poll's end; see `Executor::abort`), and
    /// nothing drops the table during a poll.
    pub(super) task: Option<NonNull<dyn Task>>,
    /// A bitwise copy of the entry's waker, never dropped: a spawned
    /// task's cell (alive as long as `task` is) or `block_on`'s
    /// `TaskWaker` (whose entry lives for the whole `block_on`: a nested
    /// `block_on` is refused before it could replace it).
    pub(super) waker: ManuallyDrop<Waker>,
}

impl Polling {
    /// The waker for the poll's `Context`.
    #[inline]
    pub(crate) fn waker(&self) -> &Waker {
        &self.waker
    }

    /// Polls the spawned task; `None` for the `block_on` future, which
    /// the loop polls itself. Call before `end_poll_*` only.
    #[inline]
    pub(crate) fn poll_task(&self, cx: &mut Context<'_>) -> Option<Poll<()>> {
        // SAFETY: the entry's `Arc` keeps the cell alive until `end_poll_*`
        // (see `task`), and the caller polls before that.
        self.task.map(|task| unsafe { task.as_ref() }.poll(cx))
    }
}

/// A task removed at teardown: dropping it drops its future in place.
pub(crate) struct Drained(pub(super) Arc<dyn Task>);

impl Drop for Drained {
    fn drop(&mut self) {
        self.0.drop_future();
    }
}
