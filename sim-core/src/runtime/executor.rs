//! The task table and run set: which tasks exist, which are runnable, and
//! the bookkeeping around one poll.
//!
//! Tasks live in a slab indexed by [`TaskKey`]; a key carries a generation
//! so a stale waker of a finished task can never wake the slot's next
//! occupant. A spawned task is one allocation, its cell (`task/cell.rs`):
//! the slab entry holds one reference to it, as the `dyn Task` the loop
//! polls in place, and the vtable of its waker, whose data is the same
//! pointer. A poll borrows the cell without any borrow of the table
//! being held, so the task may spawn, abort or wake others (or itself),
//! and lends the poll's `Context` a waker made of the two, which owns
//! nothing and touches no count. What the runtime reads
//! about its tasks (the current one, what each waits on, scheduling-fault
//! targets) is in `executor/inspect.rs`.

mod cell_ref;
mod inspect;
mod polling;
mod prefetch;
mod slab;
mod usage;

pub(crate) use cell_ref::CellRef;
pub(crate) use polling::Drained;
use slab::Slab;
use usage::Usages;

use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{RawWakerVTable, Waker};

use crate::alloc::Usage;
use crate::node::NodeId;
use crate::runtime::WaitReason;
use crate::runtime::run_queue::RunQueue;
use crate::runtime::task_info::{TaskInfo, TaskInfos};
use crate::runtime::waker::{MAIN_WAKER_VTABLE, RawKey, ReadyQueue, TaskWaker};
use crate::task::TaskId;
use crate::task::cell::Task;

/// Slab index plus generation. The main future of `block_on` has the
/// reserved index `MAIN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey {
    pub(crate) index: u32,
    generation: u32,
}

const MAIN: u32 = u32::MAX;

impl TaskKey {
    pub(crate) fn raw(self) -> RawKey {
        u64::from(self.generation) << 32 | u64::from(self.index)
    }

    pub(super) fn from_raw(raw: RawKey) -> TaskKey {
        TaskKey {
            index: raw as u32,
            generation: (raw >> 32) as u32,
        }
    }

    pub(crate) fn is_main(self) -> bool {
        self.index == MAIN
    }
}

struct Entry {
    id: TaskId,
    node: NodeId,
    /// The task's cell; `None` for `block_on`'s future, which the loop
    /// polls itself.
    task: Option<CellRef>,
    /// The vtable of the task's waker, whose data is the cell (for
    /// `block_on`'s future, its `TaskWaker` in `main_state`).
    waker_vtable: &'static RawWakerVTable,
    waiting: Option<WaitReason>,
}

pub(crate) struct Executor {
    /// The spawned tasks, by slot index (see `executor/slab.rs`).
    slots: RefCell<Slab>,
    /// What each task's polls allocated (tracker only: `executor/usage.rs`).
    usages: RefCell<Usages>,
    pub(crate) queue: Arc<ReadyQueue>,
    current: Cell<Option<TaskKey>>,
    /// Names, spawn sites and nodes by task id (see `task_info.rs`).
    infos: RefCell<TaskInfos>,
    /// The infos keep live and recent tasks only (the OS runtime): a
    /// finished task's is then unpinned. The simulation keeps them all,
    /// and a task's end does not look at them.
    infos_bounded: Cell<bool>,
    alive: Cell<usize>,
    main: RefCell<Option<Entry>>,
    main_generation: Cell<u32>,
    /// The waker state of `block_on`'s future.
    main_state: RefCell<Option<Arc<TaskWaker>>>,
    /// What `block_on`'s future waits on (its entry's `waiting` stays
    /// `None`): a cell of its own, so the end of its poll moves the note in
    /// without borrowing the entry. `main_waits` says whether it holds one
    /// (a `Cell` lends no look at its value).
    main_waiting: Cell<Option<WaitReason>>,
    main_waits: Cell<bool>,
    /// What the task being polled registered interest in, if anything.
    /// (A plain cell: nothing borrows it, a value is moved in or out.)
    current_wait: Cell<Option<WaitReason>>,
    /// The end of the current poll changes the task's entry: the task had
    /// a wait noted before the poll, noted one during it, or aborted
    /// itself. Otherwise (a task that notes no waits: most plain
    /// `Pending`s of a wake-driven future) the end touches no entry.
    entry_changes: Cell<bool>,
    /// The task being polled aborted itself: it leaves after the poll.
    abort_current: Cell<bool>,
}

