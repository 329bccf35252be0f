//! The fault plans the model test runs under, and its running totals.

use std::sync::atomic::AtomicU64;

use detsim::faults::CrashOutcome;
use detsim::{Faults, Probability};

/// Totals over the whole test, for its closing line.
pub struct Stats {
    pub ops: AtomicU64,
    pub cases: AtomicU64,
    pub crashes: AtomicU64,
    pub io_errors: AtomicU64,
}

pub static STATS: Stats = Stats {
    ops: AtomicU64::new(0),
    cases: AtomicU64::new(0),
    crashes: AtomicU64::new(0),
    io_errors: AtomicU64::new(0),
};

/// How many fault plans [`plan`] knows.
pub const PLANS: usize = 6;

/// Fault plan `ix`: each crash outcome, without and with IO errors.
pub fn plan(ix: usize) -> Faults {
    let mut seeded = Faults::none();
    seeded.disk.crash_outcome = CrashOutcome::Seeded;
    seeded.disk.crash_loss = Probability::new(0.5).unwrap();
    seeded.disk.torn_write = Probability::new(0.3).unwrap();
    let mut io_errors = Faults::none();
    io_errors.disk.read_error = Probability::new(0.05).unwrap();
    io_errors.disk.write_error = Probability::new(0.05).unwrap();
    io_errors.disk.fsync_error = Probability::new(0.1).unwrap();
    io_errors.short_completion = Probability::new(0.2).unwrap();
    io_errors.delayed_completion = Probability::new(0.2).unwrap();
    io_errors.completion_delay_max = std::time::Duration::from_micros(500);
    match ix {
        0 => Faults::none(),
        1 => {
            let mut keep = Faults::none();
            keep.disk.crash_outcome = CrashOutcome::KeepUnsynced;
            keep
        }
        2 => seeded,
        3 => io_errors,
        4 => Faults::default(),
        _ => Faults::chaos(),
    }
}

pub fn io_errors_on(plan: &Faults) -> bool {
    let d = &plan.disk;
    [
        d.read_error,
        d.write_error,
        d.fsync_error,
        d.latent_sector_error,
    ]
    .iter()
    .any(|p| !p.is_never())
}
