//! Which runnable task is polled next: the [`Scheduling`] strategies.
//!
//! - **Random**: a seeded uniform choice among the runnable tasks at every
//!   step. Good at bugs that need many small interleavings; bad at bugs
//!   that need one task to run a long stretch undisturbed (a stretch of
//!   `n` steps has chance `2^-n` with two tasks). With more than
//!   [`RANDOM_WINDOW`] runnable tasks the choice is uniform among the
//!   `RANDOM_WINDOW` that have waited longest (the front of the run
//!   queue): O(1), and a run of a million runnable tasks visits their
//!   memory about in the order it was allocated instead of at random,
//!   which at that size is most of the cost of a pick (the executor
//!   prefetches the memory of the keys about to enter the window, as the
//!   random order within it defeats the hardware's own prefetcher). No
//!   task waits
//!   forever: one in the window runs with chance `1/RANDOM_WINDOW` at
//!   every step, and every task reaches the window.
//! - **PCT** (probabilistic concurrency testing, Burckhardt et al., ASPLOS
//!   2010, as shuttle implements it): each task gets a random priority
//!   when it first becomes runnable, and the runnable task with the highest
//!   priority always runs. `depth - 1` change points are drawn uniformly
//!   among the run's first `steps` steps; at the `i`-th, the task about to
//!   run drops to priority `depth - i`, below every task's initial one. A
//!   bug that needs `depth` ordering constraints among `n` tasks is found
//!   by one run with chance at least `1 / (n * steps^(depth - 1))`,
//!   whatever else the run does. One divergence from the paper, which
//!   assumes no task waits by spinning: a runnable task passed over for
//!   more than [`PCT_FAIRNESS_STEPS`] choices runs anyway, so a task that
//!   spins on `yield_now` at the top priority cannot starve the one it
//!   waits for forever (stretches shorter than that are untouched).
//! - **FIFO**: first woken, first polled; for reading a schedule by hand.
//! - **DFS**: FIFO order except at the steps the run's [`Choices`] name;
//!   the runner enumerates those (see `runner/dfs.rs`), and the scheduler
//!   records how many tasks were runnable at each step so the runner knows
//!   which alternatives remain.
//!
//! A step is a choice among two or more runnable tasks (a poll with no
//! alternative orders nothing). Every choice comes from the run's
//! scheduler stream, so the same seed and strategy give the same
//! schedule.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;

use crate::rand::Stream;
use crate::runtime::Scheduling;
use crate::runtime::choices::{Choices, DfsState};
use crate::runtime::run_queue::RunQueue;
use crate::runtime::waker::RawKey;

/// A bare runtime's step horizon for PCT when none is given
/// (`Scheduling::Pct { steps: 0, .. }`); [`Sim`](crate::Sim) measures it
/// instead.
pub(crate) const DEFAULT_PCT_STEPS: u64 = 1000;

/// How many of the longest-waiting runnable tasks the random strategy
/// chooses among (see the module docs). Up to this many runnable tasks,
/// the choice is among all of them, exactly as it always was, so the
/// schedules (and digests) of runs that never have more are unchanged.
pub(crate) const RANDOM_WINDOW: usize = 64;

/// The run's scheduler. See the module docs.
pub(crate) struct Scheduler {
    strategy: Scheduling,
    rng: RefCell<ChaCha8Rng>,
    pct: Option<RefCell<Pct>>,
    dfs: Option<RefCell<DfsState>>,
    /// Picks among two or more runnable tasks so far (PCT only: what
    /// [`Sim`](crate::Sim) measures a PCT horizon with).
    steps: Cell<u64>,
}

/// How many scheduling choices a runnable task may be passed over under
/// PCT before it runs anyway: a task spinning on `yield_now` at the top
/// priority would otherwise starve the one it waits for forever.
pub(crate) const PCT_FAIRNESS_STEPS: u64 = 1000;

