//! `interval`, `interval_at` and `Interval`: periodic ticks in either
//! world (tokio's interval, or [`SimInterval`] on the virtual clock).

use std::future::poll_fn;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::time::sim_interval::{SimInterval, later};
use crate::time::{Instant, MissedTickBehavior};
use crate::world::in_detsim;

/// Ticks every `period`, the first tick at once (`tokio::time::interval`).
///
/// ```
/// use detsim_tokio::time::{interval, Duration, Instant};
///
/// detsim::Runtime::sim(0).block_on(async {
///     let start = Instant::now();
///     let mut every = interval(Duration::from_millis(10));
///     for n in 0..3 {
///         assert_eq!(every.tick().await - start, Duration::from_millis(10 * n));
///     }
/// });
/// ```
///
/// # Panics
///
/// If `period` is zero; under tokio, outside a tokio runtime.
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert_period(period);
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`
/// (`tokio::time::interval_at`).
///
/// # Panics
///
/// If `period` is zero; under tokio, outside a tokio runtime.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert_period(period);
    if in_detsim() {
        Interval(Repr::Sim(SimInterval::new(start.to_sim(), period)))
    } else {
        Interval(Repr::Tokio(tokio::time::interval_at(
            start.to_tokio(),
            period,
        )))
    }
}

#[track_caller]
fn assert_period(period: Duration) {
    assert!(period > Duration::ZERO, "`period` must be non-zero.");
}

/// Periodic ticks (`tokio::time::Interval`), made by [`interval`] and
/// [`interval_at`]. `Unpin`, `Send` and `Sync`, like tokio's.
#[derive(Debug)]
pub struct Interval(Repr);

#[derive(Debug)]
enum Repr {
    Tokio(tokio::time::Interval),
    Sim(SimInterval),
}

impl Interval {
    /// Waits for the next tick and returns the instant it was due.
    /// Cancel-safe.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick.
    ///
    /// # Panics
    ///
    /// A simulated interval outside its run; a tokio interval that would
    /// wait inside a detsim run (no tokio timer runs there).
    #[track_caller]
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        match &mut self.0 {
            Repr::Tokio(i) => {
                let poll = i.poll_tick(cx).map(Instant::from_tokio);
                if poll.is_pending() && in_detsim() {
                    panic!(
                        "a tokio::time::Interval created outside the detsim run was ticked \
                         inside it, where no tokio timer runs; create the interval inside the run"
                    );
                }
                poll
            }
            Repr::Sim(i) => i.poll_tick(cx).map(Instant::from_sim),
        }
    }

    /// Restarts the interval: the next tick is one period from now.
    pub fn reset(&mut self) {
        match &mut self.0 {
            Repr::Tokio(i) => i.reset(),
            Repr::Sim(i) => i.reset_at(later(detsim::time::Instant::now(), i.period())),
        }
    }

    /// The next tick is due now.
    pub fn reset_immediately(&mut self) {
        match &mut self.0 {
            Repr::Tokio(i) => i.reset_immediately(),
            Repr::Sim(i) => i.reset_at(detsim::time::Instant::now()),
        }
    }

    /// The next tick is due `after` from now.
    pub fn reset_after(&mut self, after: Duration) {
        match &mut self.0 {
            Repr::Tokio(i) => i.reset_after(after),
            Repr::Sim(i) => i.reset_at(later(detsim::time::Instant::now(), after)),
        }
    }

    /// The next tick is due at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        match &mut self.0 {
            Repr::Tokio(i) => i.reset_at(deadline.to_tokio()),
            Repr::Sim(i) => i.reset_at(deadline.to_sim()),
        }
    }

    /// What happens to ticks the task was too busy to see.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        match &self.0 {
            Repr::Tokio(i) => i.missed_tick_behavior(),
            Repr::Sim(i) => i.missed_tick_behavior(),
        }
    }

    /// Sets what happens to missed ticks (default: `Burst`).
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        match &mut self.0 {
            Repr::Tokio(i) => i.set_missed_tick_behavior(behavior),
            Repr::Sim(i) => i.set_missed_tick_behavior(behavior),
        }
    }

    /// The period between ticks.
    pub fn period(&self) -> Duration {
        match &self.0 {
            Repr::Tokio(i) => i.period(),
            Repr::Sim(i) => i.period(),
        }
    }
}
