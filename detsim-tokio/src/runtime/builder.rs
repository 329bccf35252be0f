//! `Builder`: tokio's runtime builder, refused inside a detsim run.
//!
//! Every knob forwards to tokio's builder at once; only
//! [`build`](Builder::build) and [`build_local`](Builder::build_local)
//! look at the world. Inside a detsim run they return an error instead of
//! a runtime, since a real tokio runtime's tasks, timers and sockets would
//! run beside the simulation, on threads and the host clock, where detsim
//! can neither schedule nor replay them.

use std::io;
use std::time::Duration;

use crate::runtime::Runtime;
use crate::world::in_detsim;

/// Builds a tokio runtime with custom settings (`tokio::runtime::Builder`),
/// as `#[tokio::main]` and `#[tokio::test]` do.
///
/// ```
/// let rt = detsim_tokio::runtime::Builder::new_current_thread()
///     .enable_all()
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
///
/// Inside a detsim run, building fails with an error that says to use
/// `tokio::spawn` instead:
///
/// ```
/// detsim::Runtime::sim(1).block_on(async {
///     let err = detsim_tokio::runtime::Builder::new_multi_thread().build().unwrap_err();
///     assert!(err.to_string().contains("tokio::spawn"));
/// });
/// ```
#[derive(Debug)]
pub struct Builder {
    inner: tokio::runtime::Builder,
}

/// Forwards a `&mut self` knob to tokio's builder.
macro_rules! forward {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*)) => {
        $(#[$doc])*
        pub fn $name(&mut self, $($arg: $ty),*) -> &mut Self {
            self.inner.$name($($arg),*);
            self
        }
    };
}

impl Builder {
    /// A builder for a runtime on the current thread.
    pub fn new_current_thread() -> Builder {
        Builder {
            inner: tokio::runtime::Builder::new_current_thread(),
        }
    }

    /// A builder for a work-stealing runtime on worker threads.
    pub fn new_multi_thread() -> Builder {
        Builder {
            inner: tokio::runtime::Builder::new_multi_thread(),
        }
    }

    forward!(
        /// Enables the IO and time drivers.
        enable_all()
    );
    forward!(
        /// Enables the IO driver.
        enable_io()
    );
    forward!(
        /// Enables the time driver.
        enable_time()
    );
    forward!(
        /// The number of worker threads (multi-thread runtime).
        worker_threads(val: usize)
    );
    forward!(
        /// The most threads the blocking pool may start.
        max_blocking_threads(val: usize)
    );
    forward!(
        /// How long an idle blocking thread lives.
        thread_keep_alive(duration: Duration)
    );
    forward!(
        /// The stack size of the runtime's threads.
        thread_stack_size(val: usize)
    );
    forward!(
        /// Ticks between polls of the global queue.
        global_queue_interval(val: u32)
    );
    forward!(
        /// Ticks between polls for IO and timer events.
        event_interval(val: u32)
    );
    forward!(
        /// The most IO events handled per tick.
        max_io_events_per_tick(capacity: usize)
    );

    /// Names the runtime's threads.
    pub fn thread_name(&mut self, val: impl Into<String>) -> &mut Self {
        self.inner.thread_name(val);
        self
    }

    /// Names the runtime (`#[tokio::main(name = "..")]` sets it).
    pub fn name(&mut self, val: impl Into<String>) -> &mut Self {
        self.inner.name(val);
        self
    }

    /// Names each of the runtime's threads with `f`.
    pub fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.inner.thread_name_fn(f);
        self
    }

    /// Runs `f` on each new worker or blocking thread.
    pub fn on_thread_start<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.inner.on_thread_start(f);
        self
    }

    /// Runs `f` on each thread before it stops.
    pub fn on_thread_stop<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.inner.on_thread_stop(f);
        self
    }

    /// Runs `f` when a worker thread parks.
    pub fn on_thread_park<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.inner.on_thread_park(f);
        self
    }

    /// Runs `f` when a worker thread unparks.
    pub fn on_thread_unpark<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.inner.on_thread_unpark(f);
        self
    }

    /// Starts tokio's clock paused (feature `test-util`; current-thread
    /// runtime). The simulation's clock is always virtual.
    #[cfg(feature = "test-util")]
    pub fn start_paused(&mut self, start_paused: bool) -> &mut Self {
        self.inner.start_paused(start_paused);
        self
    }

    /// What a panic in a spawned task does (`--cfg tokio_unstable` only,
    /// as tokio's). Under detsim a panic always fails the run.
    #[cfg(tokio_unstable)]
    pub fn unhandled_panic(&mut self, behavior: crate::runtime::UnhandledPanic) -> &mut Self {
        self.inner.unhandled_panic(behavior);
        self
    }

    /// Builds the runtime.
    ///
    /// # Errors
    ///
    /// Inside a detsim run (see the type's docs); otherwise tokio's
    /// errors.
    pub fn build(&mut self) -> io::Result<Runtime> {
        refuse_inside_detsim()?;
        self.inner.build().map(Runtime::from_tokio)
    }

    /// Builds a runtime whose tasks need not be `Send` (tokio's
    /// `LocalRuntime`, forwarded; `#[tokio::main(flavor = "local")]`).
    ///
    /// # Errors
    ///
    /// Inside a detsim run, as [`build`](Builder::build).
    pub fn build_local(
        &mut self,
        options: tokio::runtime::LocalOptions,
    ) -> io::Result<tokio::runtime::LocalRuntime> {
        refuse_inside_detsim()?;
        self.inner.build_local(options)
    }
}

/// The error of building a tokio runtime inside a detsim run.
pub(crate) fn refuse_inside_detsim() -> io::Result<()> {
    if !in_detsim() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "a tokio runtime cannot be built inside a detsim run: its tasks, timers and sockets \
         would run outside the simulation, on real threads and the host clock, where detsim \
         can neither schedule nor replay them. Spawn onto the run instead: `tokio::spawn`, \
         `tokio::task::spawn_blocking` or `tokio::runtime::Handle::current().spawn(..)` become \
         simulated tasks there",
    ))
}
