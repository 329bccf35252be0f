//! Swarm testing (as FoundationDB and TigerBeetle do): each seed runs its
//! own variation of the configured fault plan, so a sweep explores rare
//! combinations (packet loss with no crashes, crashes with heavy partial
//! writes) that one fixed mix of rates would almost never produce.
//!
//! The variation is drawn from a stream of its own, so it depends on the
//! seed alone: replaying a seed redraws the same plan.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::faults::{FaultKind, Faults, Probability};

/// The stream id of the swarm draw (the fault streams are 0x1000.., their
/// magnitude windows 0x2000..).
const SWARM_STREAM: u64 = 0x3000;

/// `plan` as seed `seed` varies it: every kind the plan turns on is on with
/// chance 1/2, and its rate is the plan's rate scaled by a factor from 1/8
/// to 2 (log-uniform), capped at 1. Kinds the plan leaves off stay off, and
/// magnitudes (delays, durations) are the plan's.
pub(crate) fn swarm_plan(seed: u64, plan: &Faults) -> Faults {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(SWARM_STREAM);
    let mut out = plan.clone();
    for kind in FaultKind::ALL {
        let p = plan.probability(kind).get();
        // Draw for every kind, on or off, so adding a kind to the plan does
        // not change the draws of the others.
        let on = rng.random_bool(0.5);
        let factor = 2f64.powf(rng.random_range(-3.0..=1.0));
        let rate = if p > 0.0 && on {
            (p * factor).min(1.0)
        } else {
            0.0
        };
        out.set_probability(
            kind,
            Probability::new(rate).expect("a scaled probability capped at 1"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swarm_plans_vary_by_seed_and_never_add_kinds() {
        let plan = Faults::default();
        let a = swarm_plan(1, &plan);
        assert_eq!(a, swarm_plan(1, &plan), "a seed redraws its plan");
        let differ = (2..20).any(|s| swarm_plan(s, &plan) != a);
        assert!(differ, "different seeds draw different plans");
        for s in 0..50 {
            let drawn = swarm_plan(s, &plan);
            for kind in FaultKind::ALL {
                if plan.probability(kind).is_never() {
                    assert!(drawn.probability(kind).is_never(), "{kind:?} was off");
                }
            }
        }
    }

    #[test]
    fn swarm_toggles_every_kind_the_plan_turns_on_slow_peers_included() {
        let plan = Faults::chaos();
        for kind in FaultKind::ALL {
            if plan.probability(kind).is_never() {
                continue;
            }
            let on = (0..64)
                .filter(|&s| !swarm_plan(s, &plan).probability(kind).is_never())
                .count();
            assert!((1..64).contains(&on), "{kind}: on in {on} of 64 seeds");
        }
        assert!(!plan.probability(FaultKind::SlowPeer).is_never());
    }
}
