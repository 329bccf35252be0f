//! The simulated `Interval`: ticks on a detsim run's virtual clock.
//!
//! It follows tokio's rules for ticks: the first at the start instant,
//! then one per period; a tick observed more than 5 ms late counts as
//! missed, and the [`MissedTickBehavior`] decides the next deadline
//! (`Burst`: catch up at once, `Delay`: a period after now, `Skip`: the
//! next multiple of the period after now). Virtual time never runs late
//! by itself, so ticks are missed only when the task does not poll in
//! time (it was busy awaiting something else).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use detsim::time::{Instant, Sleep};

use crate::time::MissedTickBehavior;

/// How late a tick may be seen before it counts as missed (tokio's rule).
const LATE_AFTER: Duration = Duration::from_millis(5);

/// An interval on the simulation's clock.
#[derive(Debug)]
pub(crate) struct SimInterval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl SimInterval {
    #[track_caller]
    pub(crate) fn new(start: Instant, period: Duration) -> SimInterval {
        SimInterval {
            delay: detsim::time::sleep_until(start),
            period,
            missed_tick_behavior: MissedTickBehavior::Burst,
        }
    }

    pub(crate) fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.delay).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let tick = self.delay.deadline();
        let now = Instant::now();
        let next = if now > later(tick, LATE_AFTER) {
            self.after_missed(tick, now)
        } else {
            later(tick, self.period)
        };
        self.delay.reset(next);
        Poll::Ready(tick)
    }

    /// The next deadline after a tick due at `tick` was seen at `now`.
    fn after_missed(&self, tick: Instant, now: Instant) -> Instant {
        match self.missed_tick_behavior {
            MissedTickBehavior::Burst => later(tick, self.period),
            MissedTickBehavior::Delay => later(now, self.period),
            MissedTickBehavior::Skip => {
                let period = self.period.as_nanos();
                let behind = now.duration_since(tick).as_nanos() % period;
                let to_next = u64::try_from(period - behind).unwrap_or(u64::MAX);
                later(now, Duration::from_nanos(to_next))
            }
        }
    }

    pub(crate) fn reset_at(&mut self, deadline: Instant) {
        self.delay.reset(deadline);
    }

    pub(crate) fn period(&self) -> Duration {
        self.period
    }

    pub(crate) fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    pub(crate) fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }
}

/// `at + d`, saturating far in the future.
pub(crate) fn later(at: Instant, d: Duration) -> Instant {
    at.checked_add(d)
        .unwrap_or(Instant::ZERO + Duration::from_nanos(u64::MAX))
}
