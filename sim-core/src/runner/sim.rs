//! The `Sim` builder.

use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::panic::Location;
use std::time::Duration;

use crate::failure::{Failure, FailureKind};
use crate::faults::Faults;
use crate::runner::env::{Env, SeedBase, SeedsVar};
use crate::runner::replay_line::Origin;
use crate::runner::seed_base::random_base;
use crate::runner::sweep;
use crate::runtime::{Config, Runtime, Scheduling};
use crate::time::Instant;
use crate::trace::Event;

/// What a test body may return: `()` or `Result<(), E>`; an `Err` fails
/// the seed with the error in the report.
pub trait TestResult {
    /// `Err(description)` when the body failed.
    fn into_result(self) -> Result<(), String>;
}

impl TestResult for () {
    fn into_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: fmt::Debug> TestResult for Result<(), E> {
    fn into_result(self) -> Result<(), String> {
        self.map_err(|e| format!("{e:?}"))
    }
}

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
/// | `DETSIM_SEEDS=500` or `=100..600` | sweep this many seeds from the base, or this range |
/// | `DETSIM_SEED_BASE=n` or `=random` | first seed of a counted sweep (default 0; `random` is printed) |
/// | `DETSIM_JOBS=n` | seeds run in parallel on n threads (default: all cores) |
/// | `DETSIM_SHARD=k/n` | run only the k-th of n disjoint subsets of the sweep |
/// | `DETSIM_CHECK_DETERMINISM=1` | run every seed twice and compare traces |
///
/// A bad value fails with a message naming the variable and the accepted
/// forms.
#[derive(Clone, Debug)]
pub struct Sim {
    config: Config,
    seeds: SeedsVar,
    check_determinism: bool,
    jobs: Option<usize>,
    test_name: Option<String>,
    package: Option<String>,
}

impl Default for Sim {
    fn default() -> Sim {
        Sim::new()
    }
}

impl Sim {
    /// A runner for 1 seed (seed 0), random scheduling and no faults.
    pub fn new() -> Sim {
        Sim {
            config: Config::default(),
            seeds: SeedsVar::Count(1),
            check_determinism: false,
            jobs: None,
            test_name: None,
            package: None,
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
        self.seeds = SeedsVar::Range(range);
        self
    }

    /// The fault plan for every seed.
    pub fn faults(mut self, faults: Faults) -> Sim {
        self.config.faults = faults;
        self
    }

    /// Runs every seed twice and fails if the traces differ.
    pub fn check_determinism(mut self, on: bool) -> Sim {
        self.check_determinism = on;
        self
    }

    /// Fails a run when one poll takes longer than `budget` of host time
    /// (default 50 ms); `Duration::ZERO` disables the check.
    pub fn long_poll_budget(mut self, budget: Duration) -> Sim {
        self.config.long_poll_budget = budget;
        self
    }

    /// How the next runnable task is chosen (default: seeded random).
    pub fn scheduling(mut self, scheduling: Scheduling) -> Sim {
        self.config.scheduling = scheduling;
        self
    }

    /// How many seeds run in parallel (`DETSIM_JOBS` overrides).
    pub fn jobs(mut self, jobs: usize) -> Sim {
        self.jobs = Some(jobs.max(1));
        self
    }

    /// The test name used in the replay line (default: the thread name,
    /// which is the test's path under `cargo test`).
    pub fn test_name(mut self, name: &str) -> Sim {
        self.test_name = Some(name.to_string());
        self
    }

    /// The package used in the replay line (default: `CARGO_PKG_NAME`).
    pub fn package(mut self, name: &str) -> Sim {
        self.package = Some(name.to_string());
        self
    }

    /// The runtime settings every seed gets.
    pub fn config(mut self, config: Config) -> Sim {
        self.config = config;
        self
    }

    /// Runs the sweep. On failure, prints the report to stderr and panics
    /// with a one-line summary and the replay line.
    ///
    /// The body is called once per seed, on the thread that runs the seed;
    /// the future it returns need not be `Send`.
    ///
    /// # Panics
    ///
    /// When a seed fails, or a `DETSIM_*` variable has a bad value.
    #[track_caller]
    pub fn run<F, Fut>(self, body: F) -> SweepReport
    where
        F: Fn() -> Fut + Send + Sync,
        Fut: Future,
        Fut::Output: TestResult,
    {
        match self.try_run(body) {
            Ok(report) => report,
            Err(failure) => {
                eprintln!("{failure}");
                panic!(
                    "detsim: seed {:#x} failed: {}\nreplay: {}",
                    failure.failure.seed,
                    failure
                        .failure
                        .kind
                        .to_string()
                        .lines()
                        .next()
                        .unwrap_or_default(),
                    failure.replay
                );
            }
        }
    }

    /// Runs the sweep and returns the first failing seed (lowest in sweep
    /// order) as a value instead of panicking.
    ///
    /// # Panics
    ///
    /// When a `DETSIM_*` variable has a bad value.
    #[track_caller]
    pub fn try_run<F, Fut>(self, body: F) -> Result<SweepReport, Box<SweepFailure>>
    where
        F: Fn() -> Fut + Send + Sync,
        Fut: Future,
        Fut::Output: TestResult,
    {
        // Reports name the test body's task after the caller's line, not
        // the runner's internal `block_on`.
        let body_at = Location::caller().to_string();
        let env = Env::from_process().unwrap_or_else(|e| panic!("detsim: {e}"));
        self.try_run_with_env(env, body).map_err(|mut f| {
            f.failure.locate_body(&body_at);
            f
        })
    }

    pub(crate) fn try_run_with_env<F, Fut>(
        self,
        env: Env,
        body: F,
    ) -> Result<SweepReport, Box<SweepFailure>>
    where
        F: Fn() -> Fut + Send + Sync,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let origin = Origin::capture(self.test_name.clone(), self.package.clone());
        let seeds = self.plan(&env);
        let jobs = env.jobs.or(self.jobs).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
        let check = env.check_determinism.unwrap_or(self.check_determinism);
        let started = std::time::Instant::now();
        let outcome = sweep::run(&seeds, jobs, |seed| self.run_seed(seed, check, &body));
        let host_time = started.elapsed();
        match outcome {
            Ok(runs) => Ok(SweepReport { runs, host_time }),
            Err((failure, seeds_run)) => {
                let replay = origin.replay(failure.seed);
                Err(Box::new(SweepFailure {
                    failure: *failure,
                    replay,
                    seeds_run,
                }))
            }
        }
    }

