//! Causality: everything a peer can observe of a TCP connection (data, FIN,
//! RST, a refused connect) crosses the link, after the link's latency, and
//! waits behind a partition or a held link like data does.
//!
//! The links here have a fixed latency and the kernel no legal behaviour
//! (no delayed readiness, no short reads), so every arrival time is exact.

use std::io::ErrorKind;

use detsim::net::{self, LinkConfig, NetConfig, TcpListener, TcpStream};
use detsim::time::{Duration, Instant, sleep, sleep_until};
use detsim::{Faults, Sim};
use futures::{AsyncReadExt, AsyncWriteExt};

/// One-way latency of every link in these tests.
const LATENCY: Duration = Duration::from_micros(100);

fn fixed_latency() {
    let mut config = NetConfig::default();
    config.latency_min = LATENCY;
    config.latency_max = LATENCY;
    net::configure(config);
}

/// A runner without legal behaviour: a delayed readiness event (legal, and
/// on by default) would move the exact instants these tests assert.
fn exact() -> Sim {
    Sim::new().faults(Faults::none())
}

fn at(millis: u64) -> Instant {
    Instant::ZERO + Duration::from_millis(millis)
}

/// Asserts that `result` is an error of one of `kinds`.
#[track_caller]
fn assert_err_kind<T: std::fmt::Debug>(result: std::io::Result<T>, kinds: &[ErrorKind]) {
    match result {
        Err(e) => assert!(kinds.contains(&e.kind()), "expected {kinds:?}, got {e}"),
        Ok(v) => panic!("expected {kinds:?}, got Ok({v:?})"),
    }
}

#[test]
fn the_peers_fin_arrives_after_the_link_latency_and_the_first_write_after_it_succeeds() {
    exact().seeds(20).run(|| async {
        fixed_latency();
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = net::client("c", async {
            let mut conn = TcpStream::connect("main:80").await.unwrap();
            let mut buf = [0; 4];
            assert_eq!(conn.read(&mut buf).await.unwrap(), 0, "EOF after the FIN");
            assert_eq!(Instant::now(), at(10) + LATENCY, "the FIN took one latency");
            // As on Linux: the write is accepted; the closed socket answers
            // its segment with RST, which takes a round trip to come back.
            conn.write_all(b"are you there?").await.unwrap();
            sleep(2 * LATENCY - Duration::from_nanos(1)).await;
            conn.write_all(b"still there?").await.unwrap();
            sleep(Duration::from_nanos(1)).await;
            assert_err_kind(
                conn.write_all(b"hello?").await,
                &[ErrorKind::BrokenPipe, ErrorKind::ConnectionReset],
            );
        });
        let (conn, _) = listener.accept().await.unwrap();
        sleep_until(at(10)).await;
        drop(conn);
        client.await.unwrap();
    });
}

#[test]
fn a_reset_arrives_after_the_link_latency_and_writes_before_it_succeed() {
    exact().seeds(20).run(|| async {
        fixed_latency();
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = net::client("c", async {
            let mut conn = TcpStream::connect("main:80").await.unwrap();
            conn.write_all(b"never read").await.unwrap();
            // The server closes at 10 ms with this unread: RST.
            sleep_until(at(10) + LATENCY / 2).await;
            conn.write_all(b"more").await.unwrap();
            let mut buf = [0; 4];
            assert_err_kind(conn.read(&mut buf).await, &[ErrorKind::ConnectionReset]);
            assert_eq!(Instant::now(), at(10) + LATENCY, "the RST took one latency");
        });
        let (conn, _) = listener.accept().await.unwrap();
        sleep_until(at(10)).await;
        assert!(conn.try_read(&mut [0; 1]).is_ok(), "data is waiting");
        drop(conn);
        client.await.unwrap();
    });
}

#[test]
fn a_partition_holds_the_fin_and_the_peer_close_until_it_heals() {
    exact().seeds(20).run(|| async {
        fixed_latency();
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = net::client("c", async {
            let mut conn = TcpStream::connect("main:80").await.unwrap();
            sleep_until(at(20)).await;
            // Partitioned: neither the FIN nor the close is known here.
            let mut buf = [0; 4];
            assert_err_kind(conn.try_read(&mut buf), &[ErrorKind::WouldBlock]);
            conn.write_all(b"unanswered").await.unwrap();
            // Healed at 1 s: the FIN arrives, then the RST answering the
            // data.
            assert_eq!(conn.read(&mut buf).await.unwrap(), 0);
            assert!(Instant::now() >= at(1000), "EOF crossed a partition");
            sleep(Duration::from_millis(300)).await;
            assert_err_kind(
                conn.write_all(b"x").await,
                &[ErrorKind::BrokenPipe, ErrorKind::ConnectionReset],
            );
        });
        let (conn, _) = listener.accept().await.unwrap();
        sleep_until(at(10)).await;
        net::partition("main", "c");
        drop(conn);
        sleep_until(at(1000)).await;
        net::heal("main", "c");
        client.await.unwrap();
    });
}

#[test]
fn a_held_link_holds_a_reset_until_released() {
    exact().seeds(20).run(|| async {
        fixed_latency();
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = net::client("c", async {
            let mut conn = TcpStream::connect("main:80").await.unwrap();
            conn.write_all(b"never read").await.unwrap();
            sleep_until(at(500)).await;
            let mut buf = [0; 4];
            assert_err_kind(conn.try_read(&mut buf), &[ErrorKind::WouldBlock]);
            conn.write_all(b"more").await.unwrap();
            assert_err_kind(conn.read(&mut buf).await, &[ErrorKind::ConnectionReset]);
            assert!(Instant::now() >= at(1000), "the RST crossed a held link");
        });
        let (conn, _) = listener.accept().await.unwrap();
        sleep_until(at(10)).await;
        net::hold("main", "c");
        drop(conn);
        sleep_until(at(1000)).await;
        net::release("main", "c");
        client.await.unwrap();
    });
}

