//! `JoinHandle` and `AbortHandle`: a task of either world.
//!
//! A handle carries the world its task was spawned in. A simulated task's
//! detsim handle sits behind an `Arc<Mutex<..>>` so that an [`AbortHandle`]
//! can share it (detsim's handle is not cloneable); the lock is only ever
//! taken on the simulation's thread, so it is never contended. The tokio
//! variant is tokio's handle as it is: the production path adds one match.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use crate::task::{Id, JoinError};

/// An owned permission to await a task's output or abort it
/// (`tokio::task::JoinHandle`).
///
/// Awaiting gives `Ok(output)` or a [`JoinError`]. Dropping the handle
/// detaches the task: it keeps running. `Send` and `Sync` when `T: Send`,
/// and `Unpin`, like tokio's.
///
/// ```
/// detsim::Runtime::sim(4).block_on(async {
///     let handle = detsim_tokio::spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
/// });
/// ```
pub struct JoinHandle<T>(Repr<T>);

enum Repr<T> {
    Tokio(tokio::task::JoinHandle<T>),
    /// The simulated task, shared with its [`AbortHandle`]s. One pointer,
    /// so that the handle is two words (tokio's is one) on the production
    /// path too: a `Vec` of 64 handles still fits glibc's thread cache.
    Sim(Arc<dyn Join<T>>),
}

/// A simulated task's detsim handle, shared with its abort handles.
struct SimTask<T: 'static> {
    id: detsim::task::TaskId,
    handle: Mutex<detsim::JoinHandle<T>>,
}

impl<T: 'static> SimTask<T> {
    fn lock(&self) -> MutexGuard<'_, detsim::JoinHandle<T>> {
        self.handle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Awaiting a simulated task (and all an [`AbortHandle`] does), behind a
/// pointer that does not require `T: 'static` to be named (tokio's
/// `JoinHandle<T>` has no such bound).
trait Join<T>: Abort {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>>;

    /// The same task, for an [`AbortHandle`], which knows no `T`.
    fn into_abort(self: Arc<Self>) -> Arc<dyn Abort>;
}

impl<T: 'static> Join<T> for SimTask<T> {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>> {
        let id = self.id;
        Pin::new(&mut *self.lock())
            .poll(cx)
            .map_err(|e| JoinError::sim(id, e))
    }

    fn into_abort(self: Arc<Self>) -> Arc<dyn Abort> {
        self
    }
}

/// What an [`AbortHandle`] needs of a simulated task, whatever its output.
trait Abort: Send + Sync {
    fn abort(&self);
    fn is_finished(&self) -> bool;
    fn id(&self) -> detsim::task::TaskId;
}

impl<T: 'static> Abort for SimTask<T> {
    #[track_caller]
    fn abort(&self) {
        self.lock().abort();
    }

    #[track_caller]
    fn is_finished(&self) -> bool {
        self.lock().is_finished()
    }

    fn id(&self) -> detsim::task::TaskId {
        self.id
    }
}

impl<T: 'static> JoinHandle<T> {
    pub(crate) fn sim(handle: detsim::JoinHandle<T>) -> JoinHandle<T> {
        JoinHandle(Repr::Sim(Arc::new(SimTask {
            id: handle.id(),
            handle: Mutex::new(handle),
        })))
    }
}

impl<T> JoinHandle<T> {
    pub(crate) fn tokio(handle: tokio::task::JoinHandle<T>) -> JoinHandle<T> {
        JoinHandle(Repr::Tokio(handle))
    }

    /// Aborts the task: it stops at its next await point (under detsim, its
    /// future is dropped now) and awaiting the handle gives a cancelled
    /// [`JoinError`]. A no-op if the task already finished.
    ///
    /// # Panics
    ///
    /// Under detsim, outside the run the task belongs to.
    #[track_caller]
    pub fn abort(&self) {
        match &self.0 {
            Repr::Tokio(h) => h.abort(),
            Repr::Sim(task) => task.abort(),
        }
    }

    /// Whether the task finished (completed, panicked or was aborted).
    ///
    /// # Panics
    ///
    /// Under detsim, outside the run the task belongs to.
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        match &self.0 {
            Repr::Tokio(h) => h.is_finished(),
            Repr::Sim(task) => task.is_finished(),
        }
    }

    /// A handle that can abort the task but not await it.
    pub fn abort_handle(&self) -> AbortHandle {
        match &self.0 {
            Repr::Tokio(h) => AbortHandle(AbortRepr::Tokio(h.abort_handle())),
            Repr::Sim(task) => AbortHandle(AbortRepr::Sim(task.clone().into_abort())),
        }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        match &self.0 {
            Repr::Tokio(h) => Id::tokio(h.id()),
            Repr::Sim(task) => Id::sim(task.id()),
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            Repr::Tokio(h) => Pin::new(h).poll(cx).map_err(JoinError::tokio),
            Repr::Sim(task) => task.poll_join(cx),
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

/// A handle that aborts a task without awaiting it
/// (`tokio::task::AbortHandle`). Cloneable, `Send + Sync`.
///
/// ```
/// use detsim_tokio::time::{sleep, Duration};
///
/// detsim::Runtime::sim(5).block_on(async {
///     let task = detsim_tokio::spawn(sleep(Duration::from_secs(60)));
///     let abort = task.abort_handle();
///     abort.abort();
///     assert!(task.await.unwrap_err().is_cancelled());
///     assert!(abort.is_finished());
/// });
/// ```
#[derive(Clone)]
pub struct AbortHandle(AbortRepr);

#[derive(Clone)]
enum AbortRepr {
    Tokio(tokio::task::AbortHandle),
    Sim(Arc<dyn Abort>),
}

impl AbortHandle {
    pub(crate) fn tokio(handle: tokio::task::AbortHandle) -> AbortHandle {
        AbortHandle(AbortRepr::Tokio(handle))
    }

    /// Aborts the task, as [`JoinHandle::abort`].
    ///
    /// # Panics
    ///
    /// Under detsim, outside the run the task belongs to.
    #[track_caller]
    pub fn abort(&self) {
        match &self.0 {
            AbortRepr::Tokio(h) => h.abort(),
            AbortRepr::Sim(task) => task.abort(),
        }
    }

    /// Whether the task finished, as [`JoinHandle::is_finished`].
    ///
    /// # Panics
    ///
    /// Under detsim, outside the run the task belongs to.
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        match &self.0 {
            AbortRepr::Tokio(h) => h.is_finished(),
            AbortRepr::Sim(task) => task.is_finished(),
        }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        match &self.0 {
            AbortRepr::Tokio(h) => Id::tokio(h.id()),
            AbortRepr::Sim(task) => Id::sim(task.id()),
        }
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}
