//! The runtime's side of the long-poll watchdog (`runtime/watchdog.rs`)
//! and the stall monitor's heartbeat: what happens around each poll, and
//! the warning a standalone runtime prints for its unconfirmed suspects.

use std::io::Write as _;

use crate::failure::FailureKind;
use crate::runtime::executor::TaskKey;
use crate::runtime::watchdog::{LongPollWatch, Probe};
use crate::runtime::{RuntimeInner, Suspect, WaitReason};
use crate::task::TaskId;

impl RuntimeInner {
    /// The watchdog's and the stall monitor's part of starting a poll.
    /// Inlined into the run loop: without a heartbeat or detection, its
    /// path is a few instructions, fewer than a call's own cost.
    #[inline(always)]
    pub(super) fn watch_poll(&self, id: TaskId) -> Option<Probe> {
        let probe = self.watchdog.before_poll(id);
        if let Some(heartbeat) = &self.config.heartbeat {
            if let Some(at) = self.exec.location(id) {
                heartbeat.beat(self.watchdog.polls(), id, at);
            }
        }
        probe
    }

    /// After an armed poll: fails the run if it was over budget.
    #[cold]
    pub(super) fn confirm_poll(&self, probe: Probe, key: TaskKey, id: TaskId) {
        if let Some(took) = self.watchdog.after_armed_poll(probe, id) {
            self.fail(FailureKind::LongPoll {
                task: self.task_desc(id),
                poll: self.watchdog.polls(),
                took,
                budget: self.watchdog.budget(),
                resumed: resumed_from(self.exec.waited(key).as_ref()),
            });
        }
    }

    /// A standalone runtime's unconfirmed long polls: one warning line each.
    pub(super) fn warn_long_polls(&self) {
        if *self.watchdog.watch() != LongPollWatch::Warn {
            return;
        }
        let budget = self.watchdog.budget();
        // Suspects within a coarse tick under the budget: not worth a line.
        for s in self
            .watchdog
            .found()
            .into_iter()
            .filter(|s| s.took > budget)
        {
            // Past the test harness's capture: a passing test's warning
            // is still seen.
            let _ = writeln!(
                std::io::stderr(),
                "detsim: warning: {} (seed {:#x}, poll #{}) ran {:.1?} of host time in one poll \
                 (budget {:?}); not confirmed, as a standalone Runtime cannot re-run it \
                 (Sim re-runs the seed to confirm)",
                self.task_desc(s.task),
                self.seed,
                s.poll,
                s.took,
                self.watchdog.budget()
            );
        }
    }

    /// The long polls the watchdog suspected (or measured, when confirming).
    pub(crate) fn long_poll_suspects(&self) -> Vec<Suspect> {
        self.watchdog.found()
    }
}

/// What a poll resumed from, as a report says it: what the task waited on
/// before it (`waited`), or that nothing was noted.
pub(super) fn resumed_from(waited: Option<&WaitReason>) -> String {
    match waited {
        Some(reason) => format!("after waiting on {reason}"),
        None => "with no wait noted before it (the task's first poll, or a wake from a future \
                 detsim cannot see)"
            .to_string(),
    }
}
