//! `sync` is detsim's in both worlds: deterministic under the
//! simulation (tokio's `watch` and `Barrier` were not), named in deadlock
//! reports, and working on a real tokio runtime.

use std::sync::Arc;

use detsim::{Faults, Sim};
use detsim_tokio::sync::{Barrier, Mutex, mpsc, oneshot, watch};

/// Tasks that race through a watch channel and a barrier; returns the
/// run's trace digest.
fn watch_and_barrier_digest(seed: u64) -> u64 {
    let rt = detsim::Runtime::sim(seed);
    rt.block_on(async {
        let (tx, rx) = watch::channel(0u32);
        let barrier = Arc::new(Barrier::new(4));
        let mut tasks = Vec::new();
        for _ in 0..3 {
            let (mut rx, barrier) = (rx.clone(), Arc::clone(&barrier));
            tasks.push(detsim::spawn(async move {
                while *rx.borrow_and_update() < 5 {
                    rx.changed().await.unwrap();
                }
                barrier.wait().await.is_leader()
            }));
        }
        for value in 1..=5 {
            tx.send(value).unwrap();
            detsim::task::yield_now().await;
        }
        let mut leaders = usize::from(barrier.wait().await.is_leader());
        for task in tasks {
            leaders += usize::from(task.await.unwrap());
        }
        assert_eq!(leaders, 1, "exactly one barrier leader");
    });
    rt.digest()
}

#[test]
fn watch_and_barrier_replay_exactly_for_every_seed() {
    for seed in 0..100 {
        assert_eq!(
            watch_and_barrier_digest(seed),
            watch_and_barrier_digest(seed),
            "seed {seed} must replay"
        );
    }
}

#[test]
fn watch_and_barrier_pass_a_sweep_with_determinism_checked() {
    Sim::new()
        .faults(Faults::default())
        .seeds(100)
        .check_determinism(true)
        .run(|| async {
            let (tx, mut rx) = watch::channel("a");
            let barrier = Arc::new(Barrier::new(2));
            let other = Arc::clone(&barrier);
            let task = detsim::spawn(async move {
                rx.changed().await.unwrap();
                other.wait().await;
                *rx.borrow()
            });
            tx.send("b").unwrap();
            barrier.wait().await;
            assert_eq!(task.await.unwrap(), "b");
        });
}

#[test]
fn a_deadlock_report_names_the_stand_in_mutex() {
    let failure = Sim::new()
        .seeds(1)
        .shrink(false)
        .regressions(false)
        .try_run(|| async {
            let lock = Arc::new(Mutex::new(0));
            let _held = lock.lock().await;
            let (_tx, rx) = oneshot::channel::<()>();
            let other = Arc::clone(&lock);
            detsim::spawn(async move {
                let _second = other.lock().await;
                drop(rx);
            });
            // main waits for a task that waits for the lock main holds.
            let (_keep, mut never) = mpsc::channel::<()>(1);
            never.recv().await;
        })
        .unwrap_err();
    let report = failure.to_string();
    assert!(report.contains("deadlock"), "{report}");
    assert!(
        report.contains("Mutex"),
        "the report names the mutex:\n{report}"
    );
}

#[test]
fn sync_works_on_a_real_tokio_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let counter = Arc::new(Mutex::new(0));
        let (tx, mut rx) = mpsc::channel(4);
        for _ in 0..8 {
            let (counter, tx) = (Arc::clone(&counter), tx.clone());
            tokio::spawn(async move {
                *counter.lock().await += 1;
                tx.send(()).await.unwrap();
            });
        }
        drop(tx);
        let mut done = 0;
        while rx.recv().await.is_some() {
            done += 1;
        }
        assert_eq!(done, 8);
        assert_eq!(*counter.lock().await, 8);
        let cell = detsim_tokio::sync::OnceCell::new();
        assert_eq!(*cell.get_or_init(|| async { 7 }).await, 7);
    });
}
