//! The runtime (`tokio::runtime`): building tokio runtimes, and handles to
//! the current runtime, tokio's or a detsim run's.
//!
//! Simulated: [`Handle`] (inside a detsim run, `Handle::current()` is the
//! run), [`EnterGuard`]. Dispatching: [`Builder`] and [`Runtime`] are
//! tokio's, except that building one inside a detsim run is an error that
//! says to spawn onto the run instead. Forwarded: [`TryCurrentError`],
//! [`RuntimeFlavor`], [`LocalRuntime`], [`LocalOptions`],
//! [`is_rt_shutdown_err`], and `UnhandledPanic` under `tokio_unstable`.
//!
//! Missing (tokio's metrics, ids and names of runtimes, task dumps, and
//! the unstable hooks): the simulation has no equivalent, and forwarding
//! them would answer about a runtime that is not the one running the
//! code.
//!
//! # Divergence from tokio
//!
//! A detsim run is one thread: its `Handle` reports `CurrentThread` and
//! works only on that thread, during that run.

mod builder;
mod handle;
#[allow(clippy::module_inception)] // tokio's own layout: runtime::runtime::Runtime
mod runtime;

pub use builder::Builder;
pub use handle::{EnterGuard, Handle, RuntimeFlavor, TryCurrentError};
pub use runtime::Runtime;
pub(crate) use runtime::block_on_in_detsim;
#[cfg(tokio_unstable)]
pub use tokio::runtime::UnhandledPanic;
pub use tokio::runtime::{LocalOptions, LocalRuntime, is_rt_shutdown_err};
