//! The `Sim` builder: its settings, each overridden by a `DETSIM_*`
//! variable as its docs say. Running a sweep is in `sim/run.rs`; turning a
//! failing run into its report is in `sim/failure.rs`.

mod env_overrides;
mod failure;
mod run;
mod shrinking;
mod strategy;

use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use crate::faults::Faults;
use crate::liveness::Liveness;
use crate::runner::determinism::Check;
use crate::runner::env::SeedsVar;
use crate::runner::shrink;
use crate::runtime::{Config, Scheduling};

/// Runs a test body on one seed or a sweep of seeds, and turns a failure
/// into one report with a line to replay it.
///
/// ```
/// use detsim::{Sim, spawn, time::{sleep, Duration}};
///
/// let report = Sim::new().seeds(20).run(|| async {
///     let a = spawn(async { sleep(Duration::from_millis(1)).await; 1 });
///     let b = spawn(async { 2 });
///     assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
/// });
/// assert_eq!(report.runs.len(), 20);
/// ```
///
/// # Environment
///
/// | variable | effect |
/// |---|---|
/// | `DETSIM_SEED=0x2a` | run exactly this seed (decimal or 0x-hex) |
/// | `DETSIM_SEEDS=500`, `=100..600` or `=100..=599` | sweep this many seeds from the base, or this range (`..=`: inclusive) |
/// | `DETSIM_SEED_BASE=n` or `=random` | first seed of a counted sweep (default 0; `random` is printed) |
/// | `DETSIM_JOBS=n` | seeds run in parallel on n threads (default: all cores) |
/// | `DETSIM_SHARD=k/n` | run only the k-th of n disjoint subsets of the sweep (an empty one fails unless [`Sim::allow_empty`]) |
/// | `DETSIM_CHECK_DETERMINISM=1` or `=bytes` | run every seed twice and compare outcomes and traces (`bytes`: and the payload bytes written) |
/// | `DETSIM_REPLAY=0x2a:pw3/8` or `=file` | run exactly these replay strings (a seed, its pinned faults and, from a `Scheduling::Dfs` search, its preemptions after an `@`: `0x2a@17.3`) |
/// | `DETSIM_SHRINK=0` or `=n` | no shrinking, or at most n re-runs (default 200) |
/// | `DETSIM_TRACE=path.json` | write the failing or replayed run as a Chrome trace |
/// | `DETSIM_REGRESSIONS=0` | neither replay nor save regression files |
/// | `DETSIM_SWARM=1` | swarm mode (see [`Sim::swarm`]) |
/// | `DETSIM_LEGAL=0` | switch the plan's legal behaviour off ([`Faults::without_legal`]), to see whether a failure needs it; replay lines then start with it |
/// | `DETSIM_STRATEGY=pct:3` | the scheduling strategy: `random`, `fifo`, `pct:d`, `pct:d:steps` (see [`Scheduling::Pct`]), `dfs:bound` or `dfs:bound:schedules` (see [`Scheduling::Dfs`]); overrides [`Sim::scheduling`] |
/// | `DETSIM_LIVENESS=10s:20s`, `=10s` or `=off` | a liveness phase: faults end at 10 s, then 20 s (default 30 s) to recover (see [`Sim::liveness`]; `off`: none, whatever the test says); replay lines then start with it |
/// | `DETSIM_ALLOC_CAP=1GiB` | fail a run when a task asks for more in one allocation (see [`Sim::allocation_cap`]; `0` or `off`: no cap; ignored without the [`Tracker`](crate::alloc::Tracker)); replay lines then start with it |
/// | `DETSIM_STALL_LIMIT=60` | seconds one poll may block its thread before the process ends with a report (see [`Config::stall_limit`]; 0: never) |
///
/// A bad value fails with a message naming the variable and the accepted
/// forms.
///
/// # When a seed fails
///
/// The runner shrinks the failing run's fault schedule (see
/// [`Sim::shrink`]), writes the run as a Chrome trace if `DETSIM_TRACE` is
/// set, and reports one block with two lines to copy: `DETSIM_SEED=...`
/// replays the run as found, `DETSIM_REPLAY=...` replays it with only the
/// faults it needs. When the plan has legal behaviour on, a third line
/// replays the seed without it (`DETSIM_LEGAL=0 DETSIM_SEED=...`). [`Sim::run`] also saves the seed to the test's
/// regression file when [`Sim::regressions`] is on.
#[derive(Clone, Debug)]
pub struct Sim {
    config: Config,
    seeds: SeedsVar,
    check: Check,
    jobs: Option<usize>,
    test_name: Option<String>,
    package: Option<String>,
    swarm: bool,
    shrink_budget: u32,
    regressions: bool,
    /// No "N seeds passed" line (for runs embedded in another harness).
    quiet: bool,
    package_dir: Option<PathBuf>,
    replay: Option<String>,
    /// Whether a sweep that selects no seeds passes.
    allow_empty: bool,
    /// The `config` fields set through the builder's own methods, which
    /// `Sim::config` keeps.
    set: SetFields,
}

