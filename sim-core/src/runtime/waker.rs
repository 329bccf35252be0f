//! Task wakers: real `std::task::Waker`s that are `Send + Sync`.
//!
//! A waker holds the task's key and an `Arc` of the runtime's ready queue.
//! Waking queues the key once (a flag absorbs repeated wakes until the task
//! is polled again).
//!
//! Two paths. The run queue lives in the ready queue, next to the mutex of
//! the second path, but only the runtime's thread ever touches it. While a
//! runtime runs, it marks its thread as its own ([`ReadyQueue::lend`]); a
//! wake on that thread (every wake in a simulation) pushes the task
//! straight onto the run queue, without a lock, a second queue or a
//! thread-local lookup beyond one word. A wake from another thread (the OS backend's blocking
//! pool, user threads) goes into the queue's mutex and calls the unpark
//! hook, which interrupts a parked OS kernel; the executor moves those onto
//! the run queue before each pick. Under the simulation only the first path
//! is ever used, so the order tasks become runnable is the order the
//! simulation woke them.

use std::cell::{Cell, UnsafeCell};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{RawWaker, RawWakerVTable, Waker};

use crate::runtime::home::HomeState;
use crate::runtime::run_queue::RunQueue;

/// Task key: slab index in the low half, generation in the high half.
pub(crate) type RawKey = u64;

pub(crate) struct ReadyQueue {
    /// The run queue: touched only on the runtime's thread (see
    /// [`LocalRun`]).
    run: LocalRun,
    keys: Mutex<Vec<RawKey>>,
    pending: AtomicBool,
    unpark: OnceLock<Box<dyn Fn() + Send + Sync>>,
    /// What the runtime's `Send` objects need to know about it from any
    /// thread (see `home.rs`).
    pub(crate) home: HomeState,
}

thread_local! {
    /// The ready queue of the runtime running on this thread (its address).
    static LOCAL_QUEUE: Cell<usize> = const { Cell::new(0) };
}

/// The runtime's run queue, inside its `Sync` ready queue.
///
/// A plain cell rather than a `RefCell`: the borrow flag's test, set and
/// reset were a tenth of a wake's and of a pick's instructions, and
/// nothing needs them (below).
///
/// # Safety argument
///
/// `UnsafeCell` is not `Sync`, yet the ready queue is shared with wakers
/// on any thread. It is sound because only the runtime's thread ever
/// reaches the cell:
/// - the executor reaches it through [`ReadyQueue::with_run`], and the
///   executor is `!Send` (it holds `Arc<dyn Task>`s of `!Send` futures),
///   so it is always on the thread that built it;
/// - a waker reaches it only when `LOCAL_QUEUE` on its own thread holds
///   this queue's address, which only [`ReadyQueue::lend`] sets, called by
///   the executor on its thread, and its guard puts the previous value back
///   before the runtime stops running (the queue is alive meanwhile: the
///   executor holds it, so no other queue can have its address).
///
/// And one `&mut` at a time: [`LocalRun::with`] is the only way in, and
/// what runs under it never reaches the queue again: a push, a pop or a
/// clear of the `VecDeque`, the scheduler's choice and the prefetch hint
/// (which read the keys, the slots and the scheduler's stream) and the
/// move of remote wakes (a mutex): none runs user code or wakes a task.
/// Debug builds (the tests) assert it at every use.
///
/// The last `Arc` of the queue may drop on another thread; a
/// `VecDeque<u64>` is `Send`, so that is fine.
struct LocalRun {
    keys: UnsafeCell<RunQueue>,
    /// Set while `keys` is lent out (debug builds): a reentrant use panics.
    #[cfg(debug_assertions)]
    lent: Cell<bool>,
}

impl LocalRun {
    /// Calls `f` with the queue.
    ///
    /// # Safety
    ///
    /// On the runtime's thread only, and `f` must not reach this queue
    /// again (wake a task of this runtime, pick, push): see the type docs.
    #[inline(always)]
    unsafe fn with<R>(&self, f: impl FnOnce(&mut RunQueue) -> R) -> R {
        #[cfg(debug_assertions)]
        let _lent = LentGuard::new(&self.lent);
        // SAFETY: the caller's promise: this thread is the only one that
        // reaches the cell, and no other `&mut` to it is live.
        f(unsafe { &mut *self.keys.get() })
    }
}

