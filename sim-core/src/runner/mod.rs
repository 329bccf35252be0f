//! The test runner: one seed or a sweep of many, failures shrunk and turned
//! into one report with lines to replay them, regression files, trace
//! files.
//!
//! See [`Sim`] for the builder and the `DETSIM_*` variables it reads.

mod chrome_trace;
mod confirm;
mod determinism;
mod dfs;
pub(crate) mod env;
mod exec;
mod plan;
mod regressions;
mod replay_line;
mod report;
mod results;
mod run_spec;
mod seed_base;
mod shrink;
mod sim;
pub(crate) mod stall;
mod sweep;

pub use env::EnvError;
pub use report::{Shrunk, SweepFailure};
pub use results::{RunSummary, SweepReport, TestResult};
pub use sim::Sim;
