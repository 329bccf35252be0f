//! tokio's API, run by detsim inside a simulation and by tokio everywhere
//! else.
//!
//! A service makes this crate its `tokio` in `Cargo.toml`, as a normal
//! dependency, and keeps its source as it is:
//!
//! ```toml
//! [dependencies]
//! tokio = { package = "detsim-tokio", version = "0.1", features = ["full"] }
//! ```
//!
//! Outside a detsim runtime (a production binary on `#[tokio::main]`, a
//! `#[tokio::test]`), every item forwards to the real tokio. Inside one
//! (`detsim::Sim`, `#[detsim::test]`) the same items run on detsim: its
//! seeded executor, virtual time, simulated network and disks, and its
//! fault plan. The choice is made at each call, so there is no cfg flag
//! and nothing to rebuild.
//!
//! All of tokio's feature names are accepted (so an existing feature list
//! keeps working); the items they gate are always built.
//!
//! ```
//! use detsim_tokio::time::{sleep, Duration, Instant};
//!
//! // The same code, on the simulation: virtual time, seeded scheduling.
//! detsim::Sim::new().seeds(10).run(|| async {
//!     let start = Instant::now();
//!     let task = detsim_tokio::spawn(async { sleep(Duration::from_secs(60)).await });
//!     task.await.unwrap();
//!     assert_eq!(start.elapsed(), Duration::from_secs(60));
//! });
//! ```
//!
//! # Modules
//!
//! - [`task`] and [`spawn`]: tasks, join handles, `JoinSet`, `LocalSet`.
//! - [`time`]: `Instant` (virtual under detsim), sleeps, timeouts,
//!   intervals.
//! - [`runtime`]: tokio's `Builder` and `Runtime` (refused inside a
//!   run), and `Handle`, which inside a run is the run.
//! - [`signal`]: `ctrl_c`, which never fires in a simulation.
//! - [`main`], [`test`]: tokio-macros' attributes over this crate.

#![deny(missing_docs)]

mod either;
pub mod fs;
pub mod io;
mod macros;
pub mod net;
pub mod parity;
pub mod sync;
mod world;

pub mod runtime;
pub mod signal;
pub mod task;
pub mod time;

#[doc(hidden)]
pub use macros::__private;
pub use macros::{join, pin, try_join};
pub use task::spawn;
/// Forwarded: tokio's `task_local!` needs no runtime (its values travel
/// with the future, in both worlds).
pub use tokio::task_local;
/// `#[tokio::main]`: tokio-macros' attribute, which builds this crate's
/// [`runtime::Builder`] and blocks on the body (a production binary runs
/// on real tokio).
pub use tokio_macros::main;
/// `#[tokio::test]`: tokio-macros' attribute, on this crate's
/// [`runtime::Builder`] (a real tokio runtime; use `#[detsim::test]` to
/// run the same code in the simulation).
pub use tokio_macros::test;
