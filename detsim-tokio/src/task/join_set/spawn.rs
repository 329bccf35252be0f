//! Putting tasks into a `JoinSet`: in the caller's world, or on a given
//! runtime handle or `LocalSet` (the `*_on` methods).
//!
//! Under detsim every task of a set is a simulated task wrapped so that
//! dropping its future (finished or aborted) notes its end in the set's
//! queue; that queue is the order `join_next` returns them in.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use super::{Ended, JoinSet};
use crate::runtime::Handle;
use crate::task::{AbortHandle, JoinHandle, LocalSet};
use crate::world::in_detsim;

impl<T: 'static> JoinSet<T> {
    /// Spawns `task` into the set, in the caller's world.
    #[track_caller]
    pub fn spawn<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        if in_detsim() {
            self.insert_sim(task)
        } else {
            AbortHandle::tokio(self.tokio.spawn(task))
        }
    }

    /// Spawns `task` into the set on the runtime `handle` names: a tokio
    /// runtime, or the detsim run the handle was taken in.
    ///
    /// ```
    /// use detsim_tokio::runtime::Handle;
    /// use detsim_tokio::task::JoinSet;
    ///
    /// detsim::Runtime::sim(7).block_on(async {
    ///     let handle = Handle::current();
    ///     let mut set = JoinSet::new();
    ///     set.spawn_on(async { 6 * 7 }, &handle);
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 42);
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// A detsim handle used outside its run (on another thread, or after
    /// the run ended).
    #[track_caller]
    pub fn spawn_on<F>(&mut self, task: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        match handle.spawn_target("JoinSet::spawn_on") {
            Some(tokio) => AbortHandle::tokio(self.tokio.spawn_on(task, tokio)),
            None => self.insert_sim(task),
        }
    }

    /// Spawns a `!Send` task into the set (under tokio, inside a
    /// `LocalSet`; under detsim, anywhere in the run).
    #[track_caller]
    pub fn spawn_local<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        if in_detsim() {
            self.insert_sim(task)
        } else {
            AbortHandle::tokio(self.tokio.spawn_local(task))
        }
    }

    /// Spawns a `!Send` task into the set on `local`: under tokio it runs
    /// while the `LocalSet` is driven; under detsim it is an ordinary
    /// simulated task that awaiting `local` also waits for.
    #[track_caller]
    pub fn spawn_local_on<F>(&mut self, task: F, local: &LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        if in_detsim() {
            self.insert_sim(local.track(task))
        } else {
            AbortHandle::tokio(self.tokio.spawn_local_on(task, local.as_tokio()))
        }
    }

    /// Runs a blocking closure as a task of the set (see
    /// [`spawn_blocking`](crate::task::spawn_blocking)).
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        if in_detsim() {
            self.insert_sim_blocking(f)
        } else {
            AbortHandle::tokio(self.tokio.spawn_blocking(f))
        }
    }

    /// Runs a blocking closure as a task of the set on the runtime
    /// `handle` names (under detsim, inline at a seeded virtual time, as
    /// [`spawn_blocking`](crate::task::spawn_blocking)).
    ///
    /// # Panics
    ///
    /// A detsim handle used outside its run.
    #[track_caller]
    pub fn spawn_blocking_on<F>(&mut self, f: F, handle: &Handle) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        match handle.spawn_target("JoinSet::spawn_blocking_on") {
            Some(tokio) => AbortHandle::tokio(self.tokio.spawn_blocking_on(f, tokio)),
            None => self.insert_sim_blocking(f),
        }
    }

    #[track_caller]
    fn insert_sim<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        let note = self.end_note();
        let key = note.key;
        let handle = detsim::spawn(EndNoted::new(task, note));
        self.keep(key, JoinHandle::sim(handle))
    }

    #[track_caller]
    fn insert_sim_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        let note = self.end_note();
        let key = note.key;
        let handle = detsim::task::spawn_blocking(move || {
            let _note = note;
            f()
        });
        self.keep(key, JoinHandle::sim(handle))
    }

    /// The next task's key, and the note its future's drop leaves.
    fn end_note(&mut self) -> EndNote {
        let key = self.sim.next_key;
        self.sim.next_key += 1;
        EndNote {
            ended: self.sim.ended.clone(),
            key,
        }
    }

    fn keep(&mut self, key: u64, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        self.sim.tasks.insert(key, handle);
        abort
    }
}

/// Dropped with its task's future: notes the task's end in its set.
struct EndNote {
    ended: Arc<Mutex<Ended>>,
    key: u64,
}

impl Drop for EndNote {
    fn drop(&mut self) {
        let waker = {
            let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
            ended.keys.push_back(self.key);
            ended.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

pin_project_lite::pin_project! {
    /// A set's task: notes its end in the set when dropped.
    struct EndNoted<F> {
        #[pin]
        task: F,
        note: EndNote,
    }
}

impl<F> EndNoted<F> {
    fn new(task: F, note: EndNote) -> EndNoted<F> {
        EndNoted { task, note }
    }
}

impl<F: Future> Future for EndNoted<F> {
    type Output = F::Output;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().task.poll(cx)
    }
}
