//! Failure reports from the runtime's state: how tasks and resources are
//! named, what a deadlock's stuck tasks wait on, and the report's events
//! and injected faults with those names beside them.

use crate::failure::{Failure, FailureKind, ReportEvent, StuckTask, TaskDesc};
use crate::kernel::{ResourceId, Subject};
use crate::runtime::{RuntimeInner, WaitReason};
use crate::task::TaskId;
use crate::trace::{Event, EventKind};

impl RuntimeInner {
    /// How reports name the IO resource `id`, as `kind#n`.
    pub(crate) fn io_name(&self, id: ResourceId) -> String {
        self.resource_name(id)
            .unwrap_or_else(|| "a resource".to_string())
    }

    pub(crate) fn task_desc(&self, id: TaskId) -> TaskDesc {
        let Some(info) = self.exec.info(id) else {
            // Only the OS runtime forgets tasks, and only long-finished ones.
            return TaskDesc {
                id,
                name: None,
                spawned_at: "unknown (a task that finished long ago)".to_string(),
                node: None,
            };
        };
        let node = (info.node != crate::node::NodeId::MAIN)
            .then(|| self.nodes.borrow().names[info.node.0 as usize].to_string());
        TaskDesc {
            id,
            name: info.name.map(|n| n.to_string()),
            spawned_at: info.location.to_string(),
            node,
        }
    }

    /// The failure of a run in which no task can ever run again: a
    /// deadlock, or, once a liveness phase's faults have ended and while
    /// it waits for recovery, a liveness failure (see `crate::liveness`).
    pub(super) fn deadlock(&self) -> FailureKind {
        match self.missed_deadline(None) {
            Some(liveness) => liveness,
            None => FailureKind::Deadlock {
                stuck: self.stuck_tasks(),
            },
        }
    }

    /// Every live task, main first, with what it waits on in words:
    /// `detsim::sync` waits in full, and the wait-for cycles among them.
    pub(crate) fn stuck_tasks(&self) -> Vec<StuckTask> {
        let waits = self.exec.waiting_tasks();
        let mut stuck: Vec<StuckTask> = waits
            .iter()
            .map(|(id, reason)| StuckTask {
                task: self.task_desc(*id),
                waits_on: match reason {
                    Some(WaitReason::Completion { target }) => {
                        format!(
                            "the completion of an operation on {}",
                            self.io_name(*target)
                        )
                    }
                    Some(r) => r.to_string(),
                    None => "something detsim cannot see (a channel, lock or other future \
                             woken by another task that will never run)"
                        .to_string(),
                },
            })
            .collect();
        crate::sync::describe_stuck(self, &waits, &mut stuck);
        stuck
    }

    /// Builds the failure report for `kind` from the current state.
    ///
    /// A deadlock is reported at the instant it became certain: when the
    /// run queue last became empty (just after the last poll). From then
    /// on no task ran, so the stuck tasks and what they wait on are what
    /// they were at that instant; the kernel events and timers delivered
    /// afterwards (a SYN retransmission due in 1 s, the timer of a dropped
    /// future) woke no task, or one would have been polled. The clock in
    /// the report's events may run past it, up to the last such event.
    /// A deadlock after the faults of a liveness phase ended became certain
    /// no earlier than the end (whose repairs might have freed a task).
    pub(crate) fn failure(&self, kind: FailureKind) -> Failure {
        let trace = &self.trace;
        let at = match (&kind, self.idle_since.get()) {
            (FailureKind::Deadlock { .. }, Some(since)) => since,
            (
                FailureKind::Liveness {
                    deadlocked: true,
                    faults_ended,
                    ..
                },
                Some(since),
            ) => since.max(*faults_ended),
            _ => self.now(),
        };
        Failure {
            seed: self.seed,
            at,
            tasks_alive: self.exec.alive() + 1,
            kind,
            recent_events: trace
                .recent()
                .iter()
                .map(|e| self.report_event(e))
                .collect(),
            digest: trace.digest(),
            faults: trace
                .faults()
                .iter()
                .filter_map(|e| self.report_event(e).fault())
                .collect(),
            note: None,
        }
    }

    /// `event` as a report shows it, with the name of its task or resource.
    pub(crate) fn report_event(&self, event: &Event) -> ReportEvent {
        let task_name = |task: TaskId| {
            self.exec
                .info(task)
                .and_then(|i| i.name)
                .map(|n| n.to_string())
        };
        let name = match &event.kind {
            EventKind::Kernel { resource, .. } => self.resource_name(*resource),
            EventKind::Fault { kind, target, .. } if kind.is_scheduling() => {
                task_name(TaskId(*target))
            }
            EventKind::Fault { target, .. } => self.resource_name(ResourceId::from_u64(*target)),
            EventKind::Spawned { task }
            | EventKind::Polled { task }
            | EventKind::Woken { task }
            | EventKind::Finished { task }
            | EventKind::Aborted { task } => task_name(*task),
            _ => None,
        };
        ReportEvent::named(event.clone(), name)
    }

    /// How reports name `id`: `tcp#3`, ``node `server` ``, ``link `a`->`b` ``;
    /// `None` for [`ResourceId::NONE`].
    pub(crate) fn resource_name(&self, id: ResourceId) -> Option<String> {
        let node = |n: crate::node::NodeId| match self.nodes.borrow().names.get(n.0 as usize) {
            Some(name) => format!("`{name}`"),
            None => n.to_string(),
        };
        match id.subject() {
            Subject::None => None,
            Subject::Io(n) => Some(self.kernel.resource_name(n)),
            Subject::Node(n) => Some(format!("node {}", node(n))),
            Subject::Link(a, b) => Some(format!("link {}->{}", node(a), node(b))),
        }
    }
}
