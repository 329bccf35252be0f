use std::fmt;

use crate::task::TaskId;
use crate::time::Instant;

/// What a pending task last registered interest in; shown in deadlock
/// reports. Leaf futures record it when they return `Pending`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WaitReason {
    /// A timer.
    Sleep { until: Instant },
    /// Another task's completion.
    Join { task: TaskId },
    /// A submitted operation's completion.
    Completion { target: crate::kernel::ResourceId },
    /// A kernel resource registration.
    Resource(crate::kernel::ResourceWait),
    /// A `detsim::sync` primitive (described from its state at report time).
    Sync(crate::sync::SyncWait),
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitReason::Sleep { until } => write!(f, "a timer at t={until}"),
            WaitReason::Join { task } => write!(f, "{task} to finish"),
            WaitReason::Completion { target } => {
                write!(f, "the completion of an operation on {target}")
            }
            WaitReason::Resource(wait) => write!(f, "{wait}"),
            WaitReason::Sync(wait) => write!(f, "{wait}"),
        }
    }
}