impl Executor {
    pub(crate) fn new(seed: u64) -> Executor {
        Executor {
            slots: RefCell::new(Slab::new()),
            usages: RefCell::new(Usages::default()),
            queue: Arc::new(ReadyQueue::new(seed)),
            current: Cell::new(None),
            infos: RefCell::new(TaskInfos::all()),
            infos_bounded: Cell::new(false),
            alive: Cell::new(0),
            main: RefCell::new(None),
            main_generation: Cell::new(0),
            main_state: RefCell::new(None),
            main_waiting: Cell::new(None),
            main_waits: Cell::new(false),
            current_wait: Cell::new(None),
            entry_changes: Cell::new(false),
            abort_current: Cell::new(false),
        }
    }

    fn new_info(
        &self,
        name: Option<Rc<str>>,
        location: &'static Location<'static>,
        node: NodeId,
    ) -> TaskId {
        self.infos.borrow_mut().insert(TaskInfo {
            name,
            location,
            node,
        })
    }

    /// Keeps the infos of live and recently finished tasks only (the OS
    /// runtime, which may spawn tasks forever). Called before any spawn.
    pub(crate) fn forget_finished_tasks(&self) {
        self.infos.borrow_mut().forget_retired();
        self.infos_bounded.set(true);
    }

    /// Registers the main future of a `block_on` call and makes it runnable.
    pub(crate) fn register_main(&self, location: &'static Location<'static>) -> (TaskId, Waker) {
        let generation = self.main_generation.get().wrapping_add(1);
        self.main_generation.set(generation);
        let key = TaskKey {
            index: MAIN,
            generation,
        };
        let id = self.new_info(Some(Rc::from("main")), location, NodeId::MAIN);
        let state = Arc::new(TaskWaker::new(key.raw(), Arc::clone(&self.queue)));
        let waker = TaskWaker::main_waker(Arc::clone(&state));
        *self.main_state.borrow_mut() = Some(state);
        *self.main.borrow_mut() = Some(Entry {
            id,
            node: NodeId::MAIN,
            task: None,
            waker_vtable: &MAIN_WAKER_VTABLE,
            waiting: None,
        });
        // SAFETY: a push reaches nothing else.
        unsafe { self.with_run_queue(|q| q.push_back(key.raw())) };
        (id, waker)
    }

    pub(crate) fn unregister_main(&self) {
        let main = self.main.borrow_mut().take();
        self.main_waits.set(false);
        let waiting = self.main_waiting.take();
        if let Some(main) = main {
            self.infos.borrow_mut().retire(main.id);
        }
        drop(waiting);
    }

    /// Puts a new task in a free slot, runnable at once; its key and id.
    /// `waker_vtable` is the vtable of `task`'s wakers, whose data is the
    /// cell (`task/cell.rs`): the caller sets the key in the cell (nothing
    /// can wake it before). The task runs on `node`, by default the
    /// spawning task's. Inlined into `spawn`: a call of its own cost a
    /// tenth of its instructions in saving registers and passing five
    /// arguments.
    #[inline(always)]
    pub(crate) fn insert(
        &self,
        task: Arc<dyn Task>,
        waker_vtable: &'static RawWakerVTable,
        name: Option<Rc<str>>,
        location: &'static Location<'static>,
        node: Option<NodeId>,
    ) -> (TaskKey, TaskId) {
        let mut slots = self.slots.borrow_mut();
        // Looked up under the borrow this takes anyway.
        let node = node.unwrap_or_else(|| self.node_of_current(&slots));
        let id = self.new_info(name, location, node);
        let key = slots.reserve();
        let slot = &mut slots[key.index];
        debug_assert!(slot.entry.is_none(), "a free slot holds a task");
        slot.entry = Some(Entry {
            id,
            node,
            task: Some(CellRef::new(task)),
            waker_vtable,
            waiting: None,
        });
        drop(slots);
        self.alive.set(self.alive.get() + 1);
        // SAFETY: a push reaches nothing else.
        unsafe { self.with_run_queue(|q| q.push_back(key.raw())) };
        (key, id)
    }

    /// Adds what a poll allocated to the task in slot `key` (being polled,
    /// or just done: before `end_poll_*`); the task's total since spawn.
    pub(crate) fn charge(&self, key: TaskKey, usage: Usage) -> Usage {
        if !self.is_in_table(key) {
            return usage;
        }
        self.usages.borrow_mut().charge(key, usage)
    }

