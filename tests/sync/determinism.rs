//! A run that uses the primitives is a function of its seed: the same
//! seed gives the same outcome and digest, and different seeds explore
//! different orders.

use std::sync::Arc;

use detsim::sync::{Barrier, Mutex, Semaphore, mpsc};
use detsim::task::{Builder, yield_now};
use detsim::{Runtime, Sim};

/// Producers and consumers around a lock, a semaphore and a barrier;
/// returns the order in which the consumers took the jobs.
async fn contended() -> Vec<String> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let gate = Arc::new(Semaphore::new(2));
    let go = Arc::new(Barrier::new(4));
    let (tx, rx) = mpsc::channel::<u32>(3);
    let rx = Arc::new(Mutex::new(rx));
    let mut tasks = Vec::new();
    for p in 0..3u32 {
        let (tx, go) = (tx.clone(), go.clone());
        tasks.push(
            Builder::new()
                .name(&format!("producer-{p}"))
                .spawn(async move {
                    go.wait().await;
                    for n in 0..4 {
                        tx.send(p * 10 + n).await.unwrap();
                        yield_now().await;
                    }
                }),
        );
    }
    drop(tx);
    for c in 0..3u32 {
        let (rx, gate, log) = (rx.clone(), gate.clone(), log.clone());
        tasks.push(
            Builder::new()
                .name(&format!("consumer-{c}"))
                .spawn(async move {
                    loop {
                        let job = rx.lock().await.recv().await;
                        let Some(job) = job else { break };
                        let _permit = gate.acquire().await.unwrap();
                        yield_now().await;
                        log.lock().await.push(format!("{c}:{job}"));
                    }
                }),
        );
    }
    go.wait().await;
    for t in tasks {
        t.await.unwrap();
    }
    Arc::try_unwrap(log)
        .expect("every task is done")
        .into_inner()
}

#[test]
fn the_same_seed_gives_the_same_schedule_and_digest() {
    for seed in 0..10 {
        let first = Runtime::sim(seed);
        let a = first.block_on(contended());
        let second = Runtime::sim(seed);
        let b = second.block_on(contended());
        assert_eq!(a, b, "seed {seed}: the same order");
        assert_eq!(
            first.digest(),
            second.digest(),
            "seed {seed}: the same digest"
        );
    }
}

#[test]
fn different_seeds_explore_different_orders() {
    let mut orders: Vec<Vec<String>> = (0..20)
        .map(|seed| Runtime::sim(seed).block_on(contended()))
        .collect();
    for order in &orders {
        assert_eq!(order.len(), 12, "every job consumed once");
    }
    orders.sort();
    orders.dedup();
    assert!(
        orders.len() > 5,
        "only {} distinct orders in 20 seeds",
        orders.len()
    );
}

#[test]
fn the_runner_s_determinism_check_passes_with_faults_on() {
    Sim::new()
        .faults(detsim::Faults::chaos())
        .check_determinism(true)
        .seeds(10)
        .run(|| async {
            assert_eq!(contended().await.len(), 12);
        });
}