/// Marks a [`LocalRun`] lent out until dropped (debug builds).
#[cfg(debug_assertions)]
struct LentGuard<'a>(&'a Cell<bool>);

#[cfg(debug_assertions)]
impl<'a> LentGuard<'a> {
    fn new(lent: &'a Cell<bool>) -> LentGuard<'a> {
        assert!(!lent.replace(true), "the run queue was reached reentrantly");
        LentGuard(lent)
    }
}

#[cfg(debug_assertions)]
impl Drop for LentGuard<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

// SAFETY: see `LocalRun`'s docs: the cell is only ever reached on the
// runtime's thread.
unsafe impl Sync for LocalRun {}

impl ReadyQueue {
    pub(crate) fn new(seed: u64) -> ReadyQueue {
        ReadyQueue {
            run: LocalRun {
                keys: UnsafeCell::new(RunQueue::new()),
                #[cfg(debug_assertions)]
                lent: Cell::new(false),
            },
            keys: Mutex::new(Vec::new()),
            pending: AtomicBool::new(false),
            unpark: OnceLock::new(),
            home: HomeState::new(seed),
        }
    }

    /// Interrupts a parked OS kernel, if one is installed.
    pub(crate) fn unpark(&self) {
        if let Some(unpark) = self.unpark.get() {
            unpark();
        }
    }

    #[inline]
    fn push(&self, key: RawKey) {
        let me = self as *const ReadyQueue as usize;
        if LOCAL_QUEUE.with(Cell::get) == me {
            // SAFETY: on the runtime's thread while it runs, and a push
            // reaches nothing else: see `LocalRun`.
            unsafe { self.run.with(|q| q.push_back(key)) };
            return;
        }
        self.push_remote(key);
    }

    /// [`ReadyQueue::push`] from another thread (or with the runtime not
    /// running): out of line, so the common path saves no registers.
    #[cold]
    #[inline(never)]
    fn push_remote(&self, key: RawKey) {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(key);
        self.pending.store(true, Ordering::Release);
        self.unpark();
    }

    /// Marks this thread as the runtime's until the guard drops, even by
    /// unwinding: wakes on this thread go straight onto the run queue.
    /// Only the executor calls it, on its own thread (see [`LocalRun`]).
    pub(crate) fn lend(self: &Arc<Self>) -> LocalGuard {
        let previous = LOCAL_QUEUE.with(|q| q.replace(Arc::as_ptr(self) as usize));
        LocalGuard { previous }
    }

    /// Calls `f` with the run queue. Only the executor calls it, on its own
    /// thread (see [`LocalRun`]).
    ///
    /// # Safety
    ///
    /// `f` must not reach the run queue again: wake a task of this
    /// runtime, or call this.
    #[inline]
    pub(crate) unsafe fn with_run<R>(&self, f: impl FnOnce(&mut RunQueue) -> R) -> R {
        // SAFETY: the executor is on its own thread (it is `!Send`), and
        // the caller promises the rest.
        unsafe { self.run.with(f) }
    }

    /// Whether wakes made on other threads may be waiting (a hint:
    /// [`ReadyQueue::drain_remote`] decides).
    #[inline]
    pub(crate) fn has_remote_wakes(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Whether anything may have come from other threads: wakes, or
    /// releases deferred to the runtime (`home.rs`). One test for both
    /// on the run loop's common path (a hint: each is looked at again).
    #[inline]
    pub(crate) fn has_remote_work(&self) -> bool {
        self.pending.load(Ordering::Acquire) | self.home.has_deferred()
    }

    /// Moves wakes made on other threads onto `run`, in wake order.
    pub(crate) fn drain_remote(&self, run: &mut RunQueue) {
        if self.pending.load(Ordering::Acquire) && self.pending.swap(false, Ordering::AcqRel) {
            run.extend(
                self.keys
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .drain(..),
            );
        }
    }

    /// Installs the hook that interrupts a parked OS kernel (set once).
    #[cfg(target_os = "linux")]
    pub(crate) fn set_unpark(&self, f: Box<dyn Fn() + Send + Sync>) {
        let _ = self.unpark.set(f);
    }
}

/// Ends what [`ReadyQueue::lend`] started.
pub(crate) struct LocalGuard {
    /// What the thread held before (none: runtimes do not nest).
    previous: usize,
}

impl Drop for LocalGuard {
    fn drop(&mut self) {
        LOCAL_QUEUE.with(|q| q.set(self.previous));
    }
}

/// A task's waker state: its key, whether it is queued, and where to
/// queue it. Spawned tasks keep it inside their cell (`task/cell.rs`), so
/// their waker is the cell itself; `block_on`'s future has it alone in an
/// `Arc`.
pub(crate) struct TaskWaker {
    /// The task's key: a spawned task's is set once, when its cell joins
    /// the task table, before anything can wake it (see
    /// [`TaskWaker::set_key`]).
    key: AtomicU64,
    /// Set while the task sits in the ready queue or the runnable set.
    pub(crate) queued: AtomicBool,
    pub(crate) queue: Arc<ReadyQueue>,
}

impl TaskWaker {
    /// A queued task's waker state, key `key`.
    pub(crate) fn new(key: RawKey, queue: Arc<ReadyQueue>) -> TaskWaker {
        TaskWaker {
            key: AtomicU64::new(key),
            queued: AtomicBool::new(true),
            queue,
        }
    }

