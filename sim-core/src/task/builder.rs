use std::future::Future;
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;

use crate::alloc::Untracked;
use crate::node::NodeId;
use crate::runtime::{Home, context};
use crate::task::JoinHandle;
use crate::task::cell::TaskCell;
use crate::trace::EventKind;

/// Spawns tasks with a name, shown in traces and failure reports.
///
/// ```
/// use detsim::task::Builder;
///
/// detsim::Runtime::sim(1).block_on(async {
///     let server = Builder::new().name("server").spawn(async { "up" });
///     assert_eq!(server.await.unwrap(), "up");
/// });
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder {
    name: Option<Rc<str>>,
    node: Option<NodeId>,
}

impl Builder {
    /// A builder for an unnamed task.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the task.
    pub fn name(mut self, name: &str) -> Builder {
        let _untracked = Untracked::new();
        self.name = Some(Rc::from(name));
        self
    }

    /// Runs the task on `node` (default: the spawning task's node). A
    /// node's tasks stop together when it crashes.
    pub fn node(mut self, node: NodeId) -> Builder {
        self.node = Some(node);
        self
    }

    /// Spawns `future` on the current runtime; the caller's location is
    /// recorded as the task's spawn location.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let location = Location::caller();
        // Lent, not cloned: no count moves.
        context::with_runtime("detsim::spawn", |rt| {
            // The task's cell (its future and its output's slot, as
            // tokio's) is the spawner's memory: charged to it.
            let cell = TaskCell::new(future, Arc::clone(&rt.exec.queue));
            // The rest is the executor's bookkeeping.
            let _untracked = Untracked::new();
            let (key, id) = rt.exec.insert(
                cell.clone(),
                TaskCell::<F>::waker_vtable(),
                self.name,
                location,
                self.node,
            );
            cell.set_key(key.raw());
            rt.record_task(EventKind::Spawned { task: id });
            JoinHandle::new(cell, Home::of(rt), id, key)
        })
    }
}