/// Which `Config` fields the builder's own methods set.
#[derive(Clone, Copy, Debug, Default)]
struct SetFields {
    faults: bool,
    long_poll_budget: bool,
    scheduling: bool,
    liveness: bool,
    allocation_cap: bool,
}

impl Default for Sim {
    fn default() -> Sim {
        Sim::new()
    }
}

impl Sim {
    /// A runner for 1 seed (seed 0), random scheduling and legal behaviour
    /// ([`Faults::legal`]: what the OS contract allows, such as short
    /// reads, partial writes, spurious wakes and completions out of
    /// order; no environment fault). [`Sim::faults`] changes the plan:
    /// [`Faults::none`] for a perfect world while debugging (or
    /// `DETSIM_LEGAL=0`), [`Faults::default`] or [`Faults::chaos`] to add
    /// the environment's failures.
    pub fn new() -> Sim {
        Sim {
            config: Config::default(),
            seeds: SeedsVar::Count(1),
            check: Check::Off,
            jobs: None,
            test_name: None,
            package: None,
            swarm: false,
            shrink_budget: shrink::DEFAULT_BUDGET,
            regressions: false,
            quiet: false,
            package_dir: None,
            replay: None,
            allow_empty: false,
            set: SetFields::default(),
        }
    }

    /// Sweeps `count` seeds (`DETSIM_SEEDS` overrides).
    ///
    /// # Panics
    ///
    /// If `count` is zero.
    pub fn seeds(mut self, count: u64) -> Sim {
        assert!(count > 0, "Sim::seeds: the count must be at least 1");
        self.seeds = SeedsVar::Count(count);
        self
    }

    /// Runs exactly `seed` (`DETSIM_SEEDS` and `DETSIM_SEED` override), as
    /// a property test's case does with a seed its strategy drew. Every
    /// `u64` is a seed, `u64::MAX` included.
    pub fn seed(mut self, seed: u64) -> Sim {
        self.seeds = SeedsVar::Range {
            first: seed,
            last: seed,
        };
        self
    }

    /// Sweeps the seeds in `range` (`DETSIM_SEEDS` overrides).
    ///
    /// # Panics
    ///
    /// If `range` is empty.
    pub fn seed_range(mut self, range: Range<u64>) -> Sim {
        assert!(
            !range.is_empty(),
            "Sim::seed_range: the range {range:?} is empty"
        );
        self.seeds = SeedsVar::Range {
            first: range.start,
            last: range.end - 1,
        };
        self
    }

    /// Whether a sweep that selects no seeds passes (default: no). A shard
    /// can be empty (`DETSIM_SHARD=5/8` of a 3-seed sweep); without this,
    /// that fails with a message, because a sweep that checked nothing
    /// looks like one that passed.
    pub fn allow_empty(mut self, on: bool) -> Sim {
        self.allow_empty = on;
        self
    }

