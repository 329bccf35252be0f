//! Confirming a long poll, so that host load never decides a verdict.
//!
//! A run's watchdog only *suspects* long polls, from a coarse host clock
//! that counts the time the thread waited for a core on a busy machine
//! (see `runtime/watchdog.rs`). When a run has suspects, [`settle`] runs
//! the seed again, deterministically, with exactly the suspected polls
//! armed (the same poll numbers: the same tasks at the same points) and
//! measured precisely, on the thread's CPU time unless the poll blocked.
//!
//! - An armed poll over budget again: the seed fails with a long poll, and
//!   the report's events end at that poll (the re-run records them).
//! - None is: each suspect prints one warning line (task, poll, the two
//!   measurements) and the verdict is the re-run's outcome. Its watchdog
//!   watched nothing else, so that outcome is what the code does, whatever
//!   the host's load.

use std::future::Future;
use std::io::Write as _;

use crate::failure::{Failure, FailureKind, TaskDesc};
use crate::faults::Faults;
use crate::runner::exec::{self, Recording, RunSpec};
use crate::runner::results::{RunSummary, TestResult};
use crate::runtime::{Config, LongPollWatch, Suspect};

/// The verdict of a run that ended with `result` and suspected
/// `long_polls`: `result` itself when nothing was suspected, else the
/// outcome of a confirming re-run of `spec` (recording as `recording`
/// says).
#[allow(clippy::too_many_arguments)] // the run, and what re-runs it
pub(crate) fn settle<F, Fut>(
    result: Result<RunSummary, Box<Failure>>,
    long_polls: &[(Suspect, TaskDesc)],
    config: &Config,
    plan: &Faults,
    spec: &RunSpec,
    recording: Recording,
    body: &F,
) -> Result<RunSummary, Box<Failure>>
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestResult,
{
    if long_polls.is_empty() {
        return result;
    }
    let mut armed = config.clone();
    let mut polls: Vec<u64> = long_polls.iter().map(|(s, _)| s.poll).collect();
    polls.sort_unstable();
    polls.dedup();
    armed.long_poll_watch = LongPollWatch::Confirm(polls);
    let second = exec::run_once(&armed, plan, spec, recording, body);
    // A confirmed poll ends the run: later suspects were never measured.
    let confirmed = match &second.result {
        Err(f) => match f.kind {
            FailureKind::LongPoll { poll, .. } => Some(poll),
            _ => None,
        },
        Ok(_) => None,
    };
    for (suspect, task) in long_polls {
        // Suspects under the budget (within a coarse tick of it) were
        // re-run to be sure; they need no warning.
        if confirmed.is_some_and(|p| suspect.poll >= p) || suspect.took <= config.long_poll_budget {
            continue;
        }
        let task = match (task.id.as_u64(), task.name.as_deref()) {
            (0, Some("main")) => format!("the test body ({})", task.id),
            _ => task.to_string(),
        };
        let again = second
            .long_polls
            .iter()
            .find(|(s, _)| s.poll == suspect.poll)
            .map_or("not reached".to_string(), |(s, _)| format!("{:?}", s.took));
        // Straight to the process's stderr, past the test harness's
        // capture: a passing test's warning is still seen.
        let _ = writeln!(
            std::io::stderr(),
            "detsim: warning: not a long poll: {task} poll #{} took {:.1?} of host time \
             (budget {:?}) on seed {:#x}, but {again} when the seed was re-run; a busy host \
             delayed it",
            suspect.poll,
            suspect.took,
            config.long_poll_budget,
            spec.seed
        );
    }
    second.result
}
