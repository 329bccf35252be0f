//! Task wakers: real `std::task::Waker`s that are `Send + Sync`.
//!
//! A waker holds the task's key and an `Arc` of the runtime's ready queue.
//! Waking queues the key once (a flag absorbs repeated wakes until the task
//! is polled again).
//!
//! Two paths. A wake on the thread that is running the waker's runtime
//! (every wake in a simulation) goes into a thread-local list without any
//! lock. A wake from another thread (the OS backend's blocking pool, user
//! threads) goes into the queue's mutex and calls the unpark hook, which
//! interrupts a parked OS kernel. The executor drains both, local first;
//! under the simulation only the local list is ever used, so the order
//! tasks become runnable is the order the simulation woke them.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Wake;

/// Task key: slab index in the low half, generation in the high half.
pub(crate) type RawKey = u64;

pub(crate) struct ReadyQueue {
    keys: Mutex<Vec<RawKey>>,
    pending: AtomicBool,
    unpark: OnceLock<Box<dyn Fn() + Send + Sync>>,
}

thread_local! {
    /// The ready queue of the runtime running on this thread (its address),
    /// and the wakes made for it on this thread.
    static LOCAL_QUEUE: Cell<usize> = const { Cell::new(0) };
    static LOCAL_WAKES: RefCell<Vec<RawKey>> = const { RefCell::new(Vec::new()) };
}

impl ReadyQueue {
    pub(crate) fn new() -> ReadyQueue {
        ReadyQueue {
            keys: Mutex::new(Vec::new()),
            pending: AtomicBool::new(false),
            unpark: OnceLock::new(),
        }
    }

    fn push(self: &Arc<Self>, key: RawKey) {
        let me = Arc::as_ptr(self) as usize;
        if LOCAL_QUEUE.with(Cell::get) == me {
            LOCAL_WAKES.with(|w| w.borrow_mut().push(key));
            return;
        }
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(key);
        self.pending.store(true, Ordering::Release);
        if let Some(unpark) = self.unpark.get() {
            unpark();
        }
    }

    /// Makes this the queue whose wakes stay on this thread until the
    /// guard drops (even by unwinding).
    pub(crate) fn enter_local(self: &Arc<Self>) -> LocalGuard {
        let previous = LOCAL_QUEUE.with(|q| q.replace(Arc::as_ptr(self) as usize));
        LocalGuard {
            queue: Arc::clone(self),
            previous,
        }
    }

    /// Moves every queued key into `into`, in wake order: this thread's
    /// wakes first, then other threads'.
    pub(crate) fn drain_into(&self, into: &mut Vec<RawKey>) {
        LOCAL_WAKES.with(|w| into.append(&mut w.borrow_mut()));
        if self.pending.load(Ordering::Acquire) && self.pending.swap(false, Ordering::AcqRel) {
            into.append(&mut self.keys.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }

    /// Installs the hook that interrupts a parked OS kernel (set once).
    #[allow(dead_code)] // used by the OS backend
    pub(crate) fn set_unpark(&self, f: Box<dyn Fn() + Send + Sync>) {
        let _ = self.unpark.set(f);
    }
}

/// Keeps a runtime's wakes on this thread; see [`ReadyQueue::enter_local`].
pub(crate) struct LocalGuard {
    queue: Arc<ReadyQueue>,
    previous: usize,
}

impl Drop for LocalGuard {
    /// Restores the previous local queue. Local wakes not yet drained move
    /// to the shared queue, so none is lost and none leaks to another
    /// runtime.
    fn drop(&mut self) {
        LOCAL_QUEUE.with(|q| q.set(self.previous));
        let left: Vec<RawKey> = LOCAL_WAKES.with(|w| std::mem::take(&mut *w.borrow_mut()));
        if !left.is_empty() {
            self.queue
                .keys
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(left);
            self.queue.pending.store(true, Ordering::Release);
        }
    }
}

pub(crate) struct TaskWaker {
    pub(crate) key: RawKey,
    /// Set while the task sits in the ready queue or the runnable set.
    pub(crate) queued: AtomicBool,
    pub(crate) queue: Arc<ReadyQueue>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // A plain load first: repeated wakes of a queued task stay cheap.
        if !self.queued.load(Ordering::Acquire) && !self.queued.swap(true, Ordering::AcqRel) {
            self.queue.push(self.key);
        }
    }
}
