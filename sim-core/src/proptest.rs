//! Property tests whose cases are simulations: strategies for fault plans
//! and seeds, so proptest shrinks the test's inputs, the fault plan and the
//! seed together.
//!
//! The pattern: draw the protocol's inputs, a plan from [`faults`] and a
//! seed from [`seeds`], and run the case with [`check`], which runs one
//! simulation and turns a failure into a proptest failure carrying
//! detsim's report. When a case fails, proptest shrinks: fewer operations,
//! fault kinds switched off, lower rates, smaller seeds, each shrink step
//! a fresh deterministic simulation, until it finds the simplest failing
//! case, and saves it in `proptest-regressions/` as usual.
//!
//! ```
//! use detsim::proptest::{check, faults, seeds};
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(8))]
//!     // (in a test file, put #[test] here)
//!     fn sleeps_add_up(delays in prop::collection::vec(1u64..1000, 1..5),
//!                      plan in faults(), seed in seeds()) {
//!         let total: u64 = delays.iter().sum();
//!         check(seed, plan, || {
//!             let delays = delays.clone();
//!             async move {
//!                 let start = detsim::time::Instant::now();
//!                 for d in delays {
//!                     detsim::time::sleep(detsim::time::Duration::from_micros(d)).await;
//!                 }
//!                 assert_eq!(start.elapsed().as_micros() as u64, total);
//!             }
//!         })?;
//!     }
//! }
//! # sleeps_add_up();
//! ```
//!
//! Inside a case, `detsim`'s own shrinking is off (proptest shrinks the
//! plan instead), regression files are not written (proptest keeps its
//! own), and the `DETSIM_*` sweep variables do not apply: the case's seed
//! and plan are the strategy's.

use std::future::Future;

use ::proptest::prelude::*;
use ::proptest::test_runner::TestCaseError;

use crate::faults::{FaultKind, Faults, Probability};
use crate::runner::{Sim, TestResult};

/// Fault plans within [`Faults::chaos`]: see [`faults_within`].
pub fn faults() -> impl Strategy<Value = Faults> {
    faults_within(Faults::chaos())
}

/// Fault plans within `limit`: each kind `limit` turns on is on or off
/// (shrinking towards off), at a rate from a hundredth of the limit's up
/// to the limit's (shrinking towards the lower end). Kinds `limit` leaves
/// off stay off; delays, durations and the crash outcome are the
/// limit's (so `torn_write` and `crash_loss` vary only under a seeded
/// crash outcome, the only one that draws them).
pub fn faults_within(limit: Faults) -> impl Strategy<Value = Faults> {
    let kinds: Vec<(FaultKind, f64)> = FaultKind::ALL
        .iter()
        .map(|&k| (k, limit.probability(k).get()))
        .filter(|&(_, p)| p > 0.0)
        .collect();
    let per_kind: Vec<_> = kinds
        .iter()
        .map(|&(_, p)| (any::<bool>(), 0.01f64..=1.0).prop_map(move |(on, scale)| (on, p * scale)))
        .collect();
    per_kind.prop_map(move |draws| {
        let mut plan = limit.clone();
        for (&(kind, _), (on, rate)) in kinds.iter().zip(draws) {
            let rate = if on { rate.min(1.0) } else { 0.0 };
            plan.set_probability(kind, Probability::new(rate).expect("a rate within 0..=1"));
        }
        plan
    })
}

/// Seeds, shrinking towards 0.
pub fn seeds() -> impl Strategy<Value = u64> {
    any::<u64>()
}

/// Runs `body` once on `seed` under `plan`, as a proptest case: a failing
/// run becomes a [`TestCaseError`] whose message is detsim's report, with
/// the replay line.
///
/// # Errors
///
/// When the simulation fails.
pub fn check<F, Fut>(seed: u64, plan: Faults, body: F) -> Result<(), TestCaseError>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future,
    Fut::Output: TestResult,
{
    Sim::new()
        .seed(seed)
        .faults(plan)
        .shrink(false)
        .regressions(false)
        .jobs(1)
        .quiet()
        .try_run_case(body)
        .map(|_| ())
        .map_err(|mut f| {
            // DETSIM_* variables do not reach a case, so the usual replay
            // line would not reproduce it: proptest's report and regression
            // file do.
            f.replay = "rerun this proptest case: proptest prints its inputs (seed and plan) \
                        and keeps failing cases in its regression file"
                .to_string();
            // Nor would DETSIM_LEGAL=0: the case's plan is the strategy's
            // (a plan can leave its legal group out with `without_legal`).
            f.without_legal = None;
            TestCaseError::fail(f.to_string())
        })
}
