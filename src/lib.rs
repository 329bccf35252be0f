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
//! Tests are usually written with [`test`]: `#[detsim::test(seeds = 200,
//! faults = "default")]` on an `async fn` runs it as a sweep with the same
//! reports, shrinking, replay lines and regression files as [`Sim`]. With
//! the `proptest` feature (off by default), `detsim::proptest` has strategies for
//! fault plans and seeds.
//!
//! The same code also runs on the real OS: [`Runtime::os`] drives the same
//! executor with epoll, real sockets and real files, and [`net`] and [`fs`]
//! pick their real implementation on it (no `cfg` involved).
//!
//! This crate re-exports [`sim_core`] (executor, time, randomness, faults,
//! kernel, runner) at its root, the network simulation as [`net`] and the
//! filesystem simulation as [`fs`].

#![deny(missing_docs)]

pub use sim_core::*;
pub use sim_fs as fs;
pub use sim_macros::test;
pub use sim_net as net;
