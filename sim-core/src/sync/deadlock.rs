//! What a deadlock report says about a task blocked on a sync primitive,
//! and the wait-for cycles among stuck tasks.
//!
//! A primitive's future that returns `Pending` notes a [`SyncWait`] with
//! the executor, as timers and sockets note theirs: a weak pointer to the
//! primitive's shared state and the operation. The words are made only if
//! the run deadlocks, from the state at that moment (who holds the lock
//! now, which senders are still alive). The pointer is weak so that a note
//! never keeps a primitive (or the values queued in a channel) alive, and
//! dropping a note never runs user code.
//!
//! A wait-for graph joins each stuck task to the tasks that could end its
//! wait: a lock's holders, the tasks that last used a channel's other end,
//! the task a `JoinHandle` waits for. A cycle in it is a deadlock that no
//! other task can break, and the report names it under its first task.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Weak};

use crate::failure::StuckTask;
use crate::runtime::{RuntimeInner, WaitReason, context};
use crate::sync::stamp::Owner;
use crate::task::TaskId;

/// The operation a task waits to complete on a primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// `Mutex::lock`.
    Lock,
    /// `RwLock::read`.
    Read,
    /// `RwLock::write`.
    Write,
    /// `Semaphore::acquire_many(n)`.
    Acquire(u32),
    /// `Notify::notified`.
    Notified,
    /// Receiving from a channel.
    Recv,
    /// Sending on (or reserving capacity in) a bounded channel.
    Send,
    /// `Sender::closed`: waiting for the receiving side to go away.
    Closed,
    /// `watch::Receiver::changed`.
    Changed,
    /// `Barrier::wait`.
    Barrier,
}

impl Op {
    /// How the primitive relates to the tasks that could end the wait, in
    /// a cycle's words ("held by task `b`").
    fn relation(self) -> &'static str {
        match self {
            Op::Lock | Op::Read | Op::Write | Op::Acquire(_) => "held by",
            Op::Recv | Op::Changed => "whose sender was last used by",
            Op::Send | Op::Closed => "whose receiver was last used by",
            // Never in a cycle: any task may notify or arrive, so these
            // waits name no blocker.
            Op::Notified | Op::Barrier => "",
        }
    }
}

/// A primitive's shared state, as deadlock reports see it.
pub(crate) trait WaitTarget: Send + Sync {
    /// Its name in a report, for a task doing `op` (`Mutex `accounts``,
    /// `mpsc receiver `jobs``).
    fn label(&self, op: Op) -> String;
    /// What a task doing `op` waits on, in full: the label and the state
    /// that keeps it waiting.
    fn describe(&self, op: Op, ctx: &ReportCtx<'_>) -> String;
    /// The tasks that could end the wait (holders, the other end's users).
    fn blockers(&self, op: Op) -> Vec<Owner>;
}

/// What a task blocked on a sync primitive waits for; see the module docs.
#[derive(Clone)]
pub(crate) struct SyncWait {
    target: Weak<dyn WaitTarget>,
    op: Op,
}

impl SyncWait {
    /// Notes that the task being polled waits on `target` to do `op`.
    pub(crate) fn note<T: WaitTarget + 'static>(target: &Arc<T>, op: Op) {
        context::with_current(|rt| {
            if let Some(rt) = rt {
                let target: Weak<dyn WaitTarget> = Arc::downgrade(target) as Weak<dyn WaitTarget>;
                rt.note_wait(WaitReason::Sync(SyncWait { target, op }));
            }
        });
    }

    /// The report's words for task `me`'s wait.
    pub(crate) fn describe(&self, ctx: &ReportCtx<'_>) -> String {
        match self.target.upgrade() {
            Some(target) => target.describe(self.op, ctx),
            None => "a detsim::sync primitive that has been dropped".to_string(),
        }
    }

    fn blockers(&self) -> Vec<Owner> {
        self.target
            .upgrade()
            .map(|t| t.blockers(self.op))
            .unwrap_or_default()
    }

    fn label(&self) -> String {
        self.target
            .upgrade()
            .map_or_else(|| "a dropped primitive".to_string(), |t| t.label(self.op))
    }
}

impl PartialEq for SyncWait {
    fn eq(&self, other: &Self) -> bool {
        Weak::ptr_eq(&self.target, &other.target) && self.op == other.op
    }
}

impl Eq for SyncWait {}

impl fmt::Debug for SyncWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SyncWait({:?} on {})", self.op, self.label())
    }
}

impl fmt::Display for SyncWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// What describing a stuck task's wait needs: the runtime (for task
/// names), which task is describing and which tasks are alive.
pub(crate) struct ReportCtx<'a> {
    rt: &'a RuntimeInner,
    runtime: usize,
    me: TaskId,
    alive: &'a BTreeSet<TaskId>,
}

impl ReportCtx<'_> {
    /// The stuck task whose wait is being described.
    pub(crate) fn me(&self) -> TaskId {
        self.me
    }

    /// How a report names `owner`: ``task `b` ``, `task#3`, with
    /// "(this task)" or "(finished)" when that matters.
    pub(crate) fn task(&self, owner: Owner) -> String {
        if owner.runtime == 0 {
            return "code outside any detsim runtime".to_string();
        }
        if owner.runtime != self.runtime {
            return "a task of another runtime".to_string();
        }
        let Some(id) = owner.task else {
            return "the runtime (outside any task)".to_string();
        };
        let mut name = short_name(self.rt, id);
        if id == self.me {
            name.push_str(" (this task)");
        } else if !self.alive.contains(&id) {
            name.push_str(" (finished)");
        }
        name
    }

    /// The wall of a list: `task `a`, task `b` and 3 more`.
    pub(crate) fn tasks(&self, owners: impl IntoIterator<Item = Owner>) -> String {
        let names: Vec<String> = owners.into_iter().map(|o| self.task(o)).collect();
        list(&names, 4)
    }
}

