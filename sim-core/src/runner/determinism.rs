//! The determinism check: every seed runs twice and the two runs must agree
//! on their outcome (passed; the `Err` text; the panic's message and
//! location; the failure kind) and on their trace, event by event, and in
//! bytes mode on every payload written.
//!
//! A mismatch is reported as [`FailureKind::Nondeterminism`] showing both
//! outcomes in full, so a failure that only the second run hit keeps its
//! own message. When both runs fail the same way with the same trace, the
//! failure is a plain, reproducible one and is reported as such.
//!
//! Long polls are host time, not decisions: the watchdog only suspects
//! them, which changes nothing in a run, so both runs are compared as
//! usual; when they agree, the suspects are confirmed or dismissed by a
//! re-run (`confirm`), as in a plain sweep.

use std::future::Future;

use crate::failure::{Failure, FailureKind, ReportEvent};
use crate::faults::Faults;
use crate::runner::confirm;
use crate::runner::exec::{self, Recording, Run, RunSpec};
use crate::runner::results::{RunSummary, TestResult};
use crate::runtime::Config;
use crate::time::Instant;
use crate::trace::{Event, PayloadNote};

/// What `DETSIM_CHECK_DETERMINISM` asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Check {
    /// Run every seed once.
    #[default]
    Off,
    /// Run twice; compare outcomes and traces.
    Trace,
    /// As `Trace`, and the payload bytes of every simulated write.
    Bytes,
}

type Outcome = Result<RunSummary, Box<Failure>>;

/// Runs `spec` twice and compares the runs; see the module docs.
pub(crate) fn run_twice<F, Fut>(
    config: &Config,
    plan: &Faults,
    spec: &RunSpec,
    check: Check,
    body: &F,
) -> Outcome
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestResult,
{
    let recording = Recording {
        all_events: true,
        report_events: config.report_events,
        payloads: check == Check::Bytes,
    };
    let first = exec::run_once(config, plan, spec, recording, body);
    let second = exec::run_once(config, plan, spec, recording, body);
    let (a, b) = (
        first.events.as_deref().unwrap_or_default(),
        second.events.as_deref().unwrap_or_default(),
    );
    let event_index = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i));
    let same_outcome = same_outcome(&first.result, &second.result);
    let (index, first_at, second_at) = match event_index {
        Some(i) => {
            let show = |e: Option<&Event>| e.map_or("end of trace".to_string(), Event::to_string);
            (Some(i as u64), show(a.get(i)), show(b.get(i)))
        }
        None => match payload_difference(&first, &second) {
            Some((after, x, y)) => (Some(after), x, y),
            // The runs agree: a long poll either suspected is confirmed
            // (or not) by a re-run, as in a plain sweep.
            None if same_outcome => {
                let mut long_polls = first.long_polls;
                long_polls.extend(second.long_polls);
                return confirm::settle(
                    first.result,
                    &long_polls,
                    config,
                    plan,
                    spec,
                    recording,
                    body,
                );
            }
            None => (None, String::new(), String::new()),
        },
    };
    let kind = FailureKind::Nondeterminism {
        index,
        first: first_at,
        second: second_at,
        first_outcome: describe(&first.result),
        second_outcome: describe(&second.result),
    };
    // The report's other fields (time, tasks, faults) are the second run's:
    // the one that did something else.
    let mut failure = match second.result {
        Err(f) => *f,
        Ok(summary) => Failure {
            seed: spec.seed,
            at: b.last().map_or(Instant::ZERO, |e| e.at),
            tasks_alive: 0,
            kind: kind.clone(),
            recent_events: Vec::new(),
            digest: summary.digest,
            faults: Vec::new(),
            note: None,
        },
    };
    failure.kind = kind;
    let around = match event_index {
        Some(i) => i.saturating_sub(10)..(i + 1).min(b.len()),
        None => b.len().saturating_sub(config.report_events.max(1))..b.len(),
    };
    // Both runs have ended: their names are gone, so the events show as
    // the trace does (and as `first` and `second` above).
    failure.recent_events = b[around]
        .iter()
        .cloned()
        .map(ReportEvent::unnamed)
        .collect();
    Err(Box::new(failure))
}

/// Whether two runs ended the same way: both passed, or both failed with
/// the same failure (the same `Err` text, the same panic message at the
/// same place in the same task, the same stuck tasks).
fn same_outcome(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Ok(_), Ok(_)) => true,
        (Err(x), Err(y)) => x.kind == y.kind,
        _ => false,
    }
}

/// A run's outcome in words, for the report.
fn describe(outcome: &Outcome) -> String {
    match outcome {
        Ok(summary) => format!("passed (digest {:#018x})", summary.digest),
        Err(f) => f.kind.to_string().replace('\n', "\n    "),
    }
}

/// The first write whose payload differs between the runs: the event count
/// before it, and each run's write described.
fn payload_difference(first: &Run, second: &Run) -> Option<(u64, String, String)> {
    let (a, b) = (first.payloads.as_deref()?, second.payloads.as_deref()?);
    let i = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))?;
    let show = |n: Option<&PayloadNote>| match n {
        Some(n) => format!(
            "write #{i} after event #{}: {} bytes, content digest {:#018x}",
            n.after_events, n.len, n.digest
        ),
        None => format!("no write #{i}"),
    };
    let after = a.get(i).or(b.get(i)).map_or(0, |n| n.after_events);
    Some((after, show(a.get(i)), show(b.get(i))))
}
