//! Task wakers: real `std::task::Waker`s that are `Send + Sync`.
//!
//! A waker holds the task's key and an `Arc` of the runtime's ready queue.
//! Waking pushes the key once (a flag absorbs repeated wakes until the task
//! is polled again). Waking from another thread is safe: the queue is a
//! mutex, and the OS backend installs an unpark hook that interrupts its
//! `epoll_wait`. The executor drains the queue on its own thread, so the
//! order tasks become runnable is the order the simulation woke them.

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

impl ReadyQueue {
    pub(crate) fn new() -> ReadyQueue {
        ReadyQueue {
            keys: Mutex::new(Vec::new()),
            pending: AtomicBool::new(false),
            unpark: OnceLock::new(),
        }
    }

    fn push(&self, key: RawKey) {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(key);
        self.pending.store(true, Ordering::Release);
        if let Some(unpark) = self.unpark.get() {
            unpark();
        }
    }

    /// Moves every queued key into `into`, in wake order.
    pub(crate) fn drain_into(&self, into: &mut Vec<RawKey>) {
        if self.pending.swap(false, Ordering::AcqRel) {
            let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
            into.append(&mut keys);
        }
    }

    /// Whether a wake is queued.
    pub(crate) fn is_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Installs the hook that interrupts a parked OS kernel (set once).
    #[allow(dead_code)] // used by the OS backend
    pub(crate) fn set_unpark(&self, f: Box<dyn Fn() + Send + Sync>) {
        let _ = self.unpark.set(f);
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
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.queue.push(self.key);
        }
    }
}
