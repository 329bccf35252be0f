//! Simulated TCP: an echo service survives the default fault plan, and the
//! socket API gives the errors Linux gives (refused, reset, address in use,
//! unknown host), half-close and backpressure included.

use std::io::ErrorKind;

use detsim::net::{self, NetConfig, TcpListener, TcpStream};
use detsim::time::{Duration, sleep};
use detsim::{Faults, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

/// Starts host `name` with an echo server on port 7: one task per
/// connection, copying until EOF, then closing its write half.
fn echo_host(name: &str) -> net::HostHandle {
    net::host(name, || async {
        let listener = TcpListener::bind("0.0.0.0:7").await?;
        loop {
            let (conn, _) = listener.accept().await?;
            spawn(async move {
                let (mut r, mut w) = conn.into_split();
                futures::io::copy(&mut r, &mut w).await?;
                w.close().await?;
                std::io::Result::Ok(())
            });
        }
        #[allow(unreachable_code)]
        std::io::Result::Ok(())
    })
}

/// Writes `msg` and reads back exactly as many bytes, asserting they match;
/// failures name the caller's line.
#[track_caller]
fn round_trip<'a>(
    conn: &'a mut TcpStream,
    msg: &'a [u8],
) -> impl std::future::Future<Output = ()> + 'a {
    let caller = std::panic::Location::caller();
    async move {
        conn.write_all(msg)
            .await
            .unwrap_or_else(|e| panic!("write_all to the echo server ({caller}): {e}"));
        let mut back = vec![0; msg.len()];
        conn.read_exact(&mut back)
            .await
            .unwrap_or_else(|e| panic!("read_exact from the echo server ({caller}): {e}"));
        assert_eq!(back, msg, "the echo differs from what was sent ({caller})");
    }
}

/// Asserts that `result` is an error of `kind`.
#[track_caller]
fn assert_err_kind<T: std::fmt::Debug>(result: std::io::Result<T>, kind: ErrorKind) {
    match result {
        Err(e) => assert_eq!(e.kind(), kind, "expected {kind:?}, got the error {e}"),
        Ok(v) => panic!("expected {kind:?}, got Ok({v:?})"),
    }
}

/// The echo body: three clients on their own hosts and one on `main`, each
/// sending messages of random sizes, some larger than one segment.
async fn echo_under_faults() {
    echo_host("echo");
    let clients: Vec<_> = (0..3)
        .map(|c| {
            net::client(&format!("client-{c}"), async move {
                let mut conn = TcpStream::connect("echo:7").await.unwrap();
                for i in 0..5u8 {
                    let len = detsim::rand::random_range(1..3_000);
                    let msg: Vec<u8> = (0..len).map(|j| (j as u8) ^ i ^ c).collect();
                    round_trip(&mut conn, &msg).await;
                }
                conn.close().await.unwrap();
                let mut rest = Vec::new();
                conn.read_to_end(&mut rest).await.unwrap();
                assert!(rest.is_empty(), "the server echoed more than was sent");
            })
        })
        .collect();
    let mut conn = TcpStream::connect("echo:7").await.unwrap();
    round_trip(&mut conn, b"hello from main").await;
    for c in clients {
        c.await.unwrap();
    }
}

