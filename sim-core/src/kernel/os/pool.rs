//! The blocking pool: a few threads that run jobs which would block the
//! executor (file IO, `spawn_blocking`), and wake the task when done.
//!
//! Threads are started on demand up to the bound; jobs beyond wait in a
//! queue (unbounded, like tokio's). On shutdown the threads finish the job
//! in hand and exit; they are not joined, so a job stuck in a syscall
//! cannot hang the runtime's drop.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Condvar, Mutex};

use futures::channel::oneshot;

/// Threads in the pool: enough to overlap a few blocking file operations.
pub(crate) const DEFAULT_THREADS: usize = 8;

type Job = Box<dyn FnOnce() + Send>;

struct Shared {
    queue: Mutex<State>,
    ready: Condvar,
}

struct State {
    jobs: VecDeque<Job>,
    threads: usize,
    idle: usize,
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
        if st.idle == 0 && st.threads < self.max_threads {
            st.threads += 1;
            let shared = Arc::clone(&self.shared);
            std::thread::Builder::new()
                .name("detsim-blocking".into())
                .spawn(move || worker(&shared))
                .expect("detsim: could not start a blocking-pool thread");
        } else {
            self.shared.ready.notify_one();
        }
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
        st = shared.ready.wait(st).unwrap_or_else(|e| e.into_inner());
        st.idle -= 1;
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