/// ``task `name` `` or `task#3`.
fn short_name(rt: &RuntimeInner, id: TaskId) -> String {
    match rt.exec.info(id).and_then(|i| i.name) {
        Some(name) => format!("task `{name}`"),
        None => id.to_string(),
    }
}

/// `items` joined as English, at most `max` of them: `a, b and 2 more`.
pub(crate) fn list(items: &[String], max: usize) -> String {
    let shown = &items[..items.len().min(max)];
    let rest = items.len() - shown.len();
    match (shown, rest) {
        ([], _) => String::new(),
        ([one], 0) => one.clone(),
        (_, 0) => format!(
            "{} and {}",
            shown[..shown.len() - 1].join(", "),
            shown[shown.len() - 1]
        ),
        (_, rest) => format!("{} and {rest} more", shown.join(", ")),
    }
}

/// The report's words for each stuck task blocked on a sync primitive
/// (`None` for other waits), then the wait-for cycles among all stuck
/// tasks appended to the first task of each. `waits` and `stuck` are in
/// the same order.
pub(crate) fn describe_stuck(
    rt: &RuntimeInner,
    waits: &[(TaskId, Option<WaitReason>)],
    stuck: &mut [StuckTask],
) {
    let alive: BTreeSet<TaskId> = waits.iter().map(|(id, _)| *id).collect();
    let runtime = Arc::as_ptr(&rt.exec.queue) as usize;
    for ((me, reason), stuck) in waits.iter().zip(stuck.iter_mut()) {
        if let Some(WaitReason::Sync(wait)) = reason {
            let ctx = ReportCtx {
                rt,
                runtime,
                me: *me,
                alive: &alive,
            };
            stuck.waits_on = wait.describe(&ctx);
        }
    }
    // The wait-for graph: edges[i] = the stuck tasks (by index) that
    // could end task i's wait.
    let index = |id: TaskId| waits.iter().position(|(t, _)| *t == id);
    let edges: Vec<Vec<usize>> = waits
        .iter()
        .map(|(_, reason)| {
            let mut to: Vec<usize> = match reason {
                Some(WaitReason::Sync(wait)) => wait
                    .blockers()
                    .into_iter()
                    .filter(|o| o.runtime == runtime)
                    .filter_map(|o| o.task.and_then(index))
                    .collect(),
                Some(WaitReason::Join { task }) => index(*task).into_iter().collect(),
                _ => Vec::new(),
            };
            to.sort_unstable();
            to.dedup();
            to
        })
        .collect();
    for (start, stuck) in stuck.iter_mut().enumerate() {
        if let Some(cycle) = shortest_cycle(&edges, start) {
            let words = cycle_words(rt, waits, &cycle);
            stuck
                .waits_on
                .push_str(&format!("\n      wait-for cycle: {words}"));
        }
    }
}

/// The shortest cycle through `start` that visits only nodes after it (so
/// each cycle is found once, from its first node), as the nodes in order;
/// cycles of one task (a task waiting on itself) are left to the wait's
/// own words, which say "(this task)".
fn shortest_cycle(edges: &[Vec<usize>], start: usize) -> Option<Vec<usize>> {
    let mut parent: Vec<Option<usize>> = vec![None; edges.len()];
    let mut frontier = std::collections::VecDeque::new();
    for &next in &edges[start] {
        if next > start && parent[next].is_none() {
            parent[next] = Some(start);
            frontier.push_back(next);
        }
    }
    while let Some(node) = frontier.pop_front() {
        for &next in &edges[node] {
            if next == start {
                let mut cycle = vec![node];
                let mut at = node;
                while let Some(p) = parent[at].filter(|&p| p != start) {
                    cycle.push(p);
                    at = p;
                }
                cycle.push(start);
                cycle.reverse();
                return Some(cycle);
            }
            if next > start && parent[next].is_none() {
                parent[next] = Some(node);
                frontier.push_back(next);
            }
        }
    }
    None
}

/// ``task `a` waits on Mutex `m1`, held by task `b`; task `b` waits on
/// Mutex `m2`, held by task `a` ``.
fn cycle_words(
    rt: &RuntimeInner,
    waits: &[(TaskId, Option<WaitReason>)],
    cycle: &[usize],
) -> String {
    let steps: Vec<String> = cycle
        .iter()
        .enumerate()
        .map(|(i, &node)| {
            let (id, reason) = &waits[node];
            let next = short_name(rt, waits[cycle[(i + 1) % cycle.len()]].0);
            let who = short_name(rt, *id);
            match reason {
                Some(WaitReason::Sync(wait)) => format!(
                    "{who} waits on {}, {} {next}",
                    wait.label(),
                    wait.op.relation()
                ),
                _ => format!("{who} waits for {next} to finish"),
            }
        })
        .collect();
    steps.join("; ")
}