    /// The seeds to run, in order.
    fn plan(&self, env: &Env) -> Vec<u64> {
        if let Some(seed) = env.seed {
            return vec![seed];
        }
        let base = match env.seed_base {
            Some(SeedBase::Fixed(b)) => b,
            Some(SeedBase::Random) => {
                let b = random_base();
                eprintln!(
                    "detsim: random seed base {b:#x}; repeat this sweep with DETSIM_SEED_BASE={b:#x}"
                );
                b
            }
            None => 0,
        };
        let range = match env.seeds.as_ref().unwrap_or(&self.seeds) {
            SeedsVar::Count(n) => base..base.saturating_add(*n),
            SeedsVar::Range(r) => r.clone(),
        };
        match env.shard {
            Some((k, n)) => range
                .enumerate()
                .filter(|(i, _)| *i as u64 % n == k - 1)
                .map(|(_, s)| s)
                .collect(),
            None => range.collect(),
        }
    }

    fn run_seed<F, Fut>(&self, seed: u64, check: bool, body: &F) -> Result<RunSummary, Box<Failure>>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        if !check {
            return self.run_reported(seed, body);
        }
        let (first, first_events) = self.run_once(seed, true, self.config.report_events, body);
        let (second, second_events) = self.run_once(seed, true, self.config.report_events, body);
        let (a, b) = (
            first_events.unwrap_or_default(),
            second_events.unwrap_or_default(),
        );
        if let Some(index) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
            let show = |e: Option<&Event>| e.map_or("end of trace".to_string(), Event::to_string);
            let kind = FailureKind::Nondeterminism {
                index: index as u64,
                first: show(a.get(index)),
                second: show(b.get(index)),
            };
            let mut failure = match second {
                Err(f) => *f,
                Ok(_) => Failure {
                    seed,
                    at: b.last().map_or(Instant::ZERO, |e| e.at),
                    tasks_alive: 0,
                    kind: kind.clone(),
                    recent_events: Vec::new(),
                    digest: 0,
                    faults: Vec::new(),
                },
            };
            failure.kind = kind;
            failure.recent_events = b[index.saturating_sub(10)..(index + 1).min(b.len())]
                .iter()
                .map(Event::to_string)
                .collect();
            return Err(Box::new(failure));
        }
        first
    }

    /// Runs `seed` keeping only the digest, the cheapest way; if it fails,
    /// runs it again keeping the recent events for the report. Runs are
    /// deterministic, so the second run fails the same way; if it does not
    /// (a long poll depends on host time), the first report stands.
    fn run_reported<F, Fut>(&self, seed: u64, body: &F) -> Result<RunSummary, Box<Failure>>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let first = match self.run_once(seed, false, 0, body).0 {
            Ok(summary) => return Ok(summary),
            Err(failure) => failure,
        };
        if self.config.report_events == 0 {
            return Err(first);
        }
        match self
            .run_once(seed, false, self.config.report_events, body)
            .0
        {
            Err(second) if same_failure(&first.kind, &second.kind) => Err(second),
            _ => Err(first),
        }
    }

    fn run_once<F, Fut>(
        &self,
        seed: u64,
        record_all: bool,
        report_events: usize,
        body: &F,
    ) -> (Result<RunSummary, Box<Failure>>, Option<Vec<Event>>)
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let mut config = self.config.clone();
        config.record_all_events |= record_all;
        config.report_events = report_events;
        let rt = Runtime::with_config(seed, config);
        let result = match rt.try_block_on(async { body().await.into_result() }) {
            Ok(Ok(())) => Ok(RunSummary {
                seed,
                digest: rt.digest(),
                end: rt.now(),
                events: rt.trace_len(),
            }),
            Ok(Err(e)) => Err(Box::new(rt.failure_now(FailureKind::Error(e)))),
            Err(f) => Err(f),
        };
        (result, rt.take_events())
    }
}

