//! A long-running OS server's memory is flat: the runtime keeps no
//! per-task or per-resource bookkeeping for tasks and sockets that are
//! gone (task names and spawn sites, resource names, trace events). A
//! server that spawns a task per request for months must not grow.
//!
//! Memory is the process's resident set (`/proc/self/status`), so this file
//! holds a single test: nothing else allocates in this binary meanwhile.
//! The measure is bytes per task between two points of the same run,
//! never a time.

#![cfg(target_os = "linux")]

use detsim::net::UdpSocket;
use detsim::task::{Builder, yield_now};
use detsim::{Runtime, spawn};

/// Resident set size in bytes (`VmRSS` of `/proc/self/status`, which is
/// `/proc/self/statm`'s resident pages in kB).
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs is mounted");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse().ok())
        .expect("/proc/self/status has a VmRSS line in kB");
    kb * 1024
}

/// Spawns `count` short named tasks, 1,000 at a time, as a server spawns
/// one per request: each yields once (a poll that returns Pending, as a
/// request waiting on IO does) and finishes.
async fn short_tasks(count: u64) {
    for _ in 0..count / 1000 {
        let batch: Vec<_> = (0..1000u64)
            .map(|n| {
                Builder::new().name("request").spawn(async move {
                    yield_now().await;
                    n
                })
            })
            .collect();
        for task in batch {
            task.await.unwrap();
        }
    }
}

/// Opens and closes `count` sockets, 100 at a time, each in its own task.
async fn short_sockets(count: u64) {
    for _ in 0..count / 100 {
        let batch: Vec<_> = (0..100)
            .map(|_| spawn(async { UdpSocket::bind("127.0.0.1:0").await.unwrap() }))
            .collect();
        for socket in batch {
            drop(socket.await.unwrap());
        }
    }
}

#[test]
fn an_os_server_stays_flat_over_a_million_short_tasks_and_many_sockets() {
    const WARM_TASKS: u64 = 100_000;
    const TASKS: u64 = 1_000_000;
    const WARM_SOCKETS: u64 = 10_000;
    const SOCKETS: u64 = 100_000;
    let rt = Runtime::os().unwrap();
    let (task_bytes, socket_bytes) = rt.block_on(async {
        // A long-lived task and socket, opened first, as a server's
        // listener is.
        let listener = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let accept_loop = spawn(async { std::future::pending::<()>().await });

        short_tasks(WARM_TASKS).await;
        let before = rss_bytes();
        short_tasks(TASKS - WARM_TASKS).await;
        let after = rss_bytes();
        let task_bytes = after.saturating_sub(before) as f64 / (TASKS - WARM_TASKS) as f64;
        println!(
            "RSS after {WARM_TASKS} tasks: {before} B, after {TASKS}: {after} B \
             ({task_bytes:.2} B per task)"
        );

        short_sockets(WARM_SOCKETS).await;
        let before = rss_bytes();
        short_sockets(SOCKETS - WARM_SOCKETS).await;
        let after = rss_bytes();
        let socket_bytes = after.saturating_sub(before) as f64 / (SOCKETS - WARM_SOCKETS) as f64;
        println!(
            "RSS after {WARM_SOCKETS} sockets: {before} B, after {SOCKETS}: {after} B \
             ({socket_bytes:.2} B per socket)"
        );
        accept_loop.abort();
        drop(listener);
        (task_bytes, socket_bytes)
    });
    // Keeping a task's name, spawn site and node costs 32 bytes; a
    // resource's name 16. Allocator noise over 900,000 tasks stays far
    // below one byte each.
    assert!(
        task_bytes < 4.0,
        "RSS grew by {task_bytes:.2} bytes per finished task: the OS runtime keeps \
         bookkeeping for tasks that are gone"
    );
    assert!(
        socket_bytes < 4.0,
        "RSS grew by {socket_bytes:.2} bytes per closed socket: the OS runtime keeps \
         bookkeeping for resources that are gone"
    );
}
