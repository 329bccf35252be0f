//! Nodes: the simulated machines tasks run on.
//!
//! Every task belongs to a node, inherited from the task that spawned it;
//! the test body runs on [`NodeId::MAIN`]. Crashing a node stops all of its
//! tasks at once (their futures are dropped, as a process dies) and tells
//! every subsystem that registered a crash hook, so the network can mark
//! the host down (its sockets closed with its tasks) and the disk can
//! forget what was not synced.
//! `detsim::net` gives nodes names and addresses (hosts); the core only
//! knows their ids and names.
//!
//! ```
//! use detsim::{node, spawn, time::{sleep, Duration}};
//!
//! detsim::Runtime::sim(0).block_on(async {
//!     let server = node::create("server");
//!     let h = detsim::task::Builder::new().node(server).spawn(async {
//!         sleep(Duration::from_secs(10)).await;
//!     });
//!     sleep(Duration::from_secs(1)).await;
//!     assert_eq!(node::crash(server), 1);
//!     assert!(h.await.unwrap_err().is_cancelled());
//! });
//! ```

use std::fmt;
use std::rc::Rc;

use crate::runtime::{RuntimeInner, context};
use crate::trace::EventKind;

/// A node's id: creation order within the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// The node the test body runs on.
    pub const MAIN: NodeId = NodeId(0);

    /// The id as a number.
    pub fn as_u32(self) -> u32 {
        self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node#{}", self.0)
    }
}

/// Registry of nodes and crash hooks, owned by the runtime.
pub(crate) struct Nodes {
    pub(crate) names: Vec<Rc<str>>,
    pub(crate) hooks: Vec<Rc<dyn Fn(NodeId)>>,
}

impl Nodes {
    pub(crate) fn new() -> Nodes {
        Nodes {
            names: vec![Rc::from("main")],
            hooks: Vec::new(),
        }
    }
}

/// Creates a node named `name`.
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn create(name: &str) -> NodeId {
    let _untracked = crate::alloc::Untracked::new();
    context::with_runtime("detsim::node::create", |rt| {
        let mut nodes = rt.nodes.borrow_mut();
        // Below 2^31: a link between two nodes is named by one number.
        let id = u32::try_from(nodes.names.len())
            .ok()
            .filter(|&n| n < 1 << 31)
            .expect("detsim: more than 2 billion nodes in one run");
        let id = NodeId(id);
        nodes.names.push(Rc::from(name));
        id
    })
}

/// The node of the running task.
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn current() -> NodeId {
    context::with_runtime("detsim::node::current", |rt| rt.exec.current_node())
}

/// The name `node` was created with.
///
/// # Panics
///
/// If `node` does not exist in this runtime, or outside a detsim runtime.
#[track_caller]
pub fn name(node: NodeId) -> Rc<str> {
    context::with_runtime("detsim::node::name", |rt| {
        let nodes = rt.nodes.borrow();
        nodes
            .names
            .get(node.0 as usize)
            .cloned()
            .unwrap_or_else(|| panic!("{node} does not exist in this runtime"))
    })
}

/// Crashes `node`: drops every task running on it (a task crashing its own
/// node stops after its current poll), then runs the crash hooks. Returns
/// how many tasks were stopped.
///
/// # Panics
///
/// For [`NodeId::MAIN`] (the test body cannot crash itself: put the system
/// under test on its own nodes), or outside a detsim runtime.
#[track_caller]
pub fn crash(node: NodeId) -> usize {
    let _untracked = crate::alloc::Untracked::new();
    assert!(
        node != NodeId::MAIN,
        "detsim::node::crash: the main node runs the test body and cannot crash"
    );
    let rt = context::runtime("detsim::node::crash");
    rt.record(EventKind::Kernel {
        resource: crate::kernel::ResourceId::node(node),
        what: "node crash",
        value: i64::from(node.0),
    });
    let tasks = rt.exec.tasks_on(node);
    for &key in &tasks {
        rt.exec.abort(key);
    }
    let hooks = rt.nodes.borrow().hooks.clone();
    for hook in hooks {
        hook(node);
    }
    tasks.len()
}

/// Registers `hook` on `rt` to run whenever a node crashes, after its
/// tasks are gone: what [`KernelHandle::on_node_crash`] does.
///
/// [`KernelHandle::on_node_crash`]: crate::kernel::KernelHandle::on_node_crash
pub(crate) fn on_crash(rt: &RuntimeInner, hook: impl Fn(NodeId) + 'static) {
    rt.nodes.borrow_mut().hooks.push(Rc::new(hook));
}
