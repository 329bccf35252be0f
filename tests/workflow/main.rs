//! What a user of the runner meets, as one test binary: failure reports and
//! their replay lines, the `DETSIM_*` variables, the bug catalogue (each
//! bug of `examples/catalogue/` found by default, each twin passing), legal
//! behaviour and `DETSIM_LEGAL`, the liveness phase, shards and traces,
//! regression files, the determinism check, and a property test over the
//! replicated register example.
//!
//! Each former test file is a module, so a test's path (and its replay
//! line) is `cargo test -p detsim --test workflow <module>::<test>`. Tests
//! that need a given environment run this binary again as a child process
//! with that one test's path (`common::run_child`), so no variable is ever
//! set in this process.

#[path = "../common/mod.rs"]
mod common;

mod catalogue;
mod determinism;
mod env_vars;
mod failure_report;
mod legal_behaviour;
mod liveness;
mod workflow_regressions;
mod workflow_replicated_register;
mod workflow_shards_and_trace;
