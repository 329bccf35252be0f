//! detsim's simulated executor against tokio's `current_thread` runtime.
//!
//! Each workload runs the same async code on both runtimes in this process,
//! interleaved (detsim, tokio, tokio, detsim, ...: the order flips every
//! repetition so neither side always runs on a warm or a cold cache), and
//! the table shows the median of the repetitions:
//!
//! ```text
//! cargo bench --bench vs_tokio                     # full run
//! DETSIM_BENCH_QUICK=1 cargo bench --bench vs_tokio  # under a minute
//! DETSIM_BENCH_JSON=out.json cargo bench --bench vs_tokio
//! cargo bench --bench vs_tokio -- sleep            # only workloads whose name contains "sleep"
//! DETSIM_BENCH_PROFILE=detsim cargo bench --bench vs_tokio -- ping  # one side only, for perf
//! ```
//!
//! `ratio` is detsim time / tokio time; each workload has a target ratio
//! (issue 2) and the table marks it pass or miss.
//!
//! Only the workload itself is timed, from inside the `block_on` future:
//! building and dropping a runtime is left out on both sides. detsim runs
//! with its default (seeded random) scheduling and the long-poll watchdog
//! off, as a test sweep that disables it would. tokio's timer workloads use
//! a paused clock, so both sides jump virtual time instead of sleeping.
//!
//! Some tokio columns are a different thing, said in the row name or a
//! line after the table: `fs_write_4k_sim_vs_real_disk` compares a write to
//! the simulated disk with a real `tokio::fs` write. The `os_tcp_*` rows
//! run detsim's OS backend (`detsim::Runtime::os()`, real loopback sockets
//! and epoll) against tokio on the same host kernel. Measurements with no
//! tokio twin are printed after the table (the simulated idle connections,
//! a crash-recovery cycle of `examples/wal_kv.rs`, 10,000 real connections
//! held at once, the task scaling table of `scaling.rs`) and, where they
//! are a time per operation, written to the JSON with `"tokio_ns": null`.
//!
//! System calls per loopback echo round trip (issues 6 and 14), counted
//! with strace on the 1-connection OS echo, one side at a time, 5
//! repetitions of 2,000 round trips:
//!
//! ```text
//! DETSIM_BENCH_QUICK=1 DETSIM_BENCH_PROFILE=detsim DETSIM_BENCH_PROFILE_REPS=5 \
//!     strace -c -f target/release/deps/vs_tokio-<hash> --bench os_tcp_echo_1byte_1_conn
//! ```
//!
//! (and the same with `DETSIM_BENCH_PROFILE=tokio`), dividing each count by
//! the 10,000 round trips; set-up (socket, connect, accept, epoll_ctl...) is
//! under 0.01 per round trip. Client and server are in one process, so each
//! round trip is two one-byte hops:
//!
//! | syscall                        | detsim    | tokio     |
//! |--------------------------------|-----------|-----------|
//! | `sendto`                       | 2.0       | 2.0       |
//! | `recvfrom` (of them `EAGAIN`)  | 2.0 (0.0) | 4.0 (2.0) |
//! | `epoll_pwait` / `epoll_wait`   | 2.0       | 2.0       |
//! | total                          | 6.0       | 8.0       |
//!
//! Per hop, tokio: the reader's `recvfrom` gets its byte, it answers with
//! one `sendto`, its next `recvfrom` says `EAGAIN`, and the thread waits in
//! epoll for the other end's edge. detsim's read asked the kernel for 64
//! bytes (its read-ahead) and got 1: the queue is empty, so the socket
//! forgets `READABLE` and the next read waits for epoll's edge at once
//! (`sim-core/src/kernel/os/net/stream_reads.rs`). Both sides send the same
//! 2 TCP segments per round trip (`/proc/net/snmp` `OutSegs`).

//! To add a workload: write a detsim and a tokio function with the same
//! body (`fn(ops) -> Duration`, timing only the work) in the module of its
//! kind (`executor.rs`, `io.rs`, `net.rs`, `udp.rs`, `fs.rs`, `os.rs`) and append a
//! [`Workload`] to the list in `workloads.rs`.
//!
//! This file holds `main`; `harness.rs` times the workloads (interleaved
//! repetitions, medians) and prints the table; `extras.rs` prints the
//! measurements that have no tokio twin.

mod bulk;
mod executor;
mod extras;
mod fs;
mod harness;
mod io;
mod net;
mod os;
mod scaling;
mod scaling_time;
mod seeds;
mod udp;
mod workloads;

#[path = "../support/idle_connections.rs"]
mod idle_streams;
#[path = "../support/seed_memory.rs"]
mod seed_memory;

use std::time::Instant as HostInstant;

use fs::wal_kv_cycles;
use harness::{
    Row, Workload, env_flag, extra_selected, measure, print_absolute_targets, print_table, profile,
    to_json, vm_rss_bytes,
};
use net::{IDLE_CONNECTIONS, idle_connections};
use os::{ECHO_CHILD_ENV, OS_CONNECTIONS, os_connections, run_echo_child};
use scaling::{measure_scaling, print_scaling, scaling_extras};
use seeds::{measure_seeds, print_seed_rows, seed_workloads, seeds_per_rep};
use workloads::workloads;