    /// Sets the key of a task just put in the table. Its cell was built
    /// first (one borrow of the table takes the slot and fills it), and no
    /// waker of it exists outside the table and the spawner yet: the
    /// waker is sent to another thread, if ever, after this store.
    #[inline]
    pub(crate) fn set_key(&self, key: RawKey) {
        self.key.store(key, Ordering::Relaxed);
    }

    /// Queues the key once: a flag absorbs repeated wakes until the task
    /// is polled again.
    #[inline]
    pub(crate) fn wake_key(&self) {
        // A plain load first: repeated wakes of a queued task stay cheap.
        if !self.queued.load(Ordering::Acquire) && !self.queued.swap(true, Ordering::AcqRel) {
            self.queue.push(self.key.load(Ordering::Relaxed));
        }
    }

    /// A poll begins: the next wake queues the task again.
    #[inline]
    pub(crate) fn unqueue(&self) {
        self.queued.store(false, Ordering::Release);
    }
}

/// The waker of `block_on`'s future: its `TaskWaker` alone in an `Arc`,
/// with a vtable of its own (a spawned task's is its cell's,
/// `task/cell.rs`), so the executor can lend it to a poll as a bare
/// pointer to the `Arc`'s value, whose reference it holds elsewhere.
///
/// # Safety argument
///
/// Every [`RawWaker`] made with [`MAIN_WAKER_VTABLE`] has for data the
/// pointer `Arc::into_raw` gives for an `Arc<TaskWaker>`: an owned waker
/// holds one strong reference of it (made by [`TaskWaker::main_waker`] or
/// by `clone`, released by `wake` or `drop`), and a borrowed copy (the
/// executor's, see `executor/polling.rs`) is never dropped and lives no
/// longer than the reference the executor holds. A `TaskWaker` is
/// `Send + Sync`, so these run on any thread.
pub(crate) static MAIN_WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(main_clone, main_wake, main_wake_by_ref, main_drop);

impl TaskWaker {
    /// An owned waker of `state`.
    pub(crate) fn main_waker(state: Arc<TaskWaker>) -> Waker {
        let data = Arc::into_raw(state).cast::<()>();
        // SAFETY: the vtable's contract (above): `data` comes from
        // `Arc::into_raw` and its reference goes to the waker.
        unsafe { Waker::new(data, &MAIN_WAKER_VTABLE) }
    }
}

unsafe fn main_clone(data: *const ()) -> RawWaker {
    // SAFETY: `data` is a live `Arc<TaskWaker>`'s (vtable contract); the
    // new waker owns the reference added here.
    unsafe { Arc::increment_strong_count(data.cast::<TaskWaker>()) };
    RawWaker::new(data, &MAIN_WAKER_VTABLE)
}

unsafe fn main_wake(data: *const ()) {
    // SAFETY: an owned waker's reference, released here, once.
    let state = unsafe { Arc::from_raw(data.cast::<TaskWaker>()) };
    state.wake_key();
}

unsafe fn main_wake_by_ref(data: *const ()) {
    // SAFETY: the waker's reference keeps the value alive meanwhile.
    unsafe { &*data.cast::<TaskWaker>() }.wake_key();
}

unsafe fn main_drop(data: *const ()) {
    // SAFETY: an owned waker's reference, released here, once.
    drop(unsafe { Arc::from_raw(data.cast::<TaskWaker>()) });
}
