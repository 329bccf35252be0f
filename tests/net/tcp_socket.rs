//! `TcpSocket`: options and `bind` before `connect` or `listen`, on both
//! kernels where Linux's behaviour is shared (ports held at `bind`,
//! `SO_REUSEADDR`'s sharing rules, the bound port as the connection's
//! local port, the backlog, options read back and kept by the
//! connection, a zero linger's reset, the family checks), and the
//! simulation's own answers where it differs or computes what Linux
//! would (buffer sizes, one listener per port, traces as
//! `TcpStream::connect`'s).

use std::io::{self, ErrorKind};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use detsim::kernel::net::Errno;
use detsim::net::{TcpListener, TcpSocket, TcpStream};
use detsim::time::{Duration, sleep, timeout};
use detsim::{Faults, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// `127.0.0.1:port`: the calling host under the simulation.
fn loopback(port: u16) -> SocketAddr {
    SocketAddr::new(LOOPBACK, port)
}

/// An IPv4 socket bound to a free loopback port, and that port.
fn bound(reuseaddr: bool) -> (TcpSocket, u16) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(reuseaddr).unwrap();
    socket.bind(loopback(0)).unwrap();
    let port = socket.local_addr().unwrap().port();
    assert_ne!(port, 0, "bind to port 0 picks a port");
    (socket, port)
}

#[track_caller]
fn assert_addr_in_use<T: std::fmt::Debug>(result: io::Result<T>) {
    let err = result.expect_err("the port is held");
    assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
}

#[track_caller]
fn assert_errno<T: std::fmt::Debug>(result: io::Result<T>, errno: Errno) {
    let err = result.expect_err("the call must fail");
    assert_eq!(
        err.raw_os_error(),
        Some(errno.raw()),
        "expected {errno}, got {err}"
    );
}

