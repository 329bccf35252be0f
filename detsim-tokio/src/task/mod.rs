//! Tasks (`tokio::task`): spawning, joining, aborting, task sets and ids.
//!
//! Every function chooses its world when called: inside a detsim runtime
//! the task runs on the simulation (seeded scheduling, named in reports),
//! anywhere else on tokio. Handles remember their world.
//!
//! Simulated: [`spawn`](crate::spawn), [`spawn_local`], [`spawn_blocking`],
//! [`block_in_place`], [`yield_now`], [`JoinHandle`], [`AbortHandle`],
//! [`JoinError`], [`Id`], [`id`], [`try_id`], [`JoinSet`] (deterministic
//! completion order under detsim), [`LocalSet`] (a no-op frame under
//! detsim; see its module docs).
//! Forwarded unchanged from tokio (they need no runtime): [`LocalKey`] (and
//! `task_local!` at the crate root), [`unconstrained`], [`Unconstrained`],
//! [`futures::TaskLocalFuture`], [`LocalEnterGuard`].
//!
//! Missing: `join_set::Builder` (tokio_unstable), `task::Builder`
//! (tokio_unstable), `consume_budget`/`coop` (tokio's budget does not
//! exist under detsim).

mod id;
mod join_error;
mod join_handle;
mod join_set;
mod local_set;
mod spawn;

pub use crate::task::spawn::{block_in_place, spawn_blocking, spawn_local, yield_now};
pub use id::{Id, id, try_id};
pub use join_error::JoinError;
pub use join_handle::{AbortHandle, JoinHandle};
pub use join_set::JoinSet;
pub use local_set::{LocalEnterGuard, LocalSet};
pub use spawn::spawn;
pub use tokio::task::{LocalKey, Unconstrained, futures, unconstrained};
