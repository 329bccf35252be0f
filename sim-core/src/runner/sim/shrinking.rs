//! Shrinking a failing run: first its injected faults (delta debugging
//! over their occurrences, see `runner/shrink.rs`), then, when the run is
//! one of the bounded search's schedules, its preemptions, each dropped in
//! turn while the run still fails the same way.

use std::future::Future;

use crate::failure::Failure;
use crate::faults::FaultSchedule;
use crate::runner::exec::{self, Recording, RunSpec};
use crate::runner::replay_line::Origin;
use crate::runner::report::Shrunk;
use crate::runner::results::TestResult;
use crate::runner::shrink;
use crate::runner::sim::Sim;

impl Sim {
    /// Shrinks `spec`'s failure; `None` when there was nothing to shrink
    /// or a re-run did not fail as the search saw.
    pub(super) fn shrink_failure<F, Fut>(
        &self,
        failure: &Failure,
        spec: &RunSpec,
        origin: &Origin,
        body: &F,
    ) -> Option<Shrunk>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let preemptions = spec.choices.as_ref().map_or(0, |c| c.len());
        // Nothing to shrink: spare the re-runs.
        if !shrink::shrinkable(&failure.kind) || (failure.faults.is_empty() && preemptions == 0) {
            return None;
        }
        let plan = self.plan_for(spec.seed);
        let quiet = Recording::default();
        let fails =
            |spec: &RunSpec| match exec::run_once(&self.config, &plan, spec, quiet, body).result {
                Err(f) => shrink::same_bug(&f.kind, &failure.kind),
                Ok(_) => false,
            };
        let mut trial = spec.clone();
        let mut runs = 0;
        let mut complete = true;
        // The failing run's injected faults, as occurrences.
        let mut kept_faults = None;
        let mut injected = 0;
        if !failure.faults.is_empty() {
            let found = exec::run_once(&self.config, &plan, spec, quiet, body);
            runs += 1;
            let units = match (&found.result, found.injected) {
                (Err(f), Some(log)) if shrink::same_bug(&f.kind, &failure.kind) => log,
                _ => return None,
            };
            injected = units.len();
            if !units.is_empty() {
                let (kept, ddmin_runs, done) = shrink::ddmin(units, self.shrink_budget, |subset| {
                    trial.schedule = FaultSchedule::only(subset.iter().copied());
                    fails(&trial)
                });
                runs += ddmin_runs;
                complete = done;
                trial.schedule = FaultSchedule::only(kept.iter().copied());
                kept_faults = Some(kept);
            }
        }
        // Then the preemptions, latest first (a later one often exists
        // only because of an earlier one's schedule).
        if let Some(mut choices) = spec.choices.clone() {
            for i in (0..choices.len()).rev() {
                trial.choices = Some(choices.without(i));
                runs += 1;
                if fails(&trial) {
                    choices = choices.without(i);
                }
            }
            trial.choices = Some(choices);
        }
        if kept_faults.is_none() && spec.choices.is_none() {
            return None;
        }
        // The kept schedule once more, for the report and its horizon: the
        // replay string pins every occurrence this run reached.
        let recording = Recording {
            all_events: false,
            report_events: self.config.report_events,
            payloads: false,
        };
        let last = exec::run_once(&self.config, &plan, &trial, recording, body);
        // Re-runs are deterministic, so this fails as the search saw; if it
        // did not, a replay line that fails another way would mislead.
        let shrunk_failure = match last.result {
            Err(f) if shrink::same_bug(&f.kind, &failure.kind) => f,
            _ => return None,
        };
        if let Some(kept) = kept_faults {
            trial.schedule = FaultSchedule::recorded(kept, last.hits);
        }
        let replay_string = trial.encode();
        Some(Shrunk {
            replay: origin.command(&format!("DETSIM_REPLAY={replay_string}")),
            replay_string,
            faults: shrunk_failure.faults.clone(),
            injected,
            preemptions: spec
                .choices
                .as_ref()
                .map(|_| (trial.choices.as_ref().map_or(0, |c| c.len()), preemptions)),
            runs: runs + 1,
            complete,
            failure: *shrunk_failure,
        })
    }
}
