//! Turning a failing run into its report: the replay line, the fault
//! schedule shrunk by deterministic re-runs, the swarm plan, and the Chrome
//! trace `DETSIM_TRACE` asks for.

use std::future::Future;
use std::path::PathBuf;

use crate::failure::Failure;
use crate::faults::FaultSchedule;
use crate::runner::env::Env;
use crate::runner::exec::{self, Recording, RunSpec};
use crate::runner::replay_line::Origin;
use crate::runner::report::{Shrunk, SweepFailure};
use crate::runner::results::TestResult;
use crate::runner::sim::Sim;
use crate::runner::{chrome_trace, shrink};

impl Sim {
    /// Turns a failing run into the report: shrinks it, writes the trace.
    #[allow(clippy::too_many_arguments)] // one call site per source of runs
    pub(super) fn failed<F, Fut>(
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
        let replay_from = |origin: &Origin| {
            if spec.schedule.is_free() {
                origin.replay(spec.seed)
            } else {
                origin.command(&format!(
                    "DETSIM_REPLAY={}",
                    spec.schedule.encode(spec.seed)
                ))
            }
        };
        let replay = replay_from(origin);
        // The first question about a failure under legal behaviour: does
        // it need it? (Under DETSIM_LEGAL=0 the plan has none left.)
        let without_legal = self.plan_for(spec.seed).has_legal().then(|| {
            let mut origin = origin.clone();
            origin.pin("DETSIM_LEGAL=0");
            replay_from(&origin)
        });
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
            without_legal,
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
        let units = match (&found.result, found.injected) {
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
            faults: shrunk_failure.faults.clone(),
            injected,
            runs: runs + 2,
            complete,
            failure: *shrunk_failure,
        })
    }

    /// With `DETSIM_TRACE` set, runs `spec` again recording every event and
    /// writes it as a Chrome trace. Returns the path written.
    pub(super) fn write_trace<F, Fut>(&self, env: &Env, spec: &RunSpec, body: &F) -> Option<PathBuf>
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
}
