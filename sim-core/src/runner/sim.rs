//! The `Sim` builder.

use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::panic::Location;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::failure::{Failure, FailureKind};
use crate::faults::{FaultSchedule, Faults, swarm_plan};
use crate::runner::env::{Env, SeedBase, SeedsVar};
use crate::runner::exec::{self, FaultRecord, Recording, RunSpec};
use crate::runner::replay_line::Origin;
use crate::runner::report::{Shrunk, SweepFailure};
use crate::runner::seed_base::random_base;
use crate::runner::{chrome_trace, confirm, regressions, shrink, stall, sweep};
use crate::runtime::{Config, Scheduling};
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
/// | `DETSIM_REPLAY=0x2a:pw3/8` or `=file` | run exactly these replay strings (a seed and its pinned faults) |
/// | `DETSIM_SHRINK=0` or `=n` | no shrinking, or at most n re-runs (default 200) |
/// | `DETSIM_TRACE=path.json` | write the failing or replayed run as a Chrome trace |
/// | `DETSIM_REGRESSIONS=0` | neither replay nor save regression files |
/// | `DETSIM_SWARM=1` | swarm mode (see [`Sim::swarm`]) |
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
/// faults it needs. [`Sim::run`] also saves the seed to the test's
/// regression file when [`Sim::regressions`] is on.
#[derive(Clone, Debug)]
pub struct Sim {
    config: Config,
    seeds: SeedsVar,
    check_determinism: bool,
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
            swarm: false,
            shrink_budget: shrink::DEFAULT_BUDGET,
            regressions: false,
            quiet: false,
            package_dir: None,
            replay: None,
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
    /// a property test's case does with a seed its strategy drew.
    pub fn seed(mut self, seed: u64) -> Sim {
        self.seeds = SeedsVar::Range(seed..seed.saturating_add(1).max(seed));
        if seed == u64::MAX {
            self.seeds = SeedsVar::Range(seed - 1..seed);
        }
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

    /// Runs every seed twice and fails if the traces differ.
    pub fn check_determinism(mut self, on: bool) -> Sim {
        self.check_determinism = on;
        self
    }

    /// Fails a run when one poll takes longer than `budget` of host time
    /// (default 50 ms), confirmed by a re-run of the seed (see
    /// [`Config::long_poll_budget`]); `Duration::ZERO` disables the check.
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

    /// The runtime settings every seed gets.
    pub fn config(mut self, config: Config) -> Sim {
        self.config = config;
        self
    }

    /// Runs the sweep. On failure, prints the report to stderr, saves the
    /// seed to the regression file (when [`Sim::regressions`] is on) and
    /// panics with a one-line summary and the replay line.
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
        let body_at = Location::caller().to_string();
        let env = Env::from_process().unwrap_or_else(|e| panic!("detsim: {e}"));
        let save = self.regressions && env.regressions != Some(false);
        let package_dir = self.package_dir.clone();
        match self.try_run_with_env(env, body) {
            Ok(report) => report,
            Err(mut failure) => {
                failure.failure.locate_body(&body_at);
                if save {
                    failure.regression_file = save_regression(&failure, package_dir);
                }
                eprintln!("{failure}");
                let shrunk = failure
                    .shrunk
                    .as_ref()
                    .map(|s| format!("\nreplay shrunk: {}", s.replay))
                    .unwrap_or_default();
                panic!(
                    "detsim: seed {:#x} failed: {}\nreplay: {}{shrunk}",
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
    /// order) as a value instead of panicking. Never writes regression
    /// files.
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

    /// Runs without reading the environment: a property test's case,
    /// whose seed and plan are the strategy's.
    #[cfg(feature = "proptest")]
    pub(crate) fn try_run_case<F, Fut>(self, body: F) -> Result<SweepReport, Box<SweepFailure>>
    where
        F: Fn() -> Fut + Send + Sync,
        Fut: Future,
        Fut::Output: TestResult,
    {
        self.try_run_with_env(Env::default(), body)
    }

    pub(crate) fn try_run_with_env<F, Fut>(
        mut self,
        env: Env,
        body: F,
    ) -> Result<SweepReport, Box<SweepFailure>>
    where
        F: Fn() -> Fut + Send + Sync,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let origin = Origin::capture(self.test_name.clone(), self.package.clone());
        let stall = stall::Watch::new(&origin, self.config.stall_limit);
        stall.enter();
        if let Some(on) = env.swarm {
            self.swarm = on;
        }
        if let Some(budget) = env.shrink {
            self.shrink_budget = budget;
        }
        let check = env.check_determinism.unwrap_or(self.check_determinism);
        let started = std::time::Instant::now();
        // DETSIM_REPLAY: exactly the given runs, nothing else.
        if let Some(replay) = env.replay.as_ref().or(self.replay.as_ref()) {
            let specs = replay_specs(replay);
            self.run_listed(&specs, check, &origin, &env, &body, true, |text| {
                format!("replaying DETSIM_REPLAY entry {text}")
            })?;
            let host_time = started.elapsed();
            eprintln!(
                "detsim: {} replay{} passed in {:.2}s",
                specs.len(),
                if specs.len() == 1 { "" } else { "s" },
                host_time.as_secs_f64()
            );
            return Ok(SweepReport {
                runs: Vec::new(),
                host_time,
            });
        }
        // Regression entries first, unless one seed was asked for.
        let regressions_on = self.regressions && env.regressions != Some(false);
        if regressions_on && env.seed.is_none() {
            let dir = self.package_dir.clone().or_else(package_dir_from_env);
            if let (Some(dir), Some(test)) = (dir, origin.test_name()) {
                let path = regressions::file(&dir, test);
                let entries = regressions::load(&path);
                if !entries.is_empty() {
                    eprintln!(
                        "detsim: replaying {} regression entr{} from {}",
                        entries.len(),
                        if entries.len() == 1 { "y" } else { "ies" },
                        path.display()
                    );
                }
                self.run_listed(&entries, check, &origin, &env, &body, false, |text| {
                    format!("regression entry {text} from {}", path.display())
                })?;
            }
        }
        let seeds = self.plan(&env);
        let jobs = env.jobs.or(self.jobs).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
        let outcome = sweep::run(&seeds, jobs, |seed| {
            stall.enter();
            self.run_spec(&RunSpec::seed(seed), check, &body)
        });
        let host_time = started.elapsed();
        match outcome {
            Ok(runs) => {
                let report = SweepReport { runs, host_time };
                if !self.quiet {
                    eprintln!(
                        "detsim: {} seed{} passed in {:.2}s ({:.0} seeds/s)",
                        report.runs.len(),
                        if report.runs.len() == 1 { "" } else { "s" },
                        host_time.as_secs_f64(),
                        report.seeds_per_second()
                    );
                }
                if env.seed.is_some() {
                    self.write_trace(&env, &RunSpec::seed(seeds[0]), &body);
                }
                Ok(report)
            }
            Err((failure, seeds_run)) => {
                let spec = RunSpec::seed(failure.seed);
                Err(self.failed(*failure, &spec, seeds_run, None, &origin, &env, &body))
            }
        }
    }

    /// Runs `specs` in order (replay strings or regression entries); the
    /// first failure is the sweep's, its source described by `source(text)`.
    /// With `trace`, each run is written to `DETSIM_TRACE` too.
    #[allow(clippy::too_many_arguments)] // the sweep's context, passed through
    fn run_listed<F, Fut>(
        &self,
        specs: &[(RunSpec, String)],
        check: bool,
        origin: &Origin,
        env: &Env,
        body: &F,
        trace: bool,
        source: impl Fn(&str) -> String,
    ) -> Result<(), Box<SweepFailure>>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        for (i, (spec, text)) in specs.iter().enumerate() {
            if let Err(failure) = self.run_spec(spec, check, body) {
                let seeds_run = i as u64 + 1;
                return Err(self.failed(
                    *failure,
                    spec,
                    seeds_run,
                    Some(source(text)),
                    origin,
                    env,
                    body,
                ));
            }
            if trace {
                self.write_trace(env, spec, body);
            }
        }
        Ok(())
    }

    /// Turns a failing run into the report: shrinks it, writes the trace.
    #[allow(clippy::too_many_arguments)] // one call site per source of runs
    fn failed<F, Fut>(
        &self,
        failure: Failure,
        spec: &RunSpec,
        seeds_run: u64,
        source: Option<String>,
        origin: &Origin,
        env: &Env,
        body: &F,
    ) -> Box<SweepFailure>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let replay = if spec.schedule.is_free() {
            origin.replay(spec.seed)
        } else {
            origin.command(&format!(
                "DETSIM_REPLAY={}",
                spec.schedule.encode(spec.seed)
            ))
        };
        let shrunk = if spec.schedule.is_free() && self.shrink_budget > 0 {
            self.shrink_failure(&failure, spec.seed, origin, body)
        } else {
            None
        };
        // The trace shows the run the user is most likely to replay: the
        // shrunk one when there is one.
        let traced = match &shrunk {
            Some(s) => FaultSchedule::decode(&s.replay_string)
                .map(|(seed, schedule)| RunSpec { seed, schedule })
                .unwrap_or_else(|_| spec.clone()),
            None => spec.clone(),
        };
        let trace_file = self.write_trace(env, &traced, body);
        Box::new(SweepFailure {
            failure,
            replay,
            seeds_run,
            shrunk,
            swarm_plan: self.swarm.then(|| self.plan_for(spec.seed).describe()),
            trace_file,
            regression_file: None,
            source,
        })
    }

    /// Delta-debugs the failing run's injected faults; see `shrink`.
    fn shrink_failure<F, Fut>(
        &self,
        failure: &Failure,
        seed: u64,
        origin: &Origin,
        body: &F,
    ) -> Option<Shrunk>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        // Nothing to shrink without faults: spare the re-run.
        if !shrink::shrinkable(&failure.kind) || failure.faults.is_empty() {
            return None;
        }
        let plan = self.plan_for(seed);
        let quiet = Recording::default();
        // The failing run's injected faults, as occurrences.
        let found = exec::run_once(&self.config, &plan, &RunSpec::seed(seed), quiet, body);
        let units = match (&found.result, found.log) {
            (Err(f), Some(log)) if shrink::same_bug(&f.kind, &failure.kind) => log,
            _ => return None,
        };
        if units.is_empty() {
            return None;
        }
        let injected = units.len();
        let (kept, runs, complete) = shrink::ddmin(units, self.shrink_budget, |subset| {
            let spec = RunSpec {
                seed,
                schedule: FaultSchedule::only(subset.iter().copied()),
            };
            match exec::run_once(&self.config, &plan, &spec, quiet, body).result {
                Err(f) => shrink::same_bug(&f.kind, &failure.kind),
                Ok(_) => false,
            }
        });
        // The kept schedule once more, for the report and its horizon: the
        // replay string pins every occurrence this run reached.
        let spec = RunSpec {
            seed,
            schedule: FaultSchedule::only(kept.iter().copied()),
        };
        let recording = Recording {
            all_events: false,
            report_events: self.config.report_events,
        };
        let last = exec::run_once(&self.config, &plan, &spec, recording, body);
        let Err(shrunk_failure) = last.result else {
            return None;
        };
        let schedule = FaultSchedule::recorded(kept, last.hits);
        let replay_string = schedule.encode(seed);
        Some(Shrunk {
            replay: origin.command(&format!("DETSIM_REPLAY={replay_string}")),
            replay_string,
            faults: last.faults.iter().map(FaultRecord::line).collect(),
            injected,
            runs: runs + 2,
            complete,
            failure: *shrunk_failure,
        })
    }

