//! The bug catalogue: classes of bugs that code written for a perfect
//! kernel has, each as a small buggy program with its correct twin.
//!
//! Every program runs under **the default settings**: `Sim::new()` with
//! no `.faults(...)`, which is legal behaviour on (what the OS contract
//! allows: short reads, partial writes, spurious wakes and readiness,
//! completions out of order) and environment faults off (no packet loss,
//! no disk errors, no crash the test did not ask for). The bar, which
//! `tests/workflow/catalogue.rs` checks: each buggy program fails within
//! 50 seeds, and each twin passes 1,000.
//!
//! Three classes are about surviving a crash or a lost datagram, which no
//! default plan injects. Their programs do what a crash-recovery test
//! does: the test itself crashes the node (or restarts the server) at a
//! time drawn from the seed, and the seed decides the rest. The crash is
//! the scenario, not a fault the plan adds:
//!
//! - ack before fsync, rename without a directory fsync: under the
//!   default plan a crash loses exactly what was not fsynced (nothing is
//!   torn; `Faults::default()` adds torn and lost writes);
//! - UDP without retransmission: the simulated network drops datagrams
//!   to a host that is down, as a real one drops them at a closed port;
//!   the default plan loses none otherwise (`Faults::default()`: 1%).
//!
//! The torn WAL record needs no torn-write fault either: a write that
//! completes short (legal) and a group commit's fsync between its two
//! pieces make half a record durable.
//!
//! [`Class::needs_legal`] says whether the bug hides from a perfect
//! kernel (`Faults::none()`, or `DETSIM_LEGAL=0`); the test checks that
//! too, over 1,000 seeds.

mod disk;
mod edge;
mod net;
mod retry;
mod sync;
mod udp;
mod wakers;
mod wal;

use futures::future::LocalBoxFuture;

/// One bug class: a program whose buggy and fixed versions differ only
/// where the bug is.
pub struct Class {
    /// What the command line names it by: `cargo run --example catalogue
    /// -- partial-write`.
    pub id: &'static str,
    /// The bug, in a few words.
    pub name: &'static str,
    /// Whether only legal behaviour finds it: the buggy program passes
    /// 1,000 seeds of a perfect kernel (`Faults::none()`). Otherwise the
    /// seeded schedule, latency or the test's own crash finds it too.
    pub needs_legal: bool,
    /// One seed of the program: the buggy version, or with `fixed` its
    /// twin. It panics (or hangs, which detsim reports as a deadlock)
    /// when the bug shows.
    pub run: fn(fixed: bool) -> LocalBoxFuture<'static, ()>,
}

/// Every class, network first, then tasks and locks, then disks.
pub const CLASSES: &[Class] = &[
    Class {
        id: "partial-write",
        name: "partial write ignored",
        needs_legal: true,
        run: |fixed| Box::pin(net::partial_write_ignored(fixed)),
    },
    Class {
        id: "one-read",
        name: "one read per message (framing)",
        needs_legal: true,
        run: |fixed| Box::pin(net::one_read_per_message(fixed)),
    },
    Class {
        id: "spurious-readiness",
        name: "spurious readiness treated as EOF",
        needs_legal: true,
        run: |fixed| Box::pin(net::spurious_readiness_as_eof(fixed)),
    },
    Class {
        id: "edge-triggered",
        name: "edge-triggered reader not drained",
        needs_legal: false,
        run: |fixed| Box::pin(edge::edge_triggered_not_drained(fixed)),
    },
    Class {
        id: "udp",
        name: "UDP without retransmission",
        needs_legal: false,
        run: |fixed| Box::pin(udp::udp_without_retransmission(fixed)),
    },
    Class {
        id: "retry",
        name: "timeout-then-retry applied twice",
        needs_legal: false,
        run: |fixed| Box::pin(retry::timeout_retry_applied_twice(fixed)),
    },
    Class {
        id: "wake",
        name: "wake treated as readiness",
        needs_legal: true,
        run: |fixed| Box::pin(wakers::wake_as_readiness(fixed)),
    },
    Class {
        id: "lost-waker",
        name: "lost waker (one slot, two waiters)",
        needs_legal: false,
        run: |fixed| Box::pin(wakers::lost_waker(fixed)),
    },
    Class {
        id: "lock-order",
        name: "lock-order deadlock",
        needs_legal: false,
        run: |fixed| Box::pin(sync::lock_order_deadlock(fixed)),
    },
    Class {
        id: "lost-notify",
        name: "lost notification",
        needs_legal: false,
        run: |fixed| Box::pin(sync::lost_notification(fixed)),
    },
    Class {
        id: "completion-order",
        name: "completion-order assumption",
        needs_legal: true,
        run: |fixed| Box::pin(disk::completion_order(fixed)),
    },
    Class {
        id: "ack-before-fsync",
        name: "ack before fsync",
        needs_legal: false,
        run: |fixed| Box::pin(wal::ack_before_fsync(fixed)),
    },
    Class {
        id: "rename",
        name: "rename without directory fsync",
        needs_legal: false,
        run: |fixed| Box::pin(disk::rename_without_dir_fsync(fixed)),
    },
    Class {
        id: "torn-record",
        name: "WAL without checksums (torn record)",
        needs_legal: true,
        run: |fixed| Box::pin(wal::torn_record_without_checksum(fixed)),
    },
];
