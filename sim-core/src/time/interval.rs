use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::time::{Instant, Sleep, sleep_until};

/// Ticks every `period`, the first tick completing immediately.
///
/// Missed ticks (the task was busy past several periods) are delivered at
/// once, one per call, as tokio's default `MissedTickBehavior::Burst` does.
///
/// ```
/// use detsim::time::{interval, Duration, Instant};
///
/// detsim::Runtime::sim(0).block_on(async {
///     let mut every = interval(Duration::from_millis(10));
///     for expected in [0, 10, 20] {
///         let t = every.tick().await;
///         assert_eq!(t.since_start(), Duration::from_millis(expected));
///     }
/// });
/// ```
///
/// # Panics
///
/// If `period` is zero, or outside a detsim runtime.
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// If `period` is zero, or outside a detsim runtime.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "detsim::time::interval: the period must be greater than zero"
    );
    Interval {
        delay: Box::pin(sleep_until(start)),
        next: start,
        period,
    }
}

/// Stream of ticks returned by [`interval`].
#[derive(Debug)]
pub struct Interval {
    delay: Pin<Box<Sleep>>,
    next: Instant,
    period: Duration,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled instant.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if self.delay.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let tick = self.next;
        self.next = tick.saturating_add(self.period);
        self.delay.as_mut().reset(self.next);
        Poll::Ready(tick)
    }

    /// The period between ticks.
    pub fn period(&self) -> Duration {
        self.period
    }
}