    /// The fault plan for every seed.
    ///
    /// # Panics
    ///
    /// If a duration in the plan is out of range (see [`Faults::validate`]).
    #[track_caller]
    pub fn faults(mut self, faults: Faults) -> Sim {
        faults.assert_valid();
        self.config.faults = faults;
        self.set.faults = true;
        self
    }

    /// Swarm mode (as FoundationDB and TigerBeetle do): each seed draws,
    /// from a stream of its own, which of the plan's fault kinds are on
    /// (each with chance 1/2) and at what rate (the plan's, scaled by 1/8
    /// to 2), so a sweep explores rare combinations. The drawn plan is in
    /// the failure report. `DETSIM_SWARM` overrides.
    pub fn swarm(mut self, on: bool) -> Sim {
        self.swarm = on;
        self
    }

    /// Whether a failing seed's fault schedule is shrunk (default: on, at
    /// most 200 re-runs). `DETSIM_SHRINK=0` turns it off, `=n` sets the
    /// budget.
    pub fn shrink(mut self, on: bool) -> Sim {
        self.shrink_budget = if on { shrink::DEFAULT_BUDGET } else { 0 };
        self
    }

    /// Drops the "N seeds passed" line, for a run that is one case of
    /// another harness (a proptest case).
    #[cfg(feature = "proptest")]
    pub(crate) fn quiet(mut self) -> Sim {
        self.quiet = true;
        self
    }

    /// Regression files (default: off for the builder, on for
    /// `#[detsim::test]`): replay the seeds in
    /// `detsim-regressions/<test name>.txt` before the sweep, and, when
    /// [`Sim::run`] fails, append the failing seed and its shrunk schedule
    /// there. The directory sits next to the package's `Cargo.toml`
    /// (`CARGO_MANIFEST_DIR`) and is meant to be committed.
    /// `DETSIM_REGRESSIONS=0` turns both off.
    ///
    /// [`Sim::try_run`] never writes: a test that expects a failure gets it
    /// as a value and must not leave files behind.
    pub fn regressions(mut self, on: bool) -> Sim {
        self.regressions = on;
        self
    }

    /// The package directory regression files go under (default: the
    /// `CARGO_MANIFEST_DIR` variable cargo sets when it runs the test).
    pub fn package_dir(mut self, dir: impl Into<PathBuf>) -> Sim {
        self.package_dir = Some(dir.into());
        self
    }

    /// Runs exactly the runs `replay` names instead of a sweep, as
    /// `DETSIM_REPLAY` does (which overrides it): a replay string such as
    /// `0x2a:pw3/8` (a seed and its pinned fault decisions, as a shrunk
    /// failure prints it), or the path of a file of them. Past its pinned
    /// decisions a replay follows the seed, so it still runs after small
    /// changes to the code.
    pub fn replay(mut self, replay: &str) -> Sim {
        self.replay = Some(replay.to_string());
        self
    }

    /// Runs every seed twice and fails if the two runs differ: in their
    /// outcome (passed, the `Err` text, the panic's message and location,
    /// the failure kind) or in their trace. The report shows both runs'
    /// outcomes. `DETSIM_CHECK_DETERMINISM=1` or `=0` overrides.
    pub fn check_determinism(mut self, on: bool) -> Sim {
        self.check = if on { Check::Trace } else { Check::Off };
        self
    }

    /// As [`Sim::check_determinism`], and the digest also covers the
    /// payload bytes every simulated write sends (TCP and duplex streams,
    /// datagrams, file writes), so a value that depends on the host (a
    /// clock in an HTTP `date:` header) fails the check although it changes
    /// no event. `DETSIM_CHECK_DETERMINISM=bytes` turns it on.
    pub fn check_determinism_bytes(mut self, on: bool) -> Sim {
        self.check = if on { Check::Bytes } else { Check::Off };
        self
    }

    /// Fails a run when one poll takes longer than `budget` of host time
    /// (default 50 ms), confirmed by a re-run of the seed (see
    /// [`Config::long_poll_budget`]); `Duration::ZERO` disables the check.
    pub fn long_poll_budget(mut self, budget: Duration) -> Sim {
        self.config.long_poll_budget = budget;
        self.set.long_poll_budget = true;
        self
    }

