//! [`Barrier`]: tasks wait until a given number of them have arrived.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use crate::sync::deadlock::{Op, ReportCtx, SyncWait, WaitTarget};
use crate::sync::stamp::{Label, Owner, Stamp, lock};

/// A barrier for `n` tasks, as tokio's: each [`wait`](Barrier::wait)
/// blocks until `n` tasks are waiting, then all of them go on and the
/// barrier starts over.
///
/// The last task to arrive is the leader
/// ([`BarrierWaitResult::is_leader`]) and returns at once; the others are
/// woken in the order they arrived. As in tokio, `wait` is not cancel
/// safe: a task counts as arrived from the first poll of its `wait`, and
/// dropping that future does not take the arrival back.
///
/// A task stuck here is reported as ``waits on Barrier `start` (2 of 3
/// arrived: task `a` and task `b`)``. Name the barrier with
/// [`with_name`](Barrier::with_name).
///
/// ```
/// use detsim::sync::Barrier;
/// use std::sync::Arc;
///
/// detsim::Runtime::sim(1).block_on(async {
///     let start = Arc::new(Barrier::new(3).with_name("start"));
///     let tasks: Vec<_> = (0..3)
///         .map(|_| {
///             let start = start.clone();
///             detsim::spawn(async move { start.wait().await.is_leader() })
///         })
///         .collect();
///     let mut leaders = 0;
///     for t in tasks {
///         leaders += t.await.unwrap() as usize;
///     }
///     assert_eq!(leaders, 1);
/// });
/// ```
pub struct Barrier {
    shared: Arc<Shared>,
    n: usize,
}

struct Shared {
    state: Mutex<State>,
}

struct State {
    /// Who arrived in the current generation, in order.
    arrived: Vec<Stamp>,
    generation: u64,
    /// Tasks waiting for their generation to complete, in arrival order.
    waiting: BTreeMap<u64, Waker>,
    next_key: u64,
    label: Label,
    /// How many tasks a generation needs (for reports).
    n: usize,
}

/// What [`Barrier::wait`] returns.
#[derive(Clone, Debug)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this task was the last to arrive. Exactly one task of each
    /// generation is.
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    /// A barrier that releases tasks `n` at a time (`0` acts as `1`),
    /// named in reports after the place it was created until
    /// [`with_name`](Barrier::with_name).
    #[track_caller]
    pub fn new(n: usize) -> Barrier {
        let n = n.max(1);
        Barrier {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    arrived: Vec::new(),
                    generation: 0,
                    waiting: BTreeMap::new(),
                    next_key: 0,
                    label: Label::new("Barrier", Location::caller()),
                    n,
                }),
            }),
            n,
        }
    }

    /// Names it in deadlock reports (``Barrier `start` ``).
    pub fn with_name(self, name: impl Into<String>) -> Barrier {
        self.shared.state().label.set_name(name);
        self
    }

    /// Waits until `n` tasks wait here; see the type's docs.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let alone = detsim::sync::Barrier::new(1);
    ///     assert!(alone.wait().await.is_leader(), "the last (only) to arrive");
    /// });
    /// ```
    #[track_caller]
    pub fn wait(&self) -> impl Future<Output = BarrierWaitResult> + '_ {
        Wait {
            barrier: self,
            at: Location::caller(),
            phase: None,
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.shared.state();
        f.debug_struct("Barrier")
            .field("name", &st.label.name())
            .field("n", &self.n)
            .field("arrived", &st.arrived.len())
            .finish()
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

/// The future of [`Barrier::wait`].
struct Wait<'a> {
    barrier: &'a Barrier,
    at: &'static Location<'static>,
    /// Once arrived: its generation and its waiting key.
    phase: Option<(u64, u64)>,
}

impl Future for Wait<'_> {
    type Output = BarrierWaitResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let this = self.get_mut();
        let shared = &this.barrier.shared;
        let mut st = shared.state();
        let Some((generation, key)) = this.phase else {
            let _untracked = crate::alloc::Untracked::new();
            st.arrived.push(Stamp::now(this.at));
            if st.arrived.len() == this.barrier.n {
                st.arrived.clear();
                st.generation += 1;
                let waiting = std::mem::take(&mut st.waiting);
                drop(st);
                for w in waiting.into_values() {
                    w.wake();
                }
                return Poll::Ready(BarrierWaitResult(true));
            }
            let key = st.next_key;
            st.next_key += 1;
            st.waiting.insert(key, cx.waker().clone());
            this.phase = Some((st.generation, key));
            drop(st);
            SyncWait::note(shared, Op::Barrier);
            return Poll::Pending;
        };
        if st.generation > generation {
            this.phase = None;
            return Poll::Ready(BarrierWaitResult(false));
        }
        let _untracked = crate::alloc::Untracked::new();
        let old = st.waiting.insert(key, cx.waker().clone());
        drop(st);
        drop(old);
        SyncWait::note(shared, Op::Barrier);
        Poll::Pending
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if let Some((_, key)) = self.phase {
            let old = self.barrier.shared.state().waiting.remove(&key);
            drop(old);
        }
    }
}

impl WaitTarget for Shared {
    fn label(&self, _op: Op) -> String {
        self.state().label.whole()
    }

    fn describe(&self, _op: Op, ctx: &ReportCtx<'_>) -> String {
        let st = self.state();
        format!(
            "{} ({} of {} arrived: {})",
            st.label.whole(),
            st.arrived.len(),
            st.n,
            ctx.tasks(st.arrived.iter().map(|s| s.owner))
        )
    }

    fn blockers(&self, _op: Op) -> Vec<Owner> {
        Vec::new()
    }
}
