//! The OS runtime's blocking pool starts a thread for every job of a burst,
//! up to its bound, instead of queueing the burst behind the threads it
//! already has: four 100 ms jobs take about 100 ms, not 400.
//!
//! The tests prove parallelism without timing anything: the jobs meet at a
//! rendezvous that opens only when all of them run at the same time. The
//! rendezvous gives up after a generous host-time limit, so a pool that runs
//! the jobs one after another fails with a message instead of hanging.

#![cfg(target_os = "linux")]

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use detsim::Runtime;
use detsim::task::spawn_blocking;

/// How long a job waits for the others before it reports that they never
/// ran beside it: far longer than starting a thread takes on a loaded
/// machine.
const GIVE_UP: Duration = Duration::from_secs(10);

/// A `std::sync::Barrier` that gives up after [`GIVE_UP`].
struct Rendezvous {
    arrived: Mutex<usize>,
    all_here: Condvar,
    parties: usize,
}

impl Rendezvous {
    fn new(parties: usize) -> Arc<Rendezvous> {
        Arc::new(Rendezvous {
            arrived: Mutex::new(0),
            all_here: Condvar::new(),
            parties,
        })
    }

    /// Waits until every party has arrived; returns how many had arrived
    /// when it returned (all of them, unless it gave up).
    fn meet(&self) -> usize {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all_here.notify_all();
        let (arrived, _) = self
            .all_here
            .wait_timeout_while(arrived, GIVE_UP, |n| *n < self.parties)
            .unwrap();
        *arrived
    }
}

/// Runs `jobs` rendezvous jobs as one burst on `rt` and returns what each saw.
fn burst(rt: &Runtime, jobs: usize) -> Vec<usize> {
    let meeting = Rendezvous::new(jobs);
    rt.block_on(async move {
        let handles: Vec<_> = (0..jobs)
            .map(|_| {
                let meeting = Arc::clone(&meeting);
                spawn_blocking(move || meeting.meet())
            })
            .collect();
        let mut seen = Vec::new();
        for h in handles {
            seen.push(h.await.unwrap());
        }
        seen
    })
}

#[test]
fn a_burst_of_four_blocking_jobs_runs_on_four_threads_at_once() {
    let rt = Runtime::os().unwrap();
    let seen = burst(&rt, 4);
    assert_eq!(
        seen,
        vec![4; 4],
        "the four jobs never ran at the same time: the pool ran them one after another"
    );
}

#[test]
fn a_warm_pool_with_one_idle_thread_still_starts_threads_for_a_burst() {
    let rt = Runtime::os().unwrap();
    // One job first: its thread is idle when the burst arrives, and must
    // not be handed all four jobs.
    assert_eq!(burst(&rt, 1), vec![1]);
    for round in 0..3 {
        let seen = burst(&rt, 4);
        assert_eq!(
            seen,
            vec![4; 4],
            "round {round}: the four jobs never ran at the same time; the pool \
             queued the burst behind its idle threads instead of starting new ones"
        );
    }
}

#[test]
fn a_burst_larger_than_the_bound_still_completes() {
    // Sixteen jobs, eight threads: the rest queue, and every job runs.
    let rt = Runtime::os().unwrap();
    let done = rt.block_on(async {
        let handles: Vec<_> = (0..16u64).map(|n| spawn_blocking(move || n * 2)).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(done, (0..16u64).map(|n| n * 2).sum::<u64>());
}
