//! `detsim::sync`: each primitive's semantics (tokio's), its wake order
//! and cancellation, the same bodies on both runtimes, deadlock reports
//! that name the primitives, and determinism.
//!
//! Each file is a module, so a test's path (and its replay line) is
//! `cargo test -p detsim --test sync <module>::<test>`.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod barrier;
mod both_runtimes;
mod broadcast;
mod deadlock_channels;
mod deadlock_locks;
mod determinism;
mod mpsc;
mod mutex;
mod notify;
mod oneshot;
mod report_text;
mod rwlock;
mod semaphore;
mod watch;
