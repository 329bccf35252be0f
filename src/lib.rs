//! detsim: a deterministic simulation runtime for testing async Rust IO.
//!
//! Run your protocol, storage engine or hand-written futures on a simulated
//! executor and kernel across thousands of seeds; any failure comes back as
//! one seed that replays bit for bit.
//!
//! ```
//! use detsim::{Sim, spawn, time::{sleep, Duration, Instant}};
//!
//! Sim::new().seeds(10).run(|| async {
//!     let start = Instant::now();
//!     let slow = spawn(async { sleep(Duration::from_secs(60)).await; "done" });
//!     assert_eq!(slow.await.unwrap(), "done");
//!     // Virtual time: a minute passed, instantly.
//!     assert_eq!(start.elapsed(), Duration::from_secs(60));
//! });
//! ```
//!
//! This crate re-exports [`sim_core`] (executor, time, randomness, faults,
//! runner); `detsim::net` and `detsim::fs` will re-export the network and
//! filesystem simulations as they land.

#![deny(missing_docs)]

pub use sim_core::*;
