//! Why a task gave no output: tokio's `JoinError`, from either world.

use std::any::Any;
use std::fmt;
use std::io;

use crate::task::Id;

/// A task ended without output: it was aborted (cancelled), or, under
/// tokio, it panicked (`tokio::task::JoinError`).
///
/// Under detsim a panicking task fails the whole run with a report (the
/// seed, the replay line), so a `JoinError` from a simulated task is always
/// a cancellation and [`is_panic`](JoinError::is_panic) is `false`.
///
/// ```
/// use detsim_tokio::time::{sleep, Duration};
///
/// detsim::Runtime::sim(2).block_on(async {
///     let task = detsim_tokio::spawn(sleep(Duration::from_secs(60)));
///     task.abort();
///     let err = task.await.unwrap_err();
///     assert!(err.is_cancelled());
///     assert!(!err.is_panic());
/// });
/// ```
pub struct JoinError(Repr);

enum Repr {
    Tokio(tokio::task::JoinError),
    Sim {
        id: detsim::task::TaskId,
        error: detsim::task::JoinError,
    },
}

impl JoinError {
    pub(crate) fn tokio(error: tokio::task::JoinError) -> JoinError {
        JoinError(Repr::Tokio(error))
    }

    pub(crate) fn sim(id: detsim::task::TaskId, error: detsim::task::JoinError) -> JoinError {
        JoinError(Repr::Sim { id, error })
    }

    /// Whether the task was aborted.
    pub fn is_cancelled(&self) -> bool {
        match &self.0 {
            Repr::Tokio(e) => e.is_cancelled(),
            Repr::Sim { error, .. } => error.is_cancelled(),
        }
    }

    /// Whether the task panicked (never under detsim, where a panic fails
    /// the run).
    pub fn is_panic(&self) -> bool {
        match &self.0 {
            Repr::Tokio(e) => e.is_panic(),
            Repr::Sim { .. } => false,
        }
    }

    /// The panic payload, to resume it with `std::panic::resume_unwind`.
    ///
    /// # Panics
    ///
    /// If the task did not panic (it was cancelled), like tokio's.
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` was called on a task that was cancelled, not one that panicked")
    }

    /// The panic payload, or the error back if the task did not panic.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.0 {
            Repr::Tokio(e) => e.try_into_panic().map_err(JoinError::tokio),
            sim @ Repr::Sim { .. } => Err(JoinError(sim)),
        }
    }

    /// The id of the task that ended.
    pub fn id(&self) -> Id {
        match &self.0 {
            Repr::Tokio(e) => Id::tokio(e.id()),
            Repr::Sim { id, .. } => Id::sim(*id),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Tokio(e) => fmt::Display::fmt(e, f),
            Repr::Sim { id, .. } => write!(f, "task {} was cancelled", id.as_u64()),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Tokio(e) => fmt::Debug::fmt(e, f),
            Repr::Sim { id, .. } => write!(f, "JoinError::Cancelled({:?})", Id::sim(*id)),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for io::Error {
    /// Like tokio: `Other`, "task was cancelled" or "task panicked".
    fn from(e: JoinError) -> io::Error {
        match e.0 {
            Repr::Tokio(e) => io::Error::from(e),
            Repr::Sim { .. } => io::Error::other("task was cancelled"),
        }
    }
}
