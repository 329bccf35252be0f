//! The long-poll watchdog: the one place the simulation reads host time.
//!
//! A poll that computes for long without yielding starves every other task
//! on the single thread. The watchdog measures each poll on the host clock
//! and reports the task when a poll exceeds the budget. Host time never
//! feeds a simulation decision: it only decides whether to report.

use std::time::{Duration, Instant};

#[derive(Clone, Copy)]
pub(crate) struct Watchdog {
    budget: Option<Duration>,
}

pub(crate) struct PollTimer(Option<Instant>);

impl Watchdog {
    pub(crate) fn new(budget: Option<Duration>) -> Watchdog {
        Watchdog {
            budget: budget.filter(|b| !b.is_zero()),
        }
    }

    pub(crate) fn start(self) -> PollTimer {
        PollTimer(self.budget.map(|_| Instant::now()))
    }

    /// The poll's host duration, if it exceeded the budget.
    pub(crate) fn exceeded(self, timer: PollTimer) -> Option<(Duration, Duration)> {
        let (budget, start) = (self.budget?, timer.0?);
        let took = start.elapsed();
        (took > budget).then_some((took, budget))
    }
}