/// 1,000 seeds by default; `DETSIM_NET_ECHO_SEEDS` overrides.
fn echo_seeds() -> u64 {
    std::env::var("DETSIM_NET_ECHO_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000)
}

#[test]
fn an_echo_client_and_server_stay_correct_over_a_thousand_seeds_with_default_faults() {
    let report = Sim::new()
        .faults(Faults::default())
        .seeds(echo_seeds())
        .run(echo_under_faults);
    assert_eq!(report.runs.len() as u64, echo_seeds());
}

#[test]
fn connecting_to_a_port_with_no_listener_is_refused() {
    Sim::new().seeds(20).run(|| async {
        echo_host("echo");
        assert_err_kind(
            TcpStream::connect("echo:8").await,
            ErrorKind::ConnectionRefused,
        );
        // The host itself is reachable.
        TcpStream::connect("echo:7").await.unwrap();
    });
}

#[test]
fn binding_a_bound_port_again_fails_with_addr_in_use() {
    Sim::new().seeds(5).run(|| async {
        let first = TcpListener::bind("0.0.0.0:9000").await.unwrap();
        assert_err_kind(
            TcpListener::bind("0.0.0.0:9000").await,
            ErrorKind::AddrInUse,
        );
        assert_err_kind(TcpListener::bind("main:9000").await, ErrorKind::AddrInUse);
        let udp = net::UdpSocket::bind("0.0.0.0:9000").await.unwrap();
        assert_err_kind(
            net::UdpSocket::bind("0.0.0.0:9000").await,
            ErrorKind::AddrInUse,
        );
        drop((first, udp));
        // A closed port is free at once (no TIME_WAIT in the simulation).
        TcpListener::bind("0.0.0.0:9000").await.unwrap();
        net::UdpSocket::bind("0.0.0.0:9000").await.unwrap();
    });
}

#[test]
fn an_unknown_host_name_is_not_found() {
    Sim::new().seeds(3).run(|| async {
        assert_err_kind(TcpStream::connect("nowhere:80").await, ErrorKind::NotFound);
        let udp = net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert_err_kind(udp.send_to(b"x", "nowhere:53").await, ErrorKind::NotFound);
        assert_err_kind(udp.connect("nowhere:53").await, ErrorKind::NotFound);
        assert!(net::lookup("nowhere").is_none());
    });
}

#[test]
fn ephemeral_ports_are_deterministic_and_distinct() {
    async fn ports() -> Vec<u16> {
        echo_host("echo");
        let mut conns = Vec::new();
        for _ in 0..5 {
            conns.push(TcpStream::connect("echo:7").await.unwrap());
        }
        let listener = TcpListener::bind("0.0.0.0:0").await.unwrap();
        let mut ports: Vec<u16> = conns
            .iter()
            .map(|c| c.local_addr().unwrap().port())
            .collect();
        ports.push(listener.local_addr().unwrap().port());
        ports
    }
    let first = Runtime::sim(1).block_on(ports());
    let again = Runtime::sim(1).block_on(ports());
    let other_seed = Runtime::sim(2).block_on(ports());
    assert_eq!(first, again, "same seed, same ports");
    assert_eq!(first, other_seed, "ports do not depend on the schedule");
    assert!(
        first.iter().all(|p| (32768..=60999).contains(p)),
        "ephemeral ports come from Linux's default range: {first:?}"
    );
    let mut distinct = first.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), first.len(), "ports repeat: {first:?}");
}

#[test]
fn addresses_name_both_ends_of_a_connection() {
    Sim::new().seeds(5).run(|| async {
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = net::client("c", async {
            let conn = TcpStream::connect("main:80").await.unwrap();
            (conn.local_addr().unwrap(), conn.peer_addr().unwrap())
        });
        let (conn, peer) = listener.accept().await.unwrap();
        let (client_local, client_peer) = client.await.unwrap();
        assert_eq!(peer, client_local);
        assert_eq!(conn.peer_addr().unwrap(), client_local);
        assert_eq!(conn.local_addr().unwrap(), client_peer);
        assert_eq!(client_peer.ip(), net::lookup("main").unwrap());
        assert_eq!(client_local.ip(), net::lookup("c").unwrap());
    });
}

#[test]
fn half_close_delivers_data_then_eof_and_the_closing_side_can_still_read() {
    Sim::new()
        .faults(Faults::default())
        .seeds(100)
        .run(|| async {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let client = net::client("c", async {
                let mut conn = TcpStream::connect("main:80").await.unwrap();
                conn.write_all(b"request").await.unwrap();
                conn.close().await.unwrap();
                assert_err_kind(conn.write_all(b"more").await, ErrorKind::BrokenPipe);
                // The read half still works after the write half closed.
                let mut reply = Vec::new();
                conn.read_to_end(&mut reply).await.unwrap();
                reply
            });
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            conn.read_to_end(&mut request).await.unwrap();
            assert_eq!(request, b"request", "data first, then EOF");
            let mut buf = [0; 4];
            assert_eq!(conn.read(&mut buf).await.unwrap(), 0, "EOF stays EOF");
            conn.write_all(b"response").await.unwrap();
            drop(conn);
            assert_eq!(client.await.unwrap(), b"response");
        });
}

