//! Task wakers: real `std::task::Waker`s that are `Send + Sync`.
//!
//! A waker holds the task's key and an `Arc` of the runtime's ready queue.
//! Waking queues the key once (a flag absorbs repeated wakes until the task
//! is polled again).
//!
//! Two paths. While a runtime runs, it lends its run queue to its thread
//! ([`ReadyQueue::lend`]); a wake on that thread (every wake in a
//! simulation) pushes the task straight onto the run queue, without a lock
//! or a second queue. A wake from another thread (the OS backend's blocking
//! pool, user threads) goes into the queue's mutex and calls the unpark
//! hook, which interrupts a parked OS kernel; the executor moves those onto
//! the run queue before each pick. Under the simulation only the first path
//! is ever used, so the order tasks become runnable is the order the
//! simulation woke them.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Wake;

use crate::runtime::home::HomeState;

/// Task key: slab index in the low half, generation in the high half.
pub(crate) type RawKey = u64;

pub(crate) struct ReadyQueue {
    keys: Mutex<Vec<RawKey>>,
    pending: AtomicBool,
    unpark: OnceLock<Box<dyn Fn() + Send + Sync>>,
    /// What the runtime's `Send` objects need to know about it from any
    /// thread (see `home.rs`).
    pub(crate) home: HomeState,
}

thread_local! {
    /// The ready queue of the runtime running on this thread (its address),
    /// and that runtime's run queue, lent while it runs.
    static LOCAL_QUEUE: Cell<usize> = const { Cell::new(0) };
    static LOCAL_RUN: RefCell<VecDeque<RawKey>> = const { RefCell::new(VecDeque::new()) };
}

/// Calls `f` with the run queue lent to this thread.
pub(crate) fn with_local_run<R>(f: impl FnOnce(&mut VecDeque<RawKey>) -> R) -> R {
    LOCAL_RUN.with(|q| f(&mut q.borrow_mut()))
}

impl ReadyQueue {
    pub(crate) fn new(seed: u64) -> ReadyQueue {
        ReadyQueue {
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
            LOCAL_RUN.with(|q| q.borrow_mut().push_back(key));
            return;
        }
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(key);
        self.pending.store(true, Ordering::Release);
        self.unpark();
    }

    /// Lends `run` (the runtime's run queue) to this thread until the
    /// guard drops, even by unwinding: wakes on this thread go straight onto
    /// it. The guard puts it back into `run`.
    /// `lent` is set while the loan lasts.
    pub(crate) fn lend<'a>(
        self: &Arc<Self>,
        run: &'a RefCell<VecDeque<RawKey>>,
        lent: &'a Cell<bool>,
    ) -> LocalGuard<'a> {
        let previous = LOCAL_QUEUE.with(|q| q.replace(Arc::as_ptr(self) as usize));
        let queue = std::mem::take(&mut *run.borrow_mut());
        let displaced = LOCAL_RUN.with(|q| std::mem::replace(&mut *q.borrow_mut(), queue));
        lent.set(true);
        LocalGuard {
            run,
            lent,
            previous,
            displaced,
        }
    }

    /// Whether wakes made on other threads may be waiting (a hint:
    /// [`ReadyQueue::drain_remote`] decides).
    #[inline]
    pub(crate) fn has_remote_wakes(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Moves wakes made on other threads onto `run`, in wake order.
    pub(crate) fn drain_remote(&self, run: &mut VecDeque<RawKey>) {
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

/// Returns a lent run queue; see [`ReadyQueue::lend`].
pub(crate) struct LocalGuard<'a> {
    run: &'a RefCell<VecDeque<RawKey>>,
    lent: &'a Cell<bool>,
    previous: usize,
    /// What the thread held before (empty: runtimes do not nest).
    displaced: VecDeque<RawKey>,
}

impl Drop for LocalGuard<'_> {
    fn drop(&mut self) {
        LOCAL_QUEUE.with(|q| q.set(self.previous));
        let displaced = std::mem::take(&mut self.displaced);
        let lent = LOCAL_RUN.with(|q| std::mem::replace(&mut *q.borrow_mut(), displaced));
        *self.run.borrow_mut() = lent;
        self.lent.set(false);
    }
}

/// A task's waker state: its key, whether it is queued, and where to
/// queue it. Spawned tasks keep it inside their cell (`task/cell.rs`), so
/// their waker is the cell itself; `block_on`'s future has it alone in an
/// `Arc`.
pub(crate) struct TaskWaker {
    pub(crate) key: RawKey,
    /// Set while the task sits in the ready queue or the runnable set.
    pub(crate) queued: AtomicBool,
    pub(crate) queue: Arc<ReadyQueue>,
}

impl TaskWaker {
    /// Queues the key once: a flag absorbs repeated wakes until the task
    /// is polled again.
    #[inline]
    pub(crate) fn wake_key(&self) {
        // A plain load first: repeated wakes of a queued task stay cheap.
        if !self.queued.load(Ordering::Acquire) && !self.queued.swap(true, Ordering::AcqRel) {
            self.queue.push(self.key);
        }
    }

    /// A poll begins: the next wake queues the task again.
    #[inline]
    pub(crate) fn unqueue(&self) {
        self.queued.store(false, Ordering::Release);
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_key();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_key();
    }
}
