//! An optional allocation tracker: bytes allocated per task and per poll,
//! and a cap on one allocation that fails the run instead of the process.
//!
//! A protocol that reads a length prefix and then allocates that many
//! bytes (`Vec::with_capacity(len)`, `vec![0; len]`) is one corrupt or
//! hostile peer away from a 4 GiB request. Without the tracker, such a
//! request in a test either succeeds quietly or aborts the whole test
//! process ("memory allocation of 4294967296 bytes failed") with no seed.
//! With it, the request is a failure report with a seed, like a panic:
//!
//! ```no_run
//! #[global_allocator]
//! static ALLOC: detsim::alloc::Tracker = detsim::alloc::Tracker::system();
//!
//! #[test]
//! fn a_length_prefix_never_allocates_more_than_a_gigabyte() {
//!     detsim::Sim::new().seeds(200).allocation_cap(1 << 30).run(|| async {
//!         // ... a client and a server that frame messages by length ...
//!     });
//! }
//! # fn main() {}
//! ```
//!
//! A global allocator is per binary, so a test that installs
//! [`Tracker`] is a test target of its own (`tests/alloc/main.rs`). Without
//! it, nothing is counted, no cap applies ([`Sim::allocation_cap`] refuses
//! to run, `DETSIM_ALLOC_CAP` is ignored) and the executor pays nothing:
//! whether to track is decided once per runtime.
//!
//! # What is charged
//!
//! While a simulated runtime polls a task, every allocation on its thread
//! (`alloc`, `alloc_zeroed`, and a `realloc`, which counts as an
//! allocation of its new size) is charged to the task and to the poll:
//! [`Usage::bytes`] adds up the sizes asked for and
//! [`Usage::allocations`] counts the requests. Frees are not subtracted:
//! this is the volume a task asks for, not what it holds. A task's own
//! code and every library it calls are charged, and so are the boxed
//! future of a task it spawns and the slot its output goes to (tokio
//! allocates both as one task cell), and what it creates of `detsim::sync`
//! (a channel's shared state and its queued messages, as tokio's would
//! be).
//!
//! detsim's own work inside a poll is not charged: spawning (the task
//! slab, wakers, names), the trace and the fault log, timers, the
//! simulated kernel and its devices (segments in flight, datagrams, the
//! page cache, connection state, the IO types' handles and registrations,
//! the boxed futures behind `connect`, the errors an operation returns),
//! the waiter queues and deadlock bookkeeping of `detsim::sync`, and the
//! panic hook and report. detsim holds an
//! [`Untracked`] guard around each; a device of your own can hold one too.
//! Nothing outside a poll is charged (the body's `Drop`, kernel events, the
//! runner, report building). [`stats`] reads the counts from inside a
//! task; an [`Allocation`](crate::FailureKind::Allocation) failure reports
//! the task's counts with the request.
//!
//! The OS runtime ([`Runtime::os`](crate::Runtime::os)) tracks nothing and
//! has no cap, tracker or not.
//!
//! # The cap
//!
//! [`Sim::allocation_cap`] (or [`Config::allocation_cap`], or
//! `DETSIM_ALLOC_CAP=1GiB`, which overrides both and is carried by the
//! replay lines) sets the largest allocation one request of a task may
//! make. A larger one fails the run with
//! [`FailureKind::Allocation`](crate::FailureKind::Allocation): the task,
//! the size, and the poll, by its number in the run (the same in every run
//! of the seed) and what it resumed from (`after waiting on tcp#3
//! readable`). Replaying the seed fails the same way; the shrinker keeps
//! the faults that lead there.
//!
//! A global allocator cannot unwind, so the request is not refused where
//! it is made. The tracker records it, passes it on to the allocator it
//! wraps, and the executor fails the run as soon as the poll returns. On
//! Linux a large allocation is a fresh `mmap` whose pages cost nothing
//! until touched, and zeroed memory comes from the kernel already zero,
//! so `Vec::with_capacity(4 << 30)` and `vec![0u8; 4 << 30]` cost address
//! space, not memory, and the rest of the poll runs as it would (reading
//! into the buffer touches only what is read).
//!
//! If the wrapped allocator returns null (a request larger than the
//! machine can map, such as `1 << 62` bytes), the tracker first prints a
//! line to stderr naming the task, the poll, the size, the seed and the
//! replay command, then returns null. Rust then aborts the process
//! (`handle_alloc_error`), and the line is the report. Code that handles
//! the failure (`Vec::try_reserve`) goes on, and the run still fails when
//! the poll returns. Any allocation that fails inside a tracked poll,
//! under the cap or not, prints the same line.
//!
//! # Limits
//!
//! - A poll that goes on to fill an oversized buffer (`vec![1u8; n]`,
//!   `resize`, reading `n` bytes into it) touches its pages before the
//!   executor can stop it: the process then uses that memory for real,
//!   and may be killed by the OS for it. The cap bounds one request; it
//!   bounds neither a task's total nor the process's.
//! - Only the runtime's thread is tracked: work a task hands to a thread of
//!   its own is charged to nobody. (`spawn_blocking` runs inline under the
//!   simulation, in a task of its own named `spawn_blocking`.)
//! - Counts are as deterministic as the program's allocations: the same
//!   seed and the same binary give the same counts, but a new Rust release
//!   or dependency (a different growth policy) changes them. Assert bounds,
//!   not exact totals, on code you do not own.
//! - detsim's work is left out only where detsim code is reached through
//!   its API; what a user future allocates to call it (a boxed future of
//!   its own, a `String` address) is the task's.
//!
//! # Divergence from a real process
//!
//! A real process gets an oversized allocation or dies of it. Here the
//! allocation is served when it can be, as it would be on Linux, but the
//! run fails when the poll that made it returns.

mod account;
mod refusal;
pub(crate) mod size;
mod stats;
mod tracker;

pub use account::Untracked;
pub(crate) use account::{begin_poll, end_poll, installed, pause, resume};
pub use stats::{Stats, Usage, stats};
pub use tracker::Tracker;

#[cfg(doc)]
use crate::{Config, Sim};
