//! Running a sweep's seeds on several host threads.
//!
//! Each seed runs on one thread from start to end, in its own runtime, so
//! parallelism never touches a run's determinism. Workers take seeds in
//! sweep order; after a failure they stop taking seeds past it, and the
//! failure reported is the lowest failing seed, whatever the thread timing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::failure::Failure;
use crate::runner::RunSummary;

type Outcome = Result<RunSummary, Box<Failure>>;

/// Runs `run` for every seed on up to `jobs` threads. Returns every
/// summary in order, or the failure of the lowest failing seed and how
/// many seeds ran.
pub(crate) fn run(
    seeds: &[u64],
    jobs: usize,
    run: impl Fn(u64) -> Outcome + Sync,
) -> Result<Vec<RunSummary>, (Box<Failure>, u64)> {
    let next = AtomicUsize::new(0);
    let stop_at = AtomicUsize::new(usize::MAX);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new((0..seeds.len()).map(|_| None).collect());
    let worker = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= seeds.len() || i > stop_at.load(Ordering::Relaxed) {
                break;
            }
            let outcome = run(seeds[i]);
            if outcome.is_err() {
                stop_at.fetch_min(i, Ordering::Relaxed);
            }
            results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outcome);
        }
    };
    let jobs = jobs.clamp(1, seeds.len().max(1));
    if jobs == 1 {
        worker();
    } else {
        std::thread::scope(|s| {
            for _ in 0..jobs {
                s.spawn(worker);
            }
        });
    }
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    let ran = results.iter().filter(|r| r.is_some()).count() as u64;
    let mut runs = Vec::with_capacity(results.len());
    for outcome in results.into_iter().flatten() {
        match outcome {
            Ok(summary) => runs.push(summary),
            Err(failure) => return Err((failure, ran)),
        }
    }
    Ok(runs)
}