    /// Whether task `key` (being polled, or just done) still has its entry.
    fn is_in_table(&self, key: TaskKey) -> bool {
        if key.is_main() {
            return self.main.borrow().is_some();
        }
        let slots = self.slots.borrow();
        slots
            .get(key.index)
            .is_some_and(|s| s.generation == key.generation && s.entry.is_some())
    }

    /// Calls `f` with the run queue (it lives in the ready queue: see
    /// `waker.rs`).
    ///
    /// # Safety
    ///
    /// `f` must not reach the run queue again: wake a task of this
    /// runtime, or call this.
    #[inline]
    pub(crate) unsafe fn with_run_queue<R>(&self, f: impl FnOnce(&mut RunQueue) -> R) -> R {
        // SAFETY: passed on to the caller.
        unsafe { self.queue.with_run(f) }
    }

    /// Moves wakes made on other threads onto the run queue. Keys of tasks
    /// that finished meanwhile are dropped later by `begin_poll`, which
    /// checks every key anyway.
    #[inline]
    pub(crate) fn collect_wakes(&self) {
        // One load on the common path (no wake from elsewhere):
        // the run queue is not even looked up.
        if self.queue.has_remote_wakes() {
            // SAFETY: moving the remote wakes takes a mutex, and wakes
            // nothing.
            unsafe { self.with_run_queue(|q| self.queue.drain_remote(q)) };
        }
    }

    fn live_id(&self, key: TaskKey) -> Option<TaskId> {
        if key.is_main() {
            if key.generation != self.main_generation.get() {
                return None;
            }
            return self.main.borrow().as_ref().map(|e| e.id);
        }
        let slots = self.slots.borrow();
        let slot = slots.get(key.index)?;
        (slot.generation == key.generation).then_some(())?;
        slot.entry.as_ref().map(|e| e.id)
    }

    /// Takes task `key` out of the table; its cell, if it is still there.
    /// Only the cell leaves: the rest of the entry is dropped here, after
    /// the table's borrows, without being moved around whole. Inlined:
    /// every finish comes here, from the run loop.
    #[inline(always)]
    pub(super) fn remove(&self, key: TaskKey) -> Option<CellRef> {
        let mut slots = self.slots.borrow_mut();
        let Entry {
            id, task, waiting, ..
        } = slots[key.index].entry.take()?;
        slots.release(key.index);
        drop(slots);
        if self.infos_bounded.get() {
            self.infos.borrow_mut().retire(id);
        }
        self.alive.set(self.alive.get() - 1);
        drop(waiting);
        task
    }

    /// Aborts a task: drops its future now, or after its current poll.
    /// Returns whether the task was still alive.
    pub(crate) fn abort(&self, key: TaskKey) -> bool {
        if self.current.get() == Some(key) {
            // Being polled right now (it aborted itself): finish after the poll.
            self.abort_current.set(true);
            self.entry_changes.set(true);
            return true;
        }
        let mut slots = self.slots.borrow_mut();
        let Some(slot) = slots.get_mut(key.index) else {
            return false;
        };
        if slot.generation != key.generation {
            return false;
        }
        if slot.entry.is_none() {
            return false;
        }
        drop(slots);
        if let Some(task) = self.remove(key) {
            // User Drop impls run here, with no executor borrow held.
            task.cancel();
        }
        true
    }

    /// Takes every task out for teardown (dropped by the caller, outside
    /// any borrow: each drops its future then).
    pub(crate) fn drain_all(&self) -> Vec<Drained> {
        let mut slots = self.slots.borrow_mut();
        let out = slots
            .iter_mut()
            .filter_map(|s| s.entry.take())
            .filter_map(|e| e.task)
            .map(|task| Drained(task.into_arc()))
            .collect();
        slots.clear();
        // Slots start again from generation 0: no count may outlive them.
        self.usages.borrow_mut().clear();
        // SAFETY: clearing keys drops nothing but keys.
        unsafe { self.with_run_queue(RunQueue::clear) };
        self.alive.set(0);
        out
    }
}

impl Drop for Executor {
    /// The safety net of `task/cell.rs`: no future outlives the table on
    /// another thread (teardown has normally dropped them all already).
    fn drop(&mut self) {
        for slot in self.slots.get_mut().iter_mut() {
            if let Some(task) = slot.entry.take().and_then(|e| e.task) {
                task.drop_future();
            }
        }
    }
}