    /// With `DETSIM_TRACE` set, runs `spec` again recording every event and
    /// writes it as a Chrome trace. Returns the path written.
    fn write_trace<F, Fut>(&self, env: &Env, spec: &RunSpec, body: &F) -> Option<PathBuf>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let path = PathBuf::from(env.trace.as_ref()?);
        let recording = Recording {
            all_events: true,
            report_events: 0,
        };
        let run = exec::run_once(
            &self.config,
            &self.plan_for(spec.seed),
            spec,
            recording,
            body,
        );
        let events = run.events.unwrap_or_default();
        let title = if spec.schedule.is_free() {
            format!("{:#x}", spec.seed)
        } else {
            spec.schedule.encode(spec.seed)
        };
        let json = chrome_trace::render(&events, &run.tracks, &title);
        match std::fs::write(&path, json) {
            Ok(()) => {
                eprintln!(
                    "detsim: wrote the run {title} ({} events, {} tasks) to {} as a Chrome trace",
                    events.len(),
                    run.tracks.len(),
                    path.display()
                );
                Some(path)
            }
            Err(e) => {
                eprintln!(
                    "detsim: DETSIM_TRACE: could not write {}: {e}",
                    path.display()
                );
                None
            }
        }
    }

    /// The fault plan seed `seed` runs with (swarm mode varies it).
    fn plan_for(&self, seed: u64) -> Faults {
        if self.swarm {
            swarm_plan(seed, &self.config.faults)
        } else {
            self.config.faults.clone()
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

    fn run_spec<F, Fut>(
        &self,
        spec: &RunSpec,
        check: bool,
        body: &F,
    ) -> Result<RunSummary, Box<Failure>>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let plan = self.plan_for(spec.seed);
        if !check {
            return self.run_reported(spec, &plan, body);
        }
        let recording = Recording {
            all_events: true,
            report_events: self.config.report_events,
        };
        let first = exec::run_once(&self.config, &plan, spec, recording, body);
        let second = exec::run_once(&self.config, &plan, spec, recording, body);
        let (a, b) = (
            first.events.unwrap_or_default(),
            second.events.unwrap_or_default(),
        );
        if let Some(index) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
            let show = |e: Option<&Event>| e.map_or("end of trace".to_string(), Event::to_string);
            let kind = FailureKind::Nondeterminism {
                index: index as u64,
                first: show(a.get(index)),
                second: show(b.get(index)),
            };
            let mut failure = match second.result {
                Err(f) => *f,
                Ok(_) => Failure {
                    seed: spec.seed,
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
        confirm::settle(
            first.result,
            &first.long_polls,
            &self.config,
            &plan,
            spec,
            recording,
            body,
        )
    }

    /// Runs `spec` keeping only the digest, the cheapest way; if it fails,
    /// runs it again keeping the recent events for the report. Runs are
    /// deterministic, so the second run fails the same way; if it does not
    /// (a long poll depends on host time), the first report stands.
    fn run_reported<F, Fut>(
        &self,
        spec: &RunSpec,
        plan: &Faults,
        body: &F,
    ) -> Result<RunSummary, Box<Failure>>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let quiet = Recording::default();
        let recording = Recording {
            all_events: false,
            report_events: self.config.report_events,
        };
        let run = exec::run_once(&self.config, plan, spec, quiet, body);
        let first = match confirm::settle(
            run.result,
            &run.long_polls,
            &self.config,
            plan,
            spec,
            recording,
            body,
        ) {
            Ok(summary) => return Ok(summary),
            Err(failure) => failure,
        };
        // A confirming re-run already recorded the report's events.
        if self.config.report_events == 0 || !first.recent_events.is_empty() {
            return Err(first);
        }
        match exec::run_once(&self.config, plan, spec, recording, body).result {
            Err(second) if same_failure(&first.kind, &second.kind) => Err(second),
            _ => Err(first),
        }
    }
}

/// The runs `DETSIM_REPLAY` names: a replay string, or a file of them.
fn replay_specs(value: &str) -> Vec<(RunSpec, String)> {
    let path = Path::new(value);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("detsim: DETSIM_REPLAY: cannot read {value}: {e}"));
        let specs = regressions::parse(path, &text);
        assert!(
            !specs.is_empty(),
            "detsim: DETSIM_REPLAY={value}: the file holds no replay strings"
        );
        return specs;
    }
    match FaultSchedule::decode(value) {
        Ok((seed, schedule)) => vec![(RunSpec { seed, schedule }, value.trim().to_string())],
        Err(e) => panic!("detsim: DETSIM_REPLAY: {e}, or the path of a file of them"),
    }
}

fn package_dir_from_env() -> Option<PathBuf> {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)
}

/// Appends the failure's replay strings to the test's regression file.
fn save_regression(failure: &SweepFailure, package_dir: Option<PathBuf>) -> Option<PathBuf> {
    if failure.source.is_some() {
        // Found by a regression entry or DETSIM_REPLAY: already kept.
        return None;
    }
    let dir = package_dir.or_else(package_dir_from_env)?;
    let test = failure
        .replay
        .split(" -- --exact")
        .next()?
        .rsplit(' ')
        .next()?;
    let path = regressions::file(&dir, test);
    let mut entries = vec![format!("{:#x}", failure.failure.seed)];
    if let Some(s) = &failure.shrunk {
        entries.push(s.replay_string.clone());
    }
    let why = failure.failure.kind.to_string();
    let why = why.lines().next().unwrap_or_default();
    match regressions::save(&path, test, &entries, why) {
        Ok(true) => Some(path),
        Ok(false) => None,
        Err(e) => {
            eprintln!(
                "detsim: could not save the regression to {}: {e}",
                path.display()
            );
            None
        }
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
