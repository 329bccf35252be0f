//! The bug catalogue's bar (issue 12): under the default settings
//! (`Sim::new()`, no plan given) every buggy program of
//! `examples/catalogue/` fails within 50 seeds and every correct twin
//! passes 1,000. Each test also measures the seeds the bug takes without
//! legal behaviour (`Faults::none()`, up to 1,000) and prints both:
//!
//! ```text
//! cargo test -p detsim --test workflow catalogue -- --nocapture
//! ```

#[path = "../../examples/catalogue/classes/mod.rs"]
mod classes;

use classes::{CLASSES, Class};
use detsim::{Faults, Sim};

/// Seeds within which the default plan must find each bug.
const FIND_WITHIN: u64 = 50;
/// Seeds each twin must pass under the default plan.
const TWIN_SEEDS: u64 = 1000;
/// Seeds the perfect kernel gets to find each bug.
const WITHOUT_LEGAL_SEEDS: u64 = 1000;

/// The seeds `sim` runs of `class`'s buggy program until it fails (the
/// first failing seed's index + 1), or `None` if all pass.
fn seeds_to_find(sim: Sim, class: &Class) -> Option<u64> {
    let run = class.run;
    sim.shrink(false)
        .try_run(move || run(false))
        .err()
        .map(|f| f.failure.seed + 1)
}

#[track_caller]
fn meets_the_bar(id: &str) {
    let class = CLASSES
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no class `{id}`"));
    let found = seeds_to_find(Sim::new().seeds(FIND_WITHIN), class);
    let without_legal = seeds_to_find(
        Sim::new().faults(Faults::none()).seeds(WITHOUT_LEGAL_SEEDS),
        class,
    );
    let before = without_legal.map_or(format!("not found in {WITHOUT_LEGAL_SEEDS}"), |n| {
        n.to_string()
    });
    eprintln!(
        "catalogue: {:<38} seeds to find: {:>4} by default, {before} without legal behaviour",
        class.name,
        found.map_or("-".into(), |n| n.to_string()),
    );
    let found = found.unwrap_or_else(|| {
        panic!(
            "{}: the buggy program passed {FIND_WITHIN} seeds of Sim::new()",
            class.name
        )
    });
    assert!(found <= FIND_WITHIN);
    if class.needs_legal {
        assert_eq!(
            without_legal, None,
            "{}: found without legal behaviour, yet marked as needing it",
            class.name
        );
    } else {
        assert!(
            without_legal.is_some(),
            "{}: not found without legal behaviour: mark it `needs_legal`",
            class.name
        );
    }
    let run = class.run;
    if let Err(f) = Sim::new().seeds(TWIN_SEEDS).try_run(move || run(true)) {
        panic!("{}: the correct twin fails:\n{f}", class.name);
    }
}

/// One test per class, named after it; `TESTED` lists their ids.
macro_rules! bar {
    ($($test:ident: $id:literal,)*) => {
        $(
            #[test]
            fn $test() {
                meets_the_bar($id);
            }
        )*
        const TESTED: &[&str] = &[$($id),*];
    };
}

bar! {
    partial_write_ignored: "partial-write",
    one_read_per_message: "one-read",
    spurious_readiness_treated_as_eof: "spurious-readiness",
    edge_triggered_reader_not_drained: "edge-triggered",
    udp_without_retransmission: "udp",
    timeout_then_retry_applied_twice: "retry",
    wake_treated_as_readiness: "wake",
    lost_waker: "lost-waker",
    lock_order_deadlock: "lock-order",
    lost_notification: "lost-notify",
    completion_order_assumption: "completion-order",
    ack_before_fsync: "ack-before-fsync",
    rename_without_directory_fsync: "rename",
    wal_without_checksums_torn_record: "torn-record",
}

#[test]
fn the_catalogue_has_at_least_12_classes_each_with_its_test() {
    assert!(CLASSES.len() >= 12, "{} classes", CLASSES.len());
    let ids: Vec<_> = CLASSES.iter().map(|c| c.id).collect();
    assert_eq!(ids, TESTED, "one test per class, in the catalogue's order");
}
