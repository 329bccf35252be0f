//! `Runtime`: a real tokio runtime, made outside any detsim run.
//!
//! A `Runtime` is always tokio's: [`Builder::build`](crate::runtime::Builder::build)
//! and [`Runtime::new`] refuse to make one inside a detsim run. Used
//! inside a run anyway (made before it), its `spawn` goes to tokio as
//! asked (that task is outside the simulation), and its `block_on`
//! panics, since it would run tokio on the simulation's thread.

use std::future::Future;
use std::io;
use std::time::Duration;

use crate::runtime::builder::refuse_inside_detsim;
use crate::runtime::{EnterGuard, Handle};
use crate::task::JoinHandle;
use crate::world::in_detsim;

/// A tokio runtime (`tokio::runtime::Runtime`), built by
/// [`Builder`](crate::runtime::Builder) or [`Runtime::new`].
///
/// ```
/// let rt = detsim_tokio::runtime::Runtime::new().unwrap();
/// let task = rt.spawn(async { "spawned" });
/// assert_eq!(rt.block_on(task).unwrap(), "spawned");
/// ```
#[derive(Debug)]
pub struct Runtime {
    rt: tokio::runtime::Runtime,
    handle: Handle,
}

impl Runtime {
    /// tokio's runtime inside, for `LocalSet::block_on`.
    pub(crate) fn as_tokio(&self) -> &tokio::runtime::Runtime {
        &self.rt
    }

    pub(crate) fn from_tokio(rt: tokio::runtime::Runtime) -> Runtime {
        let handle = Handle::from_tokio(rt.handle().clone());
        Runtime { rt, handle }
    }

    /// A multi-thread runtime with IO and time enabled.
    ///
    /// # Errors
    ///
    /// Inside a detsim run (use `tokio::spawn` there), or tokio's.
    pub fn new() -> io::Result<Runtime> {
        refuse_inside_detsim()?;
        tokio::runtime::Runtime::new().map(Runtime::from_tokio)
    }

    /// A handle to this runtime.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Spawns `future` on this runtime.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        JoinHandle::tokio(self.rt.spawn(future))
    }

    /// Runs `f` on this runtime's blocking pool.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        JoinHandle::tokio(self.rt.spawn_blocking(f))
    }

    /// Runs `future` to completion on this runtime, blocking the thread.
    ///
    /// # Panics
    ///
    /// Inside a detsim run (await the future there), or where tokio's
    /// panics (inside a tokio runtime).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        if in_detsim() {
            block_on_in_detsim();
        }
        self.rt.block_on(future)
    }

    /// Enters this runtime's context, so `tokio::spawn` and timers reach
    /// it, until the guard drops.
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Shuts down, waiting at most `duration` for blocking tasks.
    pub fn shutdown_timeout(self, duration: Duration) {
        self.rt.shutdown_timeout(duration)
    }

    /// Shuts down without waiting for blocking tasks.
    pub fn shutdown_background(self) {
        self.rt.shutdown_background()
    }
}

#[cold]
#[track_caller]
pub(crate) fn block_on_in_detsim() -> ! {
    panic!(
        "a tokio runtime's block_on was called inside a detsim run: it would block the \
         simulation's only thread while tokio ran the future outside the simulation. Inside the \
         run, `.await` the future (or `tokio::spawn` it) instead"
    )
}
