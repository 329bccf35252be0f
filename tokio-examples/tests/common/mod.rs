//! What every simulation test here does: sweep the seeds with the
//! runner's determinism check (each seed twice, traces and payload bytes
//! compared), then sweep them again and compare the digests seed by seed.

use std::future::Future;

use detsim::{Faults, Sim, SweepReport};

/// A sweep under `faults`.
pub fn with(faults: Faults) -> impl Fn() -> Sim {
    move || Sim::new().faults(faults.clone())
}

/// Runs `body` on `seeds` seeds of `sim` (a builder with the fault plan
/// and any liveness phase), twice per seed with the byte-level
/// determinism check, then the whole sweep again, and asserts that the
/// two sweeps agree on every seed's digest. Returns the first sweep.
#[track_caller]
pub fn deterministic_sweep<F, Fut>(
    name: &str,
    seeds: u64,
    sim: impl Fn() -> Sim,
    body: F,
) -> SweepReport
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = ()>,
{
    let checked = sim()
        .test_name(name)
        .seeds(seeds)
        .check_determinism_bytes(true)
        .run(&body);
    let again = sim()
        .test_name(name)
        .seeds(seeds)
        .check_determinism_bytes(true)
        .run(&body);
    assert_eq!(
        checked.runs.len(),
        again.runs.len(),
        "both sweeps ran the same seeds"
    );
    for (a, b) in checked.runs.iter().zip(&again.runs) {
        assert_eq!(
            a.seed, b.seed,
            "both sweeps ran the seeds in the same order"
        );
        assert_eq!(
            a.digest, b.digest,
            "seed {:#x}: the digest changed between sweeps",
            a.seed
        );
    }
    let distinct: std::collections::BTreeSet<u64> = checked.runs.iter().map(|r| r.digest).collect();
    assert!(
        distinct.len() > checked.runs.len() / 2,
        "the seeds should explore different runs: {} distinct digests of {}",
        distinct.len(),
        checked.runs.len()
    );
    eprintln!(
        "{name}: {} seeds, {:.1} s and {:.1} s, {} distinct digests, {} trace events and {} of virtual time in the first",
        checked.runs.len(),
        checked.host_time.as_secs_f64(),
        again.host_time.as_secs_f64(),
        distinct.len(),
        checked.runs[0].events,
        checked.runs[0].end,
    );
    checked
}