#[test]
fn dropping_a_socket_with_unread_data_resets_the_peer() {
    Sim::new()
        .faults(Faults::default())
        .seeds(50)
        .run(|| async {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let client = net::client("c", async {
                let mut conn = TcpStream::connect("main:80").await.unwrap();
                conn.write_all(b"never read").await.unwrap();
                let mut buf = [0; 16];
                let err = conn.read(&mut buf).await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
                let err = conn.write_all(b"x").await.unwrap_err();
                assert!(
                    matches!(
                        err.kind(),
                        ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
                    ),
                    "writes after a reset fail: {err}"
                );
            });
            let (conn, _) = listener.accept().await.unwrap();
            // Wait until the data has arrived, unread, then close.
            conn.readable().await.unwrap();
            sleep(Duration::from_millis(5)).await;
            drop(conn);
            client.await.unwrap();
        });
}

#[test]
fn dropping_a_socket_after_reading_everything_sends_eof_not_reset() {
    Sim::new()
        .faults(Faults::default())
        .seeds(50)
        .run(|| async {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let client = net::client("c", async {
                let mut conn = TcpStream::connect("main:80").await.unwrap();
                conn.write_all(b"all of it").await.unwrap();
                let mut rest = Vec::new();
                conn.read_to_end(&mut rest).await.unwrap();
                rest
            });
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut buf = [0; 9];
            conn.read_exact(&mut buf).await.unwrap();
            drop(conn);
            assert!(client.await.unwrap().is_empty());
        });
}

#[test]
fn a_writer_faster_than_its_reader_sees_would_block_and_every_byte_arrives() {
    const TOTAL: usize = 256 * 1024;
    Sim::new()
        .faults(Faults::default())
        .seeds(20)
        .run(|| async {
            let mut config = NetConfig::default();
            config.tcp_buffer_bytes = 4 * 1024;
            net::configure(config);
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let writer = net::client("writer", async {
                let mut conn = TcpStream::connect("main:80").await.unwrap();
                let data: Vec<u8> = (0..TOTAL).map(|i| (i % 251) as u8).collect();
                let (mut sent, mut would_block) = (0, 0);
                while sent < TOTAL {
                    match conn.try_write(&data[sent..]) {
                        Ok(n) => sent += n,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            would_block += 1;
                            conn.writable().await.unwrap();
                        }
                        Err(e) => panic!("try_write: {e}"),
                    }
                }
                conn.close().await.unwrap();
                would_block
            });
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut got = Vec::with_capacity(TOTAL);
            let mut buf = [0; 1024];
            loop {
                // A slow reader: one small read per millisecond.
                sleep(Duration::from_millis(1)).await;
                let n = conn.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            let would_block = writer.await.unwrap();
            assert!(would_block > 0, "the writer never saw a full buffer");
            assert_eq!(got.len(), TOTAL);
            assert!(
                got.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8),
                "bytes arrived out of order or corrupted"
            );
        });
}

#[test]
fn split_halves_work_from_different_tasks() {
    Sim::new()
        .faults(Faults::default())
        .seeds(50)
        .run(|| async {
            echo_host("echo");
            let conn = TcpStream::connect("echo:7").await.unwrap();
            let (mut r, mut w) = conn.into_split();
            let writer = spawn(async move {
                for i in 0..20u8 {
                    w.write_all(&[i; 100]).await.unwrap();
                }
                w.close().await.unwrap();
            });
            let mut got = Vec::new();
            r.read_to_end(&mut got).await.unwrap();
            writer.await.unwrap();
            let want: Vec<u8> = (0..20u8).flat_map(|i| [i; 100]).collect();
            assert_eq!(got, want);
        });
}

