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
//! [`Workload`] to [`workloads`].
//!
//! This file holds the list of workloads and `main`; `harness.rs` times
//! them (interleaved repetitions, medians) and prints the table.

mod bulk;
mod executor;
mod fs;
mod harness;
mod io;
mod net;
mod os;
mod scaling;
mod scaling_time;
mod seeds;
mod udp;

#[path = "../support/seed_memory.rs"]
mod seed_memory;

use std::time::Instant as HostInstant;

use executor::{
    SLEEPERS, detsim_ping_pong, detsim_random_sleepers, detsim_sleep_chain,
    detsim_spawn_await_serial, detsim_spawn_join_batch, detsim_yield_many, tokio_ping_pong,
    tokio_random_sleepers, tokio_sleep_chain, tokio_spawn_await_serial, tokio_spawn_join_batch,
    tokio_yield_many,
};
use fs::{
    detsim_fs_write_4k, detsim_os_write_fsync_pool, detsim_os_write_pool, tokio_fs_write_4k,
    tokio_fs_write_cpu, tokio_fs_write_fsync, wal_kv_cycles,
};
#[cfg(feature = "io-uring")]
use fs::{detsim_os_write_fsync_uring, detsim_os_write_uring};
use harness::{
    Row, Workload, env_flag, extra_selected, measure, print_absolute_targets, print_table, profile,
    to_json, vm_rss_bytes,
};
use io::{
    detsim_block_device_op, detsim_duplex_ping_pong, tokio_duplex_ping_pong,
    tokio_spawn_blocking_op,
};
use net::{
    IDLE_CONNECTIONS, detsim_tcp_echo_64_hosts, detsim_tcp_echo_one, idle_connections,
    tokio_tcp_echo_64_conns, tokio_tcp_echo_one,
};
use os::{
    ECHO_CHILD_ENV, OS_CONNECTIONS, detsim_os_tcp_echo_64_conns, detsim_os_tcp_echo_one,
    os_connections, run_echo_child, tokio_os_tcp_echo_64_conns, tokio_os_tcp_echo_one,
};
use scaling::{measure_scaling, print_scaling, scaling_extras};
use seeds::{measure_seeds, print_seed_rows, seed_workloads, seeds_per_rep};
use udp::{detsim_udp_echo_one, tokio_udp_echo_one};

