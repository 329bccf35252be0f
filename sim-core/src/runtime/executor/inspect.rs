//! What the runtime reads about its tasks, outside the slab's life cycle:
//! the task being polled and its node, the tasks on a node, what each task
//! waits on (noted during its poll, for deadlock reports), counts and
//! infos, and the targets of scheduling faults.

use std::mem::ManuallyDrop;
use std::panic::Location;
use std::sync::Arc;
use std::task::{RawWakerVTable, Waker};

use crate::alloc::Usage;
use crate::node::NodeId;
use crate::runtime::WaitReason;
use crate::runtime::executor::slab::Slab;
use crate::runtime::executor::{Executor, TaskKey};
use crate::runtime::task_info::TaskInfo;
use crate::task::TaskId;

impl Executor {
    /// Id of the task being polled, if any.
    pub(crate) fn current_id(&self) -> Option<TaskId> {
        self.current.get().and_then(|k| self.live_id(k))
    }

    /// The key of the task being polled, if a poll is under way (from
    /// `begin_poll` to `end_poll_*`).
    pub(crate) fn polled_key(&self) -> Option<TaskKey> {
        self.current.get()
    }

    /// The node of the task being polled (the main node outside any task).
    pub(crate) fn current_node(&self) -> NodeId {
        self.node_of_current(&self.slots.borrow())
    }

    /// [`Executor::current_node`] with the table borrowed already.
    #[inline]
    pub(super) fn node_of_current(&self, slots: &Slab) -> NodeId {
        let Some(key) = self.current.get() else {
            return NodeId::MAIN;
        };
        if key.is_main() {
            return NodeId::MAIN;
        }
        slots[key.index]
            .entry
            .as_ref()
            .map_or(NodeId::MAIN, |e| e.node)
    }

