//! What a user sees when a seed fails: one report naming the task, the
//! kind of failure and the line that replays it.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::{assert_contains, is_child, run_child};
use detsim::failure::TaskDesc;
use detsim::task::{Builder, yield_now};
use detsim::time::{Duration, Instant, sleep};
use detsim::{FailureKind, Runtime, Sim};
use futures::channel::oneshot;

/// Two withdrawals of 80 from a balance of 100, each checking the balance,
/// yielding, then subtracting: the classic check-then-act race. A
/// withdrawal that leaves the balance negative panics.
async fn overdraw_race() {
    let balance = Rc::new(Cell::new(100_i64));
    let withdrawals: Vec<_> = ["withdraw-a", "withdraw-b"]
        .into_iter()
        .map(|name| {
            let balance = Rc::clone(&balance);
            Builder::new().name(name).spawn(async move {
                if balance.get() >= 80 {
                    yield_now().await;
                    balance.set(balance.get() - 80);
                    assert!(balance.get() >= 0, "overdrawn: balance {}", balance.get());
                }
            })
        })
        .collect();
    for w in withdrawals {
        w.await.unwrap();
    }
}

#[track_caller]
fn assert_task_named(task: &TaskDesc, names: &[&str]) {
    let name = task.name.as_deref().unwrap_or("<unnamed>");
    assert!(names.contains(&name), "task {task} is not one of {names:?}");
    assert_contains(&task.spawned_at, "tests/workflow/failure_report.rs:");
}

#[test]
fn a_panicking_task_is_reported_with_its_name_and_a_replay_line_that_reproduces_it() {
    let sim = Sim::new().seeds(64);
    if is_child() {
        // We are the replay line being run: run the sweep as a user would.
        sim.run(overdraw_race);
        return;
    }
    let swept = sim.try_run(overdraw_race).expect_err("the race overdraws");
    let failure = &swept.failure;
    let FailureKind::Panic { task, message, .. } = &failure.kind else {
        panic!("expected a panic, got:\n{swept}");
    };
    assert_task_named(task, &["withdraw-a", "withdraw-b"]);
    assert_eq!(message, "overdrawn: balance -60");

    let this_test = std::thread::current().name().unwrap().to_string();
    let seed = format!("{:#x}", failure.seed);
    // The profile flag (`--release`...) depends on how this test was built.
    let (head, tail) = (
        format!("DETSIM_SEED={seed} cargo test -p detsim "),
        format!("--test workflow {this_test} -- --exact"),
    );
    assert!(
        swept.replay.starts_with(&head) && swept.replay.ends_with(&tail),
        "{}",
        swept.replay
    );

    // Run what the replay line runs: this test, with only DETSIM_SEED set.
    let child = run_child(&this_test, &[("DETSIM_SEED", &seed)]);
    assert!(!child.success, "the replayed seed passed:\n{}", child.all());
    // Same seed, time, tasks, digest, error, shrunk faults and last
    // events, line for line.
    assert_contains(&child.stderr, &swept.to_string());
    assert_contains(&child.all(), &format!("replay: {}", swept.replay));
}

#[test]
fn a_deadlocked_body_is_reported_as_a_deadlock_naming_both_tasks() {
    let swept = Sim::new()
        .try_run(|| async {
            // Each task waits for the other to speak first.
            let (to_left, from_right) = oneshot::channel::<()>();
            let (to_right, from_left) = oneshot::channel::<()>();
            let left = Builder::new().name("left").spawn(async move {
                sleep(Duration::from_millis(5)).await;
                from_right.await.unwrap();
                to_right.send(()).unwrap();
            });
            let right = Builder::new().name("right").spawn(async move {
                from_left.await.unwrap();
                to_left.send(()).unwrap();
            });
            left.await.unwrap();
            right.await.unwrap();
        })
        .expect_err("neither task can ever proceed");
    let FailureKind::Deadlock { stuck } = &swept.failure.kind else {
        panic!("expected a deadlock, got:\n{swept}");
    };
    let names: Vec<_> = stuck.iter().map(|s| s.task.name.as_deref()).collect();
    assert_eq!(names, [Some("main"), Some("left"), Some("right")]);
    for s in stuck {
        // `main` is the body: it points at the line that called `try_run`.
        assert_task_named(&s.task, &["main", "left", "right"]);
    }
    // The body waits on `left`, whose id is shown.
    assert_eq!(stuck[0].waits_on, format!("{} to finish", stuck[1].task.id));

    let report = swept.to_string();
    assert_contains(&report, "deadlock: 3 tasks wait forever");
    assert_contains(&report, "task `left`");
    assert_contains(&report, "task `right`");
    // The deadlock is found when the last timer has fired.
    assert_eq!(swept.failure.at.since_start(), Duration::from_millis(5));
    assert_contains(&report, "time:   t=5.000ms (virtual)");
    assert_contains(&report, "tasks:  3 alive");
    assert_contains(&report, "replay: DETSIM_SEED=0x");
}

