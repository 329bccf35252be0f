//! The one place the runner asks the OS for randomness: a sweep's random
//! seed base, opted into with `DETSIM_SEED_BASE=random` and printed so the
//! sweep can be repeated. Never used inside a run.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// A random 64-bit sweep base from the process's hash randomness (seeded by
/// the OS), without adding a dependency for it.
pub(crate) fn random_base() -> u64 {
    RandomState::new().hash_one(0x5eed_u64) >> 16
}
