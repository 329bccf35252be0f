//! Shrinking a failing seed's fault schedule by delta debugging.
//!
//! Every injected fault is a recorded decision: the n-th hit of its kind's
//! stream. The shrinker re-runs the seed with only a subset of those hits
//! allowed (every other hit is suppressed, its random draw still consumed,
//! so the rest of the seed's decisions stay where they were) and keeps the
//! subset when the run still fails *the same way*: the same
//! [`FailureKind`] variant, and for a panic the same message. Zeller's
//! ddmin: try halves, then complements, then finer chunks, down to one
//! fault at a time, so the result is 1-minimal (removing any one fault
//! makes the failure go away) unless the re-run budget ran out first.
//!
//! Scheduling decisions are not shrunk: they come from the seed, and a
//! suppressed fault changes which tasks run, which is why a subset is
//! judged by re-running rather than by reasoning about the trace.

use std::mem::discriminant;

use crate::failure::FailureKind;

/// Re-runs the shrinker makes at most, unless `DETSIM_SHRINK=n` says
/// otherwise.
pub(crate) const DEFAULT_BUDGET: u32 = 200;

/// Whether two failures are the same bug for the shrinker's purposes.
pub(crate) fn same_bug(a: &FailureKind, b: &FailureKind) -> bool {
    match (a, b) {
        (FailureKind::Panic { message: x, .. }, FailureKind::Panic { message: y, .. }) => x == y,
        _ => discriminant(a) == discriminant(b),
    }
}

/// Whether a failure can be shrunk: long polls depend on host time and a
/// nondeterminism report on two runs differing, so neither reproduces on
/// demand.
pub(crate) fn shrinkable(kind: &FailureKind) -> bool {
    !matches!(
        kind,
        FailureKind::LongPoll { .. } | FailureKind::Nondeterminism { .. }
    )
}

/// The smallest subset of `units` found for which `fails` holds, how many
/// times `fails` was called, and whether the search finished within
/// `budget` calls (if not, the subset is the smallest found so far).
///
/// `fails(units)` is assumed (the caller has just seen it fail).
pub(crate) fn ddmin<T: Clone>(
    units: Vec<T>,
    budget: u32,
    mut fails: impl FnMut(&[T]) -> bool,
) -> (Vec<T>, u32, bool) {
    let mut runs = 0;
    let mut test = |subset: &[T]| -> Option<bool> {
        if runs >= budget {
            return None;
        }
        runs += 1;
        Some(fails(subset))
    };
    match test(&[]) {
        None => return (units, runs, false),
        Some(true) => return (Vec::new(), runs, true),
        Some(false) => {}
    }
    let mut current = units;
    let mut n = 2;
    while current.len() >= 2 {
        let chunks = split(&current, n);
        let mut reduced = false;
        for chunk in &chunks {
            match test(chunk) {
                None => return (current, runs, false),
                Some(true) => {
                    current = chunk.clone();
                    n = 2;
                    reduced = true;
                    break;
                }
                Some(false) => {}
            }
        }
        // With two chunks, each complement is the other chunk: tried.
        if !reduced && n > 2 {
            for i in 0..chunks.len() {
                let complement: Vec<T> = chunks
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .flat_map(|(_, c)| c.iter().cloned())
                    .collect();
                match test(&complement) {
                    None => return (current, runs, false),
                    Some(true) => {
                        current = complement;
                        n = (n - 1).max(2);
                        reduced = true;
                        break;
                    }
                    Some(false) => {}
                }
            }
        }
        if !reduced {
            if n >= current.len() {
                break;
            }
            n = (n * 2).min(current.len());
        }
    }
    (current, runs, true)
}

/// `items` cut into `n` contiguous chunks of near-equal size.
fn split<T: Clone>(items: &[T], n: usize) -> Vec<Vec<T>> {
    let n = n.clamp(1, items.len().max(1));
    let (size, extra) = (items.len() / n, items.len() % n);
    let mut out = Vec::with_capacity(n);
    let mut at = 0;
    for i in 0..n {
        let len = size + usize::from(i < extra);
        out.push(items[at..at + len].to_vec());
        at += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddmin_finds_the_two_units_that_matter() {
        let units: Vec<u32> = (0..40).collect();
        let (kept, runs, complete) = ddmin(units, 200, |s| s.contains(&7) && s.contains(&31));
        assert_eq!(kept, [7, 31]);
        assert!(complete);
        assert!(runs < 60, "{runs} runs");
    }

    #[test]
    fn ddmin_returns_nothing_when_no_unit_is_needed() {
        let (kept, runs, complete) = ddmin(vec![1, 2, 3], 200, |_| true);
        assert!(kept.is_empty());
        assert_eq!((runs, complete), (1, true));
    }

    #[test]
    fn ddmin_stops_at_its_budget_with_the_smallest_set_so_far() {
        let units: Vec<u32> = (0..64).collect();
        let (kept, runs, complete) = ddmin(units, 3, |s| s.contains(&5));
        assert_eq!(runs, 3);
        assert!(!complete);
        assert!(kept.contains(&5) && kept.len() <= 32, "{kept:?}");
    }
}
