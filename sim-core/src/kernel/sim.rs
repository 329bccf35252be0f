//! The simulated kernel: virtual time, seeded action order, and the
//! device stream.
//!
//! Parking jumps the virtual clock to the earliest timer or scheduled
//! action (`Kernel::park`); nothing else moves time. Actions due at the
//! same instant run in an order drawn from the run's delivery stream when
//! they are scheduled, as several Linux timers or packets due together
//! arrive in an unspecified order. Simulated devices draw their latencies from the
//! device stream. Both are counter-based streams
//! (`rand::CounterRng`), not ChaCha: there is a draw per scheduled
//! action and per segment, and a few instructions each is what keeps
//! the tie-break affordable where no other action happens to be due at
//! the same instant. The readiness sources and completions the devices drive
//! are shared with the OS kernel (see the [module docs](crate::kernel)).
//!
//! # Divergence from Linux
//!
//! Time stands still while tasks run: a poll takes no virtual time, so only
//! sleeps, timeouts and device latencies move the clock.

use std::cell::Cell;
use std::time::Duration;

use crate::rand::{CounterRng, Stream};

/// The simulated kernel's own state. See the module docs.
pub(crate) struct SimKernel {
    delivery: Cell<CounterRng>,
    devices: Cell<CounterRng>,
}

impl SimKernel {
    pub(crate) fn new(seed: u64) -> SimKernel {
        SimKernel {
            delivery: Cell::new(CounterRng::new(Stream::Delivery, seed)),
            devices: Cell::new(CounterRng::new(Stream::Devices, seed)),
        }
    }

    /// The tie-break of an action being scheduled: its place among the
    /// actions due at the same instant.
    #[inline]
    pub(crate) fn tie_break(&self) -> u64 {
        let mut rng = self.delivery.get();
        let tie = rng.next_u64();
        self.delivery.set(rng);
        tie
    }

    /// A duration in `min..=max` from the device stream (`min < max`).
    pub(crate) fn device_delay(&self, min: Duration, max: Duration) -> Duration {
        self.device_delay_span(min, span_nanos(min, max))
    }

    /// A duration in `min..=min + span` nanoseconds from the device
    /// stream (`span > 0`): [`SimKernel::device_delay`]'s draw.
    #[inline]
    pub(crate) fn device_delay_span(&self, min: Duration, span: u64) -> Duration {
        let mut rng = self.devices.get();
        let drawn = rng.up_to(span);
        self.devices.set(rng);
        min + Duration::from_nanos(drawn)
    }
}

/// The width of `min..=max` in nanoseconds, saturated to `u64` (zero when
/// `max <= min`): what a device draws its latency over.
pub(crate) fn span_nanos(min: Duration, max: Duration) -> u64 {
    if max <= min {
        return 0;
    }
    u64::try_from((max - min).as_nanos()).unwrap_or(u64::MAX)
}
