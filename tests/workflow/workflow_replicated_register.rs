//! The replicated key-value store of `examples/replicated_register` as a
//! property test: every acknowledged write is read back after any schedule
//! of replica crashes and partitions, under a drawn fault plan and seed;
//! and the variant that acknowledges after one replica is caught and
//! shrunk to the two faults it needs.

#[path = "../../examples/replicated_register/protocol.rs"]
mod protocol;

use detsim::proptest::{check, faults_within, seeds};
use proptest::prelude::*;
use proptest::test_runner::{RngSeed, TestError, TestRunner};

use protocol::{Nemesis, Variant};

/// `cases` cases from a fixed generator seed, so every run checks the same
/// ones; `PROPTEST_RNG_SEED=<n>` explores others (and `PROPTEST_CASES`
/// changes the count).
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(cases);
    if std::env::var_os("PROPTEST_CASES").is_some() {
        config.cases = ProptestConfig::default().cases;
    }
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(0x5eed);
    }
    config
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn every_acknowledged_write_is_read_back(
        case in protocol::cases(6),
        plan in faults_within(protocol::fault_limit()),
        seed in seeds(),
    ) {
        check(seed, plan, || protocol::run_case(Variant::Correct, case.clone()))?;
    }
}

#[test]
fn acknowledging_after_one_replica_is_caught_and_shrunk() {
    // Always the same generator seed (PROPTEST_RNG_SEED does not apply):
    // this checks what shrinking finds, and another seed's search can stop
    // at a local minimum with a third fault that only shifts the random
    // draws (a replica that restarts a little later).
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 200,
        rng_seed: RngSeed::Fixed(0x5eed),
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = (
        protocol::cases(4),
        faults_within(protocol::fault_limit()),
        seeds(),
    );
    let result = runner.run(&strategy, |(case, plan, seed)| {
        check(seed, plan, || {
            protocol::run_case(Variant::AckAfterOne, case.clone())
        })
    });
    let Err(TestError::Fail(reason, (case, plan, seed))) = result else {
        panic!("the buggy variant passed: {result:?}");
    };
    let report = reason.message();
    assert!(
        report.contains("acknowledged write of version"),
        "failed for another reason:\n{report}"
    );
    // Minimal: one write, and the two faults that keep it from two of the
    // replicas (crashing them or cutting them off from the client).
    assert_eq!(case.writes.len(), 1, "not minimal: {case}");
    assert_eq!(case.schedule.len(), 2, "not minimal: {case}");
    for fault in &case.schedule {
        assert!(
            matches!(
                fault.what,
                Nemesis::Crash(_) | Nemesis::Partition(0, _) | Nemesis::Partition(_, 0)
            ),
            "not minimal: {case}"
        );
    }
    // The minimal case replays: the same failure, bit for bit.
    let again = check(seed, plan.clone(), || {
        protocol::run_case(Variant::AckAfterOne, case.clone())
    })
    .expect_err("the minimal case must fail again");
    assert_eq!(
        again.to_string(),
        TestCaseError::fail(report.to_string()).to_string()
    );
    // And the correct protocol survives that very schedule.
    check(seed, plan, || {
        protocol::run_case(Variant::Correct, case.clone())
    })
    .expect("the correct protocol survives the minimal schedule");
}
