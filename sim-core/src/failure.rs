//! Why a run failed, with everything the report needs: the failure's kind,
//! and the trace events and injected faults around it as structured values
//! ([`ReportEvent`], [`InjectedFault`]) that render as the report's lines.

use std::fmt;
use std::time::Duration;

mod reported;

pub use reported::{InjectedFault, ReportEvent};

use crate::alloc::Usage;
use crate::alloc::size::ByteSize;
use crate::task::TaskId;
use crate::time::Instant;

/// A task as the failure report names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDesc {
    /// The task's id (spawn order).
    pub id: TaskId,
    /// The name given through `task::Builder`, if any.
    pub name: Option<String>,
    /// Where the task was spawned (`file:line:column`).
    pub spawned_at: String,
    /// The node it ran on, when not the main node.
    pub node: Option<String>,
}

impl fmt::Display for TaskDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(
                f,
                "task `{name}` ({}, spawned at {})",
                self.id, self.spawned_at
            ),
            None => write!(f, "{} (spawned at {})", self.id, self.spawned_at),
        }
    }
}

/// A task that waits forever in a deadlock, and on what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StuckTask {
    /// The task.
    pub task: TaskDesc,
    /// What it last registered interest in, in words.
    pub waits_on: String,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// A task panicked.
    Panic {
        /// The task that panicked.
        task: TaskDesc,
        /// The panic message.
        message: String,
        /// Where the panic was raised, if known.
        location: Option<String>,
    },
    /// The test body returned an error.
    Error(String),
    /// No task can run and nothing (timer, kernel event) can wake one.
    Deadlock {
        /// Every task that waits forever.
        stuck: Vec<StuckTask>,
    },
    /// A liveness phase's faults ended ([`crate::liveness`]) and the run
    /// did not recover: it neither finished nor called
    /// [`liveness::recovered`](crate::liveness::recovered) by the
    /// deadline, or no task could ever run again after the end.
    Liveness {
        /// When the faults ended.
        faults_ended: Instant,
        /// When the run had to have recovered by.
        deadline: Instant,
        /// Whether nothing could ever happen again (no runnable task,
        /// timer or kernel event): a deadlock after the end, reported when
        /// it became certain. Otherwise the run was stopped at the deadline.
        deadlocked: bool,
        /// Every live task and what it waits on (the test body first).
        stuck: Vec<StuckTask>,
    },
    /// One poll ran longer than the long-poll budget (host time), in two
    /// runs of the seed: detected on the first, measured again on a
    /// deterministic re-run (on CPU time unless the poll blocked).
    LongPoll {
        /// The task whose poll was too long.
        task: TaskDesc,
        /// Which poll of the run it was (1 is the run's first poll): the
        /// same in every run of the seed.
        poll: u64,
        /// How long the poll took in the confirming run.
        took: Duration,
        /// The configured budget.
        budget: Duration,
        /// What the poll resumed from: `after waiting on a timer at
        /// t=2.000ms` (what the task last awaited), or that nothing was
        /// noted. The code after that await is what blocked.
        resumed: String,
    },
    /// A task asked for more than the allocation cap in one allocation
    /// (see [`detsim::alloc`](crate::alloc)); the run failed when that
    /// poll returned.
    Allocation {
        /// The task that asked.
        task: TaskDesc,
        /// The size asked for, in bytes (the poll's first request above
        /// the cap).
        bytes: u64,
        /// The cap, in bytes.
        cap: u64,
        /// Which poll of the run it was (1 is the run's first poll): the
        /// same in every run of the seed.
        poll: u64,
        /// What the poll resumed from: `after waiting on tcp#3 readable`,
        /// or that nothing was noted. The code after that await made the
        /// request.
        resumed: String,
        /// Whether the wrapped allocator served the request (`false`: it
        /// returned null, and the caller handled that).
        served: bool,
        /// Everything the task allocated up to the end of that poll.
        allocated: Usage,
    },
    /// Two runs of the same seed differ: in their outcome, their trace,
    /// or (in bytes mode) a payload they wrote.
    Nondeterminism {
        /// Index of the first event that differs (for a payload, the
        /// number of events before the write); `None` when the traces are
        /// equal and only the outcomes differ.
        index: Option<u64>,
        /// That event (or write) in the first run (or `end of trace`).
        first: String,
        /// That event (or write) in the second run (or `end of trace`).
        second: String,
        /// How the first run ended: `passed`, or its failure in full.
        first_outcome: String,
        /// How the second run ended, with its own message.
        second_outcome: String,
    },
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureKind::Panic {
                task,
                message,
                location,
            } => {
                write!(f, "{task} panicked")?;
                if let Some(at) = location {
                    write!(f, " at {at}")?;
                }
                write!(f, ": {message}")
            }
            FailureKind::Error(e) => write!(f, "the test body returned an error: {e}"),
            FailureKind::Deadlock { stuck } => {
                write!(f, "deadlock: {} task", stuck.len())?;
                if stuck.len() != 1 {
                    f.write_str("s")?;
                }
                f.write_str(" wait forever")?;
                write_waits(f, stuck)
            }
            FailureKind::Liveness {
                faults_ended,
                deadline,
                deadlocked,
                stuck,
            } => {
                write!(f, "liveness: the faults ended at t={faults_ended} and ")?;
                if *deadlocked {
                    write!(
                        f,
                        "then no task could ever run again (a deadlock; the recovery \
                         deadline was t={deadline})"
                    )?;
                } else {
                    write!(
                        f,
                        "the run had not recovered by the deadline t={deadline} (the body \
                         did not return, no task called detsim::liveness::recovered)"
                    )?;
                }
                write!(f, "; {} task", stuck.len())?;
                if stuck.len() != 1 {
                    f.write_str("s")?;
                }
                f.write_str(" wait")?;
                if stuck.len() == 1 {
                    f.write_str("s")?;
                }
                write_waits(f, stuck)
            }
            FailureKind::LongPoll {
                task,
                poll,
                took,
                budget,
                resumed,
            } => write!(
                f,
                "long poll: {task} ran {took:?} in one poll (poll #{poll} of the run, budget \
                 {budget:?}, confirmed by a re-run), which began {resumed}; between that \
                 await and the next, it computes or blocks without yielding \
                 (std::thread::sleep, a blocking lock, blocking IO) and starves every other \
                 task"
            ),
            FailureKind::Allocation {
                task,
                bytes,
                cap,
                poll,
                resumed,
                served,
                allocated,
            } => {
                write!(
                    f,
                    "allocation over the cap: {task} asked for {} in one allocation (cap {}: \
                     Sim::allocation_cap or DETSIM_ALLOC_CAP), in poll #{poll} of the run, which \
                     began {resumed}. ",
                    ByteSize(*bytes),
                    ByteSize(*cap),
                )?;
                f.write_str(if *served {
                    "The allocator served it; the run failed when the poll returned"
                } else {
                    "The allocator returned null and the task went on"
                })?;
                write!(
                    f,
                    ". By then the task had asked for {} in {} allocation{}. A size read from \
                     input (a length prefix, a count) needs a bound before it becomes a capacity",
                    ByteSize(allocated.bytes),
                    allocated.allocations,
                    if allocated.allocations == 1 { "" } else { "s" },
                )
            }
            FailureKind::Nondeterminism {
                index,
                first,
                second,
                first_outcome,
                second_outcome,
            } => {
                match index {
                    Some(i) if first.starts_with("write #") => write!(
                        f,
                        "nondeterminism: two runs of the same seed wrote different bytes \
                         (after event #{i}):"
                    )?,
                    Some(i) => write!(
                        f,
                        "nondeterminism: two runs of the same seed diverged at event #{i}:"
                    )?,
                    None => write!(
                        f,
                        "nondeterminism: two runs of the same seed had the same trace but \
                         ended differently"
                    )?,
                }
                if index.is_some() {
                    write!(f, "\n    first run:  {first}\n    second run: {second}")?;
                }
                write!(
                    f,
                    "\n  outcomes:\n    first run:  {first_outcome}\n    second run: {second_outcome}"
                )
            }
        }
    }
}

