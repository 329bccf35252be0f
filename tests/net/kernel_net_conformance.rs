//! The kernel's socket interface (`detsim::kernel::net`), driven directly
//! on both kernels: the simulated network and real sockets.
//!
//! `both_backends!` bodies run under the simulation (20 seeds of the
//! default faults: short reads, partial writes, spurious and delayed
//! readiness, lost and duplicated datagrams) and on `Runtime::os()`;
//! they go through `NetStack`, `Socket` and the try-then-wait loop of
//! `IoSource`, not through `TcpStream`. The epoll-semantics checks
//! (level, edge and one-shot registrations; readiness that persists until
//! `WouldBlock`) run on real sockets too, and on the simulation without
//! faults: a spurious readiness event is legal there, and would make an
//! exact check of what a registration reports fail.

use std::fmt::Debug;
use std::future::poll_fn;
use std::io::{self, ErrorKind};
use std::net::{Shutdown, SocketAddr};
use std::task::{Context, Poll};

use detsim::kernel::net::{Errno, Socket, SocketIo};
use detsim::kernel::{Interest, IoSource, Readiness, Registration, Trigger};
use detsim::time::{Duration, sleep, timeout};
use detsim::{Faults, Runtime, Sim, spawn};
use futures::task::noop_waker_ref;

/// `127.0.0.1:0` as the runtime's stack reads it.
fn any_port() -> SocketAddr {
    detsim::net::stack().resolve_ip("127.0.0.1".parse().unwrap(), 0)
}

fn register(socket: Box<dyn Socket>) -> SocketIo {
    IoSource::new(socket)
}

async fn read(io: &SocketIo, buf: &mut [u8]) -> io::Result<usize> {
    poll_fn(|cx| io.poll_io(cx, Interest::READABLE, |s| s.read(buf))).await
}

async fn write_all(io: &SocketIo, mut data: &[u8]) {
    while !data.is_empty() {
        let n = poll_fn(|cx| io.poll_io(cx, Interest::WRITABLE, |s| s.write(data)))
            .await
            .unwrap();
        data = &data[n..];
    }
}

async fn read_to_end(io: &SocketIo) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0; 64];
    loop {
        match read(io, &mut buf).await.unwrap() {
            0 => return all,
            n => all.extend_from_slice(&buf[..n]),
        }
    }
}

/// A TCP connection made and accepted through the stack: (client, server).
async fn connected_pair() -> (SocketIo, SocketIo) {
    let stack = detsim::net::stack();
    let listener = register(stack.tcp_listen(any_port()).unwrap());
    let addr = listener.get_ref().local_addr().unwrap();
    let client = spawn(async move { detsim::net::stack().tcp_connect(addr).await });
    let (server, peer) = poll_fn(|cx| listener.poll_io(cx, Interest::READABLE, |s| s.accept()))
        .await
        .unwrap();
    let client = register(client.await.unwrap().unwrap());
    assert_eq!(peer, client.get_ref().local_addr().unwrap());
    assert_eq!(client.get_ref().peer_addr().unwrap(), addr);
    (client, register(server))
}

fn udp() -> SocketIo {
    register(detsim::net::stack().udp_bind(any_port()).unwrap())
}

/// Asserts that `result` failed as Linux fails with `errno`: that errno,
/// or (a simulated error with a message) its kind.
#[track_caller]
fn assert_errno<T: Debug>(result: io::Result<T>, errno: Errno) {
    let err = result.expect_err("the operation must fail");
    let want = io::Error::from(errno);
    let same = match err.raw_os_error() {
        Some(raw) => raw == errno.raw(),
        // `Uncategorized` (unnameable) would match any other such errno.
        None => {
            err.kind() == want.kind() && !format!("{:?}", want.kind()).contains("Uncategorized")
        }
    };
    assert!(
        same,
        "expected {errno} ({:?}), got {err} ({:?})",
        want.kind(),
        err.kind()
    );
}