fn workloads() -> Vec<Workload> {
    #[allow(unused_mut)] // the io-uring feature adds a row
    let mut list = vec![
        Workload {
            name: "spawn_join_batch_10k",
            target: 0.5,
            ops: 10_000,
            quick_ops: 10_000,
            detsim: detsim_spawn_join_batch,
            tokio: tokio_spawn_join_batch,
        },
        Workload {
            name: "spawn_await_one_at_a_time",
            target: 0.3,
            ops: 10_000,
            quick_ops: 10_000,
            detsim: detsim_spawn_await_serial,
            tokio: tokio_spawn_await_serial,
        },
        Workload {
            name: "yield_now_100_tasks",
            target: 1.0,
            ops: 100 * 500,
            quick_ops: 100 * 100,
            detsim: detsim_yield_many,
            tokio: tokio_yield_many,
        },
        Workload {
            name: "ping_pong_wake",
            target: 0.5,
            ops: 100_000,
            quick_ops: 20_000,
            detsim: detsim_ping_pong,
            tokio: tokio_ping_pong,
        },
        Workload {
            name: "sleep_chain_10k",
            target: 0.15,
            ops: 10_000,
            quick_ops: 10_000,
            detsim: detsim_sleep_chain,
            tokio: tokio_sleep_chain,
        },
        Workload {
            name: "random_sleepers_1k",
            target: 0.6,
            ops: SLEEPERS * 10,
            quick_ops: SLEEPERS * 2,
            detsim: detsim_random_sleepers,
            tokio: tokio_random_sleepers,
        },
        // Issue 3: the kernel's devices.
        Workload {
            name: "duplex_ping_pong_1byte",
            target: 0.5,
            ops: 100_000,
            quick_ops: 20_000,
            detsim: detsim_duplex_ping_pong,
            tokio: tokio_duplex_ping_pong,
        },
        Workload {
            // tokio has no block device: its column is a spawn_blocking
            // round trip, what tokio::fs pays per operation.
            name: "block_dev_submit_complete",
            target: 0.5,
            ops: 20_000,
            quick_ops: 5_000,
            detsim: detsim_block_device_op,
            tokio: tokio_spawn_blocking_op,
        },
        // Issue 4: the network. tokio's column is a real loopback TCP
        // round trip through the host kernel.
        Workload {
            name: "tcp_echo_1byte_1_conn",
            target: 0.1,
            ops: 50_000,
            quick_ops: 10_000,
            detsim: detsim_tcp_echo_one,
            tokio: tokio_tcp_echo_one,
        },
        Workload {
            name: "tcp_echo_1byte_64_hosts",
            target: 0.1,
            ops: 64 * 1_000,
            quick_ops: 64 * 200,
            detsim: detsim_tcp_echo_64_hosts,
            tokio: tokio_tcp_echo_64_conns,
        },
        Workload {
            name: "udp_echo_1byte",
            target: 0.2,
            ops: 50_000,
            quick_ops: 10_000,
            detsim: detsim_udp_echo_one,
            tokio: tokio_udp_echo_one,
        },
        // Issue 5: the simulated disk. tokio has no simulated disk: its
        // column is a tokio::fs::File 4 KiB write to a real temp file
        // (spawn_blocking + pwrite into the host page cache), a different
        // thing.
        Workload {
            name: "fs_write_4k_sim_vs_real_disk",
            target: 0.5,
            ops: 20_000,
            quick_ops: 5_000,
            detsim: detsim_fs_write_4k,
            tokio: tokio_fs_write_4k,
        },
        // Issues 6 and 14: the OS backend. Both columns are real loopback
        // TCP through the host kernel, on the same kind of executor loop,
        // timed by process CPU time (os.rs).
        Workload {
            name: "os_tcp_echo_1byte_1_conn",
            target: 0.9,
            ops: 5_000,
            quick_ops: 2_000,
            detsim: detsim_os_tcp_echo_one,
            tokio: tokio_os_tcp_echo_one,
        },
        Workload {
            name: "os_tcp_echo_1byte_64_conns",
            target: 0.95,
            ops: 64 * 100,
            quick_ops: 64 * 40,
            detsim: detsim_os_tcp_echo_64_conns,
            tokio: tokio_os_tcp_echo_64_conns,
        },
        // Issue 14: files on the OS backend, against tokio::fs. No target
        // of the issue's: 1.0 marks "no more CPU than tokio".
        Workload {
            name: "os_fs_write_4k_pool",
            target: 1.0,
            ops: 20_000,
            quick_ops: 5_000,
            detsim: detsim_os_write_pool,
            tokio: tokio_fs_write_cpu,
        },
        Workload {
            name: "os_fs_write_4k_fsync_pool",
            target: 1.0,
            ops: 500,
            quick_ops: 100,
            detsim: detsim_os_write_fsync_pool,
            tokio: tokio_fs_write_fsync,
        },
    ];
    #[cfg(feature = "io-uring")]
    list.extend([
        Workload {
            name: "os_fs_write_4k_uring",
            target: 1.0,
            ops: 20_000,
            quick_ops: 5_000,
            detsim: detsim_os_write_uring,
            tokio: tokio_fs_write_cpu,
        },
        Workload {
            name: "os_fs_write_4k_fsync_uring",
            target: 1.0,
            ops: 500,
            quick_ops: 100,
            detsim: detsim_os_write_fsync_uring,
            tokio: tokio_fs_write_fsync,
        },
    ]);
    list
}

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
    if let Some(idle) = idle {
        println!(
            "idle_connections: {} simulated TCP connections set up in {:.1?} ({:.2} µs each); \
             VmRSS grew {:.0} bytes per connection, both ends (target <= 1024) {}",
            idle.connections,
            idle.setup,
            idle.setup.as_secs_f64() * 1e6 / idle.connections as f64,
            idle.bytes_per_connection,
            if idle.bytes_per_connection <= 1024.0 {
                "pass"
            } else {
                "MISS"
            }
        );
    }
    if let Some(m) = &seeds {
        println!(
            "seed_memory: VmRSS {:.1} MB after {} seeds (TCP echo, UDP receive timing out, \
             fsynced write; one thread), {:.1} MB after {} more: {:.0} bytes per seed \
             (target: a few MB in all, under 64 bytes per seed) {}",
            m.rss_first as f64 / 1e6,
            m.first,
            m.rss_after as f64 / 1e6,
            m.more,
            m.bytes_per_seed(),
            if m.bytes_per_seed() < 64.0 {
                "pass"
            } else {
                "MISS"
            }
        );
    }
    if let Some(wal) = &wal {
        println!(
            "wal_kv_crash_recovery: {:.1} µs per crash-recovery cycle of examples/wal_kv.rs \
             (one seed under Faults::default(): 40 fsynced puts, crash, replay, check; \
             median of batches, {} cycles, {} failed; no tokio equivalent)",
            wal.per_cycle.as_secs_f64() * 1e6,
            wal.cycles,
            wal.failed
        );
    }
    if let Some(c) = &os_conns {
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
            if c.echoed == OS_CONNECTIONS {
                "pass"
            } else {
                "MISS"
            }
        );
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
