//! Tasks: spawning, joining, aborting, yielding, and `spawn_blocking`.
//!
//! Tasks run on the runtime's single thread, so their futures need not be
//! `Send`. Which runnable task runs next is the seed's choice, which is how
//! different seeds explore different interleavings.
//!
//! ```
//! use detsim::task;
//!
//! detsim::Runtime::sim(5).block_on(async {
//!     let h = task::Builder::new().name("worker").spawn(async { 7 });
//!     assert_eq!(h.await.unwrap(), 7);
//! });
//! ```

mod blocking;
mod builder;
pub(crate) mod cell;
mod id;
mod join;
mod join_slot;
mod yield_now;

pub use blocking::{BLOCKING_DELAY_MAX, BLOCKING_DELAY_MIN, spawn_blocking};
pub use builder::Builder;
pub use id::{TaskId, id, try_id};
pub use join::{JoinError, JoinHandle};
pub use yield_now::yield_now;

use std::future::Future;

/// Spawns `future` as a new task on the current runtime.
///
/// The task starts running when the scheduler picks it. Dropping the
/// returned [`JoinHandle`] detaches the task; it keeps running.
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    Builder::new().spawn(future)
}
