use std::fmt;

use crate::runtime::context;

/// A task's id: its spawn order within the run, so the same seed gives the
/// same ids. The `block_on` future is a task too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub(crate) u64);

impl TaskId {
    /// The id as a number.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task#{}", self.0)
    }
}

/// The id of the task being polled.
///
/// # Panics
///
/// Outside a detsim task.
#[track_caller]
pub fn id() -> TaskId {
    try_id().expect("detsim::task::id() was called outside a detsim task; call it from inside a spawned task or block_on")
}

/// The id of the task being polled, or `None` outside any task.
pub fn try_id() -> Option<TaskId> {
    context::try_runtime().and_then(|rt| rt.exec.current_id())
}
