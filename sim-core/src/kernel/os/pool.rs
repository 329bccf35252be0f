//! The blocking pool: a few threads that run jobs which would block the
//! executor (file IO, `spawn_blocking`), and wake the task when done.
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
use std::future::Future;
use std::sync::{Arc, Condvar, Mutex};

use futures_channel::oneshot;

/// Threads in the pool: enough to overlap a few blocking file operations.
pub(crate) const DEFAULT_THREADS: usize = 8;

type Job = Box<dyn FnOnce() + Send>;

struct Shared {
    queue: Mutex<State>,
    ready: Condvar,
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

pub(crate) struct BlockingPool {
    shared: Arc<Shared>,
    max_threads: usize,
}

impl BlockingPool {
    pub(crate) fn new(max_threads: usize) -> BlockingPool {
        BlockingPool {
            shared: Arc::new(Shared {
                queue: Mutex::new(State {
                    jobs: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    notified: 0,
                    closed: false,
                }),
                ready: Condvar::new(),
            }),
            max_threads: max_threads.max(1),
        }
    }

    /// Runs `f` on a pool thread; the future resolves to its result, or to
    /// the panic payload's message if it panicked.
    pub(crate) fn run<T, F>(&self, f: F) -> impl Future<Output = Result<T, String>> + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.submit(Box::new(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
                p.downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a blocking job panicked".to_string())
            });
            let _ = tx.send(result);
        }));
        async move {
            rx.await
                .unwrap_or_else(|_| Err("the blocking pool shut down".to_string()))
        }
    }

    fn submit(&self, job: Job) {
        let mut st = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        st.jobs.push_back(job);
        if st.idle > 0 {
            // Claim the idle thread for this job: the next job must not
            // count on it too.
            st.idle -= 1;
            st.notified += 1;
            self.shared.ready.notify_one();
        } else if st.threads < self.max_threads {
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
        self.shared
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .closed = true;
        self.shared.ready.notify_all();
    }
}