both_backends! {
    fn binding_a_held_port_is_addr_in_use_unless_every_holder_reuses_it() {
        let (first, port) = bound(false);
        let second = TcpSocket::new_v4().unwrap();
        assert_addr_in_use(second.bind(loopback(port)));
        second.set_reuseaddr(true).unwrap();
        assert_addr_in_use(second.bind(loopback(port)));
        // Set after `bind`, the option counts at the next bind.
        first.set_reuseaddr(true).unwrap();
        second.bind(loopback(port)).unwrap();
        let third = TcpSocket::new_v4().unwrap();
        assert_addr_in_use(third.bind(loopback(port)));

        // Sockets that share a port may not share it with a listener.
        let listener = second.listen(4).unwrap();
        assert_eq!(listener.local_addr().unwrap().port(), port);
        assert_addr_in_use(first.listen(4));
        let fourth = TcpSocket::new_v4().unwrap();
        fourth.set_reuseaddr(true).unwrap();
        assert_addr_in_use(fourth.bind(loopback(port)));

        // A closed listener frees the port.
        drop(listener);
        fourth.bind(loopback(port)).unwrap();
    }

    fn sockets_that_all_set_reuseport_share_a_port() {
        let first = TcpSocket::new_v4().unwrap();
        first.set_reuseport(true).unwrap();
        first.bind(loopback(0)).unwrap();
        let port = first.local_addr().unwrap().port();
        let second = TcpSocket::new_v4().unwrap();
        assert_addr_in_use(second.bind(loopback(port)));
        second.set_reuseport(true).unwrap();
        second.bind(loopback(port)).unwrap();
        let _listener = first.listen(4).unwrap();
        let third = TcpSocket::new_v4().unwrap();
        third.set_reuseport(true).unwrap();
        third.bind(loopback(port)).unwrap();
    }

    fn a_bound_socket_dropped_frees_its_port_and_binding_twice_is_einval() {
        let (socket, port) = bound(false);
        assert_errno(socket.bind(loopback(0)), Errno::EINVAL);
        drop(socket);
        let again = TcpSocket::new_v4().unwrap();
        again.bind(loopback(port)).unwrap();
        assert_eq!(again.local_addr().unwrap().port(), port);
    }

    fn a_connection_from_a_bound_socket_has_the_bound_port_as_its_local_port() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = listener.local_addr().unwrap();
        let (socket, port) = bound(true);
        let mut client = socket.connect(server).await.unwrap();
        assert_eq!(client.local_addr().unwrap().port(), port);
        let (mut conn, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        client.write_all(b"from the bound port").await.unwrap();
        let mut buf = [0; 19];
        conn.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"from the bound port");

        // The connection holds the port: only a socket that reuses it may
        // bind it, and that one cannot connect to the same peer again.
        let plain = TcpSocket::new_v4().unwrap();
        assert_addr_in_use(plain.bind(loopback(port)));
        let twin = TcpSocket::new_v4().unwrap();
        twin.set_reuseaddr(true).unwrap();
        twin.bind(loopback(port)).unwrap();
        let err = twin.connect(server).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable, "{err}");
    }

    fn an_unbound_socket_connects_from_an_ephemeral_port() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = listener.local_addr().unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        assert_eq!(socket.local_addr().unwrap(), SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0));
        let client = socket.connect(server).await.unwrap();
        let (_conn, peer) = listener.accept().await.unwrap();
        assert!((32768..=60999).contains(&peer.port()), "ephemeral: {peer}");
        assert_eq!(peer, client.local_addr().unwrap());
    }

    fn a_listening_tcp_socket_accepts_connections_bound_or_not() {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(loopback(0)).unwrap();
        let listener = socket.listen(16).unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = spawn(async move {
            let mut conn = TcpStream::connect(loopback(port)).await.unwrap();
            conn.write_all(b"ping").await.unwrap();
            conn.close().await.unwrap();
        });
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut got = Vec::new();
        conn.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"ping");
        client.await.unwrap();

        // Unbound, `listen` binds an ephemeral port first.
        let unbound = TcpSocket::new_v4().unwrap().listen(16).unwrap();
        let port = unbound.local_addr().unwrap().port();
        assert_ne!(port, 0);
        let client = spawn(async move { TcpStream::connect(loopback(port)).await.unwrap() });
        unbound.accept().await.unwrap();
        client.await.unwrap();
    }

    fn options_read_back_and_the_connection_keeps_them() {
        let socket = TcpSocket::new_v4().unwrap();
        assert!(!socket.reuseaddr().unwrap());
        assert!(!socket.reuseport().unwrap());
        assert!(!socket.nodelay().unwrap());
        assert_eq!(socket.linger().unwrap(), None);
        socket.set_reuseaddr(true).unwrap();
        socket.set_reuseport(true).unwrap();
        socket.set_nodelay(true).unwrap();
        socket.set_linger(Some(Duration::from_millis(1500))).unwrap();
        socket.set_send_buffer_size(65_536).unwrap();
        socket.set_recv_buffer_size(65_536).unwrap();
        assert!(socket.reuseaddr().unwrap());
        assert!(socket.reuseport().unwrap());
        assert!(socket.nodelay().unwrap());
        assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(2)), "whole seconds, rounded up");
        assert_eq!(socket.send_buffer_size().unwrap(), 131_072, "doubled, as Linux reports it");
        assert_eq!(socket.recv_buffer_size().unwrap(), 131_072);
        socket.set_linger(None).unwrap();
        assert_eq!(socket.linger().unwrap(), None);

        let listener = TcpSocket::new_v4().unwrap();
        listener.set_nodelay(true).unwrap();
        listener.bind(loopback(0)).unwrap();
        let listener = listener.listen(4).unwrap();
        let server = listener.local_addr().unwrap();
        let client = socket.connect(server).await.unwrap();
        assert!(client.nodelay().unwrap(), "the connection keeps TCP_NODELAY");
        let (accepted, _) = listener.accept().await.unwrap();
        assert!(accepted.nodelay().unwrap(), "an accepted connection inherits the listener's");
    }

    fn a_zero_linger_resets_the_connection_when_it_closes() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = listener.local_addr().unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_linger(Some(Duration::ZERO)).unwrap();
        let mut client = socket.connect(server).await.unwrap();
        let (mut conn, _) = listener.accept().await.unwrap();
        client.write_all(b"x").await.unwrap();
        let mut byte = [0];
        conn.read_exact(&mut byte).await.unwrap();
        drop(client);
        let err = conn.read(&mut byte).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "RST, not FIN: {err}");
    }

    fn an_address_of_the_other_family_fails_as_linux_fails() {
        let v4 = TcpSocket::new_v4().unwrap();
        let v6 = TcpSocket::new_v6().unwrap();
        let v6_loopback = SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 0);
        assert_errno(v4.bind(v6_loopback), Errno::EAFNOSUPPORT);
        assert_errno(v6.bind(loopback(0)), Errno::EINVAL);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_errno(v4.connect(SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port)).await, Errno::EAFNOSUPPORT);
        assert_errno(v6.connect(loopback(port)).await, Errno::EINVAL);
    }

    fn an_ipv6_socket_listens_and_connects_on_the_ipv6_loopback() {
        let socket = TcpSocket::new_v6().unwrap();
        assert_eq!(socket.local_addr().unwrap(), SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), 0));
        socket.bind(SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 0)).unwrap();
        let listener = socket.listen(4).unwrap();
        let port = listener.local_addr().unwrap().port();
        let to = SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port);
        let client = spawn(async move { TcpSocket::new_v6().unwrap().connect(to).await.unwrap() });
        let (_conn, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, client.await.unwrap().local_addr().unwrap());
    }
}

