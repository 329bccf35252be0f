//! `Barrier`: releases `n` tasks at a time, one leader per generation.

use std::sync::Arc;

use detsim::Sim;
use detsim::sync::Barrier;

#[test]
fn a_barrier_releases_its_tasks_together_and_can_be_reused() {
    Sim::new().seeds(20).run(|| async {
        let barrier = Arc::new(Barrier::new(3));
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let barrier = barrier.clone();
                detsim::spawn(async move { barrier.wait().await.is_leader() })
            })
            .collect();
        let mut leaders = 0;
        for t in tasks {
            leaders += usize::from(t.await.unwrap());
        }
        assert_eq!(leaders, 2, "one leader per generation of three");
    });
}
