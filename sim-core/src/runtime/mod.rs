//! The runtime: one executor, one clock, one kernel, one seed.
//!
//! [`Runtime`] owns everything a run needs and nothing is global: the
//! thread that calls [`Runtime::block_on`] becomes the runtime's thread for
//! the call, and `spawn`, `sleep` and IO types find it through a
//! thread-local context. A sweep runs seeds on several threads at once
//! without them ever meeting.
//!
//! The executor loop, in order: collect wakes, pick a runnable task (seeded
//! choice), poll it; when nothing is runnable, ask the kernel to park until
//! the next timer or kernel event, which under the simulation means jumping
//! the virtual clock there. Nothing runnable and nothing pending is a
//! deadlock.

mod choices;
pub(crate) mod context;
mod executor;
mod foreign_runtime;
mod heartbeat;
pub(crate) mod home;
mod inner;
#[cfg(test)]
mod leak_tests;
mod misuse;
mod panic;
pub(crate) mod resident;
pub(crate) mod resident_future;
mod run_queue;
mod runner_api;
mod scheduler;
mod scheduling;
mod task_info;
mod wait;
pub(crate) mod waker;
mod watchdog;

use std::future::Future;
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

pub(crate) use choices::Choices;
pub(crate) use executor::TaskKey;
pub(crate) use heartbeat::{Beat, Heartbeat};
pub(crate) use home::Home;
pub(crate) use inner::{RuntimeInner, quiet_task_label};
pub(crate) use resident::Resident;
pub use scheduling::Scheduling;
pub(crate) use wait::WaitReason;
pub(crate) use watchdog::{LongPollWatch, Suspect};

use crate::failure::Failure;
use crate::faults::Faults;
use crate::liveness::Liveness;
use crate::time::Instant;

/// Settings of one runtime. Build with `Config::default()` and adjust fields.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// How the next task is chosen.
    pub scheduling: Scheduling,
    /// A poll longer than this (host time) is a long poll; zero disables
    /// the watchdog. Under [`Sim`](crate::Sim) it fails the seed only when
    /// a deterministic re-run measures the same poll over budget again, on
    /// the thread's CPU time unless the poll blocked (so a busy host never
    /// fails a seed); an unconfirmed one prints one warning line. A
    /// standalone `Runtime` cannot re-run, so it only warns.
    pub long_poll_budget: Duration,
    /// Under [`Sim`](crate::Sim): when one poll has not returned after this
    /// much host time (a task blocked its thread, say with
    /// `futures::executor::block_on` inside a task), a monitor thread
    /// prints the task, the seed and the replay line and ends the process
    /// with exit code 101, instead of the test hanging silently. Default
    /// 60 s; zero disables; `DETSIM_STALL_LIMIT` (seconds, e.g. `60` or
    /// `0.5`) overrides.
    pub stall_limit: Duration,
    /// How many recent trace events the failure report shows.
    pub report_events: usize,
    /// Keep every trace event in memory (the determinism check uses it).
    pub record_all_events: bool,
    /// Which faults to inject, and how often. Default: [`Faults::legal`],
    /// what the OS contract allows (short reads, spurious wakes, reordered
    /// completions...) and no environment fault, the same plan as
    /// [`Sim::new`](crate::Sim::new); [`Faults::none`] for a perfect world.
    pub faults: Faults,
    /// A liveness phase: when environment faults end and how long the run
    /// then has to recover (see [`crate::liveness`]). Default: none, faults
    /// never end. Simulation only.
    pub liveness: Option<Liveness>,
    /// The largest allocation one request of a task may make, in bytes
    /// (`None`: no cap). A larger one fails the run with
    /// [`FailureKind::Allocation`](crate::FailureKind::Allocation). Needs
    /// the [`Tracker`](crate::alloc::Tracker) as the global allocator
    /// (building a runtime with a cap panics otherwise); ignored by the
    /// OS runtime. See [`detsim::alloc`](crate::alloc).
    pub allocation_cap: Option<u64>,
    /// How the watchdog treats a suspect long poll (the runner sets it).
    pub(crate) long_poll_watch: LongPollWatch,
    /// The schedule to run under [`Scheduling::Dfs`] (the runner sets it;
    /// none: the FIFO baseline).
    pub(crate) choices: Choices,
    /// Where the run publishes its progress for the stall monitor.
    pub(crate) heartbeat: Option<Arc<Heartbeat>>,
}

