//! A latency range as a device keeps it: its lower bound and its width.

use std::time::Duration;

use crate::kernel::sim::span_nanos;

/// The width of a latency range `min..=max`, computed once, so a device
/// that draws a latency per segment from a fixed range
/// ([`KernelHandle::device_delay_span`](crate::kernel::KernelHandle::device_delay_span))
/// does not subtract the bounds at every draw. The draw is the one
/// [`KernelHandle::device_delay`](crate::kernel::KernelHandle::device_delay)
/// makes over the same range.
///
/// ```
/// use detsim::kernel::{DelaySpan, KernelHandle};
/// use detsim::time::Duration;
///
/// let (min, max) = (Duration::from_micros(10), Duration::from_micros(50));
/// let span = DelaySpan::new(min, max);
/// let draws = |seed| {
///     detsim::Runtime::sim(seed).block_on(async move {
///         let kernel = KernelHandle::current();
///         (0..4).map(|_| kernel.device_delay_span(min, span)).collect::<Vec<_>>()
///     })
/// };
/// let by_range = detsim::Runtime::sim(3).block_on(async move {
///     let kernel = KernelHandle::current();
///     (0..4).map(|_| kernel.device_delay(min, max)).collect::<Vec<_>>()
/// });
/// assert_eq!(draws(3), by_range);
/// assert!(by_range.iter().all(|d| (min..=max).contains(d)));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DelaySpan(u64);

impl DelaySpan {
    /// The width of a range of one value: nothing is drawn.
    pub const ZERO: DelaySpan = DelaySpan(0);

    /// The width of `min..=max` in nanoseconds (saturated; zero when
    /// `max <= min`).
    pub fn new(min: Duration, max: Duration) -> DelaySpan {
        DelaySpan(span_nanos(min, max))
    }

    /// The width in nanoseconds.
    #[inline]
    pub(crate) fn nanos(self) -> u64 {
        self.0
    }
}
