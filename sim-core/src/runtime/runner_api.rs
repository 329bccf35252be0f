//! What the runner asks of a runtime, besides running it: switches set
//! before the run, and what the run left behind, read after it (payload
//! notes, long-poll suspects, fault counts, task names).
//!
//! The runner holds the [`Runtime`] it built and calls these from outside
//! the run; it never reaches into the thread-local context for the
//! runtime's state.

use crate::failure::TaskDesc;
use crate::faults::FaultKind;
use crate::runtime::{Runtime, Suspect};
use crate::task::TaskId;
use crate::trace::{EventKind, PayloadNote};

impl Runtime {
    /// Folds the payload bytes of every simulated write into the digest
    /// and keeps a note per write (`DETSIM_CHECK_DETERMINISM=bytes`). Call
    /// before the run.
    pub(crate) fn digest_payloads(&self) {
        self.inner.trace.digest_payloads();
    }

    /// The payload notes, when [`Runtime::digest_payloads`] was on.
    pub(crate) fn take_payloads(&self) -> Option<Vec<PayloadNote>> {
        self.inner.trace.take_payloads()
    }

    /// The polls the watchdog suspected of running over budget (or, in a
    /// confirming run, the armed polls as measured), with their tasks.
    pub(crate) fn long_polls(&self) -> Vec<(Suspect, TaskDesc)> {
        self.inner
            .long_poll_suspects()
            .into_iter()
            .map(|s| (s, self.inner.task_desc(s.task)))
            .collect()
    }

    /// The task `id` as reports name it.
    pub(crate) fn task_desc(&self, id: TaskId) -> TaskDesc {
        self.inner.task_desc(id)
    }

    /// Scheduling choices made under PCT so far (a PCT horizon).
    pub(crate) fn scheduling_steps(&self) -> u64 {
        self.inner.scheduler.steps()
    }

    /// Under [`Scheduling::Dfs`](crate::Scheduling::Dfs): the runnable
    /// tasks at each scheduling choice (taken: call once, after the run).
    pub(crate) fn scheduling_options(&self) -> Vec<u32> {
        self.inner.scheduler.take_options()
    }

    /// Hits per fault kind, suppressed ones included (indexed like
    /// [`FaultKind::ALL`]): a replay schedule's horizon.
    pub(crate) fn fault_hits(&self) -> Vec<u64> {
        self.inner.faults.hits()
    }

    /// Every injected fault as (kind, occurrence), in order, from the
    /// trace's fault events; `None` when there were more than the trace
    /// keeps.
    pub(crate) fn injected_faults(&self) -> Option<Vec<(FaultKind, u64)>> {
        let trace = &self.inner.trace;
        if !trace.faults_complete() {
            return None;
        }
        let faults = trace.faults();
        let injected = faults.iter().filter_map(|e| match e.kind {
            EventKind::Fault {
                kind, occurrence, ..
            } => Some((kind, occurrence)),
            _ => None,
        });
        Some(injected.collect())
    }
}
