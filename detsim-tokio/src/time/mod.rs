//! Time (`tokio::time`): the clock, sleeps, timeouts and intervals.
//!
//! Inside a detsim run they use the run's virtual clock, which jumps to
//! the next deadline when no task can run, so an hour's sleep takes
//! microseconds and a timer fires exactly at its deadline; anywhere else
//! they are tokio's. [`Instant`] wraps a `std::time::Instant` in both
//! worlds (see its module docs for how virtual time maps onto it).
//!
//! Simulated: [`sleep`], [`sleep_until`], [`timeout`], [`timeout_at`],
//! [`interval`], [`interval_at`], [`Instant`], [`Sleep`], [`Timeout`],
//! [`Interval`], [`error::Elapsed`]. Forwarded: [`Duration`] (std's),
//! [`MissedTickBehavior`] and [`error::Error`] (tokio's; plain data).
//!
//! # Divergence from tokio
//!
//! Under detsim, timers due at the same instant wake together and the
//! seeded scheduler picks their order, and no timer fires late unless the
//! fault plan delays the task. tokio's `pause`/`advance`/`resume`
//! (`test-util`) are not provided: the simulation's clock is always
//! virtual.
//!
//! ```
//! use detsim_tokio::time::{sleep, Duration, Instant};
//!
//! detsim::Runtime::sim(1).block_on(async {
//!     let start = Instant::now();
//!     sleep(Duration::from_secs(3600)).await;
//!     assert_eq!(start.elapsed(), Duration::from_secs(3600));
//! });
//! ```

pub mod error;
mod instant;
mod interval;
mod sim_interval;
mod sleep;
mod timeout;

pub use instant::Instant;
pub use interval::{Interval, interval, interval_at};
pub use sleep::{Sleep, sleep, sleep_until};
pub use std::time::Duration;
pub use timeout::{Timeout, timeout, timeout_at};
pub use tokio::time::MissedTickBehavior;
