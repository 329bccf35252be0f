//! The failure block a failing sweep prints.

use std::fmt;
use std::path::PathBuf;

use crate::failure::{Failure, InjectedFault};

/// The first failing seed of a sweep.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SweepFailure {
    /// The failure report.
    pub failure: Failure,
    /// The command line that replays it (`DETSIM_SEED=...`).
    pub replay: String,
    /// The failing run's replay string, the value for `DETSIM_REPLAY`:
    /// the seed (`0x2a`), with the fault decisions pinned for it, and,
    /// under [`Scheduling::Dfs`](crate::Scheduling::Dfs), its preemptions
    /// after an `@` (`0x2a@17.3`).
    pub replay_string: String,
    /// When the run's plan had legal behaviour on ([`Faults::has_legal`]):
    /// the command line that replays it with the legal group switched off
    /// (`DETSIM_LEGAL=0 DETSIM_SEED=...`). If that passes, the code
    /// mishandles something Linux allows (a short read, a spurious wake,
    /// completions out of order); if it fails the same way, the bug is
    /// elsewhere and the quieter run is easier to read.
    ///
    /// [`Faults::has_legal`]: crate::Faults::has_legal
    pub without_legal: Option<String>,
    /// The failing seed's place in the sweep, counted from 1: every seed
    /// before it ran and passed. Seeds past it that other threads ran
    /// before the sweep stopped are not counted, so the figure does not
    /// depend on the host's load.
    pub seeds_run: u64,
    /// The smallest fault schedule that still fails the same way, when the
    /// run injected faults and shrinking was on.
    pub shrunk: Option<Shrunk>,
    /// The seed's fault plan as swarm mode drew it.
    pub swarm_plan: Option<String>,
    /// Where `DETSIM_TRACE` wrote the run's Chrome trace.
    pub trace_file: Option<PathBuf>,
    /// The regression file the seed was saved to (by `run`, not `try_run`).
    pub regression_file: Option<PathBuf>,
    /// Where the failing run came from, when not the sweep (a regression
    /// file, `DETSIM_REPLAY`).
    pub source: Option<String>,
}

/// A failing run's fault schedule after shrinking.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Shrunk {
    /// The replay string: the seed and the kept fault occurrences
    /// (e.g. `0x2a:pw3/8`), the value for `DETSIM_REPLAY`.
    pub replay_string: String,
    /// The command line that replays the shrunk schedule.
    pub replay: String,
    /// The kept faults, oldest first; the report lists each with its
    /// occurrence ([`InjectedFault::with_occurrence`]), e.g.
    /// `t=12.004ms partial_write#3 on tcp#3 (5)`.
    pub faults: Vec<InjectedFault>,
    /// How many faults the original run injected.
    pub injected: usize,
    /// Under [`Scheduling::Dfs`](crate::Scheduling::Dfs): how many of the
    /// schedule's preemptions the shrunk run keeps, and of how many.
    pub preemptions: Option<(usize, usize)>,
    /// Re-runs the shrinker made.
    pub runs: u32,
    /// Whether shrinking finished (it stops at its budget otherwise, with
    /// the smallest schedule found so far).
    pub complete: bool,
    /// The shrunk run's own report (its last events make the timeline).
    pub failure: Failure,
}

impl fmt::Display for SweepFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = "=".repeat(72);
        writeln!(f, "{rule}")?;
        write!(f, "detsim: seed {:#x} failed", self.failure.seed)?;
        match &self.source {
            Some(source) => writeln!(f, " ({source})")?,
            None => writeln!(f, " (after {} seeds run)", self.seeds_run)?,
        }
        match &self.shrunk {
            // The shrunk run's faults and timeline below supersede the
            // original run's: show only what failed.
            Some(_) => self.failure.write_header(f)?,
            None => write!(f, "{}", self.failure)?,
        }
        if let Some(plan) = &self.swarm_plan {
            writeln!(f, "swarm plan: {plan}")?;
        }
        if let Some(s) = &self.shrunk {
            let (n, of) = (s.faults.len(), s.injected);
            let status = if s.complete {
                "minimal"
            } else {
                "budget ran out; smallest found"
            };
            if let Some((kept, of)) = s.preemptions {
                writeln!(
                    f,
                    "shrunk: {kept} of {of} preemptions still fail the same way ({} re-runs)",
                    s.runs
                )?;
            }
            if of > 0 || s.preemptions.is_none() {
                writeln!(
                    f,
                    "shrunk: {n} of {of} injected faults still fail the same way ({status}, {} re-runs):",
                    s.runs
                )?;
            }
            for fault in &s.faults {
                writeln!(f, "    {}", fault.with_occurrence())?;
            }
            writeln!(
                f,
                "timeline of the shrunk run (its last {} events):",
                s.failure.recent_events.len()
            )?;
            for e in &s.failure.recent_events {
                writeln!(f, "    {e}")?;
            }
        }
        writeln!(f, "replay: {}", self.replay)?;
        if let Some(s) = &self.shrunk {
            writeln!(f, "replay shrunk: {}", s.replay)?;
        }
        if let Some(line) = &self.without_legal {
            writeln!(f, "replay without legal behaviour: {line}")?;
        }
        if let Some(path) = &self.trace_file {
            writeln!(
                f,
                "trace: {} (Chrome Trace Event JSON: open in ui.perfetto.dev or chrome://tracing)",
                path.display()
            )?;
        }
        if let Some(path) = &self.regression_file {
            writeln!(
                f,
                "regression: saved to {} (commit it: it is replayed first on every run)",
                path.display()
            )?;
        }
        write!(f, "{rule}")
    }
}
