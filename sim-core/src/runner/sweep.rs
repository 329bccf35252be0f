//! Running a sweep's seeds on several host threads.
//!
//! Each seed runs on one thread from start to end, in its own runtime, so
//! parallelism never touches a run's determinism. Workers take seeds in
//! sweep order from the plan (arithmetic, never a list: a sweep's memory
//! grows with the seeds run, not the seeds planned); after a failure they
//! stop taking seeds past it, and the failure reported is the lowest
//! failing seed, whatever the thread timing. So is the count reported
//! with it: the failing seed's place in sweep order (every seed before it
//! ran and passed), not how many seeds the threads happened to finish
//! before they stopped, which depends on the host's load.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::runner::plan::SeedPlan;

/// Runs `run` for every seed of `plan` on up to `jobs` threads. Returns
/// every seed's result in sweep order, or the failure of the lowest
/// failing seed and its place in sweep order, counted from 1 (the seeds
/// up to and including it, all of which ran).
pub(crate) fn run<T: Send, E: Send>(
    plan: &SeedPlan,
    jobs: usize,
    run: impl Fn(u64) -> Result<T, E> + Sync,
) -> Result<Vec<T>, (E, u64)> {
    let next = AtomicU64::new(0);
    let stop_at = AtomicU64::new(u64::MAX);
    let passed: Mutex<Vec<(u64, T)>> = Mutex::new(Vec::new());
    let failed: Mutex<Option<(u64, E)>> = Mutex::new(None);
    let worker = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= plan.len() || i > stop_at.load(Ordering::Relaxed) {
                break;
            }
            let outcome = run(plan.get(i));
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
    if let Some((i, failure)) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err((failure, i + 1));
    }
    let mut passed = passed.into_inner().unwrap_or_else(|e| e.into_inner());
    passed.sort_unstable_by_key(|&(i, _)| i);
    Ok(passed.into_iter().map(|(_, summary)| summary).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::env::{Env, SeedsVar};

    #[test]
    fn the_count_reported_with_a_failure_is_its_place_not_how_far_other_threads_got() {
        let plan = SeedPlan::from_env(&Env::default(), &SeedsVar::Count(64)).unwrap();
        let passed = AtomicU64::new(0);
        let outcome = run(&plan, 2, |seed| {
            if seed != 0 {
                passed.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            // The first seed fails, but only once the other thread has run
            // several seeds past it (a bounded wait, so that a lone thread
            // cannot hang).
            for _ in 0..50_000_000 {
                if passed.load(Ordering::Relaxed) >= 5 {
                    break;
                }
                std::thread::yield_now();
            }
            Err(passed.load(Ordering::Relaxed))
        });
        let (ran_past_it, place) = outcome.unwrap_err();
        assert!(ran_past_it >= 5, "the other thread ran {ran_past_it} seeds");
        assert_eq!(place, 1, "the failing seed is the sweep's first");
    }
}
