//! Running a sweep's seeds on several host threads.
//!
//! Each seed runs on one thread from start to end, in its own runtime, so
//! parallelism never touches a run's determinism. Workers take seeds in
//! sweep order from the plan (arithmetic, never a list: a sweep's memory
//! grows with the seeds run, not the seeds planned); after a failure they
//! stop taking seeds past it, and the failure reported is the lowest
//! failing seed, whatever the thread timing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::runner::plan::SeedPlan;

/// Runs `run` for every seed of `plan` on up to `jobs` threads. Returns
/// every seed's result in sweep order, or the failure of the lowest
/// failing seed and how many seeds ran.
pub(crate) fn run<T: Send, E: Send>(
    plan: &SeedPlan,
    jobs: usize,
    run: impl Fn(u64) -> Result<T, E> + Sync,
) -> Result<Vec<T>, (E, u64)> {
    let next = AtomicU64::new(0);
    let stop_at = AtomicU64::new(u64::MAX);
    let ran = AtomicU64::new(0);
    let passed: Mutex<Vec<(u64, T)>> = Mutex::new(Vec::new());
    let failed: Mutex<Option<(u64, E)>> = Mutex::new(None);
    let worker = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= plan.len() || i > stop_at.load(Ordering::Relaxed) {
                break;
            }
            let outcome = run(plan.get(i));
            ran.fetch_add(1, Ordering::Relaxed);
            match outcome {
                Ok(summary) => passed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((i, summary)),
                Err(failure) => {
                    stop_at.fetch_min(i, Ordering::Relaxed);
                    let mut lowest = failed.lock().unwrap_or_else(|e| e.into_inner());
                    if lowest.as_ref().is_none_or(|(j, _)| i < *j) {
                        *lowest = Some((i, failure));
                    }
                }
            }
        }
    };
    let jobs = u64::try_from(jobs.max(1))
        .unwrap_or(u64::MAX)
        .min(plan.len().max(1));
    if jobs == 1 {
        worker();
    } else {
        std::thread::scope(|s| {
            for _ in 0..jobs {
                s.spawn(worker);
            }
        });
    }
    if let Some((_, failure)) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err((failure, ran.into_inner()));
    }
    let mut passed = passed.into_inner().unwrap_or_else(|e| e.into_inner());
    passed.sort_unstable_by_key(|&(i, _)| i);
    Ok(passed.into_iter().map(|(_, summary)| summary).collect())
}
