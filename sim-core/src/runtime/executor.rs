//! The task table and run set: which tasks exist, which are runnable, and
//! the bookkeeping around one poll.
//!
//! Tasks live in a slab indexed by [`TaskKey`]; a key carries a generation
//! so a stale waker of a finished task can never wake the slot's next
//! occupant. A spawned task is one allocation, its cell (`task/cell.rs`):
//! the slab entry holds it twice, as the `dyn Task` the loop polls in
//! place and as the task's `Waker` (the same `Arc`). A poll takes a clone
//! of the former, so the task may spawn, abort or wake others (or
//! itself) without any borrow being held, and lends the latter to the
//! poll's `Context` without touching its count. What the runtime reads
//! about its tasks (the current one, what each waits on, scheduling-fault
//! targets) is in `executor/inspect.rs`.

mod inspect;
mod polling;

pub(crate) use polling::{Drained, Polling};

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::mem::ManuallyDrop;
use std::panic::Location;
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::task::Waker;

use crate::alloc::Usage;
use crate::node::NodeId;
use crate::runtime::WaitReason;
use crate::runtime::task_info::{TaskInfo, TaskInfos};
use crate::runtime::waker::{RawKey, ReadyQueue, TaskWaker};
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

    fn from_raw(raw: RawKey) -> TaskKey {
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
    task: Option<Arc<dyn Task>>,
    /// The task's waker: for a spawned task, its cell again.
    waker: Waker,
    /// Being polled right now.
    polling: bool,
    waiting: Option<WaitReason>,
    /// Abort requested while the task was being polled.
    abort_requested: bool,
    /// What its polls allocated so far (allocation tracker only).
    allocated: Usage,
}

struct Slot {
    generation: u32,
    entry: Option<Entry>,
}

pub(crate) struct Executor {
    slots: RefCell<Vec<Slot>>,
    free: RefCell<Vec<u32>>,
    pub(crate) queue: Arc<ReadyQueue>,
    current: Cell<Option<TaskKey>>,
    /// Names, spawn sites and nodes by task id (see `task_info.rs`).
    infos: RefCell<TaskInfos>,
    alive: Cell<usize>,
    main: RefCell<Option<Entry>>,
    main_generation: Cell<u32>,
    /// The waker state of `block_on`'s future.
    main_state: RefCell<Option<Arc<TaskWaker>>>,
    /// What the task being polled registered interest in, if anything.
    current_wait: RefCell<Option<WaitReason>>,
}