both_backends! {
    fn bytes_cross_both_ways_and_eof_follows_shutdown() {
        let (client, server) = connected_pair().await;
        let request: Vec<u8> = (0..3_000u32).map(|i| i as u8).collect();
        write_all(&client, &request).await;
        client.get_ref().shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_end(&server).await, request);
        write_all(&server, b"thanks").await;
        server.get_ref().shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_end(&client).await, b"thanks");
        assert_errno(client.get_ref().write(b"late"), Errno::EPIPE);
    }

    fn a_read_with_nothing_buffered_says_would_block() {
        let (client, server) = connected_pair().await;
        let err = server.get_ref().read(&mut [0; 8]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
        let err = server.try_io(Interest::READABLE, |s| s.read(&mut [0; 8])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
        write_all(&client, b"x").await;
        let mut byte = [0];
        assert_eq!(read(&server, &mut byte).await.unwrap(), 1);
        assert_eq!(&byte, b"x");
    }

    fn peek_leaves_the_bytes_for_the_next_read() {
        let (client, server) = connected_pair().await;
        write_all(&client, b"abc").await;
        let mut buf = [0; 8];
        // Until all three bytes arrived (segments may be split).
        loop {
            let n = poll_fn(|cx| server.poll_io(cx, Interest::READABLE, |s| s.peek(&mut buf)))
                .await
                .unwrap();
            if n == 3 {
                break;
            }
            sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(&buf[..3], b"abc");
        let mut got = Vec::new();
        while got.len() < 3 {
            let n = read(&server, &mut buf).await.unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"abc");
    }

    fn closing_with_unread_data_resets_the_peer_once_then_eof() {
        let (client, server) = connected_pair().await;
        write_all(&client, b"never read").await;
        sleep(Duration::from_millis(50)).await;
        drop(server);
        sleep(Duration::from_millis(50)).await;
        let err = read(&client, &mut [0; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        assert_eq!(read(&client, &mut [0; 8]).await.unwrap(), 0, "then EOF");
        assert_errno(client.get_ref().shutdown(Shutdown::Write), Errno::ENOTCONN);
    }

    fn shutting_down_the_read_half_gives_eof_once_drained() {
        let (client, server) = connected_pair().await;
        write_all(&client, b"abc").await;
        let mut buf = [0; 8];
        loop {
            let n = poll_fn(|cx| server.poll_io(cx, Interest::READABLE, |s| s.peek(&mut buf)))
                .await
                .unwrap();
            if n == 3 {
                break;
            }
            sleep(Duration::from_millis(1)).await;
        }
        server.get_ref().shutdown(Shutdown::Read).unwrap();
        assert_eq!(read_to_end(&server).await, b"abc", "what was buffered, then EOF");
    }

    fn a_listener_that_stops_listening_refuses_accept_and_connects() {
        let stack = detsim::net::stack();
        let listener = register(stack.tcp_listen(any_port()).unwrap());
        let addr = listener.get_ref().local_addr().unwrap();
        listener.get_ref().shutdown(Shutdown::Write).unwrap();
        listener.get_ref().shutdown(Shutdown::Read).unwrap();
        assert_errno(listener.get_ref().accept(), Errno::EINVAL);
        assert_errno(listener.get_ref().shutdown(Shutdown::Read), Errno::ENOTCONN);
        let err = stack.tcp_connect(addr).await.expect_err("nothing listens");
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    }

    fn operations_a_socket_kind_lacks_fail_with_linuxs_errno() {
        let stack = detsim::net::stack();
        let listener = stack.tcp_listen(any_port()).unwrap();
        let target = listener.local_addr().unwrap();
        assert_errno(listener.read(&mut [0; 4]), Errno::ENOTCONN);
        assert_errno(listener.peek(&mut [0; 4]), Errno::ENOTCONN);
        assert_errno(listener.recv_from(&mut [0; 4]), Errno::ENOTCONN);
        assert_errno(listener.write(b"x"), Errno::EPIPE);
        assert_errno(listener.send_to(b"x", target), Errno::EPIPE);
        assert_errno(listener.connect(target), Errno::EISCONN);
        assert_errno(listener.peer_addr(), Errno::ENOTCONN);
        let (client, server) = connected_pair().await;
        assert_errno(server.get_ref().accept(), Errno::EINVAL);
        assert_errno(client.get_ref().connect(target), Errno::EISCONN);
        let udp = stack.udp_bind(any_port()).unwrap();
        assert_errno(udp.accept(), Errno::EOPNOTSUPP);
        assert_errno(udp.write(b"x"), Errno::EDESTADDRREQ);
        assert_errno(udp.peer_addr(), Errno::ENOTCONN);
        assert_errno(udp.shutdown(Shutdown::Write), Errno::ENOTCONN);
        assert_errno(udp.set_nodelay(true), Errno::ENOPROTOOPT);
        assert_errno(udp.nodelay(), Errno::EOPNOTSUPP);
    }

    fn options_read_back_what_was_set() {
        let (client, _server) = connected_pair().await;
        let stack = detsim::net::stack();
        let listener = stack.tcp_listen(any_port()).unwrap();
        let udp = stack.udp_bind(any_port()).unwrap();
        for socket in [client.get_ref(), &listener, &udp] {
            assert_eq!(socket.ttl().unwrap(), 64);
            socket.set_ttl(9).unwrap();
            assert_eq!(socket.ttl().unwrap(), 9);
            assert_eq!(socket.set_ttl(0).unwrap_err().kind(), ErrorKind::InvalidInput);
            assert!(socket.take_error().unwrap().is_none());
        }
        client.get_ref().set_nodelay(true).unwrap();
        assert!(client.get_ref().nodelay().unwrap());
    }

    fn a_datagram_keeps_its_boundary_and_is_truncated_to_the_buffer() {
        let (a, b) = (udp(), udp());
        let b_addr = b.get_ref().local_addr().unwrap();
        let mut buf = [0; 5];
        // Datagrams may be lost under the simulation's fault plan: resend.
        let (n, from) = loop {
            a.get_ref().send_to(b"hello world", b_addr).unwrap();
            let recv = poll_fn(|cx| b.poll_io(cx, Interest::READABLE, |s| s.recv_from(&mut buf)));
            if let Ok(got) = timeout(Duration::from_millis(200), recv).await {
                break got.unwrap();
            }
        };
        assert_eq!(&buf[..n], b"hello");
        assert_eq!(from, a.get_ref().local_addr().unwrap());
        let fresh = udp();
        let err = fresh.try_io(Interest::READABLE, |s| s.read(&mut buf)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
    }

    fn a_connected_datagram_socket_sends_to_its_peer_and_hears_only_it() {
        let (a, b, stranger) = (udp(), udp(), udp());
        let (a_addr, b_addr) = (a.get_ref().local_addr().unwrap(), b.get_ref().local_addr().unwrap());
        b.get_ref().connect(a_addr).unwrap();
        assert_eq!(b.get_ref().peer_addr().unwrap(), a_addr);
        stranger.get_ref().send_to(b"stranger", b_addr).unwrap();
        let mut buf = [0; 16];
        let n = loop {
            a.get_ref().send_to(b"peer", b_addr).unwrap();
            if let Ok(got) = timeout(Duration::from_millis(200), read(&b, &mut buf)).await {
                break got.unwrap();
            }
        };
        assert_eq!(&buf[..n], b"peer", "the stranger's datagram is filtered out");
        let (n, from) = loop {
            b.get_ref().write(b"back").unwrap();
            let recv = poll_fn(|cx| a.poll_io(cx, Interest::READABLE, |s| s.recv_from(&mut buf)));
            if let Ok(got) = timeout(Duration::from_millis(200), recv).await {
                break got.unwrap();
            }
        };
        assert_eq!((&buf[..n], from), (&b"back"[..], b_addr));
        b.get_ref().shutdown(Shutdown::Write).unwrap();
        assert_errno(b.get_ref().write(b"x"), Errno::EPIPE);
    }
}

/// Runs each body under the simulation without faults and on
/// `Runtime::os()` (real sockets): for exact checks of what registrations
/// report, which a legal spurious readiness event would break.
macro_rules! both_kernels_without_faults {
    ($(fn $name:ident() $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body() $body

            #[test]
            fn on_the_simulation() {
                Sim::new().faults(Faults::none()).seeds(5).run(body);
            }

            #[test]
            fn on_the_os() {
                Runtime::os().expect("epoll is available").block_on(body());
            }
        }
    )*};
}

/// Polls a registration once, without waiting.
#[track_caller]
fn poll(reg: &Registration) -> Option<Readiness> {
    match reg.poll_ready(&mut Context::from_waker(noop_waker_ref())) {
        Poll::Ready(r) => Some(r),
        Poll::Pending => None,
    }
}

/// Sends one datagram from a new socket to `to`.
fn send_one(to: &SocketIo) {
    let to = to.get_ref().local_addr().unwrap();
    udp().get_ref().send_to(b"datagram", to).unwrap();
}

/// Waits until a datagram arrives at `io` that was not there before: an
/// edge-triggered registration of its own, so the registrations under test
/// see nothing of the wait.
async fn next_arrival(io: &SocketIo) {
    let waiter = io.source().register(Interest::READABLE, Trigger::Edge);
    let _ = poll(&waiter);
    send_one(io);
    waiter.ready().await;
}

/// Reads until `WouldBlock`, through the loop, so readiness is cleared.
fn drain(io: &SocketIo) -> usize {
    let mut count = 0;
    loop {
        match io.try_io(Interest::READABLE, |s| s.read(&mut [0; 64])) {
            Ok(_) => count += 1,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return count,
            Err(e) => panic!("read failed: {e}"),
        }
    }
}

both_kernels_without_faults! {
    fn level_triggered_reports_while_a_datagram_waits_and_stops_once_drained() {
        let socket = udp();
        let level = socket.source().register(Interest::READABLE, Trigger::Level);
        assert_eq!(poll(&level), None, "nothing queued");
        next_arrival(&socket).await;
        assert_eq!(poll(&level), Some(Readiness::READABLE));
        assert_eq!(poll(&level), Some(Readiness::READABLE), "still queued: reported again");
        assert_eq!(drain(&socket), 1);
        assert_eq!(poll(&level), None, "drained to WouldBlock: no longer reported");
    }

    fn edge_triggered_reports_each_arrival_once() {
        let socket = udp();
        let edge = socket.source().register(Interest::READABLE, Trigger::Edge);
        assert_eq!(poll(&edge), None);
        next_arrival(&socket).await;
        assert_eq!(poll(&edge), Some(Readiness::READABLE));
        assert_eq!(poll(&edge), None, "still readable, but no new edge");
        next_arrival(&socket).await;
        assert_eq!(poll(&edge), Some(Readiness::READABLE), "a new datagram is a new edge");
        assert_eq!(poll(&edge), None);
        assert_eq!(drain(&socket), 2);
    }

    fn one_shot_reports_once_and_again_only_when_rearmed() {
        let socket = udp();
        let once = socket.source().register(Interest::READABLE, Trigger::OneShot);
        next_arrival(&socket).await;
        assert_eq!(poll(&once), Some(Readiness::READABLE));
        next_arrival(&socket).await;
        assert_eq!(poll(&once), None, "disarmed: the new arrival is not queued");
        once.rearm(Interest::READABLE);
        assert_eq!(poll(&once), Some(Readiness::READABLE), "re-armed while readable");
        assert_eq!(poll(&once), None);
    }

    fn registering_a_readable_socket_reports_it_once_even_edge_triggered() {
        let socket = udp();
        next_arrival(&socket).await;
        let edge = socket.source().register(Interest::READABLE, Trigger::Edge);
        assert_eq!(poll(&edge), Some(Readiness::READABLE));
        assert_eq!(poll(&edge), None);
    }

    fn readiness_persists_until_an_operation_says_would_block() {
        let socket = udp();
        next_arrival(&socket).await;
        next_arrival(&socket).await;
        let mut cx = Context::from_waker(noop_waker_ref());
        let mut buf = [0; 64];
        assert!(socket.poll_ready(&mut cx, Interest::READABLE).is_ready());
        socket.try_io(Interest::READABLE, |s| s.read(&mut buf)).unwrap();
        assert!(
            socket.poll_ready(&mut cx, Interest::READABLE).is_ready(),
            "one datagram left: still ready, although no new event came"
        );
        socket.try_io(Interest::READABLE, |s| s.read(&mut buf)).unwrap();
        let err = socket.try_io(Interest::READABLE, |s| s.read(&mut buf)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
        assert!(
            socket.poll_ready(&mut cx, Interest::READABLE).is_pending(),
            "WouldBlock cleared it: the next poll waits"
        );
        assert!(
            socket.poll_ready(&mut cx, Interest::WRITABLE).is_ready(),
            "the other direction is untouched"
        );
    }
}
