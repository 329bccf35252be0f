//! The runner's side of the strategies that need it: PCT's horizon,
//! measured once per sweep, and a sweep under [`Scheduling::Dfs`], each
//! seed's schedules searched exhaustively within the preemption bound (see
//! `runner/dfs.rs`), seeds spread over threads as in any sweep.
//!
//! [`Scheduling::Dfs`]: crate::Scheduling::Dfs

use std::future::Future;
use std::sync::Arc;

use crate::failure::Failure;
use crate::runner::determinism::Check;
use crate::runner::dfs;
use crate::runner::env::Env;
use crate::runner::exec::{self, Recording, RunSpec};
use crate::runner::plan::SeedPlan;
use crate::runner::replay_line::Origin;
use crate::runner::report::SweepFailure;
use crate::runner::results::{RunSummary, SweepReport, TestResult};
use crate::runner::sim::Sim;
use crate::runner::{stall, sweep};
use crate::runtime::Scheduling;

/// The sweep's context, as `try_run_with_env` set it up.
pub(super) struct Search<'a> {
    pub(super) seeds: &'a SeedPlan,
    pub(super) jobs: usize,
    pub(super) bound: u32,
    pub(super) max_schedules: u64,
    pub(super) check: Check,
    pub(super) stall: &'a Arc<stall::Watch>,
    pub(super) origin: &'a Origin,
    pub(super) env: &'a Env,
    pub(super) started: std::time::Instant,
}

impl Sim {
    /// PCT's horizon for this test: the scheduling choices one run of seed
    /// 0 makes under PCT with no change point (at least 1). A function of
    /// the code alone, so every seed of the sweep, and its replay, draws
    /// change points over the same horizon.
    pub(super) fn pct_horizon<F, Fut>(&self, body: &F) -> u64
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let mut config = self.config.clone();
        config.scheduling = Scheduling::Pct { depth: 1, steps: 1 };
        let quiet = Recording::default();
        let run = exec::run_once(&config, &self.plan_for(0), &RunSpec::seed(0), quiet, body);
        run.steps.max(1)
    }

    /// Searches every seed of `search.seeds`; the first failing schedule
    /// (of the lowest failing seed) is the sweep's failure.
    pub(super) fn search<F, Fut>(
        &self,
        search: Search<'_>,
        body: &F,
    ) -> Result<SweepReport, Box<SweepFailure>>
    where
        F: Fn() -> Fut + Send + Sync,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let outcome = sweep::run(search.seeds, search.jobs, |seed| {
            search.stall.enter();
            dfs::explore(seed, search.bound, search.max_schedules, |spec| {
                self.run_searched(spec, search.check, body)
            })
        });
        match outcome {
            Ok(explored) => {
                let incomplete = explored.iter().filter(|e| !e.complete).count();
                let runs: Vec<RunSummary> = explored.into_iter().flat_map(|e| e.runs).collect();
                let host_time = search.started.elapsed();
                if !self.quiet {
                    let seeds = search.seeds.len();
                    let status = if incomplete == 0 {
                        "every schedule".to_string()
                    } else {
                        format!(
                            "search stopped at {} schedules on {incomplete} of them; raise \
                             the limit with DETSIM_STRATEGY=dfs:{}:<schedules>",
                            search.max_schedules, search.bound
                        )
                    };
                    eprintln!(
                        "detsim: {} schedule{} of {seeds} seed{} passed in {:.2}s (at most {} \
                         preemption{} each; {status})",
                        runs.len(),
                        if runs.len() == 1 { "" } else { "s" },
                        if seeds == 1 { "" } else { "s" },
                        host_time.as_secs_f64(),
                        search.bound,
                        if search.bound == 1 { "" } else { "s" },
                    );
                }
                Ok(SweepReport { runs, host_time })
            }
            Err((found, seeds_run)) => {
                let (failure, spec) = *found;
                Err(self.failed(
                    failure,
                    &spec,
                    seeds_run,
                    None,
                    search.origin,
                    search.env,
                    body,
                ))
            }
        }
    }

    /// Runs one schedule of the search: its verdict, and the runnable
    /// tasks at each of its steps. A run that passes cleanly counts as
    /// is; one that fails or has a suspect long poll (or any run under the
    /// determinism check) gets its verdict from the sweep's usual path.
    fn run_searched<F, Fut>(
        &self,
        spec: &RunSpec,
        check: Check,
        body: &F,
    ) -> (Result<RunSummary, Box<Failure>>, Vec<u32>)
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestResult,
    {
        let plan = self.plan_for(spec.seed);
        let run = exec::run_once(&self.config, &plan, spec, Recording::default(), body);
        if run.result.is_ok() && run.long_polls.is_empty() && check == Check::Off {
            return (run.result, run.options);
        }
        (self.run_spec(spec, check, body), run.options)
    }
}
