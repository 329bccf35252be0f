//! `spawn_blocking` under the simulation.
//!
//! Real runtimes run blocking closures (file IO, compression, a DNS
//! lookup) on a pool of threads so they do not stall the executor. The
//! simulation has one thread and must stay deterministic, so the closure
//! runs inline, on the simulation thread, at a seeded virtual time: after a
//! delay drawn from the device stream (see [`BLOCKING_DELAY_MIN`] and
//! [`BLOCKING_DELAY_MAX`]), as if a pool thread picked it up then. It must
//! not block on the simulation itself (wait for another task, a channel, a
//! simulated socket): nothing else runs while it does, so that is a
//! deadlock the runtime cannot even report.
//!
//! # Divergence from a thread pool
//!
//! The closure takes no virtual time to run (its host time counts against
//! the long-poll budget, like any poll), several blocking closures never
//! run in parallel, and the pool has no size limit.

use std::time::Duration;

use crate::kernel::KernelHandle;
use crate::task::{Builder, JoinHandle};

/// The shortest virtual delay before a blocking closure runs.
pub const BLOCKING_DELAY_MIN: Duration = Duration::from_micros(5);

/// The longest virtual delay before a blocking closure runs.
pub const BLOCKING_DELAY_MAX: Duration = Duration::from_micros(500);

/// Runs `f` as if on a blocking thread pool and returns a handle to its
/// result.
///
/// On the OS runtime the closure runs on the blocking pool's threads.
/// Under the simulation it runs inline, on the simulation thread,
/// at a seeded virtual time (between [`BLOCKING_DELAY_MIN`] and
/// [`BLOCKING_DELAY_MAX`] after the call); it must not block on the
/// simulation itself. The bounds are `tokio::task::spawn_blocking`'s, so
/// code written for a real pool compiles unchanged.
///
/// ```
/// use detsim::task::spawn_blocking;
/// use detsim::time::Instant;
///
/// detsim::Runtime::sim(3).block_on(async {
///     let start = Instant::now();
///     let sum = spawn_blocking(|| (1..=10u64).sum::<u64>()).await.unwrap();
///     assert_eq!(sum, 55);
///     assert!(start.elapsed() >= detsim::task::BLOCKING_DELAY_MIN);
/// });
/// ```
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let kernel = KernelHandle::current();
    // Zero on the OS runtime, whose pool threads are real.
    let delay = kernel.pickup_delay(BLOCKING_DELAY_MIN, BLOCKING_DELAY_MAX);
    kernel.trace(
        crate::kernel::ResourceId::NONE,
        "spawn_blocking",
        delay.as_nanos() as i64,
    );
    Builder::new().name("spawn_blocking").spawn(async move {
        if !delay.is_zero() {
            crate::time::sleep(delay).await;
        }
        kernel.run_blocking(f).await
    })
}
