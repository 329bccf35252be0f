//! Partitions and host crashes: what a client sees, and that the
//! simulation still ends (heals, restarts, deadlocks reported) when they
//! are over. The fault plan's nemesis has its own file, `net_nemesis.rs`.

use std::io::ErrorKind;

use detsim::net::{self, TcpListener, TcpStream, UdpSocket};
use detsim::time::{Duration, Instant, sleep, sleep_until, timeout};
use detsim::{FailureKind, Faults, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

/// Host `name` serving "ping" -> "pong" exchanges on port 7, one task per
/// connection.
pub(super) fn pong_host(name: &str) -> net::HostHandle {
    net::host(name, || async {
        let listener = TcpListener::bind("0.0.0.0:7").await?;
        loop {
            let (mut conn, _) = listener.accept().await?;
            spawn(async move {
                let mut buf = [0; 4];
                while conn.read_exact(&mut buf).await.is_ok() {
                    if conn.write_all(b"pong").await.is_err() {
                        break;
                    }
                }
            });
        }
        #[allow(unreachable_code)]
        std::io::Result::Ok(())
    })
}

/// One ping over `conn`.
pub(super) async fn ping(conn: &mut TcpStream) -> std::io::Result<()> {
    conn.write_all(b"ping").await?;
    let mut buf = [0; 4];
    conn.read_exact(&mut buf).await?;
    assert_eq!(&buf, b"pong");
    Ok(())
}

/// Asserts that `result` is an error of `kind`.
#[track_caller]
fn assert_err_kind<T: std::fmt::Debug>(result: std::io::Result<T>, kind: ErrorKind) {
    match result {
        Err(e) => assert_eq!(e.kind(), kind, "expected {kind:?}, got the error {e}"),
        Ok(v) => panic!("expected {kind:?}, got Ok({v:?})"),
    }
}

#[test]
fn a_partition_makes_connect_time_out_and_heal_restores_it() {
    Sim::new()
        .faults(Faults::default())
        .seeds(50)
        .run(|| async {
            pong_host("server");
            net::partition("main", "server");
            let start = Instant::now();
            assert_err_kind(TcpStream::connect("server:7").await, ErrorKind::TimedOut);
            assert_eq!(
                start.elapsed(),
                net::NetConfig::default().connect_timeout,
                "connect gives up at the connect timeout"
            );
            net::heal("main", "server");
            let mut conn = TcpStream::connect("server:7").await.unwrap();
            ping(&mut conn).await.unwrap();
        });
}

#[test]
fn a_one_way_partition_also_times_out_connect() {
    Sim::new().seeds(20).run(|| async {
        pong_host("server");
        // SYNs get through; SYN-ACKs do not.
        net::partition_oneway("server", "main");
        assert_err_kind(TcpStream::connect("server:7").await, ErrorKind::TimedOut);
        net::heal("main", "server");
        TcpStream::connect("server:7").await.unwrap();
    });
}

#[test]
fn an_established_connection_stalls_across_a_partition_and_resumes_after_heal() {
    Sim::new()
        .faults(Faults::default())
        .seeds(50)
        .run(|| async {
            pong_host("server");
            let mut conn = TcpStream::connect("server:7").await.unwrap();
            ping(&mut conn).await.unwrap();
            net::partition("main", "server");
            let stalled = timeout(Duration::from_secs(2), ping(&mut conn)).await;
            assert!(stalled.is_err(), "a ping crossed a partition");
            // The timed-out ping left "ping" in flight: its "pong" arrives
            // after the heal.
            net::heal("main", "server");
            let mut buf = [0; 4];
            conn.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"pong");
            ping(&mut conn).await.unwrap();
        });
}

#[test]
fn held_packets_wait_for_release_then_arrive_in_order() {
    Sim::new().seeds(20).run(|| async {
        pong_host("server");
        let mut conn = TcpStream::connect("server:7").await.unwrap();
        net::hold("main", "server");
        conn.write_all(b"pingping").await.unwrap();
        sleep(Duration::from_secs(10)).await;
        let mut buf = [0; 8];
        assert_err_kind(conn.try_read(&mut buf), ErrorKind::WouldBlock);
        net::release("main", "server");
        conn.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"pongpong");
    });
}

#[test]
fn held_datagrams_wait_for_release_then_arrive() {
    // `hold` says its packets wait, neither lost nor delivered: datagrams
    // too, not only TCP segments.
    Sim::new().seeds(20).run(|| async {
        let receiver = UdpSocket::bind("0.0.0.0:9").await.unwrap();
        let sender = net::client("sender", async {
            let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
            socket.send_to(b"held", "main:9").await.unwrap();
        });
        net::hold("sender", "main");
        sender.await.unwrap();
        let mut buf = [0; 4];
        let early = timeout(Duration::from_secs(10), receiver.recv_from(&mut buf)).await;
        assert!(early.is_err(), "a held datagram was delivered");
        net::release("sender", "main");
        let (n, _) = receiver.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"held");
    });
}