/// Whether two runs failed the same way (a long poll's duration is host
/// time, so only its task must match).
fn same_failure(a: &FailureKind, b: &FailureKind) -> bool {
    match (a, b) {
        (FailureKind::LongPoll { task: x, .. }, FailureKind::LongPoll { task: y, .. }) => x == y,
        _ => a == b,
    }
}

/// One seed that passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// The seed.
    pub seed: u64,
    /// Its trace digest.
    pub digest: u64,
    /// Virtual time when the body finished.
    pub end: Instant,
    /// Trace events recorded.
    pub events: u64,
}

/// A sweep in which every seed passed.
#[derive(Clone, Debug)]
pub struct SweepReport {
    /// Every seed run, in sweep order.
    pub runs: Vec<RunSummary>,
    /// Host time the sweep took.
    pub host_time: Duration,
}

impl SweepReport {
    /// Seeds per second of host time.
    pub fn seeds_per_second(&self) -> f64 {
        self.runs.len() as f64 / self.host_time.as_secs_f64().max(1e-9)
    }
}

/// The first failing seed of a sweep.
#[derive(Clone, Debug)]
pub struct SweepFailure {
    /// The failure report.
    pub failure: Failure,
    /// The command line that replays it.
    pub replay: String,
    /// How many seeds ran before the sweep stopped.
    pub seeds_run: u64,
}

impl fmt::Display for SweepFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = "=".repeat(72);
        writeln!(f, "{rule}")?;
        writeln!(
            f,
            "detsim: seed {:#x} failed (after {} seeds run)",
            self.failure.seed, self.seeds_run
        )?;
        write!(f, "{}", self.failure)?;
        writeln!(f, "replay: {}", self.replay)?;
        write!(f, "{rule}")
    }
}
