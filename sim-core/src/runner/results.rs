//! What a test body returns, and what a run and a sweep that passed
//! report.

use std::fmt;
use std::time::Duration;

use crate::time::Instant;

/// What a test body may return: `()` or `Result<(), E>`; an `Err` fails
/// the seed with the error in the report.
pub trait TestResult {
    /// `Err(description)` when the body failed.
    fn into_result(self) -> Result<(), String>;
}

impl TestResult for () {
    fn into_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: fmt::Debug> TestResult for Result<(), E> {
    fn into_result(self) -> Result<(), String> {
        self.map_err(|e| format!("{e:?}"))
    }
}

/// One seed that passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// The seed.
    pub seed: u64,
    /// Its trace digest.
    pub digest: u64,
    /// Virtual time when the body finished.
    pub end: Instant,
    /// Trace events recorded.
    pub events: u64,
}

/// A sweep in which every seed passed.
#[derive(Clone, Debug)]
pub struct SweepReport {
    /// Every seed run, in sweep order.
    pub runs: Vec<RunSummary>,
    /// Host time the sweep took.
    pub host_time: Duration,
}

impl SweepReport {
    /// Seeds per second of host time.
    pub fn seeds_per_second(&self) -> f64 {
        self.runs.len() as f64 / self.host_time.as_secs_f64().max(1e-9)
    }
}
