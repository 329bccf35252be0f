//! The OS runtime, as one test binary: its seed, its blocking pool, its
//! failure reports, and the echo example serving real clients.
//!
//! Each former test file is a module, so a test's path (and its replay
//! line) is `cargo test -p detsim --test os <module>::<test>`.
//!
//! `os_fd_leaks`, `os_fd_registration` and `os_memory` measure the whole
//! process (open descriptors, resident memory), so they stay binaries of
//! their own: whatever else runs in the process shows up in those numbers.
//! Even taking turns on a lock is not enough: a test thread that exits
//! after releasing it can still open a file (glibc reads
//! `/proc/sys/vm/overcommit_memory` the first time it trims a thread's
//! heap) while the next test counts descriptors.

#[path = "../common/mod.rs"]
mod common;

mod os_blocking_pool;
mod os_echo_example;
mod os_reports;
mod os_seed;
mod os_stream_readiness;
