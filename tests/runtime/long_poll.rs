//! The long-poll watchdog and the stall monitor, as a user meets them: a
//! task that blocks its thread is reported every time, a busy host never
//! fails a seed, and a task that blocks forever ends the test with a report
//! instead of a silent hang.
//!
//! These tests block threads on purpose (real `std::thread::sleep`s): the
//! watchdog measures host time. They assert only lower bounds that a sleep
//! guarantees, never that anything is fast.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::common::{assert_contains, is_child, run_child};
use detsim::task::Builder;
use detsim::time::{Duration, sleep};
use detsim::trace::EventKind;
use detsim::{Config, FailureKind, Faults, Runtime, Sim};

/// A real blocking call inside a task: no CPU time, all wall time.
fn block_thread(ms: u64) {
    std::thread::sleep(std::time::Duration::from_millis(ms));
}

#[test]
fn a_real_thread_sleep_in_a_task_is_reported_as_a_long_poll_on_every_run() {
    let mut polls = Vec::new();
    for seed in 0..4 {
        // Without legal behaviour: its spurious polls would add polls
        // before the long one on some seeds.
        let swept = Sim::new()
            .faults(Faults::none())
            .seed(seed)
            .try_run(|| async {
                sleep(Duration::from_millis(1)).await;
                let hog = Builder::new().name("hog").spawn(async {
                    sleep(Duration::from_millis(2)).await;
                    block_thread(100);
                    sleep(Duration::from_millis(3)).await;
                });
                hog.await.unwrap();
            })
            .expect_err("a 100 ms block exceeds the 50 ms default budget");
        let FailureKind::LongPoll {
            task,
            poll,
            took,
            budget,
            resumed,
        } = &swept.failure.kind
        else {
            panic!("expected a long poll, got:\n{swept}");
        };
        assert_eq!(task.name.as_deref(), Some("hog"));
        assert_contains(&task.spawned_at, "tests/runtime/long_poll.rs:");
        assert!(*took >= Duration::from_millis(100), "took {took:?}");
        assert_eq!(*budget, Duration::from_millis(50));
        // The blocking poll is the one that resumed from the 2 ms sleep.
        assert_eq!(resumed, "after waiting on a timer at t=3.000ms");
        // The report's events end at the long poll: the hog's second poll,
        // the one that blocked, and nothing after it.
        let last = swept.failure.recent_events.last().expect("events");
        assert_eq!(last.event().kind, EventKind::Polled { task: task.id });
        assert_contains(&last.to_string(), &format!("poll {} `hog`", task.id));
        assert_eq!(swept.failure.at.since_start(), Duration::from_millis(3));
        let report = swept.to_string();
        assert_contains(&report, "long poll: task `hog`");
        assert_contains(&report, &format!("poll #{poll} of the run"));
        polls.push(*poll);
    }
    // Same program, same schedule shape: the same poll every time.
    assert!(polls.windows(2).all(|w| w[0] == w[1]), "{polls:?}");
}

#[test]
fn a_long_block_in_the_body_s_final_poll_is_reported() {
    // No faults: a spurious poll would add to the body's poll count.
    let swept = Sim::new()
        .faults(Faults::none())
        .try_run(|| async {
            sleep(Duration::from_millis(1)).await;
            // The body's last poll: it returns right after blocking.
            block_thread(120);
        })
        .expect_err("a 120 ms block in the last poll exceeds the budget");
    let FailureKind::LongPoll { task, poll, .. } = &swept.failure.kind else {
        panic!("expected a long poll, got:\n{swept}");
    };
    assert_eq!(task.name.as_deref(), Some("main"));
    assert_eq!(*poll, 2, "the body's second and last poll");
}

/// Set once the host "hiccup" has happened: only the first run blocks.
static HICCUPPED: AtomicBool = AtomicBool::new(false);

#[test]
fn a_long_poll_that_a_re_run_does_not_repeat_warns_once_and_the_seed_passes() {
    if !is_child() {
        let child = run_child(
            "long_poll::a_long_poll_that_a_re_run_does_not_repeat_warns_once_and_the_seed_passes",
            &[],
        );
        assert!(child.success, "the seed must pass:\n{}", child.all());
        let warnings: Vec<&str> = child
            .stderr
            .lines()
            .filter(|l| l.starts_with("detsim: warning:"))
            .collect();
        assert_eq!(warnings.len(), 1, "{}", child.all());
        let warning = warnings[0];
        assert_contains(warning, "not a long poll: task `victim`");
        assert_contains(warning, "poll #");
        assert_contains(warning, "when the seed was re-run");
        return;
    }
    // What a busy host does to a correct task: its first run is held off
    // the CPU for 80 ms in one poll; the deterministic re-run is not.
    Sim::new()
        .try_run(|| async {
            let victim = Builder::new().name("victim").spawn(async {
                sleep(Duration::from_millis(1)).await;
                if !HICCUPPED.swap(true, Ordering::Relaxed) {
                    block_thread(80);
                }
            });
            victim.await.unwrap();
        })
        .unwrap_or_else(|f| panic!("host timing decided the verdict:\n{f}"));
}

#[test]
fn a_standalone_runtime_only_warns_about_a_long_poll() {
    // It cannot re-run its future to confirm, so a host delay must not
    // fail it.
    let rt = Runtime::with_config(7, Config::default());
    let out = rt.try_block_on(async {
        sleep(Duration::from_millis(1)).await;
        // Not the last poll: the old watchdog did check this one.
        block_thread(60);
        sleep(Duration::from_millis(1)).await;
        5
    });
    assert_eq!(out.map_err(|f| f.to_string()), Ok(5));
}

#[test]
fn a_task_that_blocks_its_thread_forever_ends_the_process_with_a_report() {
    const TEST: &str =
        "long_poll::a_task_that_blocks_its_thread_forever_ends_the_process_with_a_report";
    if !is_child() {
        let child = run_child(TEST, &[("DETSIM_STALL_LIMIT", "0.5")]);
        assert!(!child.success, "the child must fail:\n{}", child.all());
        let err = &child.stderr;
        assert_contains(
            err,
            "detsim: stalled: task#1 (spawned at tests/runtime/long_poll.rs:",
        );
        assert_contains(err, "of seed 0x2a");
        assert_contains(err, "stall limit 500ms");
        assert_contains(
            err,
            &format!(
                "replay: DETSIM_SEED=0x2a cargo test -p detsim --test runtime {TEST} -- --exact"
            ),
        );
        return;
    }
    Sim::new().seed(0x2a).run(|| async {
        let stuck = detsim::spawn(async {
            // Waits on detsim's clock with a blocking executor: the
            // simulation can never advance, so this never returns.
            futures::executor::block_on(sleep(Duration::from_millis(1)));
        });
        stuck.await.unwrap();
    });
    unreachable!("the stall monitor ends the process");
}