#[test]
fn a_datagram_held_forever_ends_in_a_deadlock_report_not_a_spin() {
    // Held packets are re-checked every millisecond; one held for good
    // must not keep the run going until the end of the clock.
    let rt = detsim::Runtime::sim(1);
    let failure = rt
        .try_block_on(async {
            let receiver = UdpSocket::bind("0.0.0.0:9").await.unwrap();
            let sender = net::client("sender", async {
                let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                socket.send_to(b"held", "main:9").await.unwrap();
            });
            net::hold("sender", "main");
            sender.await.unwrap();
            let mut buf = [0; 4];
            receiver.recv_from(&mut buf).await.unwrap();
        })
        .expect_err("a held datagram arrived");
    assert!(
        matches!(failure.kind, FailureKind::Deadlock { .. }),
        "{failure}"
    );
}

#[test]
fn a_syn_held_forever_ends_in_a_deadlock_report_not_a_spin() {
    let rt = detsim::Runtime::sim(1);
    let failure = rt
        .try_block_on(async {
            pong_host("server");
            net::hold("main", "server");
            let connect = TcpStream::connect("server:7").await;
            assert_err_kind(connect.map(drop), ErrorKind::TimedOut);
            std::future::pending::<()>().await;
        })
        .expect_err("pending() returned");
    assert!(
        matches!(failure.kind, FailureKind::Deadlock { .. }),
        "{failure}"
    );
}

#[test]
fn crashing_the_server_gives_the_client_eof_or_reset_and_a_restarted_server_accepts() {
    Sim::new()
        .faults(Faults::default())
        .seeds(100)
        .run(|| async {
            let server = pong_host("server");
            let mut conn = TcpStream::connect("server:7").await.unwrap();
            ping(&mut conn).await.unwrap();
            server.crash();
            assert!(!server.is_up());
            let mut buf = [0; 4];
            match conn.read(&mut buf).await {
                Ok(0) => {}
                Ok(n) => panic!("read {n} bytes from a crashed server"),
                Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}"),
            }
            // While down, SYNs go unanswered.
            assert_err_kind(TcpStream::connect("server:7").await, ErrorKind::TimedOut);
            server.restart();
            assert!(server.is_up());
            let mut conn = TcpStream::connect("server:7").await.unwrap();
            ping(&mut conn).await.unwrap();
        });
}

#[test]
fn crashing_the_server_with_unread_data_resets_the_client() {
    Sim::new().seeds(50).run(|| async {
        let server = net::host("server", || async {
            let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
            let (_conn, _) = listener.accept().await.unwrap();
            // Never reads.
            std::future::pending::<()>().await;
        });
        let mut conn = TcpStream::connect("server:7").await.unwrap();
        conn.write_all(b"unread").await.unwrap();
        sleep(Duration::from_millis(10)).await;
        server.crash();
        let mut buf = [0; 4];
        assert_err_kind(conn.read(&mut buf).await, ErrorKind::ConnectionReset);
    });
}

#[test]
fn a_connect_abandoned_before_its_syn_arrives_never_reaches_accept() {
    Sim::new().seeds(20).run(|| async {
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        net::client("c", async {
            // Shorter than any link latency: dropped before the SYN lands.
            let r = timeout(Duration::from_micros(10), TcpStream::connect("main:80")).await;
            assert!(r.is_err(), "connected faster than the link latency");
        });
        let got = timeout(Duration::from_secs(10), listener.accept()).await;
        assert!(got.is_err(), "accepted a connection the client abandoned");
    });
}

#[test]
fn lost_syn_acks_make_connect_time_out_without_queueing_a_connection_per_retransmitted_syn() {
    Sim::new().seeds(20).run(|| async {
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = net::client("c", async { TcpStream::connect("main:80").await.map(drop) });
        // The SYNs get to `main`; the SYN-ACKs never get back.
        net::partition_oneway("main", "c");
        assert_err_kind(client.await.unwrap(), ErrorKind::TimedOut);
        let ghost = timeout(Duration::from_secs(10), listener.accept()).await;
        assert!(
            ghost.is_err(),
            "accepted a connection whose client timed out"
        );
    });
}

#[test]
fn a_retransmitted_syn_yields_one_connection_once_the_syn_ack_gets_through() {
    Sim::new().seeds(20).run(|| async {
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        net::client("c", async {
            let mut conn = TcpStream::connect("main:80").await.unwrap();
            conn.write_all(b"hi").await.unwrap();
            std::future::pending::<()>().await;
        });
        net::partition_oneway("main", "c");
        // Two SYNs (0 s and 1 s) reach `main` unanswered; heal before the
        // third (3 s).
        sleep(Duration::from_millis(2_500)).await;
        net::heal("main", "c");
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut buf = [0; 2];
        conn.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hi");
        let second = timeout(Duration::from_secs(10), listener.accept()).await;
        assert!(second.is_err(), "one connect gave two connections");
    });
}