/// PCT's state: priorities by task, and the change points left.
struct Pct {
    /// Each task's priority, and the step it last ran (or was first seen).
    priorities: BTreeMap<RawKey, (u64, u64)>,
    /// Steps at which the running task's priority drops, latest first.
    change_points: Vec<u64>,
    /// The priority the next change point gives (`depth - i`).
    next_low: u64,
}

impl Scheduler {
    pub(crate) fn new(seed: u64, strategy: Scheduling, choices: &Choices) -> Scheduler {
        let mut rng = Stream::Scheduler.rng(seed);
        let pct = match strategy {
            Scheduling::Pct { depth, steps } => {
                let horizon = if steps == 0 { DEFAULT_PCT_STEPS } else { steps };
                let mut change_points: Vec<u64> = (1..depth.max(1))
                    .map(|_| rng.random_range(1..=horizon))
                    .collect();
                change_points.sort_unstable_by(|a, b| b.cmp(a));
                change_points.dedup();
                Some(RefCell::new(Pct {
                    priorities: BTreeMap::new(),
                    change_points,
                    next_low: u64::from(depth.max(1)) - 1,
                }))
            }
            _ => None,
        };
        let dfs = matches!(strategy, Scheduling::Dfs { .. }).then(|| {
            RefCell::new(DfsState {
                choices: choices.clone(),
                options: Vec::new(),
            })
        });
        Scheduler {
            strategy,
            rng: RefCell::new(rng),
            pct,
            dfs,
            steps: Cell::new(0),
        }
    }

    /// Takes the task to poll next out of `runnable` (two or more tasks).
    pub(crate) fn pick(&self, runnable: &mut RunQueue) -> Option<RawKey> {
        match self.strategy {
            Scheduling::Fifo => runnable.pop_front(),
            Scheduling::Random if runnable.len() <= RANDOM_WINDOW => {
                let i = self.rng.borrow_mut().random_range(0..runnable.len());
                runnable.swap_remove_back(i)
            }
            Scheduling::Random => {
                // The window is the front of the queue; the front task
                // takes the chosen one's place in it.
                let i = window_pick(&mut self.rng.borrow_mut());
                runnable.swap_remove_front(i)
            }
            Scheduling::Pct { depth, .. } => {
                let pct = self.pct.as_ref().expect("PCT state exists under PCT");
                let step = self.steps.get() + 1;
                self.steps.set(step);
                pct.borrow_mut()
                    .pick(&mut self.rng.borrow_mut(), depth, step, runnable)
            }
            Scheduling::Dfs { .. } => {
                let dfs = self.dfs.as_ref().expect("DFS state exists under DFS");
                let i = dfs.borrow_mut().pick(runnable.len());
                runnable.remove(i)
            }
        }
    }

    /// Under DFS: how many tasks were runnable at each step of the run.
    pub(crate) fn take_options(&self) -> Vec<u32> {
        self.dfs
            .as_ref()
            .map(|d| std::mem::take(&mut d.borrow_mut().options))
            .unwrap_or_default()
    }

    /// A finished task leaves PCT's priority table. Inlined: without PCT,
    /// one test.
    #[inline]
    pub(crate) fn forget(&self, raw: RawKey) {
        if let Some(pct) = &self.pct {
            forget_pct(pct, raw);
        }
    }

    /// Steps taken so far under PCT.
    pub(crate) fn steps(&self) -> u64 {
        self.steps.get()
    }
}

/// A uniform index below [`RANDOM_WINDOW`]: the value, and the draw,
/// that `random_range(0..RANDOM_WINDOW)` gives (a 32-bit draw times the
/// range, high half: for a power of two, the top bits, never rejected),
/// without its general range checks, at every pick of a run with more
/// runnable tasks than the window.
#[inline]
fn window_pick(rng: &mut ChaCha8Rng) -> usize {
    const BITS: u32 = RANDOM_WINDOW.trailing_zeros();
    const _: () = assert!(RANDOM_WINDOW == 1 << BITS, "a power of two");
    (rng.next_u32() >> (u32::BITS - BITS)) as usize
}

