//! Task ids: tokio's under tokio, detsim's spawn-order ids under detsim.

use std::fmt;

use crate::world::in_detsim;

/// An opaque id of a task, unique among the tasks of its runtime
/// (`tokio::task::Id`).
///
/// Under detsim it is the task's spawn order within the run
/// ([`detsim::task::TaskId`]), so the same seed gives the same ids; under
/// tokio it is tokio's id. Ids of the two worlds never compare equal.
///
/// ```
/// detsim::Runtime::sim(1).block_on(async {
///     let handle = detsim_tokio::spawn(async { detsim_tokio::task::id() });
///     let id = handle.id();
///     assert_eq!(handle.await.unwrap(), id);
/// });
/// ```
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq, PartialOrd, Ord)]
pub struct Id(Repr);

#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq, PartialOrd, Ord)]
enum Repr {
    Tokio(tokio::task::Id),
    Sim(detsim::task::TaskId),
}

impl Id {
    pub(crate) fn tokio(id: tokio::task::Id) -> Id {
        Id(Repr::Tokio(id))
    }

    pub(crate) fn sim(id: detsim::task::TaskId) -> Id {
        Id(Repr::Sim(id))
    }
}

impl fmt::Display for Id {
    /// The id as a number, like tokio's.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Tokio(id) => fmt::Display::fmt(&id, f),
            Repr::Sim(id) => fmt::Display::fmt(&id.as_u64(), f),
        }
    }
}

/// The id of the task being polled (`tokio::task::id`).
///
/// # Panics
///
/// Outside a task, like tokio's.
#[track_caller]
pub fn id() -> Id {
    if in_detsim() {
        Id::sim(detsim::task::id())
    } else {
        Id::tokio(tokio::task::id())
    }
}

/// The id of the task being polled, or `None` outside any task
/// (`tokio::task::try_id`).
pub fn try_id() -> Option<Id> {
    if in_detsim() {
        detsim::task::try_id().map(Id::sim)
    } else {
        tokio::task::try_id().map(Id::tokio)
    }
}