#[test]
fn a_stuck_body_after_crashing_a_host_for_good_is_still_reported_as_a_deadlock() {
    let failure = Sim::new()
        .seeds(5)
        .try_run(|| async {
            let server = net::host("server", || async {
                let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
                let (_conn, _) = listener.accept().await.unwrap();
                std::future::pending::<()>().await;
            });
            let mut conn = TcpStream::connect("server:7").await.unwrap();
            sleep(Duration::from_millis(1)).await;
            server.crash();
            let mut buf = [0; 1];
            let _ = conn.read(&mut buf).await;
            // Its FIN goes to a host that never comes back.
            drop(conn);
            std::future::pending::<()>().await;
        })
        .expect_err("a body that waits forever must fail");
    assert!(
        matches!(failure.failure.kind, FailureKind::Deadlock { .. }),
        "expected a deadlock, got {}",
        failure.failure.kind
    );
}

#[test]
fn data_stuck_behind_a_partition_that_never_heals_times_out_like_linux() {
    let failure = detsim::Sim::new()
        .try_run(|| async {
            detsim::net::host("server", || async {
                let l = detsim::net::TcpListener::bind("0.0.0.0:7").await?;
                let (_c, _) = l.accept().await?;
                std::future::pending::<()>().await;
                std::io::Result::Ok(())
            });
            let mut c = detsim::net::TcpStream::connect("server:7").await.unwrap();
            detsim::net::partition("main", "server");
            let start = detsim::time::Instant::now();
            futures::AsyncWriteExt::write_all(&mut c, b"x")
                .await
                .unwrap();
            let mut buf = [0u8; 1];
            let err = futures::AsyncReadExt::read(&mut c, &mut buf)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
            // Linux gives up after tcp_retries2 = 15 retransmissions, ~924.6 s.
            assert!(
                start.elapsed() >= detsim::time::Duration::from_secs(924),
                "{:?}",
                start.elapsed()
            );
            std::future::pending::<()>().await;
        })
        .expect_err("the body waits forever once the connection has failed");
    assert!(
        matches!(failure.failure.kind, detsim::FailureKind::Deadlock { .. }),
        "a stuck run must end in a deadlock report, not a clock running forever: {}",
        failure.failure.kind
    );
}

#[test]
fn a_failing_host_is_reported_as_spawned_where_the_test_called_net_host_or_restart() {
    fn spawned_at(failure: &detsim::SweepFailure) -> String {
        match &failure.failure.kind {
            FailureKind::Panic { task, .. } => task.spawned_at.clone(),
            other => panic!("expected a panic, got {other}"),
        }
    }
    let host_line = line!() + 3;
    let failure = Sim::new()
        .try_run(|| async {
            net::host("server", || async { Err::<(), _>("the server fails") });
            sleep(Duration::from_millis(1)).await;
        })
        .expect_err("the host panics");
    let site = spawned_at(&failure);
    assert!(
        site.starts_with(&format!("{}:{host_line}:", file!())),
        "spawned at {site}, not at the net::host call on line {host_line}"
    );

    let restart_line = line!() + 10;
    let failure = Sim::new()
        .try_run(|| async {
            let first = std::rc::Rc::new(std::cell::Cell::new(true));
            let server = net::host("server", move || {
                let first = first.replace(false);
                async move { assert!(first, "the restarted server fails") }
            });
            sleep(Duration::from_millis(1)).await;
            server.crash();
            server.restart();
            sleep(Duration::from_millis(1)).await;
        })
        .expect_err("the restarted host panics");
    let site = spawned_at(&failure);
    assert!(
        site.starts_with(&format!("{}:{restart_line}:", file!())),
        "spawned at {site}, not at the restart call on line {restart_line}"
    );
}

#[test]
fn an_end_that_timed_out_resets_a_peer_that_writes_to_it_even_across_flapping_links() {
    // Linux's give-up time for unacknowledged segments (tcp_retries2).
    let give_up = Duration::from_millis(924_600);
    Sim::new().seeds(5).run(move || async move {
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let peer = net::client("c", async move {
            let mut conn = TcpStream::connect("main:80").await.unwrap();
            // After `main` timed out on "a", before "b" would have.
            sleep_until(Instant::ZERO + give_up + Duration::from_millis(500)).await;
            conn.write_all(b"x").await.unwrap();
            let mut buf = [0; 1];
            timeout(Duration::from_secs(60), conn.read(&mut buf)).await
        });
        let (mut conn, _) = listener.accept().await.unwrap();
        net::partition_oneway("main", "c");
        conn.write_all(b"a").await.unwrap();
        sleep(Duration::from_secs(1)).await;
        conn.write_all(b"b").await.unwrap();
        let mut buf = [0; 1];
        assert_err_kind(conn.read(&mut buf).await, ErrorKind::TimedOut);
        // "b" gives up too while the way back is still cut: `main` owes
        // `c` the RST for "x", which must survive that.
        sleep_until(Instant::ZERO + give_up + Duration::from_secs(3)).await;
        net::heal("main", "c");
        let read = peer.await.unwrap().expect("the RST never came");
        assert_err_kind(read, ErrorKind::ConnectionReset);
    });
}
