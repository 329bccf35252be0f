//! The executor and what it reports, as one test binary: time, wakers,
//! join handles, scheduling, the user rng, misuse across runtimes,
//! deadlock and long-poll reports, panic hints, and the fault plan's
//! checks and effect on IO code.
//!
//! Each former test file is a module, so a test's path (and its replay
//! line) is `cargo test -p detsim --test runtime <module>::<test>`.

#[path = "../common/mod.rs"]
mod common;

mod buggify;
mod deadlock_report;
mod dfs;
mod fault_plan_durations;
mod io_faults;
mod join_handle;
mod long_poll;
mod panic_hints;
mod pct;
mod runtime_misuse;
mod scheduling;
mod time;
mod user_rng;
mod wakers;
