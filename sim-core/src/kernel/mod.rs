//! The kernel boundary, and the one module for writing simulated devices.
//!
//! Tests and services never need this module: `detsim::net`, `detsim::fs`,
//! `detsim::io`, `detsim::time` and `detsim::task` are their API. It is
//! for people who write a device of their own (a simulated serial line, a
//! clock source, a file system, a network stack) or test the contract
//! itself, and it holds all of detsim's plumbing that such code needs:
//! - [`KernelHandle`]: the clock, scheduled actions, fault rolls and
//!   magnitudes ([`KernelHandle::fault`], [`KernelHandle::fault_pick`]),
//!   trace events, completion-model submissions, per-run extensions, the
//!   blocking pool and fd registration;
//! - readiness ([`Source`], [`Registration`], [`Interest`], [`Trigger`])
//!   and the try-then-wait loop ([`IoSource`]);
//! - completions ([`Completion`], [`BufResult`]);
//! - the socket and file contracts ([`net`], [`fs`]); the runtime's
//!   instances are reached with `detsim::net::stack()` and
//!   `detsim::fs::file_system()`, which live with the stacks that install
//!   them;
//! - the byte-stream device under `duplex` and simulated TCP ([`stream`]);
//! - [`Resident`] and [`ResidentFuture`], which make a device's `Rc`
//!   state `Send + Sync` with a same-runtime check, as detsim's own types
//!   are.
//!
//! # How the kernel sits under the executor
//!
//! The executor owns tasks and a run set and knows nothing of sockets or
//! files. When no task is runnable it asks the kernel to *park*: make
//! progress possible, or say that nothing ever will. The simulated kernel
//! parks by jumping the virtual clock to its next event; the OS kernel
//! (`Runtime::os`) by calling `epoll_wait`.
//!
//! A runtime owns exactly one kernel, behind one crate-private type,
//! `Kernel` (`dispatch.rs`): the only code that knows which backend a
//! runtime has. Each of its methods (the clock, `schedule`, `park`, the
//! blocking pool, fd registration, device latencies) dispatches once to one
//! of the twins below it, `sim.rs` (`SimKernel`) or `os/` (`OsKernel`); the
//! executor, timers, devices and the IO types call the methods and never
//! ask which twin answers. What does not depend on the backend sits
//! beside the dispatch, shared: the clock as of the current
//! loop turn, resource ids and their names (`resource_names.rs`), the
//! scheduled-action queue (`actions.rs`; only the simulation draws its
//! tie-breaks), readiness sources (`source.rs`) and completions
//! (`completion.rs`).
//!
//! # The contract
//!
//! A kernel provides:
//! - **the clock**: monotonic, never backwards;
//! - **readiness** (the epoll model): resources ([`Source`]) with a
//!   readiness state; [`Registration`]s with an [`Interest`] and a
//!   [`Trigger`] (level, edge, one-shot) through which tasks learn that an
//!   operation may make progress. Readiness is a hint: the operation may
//!   still return `WouldBlock`, and callers must handle it;
//! - **the try-then-wait loop** ([`IoSource`]): wait for readiness, try
//!   the operation, on `WouldBlock` clear exactly the readiness observed
//!   and wait again; written once, for every IO type;
//! - **sockets** ([`net`]): one network stack per runtime, whose sockets
//!   are syscall-shaped, non-blocking operations with a [`Source`]; the OS
//!   runtime's stack is real sockets (`os/net/`), the simulation's is
//!   `detsim::net`'s network, installed on first use;
//! - **completions** (the io_uring model): operations submitted with owned
//!   buffers ([`KernelHandle::submit`]) that finish later with `(result,
//!   buffer)` ([`Completion`]), in any order relative to submission. One
//!   `Completion` type serves both kernels: the simulated one completes it
//!   from a scheduled event, the OS one from a blocking-pool thread;
//! - **a file system** ([`fs`]): syscall-shaped traits (`open`, `pread`,
//!   `pwrite`, `fsync`, `rename`, `readdir`...) whose every call returns a
//!   [`Completion`]; each runtime holds one ([`KernelHandle::file_system`]):
//!   the OS runtime's real files, or the simulation's disks;
//! - **scheduled events**: actions at a future instant that change resource
//!   state (a segment lands in a buffer, a write completes);
//! - **parking**: deliver every event due up to a deadline, waking the
//!   wakers registered for what changed.
//!
//! A kernel must never poll a task, never run user code other than wakers
//! while delivering, never hold a borrow of its own state while a waker
//! runs or is dropped (a waker may spawn, sleep, abort or wake others),
//! never deliver an event before its time, and never free a buffer it was
//! handed before the operation completes. Under the
//! simulation it also takes every choice from the run's seed: events due at
//! the same instant are delivered in a seeded order, and every fault it
//! injects is a trace event naming its kind and resource.
//!
//! The simulated kernel (`sim.rs`: virtual time, the seeded order of
//! actions due together, the device stream) and the OS kernel (`os/`: the
//! monotonic clock, epoll, an eventfd, a blocking pool, real sockets and
//! files; actions due together run first-scheduled-first) implement this
//! contract side by side. The OS kernel draws nothing from the seed. The
//! executor and the IO types' readiness logic ([`IoSource`]) are shared.
//! [`KernelHandle`] is how devices reach their runtime's kernel.

mod actions;
mod change_count;
mod completion;
mod delay_span;
mod dispatch;
mod event;
pub mod fs;
mod fs_slot;
mod handle;
mod io_source;
pub mod net;
#[cfg(target_os = "linux")]
pub(crate) mod os;
mod readiness;
mod resource;
mod resource_names;
mod scheduled;
mod sim;
pub(crate) mod source;
pub mod stream;

pub use crate::runtime::resident::Resident;
pub use crate::runtime::resident_future::ResidentFuture;
pub(crate) use change_count::ChangeCount;
pub use completion::{BufResult, Completion};
pub use delay_span::DelaySpan;
pub(crate) use dispatch::{Kernel, Parked};
pub use handle::KernelHandle;
pub use io_source::{AsSource, IoSource};
#[cfg(target_os = "linux")]
pub use os::FdRegistration;
pub use readiness::{Interest, Readiness, Trigger};
pub use resource::ResourceId;
pub(crate) use resource::Subject;
pub use scheduled::ScheduledAction;
pub(crate) use source::ResourceWait;
pub use source::{Registration, Source};