#[test]
fn dropping_the_write_half_sends_eof_and_the_read_half_keeps_reading() {
    Sim::new()
        .faults(Faults::default())
        .seeds(50)
        .run(|| async {
            echo_host("echo");
            let conn = TcpStream::connect("echo:7").await.unwrap();
            let (mut r, mut w) = conn.into_split();
            w.write_all(b"last words").await.unwrap();
            drop(w);
            let mut got = Vec::new();
            r.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, b"last words", "the echo server saw EOF and closed");
        });
}

/// Linux's default `ip_local_port_range`: 32768–60999.
const EPHEMERAL_PORTS: usize = 60999 - 32768 + 1;

#[test]
fn binding_port_zero_with_every_ephemeral_port_taken_fails_with_addr_in_use_instead_of_looping() {
    Sim::new().seeds(1).run(|| async {
        // 56,000 binds are real work: yield now and then, so no single poll
        // runs past the long-poll budget on a slow host.
        let mut sockets = Vec::with_capacity(EPHEMERAL_PORTS);
        for i in 0..EPHEMERAL_PORTS {
            sockets.push(net::UdpSocket::bind("0.0.0.0:0").await.unwrap());
            if i % 1024 == 0 {
                detsim::task::yield_now().await;
            }
        }
        // Linux's bind(2) says EADDRINUSE when no ephemeral port is free.
        assert_err_kind(
            net::UdpSocket::bind("0.0.0.0:0").await,
            ErrorKind::AddrInUse,
        );
        let mut listeners = Vec::with_capacity(EPHEMERAL_PORTS);
        for i in 0..EPHEMERAL_PORTS {
            listeners.push(TcpListener::bind("0.0.0.0:0").await.unwrap());
            if i % 1024 == 0 {
                detsim::task::yield_now().await;
            }
        }
        assert_err_kind(TcpListener::bind("0.0.0.0:0").await, ErrorKind::AddrInUse);
        // A fixed port outside the range still binds.
        TcpListener::bind("0.0.0.0:80").await.unwrap();
        // Closing 56,000 sockets is real work too: in chunks, not all in
        // the body's last poll (which ran 128 ms on a loaded host).
        while !sockets.is_empty() || !listeners.is_empty() {
            sockets.truncate(sockets.len().saturating_sub(1024));
            listeners.truncate(listeners.len().saturating_sub(1024));
            detsim::task::yield_now().await;
        }
    });
}

#[test]
fn a_listener_queues_as_many_connections_as_the_os_runtime_asks_for_then_drops_syns() {
    // The OS runtime listens with a backlog of 1024 (tokio's); so does the
    // simulation by default.
    const BACKLOG: usize = 1024;
    Sim::new().seeds(2).run(|| async {
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let start = detsim::time::Instant::now();
        let clients = net::client("c", async move {
            let mut conns = Vec::with_capacity(BACKLOG);
            for _ in 0..BACKLOG {
                conns.push(TcpStream::connect("main:80").await.unwrap());
            }
            let queued_in = start.elapsed();
            // Until every handshake's last ACK has put it in the queue.
            sleep(Duration::from_millis(10)).await;
            let one_more = TcpStream::connect("main:80").await.unwrap();
            (queued_in, start.elapsed(), conns, one_more)
        });
        sleep(Duration::from_millis(500)).await;
        // Nothing accepted yet: the last SYN found the queue full.
        let _first = listener.accept().await.unwrap();
        let (queued_in, last_in, _conns, _one_more) = clients.await.unwrap();
        assert!(
            queued_in < Duration::from_secs(1),
            "{BACKLOG} connects needed a SYN retransmission: {queued_in:?}"
        );
        assert!(
            last_in >= Duration::from_secs(1),
            "connect {} got in without waiting: {last_in:?}",
            BACKLOG + 1
        );
    });
}
