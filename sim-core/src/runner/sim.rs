//! The `Sim` builder.

use std::future::Future;
use std::ops::Range;
use std::panic::Location;
use std::path::PathBuf;
use std::time::Duration;

use crate::failure::{Failure, FailureKind};
use crate::faults::{FaultSchedule, Faults, swarm_plan};
use crate::runner::determinism::{self, Check};
use crate::runner::env::{Env, SeedsVar};
use crate::runner::exec::{self, FaultRecord, Recording, RunSpec};
use crate::runner::plan::{PlanError, SeedPlan};
use crate::runner::replay_line::Origin;
use crate::runner::report::{Shrunk, SweepFailure};
use crate::runner::results::{RunSummary, SweepReport, TestResult};
use crate::runner::{chrome_trace, confirm, regressions, shrink, stall, sweep};
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
    /// [`Sim::scheduling`]) keeps that method's value, whether the method
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
    /// When a seed fails, a `DETSIM_*` variable has a bad value, a counted
    /// sweep runs past `u64::MAX`, or the sweep selects no seeds (unless
    /// [`Sim::allow_empty`]).
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
                    failure.regression_file = regressions::save_regression(&failure, package_dir);
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
    /// When a `DETSIM_*` variable has a bad value, a counted sweep runs
    /// past `u64::MAX`, or the sweep selects no seeds (unless
    /// [`Sim::allow_empty`]).
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
        let check = env.check_determinism.unwrap_or(self.check);
        let started = std::time::Instant::now();
        // DETSIM_REPLAY: exactly the given runs, nothing else.
        if let Some(replay) = env.replay.as_ref().or(self.replay.as_ref()) {
            let specs = regressions::replay_specs(replay);
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
            let dir = self
                .package_dir
                .clone()
                .or_else(regressions::package_dir_from_env);
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
        let seeds = match SeedPlan::from_env(&env, &self.seeds) {
            Ok(plan) => plan,
            Err(PlanError::Empty(why)) if self.allow_empty => {
                eprintln!(
                    "detsim: the sweep selects no seeds ({why}); allowed by Sim::allow_empty"
                );
                return Ok(SweepReport {
                    runs: Vec::new(),
                    host_time: started.elapsed(),
                });
            }
            Err(e) => panic!("detsim: {e}"),
        };
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
                    self.write_trace(&env, &RunSpec::seed(seeds.get(0)), &body);
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
        check: Check,
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
            payloads: false,
        };
        let last = exec::run_once(&self.config, &plan, &spec, recording, body);
        // Re-runs are deterministic, so this fails as the search saw; if it
        // did not, a replay line that fails another way would mislead.
        let shrunk_failure = match last.result {
            Err(f) if shrink::same_bug(&f.kind, &failure.kind) => f,
            _ => return None,
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
            payloads: false,
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

    fn run_spec<F, Fut>(
        &self,
        spec: &RunSpec,
        check: Check,
        body: &F,
    ) -> Result<RunSummary, Box<Failure>>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let plan = self.plan_for(spec.seed);
        match check {
            Check::Off => self.run_reported(spec, &plan, body),
            check => determinism::run_twice(&self.config, &plan, spec, check, body),
        }
    }

    /// Runs `spec` keeping only the digest, the cheapest way; if it fails,
    /// runs it again keeping the recent events for the report. Runs are
    /// deterministic, so the second run fails the same way; if it does not
    /// (a long poll depends on host time), the first report stands, with a
    /// note saying how the re-run ended instead of an empty timeline.
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
            payloads: false,
        };
        let run = exec::run_once(&self.config, plan, spec, quiet, body);
        let mut first = match confirm::settle(
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
            Err(second) if same_failure(&first.kind, &second.kind) => return Err(second),
            Err(other) => {
                let other = other.kind.to_string();
                first.note = Some(format!(
                    "no recent events: the re-run that collects them failed differently ({})",
                    other.lines().next().unwrap_or_default()
                ));
            }
            Ok(_) => {
                first.note = Some(
                    "no recent events: the re-run that collects them passed, so this failure \
                     depends on something outside the seed (host time, state left by an \
                     earlier run)"
                        .to_string(),
                );
            }
        }
        Err(first)
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
