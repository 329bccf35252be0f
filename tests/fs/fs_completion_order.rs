//! Concurrent file operations complete in an order the seed chooses.

use std::cell::RefCell;
use std::rc::Rc;

use detsim::fs::File;
use detsim::{Config, Faults, Probability, Runtime, spawn};

fn runtime(seed: u64, faults: Faults) -> Runtime {
    let mut config = Config::default();
    config.faults = faults;
    Runtime::with_config(seed, config)
}

/// Submits 100 writes at once (one per file) and returns the order in
/// which they completed.
fn completion_order(seed: u64) -> Vec<usize> {
    runtime(seed, Faults::default()).block_on(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        let mut files = Vec::new();
        for i in 0..100 {
            files.push(File::create(format!("/f{i}")).await.unwrap());
        }
        let writes: Vec<_> = files
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let order = Rc::clone(&order);
                spawn(async move {
                    f.write_all_at(vec![i as u8; 4096], 0).await.0.unwrap();
                    order.borrow_mut().push(i);
                })
            })
            .collect();
        for w in writes {
            w.await.unwrap();
        }
        order.take()
    })
}

#[test]
fn a_hundred_concurrent_writes_complete_in_a_seeded_order() {
    let a = completion_order(1);
    assert_eq!(a.len(), 100);
    assert_eq!(a, completion_order(1), "same seed, same order");
    let b = completion_order(2);
    assert_ne!(a, b, "different seeds, different orders");
    assert_ne!(a, (0..100).collect::<Vec<_>>(), "not submission order");
    let mut sorted = b.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (0..100).collect::<Vec<_>>(),
        "every write completed once"
    );
}

#[test]
fn completions_can_be_short() {
    let mut faults = Faults::none();
    faults.short_completion = Probability::ALWAYS;
    runtime(7, faults).block_on(async {
        let f = File::create("/f").await.unwrap();
        let (res, _) = f.write_at(vec![1; 4096], 0).await;
        let n = res.unwrap();
        assert!((1..4096).contains(&n), "a short write of {n} bytes");
        assert_eq!(f.metadata().await.unwrap().len(), n as u64);
        // write_all_at resubmits the rest.
        f.write_all_at(vec![2; 4096], 0).await.0.unwrap();
        assert_eq!(f.metadata().await.unwrap().len(), 4096);
    });
}
