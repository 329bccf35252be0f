//! One run of the test body: a seed, a fault plan (maybe with pinned
//! decisions), and everything the runner wants to know afterwards: the
//! outcome, which faults were injected as which occurrence, and, when
//! asked, every event with the tasks' names and nodes for the trace viewer.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use crate::failure::{Failure, FailureKind, TaskDesc};
use crate::faults::{FaultKind, FaultSchedule, Faults};
use crate::runner::results::{RunSummary, TestResult};
use crate::runner::stall;
use crate::runtime::{Config, LongPollWatch, Runtime, RuntimeInner, Suspect, context};
use crate::task::TaskId;
use crate::trace::{Event, EventKind, PayloadNote};

/// What one run is: a seed and the pinned fault decisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RunSpec {
    pub(crate) seed: u64,
    pub(crate) schedule: FaultSchedule,
}

impl RunSpec {
    pub(crate) fn seed(seed: u64) -> RunSpec {
        RunSpec {
            seed,
            schedule: FaultSchedule::free(),
        }
    }
}

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
    /// The injected hits in order, from the trace's fault events; `None`
    /// when there were more than the trace keeps.
    pub(crate) log: Option<Vec<(FaultKind, u64)>>,
    /// Hits per kind, suppressed ones included (`FaultKind::ALL` order).
    pub(crate) hits: Vec<u64>,
    /// The tasks that appear in `events`, when full recording was on.
    pub(crate) tracks: Vec<TaskTrack>,
    /// Every write's payload note, when payload digesting was on.
    pub(crate) payloads: Option<Vec<PayloadNote>>,
    /// Polls the watchdog suspected of running over budget (or, in a
    /// confirming run, the armed polls as measured); see `confirm`.
    pub(crate) long_polls: Vec<(Suspect, TaskDesc)>,
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
    if config.long_poll_watch == LongPollWatch::Warn {
        config.long_poll_watch = LongPollWatch::Collect;
    }
    config.heartbeat = Some(stall::heartbeat());
    let seed = spec.seed;
    let rt = Runtime::with_config(seed, config);
    // The runtime's state is crate-private to `runtime`; the body's first
    // poll runs inside the runtime, where the context hands it out.
    let inner: RefCell<Option<Rc<RuntimeInner>>> = RefCell::new(None);
    let outcome = rt.try_block_on(async {
        let current = context::try_runtime();
        if let (true, Some(rt)) = (recording.payloads, &current) {
            rt.trace.borrow_mut().digest_payloads();
        }
        *inner.borrow_mut() = current;
        body().await.into_result()
    });
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
    let inner = inner.into_inner();
    let payloads = inner
        .as_ref()
        .and_then(|inner| inner.trace.borrow_mut().take_payloads());
    let long_polls = inner.as_ref().map_or_else(Vec::new, |inner| {
        inner
            .long_poll_suspects()
            .into_iter()
            .map(|s| (s, inner.task_desc(s.task)))
            .collect()
    });
    let (log, hits, tracks) = match &inner {
        Some(inner) => {
            let log = injected(inner);
            let tracks = events
                .as_deref()
                .map(|e| tracks(inner, e))
                .unwrap_or_default();
            (log, inner.faults.hits(), tracks)
        }
        None => (Some(Vec::new()), vec![0; FaultKind::ALL.len()], Vec::new()),
    };
    drop(inner);
    drop(rt);
    Run {
        result,
        events,
        log,
        hits,
        tracks,
        payloads,
        long_polls,
    }
}

/// Every injected fault as (kind, occurrence), in order, from the trace's
/// fault events; `None` when there were more than the trace keeps.
fn injected(inner: &RuntimeInner) -> Option<Vec<(FaultKind, u64)>> {
    let trace = inner.trace.borrow();
    if !trace.faults_complete() {
        return None;
    }
    let injected = trace.faults().iter().filter_map(|e| match e.kind {
        EventKind::Fault {
            kind, occurrence, ..
        } => Some((kind, occurrence)),
        _ => None,
    });
    Some(injected.collect())
}

/// Every task that appears in `events`, named and placed on its node.
fn tracks(inner: &RuntimeInner, events: &[Event]) -> Vec<TaskTrack> {
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
            let desc = inner.task_desc(id);
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
