//! The scheduling strategies a runtime can use ([`Scheduling`]); how each
//! picks is in `scheduler.rs`, and the runner's side of PCT's horizon and
//! the bounded search in `runner/sim/strategy.rs` and `runner/dfs.rs`.

/// How the executor picks the next task among the runnable ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scheduling {
    /// A seeded uniform choice: different seeds explore different
    /// interleavings. The default. With more than 64 runnable tasks, the
    /// choice is among the 64 that have waited longest, so a pick costs
    /// the same at a million runnable tasks as at ten.
    #[default]
    Random,
    /// First woken, first polled: for debugging a schedule by hand.
    Fifo,
    /// PCT, probabilistic concurrency testing: seeded task priorities and
    /// `depth - 1` seeded priority-change points among the run's first
    /// `steps` scheduling choices. It finds a bug that needs `depth`
    /// ordering constraints with a probability the random walk cannot
    /// promise, in particular one that needs a task to run a long stretch
    /// undisturbed. `steps: 0` lets [`Sim`](crate::Sim) measure the
    /// horizon (one run of the first seed's code path under seed 0); a
    /// bare runtime takes 1000 then. [`Scheduling::pct`] builds it.
    Pct {
        /// How many ordering constraints the bugs sought need (1: no
        /// change point, only priorities).
        depth: u32,
        /// The horizon over which change points are drawn: the number of
        /// scheduling choices (picks among two or more runnable tasks) a
        /// run makes, or 0 to measure it.
        steps: u64,
    },
    /// Bounded exhaustive search, as loom and CHESS do it: for each seed
    /// of the sweep, every schedule that departs from first-woken,
    /// first-polled order at most `bound` times (a *preemption*: running
    /// any runnable task other than the first in the queue), in
    /// depth-first order, up to `max_schedules` runs per seed. A bug that
    /// needs at most `bound` preemptions is found for certain when the
    /// search completes; small tests (a few tasks, tens of choices)
    /// complete in seconds with `bound` 2 or 3. The seed still decides
    /// everything else (legal behaviour, faults, same-instant timers).
    /// A failing schedule replays from its replay string, which names its
    /// preemptions (`0x0@17.3`: at the 17th choice, the fourth runnable
    /// task). [`Scheduling::dfs`] builds it. The search is the runner's:
    /// a bare [`Runtime`](crate::Runtime) runs one schedule, the FIFO
    /// baseline.
    Dfs {
        /// The most preemptions a schedule makes.
        bound: u32,
        /// The most schedules run per seed; the sweep prints when the
        /// search stopped there rather than completing.
        max_schedules: u64,
    },
}

impl Scheduling {
    /// PCT at `depth`, its horizon measured by the runner.
    ///
    /// ```
    /// use detsim::{Scheduling, Sim};
    ///
    /// Sim::new().scheduling(Scheduling::pct(2)).seeds(20).run(|| async {
    ///     let a = detsim::spawn(async { 1 });
    ///     let b = detsim::spawn(async { 2 });
    ///     assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
    /// });
    /// ```
    pub fn pct(depth: u32) -> Scheduling {
        Scheduling::Pct { depth, steps: 0 }
    }

    /// Bounded exhaustive search with at most `bound` preemptions per
    /// schedule and at most [`Scheduling::DEFAULT_DFS_SCHEDULES`]
    /// schedules per seed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use detsim::{Scheduling, Sim};
    ///
    /// // Two tasks each read then write a counter, yielding in between:
    /// // one preemption is enough to lose an update, and the search with
    /// // bound 1 tries every place to put it.
    /// let failure = Sim::new()
    ///     .scheduling(Scheduling::dfs(1))
    ///     .seeds(1)
    ///     .try_run(|| async {
    ///         let n = Arc::new(AtomicU32::new(0));
    ///         let add = |n: Arc<AtomicU32>| async move {
    ///             let seen = n.load(Ordering::SeqCst);
    ///             detsim::task::yield_now().await;
    ///             n.store(seen + 1, Ordering::SeqCst);
    ///         };
    ///         let a = detsim::spawn(add(n.clone()));
    ///         let b = detsim::spawn(add(n.clone()));
    ///         a.await.unwrap();
    ///         b.await.unwrap();
    ///         assert_eq!(n.load(Ordering::SeqCst), 2, "an update was lost");
    ///     })
    ///     .unwrap_err();
    /// assert!(failure.to_string().contains("an update was lost"));
    /// ```
    pub fn dfs(bound: u32) -> Scheduling {
        Scheduling::Dfs {
            bound,
            max_schedules: Scheduling::DEFAULT_DFS_SCHEDULES,
        }
    }
}

impl Scheduling {
    /// How many schedules [`Scheduling::dfs`] runs per seed at most.
    pub const DEFAULT_DFS_SCHEDULES: u64 = 10_000;

    /// The text `DETSIM_STRATEGY` takes for this strategy.
    pub(crate) fn env_value(&self) -> String {
        match *self {
            Scheduling::Random => "random".to_string(),
            Scheduling::Fifo => "fifo".to_string(),
            Scheduling::Pct { depth, steps } => format!("pct:{depth}:{steps}"),
            Scheduling::Dfs {
                bound,
                max_schedules,
            } => format!("dfs:{bound}:{max_schedules}"),
        }
    }
}
