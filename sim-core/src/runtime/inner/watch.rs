//! The runtime's side of the long-poll watchdog (`runtime/watchdog.rs`)
//! and the stall monitor's heartbeat: what happens around each poll, and
//! the warning a standalone runtime prints for its unconfirmed suspects.

use std::io::Write as _;

use crate::failure::FailureKind;
use crate::runtime::executor::TaskKey;
use crate::runtime::watchdog::{LongPollWatch, Probe};
use crate::runtime::{RuntimeInner, Suspect, WaitReason};
use crate::task::TaskId;

/// What watches the polls of a run, decided when the runtime is built, so
/// the run loop asks one question per poll before and after it instead
/// of one per watcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PollWatch {
    /// Nothing: no long-poll timing, no heartbeat, no allocation
    /// tracking. A poll is only counted.
    Plain,
    /// The watchdog or the stall monitor's heartbeat, without allocation
    /// tracking (a runner's seed).
    Watched,
    /// The allocation tracker too.
    Tracked,
}

impl PollWatch {
    pub(super) fn new(times_polls: bool, heartbeat: bool, tracks_allocations: bool) -> PollWatch {
        if tracks_allocations {
            PollWatch::Tracked
        } else if times_polls || heartbeat {
            PollWatch::Watched
        } else {
            PollWatch::Plain
        }
    }
}

impl RuntimeInner {
    /// Starts a poll of task `id` as [`PollWatch`] says: its probe, when
    /// the watchdog measures this one. Inlined into the run loop.
    #[inline(always)]
    pub(super) fn open_poll(&self, id: TaskId) -> Option<Probe> {
        match self.poll_watch {
            PollWatch::Plain => {
                self.watchdog.count_poll();
                None
            }
            PollWatch::Watched => self.watch_poll(id),
            PollWatch::Tracked => self.open_tracked_poll(id),
        }
    }

    /// [`RuntimeInner::open_poll`] of a tracking run: out of line.
    #[inline(never)]
    fn open_tracked_poll(&self, id: TaskId) -> Option<Probe> {
        let probe = self.watch_poll(id);
        self.track_poll(id);
        probe
    }

    /// Ends what [`RuntimeInner::open_poll`] started, for the poll of `id`
    /// (slot `key`) that returned (`returned`) or panicked: charges its
    /// allocations, confirms a measured long poll. A poll that panicked
    /// fails the run as a panic, however long it (and its report) took.
    #[inline(always)]
    pub(super) fn close_poll(
        &self,
        probe: Option<Probe>,
        returned: bool,
        key: TaskKey,
        id: TaskId,
    ) {
        if self.poll_watch == PollWatch::Plain {
            return;
        }
        if self.poll_watch == PollWatch::Tracked {
            self.charge_poll(key, id);
        }
        if let Some(probe) = probe {
            if returned {
                self.confirm_poll(probe, key, id);
            }
        }
    }

    /// The watchdog's and the stall monitor's part of starting a poll.
    /// Inlined into the run loop: without a heartbeat or detection, its
    /// path is a few instructions, fewer than a call's own cost.
    #[inline(always)]
    fn watch_poll(&self, id: TaskId) -> Option<Probe> {
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
