//! tokio's `sync`: `detsim::sync` in both worlds.
//!
//! detsim's primitives need no runtime (each is an `Arc` of its state), are
//! `Send`/`Sync` where tokio's are, may be made outside a run and used
//! inside, and are deterministic: every waiter queue is FIFO by first
//! poll, with no random choice (tokio's `watch` parks waiters in one of
//! eight `Notify`s picked by its thread-local RNG once its `rt` feature is
//! on, which the issue measured changing the digest on 400 of 400
//! seeds). Inside a simulation a deadlock report names each primitive a
//! task waits on, its holders and the other ends' last users. Outside,
//! they serve tokio tasks as tokio's would (a `std` mutex guards each
//! state, never held while user code runs).
//!
//! # Parity with tokio
//!
//! Simulated (detsim's): `Mutex`, `MutexGuard`, `OwnedMutexGuard`,
//! `RwLock` and its read/write guards (owned too), `Semaphore`,
//! `SemaphorePermit`, `OwnedSemaphorePermit`, `Notify`,
//! `futures::{Notified, OwnedNotified}`, `Barrier`, `BarrierWaitResult`,
//! `AcquireError`, `TryAcquireError`, `TryLockError`, and the channels
//! `mpsc` (bounded and unbounded, `Permit`, `OwnedPermit`), `oneshot`,
//! `watch` (`Ref`), `broadcast`, each with its `error` module.
//!
//! Forwarded (real tokio's; they need no runtime and make no random
//! choice, but a deadlock report cannot see inside them): `OnceCell`,
//! `SetError`, `SetOnce`, `SetOnceError`.
//!
//! Missing (compile errors): the `const_new` constructors, `blocking_*`
//! methods, mapped guards (`MappedMutexGuard`, `OwnedMappedMutexGuard`,
//! `RwLockMappedWriteGuard`, `OwnedRwLockMappedWriteGuard`), weak senders
//! (`mpsc::WeakSender`, `mpsc::WeakUnboundedSender`,
//! `broadcast::WeakSender`), `mpsc::PermitIterator`
//! (`Sender::reserve_many`), `mpsc::error::SendTimeoutError`
//! (`Sender::send_timeout`) and `mpsc::error::RecvError`.

pub use detsim::sync::*;
pub use tokio::sync::{OnceCell, SetError, SetOnce, SetOnceError};

/// The futures `Notify` returns, as tokio's `sync::futures`.
pub mod futures {
    pub use detsim::sync::{Notified, OwnedNotified};
}
