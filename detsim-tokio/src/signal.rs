//! Signals (`tokio::signal`): only [`ctrl_c`].
//!
//! # Divergence from tokio
//!
//! A simulated process receives no signals: inside a detsim run,
//! `ctrl_c()` never resolves. A service that selects on it next to its
//! real work (the usual graceful-shutdown shape) runs unchanged; one that
//! only waits for it waits forever, and the run reports it stuck. To
//! test shutdown, give the service another trigger (a channel, a
//! `Notify`) that the test fires. `tokio::signal::unix` and `windows` are
//! missing: the simulation has no signal to deliver.

use std::io;

use crate::world::in_detsim;

/// Completes when the process receives ctrl-c (`tokio::signal::ctrl_c`);
/// inside a detsim run, never.
///
/// ```
/// use detsim_tokio::time::{sleep, Duration};
///
/// detsim::Runtime::sim(1).block_on(async {
///     let finished = futures::future::select(
///         Box::pin(detsim_tokio::signal::ctrl_c()),
///         Box::pin(sleep(Duration::from_secs(1))),
///     )
///     .await;
///     assert!(matches!(finished, futures::future::Either::Right(_)));
/// });
/// ```
///
/// # Errors
///
/// tokio's, outside a run (the handler could not be installed).
pub async fn ctrl_c() -> io::Result<()> {
    if in_detsim() {
        std::future::pending::<()>().await;
    }
    tokio::signal::ctrl_c().await
}
