//! Which of tokio's items the stand-in provides, and how.
//!
//! Every public item of tokio (1.54, stable features) is in one of three
//! classes; `tests/parity.rs` lists them all and checks the list against
//! both crates at compile time.
//!
//! - **Simulated**: the stand-in's own item. Inside a detsim runtime it
//!   runs on detsim; anywhere else it forwards to tokio. `spawn`, `task`
//!   (handles, `JoinSet`, `LocalSet`, `spawn_blocking`), `time` (a virtual
//!   `Instant` inside), `net` (TCP, UDP, `lookup_host`), `fs`, the standard
//!   streams, `runtime::{Builder, Runtime, Handle}`, `signal::ctrl_c`,
//!   `select!` (branch order from the seed inside), `#[tokio::main]` and
//!   `#[tokio::test]` (over this crate's `Builder`). `sync` is
//!   `detsim::sync` in both worlds: it needs no runtime, so a primitive
//!   made outside a run works inside one, and inside it is deterministic
//!   and named in deadlock reports.
//! - **Forwarded**: tokio's item, re-exported. These need no runtime and
//!   make no random choice, so detsim can drive them: the IO traits and
//!   utilities of `io` (buffers, `copy`, `duplex`, `split`...), `join!`,
//!   `try_join!`, `pin!`, `task_local!`, `sync::OnceCell`/`SetOnce`,
//!   `time::Duration`/`MissedTickBehavior`.
//! - **Missing**: not exported, so code that names one does not compile
//!   (an error at build time, never a surprise inside a simulation). Each
//!   is shown below, with why.
//!
//! Method-level gaps (for example `TcpStream::set_linger`, UDP `peek_from`,
//! `File::try_clone`, the `blocking_*` methods of `sync`) are compile
//! errors too; the module docs of `net`, `fs` and `sync` list them.
//!
//! # Missing items
//!
//!
//! `task::consume_budget`: detsim has no cooperative budget: fairness among tasks is the seeded scheduler's.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::task::consume_budget;
//! ```
//!
//! `task::coop`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::task::coop;
//! ```
//!
//! `time::pause`: the simulation's clock is always virtual; outside it, use tokio's `test-util` directly.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::time::pause;
//! ```
//!
//! `time::advance`: as above: virtual time moves when every task waits.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::time::advance;
//! ```
//!
//! `time::resume`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::time::resume;
//! ```
//!
//! `net::unix`: the simulated network has no Unix sockets; forwarding would hand a simulation a socket it cannot see.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::net::unix;
//! ```
//!
//! `net::UnixListener`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::net::UnixListener;
//! ```
//!
//! `net::UnixStream`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::net::UnixStream;
//! ```
//!
//! `net::UnixDatagram`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::net::UnixDatagram;
//! ```
//!
//! `net::UnixSocket`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::net::UnixSocket;
//! ```
//!
//! `fs::canonicalize`: the simulated file system has no symlinks or current directory to resolve against.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::fs::canonicalize;
//! ```
//!
//! `fs::hard_link`: the simulated file system has no hard links.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::fs::hard_link;
//! ```
//!
//! `fs::read_link`: the simulated file system has no symlinks.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::fs::read_link;
//! ```
//!
//! `fs::set_permissions`: the simulated file system has no permissions.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::fs::set_permissions;
//! ```
//!
//! `fs::symlink`: the simulated file system has no symlinks.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::fs::symlink;
//! ```
//!
//! `fs::FileTimes`: the simulated file system keeps no timestamps.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::fs::FileTimes;
//! ```
//!
//! `io::unix::AsyncFd`: a raw descriptor's readiness cannot be simulated.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::io::unix::AsyncFd;
//! ```
//!
//! `sync::MappedMutexGuard`: `detsim::sync` has no mapped guards.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::sync::MappedMutexGuard;
//! ```
//!
//! `sync::OwnedMappedMutexGuard`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::sync::OwnedMappedMutexGuard;
//! ```
//!
//! `sync::RwLockMappedWriteGuard`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::sync::RwLockMappedWriteGuard;
//! ```
//!
//! `sync::OwnedRwLockMappedWriteGuard`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::sync::OwnedRwLockMappedWriteGuard;
//! ```
//!
//! `sync::mpsc::WeakSender`: `detsim::sync` has no weak senders.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::sync::mpsc::WeakSender;
//! ```
//!
//! `sync::mpsc::WeakUnboundedSender`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::sync::mpsc::WeakUnboundedSender;
//! ```
//!
//! `sync::broadcast::WeakSender`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::sync::broadcast::WeakSender;
//! ```
//!
//! `sync::mpsc::PermitIterator`: `Sender::reserve_many` is not provided.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::sync::mpsc::PermitIterator;
//! ```
//!
//! `sync::mpsc::error::SendTimeoutError`: `Sender::send_timeout` is not provided (use `time::timeout` around `send`).
//!
//! ```compile_fail,E0432
//! use detsim_tokio::sync::mpsc::error::SendTimeoutError;
//! ```
//!
//! `sync::mpsc::error::RecvError`: only `blocking_recv` returns it, and blocking calls are not provided.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::sync::mpsc::error::RecvError;
//! ```
//!
//! `runtime::Id`: a handle inside a run describes the simulation, which has no tokio runtime id.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::runtime::Id;
//! ```
//!
//! `runtime::RuntimeMetrics`: as above: no tokio runtime to measure.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::runtime::RuntimeMetrics;
//! ```
//!
//! `signal::unix`: a simulated process receives no signals (`ctrl_c` is provided and never fires inside).
//!
//! ```compile_fail,E0432
//! use detsim_tokio::signal::unix;
//! ```
//!
//! `process::Command`: the simulation runs no child processes.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::process::Command;
//! ```
//!
//! `process::Child`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::process::Child;
//! ```
//!
//! `process::ChildStdin`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::process::ChildStdin;
//! ```
//!
//! `process::ChildStdout`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::process::ChildStdout;
//! ```
//!
//! `process::ChildStderr`: as above.
//!
//! ```compile_fail,E0432
//! use detsim_tokio::process::ChildStderr;
//! ```
