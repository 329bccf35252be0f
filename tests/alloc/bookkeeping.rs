//! detsim's own work inside a poll (the trace, fault logs, the executor,
//! timers, the simulated network and disk) is never charged to the task:
//! a task doing only IO, under faults, is charged its own buffers only.

use detsim::alloc::{Usage, stats};
use detsim::net::{self, TcpListener, TcpStream, UdpSocket};
use detsim::time::{Duration, sleep, timeout};
use detsim::{Faults, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

#[track_caller]
fn charged() -> Usage {
    stats()
        .expect("the tracker is installed and a task is polled")
        .task
}

const MESSAGE_BYTES: usize = 20_000;

#[test]
fn a_task_doing_only_io_under_faults_is_charged_its_own_buffers_only() {
    // Every fault kind, full recording (the determinism check keeps every
    // event of both runs) and payload digests: as much bookkeeping as
    // detsim ever does inside a poll.
    Sim::new()
        .faults(Faults::chaos())
        .check_determinism_bytes(true)
        .seeds(10)
        .run(|| async {
            let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
            let echo = spawn(async move {
                let (mut conn, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 512];
                // Errors end the echo: chaos resets connections.
                while let Ok(n @ 1..) = conn.read(&mut buf).await {
                    if conn.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = conn.close().await;
                charged()
            });
            let client = net::client("c", async {
                let mut conn = TcpStream::connect("main:7").await.unwrap();
                let message = vec![7u8; MESSAGE_BYTES];
                let _ = conn.write_all(&message).await;
                let _ = conn.close().await;
                let mut back = [0u8; 512];
                while let Ok(1..) = conn.read(&mut back).await {}
                charged()
            });
            let udp = net::client("u", async {
                let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                for _ in 0..20 {
                    let _ = socket.send_to(&[1u8; 100], "main:9").await;
                    sleep(Duration::from_millis(1)).await;
                }
                charged()
            });
            let disk = spawn(async {
                let mut file = detsim::fs::File::create("/log").await.unwrap();
                let _ = file.write_all(&[3u8; 5000]).await;
                let _ = file.sync_all().await;
                let _ = detsim::fs::create_dir_all("/a/b").await;
                let mut buf = [0u8; 1000];
                if let Ok(mut file) = detsim::fs::File::open("/log").await {
                    while let Ok(1..) = file.read(&mut buf).await {}
                }
                charged()
            });
            let sink = UdpSocket::bind("0.0.0.0:9").await.unwrap();
            let mut buf = [0u8; 200];
            let _ = timeout(Duration::from_millis(30), async {
                while sink.recv_from(&mut buf).await.is_ok() {}
            })
            .await;
            assert_eq!(echo.await.unwrap(), Usage::default(), "the echo server");
            assert_eq!(
                client.await.unwrap(),
                Usage {
                    bytes: MESSAGE_BYTES as u64,
                    allocations: 1
                },
                "the client: its message"
            );
            assert_eq!(udp.await.unwrap(), Usage::default(), "the UDP sender");
            assert_eq!(disk.await.unwrap(), Usage::default(), "the disk writer");
        });
}

#[test]
fn sync_primitives_charge_their_state_but_not_their_waiter_bookkeeping() {
    Sim::new().seeds(5).run(|| async {
        let mutex = std::sync::Arc::new(detsim::sync::Mutex::new(0u32));
        let (tx, mut rx) = detsim::sync::mpsc::unbounded_channel::<u32>();
        let before = charged();
        let waiter = {
            let mutex = mutex.clone();
            spawn(async move {
                let start = charged();
                // Waits on the lock the body holds: a waiter entry and a
                // stamp for deadlock reports, both detsim's.
                *mutex.lock().await += 1;
                let got = rx.recv().await;
                assert_eq!(got, Some(5));
                let end = charged();
                (end.bytes - start.bytes, end.allocations - start.allocations)
            })
        };
        let guard = mutex.lock().await;
        sleep(Duration::from_millis(1)).await;
        drop(guard);
        tx.send(5).unwrap();
        assert_eq!(waiter.await.unwrap(), (0, 0), "waiting is free");
        // The body: the spawned task's cell (its future and its output's
        // slot, one allocation), and the message queue.
        assert_eq!(charged().allocations - before.allocations, 2);
    });
}
