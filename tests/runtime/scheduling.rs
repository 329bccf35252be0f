//! The seed chooses the interleaving: different seeds explore different
//! orders, and one seed always gives the same order, event for event.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use detsim::task::yield_now;
use detsim::trace::Event;
use detsim::{Config, Faults, Runtime, Scheduling, spawn};

/// One run of four tasks that each yield and log their number three times.
struct Run {
    /// Task numbers in the order they logged.
    order: Vec<u32>,
    digest: u64,
    events: Vec<Event>,
}

fn run_four_yielding_tasks(seed: u64, scheduling: Scheduling) -> Run {
    let mut config = Config::default();
    config.record_all_events = true;
    config.scheduling = scheduling;
    // The scheduler's choices alone: spurious wakes and polls (legal
    // behaviour, on by default) would add orders of their own.
    config.faults = Faults::none();
    let rt = Runtime::with_config(seed, config);
    let order = rt.block_on(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = (0..4)
            .map(|n| {
                let log = Rc::clone(&log);
                spawn(async move {
                    for _ in 0..3 {
                        yield_now().await;
                        log.borrow_mut().push(n);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        log.take()
    });
    Run {
        order,
        digest: rt.digest(),
        events: rt.take_events().expect("record_all_events was set"),
    }
}

#[test]
fn different_seeds_give_different_interleavings() {
    let runs: Vec<Run> = (0..32)
        .map(|seed| run_four_yielding_tasks(seed, Scheduling::Random))
        .collect();
    let orders: BTreeSet<&Vec<u32>> = runs.iter().map(|r| &r.order).collect();
    let digests: BTreeSet<u64> = runs.iter().map(|r| r.digest).collect();
    // 12!/(3!^4) = 369,600 possible orders: 32 seeds should nearly all differ.
    assert!(
        orders.len() >= 24,
        "only {} distinct interleavings in 32 seeds",
        orders.len()
    );
    // A different order is a different trace, so a different digest.
    assert!(
        digests.len() >= orders.len(),
        "{} digests for {} distinct orders",
        digests.len(),
        orders.len()
    );
}

#[test]
fn the_same_seed_gives_the_same_interleaving_and_the_same_trace() {
    for seed in [0, 1, 0x5eed, u64::MAX] {
        let a = run_four_yielding_tasks(seed, Scheduling::Random);
        let b = run_four_yielding_tasks(seed, Scheduling::Random);
        assert_eq!(a.order, b.order, "seed {seed:#x}: task order");
        assert_eq!(a.events, b.events, "seed {seed:#x}: trace events");
        assert_eq!(a.digest, b.digest, "seed {seed:#x}: digest");
        assert!(!a.events.is_empty());
    }
}

#[test]
fn fifo_scheduling_polls_tasks_in_wake_order_whatever_the_seed() {
    let expected: Vec<u32> = [0, 1, 2, 3].repeat(3);
    for seed in 0..4 {
        let run = run_four_yielding_tasks(seed, Scheduling::Fifo);
        assert_eq!(run.order, expected, "seed {seed}");
    }
}
