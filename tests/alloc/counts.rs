//! What a task is charged, per poll and in total, on allocation patterns
//! whose sizes are known.

use detsim::alloc::{Usage, stats};
use detsim::task::{Builder, yield_now};
use detsim::{Config, Faults, Runtime, spawn};

fn usage(bytes: u64, allocations: u64) -> Usage {
    Usage { bytes, allocations }
}

/// A runtime with no spurious polls, so each `yield_now` is one poll.
fn runtime() -> Runtime {
    let mut config = Config::default();
    config.faults = Faults::none();
    Runtime::with_config(7, config)
}

#[track_caller]
fn now() -> detsim::alloc::Stats {
    stats().expect("the tracker is installed and a task is polled")
}

#[test]
fn each_poll_starts_at_zero_and_the_task_total_adds_the_polls_up() {
    runtime().block_on(async {
        let worker = Builder::new().name("worker").spawn(async {
            let first = now();
            assert_eq!(first.poll, Usage::default(), "nothing allocated yet");
            assert_eq!(first.task, Usage::default());
            let a: Vec<u8> = Vec::with_capacity(1000);
            let b = Box::new([7u64; 8]);
            assert_eq!(now().poll, usage(1064, 2));
            yield_now().await;

            let second = now();
            assert_eq!(second.poll, Usage::default(), "a new poll");
            assert_eq!(second.task, usage(1064, 2));
            drop((a, b));
            assert_eq!(now().task, usage(1064, 2), "frees are not subtracted");
            // A reallocation counts as an allocation of its new size.
            let mut v: Vec<u8> = Vec::with_capacity(16);
            v.reserve_exact(100);
            assert_eq!(v.capacity(), 100);
            assert_eq!(now().poll, usage(16 + 100, 2));
            yield_now().await;

            now().task
        });
        assert_eq!(worker.await.unwrap(), usage(1064 + 116, 4));
    });
}

#[test]
fn tasks_are_charged_apart_and_the_body_is_a_task_too() {
    runtime().block_on(async {
        let before = now().task;
        let small = spawn(async {
            let _v: Vec<u8> = Vec::with_capacity(10);
            yield_now().await;
            now().task
        });
        let large = spawn(async {
            let _v: Vec<u32> = Vec::with_capacity(1000);
            yield_now().await;
            now().task
        });
        // Each spawn charges the spawner for the task's cell (its future
        // and its output's slot in one allocation), and nothing of the
        // executor's.
        let spawned = now().task;
        assert_eq!(spawned.allocations - before.allocations, 2);
        assert_eq!(small.await.unwrap(), usage(10, 1));
        assert_eq!(large.await.unwrap(), usage(4000, 1));
        assert_eq!(
            now().task.allocations,
            spawned.allocations,
            "joining is detsim's work"
        );
    });
}

#[test]
fn stats_is_none_outside_a_task_and_on_the_os_runtime() {
    assert_eq!(stats(), None, "no runtime");
    let os = Runtime::os().expect("epoll is available");
    os.block_on(async {
        assert_eq!(stats(), None, "the OS runtime tracks nothing");
        // Nor does it enforce a cap; a large untouched buffer is fine.
        let big: Vec<u8> = Vec::with_capacity(4 << 30);
        assert_eq!(big.capacity(), 4 << 30);
    });
}