#[test]
fn a_refusal_waits_behind_a_held_link_and_arrives_when_released() {
    exact().seeds(10).run(|| async {
        fixed_latency();
        let client = net::client("c", async {
            let err = TcpStream::connect("main:81").await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
            Instant::now()
        });
        // Before the client runs: its SYN will find the way back held.
        net::hold("main", "c");
        sleep_until(at(500)).await;
        net::release("main", "c");
        let refused_at = client.await.unwrap();
        // Not lost and asked for again by the SYN retransmitted at 1 s:
        // the held RST goes as soon as the link is released.
        assert!(refused_at >= at(500), "{refused_at}");
        assert!(refused_at < at(502), "{refused_at}");
    });
}

#[test]
fn the_handshakes_last_ack_waits_behind_a_partition_before_the_server_can_accept() {
    exact().seeds(20).run(|| async {
        fixed_latency();
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        net::client("c", async {
            let conn = TcpStream::connect("main:80").await.unwrap();
            // The SYN-ACK just arrived; the ACK leaves now, into the cut.
            net::partition("c", "main");
            std::future::pending::<()>().await;
            drop(conn);
        });
        let early = detsim::time::timeout(Duration::from_secs(2), listener.accept()).await;
        assert!(early.is_err(), "the server accepted across a partition");
        net::heal("c", "main");
        listener.accept().await.unwrap();
        assert!(Instant::now() >= at(2000));
    });
}

#[test]
fn a_latency_of_centuries_delays_the_handshake_without_overflowing_the_clock() {
    // 300 years from the client to the server: the SYN-ACK comes back at
    // 300 years, and the last ACK's retransmission deadline (its arrival
    // plus Linux's give-up time) lies past the end of the virtual clock
    // (about 584 years). It must saturate, not overflow inside detsim.
    const CENTURIES: Duration = Duration::from_secs(300 * 365 * 24 * 60 * 60);
    exact().seeds(1).run(|| async {
        let mut config = NetConfig::default();
        config.latency_min = LATENCY;
        config.latency_max = LATENCY;
        config.connect_timeout = CENTURIES + Duration::from_secs(1);
        net::configure(config);
        let _listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = net::client("c", async {
            TcpStream::connect("main:80").await.unwrap();
            Instant::now()
        });
        net::set_link("c", "main", LinkConfig::latency(CENTURIES, CENTURIES));
        let connected = client.await.unwrap();
        assert_eq!(connected, Instant::ZERO + CENTURIES + LATENCY);
    });
}

#[test]
fn a_connect_timeout_of_duration_max_retransmits_syns_to_the_end_of_the_clock() {
    // "Never time out": the SYN retransmissions double until the end of
    // the virtual clock, without overflowing it inside detsim.
    exact().seeds(1).run(|| async {
        let mut config = NetConfig::default();
        config.connect_timeout = Duration::MAX;
        net::configure(config);
        let _listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = net::client("c", async { TcpStream::connect("main:80").await.map(drop) });
        net::partition("c", "main");
        assert_err_kind(client.await.unwrap(), &[ErrorKind::TimedOut]);
    });
}

#[test]
fn a_link_latency_of_duration_max_holds_data_without_overflowing() {
    // An "infinitely slow" link: what is written never arrives within the
    // clock, and nothing overflows inside detsim.
    exact().seeds(1).run(|| async {
        fixed_latency();
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = net::client("c", async {
            let mut conn = TcpStream::connect("main:80").await.unwrap();
            net::set_link(
                "c",
                "main",
                LinkConfig::latency(Duration::MAX, Duration::MAX),
            );
            conn.write_all(b"slow").await.unwrap();
            conn
        });
        let (mut conn, _) = listener.accept().await.unwrap();
        let _client_end = client.await.unwrap();
        let mut buf = [0; 4];
        let read = detsim::time::timeout(Duration::from_secs(1), conn.read(&mut buf)).await;
        assert!(read.is_err(), "the data arrived: {read:?}");
    });
}

#[test]
fn reconfiguring_the_network_changes_the_latency_of_open_connections() {
    // A connection's links follow the network's configuration as it is
    // when each segment is sent, not as it was when the connection opened;
    // a link's own settings win over the network's default.
    const SLOWER: Duration = Duration::from_millis(3);
    exact().seeds(1).run(|| async {
        fixed_latency();
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = net::client("c", async {
            let mut conn = TcpStream::connect("main:80").await.unwrap();
            let mut config = NetConfig::default();
            config.latency_min = SLOWER;
            config.latency_max = SLOWER;
            net::configure(config);
            let sent = Instant::now();
            conn.write_all(b"a").await.unwrap();
            sleep_until(sent + SLOWER).await;
            net::set_link("c", "main", LinkConfig::latency(LATENCY, LATENCY));
            conn.write_all(b"b").await.unwrap();
            (conn, sent)
        });
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut buf = [0; 1];
        conn.read_exact(&mut buf).await.unwrap();
        let sent = Instant::now() - SLOWER;
        conn.read_exact(&mut buf).await.unwrap();
        assert_eq!(
            Instant::now(),
            sent + SLOWER + LATENCY,
            "the link's own latency"
        );
        let (_conn, sent_first) = client.await.unwrap();
        assert_eq!(sent_first, sent, "the first byte took the new default");
    });
}
