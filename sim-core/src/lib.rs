//! detsim's core: a deterministic single-threaded executor, virtual time,
//! seeded randomness, the kernel boundary and the test runner.
//!
//! Users normally depend on the `detsim` facade crate, which re-exports
//! everything here. A whole test:
//!
//! ```
//! use std::{cell::Cell, rc::Rc};
//! use detsim::{Sim, spawn, task::yield_now};
//!
//! Sim::new().seeds(50).run(|| async {
//!     let counter = Rc::new(Cell::new(0));
//!     let handles: Vec<_> = (0..3)
//!         .map(|_| {
//!             let counter = counter.clone();
//!             spawn(async move {
//!                 yield_now().await;
//!                 counter.set(counter.get() + 1);
//!             })
//!         })
//!         .collect();
//!     for h in handles {
//!         h.await.unwrap();
//!     }
//!     assert_eq!(counter.get(), 3);
//! });
//! ```
//!
//! # Modules
//!
//! - [`task`]: `spawn`, `JoinHandle`, named tasks, `yield_now`.
//! - [`time`]: virtual `Instant`, `sleep`, `timeout`, `interval`.
//! - [`rand`]: the seeded random streams, for the runtime and for user code.
//! - [`sync`]: tokio's locks, semaphore, `Notify`, `Barrier` and channels,
//!   FIFO, and named in deadlock reports.
//! - [`faults`]: fault plans (`Faults`, `Probability`), and the groups of
//!   fault kinds (`FaultGroup`): legal behaviour, which every runtime
//!   injects unless told otherwise (`Faults::legal`), environment faults,
//!   which a test opts in to, and the user's own `buggify!` points.
//! - [`buggify!`]: fault points in your own code, true on some seeds.
//! - [`io`]: simulated devices: `duplex` byte streams, a `BlockDevice`.
//! - [`kernel`]: the executor <-> kernel boundary: the simulated kernel and,
//!   on Linux, the OS kernel (epoll, eventfd, a blocking pool).
//! - [`liveness`]: a phase after which faults end and the run must
//!   recover within a deadline (TigerBeetle's VOPR liveness mode).
//! - [`node`]: the simulated machines tasks run on, and crashing them.
//! - [`trace`]: the event trace and its digest.
//! - [`runtime`]: [`Runtime`]: one seed's simulation, or `Runtime::os()`.
//! - [`runner`]: [`Sim`], sweeps, shrinking, failure reports, replay lines,
//!   regression files, trace files.
//! - [`alloc`]: the optional allocation tracker: bytes per task and per
//!   poll, and a cap on one allocation that fails the run, not the process.
//! - `proptest` (feature `proptest`): strategies for fault plans and seeds.

#![deny(missing_docs)]

pub mod alloc;
pub mod buggify;
mod chunked;
pub mod failure;
pub mod faults;
mod id_table;
pub mod io;
pub mod kernel;
pub mod liveness;
pub mod node;
mod parse;
#[cfg(feature = "proptest")]
pub mod proptest;
pub mod rand;
pub mod runner;
pub mod runtime;
pub mod sync;
pub mod task;
pub mod time;
pub mod trace;

pub use failure::{Failure, FailureKind};
pub use faults::{FaultKind, Faults, Probability};
pub use runner::{Sim, SweepFailure, SweepReport};
pub use runtime::{Config, Runtime, Scheduling};
pub use task::{JoinHandle, spawn};