fn main() {
    if env_flag(ECHO_CHILD_ENV) {
        run_echo_child();
        return;
    }
    let quick = env_flag("DETSIM_BENCH_QUICK");
    let reps = if quick { 21 } else { 101 };
    // `cargo bench` passes `--bench`; any other argument filters by name.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let selected: Vec<Workload> = workloads()
        .into_iter()
        .filter(|w| filters.is_empty() || filters.iter().any(|f| w.name.contains(f.as_str())))
        .collect();
    let selected_seeds: Vec<_> = seed_workloads()
        .into_iter()
        .filter(|w| filters.is_empty() || filters.iter().any(|f| w.name.contains(f.as_str())))
        .collect();
    println!(
        "detsim vs tokio current_thread: {} workloads, {reps} repetitions{}",
        selected.len(),
        if quick { " (quick)" } else { "" }
    );
    let started = HostInstant::now();
    if let Ok(side) = std::env::var("DETSIM_BENCH_PROFILE") {
        profile(&selected, &selected_seeds, &side, quick);
        scaling_time::profile(&filters, &side, quick);
        return;
    }
    // Measured first, on a fresh heap; printed after the table.
    let idle = extra_selected(&filters, "idle_connections").then(|| {
        idle_connections(if quick {
            IDLE_CONNECTIONS / 10
        } else {
            IDLE_CONNECTIONS
        })
    });
    // Also before the workloads: their freed memory would hide growth.
    let seeds = extra_selected(&filters, "seed_memory").then(|| {
        let more = if quick { 20_000 } else { 99_000 };
        let report = seed_memory::seed_memory(1_000, more, vm_rss_bytes);
        eprintln!("  seed_memory done ({:.1?} elapsed)", started.elapsed());
        report
    });
    let rows: Vec<Row> = selected
        .iter()
        .map(|w| {
            let ops = if quick { w.quick_ops } else { w.ops };
            let row = measure(w, ops, reps);
            eprintln!(
                "  {:<30} done ({ops} ops/rep, {:.1?} elapsed)",
                w.name,
                started.elapsed()
            );
            row
        })
        .collect();
    let seed_rows = measure_seeds(&selected_seeds, seeds_per_rep(quick), reps);
    if !seed_rows.is_empty() {
        eprintln!("  seeds_per_sec done ({:.1?} elapsed)", started.elapsed());
    }
    let scaling = extra_selected(&filters, "tasks_scaling").then(|| {
        let rows = measure_scaling(quick);
        eprintln!("  tasks_scaling done ({:.1?} elapsed)", started.elapsed());
        rows
    });
    let wal = extra_selected(&filters, "wal_kv_crash_recovery").then(|| {
        let (batches, per_batch) = if quick { (5, 40) } else { (11, 100) };
        wal_kv_cycles(batches, per_batch)
    });
    let os_conns = extra_selected(&filters, "os_connections_10k").then(|| {
        let report = os_connections(OS_CONNECTIONS);
        eprintln!(
            "  os_connections_10k done ({:.1?} elapsed)",
            started.elapsed()
        );
        report
    });
    let bulk_mib = if quick { 16 } else { 100 };
    let bulk = extra_selected(&filters, "bulk").then(|| bulk::bulk(bulk_mib, 3));
    print_table(&rows, reps);
    print_seed_rows(&seed_rows, seeds_per_rep(quick), reps);
    print_absolute_targets(&rows);
    if let Some(rows) = &bulk {
        bulk::print_bulk(rows, bulk_mib, 3);
    }
    scaling_time::run(&filters, quick);
    if let Some(scaling) = &scaling {
        print_scaling(scaling);
    }
    if let Some(idle) = &idle {
        extras::print_idle(idle);
    }
    if let Some(m) = &seeds {
        extras::print_seed_memory(m);
    }
    if let Some(wal) = &wal {
        extras::print_wal(wal);
    }
    if let Some(c) = &os_conns {
        extras::print_os_connections(c);
    }
    if let Some(path) = std::env::var_os("DETSIM_BENCH_JSON") {
        // Seed rates as CPU nanoseconds per seed, like the other extras.
        let scaled = scaling.as_deref().map(scaling_extras).unwrap_or_default();
        let extras: Vec<(&str, f64)> = wal
            .iter()
            .map(|w| ("wal_kv_crash_recovery_cycle", w.per_cycle.as_nanos() as f64))
            .chain(
                seed_rows
                    .iter()
                    .map(|r| (r.name, 1e9 / r.seeds_per_cpu_sec)),
            )
            .chain(scaled.iter().map(|(name, ns)| (name.as_str(), *ns)))
            .collect();
        std::fs::write(&path, to_json(&rows, &extras))
            .unwrap_or_else(|e| panic!("DETSIM_BENCH_JSON={}: {e}", path.to_string_lossy()));
        println!("wrote {}", path.to_string_lossy());
    }
}