/// Seeded random scheduling, a 50 ms long-poll budget, a 60 s stall limit,
/// the last 20 events in reports, the legal fault plan
/// ([`Faults::legal`]), no liveness phase and no allocation cap.
impl Default for Config {
    fn default() -> Config {
        Config {
            scheduling: Scheduling::Random,
            long_poll_budget: Duration::from_millis(50),
            stall_limit: Duration::from_secs(60),
            report_events: 20,
            record_all_events: false,
            faults: Faults::legal(),
            liveness: None,
            allocation_cap: None,
            long_poll_watch: LongPollWatch::Warn,
            choices: Choices::default(),
            heartbeat: None,
        }
    }
}

/// A simulation runtime for one seed.
///
/// Most tests use [`Sim`](crate::Sim), which builds one runtime per seed and
/// turns failures into reports; `Runtime` is the building block underneath,
/// handy for one-off programs and doctests.
///
/// ```
/// use detsim::{Runtime, spawn, time::{sleep, Duration}};
///
/// let rt = Runtime::sim(0x2a);
/// let out = rt.block_on(async {
///     let h = spawn(async {
///         sleep(Duration::from_millis(5)).await;
///         21
///     });
///     h.await.unwrap() * 2
/// });
/// assert_eq!(out, 42);
/// ```
pub struct Runtime {
    inner: Rc<RuntimeInner>,
}

impl Runtime {
    /// A simulated runtime with default settings ([`Config::default`]):
    /// legal behaviour on ([`Faults::legal`]: short reads, partial writes,
    /// spurious wakes and readiness, late and reordered completions), as
    /// under [`Sim::new`](crate::Sim::new), and no environment fault. It
    /// reads no `DETSIM_*` variable (`DETSIM_LEGAL` included: those are
    /// the runner's); for a perfect world, build it with
    /// [`Runtime::with_config`] and [`Faults::none`].
    pub fn sim(seed: u64) -> Runtime {
        Runtime::with_config(seed, Config::default())
    }

    /// A runtime on the real OS: epoll for sockets, a blocking pool for
    /// files, the monotonic clock. The same executor, task API, timers and
    /// IO types as the simulation (`detsim::net`, `detsim::fs` pick their
    /// real implementation), so code tested under the simulation runs here
    /// unchanged. Tasks are polled in wake order, no fault is injected and
    /// the long-poll watchdog is off.
    ///
    /// The seed, which [`detsim::rand`](crate::rand) draws from, comes from
    /// OS entropy, so user randomness differs from run to run as in
    /// production; `DETSIM_SEED` (e.g. `DETSIM_SEED=0x2a`) fixes it.
    /// [`Runtime::seed`] reads it back, and a failure report prints it, so
    /// a run's random choices can be repeated (nothing else about an OS
    /// run is: timing and event order are the real kernel's).
    ///
    /// ```
    /// use detsim::time::{sleep, Duration, Instant};
    ///
    /// let rt = detsim::Runtime::os().unwrap();
    /// let waited = rt.block_on(async {
    ///     let start = Instant::now();
    ///     sleep(Duration::from_millis(5)).await;
    ///     start.elapsed()
    /// });
    /// assert!(waited >= Duration::from_millis(5));
    /// println!("detsim::rand seed: {:#x}", rt.seed());
    /// ```
    ///
    /// # Errors
    ///
    /// If the epoll instance or the eventfd cannot be created, or
    /// `DETSIM_SEED` is set to something that is not a number
    /// (`InvalidInput`, naming the variable and the accepted forms).
    #[cfg(target_os = "linux")]
    pub fn os() -> std::io::Result<Runtime> {
        Runtime::os_with_seed(crate::kernel::os::seed::seed_from_env_or_entropy()?)
    }

