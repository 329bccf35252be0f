//! The simulated disk and the file API over it, as one test binary:
//! durability and crashes, the directory journal, injected errors and
//! faults, limits, completion order, digests, the kernel's file-system
//! contract driven directly on both kernels, `spawn_blocking` beside file
//! IO, and the model-based property test (`fs_model`, with its reference
//! model under `fs_model/`).
//!
//! Each former test file is a module, so a test's path (and its replay
//! line) is `cargo test -p detsim --test fs <module>::<test>`.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod fs_completion_order;
mod fs_crash_journal;
mod fs_digest;
mod fs_durability;
mod fs_errors;
mod fs_faults;
mod fs_limits;
mod fs_model;
mod fs_spawn_blocking;
mod kernel_fs_conformance;
