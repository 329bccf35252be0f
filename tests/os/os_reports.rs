//! Failure reports on the OS runtime still name their tasks and sockets,
//! although the runtime forgets the bookkeeping of tasks and resources
//! that are long gone (see `tests/os_memory.rs`).

#![cfg(target_os = "linux")]

use detsim::net::UdpSocket;
use detsim::task::{Builder, yield_now};
use detsim::{FailureKind, Runtime, spawn};

#[test]
fn a_task_panicking_after_thousands_of_others_is_named_with_its_spawn_site() {
    let rt = Runtime::os().unwrap();
    let spawned_at = std::sync::Mutex::new(String::new());
    let failure = rt
        .try_block_on(async {
            // A socket opened at start-up, and thousands of tasks and
            // sockets that come and go after it.
            let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            for _ in 0..50 {
                let batch: Vec<_> = (0..100)
                    .map(|_| {
                        spawn(async {
                            let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                            yield_now().await;
                            drop(s);
                        })
                    })
                    .collect();
                for t in batch {
                    t.await.unwrap();
                }
            }
            let addr = server.local_addr().unwrap();
            *spawned_at.lock().unwrap() = format!("{}:{}", file!(), line!() + 1);
            let handler = Builder::new().name("handler").spawn(async move {
                let mut buf = [0u8; 8];
                server.recv_from(&mut buf).await.unwrap();
                panic!("request failed");
            });
            // The handler waits on the start-up socket; a datagram makes
            // epoll report it (a `ready` event naming the socket).
            yield_now().await;
            let client = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            client.send_to(b"req", addr).unwrap();
            handler.await.unwrap();
        })
        .unwrap_err();
    let FailureKind::Panic { task, message, .. } = &failure.kind else {
        panic!("expected a panic report, got:\n{failure}");
    };
    assert_eq!(message, "request failed");
    assert_eq!(task.name.as_deref(), Some("handler"), "{failure}");
    let spawned_at = spawned_at.lock().unwrap().clone();
    assert!(
        task.spawned_at.starts_with(&spawned_at),
        "spawned at {:?}, expected {spawned_at}",
        task.spawned_at
    );
    // The start-up socket, created more than a thousand sockets ago, is
    // still named in the recent events: it is registered.
    let events: Vec<String> = failure
        .recent_events
        .iter()
        .map(ToString::to_string)
        .collect();
    let events = events.join("\n");
    assert!(events.contains("os-udp#1 "), "{events}");
    assert!(!events.contains(" #"), "an unnamed resource in:\n{events}");
}
