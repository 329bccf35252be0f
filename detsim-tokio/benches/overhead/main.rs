//! The stand-in's production overhead: the same tokio program on real
//! tokio and through `detsim-tokio` outside any detsim runtime, where
//! every call forwards to tokio (issue 13's target: within 2%).
//!
//! ```text
//! cargo bench -p detsim-tokio --bench overhead                       # full run
//! DETSIM_BENCH_QUICK=1 cargo bench -p detsim-tokio --bench overhead  # about a minute
//! cargo bench -p detsim-tokio --bench overhead -- echo               # rows whose name contains "echo"
//! DETSIM_BENCH_FLAVOR=multi cargo bench -p detsim-tokio --bench overhead  # or `current`; default both
//! DETSIM_BENCH_AA=1 cargo bench -p detsim-tokio --bench overhead     # tokio against itself
//! DETSIM_BENCH_IN_PROCESS=1 cargo bench -p detsim-tokio --bench overhead  # no child processes
//! DETSIM_BENCH_PROFILE=standin cargo bench -p detsim-tokio --bench overhead -- echo_64b_1
//! ```
//!
//! Each workload's source is written once, in `workloads.rs`, compiled
//! twice: in `plain.rs` its `tk` is the real tokio, in `standin.rs` it is
//! `detsim_tokio` (what a service's `tokio` becomes after the `Cargo.toml`
//! rename). Both sides build their runtime with `tk`'s `runtime::Builder`
//! (so the stand-in's `Builder` and `Runtime` are on the path too) and use
//! real loopback sockets. Every workload runs twice: on tokio's
//! multi-thread runtime ([`WORKERS`] workers on both sides), what a
//! production service runs on, and on the current-thread runtime, where
//! the same calls run without the work stealing whose timing makes the
//! multi-thread figures scatter.
//!
//! The measure is process CPU time (`CLOCK_PROCESS_CPUTIME_ID`), not wall
//! time: the machine is shared, and CPU time does not count the time other
//! processes hold a core, nor the time both sides spend waiting on
//! loopback or a timer. Only the work is measured: building the runtime,
//! binding and connecting, and shutting down are left out.
//!
//! Each run of each side is a fresh process (this binary again, as a
//! child that warms up with a quarter run first), as in production, where
//! a binary runs one side only. In one process shared by both sides, the
//! smallest workloads (spawning, yielding, timers) came out several
//! percent apart, in either direction, depending on the process: the
//! heap one side leaves behind is not the heap it would have alone (the
//! stand-in's `Vec` of join handles is larger than tokio's, so glibc
//! serves the two from different bins), and one address-space layout
//! favours one side for all of a process's repetitions, where fresh
//! processes draw a new layout each time. `DETSIM_BENCH_IN_PROCESS=1`
//! runs everything in this process, to see that effect.
//!
//! Repetitions alternate the sides (the order flips every repetition);
//! the table shows each side's median, their ratio (stand-in / tokio),
//! and the quartiles of the ratio within each back-to-back pair. A row whose pairs'
//! quartiles lie more than 4% apart (twice the target's distance from 1)
//! says `noise` instead of `pass` or `MISS`: it cannot resolve 2%. On two
//! shared cores the multi-thread spawn and timer rows scatter that much
//! with tokio in both columns too (`DETSIM_BENCH_AA=1`, an A/A run, shows
//! the noise floor alone).
//!
//! `DETSIM_BENCH_PROFILE=tokio` (or `standin`) runs one side of the
//! selected workloads a few times (`DETSIM_BENCH_PROFILE_REPS`, default 3)
//! and prints no table, for a profiler; under callgrind the instruction
//! counts of the two sides compare without the noise of CPU time (build
//! with `CARGO_PROFILE_BENCH_DEBUG=line-tables-only` to see source lines):
//!
//! ```text
//! DETSIM_BENCH_QUICK=1 DETSIM_BENCH_FLAVOR=current DETSIM_BENCH_PROFILE=standin \
//!     valgrind --tool=callgrind target/release/deps/overhead-<hash> --bench spawn
//! ```

