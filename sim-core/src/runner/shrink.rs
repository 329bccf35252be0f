//! Shrinking a failing seed's fault schedule by delta debugging.
//!
//! Every injected fault is a recorded decision: the n-th hit of its kind's
//! stream. The shrinker re-runs the seed with only a subset of those hits
//! allowed (every other hit is suppressed, its random draw still consumed,
//! so the rest of the seed's decisions stay where they were) and keeps the
//! subset when the run still fails *the same way* (see [`same_bug`]): the
//! same kind at the same place. Zeller's
//! ddmin: try halves, then complements, then finer chunks, down to one
//! fault at a time, so the result is 1-minimal (removing any one fault
//! makes the failure go away) unless the re-run budget ran out first.
//!
//! Scheduling decisions are not shrunk here: they come from the seed, and
//! a suppressed fault changes which tasks run, which is why a subset is
//! judged by re-running rather than by reasoning about the trace. (A run
//! of the bounded search also has its preemptions dropped one by one
//! afterwards: `sim/shrinking.rs`.)

use std::mem::discriminant;

use crate::failure::{FailureKind, StuckTask, TaskDesc};

/// Re-runs the shrinker makes at most, unless `DETSIM_SHRINK=n` says
/// otherwise.
pub(crate) const DEFAULT_BUDGET: u32 = 200;

/// Whether two failures are the same bug for the shrinker's purposes: the
/// same kind at the same place. A panic: the same location and message; an
/// `Err`: the same text; in both, numbers are masked (a message that names
/// a duration or a count is still the same bug when the count changes). A
/// deadlock: the same set of stuck tasks, each named by its name or else
/// its spawn site; a liveness failure likewise, whether it ended in a
/// deadlock or at the deadline (suppressing a fault may stop the last
/// timer, or start one). A long poll, an allocation over the cap: the
/// same task.
pub(crate) fn same_bug(a: &FailureKind, b: &FailureKind) -> bool {
    match (a, b) {
        (
            FailureKind::Panic {
                message: m1,
                location: l1,
                ..
            },
            FailureKind::Panic {
                message: m2,
                location: l2,
                ..
            },
        ) => l1 == l2 && mask_numbers(m1) == mask_numbers(m2),
        (FailureKind::Error(x), FailureKind::Error(y)) => mask_numbers(x) == mask_numbers(y),
        (FailureKind::Deadlock { stuck: x }, FailureKind::Deadlock { stuck: y })
        | (FailureKind::Liveness { stuck: x, .. }, FailureKind::Liveness { stuck: y, .. }) => {
            stuck_set(x) == stuck_set(y)
        }
        (FailureKind::LongPoll { task: x, .. }, FailureKind::LongPoll { task: y, .. }) => {
            task_key(x) == task_key(y)
        }
        (FailureKind::Allocation { task: x, .. }, FailureKind::Allocation { task: y, .. }) => {
            task_key(x) == task_key(y)
        }
        _ => discriminant(a) == discriminant(b),
    }
}

/// `text` with every number replaced by `#`: decimal digits, and a `0x`
/// prefix's hex digits (`took 12.5ms, seed 0x2a` -> `took #.#ms, seed #`).
pub(crate) fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_ascii_digit() {
            out.push(c);
            continue;
        }
        if c == '0' && chars.peek() == Some(&'x') {
            chars.next();
            while chars.next_if(char::is_ascii_hexdigit).is_some() {}
        }
        while chars.next_if(char::is_ascii_digit).is_some() {}
        out.push('#');
    }
    out
}

/// A task as the shrinker identifies it across runs: its name, or else its
/// spawn site (task ids shift when a fault changes what gets spawned).
fn task_key(task: &TaskDesc) -> &str {
    task.name.as_deref().unwrap_or(&task.spawned_at)
}

/// The stuck tasks of a deadlock as a set of keys.
fn stuck_set(stuck: &[StuckTask]) -> Vec<&str> {
    let mut keys: Vec<&str> = stuck.iter().map(|s| task_key(&s.task)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
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

    fn task(id: u64, name: Option<&str>, at: &str) -> TaskDesc {
        TaskDesc {
            id: crate::task::TaskId(id),
            name: name.map(String::from),
            spawned_at: at.to_string(),
            node: None,
        }
    }

    fn panic_at(location: &str, message: &str) -> FailureKind {
        FailureKind::Panic {
            task: task(0, Some("main"), "t.rs:1:1"),
            message: message.to_string(),
            location: Some(location.to_string()),
        }
    }

    fn deadlock(tasks: &[TaskDesc]) -> FailureKind {
        FailureKind::Deadlock {
            stuck: tasks
                .iter()
                .map(|t| StuckTask {
                    task: t.clone(),
                    waits_on: "a channel".to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_panic_is_the_same_bug_only_at_the_same_place() {
        let a = panic_at("t.rs:5:9", "lost 3 of 20");
        assert!(same_bug(&a, &panic_at("t.rs:5:9", "lost 7 of 20")));
        assert!(!same_bug(&a, &panic_at("t.rs:9:9", "lost 3 of 20")));
        assert!(!same_bug(&a, &panic_at("t.rs:5:9", "stalled 3 of 20")));
    }

    #[test]
    fn a_deadlock_is_the_same_bug_when_the_same_tasks_are_stuck() {
        let x = deadlock(&[
            task(2, Some("leader"), "a.rs:1:1"),
            task(3, None, "b.rs:7:1"),
        ]);
        // Ids shift when a fault changes what gets spawned; names and spawn
        // sites do not.
        let y = deadlock(&[
            task(5, None, "b.rs:7:1"),
            task(4, Some("leader"), "z.rs:1:1"),
        ]);
        assert!(same_bug(&x, &y));
        let other = deadlock(&[task(2, Some("leader"), "a.rs:1:1")]);
        assert!(!same_bug(&x, &other));
    }

    #[test]
    fn numbers_are_masked_in_messages() {
        assert_eq!(
            mask_numbers("took 12.5ms, seed 0x2a, 3 lost"),
            "took #.#ms, seed #, # lost"
        );
        assert_eq!(mask_numbers("BUG A"), "BUG A");
        assert_ne!(mask_numbers("BUG A: 3"), mask_numbers("BUG B: 3"));
    }

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
