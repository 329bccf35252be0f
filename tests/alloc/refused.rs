//! When the allocator cannot serve a request inside a tracked poll, the
//! tracker prints a line with the seed and the replay command before it
//! returns null: the process may abort next, and that line is its report.

use detsim::{FailureKind, Sim};

use crate::common::{assert_contains, is_child, run_child};

/// More than any machine maps, yet a valid layout.
const IMPOSSIBLE: usize = 1 << 62;

#[test]
fn a_refused_request_that_the_task_handles_still_fails_the_run() {
    let swept = Sim::new()
        .allocation_cap(1 << 30)
        .try_run(|| async {
            let mut v: Vec<u8> = Vec::new();
            assert!(v.try_reserve_exact(IMPOSSIBLE).is_err());
        })
        .expect_err("the request is above the cap");
    let FailureKind::Allocation { bytes, served, .. } = swept.failure.kind else {
        panic!("expected an allocation failure, got:\n{swept}");
    };
    assert_eq!(bytes, IMPOSSIBLE as u64);
    assert!(!served);
    assert_contains(
        &swept.to_string(),
        "The allocator returned null and the task went on",
    );
}

#[test]
fn a_refused_request_aborts_the_process_with_the_seed_and_the_replay_line() {
    let child = run_child("refused::child_asks_for_the_impossible", &[]);
    assert!(!child.success, "the process aborts\n{}", child.all());
    let out = child.all();
    assert_contains(
        &out,
        "detsim: allocation failed: task `greedy` (task#1, spawned at tests/alloc/refused.rs:",
    );
    assert_contains(
        &out,
        "asked for 4611686018427387904 bytes (4 EiB) in one allocation in poll #",
    );
    assert_contains(
        &out,
        "of seed 0x2a, above the allocation cap of 1073741824 bytes",
    );
    assert_contains(
        &out,
        "replay: DETSIM_SEED=0x2a cargo test -p detsim --test alloc \
         refused::child_asks_for_the_impossible -- --exact",
    );
    // Then Rust's own last words.
    assert_contains(
        &out,
        "memory allocation of 4611686018427387904 bytes failed",
    );
}

/// Run by the test above in a child process; passes at once otherwise.
#[test]
fn child_asks_for_the_impossible() {
    if !is_child() {
        return;
    }
    Sim::new().allocation_cap(1 << 30).seed(0x2a).run(|| async {
        let greedy = detsim::task::Builder::new().name("greedy").spawn(async {
            let v: Vec<u8> = Vec::with_capacity(IMPOSSIBLE);
            drop(v);
        });
        greedy.await.unwrap();
    });
}
