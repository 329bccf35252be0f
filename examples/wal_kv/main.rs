//! A tiny write-ahead-log key-value store, and the crash-recovery check
//! that proves it keeps every acknowledged put, over 1,000 seeds.
//!
//! A put appends one record (`len | checksum | key_len | key | value`) to
//! `/wal`, fsyncs it, and only then acknowledges. Recovery replays the log
//! from the start and stops at the first record that is short or fails its
//! checksum (a torn or lost tail). The check: a client on node `db` does
//! random puts; the test crashes the node at a random virtual time,
//! recovers on the same node, and requires every acknowledged put (or a
//! later put of the same key) to be there.
//!
//! The buggy variant acknowledges before the fsync. The sweep catches it
//! and prints the failing seed, the faults injected in that run and the
//! line that replays it.
//!
//! `cargo run --example wal_kv` runs both sweeps;
//! `DETSIM_SEED=0x.. cargo run --example wal_kv -- --buggy` replays one seed.

mod store;

use std::collections::BTreeMap;

use detsim::failure::InjectedFault;
use detsim::{Faults, Sim};
use store::crash_recovery;

fn sweep(buggy: bool) {
    let name = if buggy {
        "buggy (acks before fsync)"
    } else {
        "correct"
    };
    let result = Sim::new()
        .faults(Faults::default())
        .seeds(1000)
        .try_run(move || crash_recovery(buggy));
    match result {
        Ok(report) => println!(
            "{name}: {} seeds passed ({:.0} seeds/s)",
            report.runs.len(),
            report.seeds_per_second()
        ),
        Err(failure) => {
            let f = &failure.failure;
            println!(
                "{name}: seed {:#x} FAILED after {} seeds",
                f.seed, failure.seeds_run
            );
            println!("  error: {}", f.kind);
            println!(
                "  at t={} (virtual); faults injected ({}):",
                f.at,
                f.faults.len()
            );
            let mut by_kind: BTreeMap<&str, (usize, &InjectedFault)> = BTreeMap::new();
            for fault in &f.faults {
                by_kind.entry(fault.kind.name()).or_insert((0, fault)).0 += 1;
            }
            for (kind, (count, first)) in by_kind {
                println!("    {count:>3} x {kind:<20} first: {first}");
            }
            let flag = if buggy { " -- --buggy" } else { "" };
            println!(
                "  replay: DETSIM_SEED={:#x} cargo run --example wal_kv{flag}",
                f.seed
            );
        }
    }
}

fn main() {
    let buggy_only = std::env::args().any(|a| a == "--buggy");
    if !buggy_only {
        sweep(false);
    }
    sweep(true);
}
