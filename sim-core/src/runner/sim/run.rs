//! Running a sweep: the entry points (`Sim::run`, `Sim::try_run`) and the
//! paths a run takes: replay strings, regression entries, then the sweep's
//! seeds; each seed once, or twice under the determinism check; and the
//! re-run that collects a failure's recent events.

use std::future::Future;
use std::panic::Location;

use crate::failure::Failure;
use crate::faults::{Faults, swarm_plan};
use crate::runner::determinism::{self, Check};
use crate::runner::env::Env;
use crate::runner::exec::{self, Recording, RunSpec};
use crate::runner::plan::{PlanError, SeedPlan};
use crate::runner::replay_line::Origin;
use crate::runner::report::SweepFailure;
use crate::runner::results::{RunSummary, SweepReport, TestResult};
use crate::runner::sim::Sim;
use crate::runner::sim::strategy::Search;
use crate::runner::{confirm, regressions, stall, sweep};
use crate::runtime::Scheduling;

impl Sim {
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
                let without_legal = failure
                    .without_legal
                    .as_ref()
                    .map(|line| format!("\nreplay without legal behaviour: {line}"))
                    .unwrap_or_default();
                panic!(
                    "detsim: seed {:#x} failed: {}\nreplay: {}{shrunk}{without_legal}",
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
        let mut origin = Origin::capture(self.test_name.clone(), self.package.clone());
        self.apply_env(&env, &mut origin);
        // Watched from here on (the PCT horizon's run included); a
        // horizon measured below is not in the stall report's line, and a
        // replay without it measures the same one.
        let stall = stall::Watch::new(&origin, self.config.stall_limit);
        stall.enter();
        if let Scheduling::Pct { depth, steps } = self.config.scheduling {
            let steps = if steps == 0 {
                self.pct_horizon(&body)
            } else {
                steps
            };
            self.config.scheduling = Scheduling::Pct { depth, steps };
            origin.pin(&format!("DETSIM_STRATEGY=pct:{depth}:{steps}"));
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
        if let Scheduling::Dfs {
            bound,
            max_schedules,
        } = self.config.scheduling
        {
            let search = Search {
                seeds: &seeds,
                jobs,
                bound,
                max_schedules,
                check,
                stall: &stall,
                origin: &origin,
                env: &env,
                started,
            };
            return self.search(search, &body);
        }
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

    /// The fault plan seed `seed` runs with (swarm mode varies it).
    pub(super) fn plan_for(&self, seed: u64) -> Faults {
        if self.swarm {
            swarm_plan(seed, &self.config.faults)
        } else {
            self.config.faults.clone()
        }
    }

    pub(super) fn run_spec<F, Fut>(
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
    /// (state outside the seed), the first report stands, with a
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
            Err(second) if second.kind == first.kind => return Err(second),
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
