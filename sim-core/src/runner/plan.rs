//! Which seeds a sweep runs, as arithmetic: a first seed, a stride (the
//! shard count) and a length. Nothing is built up front, so
//! `DETSIM_SEEDS=1000000000000` costs what one seed costs until it runs.

use std::fmt;

use crate::runner::env::{Env, SeedBase, SeedsVar};
use crate::runner::seed_base::random_base;

/// The seeds of a sweep: `first + i * stride` for `i` in `0..len`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SeedPlan {
    first: u64,
    stride: u64,
    len: u64,
}

/// Why a plan selects no seeds, or cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PlanError {
    /// The sweep selects no seeds (an empty shard).
    Empty(String),
    /// A counted sweep runs past `u64::MAX`.
    Overflow(String),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Empty(why) => write!(
                f,
                "the sweep selects no seeds: {why}. Use fewer shards or more seeds, or \
                 Sim::allow_empty(true) if an empty sweep is expected"
            ),
            PlanError::Overflow(why) => write!(f, "{why}"),
        }
    }
}

impl SeedPlan {
    /// Exactly one seed.
    pub(crate) fn one(seed: u64) -> SeedPlan {
        SeedPlan {
            first: seed,
            stride: 1,
            len: 1,
        }
    }

    /// The plan `env` and the builder's `seeds` ask for. A random base is
    /// drawn (and printed) here.
    pub(crate) fn from_env(env: &Env, seeds: &SeedsVar) -> Result<SeedPlan, PlanError> {
        if let Some(seed) = env.seed {
            return Ok(SeedPlan::one(seed));
        }
        let (first, last) = match env.seeds.as_ref().unwrap_or(seeds) {
            SeedsVar::Range { first, last } => (*first, *last),
            SeedsVar::Count(n) => {
                let base = match env.seed_base {
                    Some(SeedBase::Fixed(b)) => b,
                    Some(SeedBase::Random) => {
                        let b = random_base();
                        eprintln!(
                            "detsim: random seed base {b:#x}; repeat this sweep with \
                             DETSIM_SEED_BASE={b:#x}"
                        );
                        b
                    }
                    None => 0,
                };
                let last = n
                    .checked_sub(1)
                    .and_then(|k| base.checked_add(k))
                    .ok_or_else(|| {
                        PlanError::Overflow(format!(
                            "a sweep of {n} seeds from the base {base:#x} runs past the last \
                             seed ({:#x}); lower DETSIM_SEED_BASE or the count, or give a range \
                             (DETSIM_SEEDS=a..=b)",
                            u64::MAX
                        ))
                    })?;
                (base, last)
            }
        };
        debug_assert!(first <= last, "SeedsVar ranges are never empty");
        // Up to 2^64 seeds: count in u128.
        let total = u128::from(last - first) + 1;
        let (k, n) = env.shard.unwrap_or((1, 1));
        let skip = u128::from(k - 1);
        if total <= skip {
            return Err(PlanError::Empty(format!(
                "DETSIM_SHARD={k}/{n} of {total} seed{} ({first:#x}..={last:#x}) is empty",
                if total == 1 { "" } else { "s" }
            )));
        }
        let len = (total - skip).div_ceil(u128::from(n));
        Ok(SeedPlan {
            first: first + (k - 1),
            stride: n,
            // A sweep of all 2^64 seeds runs the first 2^64 - 1: it would
            // not finish either way.
            len: u64::try_from(len).unwrap_or(u64::MAX),
        })
    }

    /// How many seeds the plan holds.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The `i`-th seed, `i < len`.
    pub(crate) fn get(&self, i: u64) -> u64 {
        debug_assert!(i < self.len, "seed index {i} of {}", self.len);
        self.first + i * self.stride
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(env: Env, seeds: SeedsVar) -> Result<SeedPlan, PlanError> {
        SeedPlan::from_env(&env, &seeds)
    }

    fn all(p: SeedPlan) -> Vec<u64> {
        (0..p.len()).map(|i| p.get(i)).collect()
    }

    #[test]
    fn a_huge_count_is_arithmetic_not_a_list() {
        let p = plan(Env::default(), SeedsVar::Count(1_000_000_000_000)).unwrap();
        assert_eq!(p.len(), 1_000_000_000_000);
        assert_eq!(p.get(999_999_999_999), 999_999_999_999);
    }

    #[test]
    fn shards_partition_the_range() {
        let shard = |k| {
            let env = Env {
                shard: Some((k, 3)),
                ..Env::default()
            };
            all(plan(env, SeedsVar::Count(10)).unwrap())
        };
        assert_eq!(shard(1), [0, 3, 6, 9]);
        assert_eq!(shard(2), [1, 4, 7]);
        assert_eq!(shard(3), [2, 5, 8]);
    }

    #[test]
    fn the_last_seed_and_the_full_range_are_reachable() {
        let last = SeedsVar::Range {
            first: u64::MAX,
            last: u64::MAX,
        };
        assert_eq!(all(plan(Env::default(), last).unwrap()), [u64::MAX]);
        let everything = SeedsVar::Range {
            first: 0,
            last: u64::MAX,
        };
        let env = Env {
            shard: Some((2, 2)),
            ..Env::default()
        };
        let p = plan(env, everything).unwrap();
        assert_eq!((p.len(), p.get(p.len() - 1)), (1 << 63, u64::MAX));
    }

    #[test]
    fn an_empty_shard_and_a_count_past_the_last_seed_are_errors() {
        let env = Env {
            shard: Some((5, 8)),
            ..Env::default()
        };
        let e = plan(env, SeedsVar::Count(3)).unwrap_err();
        assert!(e.to_string().contains("DETSIM_SHARD=5/8 of 3 seeds"), "{e}");
        let env = Env {
            seed_base: Some(SeedBase::Fixed(u64::MAX - 1)),
            ..Env::default()
        };
        assert!(matches!(
            plan(env.clone(), SeedsVar::Count(3)),
            Err(PlanError::Overflow(_))
        ));
        assert_eq!(
            all(plan(env, SeedsVar::Count(2)).unwrap()),
            [u64::MAX - 1, u64::MAX]
        );
    }
}