mod harness;

mod plain;
mod standin;

use std::time::Instant as HostInstant;

use harness::{CHILD_ENV, Flavor, Workload, env_flag, measure, print_table, profile, run_child};
use plain::workloads::{CONNECTIONS, MESSAGE_BYTES, SLEEPERS, SPAWN_BATCH, TIMEOUT_TASKS, WORKERS};

fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "echo_64b_1_conn",
            ops: 20_000,
            quick_ops: 4_000,
            tokio: plain::workloads::echo_one,
            standin: standin::workloads::echo_one,
        },
        Workload {
            name: "echo_64b_64_conns",
            ops: CONNECTIONS * 500,
            quick_ops: CONNECTIONS * 100,
            tokio: plain::workloads::echo_many,
            standin: standin::workloads::echo_many,
        },
        Workload {
            name: "echo_64b_64_conns_timeout",
            ops: CONNECTIONS * 500,
            quick_ops: CONNECTIONS * 100,
            tokio: plain::workloads::echo_many_timed,
            standin: standin::workloads::echo_many_timed,
        },
        Workload {
            name: "spawn_yield_join",
            ops: SPAWN_BATCH * 2_000,
            quick_ops: SPAWN_BATCH * 500,
            tokio: plain::workloads::spawn_join,
            standin: standin::workloads::spawn_join,
        },
        Workload {
            name: "timeout_yield_100_tasks",
            ops: TIMEOUT_TASKS * 2_000,
            quick_ops: TIMEOUT_TASKS * 500,
            tokio: plain::workloads::timeout_yield,
            standin: standin::workloads::timeout_yield,
        },
        Workload {
            name: "sleep_1ms_1k_tasks",
            ops: SLEEPERS * 50,
            quick_ops: SLEEPERS * 20,
            tokio: plain::workloads::sleepers,
            standin: standin::workloads::sleepers,
        },
    ]
}

fn main() {
    let quick = env_flag("DETSIM_BENCH_QUICK");
    let aa = env_flag("DETSIM_BENCH_AA");
    let isolate = !env_flag("DETSIM_BENCH_IN_PROCESS");
    let reps = if quick { 25 } else { 101 };
    // `cargo bench` passes `--bench`; any other argument filters by name.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let all: Vec<Workload> = workloads()
        .into_iter()
        .map(|w| {
            if aa {
                Workload {
                    standin: w.tokio,
                    ..w
                }
            } else {
                w
            }
        })
        .collect();
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        run_child(&all, &spec);
        return;
    }
    let selected: Vec<Workload> = all
        .into_iter()
        .filter(|w| filters.is_empty() || filters.iter().any(|f| w.name.contains(f.as_str())))
        .collect();
    let flavors = Flavor::selected();
    if let Ok(side) = std::env::var("DETSIM_BENCH_PROFILE") {
        profile(&selected, &flavors, &side, quick);
        return;
    }
    println!(
        "detsim-tokio (outside detsim) vs tokio: {} workloads, {reps} repetitions{}{}{}; \
         multi-thread runtimes of {WORKERS} workers and current-thread runtimes; \
         {MESSAGE_BYTES}-byte echo over loopback",
        selected.len(),
        if quick { " (quick)" } else { "" },
        if isolate {
            ", each run in a fresh process"
        } else {
            ", all in this process"
        },
        if aa {
            ", A/A: tokio in both columns"
        } else {
            ""
        },
    );
    let started = HostInstant::now();
    let mut rows = Vec::new();
    for &flavor in &flavors {
        for w in &selected {
            let ops = if quick { w.quick_ops } else { w.ops };
            rows.push(measure(w, flavor, ops, reps, isolate));
            eprintln!(
                "  {:<26} {flavor:?} done ({ops} ops/rep, {:.1?} elapsed)",
                w.name,
                started.elapsed()
            );
        }
    }
    print_table(&rows);
}
