//! A model-based property test of sim-fs: random operations (writes,
//! fsyncs, truncations, renames, unlinks, mkdir/rmdir, directory fsyncs,
//! reads, out-of-range offsets, crashes) under random fault plans, each
//! checked against the reference model in `fs_model/model.rs`:
//!
//! - every operation succeeds or fails as the model says (an `EIO` only
//!   where the plan injects IO errors);
//! - reads see the page cache the model predicts;
//! - after a crash, the namespace is one that a prefix of the directory
//!   operations produced, at least as far as the last directory fsync
//!   committed (so a renamed and dir-fsynced file exists), and the
//!   outcome's promise holds: `LoseUnsynced` keeps exactly the committed
//!   state, `KeepUnsynced` the latest;
//! - fsynced data survives byte for byte.
//!
//! `DETSIM_FS_MODEL_OPS` sets how many operations to run (default 3,000,
//! a second or two); `DETSIM_FS_MODEL_SEED` varies the cases drawn.

mod crash_check;
mod model;
mod ops;
mod plans;

use std::sync::atomic::Ordering;
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};

use ops::{Op, run_case};
use plans::{PLANS, STATS, plan};

const DEFAULT_OPS: u64 = 3_000;
const MAX_OPS_PER_CASE: usize = 120;

fn op() -> impl Strategy<Value = Op> {
    let file = 0..ops::FILES.len();
    let dir = 1..ops::DIRS.len();
    let any_dir = 0..ops::DIRS.len();
    prop_oneof![
        6 => (file.clone(), 0u64..9000, 1usize..6000, any::<u8>())
            .prop_map(|(file, offset, len, byte)| Op::Write { file, offset, len, byte }),
        2 => (file.clone(), 1usize..3000, any::<u8>())
            .prop_map(|(file, len, byte)| Op::Append { file, len, byte }),
        2 => (file.clone(), 0u64..9000, 1usize..6000, any::<u8>())
            .prop_map(|(file, offset, len, byte)| Op::CursorWrite { file, offset, len, byte }),
        3 => file.clone().prop_map(Op::Fsync),
        2 => (file.clone(), 0u64..10_000).prop_map(|(file, len)| Op::SetLen { file, len }),
        3 => (file.clone(), file.clone()).prop_map(|(from, to)| Op::Rename { from, to }),
        2 => file.clone().prop_map(Op::Unlink),
        3 => dir.clone().prop_map(Op::Mkdir),
        1 => dir.prop_map(Op::Rmdir),
        3 => any_dir.prop_map(Op::SyncDir),
        2 => file.clone().prop_map(Op::Read),
        1 => (file, 0u8..6).prop_map(|(file, kind)| Op::OutOfRange { file, kind }),
        1 => Just(Op::Crash),
    ]
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.replace('_', "");
    Some(
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v}: expected a whole number")),
    )
}

#[test]
fn sim_fs_agrees_with_its_reference_model_through_crashes_and_faults() {
    let target = env_u64("DETSIM_FS_MODEL_OPS").unwrap_or(DEFAULT_OPS);
    // Cases draw 1..MAX_OPS_PER_CASE operations, half that on average.
    let cases = (target / (MAX_OPS_PER_CASE as u64 / 2)).max(1);
    let mut config = ProptestConfig::with_cases(u32::try_from(cases).unwrap_or(u32::MAX));
    config.failure_persistence = None;
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&env_u64("DETSIM_FS_MODEL_SEED").unwrap_or(0).to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = (
        prop::collection::vec(op(), 1..MAX_OPS_PER_CASE),
        0..PLANS,
        any::<u64>(),
    );
    let started = Instant::now();
    let result = runner.run(&strategy, |(ops, plan_ix, seed)| {
        run_case(&ops, plan(plan_ix), seed).map_err(TestCaseError::fail)
    });
    let s = &STATS;
    eprintln!(
        "fs model: {} operations in {} cases ({} crashes, {} injected IO errors) in {:.1}s",
        s.ops.load(Ordering::Relaxed),
        s.cases.load(Ordering::Relaxed),
        s.crashes.load(Ordering::Relaxed),
        s.io_errors.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("sim-fs disagrees with its model: {e}");
    }
}
