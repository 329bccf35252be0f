//! `Handle`: a handle to tokio's runtime, or to the detsim run of the
//! caller.
//!
//! `Handle::current()` inside a detsim run returns a handle to that run:
//! its `spawn` makes a simulated task. A run lives on one thread and ends
//! with its `block_on`, so such a handle works only on that thread and in
//! that run; used anywhere else it panics with a message saying so (tokio's
//! handle, by contrast, works from any thread).

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::thread::{self, ThreadId};

use crate::runtime::runtime::block_on_in_detsim;
use crate::task::JoinHandle;
use crate::world::in_detsim;

pub use tokio::runtime::{RuntimeFlavor, TryCurrentError};

/// A handle to a runtime (`tokio::runtime::Handle`): tokio's, or the
/// detsim run it was taken in. Cloneable, `Send + Sync`.
///
/// ```
/// use detsim_tokio::runtime::Handle;
///
/// detsim::Runtime::sim(1).block_on(async {
///     let handle = Handle::current();
///     let task = handle.spawn(async { "simulated" });
///     assert_eq!(task.await.unwrap(), "simulated");
/// });
/// ```
#[derive(Clone)]
pub struct Handle(Repr);

#[derive(Clone)]
enum Repr {
    Tokio(tokio::runtime::Handle),
    Sim(Arc<SimRun>),
}

/// Which detsim run a handle belongs to.
struct SimRun {
    thread: ThreadId,
    seed: u64,
    /// A timer never armed: detsim's same-run check, for a handle used in
    /// a later run of the same seed on the same thread.
    anchor: detsim::time::Sleep,
}

impl Handle {
    pub(crate) fn from_tokio(handle: tokio::runtime::Handle) -> Handle {
        Handle(Repr::Tokio(handle))
    }

    fn sim() -> Handle {
        Handle(Repr::Sim(Arc::new(SimRun {
            thread: thread::current().id(),
            seed: detsim::rand::seed(),
            anchor: detsim::time::sleep_until(detsim::time::Instant::ZERO),
        })))
    }

    /// A handle to the current runtime: the detsim run inside one, tokio's
    /// current runtime otherwise.
    ///
    /// # Panics
    ///
    /// Outside both (like tokio's).
    #[track_caller]
    pub fn current() -> Handle {
        if in_detsim() {
            Handle::sim()
        } else {
            Handle::from_tokio(tokio::runtime::Handle::current())
        }
    }

    /// A handle to the current runtime, or tokio's error outside any.
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        if in_detsim() {
            Ok(Handle::sim())
        } else {
            tokio::runtime::Handle::try_current().map(Handle::from_tokio)
        }
    }

    /// Spawns `future` on the handle's runtime.
    ///
    /// # Panics
    ///
    /// A detsim handle used outside its run (another thread, a later run).
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.0 {
            Repr::Tokio(h) => JoinHandle::tokio(h.spawn(future)),
            Repr::Sim(run) => {
                run.check("Handle::spawn");
                JoinHandle::sim(detsim::spawn(future))
            }
        }
    }

    /// Runs `f` on the handle's blocking pool (under detsim, inline at a
    /// seeded virtual time, as [`spawn_blocking`](crate::task::spawn_blocking)).
    ///
    /// # Panics
    ///
    /// A detsim handle used outside its run.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        match &self.0 {
            Repr::Tokio(h) => JoinHandle::tokio(h.spawn_blocking(f)),
            Repr::Sim(run) => {
                run.check("Handle::spawn_blocking");
                JoinHandle::sim(detsim::task::spawn_blocking(f))
            }
        }
    }

    /// Runs `future` to completion on the handle's runtime, blocking the
    /// thread.
    ///
    /// # Panics
    ///
    /// Inside a detsim run, whatever the handle: blocking would stop the
    /// simulation's only thread; `.await` the future instead. Where tokio's
    /// panics.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.0 {
            Repr::Tokio(h) if !in_detsim() => h.block_on(future),
            _ => block_on_in_detsim(),
        }
    }

    /// Enters the handle's runtime context until the guard drops. For a
    /// detsim handle the run is already the context, so this only checks
    /// that the handle is used inside its run.
    ///
    /// # Panics
    ///
    /// A detsim handle used outside its run.
    #[track_caller]
    pub fn enter(&self) -> EnterGuard<'_> {
        match &self.0 {
            Repr::Tokio(h) => EnterGuard(GuardRepr::Tokio(h.enter())),
            Repr::Sim(run) => {
                run.check("Handle::enter");
                EnterGuard(GuardRepr::Sim(PhantomData))
            }
        }
    }

    /// Where the handle spawns, for `JoinSet`'s `*_on` methods: tokio's
    /// runtime, or (checked to be used inside its run) the detsim run.
    ///
    /// # Panics
    ///
    /// A detsim handle used outside its run.
    #[track_caller]
    pub(crate) fn spawn_target(&self, what: &str) -> Option<&tokio::runtime::Handle> {
        match &self.0 {
            Repr::Tokio(h) => Some(h),
            Repr::Sim(run) => {
                run.check(what);
                None
            }
        }
    }

    /// The kind of runtime: a detsim run is `CurrentThread` (one thread,
    /// whatever the service asked for).
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        match &self.0 {
            Repr::Tokio(h) => h.runtime_flavor(),
            Repr::Sim(_) => RuntimeFlavor::CurrentThread,
        }
    }
}

impl SimRun {
    #[track_caller]
    fn check(&self, what: &str) {
        let here = thread::current().id();
        if here != self.thread {
            panic!(
                "{what}: this handle belongs to the detsim run of seed {:#x} on thread \
                 {:?}, and was used on thread {here:?}. A detsim run lives on one thread: call \
                 Handle::current() (or tokio::spawn) on the run's own thread instead",
                self.seed, self.thread
            );
        }
        if !in_detsim() {
            panic!(
                "{what}: this handle belongs to the detsim run of seed {:#x}, and was \
                 used outside it (the run has ended or is not running). Take the handle inside \
                 the run that uses it",
                self.seed
            );
        }
        // Panics (naming both runs) if this is another run on this thread.
        self.anchor.is_elapsed();
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Tokio(h) => f.debug_tuple("Handle").field(h).finish(),
            Repr::Sim(run) => f
                .debug_struct("Handle")
                .field("detsim_seed", &run.seed)
                .finish_non_exhaustive(),
        }
    }
}

/// The runtime context entered by [`Handle::enter`] or
/// [`Runtime::enter`](crate::runtime::Runtime::enter), left when dropped
/// (`tokio::runtime::EnterGuard`). `Sync` but not `Send`, like tokio's.
#[derive(Debug)]
#[must_use = "the runtime context is left as soon as the guard is dropped"]
pub struct EnterGuard<'a>(
    // Held for its drop, which leaves tokio's context.
    #[allow(dead_code)] GuardRepr<'a>,
);

#[derive(Debug)]
enum GuardRepr<'a> {
    Tokio(#[allow(dead_code)] tokio::runtime::EnterGuard<'a>),
    /// `!Send` but `Sync`, like tokio's guard (a `MutexGuard` is).
    Sim(PhantomData<(&'a Handle, std::sync::MutexGuard<'static, ()>)>),
}
