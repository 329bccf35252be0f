//! spawn_blocking under the simulation: inline, at a seeded virtual time.

use detsim::Runtime;
use detsim::task::{BLOCKING_DELAY_MAX, BLOCKING_DELAY_MIN, spawn_blocking};
use detsim::time::Instant;

fn finish_time(seed: u64) -> Vec<(u32, Instant)> {
    Runtime::sim(seed).block_on(async {
        let handles: Vec<_> = (0..5u32)
            .map(|i| spawn_blocking(move || (i, Instant::now())))
            .collect();
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    })
}

#[test]
fn spawn_blocking_runs_the_closure_at_a_seeded_virtual_time() {
    let a = finish_time(1);
    assert_eq!(a, finish_time(1), "same seed, same times");
    assert_ne!(a, finish_time(2), "different seeds, different times");
    for (_, at) in a {
        let since_start = at.duration_since(Instant::ZERO);
        assert!(since_start >= BLOCKING_DELAY_MIN && since_start <= BLOCKING_DELAY_MAX);
    }
}
