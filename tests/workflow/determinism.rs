//! A seed's trace digest is a pure function of the seed, across runs and
//! processes; the determinism check catches bodies that break that.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::common::{self, is_child, parse_u64, run_child};
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
        "determinism::child_prints_the_digest_of_the_seed_in_detsim_seed",
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
    let last = failure
        .failure
        .recent_events
        .last()
        .map(ToString::to_string);
    assert_eq!(last.as_ref(), Some(second));
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

/// Counts runs of the outcome tests: odd runs are the check's second run.
static OUTCOME_RUNS: AtomicU64 = AtomicU64::new(0);

#[test]
fn a_body_that_passes_once_and_returns_err_the_second_time_fails_the_check() {
    let failure = Sim::new()
        .jobs(1)
        .check_determinism(true)
        .try_run(|| async {
            sleep(Duration::from_millis(1)).await;
            match OUTCOME_RUNS.fetch_add(1, Ordering::Relaxed) % 2 {
                0 => Ok(()),
                _ => Err("the second run's own error"),
            }
        })
        .expect_err("Ok then Err is not deterministic, although the traces are equal");
    let FailureKind::Nondeterminism {
        index,
        first_outcome,
        second_outcome,
        ..
    } = &failure.failure.kind
    else {
        panic!("expected a nondeterminism failure, got:\n{failure}");
    };
    assert_eq!(*index, None, "the traces are equal:\n{failure}");
    common::assert_contains(first_outcome, "passed");
    common::assert_contains(second_outcome, "the second run's own error");
    common::assert_contains(&failure.to_string(), "ended differently");
}

static PANIC_RUNS: AtomicU64 = AtomicU64::new(0);

#[test]
fn a_panic_in_the_second_run_keeps_its_own_message_and_location() {
    let failure = Sim::new()
        .jobs(1)
        .check_determinism(true)
        .try_run(|| async {
            let run = PANIC_RUNS.fetch_add(1, Ordering::Relaxed);
            yield_now().await;
            if run % 2 == 1 {
                detsim::spawn(async { panic!("only the second run panics") });
                sleep(Duration::from_millis(1)).await;
            }
        })
        .expect_err("the second run panics");
    let FailureKind::Nondeterminism {
        first_outcome,
        second_outcome,
        ..
    } = &failure.failure.kind
    else {
        panic!("expected a nondeterminism failure, got:\n{failure}");
    };
    common::assert_contains(first_outcome, "passed");
    common::assert_contains(second_outcome, "only the second run panics");
    common::assert_contains(second_outcome, "tests/workflow/determinism.rs:");
    let report = failure.to_string();
    common::assert_contains(&report, "second run: task#");
}

thread_local! {
    /// Differs between the check's two runs of a seed (they run on the same
    /// thread), like a host clock read into a payload would.
    static BYTE_RUNS: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
}

/// Writes one byte that depends on how often this thread ran the body: the
/// events (a write of 1 byte) are the same every run, the byte is not.
async fn writes_a_host_dependent_byte() {
    let byte = BYTE_RUNS.with(|c| {
        c.set(c.get().wrapping_add(1));
        c.get()
    });
    let (a, b) = detsim::io::duplex(64);
    a.try_write(&[byte]).unwrap();
    sleep(Duration::from_millis(1)).await;
    let mut buf = [0; 1];
    assert_eq!(b.try_read(&mut buf).unwrap(), 1);
}

#[test]
fn a_host_dependent_payload_passes_the_trace_check_and_fails_the_bytes_check() {
    Sim::new()
        .jobs(1)
        .check_determinism(true)
        .try_run(writes_a_host_dependent_byte)
        .unwrap_or_else(|f| panic!("the trace check sees no difference:\n{f}"));
    let failure = Sim::new()
        .jobs(1)
        .check_determinism_bytes(true)
        .try_run(writes_a_host_dependent_byte)
        .expect_err("the bytes check sees the payload differ");
    let FailureKind::Nondeterminism { first, second, .. } = &failure.failure.kind else {
        panic!("expected a nondeterminism failure, got:\n{failure}");
    };
    common::assert_contains(first, "write #0 after event #");
    common::assert_contains(second, "1 bytes");
    assert_ne!(first, second);
    common::assert_contains(&failure.to_string(), "wrote different bytes");
}

#[detsim::test(check_determinism = "bytes", regressions = false)]
#[should_panic(expected = "wrote different bytes")]
async fn the_test_attribute_takes_check_determinism_bytes() {
    writes_a_host_dependent_byte().await;
}
