//! The test runner: one seed or a sweep of many, failures turned into one
//! report with a line to replay them.
//!
//! See [`Sim`] for the builder and the `DETSIM_*` variables it reads.

mod env;
mod replay_line;
mod seed_base;
mod sim;
mod sweep;

pub use env::EnvError;
pub use sim::{RunSummary, Sim, SweepFailure, SweepReport, TestResult};
