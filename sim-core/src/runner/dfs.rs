//! The bounded exhaustive search ([`Scheduling::Dfs`]): every schedule of
//! one seed with at most `bound` preemptions, depth first.
//!
//! A schedule is the list of steps where it departs from FIFO order (see
//! `runtime/choices.rs`). The search is a tree: the root is the FIFO run;
//! the children of a schedule are that schedule plus one departure at a
//! later step, one child per step and per runnable task other than the
//! first. Which steps a run has, and how many tasks were runnable at each,
//! is only known by running it, so each node is run before its children
//! are listed; runs are deterministic, so a child's steps up to its new
//! departure are its parent's, and only later steps are listed for it.
//! Every schedule within the bound is therefore run exactly once, and the
//! search needs memory for one path of the tree (`bound + 1` runs' step
//! counts), not for the schedules run.
//!
//! [`Scheduling::Dfs`]: crate::Scheduling::Dfs

use crate::failure::Failure;
use crate::runner::exec::RunSpec;
use crate::runner::results::RunSummary;
use crate::runtime::Choices;

/// What one seed's search ran.
pub(crate) struct Explored {
    /// Every schedule's summary, in search order.
    pub(crate) runs: Vec<RunSummary>,
    /// Whether every schedule within the bound ran (the search did not
    /// stop at its `max_schedules`).
    pub(crate) complete: bool,
}

/// A schedule run, and the alternatives it left to try.
struct Node {
    choices: Choices,
    /// Runnable tasks at each step of the node's run.
    options: Vec<u32>,
    /// The next departure to try: its step (1-based) and run-queue index.
    step: u64,
    index: u32,
}

impl Node {
    /// The next child's departure, if any is left.
    fn next_departure(&mut self) -> Option<(u64, u32)> {
        while let Some(&runnable) = usize::try_from(self.step - 1)
            .ok()
            .and_then(|i| self.options.get(i))
        {
            if self.index < runnable {
                let departure = (self.step, self.index);
                self.index += 1;
                return Some(departure);
            }
            self.step += 1;
            self.index = 1;
        }
        None
    }
}

/// Searches `seed`'s schedules with at most `bound` preemptions, at most
/// `max_schedules` of them. `run` runs one schedule and returns its
/// verdict and the runnable tasks at each of its steps. Stops at the first
/// failing schedule and returns it with its spec.
pub(crate) fn explore(
    seed: u64,
    bound: u32,
    max_schedules: u64,
    mut run: impl FnMut(&RunSpec) -> (Result<RunSummary, Box<Failure>>, Vec<u32>),
) -> Result<Explored, Box<(Failure, RunSpec)>> {
    let mut runs = Vec::new();
    let mut visit = |choices: Choices| {
        let spec = RunSpec {
            choices: Some(choices),
            ..RunSpec::seed(seed)
        };
        match run(&spec) {
            (Ok(summary), options) => {
                runs.push(summary);
                Ok((spec.choices.unwrap_or_default(), options))
            }
            (Err(failure), _) => Err(Box::new((*failure, spec))),
        }
    };
    let bound = usize::try_from(bound).unwrap_or(usize::MAX);
    let (root, options) = visit(Choices::default())?;
    let mut path = Vec::new();
    if bound > 0 {
        path.push(Node {
            choices: root,
            options,
            step: 1,
            index: 1,
        });
    }
    let mut ran: u64 = 1;
    let mut complete = true;
    while let Some(node) = path.last_mut() {
        let Some((step, index)) = node.next_departure() else {
            path.pop();
            continue;
        };
        if ran >= max_schedules {
            complete = false;
            break;
        }
        let child = node.choices.then(step, index);
        let (choices, options) = visit(child)?;
        ran += 1;
        if choices.len() < bound {
            path.push(Node {
                choices,
                options,
                step: step + 1,
                index: 1,
            });
        }
    }
    Ok(Explored { runs, complete })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Instant;

    /// A fake program: `tasks` tasks runnable at each of `steps` steps.
    fn count(steps: usize, tasks: u32, bound: u32, max: u64) -> (u64, bool) {
        let explored = explore(0, bound, max, |spec| {
            let summary = RunSummary {
                seed: spec.seed,
                digest: 0,
                end: Instant::ZERO,
                events: 0,
            };
            (Ok(summary), vec![tasks; steps])
        })
        .unwrap_or_else(|_| unreachable!("the fake program never fails"));
        (explored.runs.len() as u64, explored.complete)
    }

    #[test]
    fn the_search_runs_every_schedule_within_the_bound_once() {
        // 4 steps of 3 runnable tasks: 1 + 4*2 schedules with at most one
        // departure, + C(4,2)*2*2 with two.
        assert_eq!(count(4, 3, 0, 100), (1, true));
        assert_eq!(count(4, 3, 1, 100), (9, true));
        assert_eq!(count(4, 3, 2, 100), (33, true));
        assert_eq!(count(4, 3, 2, 10), (10, false));
        assert_eq!(count(0, 3, 2, 10), (1, true));
    }

    #[test]
    fn the_first_failing_schedule_is_returned_with_its_departures() {
        let failed = explore(7, 2, 100, |spec| {
            let choices = spec.choices.clone().unwrap_or_default();
            let result = if choices.to_string() == "2.1" {
                Err(Box::new(Failure {
                    seed: spec.seed,
                    at: Instant::ZERO,
                    tasks_alive: 1,
                    kind: crate::failure::FailureKind::Error("lost".to_string()),
                    recent_events: Vec::new(),
                    digest: 0,
                    faults: Vec::new(),
                    note: None,
                }))
            } else {
                Ok(RunSummary {
                    seed: spec.seed,
                    digest: 0,
                    end: Instant::ZERO,
                    events: 0,
                })
            };
            (result, vec![2; 3])
        })
        .err()
        .expect("schedule 2.1 fails");
        assert_eq!(failed.1.encode(), "0x7@2.1");
    }
}