#[test]
fn a_long_polling_task_is_reported_with_its_name() {
    // The one test that uses host time: the watchdog measures real polls.
    let swept = Sim::new()
        .long_poll_budget(Duration::from_millis(10))
        .try_run(|| async {
            let hog = Builder::new().name("hog").spawn(async {
                std::thread::sleep(std::time::Duration::from_millis(100));
            });
            hog.await.unwrap();
        })
        .expect_err("a 100 ms poll exceeds a 10 ms budget");
    let FailureKind::LongPoll {
        task, took, budget, ..
    } = &swept.failure.kind
    else {
        panic!("expected a long poll, got:\n{swept}");
    };
    assert_task_named(task, &["hog"]);
    assert!(*took >= Duration::from_millis(100), "took {took:?}");
    assert_eq!(*budget, Duration::from_millis(10));
    assert_contains(&swept.to_string(), "long poll: task `hog`");
}

#[test]
fn a_zero_long_poll_budget_disables_the_watchdog() {
    Sim::new()
        .long_poll_budget(Duration::ZERO)
        .try_run(|| async {
            std::thread::sleep(std::time::Duration::from_millis(60));
        })
        .unwrap_or_else(|f| panic!("the watchdog was off, yet:\n{f}"));
}

#[test]
fn a_body_returning_err_fails_the_seed_with_the_error() {
    let swept = Sim::new()
        .try_run(|| async {
            sleep(Duration::from_secs(2)).await;
            Err::<(), _>("disk full")
        })
        .expect_err("the body returned Err");
    assert_eq!(
        swept.failure.kind,
        FailureKind::Error("\"disk full\"".into())
    );
    assert_eq!(swept.failure.at.since_start(), Duration::from_secs(2));
}

#[test]
fn run_panics_with_the_seed_and_the_replay_line() {
    let panic = std::panic::catch_unwind(|| {
        Sim::new().run(|| async {
            Builder::new()
                .name("doomed")
                .spawn(async { panic!("boom") })
                .await
                .unwrap();
        })
    })
    .expect_err("run panics when a seed fails");
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert_contains(message, "detsim: seed 0x");
    assert_contains(message, "task `doomed`");
    assert_contains(message, ": boom");
    assert_contains(message, "\nreplay: DETSIM_SEED=0x");
}

#[test]
fn a_panic_in_the_test_body_names_the_line_that_started_the_run() {
    let line = line!() + 2;
    let swept = Sim::new()
        .try_run(|| async {
            sleep(Duration::from_millis(1)).await;
            give_up();
        })
        .expect_err("the body panics");
    let FailureKind::Panic { task, message, .. } = &swept.failure.kind else {
        panic!("expected a panic, got:\n{swept}");
    };
    assert_eq!(message, "the body gives up");
    assert_eq!(task.name.as_deref(), Some("main"));
    let at = format!("tests/workflow/failure_report.rs:{line}:");
    assert!(task.spawned_at.starts_with(&at), "{task}: expected {at}..");
}

/// Tasks alive when a run fails, for the next test.
static DROPPED: AtomicUsize = AtomicUsize::new(0);

struct CountDrop;

impl Drop for CountDrop {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Panics, typed `()` so the body's type stays `()`.
fn give_up() {
    panic!("the body gives up");
}

#[test]
fn a_failed_run_drops_its_tasks_and_leaves_nothing_behind_for_the_next_run() {
    let swept = Sim::new()
        .try_run(|| async {
            for _ in 0..3 {
                let guard = CountDrop;
                detsim::spawn(async move {
                    let _guard = guard;
                    sleep(Duration::from_secs(3600)).await;
                });
            }
            yield_now().await;
            give_up();
        })
        .expect_err("the body panics");
    // The failing seed runs once more, with event recording, for its
    // report, and once per re-run of the shrinker if faults were injected.
    let shrink_runs = swept.shrunk.as_ref().map_or(0, |s| u64::from(s.runs));
    assert_eq!(
        DROPPED.load(Ordering::Relaxed) as u64,
        3 * (swept.seeds_run + 1 + shrink_runs),
        "every task of every failed run is dropped"
    );
    // The thread is free for the next run, which starts from a clean slate.
    assert!(detsim::task::try_id().is_none());
    let now = Runtime::sim(1).block_on(async { Instant::now() });
    assert_eq!(now, Instant::ZERO);
}

/// Runs of the next test's body in this process.
static FLAKY_RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[test]
fn a_report_whose_rerun_did_not_fail_says_so_instead_of_showing_no_events() {
    let failure = Sim::new()
        .jobs(1)
        .try_run(|| async {
            // Fails on the sweep's run only: the re-run that collects the
            // report's events passes.
            let run = FLAKY_RUNS.fetch_add(1, Ordering::Relaxed);
            assert!(run > 0, "fails only the first time");
        })
        .expect_err("the first run fails");
    let note = failure.failure.note.as_deref().unwrap_or_default();
    assert_contains(note, "the re-run that collects them passed");
    let report = failure.to_string();
    assert_contains(&report, "note:   no recent events");
    assert!(!report.contains("last 0 events"), "{report}");
}
