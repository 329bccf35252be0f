//! Turning a failing run into its report: the replay line, the run shrunk
//! by deterministic re-runs (`shrinking.rs`), the swarm plan, and the
//! Chrome trace `DETSIM_TRACE` asks for.

use std::future::Future;
use std::path::PathBuf;

use crate::failure::Failure;
use crate::runner::chrome_trace;
use crate::runner::env::Env;
use crate::runner::exec::{self, Recording, RunSpec};
use crate::runner::replay_line::Origin;
use crate::runner::report::SweepFailure;
use crate::runner::results::TestResult;
use crate::runner::sim::Sim;

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
            if spec.is_plain() {
                origin.replay(spec.seed)
            } else {
                origin.command(&format!("DETSIM_REPLAY={}", spec.encode()))
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
            self.shrink_failure(&failure, spec, origin, body)
        } else {
            None
        };
        // The trace shows the run the user is most likely to replay: the
        // shrunk one when there is one.
        let traced = match &shrunk {
            Some(s) => RunSpec::decode(&s.replay_string).unwrap_or_else(|_| spec.clone()),
            None => spec.clone(),
        };
        let trace_file = self.write_trace(env, &traced, body);
        Box::new(SweepFailure {
            failure,
            replay_string: spec.encode(),
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
        let title = spec.encode();
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
