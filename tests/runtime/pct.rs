//! PCT scheduling (`Scheduling::Pct`, `DETSIM_STRATEGY=pct:d`): finds a
//! bug that needs one task to run a long stretch undisturbed in far fewer
//! seeds than the random walk, and replays what it finds.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use detsim::task::yield_now;
use detsim::{Faults, Scheduling, Sim, spawn};

/// A producer fills a ring that the consumer drains whole on each of its
/// turns; the code assumes the consumer gets a turn before the ring holds
/// more than 10 items, which holds unless the producer runs 11 steps in a
/// row (chance about 2^-11 per stretch under the random walk).
async fn starved_consumer_overflows_the_ring() {
    let ring = Rc::new(RefCell::new(VecDeque::new()));
    let done = Rc::new(RefCell::new(false));
    let producer = {
        let (ring, done) = (Rc::clone(&ring), Rc::clone(&done));
        spawn(async move {
            for i in 0..14 {
                ring.borrow_mut().push_back(i);
                assert!(
                    ring.borrow().len() <= 10,
                    "ring overflow: the consumer was starved"
                );
                yield_now().await;
            }
            *done.borrow_mut() = true;
        })
    };
    let consumer = spawn(async move {
        // Spins on yield_now while the ring is empty.
        while !(*done.borrow() && ring.borrow().is_empty()) {
            ring.borrow_mut().clear();
            yield_now().await;
        }
    });
    producer.await.unwrap();
    consumer.await.unwrap();
}

/// How many seeds `strategy` needs to find the overflow (at most 2000).
fn seeds_to_find(strategy: Scheduling) -> u64 {
    let failure = Sim::new()
        .faults(Faults::none())
        .scheduling(strategy)
        .seeds(2000)
        .jobs(1)
        .shrink(false)
        .try_run(starved_consumer_overflows_the_ring);
    match failure {
        Err(f) => {
            assert!(f.to_string().contains("ring overflow"), "{f}");
            f.seeds_run
        }
        Ok(_) => 2001,
    }
}

#[test]
fn pct_finds_a_starvation_bug_in_fewer_seeds_than_random() {
    let random = seeds_to_find(Scheduling::Random);
    let pct = seeds_to_find(Scheduling::pct(1));
    let pct3 = seeds_to_find(Scheduling::pct(3));
    eprintln!("seeds to find the overflow: random {random}, pct:1 {pct}, pct:3 {pct3}");
    assert!(pct <= 5, "pct:1 needed {pct} seeds");
    assert!(pct3 <= 10, "pct:3 needed {pct3} seeds");
    assert!(
        random > 5 * pct3,
        "random needed {random} seeds, pct:3 {pct3}"
    );
}

#[test]
fn a_pct_failure_replays_with_its_measured_horizon() {
    let failure = Sim::new()
        .faults(Faults::none())
        .scheduling(Scheduling::pct(2))
        .seeds(200)
        .try_run(starved_consumer_overflows_the_ring)
        .expect_err("pct finds the overflow");
    assert!(
        failure.replay.starts_with("DETSIM_STRATEGY=pct:2:"),
        "{}",
        failure.replay
    );
    let steps: u64 = failure.replay["DETSIM_STRATEGY=pct:2:".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(steps >= 5, "a horizon of {steps} steps");
    let again = Sim::new()
        .faults(Faults::none())
        .scheduling(Scheduling::Pct { depth: 2, steps })
        .seed(failure.failure.seed)
        .try_run(starved_consumer_overflows_the_ring)
        .expect_err("the same seed and horizon fail again");
    assert_eq!(again.failure.digest, failure.failure.digest);
}

#[test]
fn the_same_seed_under_pct_gives_the_same_schedule() {
    Sim::new()
        .faults(Faults::default())
        .scheduling(Scheduling::Pct {
            depth: 3,
            steps: 50,
        })
        .seeds(30)
        .check_determinism(true)
        .run(|| async {
            let tasks: Vec<_> = (0..4)
                .map(|i| {
                    spawn(async move {
                        for _ in 0..i + 2 {
                            yield_now().await;
                        }
                        i
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        });
}
