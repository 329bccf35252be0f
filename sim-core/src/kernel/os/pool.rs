//! The blocking pool: a few threads that run jobs which would block the
//! executor (file IO, `spawn_blocking`). A job's result completes a kernel
//! [`Completion`], the type the simulated kernel's operations return too,
//! which wakes the awaiting task from the pool thread.
//!
//! Threads are started on demand up to the bound; jobs beyond wait in a
//! queue (unbounded, like tokio's). A job goes to an idle thread only if
//! no earlier job already claimed that thread: the submitter takes the
//! idle thread off the count when it wakes it (a thread that was only
//! notified is not idle any more), so a burst of jobs arriving before the
//! woken threads run starts new threads up to the bound instead of
//! queueing behind one idle thread. On shutdown the threads finish the
//! queued jobs and exit; they are not joined, so a job stuck in a syscall
//! cannot hang the runtime's drop.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};

use crate::kernel::{Completion, ResourceId};

/// Threads in the pool: enough to overlap a few blocking file operations.
pub(crate) const DEFAULT_THREADS: usize = 8;

type Job = Box<dyn FnOnce() + Send>;

struct Shared {
    queue: Mutex<State>,
    ready: Condvar,
    max_threads: usize,
}

struct State {
    jobs: VecDeque<Job>,
    /// Threads started and not exited.
    threads: usize,
    /// Threads waiting for work that no submitter has claimed yet.
    idle: usize,
    /// Wake-ups sent to claimed idle threads and not yet taken: a thread
    /// that wakes while this is zero woke spuriously and keeps waiting.
    notified: usize,
    closed: bool,
}

/// The pool, owned by the OS kernel: dropping it (with the runtime) shuts
/// the pool down.
pub(crate) struct BlockingPool {
    handle: PoolHandle,
}

/// A cheap handle that submits jobs to a [`BlockingPool`]: what the OS
/// kernel's files and file system keep, so their operations reach the
/// pool without going through the runtime.
#[derive(Clone)]
pub(crate) struct PoolHandle {
    shared: Arc<Shared>,
}

impl BlockingPool {
    pub(crate) fn new(max_threads: usize) -> BlockingPool {
        BlockingPool {
            handle: PoolHandle {
                shared: Arc::new(Shared {
                    queue: Mutex::new(State {
                        jobs: VecDeque::new(),
                        threads: 0,
                        idle: 0,
                        notified: 0,
                        closed: false,
                    }),
                    ready: Condvar::new(),
                    max_threads: max_threads.max(1),
                }),
            },
        }
    }

    /// A handle that submits to this pool.
    pub(crate) fn handle(&self) -> PoolHandle {
        self.handle.clone()
    }
}

impl PoolHandle {
    /// Runs `f` on a pool thread, as an operation on `target`: the
    /// [`Completion`] resolves to what `f` returns. If `f` panics, or the
    /// pool has shut down before running it, the operation is lost and
    /// the task awaiting it panics with `f`'s message (or says the pool
    /// shut down).
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub(crate) fn submit<T, F>(&self, target: ResourceId, f: F) -> Completion<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (completion, slot) = Completion::new(target);
        self.push(Box::new(move || {
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
                Ok(value) => slot.complete(value),
                Err(payload) => {
                    let msg = payload
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a blocking job panicked".to_string());
                    slot.lose(format!("a blocking job panicked: {msg}"));
                }
            }
        }));
        completion
    }

    fn push(&self, job: Job) {
        let mut st = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        if st.closed {
            // Dropping the job drops its slot: the operation is lost, and
            // its task learns that the pool shut down.
            drop(st);
            drop(job);
            return;
        }
        st.jobs.push_back(job);
        if st.idle > 0 {
            // Claim the idle thread for this job: the next job must not
            // count on it too.
            st.idle -= 1;
            st.notified += 1;
            self.shared.ready.notify_one();
        } else if st.threads < self.shared.max_threads {
            st.threads += 1;
            let shared = Arc::clone(&self.shared);
            std::thread::Builder::new()
                .name("detsim-blocking".into())
                .spawn(move || worker(&shared))
                .expect("detsim: could not start a blocking-pool thread");
        }
        // Otherwise every thread is busy: the job waits in the queue for the
        // first one to finish.
    }
}

fn worker(shared: &Shared) {
    let mut st = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if let Some(job) = st.jobs.pop_front() {
            drop(st);
            job();
            st = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
            continue;
        }
        if st.closed {
            st.threads -= 1;
            return;
        }
        st.idle += 1;
        loop {
            st = shared.ready.wait(st).unwrap_or_else(|e| e.into_inner());
            if st.notified > 0 {
                // A submitter claimed this thread (and took it off `idle`).
                st.notified -= 1;
                break;
            }
            if st.closed {
                st.idle -= 1;
                break;
            }
            // A spurious wake-up: still idle, still unclaimed.
        }
    }
}

impl Drop for BlockingPool {
    fn drop(&mut self) {
        self.handle
            .shared
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .closed = true;
        self.handle.shared.ready.notify_all();
    }
}
