//! Time: the runtime's clock, sleeps, timeouts and intervals.
//!
//! Under the simulation the clock is virtual: it starts at zero and moves
//! only when no task can run, jumping straight to the next timer deadline or
//! kernel event. A test that sleeps for an hour finishes in microseconds, and
//! a timer always fires exactly at its deadline. On the OS backend the same
//! types read the real monotonic clock.
//!
//! ```
//! use detsim::time::{sleep, timeout, Duration, Instant};
//!
//! detsim::Runtime::sim(1).block_on(async {
//!     let start = Instant::now();
//!     sleep(Duration::from_secs(3600)).await;
//!     assert_eq!(start.elapsed(), Duration::from_secs(3600));
//!
//!     let slow = sleep(Duration::from_secs(10));
//!     assert!(timeout(Duration::from_secs(1), slow).await.is_err());
//! });
//! ```
//!
//! # Divergence from Linux
//!
//! `CLOCK_MONOTONIC` never goes backwards and timers fire at or after their
//! deadline; the simulation keeps both promises but never fires late (there
//! is no scheduling latency unless a fault plan adds it). Timers due at the
//! same instant become runnable together, and the seeded scheduler picks
//! their order.

mod instant;
mod interval;
mod sleep;
mod timeout;
pub(crate) mod timers;
pub(crate) mod wheel;
mod wheel_due;
mod wheel_nodes;

pub use instant::Instant;
pub use interval::{Interval, interval, interval_at};
pub use sleep::{Sleep, sleep, sleep_until};
pub use std::time::Duration;
pub use timeout::{Elapsed, Timeout, timeout};
