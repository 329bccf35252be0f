//! Spawning: `spawn`, `spawn_local`, `spawn_blocking`, `block_in_place`
//! and `yield_now`, each choosing its world at the call.
//!
//! # Divergence from tokio
//!
//! Under detsim every task runs on the simulation's one thread, in the
//! order the seed picks. So `spawn_local` needs no `LocalSet` there;
//! `spawn_blocking` runs the closure inline at a seeded virtual time (see
//! [`detsim::task::spawn_blocking`]) and must not wait on the simulation;
//! and `block_in_place` simply runs the closure, where tokio would move the
//! worker's other tasks to another thread (on tokio's current-thread
//! runtime it panics; under detsim it never does).

use std::future::Future;

use crate::task::JoinHandle;
use crate::world::in_detsim;

/// Spawns `future` as a new task (`tokio::spawn`).
///
/// Inside a detsim runtime the task runs on the simulation, scheduled by
/// the seed; anywhere else on the current tokio runtime (and panics, like
/// tokio's, outside one). The task starts running in the background even
/// if the handle is dropped.
///
/// ```
/// use detsim_tokio::time::{sleep, Duration};
///
/// detsim::Sim::new().seeds(20).run(|| async {
///     let a = detsim_tokio::spawn(async { sleep(Duration::from_millis(5)).await; 'a' });
///     let b = detsim_tokio::spawn(async { 'b' });
///     assert_eq!((a.await.unwrap(), b.await.unwrap()), ('a', 'b'));
/// });
/// ```
#[inline]
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if in_detsim() {
        JoinHandle::sim(detsim::spawn(future))
    } else {
        JoinHandle::tokio(tokio::spawn(future))
    }
}

/// Spawns a `!Send` future on the current thread
/// (`tokio::task::spawn_local`).
///
/// Under tokio it must run inside a [`LocalSet`](crate::task::LocalSet)
/// (or panics, like tokio's). Under detsim every task is local to the
/// simulation's thread, so it is an ordinary spawn and needs no `LocalSet`.
///
/// ```
/// use std::rc::Rc;
///
/// detsim::Runtime::sim(1).block_on(async {
///     let shared = Rc::new(5);
///     let task = detsim_tokio::task::spawn_local(async move { *shared + 1 });
///     assert_eq!(task.await.unwrap(), 6);
/// });
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    if in_detsim() {
        JoinHandle::sim(detsim::spawn(future))
    } else {
        JoinHandle::tokio(tokio::task::spawn_local(future))
    }
}

/// Runs a blocking closure off the async tasks
/// (`tokio::task::spawn_blocking`).
///
/// Under tokio it runs on the blocking thread pool. Under detsim it runs
/// inline on the simulation's thread after a seeded virtual delay
/// ([`detsim::task::spawn_blocking`]); it must not wait for other tasks.
///
/// ```
/// detsim::Runtime::sim(3).block_on(async {
///     let sum = detsim_tokio::task::spawn_blocking(|| (1..=4u32).sum::<u32>());
///     assert_eq!(sum.await.unwrap(), 10);
/// });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    if in_detsim() {
        JoinHandle::sim(detsim::task::spawn_blocking(f))
    } else {
        JoinHandle::tokio(tokio::task::spawn_blocking(f))
    }
}

/// Runs a blocking closure on the current worker thread
/// (`tokio::task::block_in_place`).
///
/// Under detsim the closure runs inline (the whole simulation waits for
/// it, and it takes no virtual time). Under tokio it is tokio's, which
/// panics on a current-thread runtime.
///
/// ```
/// detsim::Runtime::sim(1).block_on(async {
///     assert_eq!(detsim_tokio::task::block_in_place(|| 2 + 2), 4);
/// });
/// ```
#[track_caller]
pub fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    if in_detsim() {
        f()
    } else {
        tokio::task::block_in_place(f)
    }
}

/// Yields once to the scheduler (`tokio::task::yield_now`).
///
/// Under detsim the seeded scheduler may then run any runnable task; under
/// tokio it is tokio's.
///
/// ```
/// detsim::Runtime::sim(1).block_on(async {
///     detsim_tokio::task::yield_now().await;
/// });
/// ```
#[inline]
pub async fn yield_now() {
    if in_detsim() {
        detsim::task::yield_now().await
    } else {
        tokio::task::yield_now().await
    }
}