    /// Keys of every live task on `node`, in slot order.
    pub(crate) fn tasks_on(&self, node: NodeId) -> Vec<TaskKey> {
        self.slots
            .borrow()
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let e = s.entry.as_ref()?;
                (e.node == node).then_some(TaskKey {
                    index: i as u32,
                    generation: s.generation,
                })
            })
            .collect()
    }

    /// Records what the task being polled now waits on.
    /// (Kept aside during the poll, stored with the task when it returns
    /// `Pending`.)
    #[inline(always)]
    pub(crate) fn note_wait(&self, reason: WaitReason) {
        if self.current.get().is_some() {
            let before = self.current_wait.replace(Some(reason));
            self.entry_changes.set(true);
            drop(before);
        }
    }

    /// Takes what the poll so far noted it waits on, so a combinator can
    /// forget what its inner future noted (see [`Executor::restore_wait`]).
    pub(crate) fn take_wait(&self) -> Option<WaitReason> {
        self.current_wait.take()
    }

    /// Ends a combinator's poll begun with [`Executor::take_wait`]: when it
    /// completed (`ready`), what its inner futures noted is stale (a timeout
    /// fired while its future waited on a socket) and `before` comes back;
    /// when it is pending, the newest note stands, or `before` if none.
    pub(crate) fn restore_wait(&self, before: Option<WaitReason>, ready: bool) {
        if self.current.get().is_none() {
            // Outside a poll, as `note_wait`: nothing to restore.
            return;
        }
        self.entry_changes.set(true);
        let wait = self.current_wait.take();
        if ready || wait.is_none() {
            self.current_wait.set(before);
            drop(wait);
        } else {
            self.current_wait.set(wait);
            drop(before);
        }
    }

    /// What `block_on`'s future waits on, cloned (a `Cell` lends no
    /// reference: taken out and put back).
    fn main_waiting_clone(&self) -> Option<WaitReason> {
        let waiting = self.main_waiting.take();
        let copy = waiting.clone();
        self.main_waiting.set(waiting);
        copy
    }

    /// Number of spawned tasks still alive (not counting `block_on`'s future).
    pub(crate) fn alive(&self) -> usize {
        self.alive.get()
    }

    /// Where task `id` was spawned: no clone of its info, for every poll.
    /// `None` only on the OS runtime, for a task that finished long ago.
    #[inline]
    pub(crate) fn location(&self, id: TaskId) -> Option<&'static Location<'static>> {
        self.infos.borrow().location(id)
    }

    /// The task's name, spawn site and node; `None` only on the OS
    /// runtime, for a task that finished long ago.
    pub(crate) fn info(&self, id: TaskId) -> Option<TaskInfo> {
        self.infos.borrow().get(id)
    }

    /// [`Executor::info`] without waiting for a borrow held elsewhere (the
    /// allocator's failure line, which must never panic).
    pub(crate) fn try_info(&self, id: TaskId) -> Option<TaskInfo> {
        self.infos.try_borrow().ok()?.get(id)
    }

    /// What the task being polled allocated in its earlier polls
    /// (allocation tracker only).
    pub(crate) fn current_allocated(&self) -> Option<Usage> {
        let key = self.current.get()?;
        self.is_in_table(key).then(|| self.usages.borrow().get(key))
    }

    /// What task `key` waited on before its current poll (a report says
    /// what the poll resumed from). Call before `end_poll_*` only.
    pub(crate) fn waited(&self, key: TaskKey) -> Option<WaitReason> {
        if key.is_main() {
            self.main.borrow().as_ref()?;
            return self.main_waiting_clone();
        }
        self.slots.borrow()[key.index]
            .entry
            .as_ref()?
            .waiting
            .clone()
    }

    /// Every live task with what it waits on, main first, then by id.
    pub(crate) fn waiting_tasks(&self) -> Vec<(TaskId, Option<WaitReason>)> {
        let mut out: Vec<_> = self
            .main
            .borrow()
            .iter()
            .map(|e| (e.id, self.main_waiting_clone()))
            .collect();
        let mut rest: Vec<_> = self
            .slots
            .borrow()
            .iter()
            .filter_map(|s| s.entry.as_ref())
            .map(|e| (e.id, e.waiting.clone()))
            .collect();
        rest.sort_by_key(|(id, _)| *id);
        out.extend(rest);
        out
    }

    /// Number of tasks a scheduling fault may target: every spawned task
    /// plus the `block_on` future.
    pub(crate) fn fault_targets(&self) -> usize {
        self.alive.get() + usize::from(self.main.borrow().is_some())
    }

    /// The `nth` fault target (0 is the `block_on` future when there is
    /// one), for injecting spurious wakes and polls.
    pub(crate) fn fault_target(&self, nth: usize) -> Option<(TaskId, Waker)> {
        let main = self.main.borrow();
        if let Some(e) = main.as_ref() {
            if nth == 0 {
                let state = self.main_state.borrow();
                let data = Arc::as_ptr(state.as_ref()?).cast::<()>();
                return Some((e.id, owned_waker(data, e.waker_vtable)));
            }
        }
        let nth = nth - usize::from(main.is_some());
        let slots = self.slots.borrow();
        slots
            .iter()
            .filter_map(|s| s.entry.as_ref())
            .nth(nth)
            .and_then(|e| {
                let data = e.task.as_ref()?.as_ptr().as_ptr() as *const ();
                Some((e.id, owned_waker(data, e.waker_vtable)))
            })
    }
}

/// An owned waker (one more reference) of the task whose waker is `data`
/// with `vtable`, while the task table holds its reference.
fn owned_waker(data: *const (), vtable: &'static RawWakerVTable) -> Waker {
    // SAFETY: the table's entry holds a reference to what `data` points
    // to, for as long as the borrow of the table that gave it lives: the
    // borrowed copy is only cloned (the clone owns its reference), never
    // dropped.
    let borrowed = ManuallyDrop::new(unsafe { Waker::new(data, vtable) });
    Waker::clone(&borrowed)
}
