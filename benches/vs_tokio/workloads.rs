//! The workloads of the table: each pairs a detsim function with a tokio
//! function of the same body and gives the target ratio of its issue.

use crate::executor::{
    SLEEPERS, detsim_ping_pong, detsim_random_sleepers, detsim_sleep_chain,
    detsim_spawn_await_serial, detsim_spawn_join_batch, detsim_yield_many, tokio_ping_pong,
    tokio_random_sleepers, tokio_sleep_chain, tokio_spawn_await_serial, tokio_spawn_join_batch,
    tokio_yield_many,
};
use crate::fs::{
    detsim_fs_write_4k, detsim_os_write_fsync_pool, detsim_os_write_pool, tokio_fs_write_4k,
    tokio_fs_write_cpu, tokio_fs_write_fsync,
};
#[cfg(feature = "io-uring")]
use crate::fs::{detsim_os_write_fsync_uring, detsim_os_write_uring};
use crate::harness::Workload;
use crate::io::{
    detsim_block_device_op, detsim_duplex_ping_pong, tokio_duplex_ping_pong,
    tokio_spawn_blocking_op,
};
use crate::net::{
    detsim_tcp_echo_64_hosts, detsim_tcp_echo_one, tokio_tcp_echo_64_conns, tokio_tcp_echo_one,
};
use crate::os::{
    detsim_os_tcp_echo_64_conns, detsim_os_tcp_echo_one, tokio_os_tcp_echo_64_conns,
    tokio_os_tcp_echo_one,
};
use crate::udp::{detsim_udp_echo_one, tokio_udp_echo_one};

pub(crate) fn workloads() -> Vec<Workload> {
    #[allow(unused_mut)] // the io-uring feature adds a row
    let mut list = vec![
        Workload {
            name: "spawn_join_batch_10k",
            target: 0.7,
            ops: 10_000,
            quick_ops: 10_000,
            detsim: detsim_spawn_join_batch,
            tokio: tokio_spawn_join_batch,
        },
        Workload {
            name: "spawn_await_one_at_a_time",
            target: 0.4,
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
            target: 0.6,
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
