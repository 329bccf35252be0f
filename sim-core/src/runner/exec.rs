//! One run of the test body: a seed, a fault plan (maybe with pinned
//! decisions), and everything the runner wants to know afterwards: the
//! outcome, which faults were injected as which occurrence, and, when
//! asked, every event with the tasks' names and nodes for the trace viewer.
//! All of it is read from the [`Runtime`] after the run, through its
//! crate-private runner API.

use std::future::Future;

use crate::failure::{Failure, FailureKind, TaskDesc};
use crate::faults::{FaultKind, Faults};
use crate::runner::results::{RunSummary, TestResult};
use crate::runner::stall;
use crate::runtime::{Config, LongPollWatch, Runtime, Scheduling, Suspect};
use crate::task::TaskId;
use crate::trace::{Event, EventKind, PayloadNote};

pub(crate) use crate::runner::run_spec::RunSpec;

/// A task's track in the trace viewer.
#[derive(Clone, Debug)]
pub(crate) struct TaskTrack {
    pub(crate) id: TaskId,
    pub(crate) label: String,
    pub(crate) node: String,
}

/// Everything a run left behind.
pub(crate) struct Run {
    pub(crate) result: Result<RunSummary, Box<Failure>>,
    /// Every event, when full recording was on.
    pub(crate) events: Option<Vec<Event>>,
    /// A failing run's injected faults as (kind, occurrence), in order;
    /// `None` when the run passed or injected more than the trace keeps.
    pub(crate) injected: Option<Vec<(FaultKind, u64)>>,
    /// Hits per kind, suppressed ones included (`FaultKind::ALL` order).
    pub(crate) hits: Vec<u64>,
    /// The tasks that appear in `events`, when full recording was on.
    pub(crate) tracks: Vec<TaskTrack>,
    /// Every write's payload note, when payload digesting was on.
    pub(crate) payloads: Option<Vec<PayloadNote>>,
    /// Polls the watchdog suspected of running over budget (or, in a
    /// confirming run, the armed polls as measured); see `confirm`.
    pub(crate) long_polls: Vec<(Suspect, TaskDesc)>,
    /// Scheduling choices made under PCT.
    pub(crate) steps: u64,
    /// Under DFS: the runnable tasks at each scheduling choice.
    pub(crate) options: Vec<u32>,
}

/// What a run records beyond its outcome.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Recording {
    /// Keep every event (determinism check, trace file).
    pub(crate) all_events: bool,
    /// Recent events kept for the report.
    pub(crate) report_events: usize,
    /// Fold written payload bytes into the digest
    /// (`DETSIM_CHECK_DETERMINISM=bytes`).
    pub(crate) payloads: bool,
}

/// Runs `body` once.
pub(crate) fn run_once<F, Fut>(
    config: &Config,
    plan: &Faults,
    spec: &RunSpec,
    recording: Recording,
    body: &F,
) -> Run
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestResult,
{
    let mut config = config.clone();
    config.record_all_events |= recording.all_events;
    config.report_events = recording.report_events;
    config.faults = plan.clone();
    config.faults.schedule = spec.schedule.clone();
    if let Some(choices) = &spec.choices {
        // One of the search's schedules: its string alone replays it.
        if !matches!(config.scheduling, Scheduling::Dfs { .. }) {
            config.scheduling = Scheduling::dfs(u32::try_from(choices.len()).unwrap_or(u32::MAX));
        }
        config.choices = choices.clone();
    }
    if config.long_poll_watch == LongPollWatch::Warn {
        config.long_poll_watch = LongPollWatch::Collect;
    }
    config.heartbeat = Some(stall::heartbeat());
    let seed = spec.seed;
    let rt = Runtime::with_config(seed, config);
    if recording.payloads {
        rt.digest_payloads();
    }
    let outcome = rt.try_block_on(async { body().await.into_result() });
    let result = match outcome {
        Ok(Ok(())) => Ok(RunSummary {
            seed,
            digest: rt.digest(),
            end: rt.now(),
            events: rt.trace_len(),
        }),
        Ok(Err(e)) => Err(Box::new(rt.failure_now(FailureKind::Error(e)))),
        Err(f) => Err(f),
    };
    let events = rt.take_events();
    let tracks = events
        .as_deref()
        .map(|e| tracks(&rt, e))
        .unwrap_or_default();
    Run {
        injected: result.as_ref().err().and_then(|_| rt.injected_faults()),
        hits: rt.fault_hits(),
        payloads: rt.take_payloads(),
        long_polls: rt.long_polls(),
        steps: rt.scheduling_steps(),
        options: rt.scheduling_options(),
        result,
        events,
        tracks,
    }
}

/// Every task that appears in `events`, named and placed on its node.
fn tracks(rt: &Runtime, events: &[Event]) -> Vec<TaskTrack> {
    let mut ids: Vec<TaskId> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Spawned { task } => Some(task),
            _ => None,
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let desc = rt.task_desc(id);
            TaskTrack {
                id,
                label: match &desc.name {
                    Some(name) => format!("{id} `{name}`"),
                    None => id.to_string(),
                },
                node: desc.node.unwrap_or_else(|| "main".to_string()),
            }
        })
        .collect()
}
