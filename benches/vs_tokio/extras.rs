//! The lines printed after the table for measurements with no tokio twin:
//! idle simulated connections, memory per seed, the WAL crash-recovery
//! cycle, and 10,000 real connections on the OS backend. Each says what it
//! measured and whether it meets its target.

use crate::fs::WalReport;
use crate::net::IdleReport;
use crate::os::{ConnectionsReport, OS_CONNECTIONS};
use crate::seed_memory::SeedMemoryReport;

fn verdict(pass: bool) -> &'static str {
    if pass { "pass" } else { "MISS" }
}

pub(crate) fn print_idle(idle: &IdleReport) {
    println!(
        "idle_connections: {} simulated TCP connections set up in {:.1?} ({:.2} µs each); \
         VmRSS grew {:.0} bytes per connection, both ends (target <= 1024) {}",
        idle.connections,
        idle.setup,
        idle.setup.as_secs_f64() * 1e6 / idle.connections as f64,
        idle.bytes_per_connection,
        verdict(idle.bytes_per_connection <= 1024.0)
    );
}

pub(crate) fn print_seed_memory(m: &SeedMemoryReport) {
    println!(
        "seed_memory: VmRSS {:.1} MB after {} seeds (TCP echo, UDP receive timing out, \
         fsynced write; one thread), {:.1} MB after {} more: {:.0} bytes per seed \
         (target: a few MB in all, under 64 bytes per seed) {}",
        m.rss_first as f64 / 1e6,
        m.first,
        m.rss_after as f64 / 1e6,
        m.more,
        m.bytes_per_seed(),
        verdict(m.bytes_per_seed() < 64.0)
    );
}

pub(crate) fn print_wal(wal: &WalReport) {
    println!(
        "wal_kv_crash_recovery: {:.1} µs per crash-recovery cycle of examples/wal_kv.rs \
         (one seed under Faults::default(): 40 fsynced puts, crash, replay, check; \
         median of batches, {} cycles, {} failed; no tokio equivalent)",
        wal.per_cycle.as_secs_f64() * 1e6,
        wal.cycles,
        wal.failed
    );
}

pub(crate) fn print_os_connections(c: &ConnectionsReport) {
    println!(
        "os_connections_10k: {OS_CONNECTIONS} concurrent loopback connections on detsim's OS \
         backend (server ends in a child process, RLIMIT_NOFILE {}): set up in {:.1?} \
         ({:.1} µs each); {}/{OS_CONNECTIONS} echoed one byte, all at once, in {:.1?} {}",
        c.nofile_limit
            .map_or_else(|| "unlimited".to_string(), |l| l.to_string()),
        c.setup,
        c.setup.as_secs_f64() * 1e6 / OS_CONNECTIONS as f64,
        c.echoed,
        c.echo_time,
        verdict(c.echoed == OS_CONNECTIONS)
    );
}
