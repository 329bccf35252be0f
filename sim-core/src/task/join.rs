use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::runtime::resident::Orphan;
use crate::runtime::{Home, TaskKey};
use crate::task::TaskId;
use crate::task::cell::JoinPart;
use crate::trace::EventKind;

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
    /// The task's cell, touched only on its runtime's thread.
    cell: HomeOnlyCell<T>,
    home: Home,
    id: TaskId,
    key: TaskKey,
}

/// The handle's reference to the task cell, marked `Send + Sync` for it:
/// every use goes through the same-runtime check, and a drop away from
/// the runtime defers the release to it (see `cell.rs`, Safety). Apart
/// from `JoinHandle` so the marker impls need no `T: 'static` bound.
///
/// One strong reference of an `Arc<dyn JoinPart<T>>`, kept as the pointer
/// `Arc::into_raw` gives (to the cell, not to the `Arc`'s header): a use
/// then reaches the cell directly, where an `Arc<dyn _>` works out the
/// cell's offset from its vtable's alignment at every call. Given back
/// as the `Arc` exactly once, when the handle drops.
struct HomeOnlyCell<T>(NonNull<dyn JoinPart<T>>);

impl<T> HomeOnlyCell<T> {
    /// The cell.
    #[inline(always)]
    fn get(&self) -> &dyn JoinPart<T> {
        // SAFETY: the reference this holds (given back only by `JoinHandle`'s
        // drop, which uses this no more) keeps the cell alive.
        unsafe { self.0.as_ref() }
    }
}

// SAFETY: the `Arc` and the cell behind it are only used or released on
// the home runtime's thread; `JoinHandle` guarantees it (see above).
unsafe impl<T> Send for HomeOnlyCell<T> {}
// SAFETY: as for `Send`: `&JoinHandle` reaches the cell only after the
// same-runtime check.
unsafe impl<T> Sync for HomeOnlyCell<T> {}

impl<T: 'static> JoinHandle<T> {
    pub(crate) fn new(cell: Arc<dyn JoinPart<T>>, home: Home, id: TaskId, key: TaskKey) -> Self {
        JoinHandle {
            cell: HomeOnlyCell(
                NonNull::new(Arc::into_raw(cell).cast_mut())
                    .expect("an Arc's pointer is never null"),
            ),
            home,
            id,
            key,
        }
    }

    fn describe(&self) -> String {
        format!("the JoinHandle of task#{}", self.id.as_u64())
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
        self.home.with(
            || self.describe(),
            |rt| {
                // When the task aborts itself, the executor drops it after the
                // current poll and records the abort then.
                if rt.exec.abort(self.key) && self.cell.get().is_done() {
                    rt.record(EventKind::Aborted { task: self.id });
                }
            },
        );
    }

    /// Whether the task finished (completed or aborted).
    ///
    /// # Panics
    ///
    /// Outside the runtime the task was spawned in.
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        self.home.check(|| self.describe());
        self.cell.get().is_done()
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
        self.home.with(
            || self.describe(),
            |rt| {
                let out = self.cell.get().poll_join(cx);
                if out.is_pending() {
                    rt.note_wait(crate::runtime::WaitReason::Join { task: id });
                }
                out
            },
        )
    }
}

impl<T: 'static> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let _untracked = crate::alloc::Untracked::new();
        // SAFETY: the reference `HomeOnlyCell` holds, given back exactly
        // once, here; the handle reaches the cell no more after this drop
        // (the detach below goes through it while `cell` keeps it alive,
        // and `cell` is released even if the detach unwinds).
        let cell = unsafe { Arc::from_raw(self.cell.0.as_ptr()) };
        if self.home.is_current() {
            self.cell.get().detach();
            drop(cell);
        } else {
            detach_later(&self.home, cell);
        }
    }
}

/// A handle dropped away from its running runtime: the detach (which may
/// drop the output) and the release happen on the runtime's thread, as a
/// resident value's (see `resident.rs`).
#[cold]
#[inline(never)]
fn detach_later<T: 'static>(home: &Home, cell: Arc<dyn JoinPart<T>>) {
    struct Detach<T: 'static>(Arc<dyn JoinPart<T>>);
    impl<T: 'static> Drop for Detach<T> {
        fn drop(&mut self) {
            self.0.detach();
        }
    }
    home.release_value(Orphan::new(Rc::new(Detach(cell))));
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
    pub(crate) fn cancelled() -> JoinError {
        JoinError {
            kind: JoinErrorKind::Cancelled,
        }
    }

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
