//! A seed's trace digest is a pure function of the seed, across runs and
//! processes; the determinism check catches bodies that break that.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{is_child, parse_u64, run_child};
use detsim::task::{Builder, yield_now};
use detsim::time::{Duration, Instant, interval, sleep, timeout};
use detsim::{FailureKind, Runtime, Sim};

const SEED: u64 = 0x5eed;

/// A workload touching every source of decisions: the scheduler, timers,
/// timeouts, intervals, nested spawns and the user rng. Returns a log of
/// what happened, in order.
async fn mixed_workload() -> Vec<String> {
    let log = Rc::new(RefCell::new(Vec::new()));
    let workers: Vec<_> = (0..6)
        .map(|n| {
            let log = Rc::clone(&log);
            Builder::new()
                .name(&format!("worker-{n}"))
                .spawn(async move {
                    let nap = Duration::from_micros(detsim::rand::random_range(0..5_000));
                    sleep(nap).await;
                    yield_now().await;
                    let child = detsim::spawn(async { detsim::rand::random::<u32>() % 100 });
                    let drawn = child.await.unwrap();
                    let slow = sleep(Duration::from_millis(u64::from(drawn)));
                    let timed_out = timeout(Duration::from_millis(50), slow).await.is_err();
                    log.borrow_mut().push(format!(
                        "{n}@{} drew {drawn} timed_out={timed_out}",
                        Instant::now()
                    ));
                })
        })
        .collect();
    let mut ticks = interval(Duration::from_millis(7));
    for _ in 0..4 {
        ticks.tick().await;
    }
    for w in workers {
        w.await.unwrap();
    }
    log.take()
}

fn digest_in_this_process(seed: u64) -> (u64, Vec<String>) {
    let rt = Runtime::sim(seed);
    let log = rt.block_on(mixed_workload());
    (rt.digest(), log)
}

#[test]
#[ignore = "run as a child process by the_trace_digest_of_a_seed_is_equal_across_two_processes"]
fn child_prints_the_digest_of_the_seed_in_detsim_seed() {
    if !is_child() {
        return;
    }
    let report = Sim::new().run(|| async {
        println!("log: {:?}", mixed_workload().await);
    });
    assert_eq!(report.runs.len(), 1, "DETSIM_SEED runs exactly one seed");
    println!("seed: {:#x}", report.runs[0].seed);
    println!("digest: {:#x}", report.runs[0].digest);
}

#[test]
fn the_trace_digest_of_a_seed_is_equal_across_two_processes() {
    let (digest, log) = digest_in_this_process(SEED);
    let (other_digest, _) = digest_in_this_process(SEED + 1);
    assert_ne!(digest, other_digest, "the digest must depend on the seed");

    let child = run_child(
        "child_prints_the_digest_of_the_seed_in_detsim_seed",
        &[("DETSIM_SEED", &format!("{SEED:#x}"))],
    );
    assert!(child.success, "the child failed\n{}", child.all());
    assert_eq!(parse_u64(&child.value_of("seed")), SEED);
    assert_eq!(child.value_of("log"), format!("{log:?}"));
    assert_eq!(
        parse_u64(&child.value_of("digest")),
        digest,
        "seed {SEED:#x} gave another digest in the child process"
    );
}

#[test]
fn the_determinism_check_passes_a_deterministic_body() {
    let report = Sim::new()
        .seeds(8)
        .check_determinism(true)
        .try_run(mixed_workload_ok)
        .unwrap_or_else(|f| panic!("a deterministic body failed the check:\n{f}"));
    assert!(!report.runs.is_empty());
}

async fn mixed_workload_ok() {
    mixed_workload().await;
}

/// Counts runs across the whole process: state that outlives a run, so the
/// second run of a seed sees a different value than the first.
static RUNS: AtomicU64 = AtomicU64::new(0);

#[test]
fn the_determinism_check_names_the_first_event_where_a_process_wide_counter_diverges() {
    let failure = Sim::new()
        .jobs(1)
        .check_determinism(true)
        .try_run(|| async {
            let run = RUNS.fetch_add(1, Ordering::Relaxed);
            sleep(Duration::from_millis(1 + run % 2)).await;
        })
        .expect_err("two runs sleeping 1 ms and 2 ms must be told apart");
    let FailureKind::Nondeterminism { first, second, .. } = &failure.failure.kind else {
        panic!("expected a nondeterminism failure, got:\n{failure}");
    };
    // The runs part where the clock jumps to the first sleep's deadline.
    assert_eq!(first, "t=1.000ms clock advanced");
    assert_eq!(second, "t=2.000ms clock advanced");
    assert_eq!(failure.failure.recent_events.last(), Some(second));
    common::assert_contains(&failure.to_string(), "diverged at event #");
}

#[test]
fn the_determinism_check_catches_a_body_that_iterates_a_std_hash_map() {
    let failure = Sim::new()
        .jobs(1)
        .check_determinism(true)
        .try_run(|| async {
            // Each `HashMap::new()` gets fresh random keys, so the iteration
            // order (here: which task sleeps how long) changes between runs.
            let naps: HashMap<u64, ()> = (1..=32).map(|ms| (ms, ())).collect();
            let tasks: Vec<_> = naps
                .keys()
                .map(|&ms| detsim::spawn(sleep(Duration::from_millis(ms))))
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        })
        .expect_err("a HashMap's iteration order differs between two runs");
    let FailureKind::Nondeterminism { first, second, .. } = &failure.failure.kind else {
        panic!("expected a nondeterminism failure, got:\n{failure}");
    };
    assert_ne!(first, second);
}