/// [`Scheduler::forget`] under PCT.
#[cold]
fn forget_pct(pct: &RefCell<Pct>, raw: RawKey) {
    pct.borrow_mut().priorities.remove(&raw);
}

impl Pct {
    fn pick(
        &mut self,
        rng: &mut ChaCha8Rng,
        depth: u32,
        step: u64,
        runnable: &mut RunQueue,
    ) -> Option<RawKey> {
        for &raw in runnable.iter() {
            // Initial priorities sit above every changed one (< depth).
            self.priorities
                .entry(raw)
                .or_insert_with(|| (u64::from(depth) + rng.random_range(0..u64::MAX / 2), step));
        }
        if self.change_points.last() == Some(&step) {
            self.change_points.pop();
            let top = self.highest(runnable);
            let entry = self.priorities.get_mut(&runnable[top]).expect("seen above");
            entry.0 = self.next_low;
            self.next_low = self.next_low.saturating_sub(1);
        }
        let chosen = self
            .starved(runnable, step)
            .unwrap_or_else(|| self.highest(runnable));
        let raw = runnable.swap_remove_back(chosen)?;
        self.priorities.get_mut(&raw).expect("seen above").1 = step;
        Some(raw)
    }

    /// The index in `runnable` of the highest-priority task (ties: the
    /// earliest in the queue).
    fn highest(&self, runnable: &RunQueue) -> usize {
        let mut best = 0;
        let mut best_priority = 0;
        for (i, raw) in runnable.iter().enumerate() {
            let (p, _) = self.priorities[raw];
            if i == 0 || p > best_priority {
                best = i;
                best_priority = p;
            }
        }
        best
    }

    /// The runnable task passed over longest, if that is more than
    /// [`PCT_FAIRNESS_STEPS`] choices.
    fn starved(&self, runnable: &RunQueue, step: u64) -> Option<usize> {
        let (i, last) = runnable
            .iter()
            .enumerate()
            .map(|(i, raw)| (i, self.priorities[raw].1))
            .min_by_key(|&(_, last)| last)?;
        (step - last > PCT_FAIRNESS_STEPS).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks(seed: u64, runnable: usize, n: usize) -> Vec<RawKey> {
        let scheduler = Scheduler::new(seed, Scheduling::Random, &Choices::default());
        let mut queue: RunQueue = (0..runnable as u64).collect();
        (0..n)
            .map(|_| scheduler.pick(&mut queue).expect("runnable tasks left"))
            .collect()
    }

    #[test]
    fn random_pick_among_many_tasks_takes_one_of_the_longest_waiting() {
        let queue_len = 10_000;
        for (step, key) in picks(7, queue_len, 1_000).into_iter().enumerate() {
            // After `step` picks, the window holds keys below step + 64.
            assert!(
                key < (step + RANDOM_WINDOW) as u64,
                "pick {step} took key {key}, outside the window"
            );
        }
    }

    #[test]
    fn the_window_pick_draws_what_random_range_draws() {
        let mut a = Stream::Scheduler.rng(5);
        let mut b = a.clone();
        for _ in 0..10_000 {
            assert_eq!(window_pick(&mut a), b.random_range(0..RANDOM_WINDOW));
        }
    }

    #[test]
    fn random_pick_is_a_function_of_the_seed() {
        assert_eq!(picks(3, 1_000, 500), picks(3, 1_000, 500));
        assert_ne!(picks(3, 1_000, 500), picks(4, 1_000, 500));
        assert_eq!(picks(3, 10, 10), picks(3, 10, 10));
    }

    #[test]
    fn random_pick_reaches_every_task() {
        let mut all = picks(11, 5_000, 5_000);
        all.sort_unstable();
        assert_eq!(all, (0..5_000).collect::<Vec<_>>());
    }
}