    /// Fails a run when a task asks for more than `bytes` in one
    /// allocation, with a report naming the task, the poll and the size
    /// ([`FailureKind::Allocation`](crate::FailureKind::Allocation));
    /// 0 means no cap (the default). `DETSIM_ALLOC_CAP` overrides. Needs
    /// the allocation tracker as the test binary's global allocator; see
    /// [`detsim::alloc`](crate::alloc) for what is counted and what
    /// happens to the oversized request.
    ///
    /// ```no_run
    /// #[global_allocator]
    /// static ALLOC: detsim::alloc::Tracker = detsim::alloc::Tracker::system();
    ///
    /// # fn main() {
    /// detsim::Sim::new().allocation_cap(1 << 30).seeds(100).run(|| async {
    ///     let len = 4usize << 30; // a length prefix from a corrupt peer
    ///     let buf: Vec<u8> = Vec::with_capacity(len); // fails the seed
    ///     # drop(buf);
    /// });
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// When the sweep runs, if the tracker is not the global allocator.
    pub fn allocation_cap(mut self, bytes: u64) -> Sim {
        self.config.allocation_cap = (bytes > 0).then_some(bytes);
        self.set.allocation_cap = true;
        self
    }

    /// How the next runnable task is chosen (default: seeded random).
    pub fn scheduling(mut self, scheduling: Scheduling) -> Sim {
        self.config.scheduling = scheduling;
        self.set.scheduling = true;
        self
    }

    /// How many seeds run in parallel (`DETSIM_JOBS` overrides).
    pub fn jobs(mut self, jobs: usize) -> Sim {
        self.jobs = Some(jobs.max(1));
        self
    }

    /// The test name used in the replay line and the regression file's
    /// name (default: the thread name, which is the test's path under
    /// `cargo test`).
    pub fn test_name(mut self, name: &str) -> Sim {
        self.test_name = Some(name.to_string());
        self
    }

    /// The package used in the replay line (default: `CARGO_PKG_NAME`).
    pub fn package(mut self, name: &str) -> Sim {
        self.package = Some(name.to_string());
        self
    }

    /// The runtime settings every seed gets. The order of the builder
    /// calls does not matter: a field also set through the builder's own
    /// method ([`Sim::faults`], [`Sim::long_poll_budget`],
    /// [`Sim::scheduling`], [`Sim::allocation_cap`], [`Sim::liveness`]) keeps that method's value, whether the method
    /// was called before or after this.
    pub fn config(mut self, config: Config) -> Sim {
        let kept = std::mem::replace(&mut self.config, config);
        if self.set.faults {
            self.config.faults = kept.faults;
        }
        if self.set.long_poll_budget {
            self.config.long_poll_budget = kept.long_poll_budget;
        }
        if self.set.scheduling {
            self.config.scheduling = kept.scheduling;
        }
        if self.set.allocation_cap {
            self.config.allocation_cap = kept.allocation_cap;
        }
        if self.set.liveness {
            self.config.liveness = kept.liveness;
        }
        self
    }

    /// A liveness phase for every seed: environment faults end at
    /// `phase.faults_end()`, partitions heal and crashed hosts restart,
    /// and the run must then finish (or call
    /// [`liveness::recovered`](crate::liveness::recovered)) within
    /// `phase.recovery()`, or fail with
    /// [`FailureKind::Liveness`](crate::FailureKind::Liveness) naming what
    /// each task waits on. See [`crate::liveness`]; `DETSIM_LIVENESS`
    /// overrides.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::{Faults, Sim, liveness::Liveness};
    ///
    /// Sim::new()
    ///     .faults(Faults::chaos())
    ///     .liveness(Liveness::after(Duration::from_secs(10)).within(Duration::from_secs(20)))
    ///     .run(|| async {
    ///         detsim::liveness::faults_ended().await;
    ///     });
    /// ```
    pub fn liveness(mut self, phase: Liveness) -> Sim {
        self.config.liveness = Some(phase);
        self.set.liveness = true;
        self
    }
}
