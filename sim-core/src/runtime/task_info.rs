//! The task-info table: what a report needs to name a task (its name,
//! spawn site and node), by task id.
//!
//! Under the simulation every task's info is kept for the whole run, so a
//! report can name any task its events mention; a run is one seed, and
//! its table goes with it. The OS runtime may run for months and spawn a
//! task per request, so it keeps only the live tasks and the
//! [`RETAINED`](crate::id_table::RETAINED) most recently retired ones: enough to name every task in
//! the report's recent events (each retirement is an event of its own, or
//! follows one), and flat in memory however many tasks come and go.

use std::panic::Location;
use std::rc::Rc;

use crate::chunked::Chunked;
use crate::id_table::IdTable;
#[cfg(test)]
use crate::id_table::RETAINED;
use crate::node::NodeId;
use crate::task::TaskId;

/// What the failure report needs about a task.
#[derive(Clone)]
pub(crate) struct TaskInfo {
    pub(crate) name: Option<Rc<str>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) node: NodeId,
}

/// The table; see the module docs. Live tasks are the pinned entries of
/// an [`IdTable`], in chunks: a run may spawn thousands of tasks, and a
/// `Vec` copied all their infos each time it grew.
pub(crate) struct TaskInfos(IdTable<TaskInfo, Chunked<TaskInfo>>);

impl TaskInfos {
    /// A table that keeps every task (the simulation).
    pub(crate) fn all() -> TaskInfos {
        TaskInfos(IdTable::all())
    }

    /// Switches to keeping only live and recently retired tasks (the OS
    /// runtime). Infos already recorded are kept as live: call it before
    /// the first spawn.
    pub(crate) fn forget_retired(&mut self) {
        self.0.bound(true);
    }

    /// Records a new task; ids are allocation order.
    pub(crate) fn insert(&mut self, info: TaskInfo) -> TaskId {
        TaskId(self.0.insert(info, true))
    }

    /// The task finished or was dropped: the OS runtime keeps its info
    /// among the recently retired only.
    #[inline]
    pub(crate) fn retire(&mut self, id: TaskId) {
        self.0.unpin(id.0);
    }

    /// The task's info; `None` only on the OS runtime, for a task retired
    /// long ago.
    pub(crate) fn get(&self, id: TaskId) -> Option<TaskInfo> {
        self.0.get(id.0).cloned()
    }

    /// Where the task was spawned, without cloning its info (every poll
    /// asks, for the stall monitor); `None` as for [`TaskInfos::get`].
    #[inline]
    pub(crate) fn location(&self, id: TaskId) -> Option<&'static Location<'static>> {
        self.0.get(id.0).map(|i| i.location)
    }

    /// How many infos are held: every task under the simulation, live plus
    /// retained ones on the OS.
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.0.held()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn info(name: &str) -> TaskInfo {
        TaskInfo {
            name: Some(Rc::from(name)),
            location: Location::caller(),
            node: NodeId::MAIN,
        }
    }

    fn name(infos: &TaskInfos, id: TaskId) -> Option<String> {
        infos.get(id).and_then(|i| i.name).map(|n| n.to_string())
    }

    #[test]
    fn the_simulation_names_every_task_it_ever_spawned() {
        let mut infos = TaskInfos::all();
        let ids: Vec<TaskId> = (0..3000)
            .map(|n| infos.insert(info(&n.to_string())))
            .collect();
        for id in &ids {
            infos.retire(*id);
        }
        assert_eq!(ids[2999], TaskId(2999));
        assert_eq!(name(&infos, ids[0]).as_deref(), Some("0"));
        assert_eq!(infos.held(), 3000);
    }

    #[test]
    fn the_os_keeps_live_tasks_and_the_last_retired_ones_only() {
        let mut infos = TaskInfos::all();
        let server = infos.insert(info("server"));
        infos.forget_retired();
        let mut last = server;
        for n in 0..10 * RETAINED {
            last = infos.insert(info(&n.to_string()));
            infos.retire(last);
        }
        assert_eq!(
            last,
            TaskId(10 * RETAINED as u64),
            "ids stay allocation order"
        );
        assert_eq!(infos.held(), 1 + RETAINED, "bounded");
        assert_eq!(name(&infos, server).as_deref(), Some("server"), "live");
        let recent = TaskId(last.0 - RETAINED as u64 + 1);
        assert_eq!(name(&infos, last), Some((10 * RETAINED - 1).to_string()));
        assert!(name(&infos, recent).is_some(), "the last RETAINED retired");
        assert!(
            infos.get(TaskId(recent.0 - 1)).is_none(),
            "older ones forgotten"
        );
        infos.retire(server);
        assert_eq!(name(&infos, server).as_deref(), Some("server"));
    }
}
