//! `JoinSet`: a set of tasks awaited in completion order, in either world.
//!
//! A `JoinSet` may be created anywhere (in `main`, in a struct built
//! before the run) and used inside a run: it holds a tokio set and a
//! simulated one, and each call goes to the world it is made in (the
//! `*_on` methods: to the world of the handle or `LocalSet`; see
//! `spawn.rs`). Under
//! detsim, a task of the set notes its end (completion or abort) in the
//! set's queue when its future is dropped, so `join_next` returns tasks in
//! the order they ended, which the seed decides and replays.
//!
//! # Divergence from tokio
//!
//! Dropping a set aborts its simulated tasks only when the drop happens
//! inside their run (after the run, they are gone anyway). Tasks of both
//! worlds in one set cannot be awaited together: `join_next` panics when
//! the only tasks left belong to the other world.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::future::{Future, poll_fn};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use crate::task::{Id, JoinError, JoinHandle};
use crate::world::in_detsim;

mod spawn;

/// A collection of spawned tasks, awaited in the order they finish
/// (`tokio::task::JoinSet`). Dropping the set aborts its tasks.
///
/// ```
/// use detsim_tokio::task::JoinSet;
/// use detsim_tokio::time::{sleep, Duration};
///
/// let mut set = JoinSet::new(); // made outside the run, used inside
/// detsim::Runtime::sim(3).block_on(async move {
///     for ms in [30u64, 10, 20] {
///         set.spawn(async move {
///             sleep(Duration::from_millis(ms)).await;
///             ms
///         });
///     }
///     let mut order = Vec::new();
///     while let Some(done) = set.join_next().await {
///         order.push(done.unwrap());
///     }
///     assert_eq!(order, [10, 20, 30]);
/// });
/// ```
pub struct JoinSet<T> {
    tokio: tokio::task::JoinSet<T>,
    sim: SimSet<T>,
}

/// The simulated tasks of a set: their handles by spawn order, and the
/// order in which they ended.
struct SimSet<T> {
    tasks: BTreeMap<u64, JoinHandle<T>>,
    ended: Arc<Mutex<Ended>>,
    next_key: u64,
}

#[derive(Default)]
struct Ended {
    keys: VecDeque<u64>,
    waker: Option<Waker>,
}

impl<T> JoinSet<T> {
    /// An empty set. Needs no runtime.
    pub fn new() -> JoinSet<T> {
        JoinSet {
            tokio: tokio::task::JoinSet::new(),
            sim: SimSet {
                tasks: BTreeMap::new(),
                ended: Arc::default(),
                next_key: 0,
            },
        }
    }

    /// The number of tasks in the set (running or finished but not yet
    /// joined).
    pub fn len(&self) -> usize {
        self.tokio.len() + self.sim.tasks.len()
    }

    /// Whether the set has no tasks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: 'static> JoinSet<T> {
    /// Aborts every task; they stay in the set until joined, as cancelled.
    ///
    /// # Panics
    ///
    /// With simulated tasks, outside their run.
    #[track_caller]
    pub fn abort_all(&mut self) {
        self.tokio.abort_all();
        for task in self.sim.tasks.values() {
            task.abort();
        }
    }

    /// Removes every task from the set without aborting them: they keep
    /// running, detached.
    pub fn detach_all(&mut self) {
        self.tokio.detach_all();
        self.sim.tasks.clear();
    }

    /// Waits for the next task to end; `None` when the set is empty.
    /// Cancel-safe.
    ///
    /// # Panics
    ///
    /// When every task left belongs to the other world.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// As [`join_next`](JoinSet::join_next), with the task's id.
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// A task that has already ended, if any, without waiting.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.try_join_next_with_id()
            .map(|r| r.map(|(_, output)| output))
    }

    /// As [`try_join_next`](JoinSet::try_join_next), with the task's id.
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        if in_detsim() {
            let mut cx = Context::from_waker(Waker::noop());
            match self.poll_sim(&mut cx) {
                Poll::Ready(r) => r,
                Poll::Pending => None,
            }
        } else {
            self.tokio.try_join_next_with_id().map(|r| {
                r.map(|(id, v)| (Id::tokio(id), v))
                    .map_err(JoinError::tokio)
            })
        }
    }

    /// Polls for the next task to end.
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_with_id(cx)
            .map(|r| r.map(|r| r.map(|(_, output)| output)))
    }

    /// Polls for the next task to end, with its id.
    #[track_caller]
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        if in_detsim() {
            if self.sim.tasks.is_empty() && !self.tokio.is_empty() {
                other_world("tokio tasks", "inside a detsim run");
            }
            self.poll_sim(cx)
        } else {
            if self.tokio.is_empty() && !self.sim.tasks.is_empty() {
                other_world("simulated tasks", "outside their detsim run");
            }
            self.tokio.poll_join_next_with_id(cx).map(|r| {
                r.map(|r| {
                    r.map(|(id, v)| (Id::tokio(id), v))
                        .map_err(JoinError::tokio)
                })
            })
        }
    }

    fn poll_sim(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<(Id, T), JoinError>>> {
        if self.sim.tasks.is_empty() {
            return Poll::Ready(None);
        }
        let mut ended = self.sim.ended.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(key) = ended.keys.pop_front() {
            // A detached task's end is still noted: skip it.
            let Some(handle) = self.sim.tasks.get_mut(&key) else {
                continue;
            };
            let id = handle.id();
            match std::pin::Pin::new(handle).poll(cx) {
                Poll::Ready(out) => {
                    self.sim.tasks.remove(&key);
                    return Poll::Ready(Some(out.map(|v| (id, v))));
                }
                // Its output is not handed over yet; the handle will wake us.
                Poll::Pending => {
                    ended.keys.push_front(key);
                    return Poll::Pending;
                }
            }
        }
        ended.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Waits for every task and returns their outputs in the order they
    /// ended.
    ///
    /// # Panics
    ///
    /// If a task panicked (its panic is resumed) or was aborted; the
    /// remaining tasks are aborted first (the set is dropped).
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len());
        while let Some(next) = self.join_next().await {
            match next {
                Ok(v) => outputs.push(v),
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => panic!("JoinSet::join_all: {e}"),
            }
        }
        outputs
    }

    /// Aborts every task and waits for them all to end.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

#[cold]
#[track_caller]
fn other_world(what: &str, where_: &str) -> ! {
    panic!(
        "JoinSet: the set's only tasks left are {what}, awaited {where_}; await a set's tasks in \
         the world they were spawned in (a set made outside a detsim run may spawn and join \
         inside it)"
    )
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        // tokio's set aborts its own tasks when dropped.
        if !self.sim.tasks.is_empty() && in_detsim() {
            for task in self.sim.tasks.values() {
                task.abort();
            }
        }
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}

impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = F>>(iter: I) -> JoinSet<T> {
        let mut set = JoinSet::new();
        set.extend(iter);
        set
    }
}

impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    #[track_caller]
    fn extend<I: IntoIterator<Item = F>>(&mut self, iter: I) {
        for task in iter {
            self.spawn(task);
        }
    }
}
