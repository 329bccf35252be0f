//! The simulated kernel: virtual time, seeded action order, and the
//! device stream.
//!
//! Parking jumps the virtual clock to the earliest timer or scheduled
//! action (`Kernel::park`); nothing else moves time. Actions due at the
//! same instant run in an order drawn from the run's delivery stream when
//! they are scheduled, as several Linux timers or packets due together
//! arrive in an unspecified order. Simulated devices draw their latencies from the
//! device stream. The readiness sources and completions the devices drive
//! are shared with the OS kernel (see the [module docs](crate::kernel)).
//!
//! # Divergence from Linux
//!
//! Time stands still while tasks run: a poll takes no virtual time, so only
//! sleeps, timeouts and device latencies move the clock.

use std::cell::RefCell;
use std::time::Duration;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::rand::Stream;

/// The simulated kernel's own state. See the module docs.
pub(crate) struct SimKernel {
    delivery_rng: RefCell<ChaCha8Rng>,
    device_rng: RefCell<ChaCha8Rng>,
}

impl SimKernel {
    pub(crate) fn new(seed: u64) -> SimKernel {
        SimKernel {
            delivery_rng: RefCell::new(Stream::Delivery.rng(seed)),
            device_rng: RefCell::new(Stream::Devices.rng(seed)),
        }
    }

    /// The tie-break of an action being scheduled: its place among the
    /// actions due at the same instant.
    pub(crate) fn tie_break(&self) -> u64 {
        self.delivery_rng.borrow_mut().random()
    }

    /// A duration in `min..=max` from the device stream (`min < max`).
    pub(crate) fn device_delay(&self, min: Duration, max: Duration) -> Duration {
        let span = u64::try_from((max - min).as_nanos()).unwrap_or(u64::MAX);
        min + Duration::from_nanos(self.device_rng.borrow_mut().random_range(0..=span))
    }
}
