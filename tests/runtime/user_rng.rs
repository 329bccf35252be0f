//! `detsim::rand`: user code's randomness comes from the seed too.

use std::collections::BTreeSet;

use detsim::rand::RngExt;
use detsim::{Config, Runtime, Scheduling, spawn};

/// Draws through every user-facing entry point.
fn draws(seed: u64, scheduling: Scheduling) -> (u64, u32, [u8; 8]) {
    let mut config = Config::default();
    config.scheduling = scheduling;
    Runtime::with_config(seed, config).block_on(async {
        // Some scheduling work first: it must not shift the user stream.
        let tasks: Vec<_> = (0..8).map(|n| spawn(async move { n })).collect();
        for t in tasks {
            t.await.unwrap();
        }
        let a: u64 = detsim::rand::random();
        let b = detsim::rand::random_range(10..1_000u32);
        let mut bytes = [0u8; 8];
        detsim::rand::rng().fill(&mut bytes);
        (a, b, bytes)
    })
}

#[test]
fn the_user_rng_is_reproducible_per_seed() {
    for seed in [0, 1, 42, u64::MAX] {
        assert_eq!(
            draws(seed, Scheduling::Random),
            draws(seed, Scheduling::Random),
            "seed {seed}"
        );
    }
}

#[test]
fn different_seeds_give_the_user_different_numbers() {
    let firsts: BTreeSet<u64> = (0..64).map(|s| draws(s, Scheduling::Random).0).collect();
    assert_eq!(firsts.len(), 64);
}

#[test]
fn the_user_stream_does_not_depend_on_scheduling_decisions() {
    for seed in 0..8 {
        assert_eq!(
            draws(seed, Scheduling::Random),
            draws(seed, Scheduling::Fifo),
            "seed {seed}"
        );
    }
}

#[test]
fn each_rng_call_gives_a_fresh_generator() {
    Runtime::sim(9).block_on(async {
        let a: u64 = detsim::rand::rng().random();
        let b: u64 = detsim::rand::rng().random();
        assert_ne!(a, b);
    });
}

#[test]
fn randomness_outside_a_runtime_panics_with_a_message_saying_where_to_call_it() {
    let panic = std::panic::catch_unwind(detsim::rand::random::<u64>).unwrap_err();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(
        message.contains("detsim::rand::random was called outside a detsim runtime"),
        "{message}"
    );
    assert!(message.contains("Runtime::sim(seed).block_on"), "{message}");
}

#[test]
fn the_seed_can_be_read_back_inside_the_run() {
    for seed in [0, 0x2a, u64::MAX] {
        let rt = Runtime::sim(seed);
        assert_eq!(rt.block_on(async { detsim::rand::seed() }), seed);
        assert_eq!(rt.seed(), seed);
    }
    let panic = std::panic::catch_unwind(detsim::rand::seed).unwrap_err();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(
        message.contains("detsim::rand::seed was called outside a detsim runtime"),
        "{message}"
    );
}