/// One line per task: what it waits on.
fn write_waits(f: &mut fmt::Formatter<'_>, stuck: &[StuckTask]) -> fmt::Result {
    for s in stuck {
        write!(f, "\n    {} waits on {}", s.task, s.waits_on)?;
    }
    Ok(())
}

impl FailureKind {
    /// Every task the failure names.
    fn tasks_mut(&mut self) -> Vec<&mut TaskDesc> {
        match self {
            FailureKind::Panic { task, .. }
            | FailureKind::LongPoll { task, .. }
            | FailureKind::Allocation { task, .. } => vec![task],
            FailureKind::Deadlock { stuck } | FailureKind::Liveness { stuck, .. } => {
                stuck.iter_mut().map(|s| &mut s.task).collect()
            }
            FailureKind::Error(_) | FailureKind::Nondeterminism { .. } => Vec::new(),
        }
    }
}

/// A failed run: the seed, when, why, and the last trace events.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The run's seed.
    pub seed: u64,
    /// Virtual time of the failure.
    pub at: Instant,
    /// Tasks alive at the failure (spawned tasks plus the test body).
    pub tasks_alive: usize,
    /// What went wrong.
    pub kind: FailureKind,
    /// The last trace events, oldest first, each with the name of its task
    /// or resource; `Display` renders the report's line.
    pub recent_events: Vec<ReportEvent>,
    /// The trace digest at the failure.
    pub digest: u64,
    /// Faults injected during the run, oldest first (the first 100,000);
    /// `Display` renders the report's line.
    pub faults: Vec<InjectedFault>,
    /// What the runner has to say about how this report was made, e.g.
    /// that the re-run which collects the recent events did not fail the
    /// same way.
    pub note: Option<String>,
}

impl Failure {
    /// Points the test body's task (`main`, task#0) at `body_at`, where the
    /// user started the run, instead of the runner's own `block_on` call.
    pub(crate) fn locate_body(&mut self, body_at: &str) {
        for task in self.kind.tasks_mut() {
            if task.id.as_u64() == 0 && task.name.as_deref() == Some("main") {
                task.spawned_at = body_at.to_string();
            }
        }
    }
}

impl Failure {
    /// The report's header: seed, time, tasks, digest, error; without the
    /// fault list and events (a shrunk report shows its own instead).
    pub fn write_header(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "seed:   {:#x}", self.seed)?;
        writeln!(f, "time:   t={} (virtual)", self.at)?;
        writeln!(f, "tasks:  {} alive", self.tasks_alive)?;
        writeln!(f, "digest: {:#018x}", self.digest)?;
        writeln!(f, "error:  {}", self.kind)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_header(f)?;
        if !self.faults.is_empty() {
            writeln!(f, "faults injected ({}):", self.faults.len())?;
            let skip = self.faults.len().saturating_sub(20);
            if skip > 0 {
                writeln!(f, "    ... {skip} earlier")?;
            }
            for e in &self.faults[skip..] {
                writeln!(f, "    {e}")?;
            }
        }
        if let Some(note) = &self.note {
            writeln!(f, "note:   {note}")?;
        }
        if self.recent_events.is_empty() && self.note.is_some() {
            return Ok(());
        }
        writeln!(f, "last {} events:", self.recent_events.len())?;
        for e in &self.recent_events {
            writeln!(f, "    {e}")?;
        }
        Ok(())
    }
}