/// Connects three clients to a listener of backlog 1 that does not
/// accept: two wait in its queue (Linux holds backlog + 1), the third's
/// SYN is dropped until `accept` makes room.
async fn a_full_backlog_drops_syns_until_accept_makes_room() {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(loopback(0)).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = loopback(listener.local_addr().unwrap().port());
    let _first = TcpStream::connect(addr).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    // The second's handshake completes at the listener one latency later.
    sleep(Duration::from_millis(10)).await;
    let third = timeout(Duration::from_millis(500), TcpStream::connect(addr)).await;
    assert!(third.is_err(), "the queue is full: {third:?}");
    let _accepted = listener.accept().await.unwrap();
    let fourth = timeout(Duration::from_millis(500), TcpStream::connect(addr)).await;
    assert!(matches!(fourth, Ok(Ok(_))), "accept made room: {fourth:?}");
}

mod a_full_backlog {
    use super::*;

    /// Without network faults: a lost SYN or ACK would be retransmitted a
    /// second later, and the queue's state at the third SYN would vary.
    #[test]
    fn on_the_simulation() {
        Sim::new()
            .seeds(20)
            .run(a_full_backlog_drops_syns_until_accept_makes_room);
    }

    #[test]
    fn on_the_os() {
        Runtime::os()
            .expect("epoll is available")
            .block_on(a_full_backlog_drops_syns_until_accept_makes_room());
    }
}

#[test]
fn the_simulation_reports_buffer_sizes_with_linuxs_defaults_and_bounds() {
    Runtime::sim(1).block_on(async {
        let socket = TcpSocket::new_v4().unwrap();
        assert_eq!(socket.send_buffer_size().unwrap(), 16_384, "tcp_wmem[1]");
        assert_eq!(socket.recv_buffer_size().unwrap(), 131_072, "tcp_rmem[1]");
        socket.set_send_buffer_size(1).unwrap();
        socket.set_recv_buffer_size(1).unwrap();
        assert_eq!(socket.send_buffer_size().unwrap(), 4_608, "SOCK_MIN_SNDBUF");
        assert_eq!(socket.recv_buffer_size().unwrap(), 2_304, "SOCK_MIN_RCVBUF");
        socket.set_send_buffer_size(10_000_000).unwrap();
        assert_eq!(
            socket.send_buffer_size().unwrap(),
            425_984,
            "wmem_max, doubled"
        );
        assert_errno(socket.set_recv_buffer_size(u32::MAX), Errno::EINVAL);
        assert_eq!(
            socket.recv_buffer_size().unwrap(),
            2_304,
            "a refused size changes nothing"
        );
        assert_errno(
            socket.set_linger(Some(Duration::from_secs(1 << 40))),
            Errno::EINVAL,
        );
    });
}

#[test]
fn the_simulation_keeps_one_listener_per_port_even_with_reuseport() {
    Runtime::sim(2).block_on(async {
        let first = TcpSocket::new_v4().unwrap();
        first.set_reuseport(true).unwrap();
        first.bind(loopback(8080)).unwrap();
        let second = TcpSocket::new_v4().unwrap();
        second.set_reuseport(true).unwrap();
        second.bind(loopback(8080)).unwrap();
        let _listener = first.listen(4).unwrap();
        // Linux would spread connections over both listeners.
        assert_addr_in_use(second.listen(4));
        assert_addr_in_use(TcpListener::bind("0.0.0.0:8080").await);
    });
}

#[test]
fn a_port_held_by_bind_is_never_picked_as_an_ephemeral_port() {
    Runtime::sim(3).block_on(async {
        // The simulation hands out ephemeral ports in order, from 32768.
        let held = TcpSocket::new_v4().unwrap();
        held.bind(loopback(32768)).unwrap();
        let listener = TcpListener::bind("0.0.0.0:0").await.unwrap();
        assert_eq!(listener.local_addr().unwrap().port(), 32769);
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        assert_eq!(client.local_addr().unwrap().port(), 32770);
        assert_addr_in_use(TcpListener::bind("0.0.0.0:32768").await);
        held.set_reuseaddr(true).unwrap();
        TcpListener::bind("0.0.0.0:32768").await.unwrap();
    });
}

/// A client that echoes through a server, connecting with
/// `TcpStream::connect` or through an unbound `TcpSocket`.
async fn echo_once(through_socket: bool) {
    let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
    let server = listener.local_addr().unwrap();
    detsim::net::client("c", async move {
        let mut conn = if through_socket {
            TcpSocket::new_v4().unwrap().connect(server).await.unwrap()
        } else {
            TcpStream::connect(server).await.unwrap()
        };
        conn.write_all(b"hello").await.unwrap();
        let mut buf = [0; 5];
        conn.read_exact(&mut buf).await.unwrap();
    });
    let (conn, _) = listener.accept().await.unwrap();
    let (mut r, mut w) = conn.into_split();
    let mut buf = [0; 5];
    r.read_exact(&mut buf).await.unwrap();
    w.write_all(&buf).await.unwrap();
}

#[test]
fn connecting_through_an_unbound_tcp_socket_traces_as_tcp_stream_connect() {
    for seed in 0..10 {
        let digest = |through_socket| {
            let rt = Runtime::sim(seed);
            rt.block_on(echo_once(through_socket));
            rt.digest()
        };
        assert_eq!(digest(true), digest(false), "seed {seed}");
    }
}
