//! The key-value service, unmodified, inside detsim's simulation: a
//! server host and three client hosts over the simulated network, under
//! `Faults::default()` (short reads, partial writes, spurious wakes and
//! readiness, connection resets, ...), each seed run twice and compared
//! byte for byte. The planted bug (a retried increment with a fresh
//! request id) is found and replayed.

use detsim::{FailureKind, Faults, Sim};
use tokio_examples::kv::ClientConfig;
use tokio_examples::kv_world::{lost_replies, world};

#[test]
fn the_service_keeps_its_counter_exact_across_1000_seeds_with_default_faults() {
    let report = Sim::new()
        .seeds(1_000)
        .faults(Faults::default())
        .check_determinism_bytes(true)
        .run(|| world(ClientConfig::default()));
    assert_eq!(report.runs.len(), 1_000);
}

#[test]
fn the_service_survives_lost_replies() {
    Sim::new()
        .seeds(300)
        .faults(lost_replies())
        .check_determinism_bytes(true)
        .run(|| world(ClientConfig::default()));
}

#[test]
fn a_retry_that_reapplies_an_increment_is_found_and_replays() {
    let buggy = || {
        world(ClientConfig {
            reuse_request_id_on_retry: false,
            ..ClientConfig::default()
        })
    };
    let failure = Sim::new()
        .seeds(1_000)
        .faults(lost_replies())
        .regressions(false)
        .try_run(buggy)
        .expect_err("some seed loses a reply and the retry applies the increment again");
    let message = match &failure.failure.kind {
        FailureKind::Error(message) => message.clone(),
        other => panic!("expected the counter check to fail, got {other:?}"),
    };
    assert!(message.contains("counter is"), "{message}");
    println!(
        "found at seed {:#x}: {message}; replay with DETSIM_REPLAY={}",
        failure.failure.seed, failure.replay_string
    );
    let replayed = Sim::new()
        .replay(&failure.replay_string)
        .faults(lost_replies())
        .regressions(false)
        .try_run(buggy)
        .expect_err("the replay fails the same way");
    assert_eq!(replayed.failure.kind, failure.failure.kind);
}
