use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

use crate::runtime::{Cancel, Resident, TaskKey, WaitReason};
use crate::task::TaskId;
use crate::trace::EventKind;

/// Where a task's output waits for its `JoinHandle`.
pub(crate) struct JoinCell<T> {
    state: RefCell<JoinState<T>>,
}

struct JoinState<T> {
    output: Option<Result<T, JoinError>>,
    waiter: Option<Waker>,
    done: bool,
}

impl<T> JoinCell<T> {
    pub(crate) fn new() -> JoinCell<T> {
        JoinCell {
            state: RefCell::new(JoinState {
                output: None,
                waiter: None,
                done: false,
            }),
        }
    }

    fn complete(&self, result: Result<T, JoinError>) {
        let waiter = {
            let mut s = self.state.borrow_mut();
            if s.done {
                return;
            }
            s.done = true;
            s.output = Some(result);
            s.waiter.take()
        };
        if let Some(w) = waiter {
            w.wake();
        }
    }
}

impl<T> Cancel for JoinCell<T> {
    fn cancel(&self) {
        self.complete(Err(JoinError {
            kind: JoinErrorKind::Cancelled,
        }));
    }
}

pin_project! {
    /// A spawned future that hands its output to its `JoinCell`.
    pub(crate) struct TaskFuture<F: Future> {
        #[pin]
        future: F,
        cell: Rc<JoinCell<F::Output>>,
    }
}

impl<F: Future> TaskFuture<F> {
    pub(crate) fn new(future: F, cell: Rc<JoinCell<F::Output>>) -> TaskFuture<F> {
        TaskFuture { future, cell }
    }
}

impl<F: Future> Future for TaskFuture<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        match this.future.poll(cx) {
            Poll::Ready(v) => {
                this.cell.complete(Ok(v));
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// An owned permission to await a task's output or abort it.
///
/// Awaiting gives `Ok(output)`, or `Err(JoinError)` if the task was
/// aborted. Dropping the handle detaches the task: it keeps running.
///
/// ```
/// use detsim::{spawn, time::{sleep, Duration}};
///
/// detsim::Runtime::sim(9).block_on(async {
///     let forever = spawn(async { sleep(Duration::from_secs(1 << 30)).await });
///     forever.abort();
///     assert!(forever.await.unwrap_err().is_cancelled());
/// });
/// ```
///
/// A `JoinHandle` is `Send + Sync` (whatever `T` is: the output never
/// leaves the runtime's thread), but it works only on the thread running
/// the runtime that spawned the task.
pub struct JoinHandle<T: 'static> {
    cell: Resident<JoinCell<T>>,
    id: TaskId,
    key: TaskKey,
}

impl<T: 'static> JoinHandle<T> {
    pub(crate) fn new(cell: Resident<JoinCell<T>>, id: TaskId, key: TaskKey) -> Self {
        JoinHandle { cell, id, key }
    }

    /// Stops the task: its future is dropped now (or right after its current
    /// poll, if it aborts itself) and awaiting the handle gives a cancelled
    /// [`JoinError`]. A no-op if the task already finished.
    ///
    /// # Panics
    ///
    /// Outside the runtime the task was spawned in.
    #[track_caller]
    pub fn abort(&self) {
        self.cell.with_runtime(|rt, cell| {
            // When the task aborts itself, the executor drops it after the
            // current poll and records the abort then.
            if rt.exec.abort(self.key) && cell.state.borrow().done {
                rt.record(EventKind::Aborted { task: self.id });
            }
        });
    }

    /// Whether the task finished (completed or aborted).
    ///
    /// # Panics
    ///
    /// Outside the runtime the task was spawned in.
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        self.cell.get().state.borrow().done
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let id = self.id;
        self.cell.with_runtime(|rt, cell| {
            let mut s = cell.state.borrow_mut();
            if let Some(out) = s.output.take() {
                return Poll::Ready(out);
            }
            assert!(
                !s.done,
                "a detsim JoinHandle was polled after it returned its output"
            );
            let old = match &s.waiter {
                Some(w) if w.will_wake(cx.waker()) => None,
                _ => s.waiter.replace(cx.waker().clone()),
            };
            drop(s);
            drop(old);
            rt.note_wait(WaitReason::Join { task: id });
            Poll::Pending
        })
    }
}

impl<T: 'static> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a task produced no output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinError {
    kind: JoinErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JoinErrorKind {
    Cancelled,
}

impl JoinError {
    /// Whether the task was aborted. (A panicking task fails the whole run
    /// with a report, so a `JoinError` never carries a panic.)
    pub fn is_cancelled(&self) -> bool {
        matches!(self.kind, JoinErrorKind::Cancelled)
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            JoinErrorKind::Cancelled => f.write_str("task was cancelled"),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for io::Error {
    fn from(e: JoinError) -> io::Error {
        io::Error::other(e)
    }
}