impl Executor {
    pub(crate) fn new(seed: u64) -> Executor {
        Executor {
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            queue: Arc::new(ReadyQueue::new(seed)),
            current: Cell::new(None),
            infos: RefCell::new(TaskInfos::all()),
            alive: Cell::new(0),
            main: RefCell::new(None),
            main_generation: Cell::new(0),
            main_state: RefCell::new(None),
            current_wait: RefCell::new(None),
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
        let state = Arc::new(TaskWaker {
            key: key.raw(),
            queued: AtomicBool::new(true),
            queue: Arc::clone(&self.queue),
        });
        let waker = Waker::from(Arc::clone(&state));
        *self.main_state.borrow_mut() = Some(state);
        *self.main.borrow_mut() = Some(Entry {
            id,
            node: NodeId::MAIN,
            task: None,
            waker: waker.clone(),
            polling: false,
            waiting: None,
            abort_requested: false,
            allocated: Usage::default(),
        });
        self.with_run_queue(|q| q.push_back(key.raw()));
        (id, waker)
    }

    pub(crate) fn unregister_main(&self) {
        let main = self.main.borrow_mut().take();
        if let Some(main) = main {
            self.infos.borrow_mut().retire(main.id);
        }
    }

    /// Takes a free slot for a task about to be spawned; [`Executor::insert`]
    /// fills it (nothing runs in between but building the task's cell).
    pub(crate) fn reserve(&self) -> TaskKey {
        let mut slots = self.slots.borrow_mut();
        let index = match self.free.borrow_mut().pop() {
            Some(i) => i,
            None => {
                slots.push(Slot {
                    generation: 0,
                    entry: None,
                });
                u32::try_from(slots.len() - 1)
                    .ok()
                    .filter(|&i| i != MAIN)
                    .expect("detsim: more than 4 billion live tasks")
            }
        };
        let slot = &mut slots[index as usize];
        slot.generation = slot.generation.wrapping_add(1);
        TaskKey {
            index,
            generation: slot.generation,
        }
    }

    /// Fills the slot `key` reserved with a new task, runnable at once.
    /// `waker` is `task`'s cell as a `Waker`.
    pub(crate) fn insert(
        &self,
        key: TaskKey,
        task: Arc<dyn Task>,
        waker: Waker,
        name: Option<Rc<str>>,
        location: &'static Location<'static>,
        node: NodeId,
    ) -> TaskId {
        let id = self.new_info(name, location, node);
        let mut slots = self.slots.borrow_mut();
        let slot = &mut slots[key.index as usize];
        assert_eq!(
            slot.generation, key.generation,
            "a reserved slot was reused"
        );
        assert!(slot.entry.is_none(), "a reserved slot was filled twice");
        slot.entry = Some(Entry {
            id,
            node,
            task: Some(task),
            waker,
            polling: false,
            waiting: None,
            abort_requested: false,
            allocated: Usage::default(),
        });
        drop(slots);
        self.alive.set(self.alive.get() + 1);
        self.with_run_queue(|q| q.push_back(key.raw()));
        id
    }

    /// Adds what a poll allocated to the task in slot `key` (being polled,
    /// or just done: before `end_poll_*`); the task's total since spawn.
    pub(crate) fn charge(&self, key: TaskKey, usage: Usage) -> Usage {
        let mut main;
        let mut slots;
        let entry = if key.is_main() {
            main = self.main.borrow_mut();
            main.as_mut()
        } else {
            slots = self.slots.borrow_mut();
            slots
                .get_mut(key.index as usize)
                .and_then(|s| s.entry.as_mut())
        };
        entry.map_or(usage, |e| {
            e.allocated += usage;
            e.allocated
        })
    }

    /// Calls `f` with the run queue (it lives in the ready queue: see
    /// `waker.rs`).
    #[inline]
    pub(crate) fn with_run_queue<R>(&self, f: impl FnOnce(&mut VecDeque<RawKey>) -> R) -> R {
        self.queue.with_run(f)
    }

    /// Moves wakes made on other threads onto the run queue. Keys of tasks
    /// that finished meanwhile are dropped later by `begin_poll`, which
    /// checks every key anyway.
    #[inline]
    pub(crate) fn collect_wakes(&self) {
        // One load on the common path (no wake from elsewhere):
        // the run queue is not even looked up.
        if self.queue.has_remote_wakes() {
            self.with_run_queue(|q| self.queue.drain_remote(q));
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
        let slot = slots.get(key.index as usize)?;
        (slot.generation == key.generation).then_some(())?;
        slot.entry.as_ref().map(|e| e.id)
    }

    /// Takes the task up for polling (a spawned task's cell marks itself
    /// not queued when polled; the `block_on` future is marked here).
    /// `None` if the key is stale. What the task waited on before this
    /// poll stays in its entry until `end_poll_*` replaces or drops it, so
    /// nothing moves it on the common path ([`Executor::waited`] reads it
    /// for a report).
    #[inline]
    pub(crate) fn begin_poll(&self, raw: RawKey) -> Option<(TaskKey, Polling)> {
        let key = TaskKey::from_raw(raw);
        // A wait noted outside any poll (say by a Drop impl run when a
        // finished task's future was dropped) is not this task's. Declared
        // first, so it drops after the borrows below. A plain check first:
        // there is almost never one.
        let _stale = if self.current_wait.borrow().is_some() {
            self.current_wait.borrow_mut().take()
        } else {
            None
        };
        let mut main;
        let mut slots;
        let entry = if key.is_main() {
            main = self.main.borrow_mut();
            main.as_mut()
                .filter(|_| key.generation == self.main_generation.get())?
        } else {
            slots = self.slots.borrow_mut();
            let slot = slots.get_mut(key.index as usize)?;
            if slot.generation != key.generation {
                return None;
            }
            slot.entry.as_mut()?
        };
        debug_assert!(!entry.polling, "a task is polled once at a time");
        entry.polling = true;
        let task = match &entry.task {
            // The cell marks itself not queued when polled.
            Some(task) => Some(NonNull::from(&**task)),
            None => {
                // `block_on`'s future: its waker is a plain `TaskWaker`.
                if let Some(state) = self.main_state.borrow().as_ref() {
                    state.unqueue();
                }
                None
            }
        };
        let polling = Polling {
            id: entry.id,
            task,
            // SAFETY: a bitwise copy of the entry's waker, never dropped:
            // what it points to outlives the poll (see `Polling::waker`).
            waker: ManuallyDrop::new(unsafe {
                Waker::new(entry.waker.data(), entry.waker.vtable())
            }),
        };
        self.current.set(Some(key));
        Some((key, polling))
    }

    /// Ends a poll that returned `Pending`. If the task aborted itself
    /// meanwhile, it leaves the table, its handle is completed as
    /// cancelled, and it is returned so the caller drops its future
    /// (outside any borrow).
    pub(crate) fn end_poll_pending(&self, key: TaskKey) -> Option<Arc<dyn Task>> {
        self.current.set(None);
        let waiting = self.current_wait.borrow_mut().take();
        // What the task waited on before this poll: dropped after the
        // borrows below, as it may hold the last handle on a resource.
        let _before;
        if key.is_main() {
            if let Some(e) = self.main.borrow_mut().as_mut() {
                e.polling = false;
                _before = std::mem::replace(&mut e.waiting, waiting);
            }
            return None;
        }
        let mut slots = self.slots.borrow_mut();
        let entry = slots[key.index as usize]
            .entry
            .as_mut()
            .expect("task vanished while it was polled");
        entry.polling = false;
        _before = std::mem::replace(&mut entry.waiting, waiting);
        if entry.abort_requested {
            drop(slots);
            let task = self.remove(key).and_then(|e| e.task)?;
            task.cancel_join();
            return Some(task);
        }
        None
    }

    /// Removes a finished (or panicked) task and returns its cell, whose
    /// future the caller drops. What its last poll noted it waited on is
    /// dropped: it holds the resource, and through it the runtime, which
    /// would otherwise keep the whole run alive after it ends.
    pub(crate) fn end_poll_ready(&self, key: TaskKey) -> Option<Arc<dyn Task>> {
        self.current.set(None);
        let stale = self.current_wait.borrow_mut().take();
        drop(stale);
        if key.is_main() {
            let before = self.main.borrow_mut().as_mut().and_then(|e| {
                e.polling = false;
                e.waiting.take()
            });
            drop(before);
            return None;
        }
        self.remove(key).and_then(|e| e.task)
    }

    fn remove(&self, key: TaskKey) -> Option<Entry> {
        let mut slots = self.slots.borrow_mut();
        let entry = slots[key.index as usize].entry.take()?;
        drop(slots);
        self.infos.borrow_mut().retire(entry.id);
        self.free.borrow_mut().push(key.index);
        self.alive.set(self.alive.get() - 1);
        Some(entry)
    }

    /// Aborts a task: drops its future now, or after its current poll.
    /// Returns whether the task was still alive.
    pub(crate) fn abort(&self, key: TaskKey) -> bool {
        let mut slots = self.slots.borrow_mut();
        let Some(slot) = slots.get_mut(key.index as usize) else {
            return false;
        };
        if slot.generation != key.generation {
            return false;
        }
        let Some(entry) = slot.entry.as_mut() else {
            return false;
        };
        if entry.polling {
            // Being polled right now (it aborted itself): finish after the poll.
            entry.abort_requested = true;
            return true;
        }
        drop(slots);
        if let Some(task) = self.remove(key).and_then(|e| e.task) {
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
            .map(Drained)
            .collect();
        slots.clear();
        self.free.borrow_mut().clear();
        self.with_run_queue(VecDeque::clear);
        self.alive.set(0);
        out
    }
}

impl Drop for Executor {
    /// The safety net of `task/cell.rs`: no future outlives the table on
    /// another thread (teardown has normally dropped them all already).
    fn drop(&mut self) {
        for slot in self.slots.get_mut().drain(..) {
            if let Some(task) = slot.entry.and_then(|e| e.task) {
                task.drop_future();
            }
        }
    }
}

/// How far past the random window [`Executor::prefetch_window`] reaches:
/// the cell of the key this many places past it, and the slot of the key
/// twice as far (whose cell comes into reach that many picks later).
const PREFETCH_DISTANCE: usize = 8;

/// How many runnable tasks it takes before [`Executor::prefetch_window`]
/// does anything: below that, their slots and cells (a few hundred bytes
/// each) mostly stay in the caches anyway, and the prefetch would only
/// add instructions.
const PREFETCH_FROM: usize = 16_384;

impl Executor {
    /// Starts loading the memory of the tasks about to enter the random
    /// window (see `scheduler.rs`), so that when the pick lands on one it
    /// is in the cache. The window's picks are in random order, which
    /// defeats the hardware's stride prefetcher that a FIFO order gets
    /// for free: at 100k runnable tasks and more, each pick otherwise
    /// waits on a few cache misses (the slot and the cell). A hint only:
    /// it changes no state and no order. Does nothing below
    /// [`PREFETCH_FROM`] runnable tasks.
    #[inline]
    pub(crate) fn prefetch_window(&self, runnable: &VecDeque<RawKey>) {
        if runnable.len() >= PREFETCH_FROM {
            self.prefetch_window_now(runnable);
        }
    }

    /// [`Executor::prefetch_window`]'s work, out of line so that the loop's
    /// pick stays as small as it was for runs with fewer tasks.
    #[inline(never)]
    fn prefetch_window_now(&self, runnable: &VecDeque<RawKey>) {
        use crate::runtime::scheduler::RANDOM_WINDOW;
        let near = RANDOM_WINDOW + PREFETCH_DISTANCE;
        let (Some(&cell_key), Some(&slot_key)) =
            (runnable.get(near), runnable.get(near + PREFETCH_DISTANCE))
        else {
            return;
        };
        let slots = self.slots.borrow();
        if let Some(slot) = slots.get(TaskKey::from_raw(slot_key).index as usize) {
            let at = std::ptr::from_ref(slot).cast::<u8>();
            prefetch(at);
            prefetch(at.wrapping_add(64));
        }
        let task = slots
            .get(TaskKey::from_raw(cell_key).index as usize)
            .and_then(|s| s.entry.as_ref())
            .and_then(|e| e.task.as_ref());
        if let Some(task) = task {
            let at = Arc::as_ptr(task).cast::<u8>();
            prefetch(at);
            prefetch(at.wrapping_add(64));
        }
    }
}

/// Asks the CPU to load the cache line at `at` (a hint: any address is
/// fine, nothing is read).
#[inline]
fn prefetch(at: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is a hint that never faults and reads nothing
        // the program sees, whatever the address; SSE is part of x86_64.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
