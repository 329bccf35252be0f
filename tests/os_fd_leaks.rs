//! The OS backend leaks no file descriptors: not through sockets opened
//! and dropped by the thousand, not through a task that panics while it
//! holds registered sockets, and not through the runtime itself.
//!
//! Counting `/proc/self/fd` sees the whole process, so the tests in this
//! file take turns (a lock) and nothing else runs in this binary.

#![cfg(target_os = "linux")]

use std::sync::Mutex;

use detsim::net::{TcpListener, TcpStream, UdpSocket};
use detsim::{FailureKind, Runtime, spawn};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("procfs is mounted")
        .count()
}

#[test]
fn opening_and_dropping_ten_thousand_sockets_leaves_no_descriptor_behind() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let before = open_fds();
    let rt = Runtime::os().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // 4,000 connections = 8,000 sockets, in batches of 100 at once.
        for _ in 0..40 {
            let mut conns = Vec::new();
            for _ in 0..100 {
                conns.push(spawn(
                    async move { TcpStream::connect(addr).await.unwrap() },
                ));
            }
            let mut accepted = Vec::new();
            for _ in 0..100 {
                accepted.push(listener.accept().await.unwrap().0);
            }
            for c in conns {
                c.await.unwrap();
            }
            drop(accepted);
        }
        // 2,000 UDP sockets.
        for _ in 0..2_000 {
            drop(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        }
    });
    drop(rt);
    assert_eq!(open_fds(), before, "descriptors leaked");
}

#[test]
fn a_panicking_task_leaves_no_registered_descriptor_behind() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let before = open_fds();
    let rt = Runtime::os().unwrap();
    let failure = rt
        .try_block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let holder = spawn(async move {
                let _conn = TcpStream::connect(addr).await.unwrap();
                let _udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                panic!("the task gives up while holding sockets");
            });
            let _accepted = listener.accept().await.unwrap();
            holder.await.unwrap();
        })
        .expect_err("the task panics");
    assert!(
        matches!(failure.kind, FailureKind::Panic { .. }),
        "{}",
        failure.kind
    );
    assert!(
        open_fds() > before,
        "the runtime still holds its epoll fd and the listener"
    );
    drop(rt);
    assert_eq!(open_fds(), before, "descriptors leaked");
}
