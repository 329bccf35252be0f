//! `LocalSet`: tokio's set of `!Send` tasks; under detsim, a no-op frame.
//!
//! # Divergence from tokio
//!
//! Every detsim task already runs on the simulation's one thread, so
//! inside a run a `LocalSet` holds nothing: [`LocalSet::spawn_local`]
//! spawns an ordinary simulated task (it runs whether or not the set is
//! driven), [`LocalSet::run_until`] just awaits its future, and awaiting
//! the set itself waits for the tasks it spawned inside the run. Outside
//! a run every method is tokio's.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::runtime::Runtime;
use crate::task::JoinHandle;
use crate::world::in_detsim;

pub use tokio::task::LocalEnterGuard;

/// A set of `!Send` tasks run on the current thread
/// (`tokio::task::LocalSet`). Neither `Send` nor `Sync`, like tokio's.
///
/// ```
/// use std::rc::Rc;
/// use detsim_tokio::task::LocalSet;
///
/// detsim::Runtime::sim(2).block_on(async {
///     let local = LocalSet::new();
///     let shared = Rc::new("not Send");
///     let task = local.spawn_local(async move { shared.len() });
///     assert_eq!(local.run_until(task).await.unwrap(), 8);
/// });
/// ```
#[derive(Default)]
pub struct LocalSet {
    tokio: tokio::task::LocalSet,
    /// The tasks spawned on the set inside a run that have not ended, so
    /// that awaiting the set can wait for them.
    sim: Rc<RefCell<Live>>,
}

#[derive(Default)]
struct Live {
    tasks: usize,
    waker: Option<Waker>,
}

/// Dropped with a task's future: the task has ended.
struct Ended(Rc<RefCell<Live>>);

impl Drop for Ended {
    fn drop(&mut self) {
        let waker = {
            let mut live = self.0.borrow_mut();
            live.tasks -= 1;
            live.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl LocalSet {
    /// An empty set. Needs no runtime.
    pub fn new() -> LocalSet {
        LocalSet::default()
    }

    /// Spawns a `!Send` task on the set: under tokio it runs while the set
    /// is driven; under detsim it is an ordinary simulated task.
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        if in_detsim() {
            JoinHandle::sim(detsim::spawn(self.track(future)))
        } else {
            JoinHandle::tokio(self.tokio.spawn_local(future))
        }
    }

    /// Counts `future` as one of the set's tasks inside a run until it is
    /// dropped (finished or cancelled), so that awaiting the set waits for
    /// it.
    pub(crate) fn track<F: Future>(&self, future: F) -> impl Future<Output = F::Output> + use<F> {
        self.sim.borrow_mut().tasks += 1;
        let ended = Ended(self.sim.clone());
        async move {
            let _ended = ended;
            future.await
        }
    }

    /// tokio's set, for spawns outside a run.
    pub(crate) fn as_tokio(&self) -> &tokio::task::LocalSet {
        &self.tokio
    }

    /// Runs `future` to completion while driving the set's tasks (under
    /// detsim: just runs it; the tasks run anyway).
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        if in_detsim() {
            future.await
        } else {
            self.tokio.run_until(future).await
        }
    }

    /// Runs `future` on `rt` while driving the set's tasks, blocking the
    /// thread.
    ///
    /// # Panics
    ///
    /// Inside a detsim run (await [`run_until`](LocalSet::run_until)
    /// there), or where tokio's panics.
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &Runtime, future: F) -> F::Output {
        if in_detsim() {
            crate::runtime::block_on_in_detsim();
        }
        self.tokio.block_on(rt.as_tokio(), future)
    }

    /// Enters the set's context, so `task::spawn_local` reaches it (tokio
    /// only; under detsim `spawn_local` needs no set).
    pub fn enter(&self) -> LocalEnterGuard {
        self.tokio.enter()
    }
}

impl Future for LocalSet {
    type Output = ();

    /// Completes when every task spawned on the set has ended.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if in_detsim() {
            let mut live = self.sim.borrow_mut();
            if live.tasks == 0 {
                return Poll::Ready(());
            }
            live.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        Pin::new(&mut self.get_mut().tokio).poll(cx)
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet").finish_non_exhaustive()
    }
}