    /// [`Runtime::os`] with a given seed for [`detsim::rand`](crate::rand),
    /// whatever `DETSIM_SEED` says: to repeat the random choices of a run
    /// whose seed was recorded.
    ///
    /// ```
    /// let draw = || {
    ///     let rt = detsim::Runtime::os_with_seed(0x2a).unwrap();
    ///     rt.block_on(async { detsim::rand::random::<u64>() })
    /// };
    /// assert_eq!(draw(), draw());
    /// ```
    ///
    /// # Errors
    ///
    /// If the epoll instance or the eventfd cannot be created.
    #[cfg(target_os = "linux")]
    pub fn os_with_seed(seed: u64) -> std::io::Result<Runtime> {
        let config = Config {
            scheduling: Scheduling::Fifo,
            long_poll_budget: Duration::ZERO,
            faults: Faults::none(),
            ..Config::default()
        };
        Ok(Runtime {
            inner: RuntimeInner::new_os(seed, config)?,
        })
    }

    /// Whether this runtime runs on the real OS.
    pub fn is_os(&self) -> bool {
        self.inner.kernel.is_os()
    }

    /// A simulated runtime with the given settings.
    pub fn with_config(seed: u64, config: Config) -> Runtime {
        Runtime {
            inner: RuntimeInner::new_sim(seed, config),
        }
    }

    /// Runs `future` to completion on this thread, driving every spawned
    /// task, and returns its output.
    ///
    /// # Panics
    ///
    /// If the run fails (a task panics, a deadlock), with
    /// the failure report as the message. Use [`Runtime::try_block_on`] to
    /// get the [`Failure`] as a value instead. Also panics when called from
    /// inside a running detsim runtime.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self.try_block_on(future) {
            Ok(v) => v,
            // On the OS only the random streams repeat: say how.
            Err(failure) if self.is_os() => panic!(
                "detsim run failed\n{failure}DETSIM_SEED={:#x} repeats this run's \
                 detsim::rand draws (the OS decides timing and event order)",
                failure.seed
            ),
            Err(failure) => panic!("detsim run failed\n{failure}"),
        }
    }

    /// Like [`Runtime::block_on`], returning a failure instead of panicking.
    #[track_caller]
    pub fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, Box<Failure>> {
        let location = Location::caller();
        let _guard = context::enter(Rc::clone(&self.inner));
        let exec = &self.inner.exec;
        let _lent = exec.queue.lend();
        self.inner.run(future, location)
    }

    /// Whether this thread is inside a detsim runtime: within
    /// [`Runtime::block_on`] of a simulated or OS runtime, on the runtime's
    /// thread. It is what code serving two worlds (like the `detsim-tokio`
    /// stand-in) asks before choosing detsim's implementation over
    /// another; it costs one thread-local read.
    ///
    /// ```
    /// assert!(!detsim::Runtime::in_context());
    /// detsim::Runtime::sim(1).block_on(async {
    ///     assert!(detsim::Runtime::in_context());
    /// });
    /// ```
    #[inline]
    pub fn in_context() -> bool {
        context::is_inside()
    }

    /// The seed this runtime was built with: the one given to
    /// [`Runtime::sim`], or on [`Runtime::os`] the one drawn from OS
    /// entropy (or read from `DETSIM_SEED`). Inside a run,
    /// [`detsim::rand::seed`](crate::rand::seed) returns it too.
    pub fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// The runtime's current time.
    pub fn now(&self) -> Instant {
        self.inner.now()
    }

    /// The trace digest so far: equal for two runs of the same seed.
    pub fn digest(&self) -> u64 {
        self.inner.trace.digest()
    }

    /// Number of trace events recorded so far.
    pub fn trace_len(&self) -> u64 {
        self.inner.trace.len()
    }

    /// A failure report for `kind`, built from the runtime's state now.
    pub(crate) fn failure_now(&self, kind: crate::failure::FailureKind) -> Failure {
        self.inner.failure(kind)
    }

    /// Every trace event, if `Config::record_all_events` was set.
    pub fn take_events(&self) -> Option<Vec<crate::trace::Event>> {
        self.inner.trace.take_full()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.inner.shutdown();
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("seed", &self.inner.seed)
            .finish_non_exhaustive()
    }
}
