//! Synchronization between tasks, with tokio's names and semantics:
//! [`Mutex`], [`RwLock`], [`Semaphore`], [`Notify`], [`Barrier`] and the
//! channels [`mpsc`] (bounded and unbounded), [`oneshot`], [`watch`] and
//! [`broadcast`], each with tokio's error types in its `error` module.
//!
//! Use these instead of tokio's or futures' primitives in code tested
//! under detsim: they behave the same, and a deadlock report can see
//! them. A task blocked on a futures channel is reported as waiting on
//! "something detsim cannot see"; a task blocked here is reported with
//! the primitive's name and the state that keeps it waiting:
//!
//! ```text
//! deadlock: 2 tasks wait forever
//!     task `a` (task#1, spawned at src/x.rs:9:5) waits on Mutex `m2` (held by task `b`, locked at src/x.rs:17:22)
//!       wait-for cycle: task `a` waits on Mutex `m2`, held by task `b`; task `b` waits on Mutex `m1`, held by task `a`
//!     task `b` (task#2, spawned at src/x.rs:14:5) waits on Mutex `m1` (held by task `a`, locked at src/x.rs:10:22)
//! ```
//!
//! # What is modelled
//!
//! The primitives are real implementations, not simulations of them:
//! the same code runs on `Runtime::sim` and on `Runtime::os()`. They need
//! no runtime (they may be created outside one, shared between runtimes,
//! or used from a `spawn_blocking` thread) and they are `Send` and `Sync`
//! where tokio's are. Their state sits behind a `std` mutex that is held
//! for a few instructions at a time and not while user code runs: wakers
//! are woken and values dropped after unlocking (the one exception,
//! `broadcast`'s clones, is listed below). Within a run, which is one
//! thread, that mutex is never contended, so it cannot change what a run
//! does.
//!
//! # Wake order
//!
//! Every primitive serves its waiters first come, first served (FIFO): a
//! waiter's place is fixed when its future is first polled and returns
//! `Pending`. Unlocking a mutex hands it to the oldest waiter, a released
//! permit goes to the oldest waiter of a semaphore (which no later waiter
//! asking for fewer permits can overtake), `Notify::notify_one` wakes the
//! oldest waiter, and wakes of many waiters (`notify_waiters`, a watch or
//! broadcast send, a barrier's release) happen oldest first. FIFO adds no
//! randomness of its own and is the easiest order to reason about; the
//! schedule stays the seeded scheduler's choice, since which task polls
//! first (and so queues first) and which woken task runs first are its
//! decisions. A future dropped while it waits leaves its place without
//! losing anything: permits (and so locks and channel slots) it was
//! assigned go to the next waiter, and a `notify_one` (or the stored
//! permit) it took but never returned goes to the next waiter or back as
//! the stored permit.
//!
//! # Names in reports
//!
//! Each primitive's default name is its kind and where it was created
//! (`Mutex at tests/bank.rs:12:17`, `mpsc receiver of the channel at
//! src/pool.rs:40:9`); constructors are `#[track_caller]`. Give a name
//! with `with_name` (`Mutex::new(0).with_name("accounts")`) or, for
//! channels, `named_channel` (`mpsc::named_channel("jobs", 8)`); reports
//! then say ``Mutex `accounts` `` and ``mpsc receiver `jobs` ``.
//!
//! What a report says about the other side is what detsim knows: a lock's
//! holder is the task that locked it and where; a channel's live senders
//! (or receivers) are each described by the task that last used them, or
//! where and by whom they were created if never used (a handle may move
//! between tasks unseen). A wait-for cycle among stuck tasks (holders,
//! the other ends' last users, `JoinHandle`s) is named under the first
//! task in it. A `Notify::notify_waiters` that found nobody waiting is
//! shown in the report of a task that then waits forever on that
//! `Notify`.
//!
//! # Divergence from tokio
//!
//! - `const_new`, `blocking_*` and the mapped guards are missing: each
//!   primitive allocates its shared state (deadlock notes point at it),
//!   and blocking a runtime's only thread is a deadlock in a simulation.
//! - `Mutex::lock` and the other waiting methods return `impl Future`
//!   rather than being `async fn` (so that `#[track_caller]` can record
//!   where they were called); they are awaited the same way.
//! - Sending on a `watch` channel while a `watch::Ref` of it is held on
//!   the runtime's thread panics with an explanation; tokio deadlocks.
//! - `broadcast` clones a value for a receiver while holding the
//!   channel's lock, as tokio does under its slot lock: a `Clone` impl
//!   must not use the same channel.
//! - Weak senders (`downgrade`) are not provided.

mod acquire;
mod barrier;
pub mod broadcast;
mod deadlock;
mod ends;
mod error;
pub mod mpsc;
mod mutex;
mod notified;
mod notify;
pub mod oneshot;
mod permits;
mod rwlock;
mod sem_state;
mod semaphore;
mod stamp;
pub mod watch;

pub use barrier::{Barrier, BarrierWaitResult};
pub(crate) use deadlock::{SyncWait, describe_stuck};
pub use error::{AcquireError, TryAcquireError, TryLockError};
pub use mutex::{Mutex, MutexGuard, OwnedMutexGuard};
pub use notified::{Notified, OwnedNotified};
pub use notify::Notify;
pub use rwlock::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
pub use semaphore::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
