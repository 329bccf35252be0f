//! The same test bodies on the simulated kernel and on the OS kernel.
//!
//! Each scenario is written once; `both_backends!` runs it under the
//! simulation (20 seeds, default faults: short reads, partial writes,
//! spurious readiness...) and on `Runtime::os()` (real epoll and loopback
//! sockets). Bodies bind `127.0.0.1:0` and connect to the listener's
//! reported address, which both backends understand.

use std::cell::RefCell;
use std::io::ErrorKind;
use std::net::Shutdown;
use std::rc::Rc;

use detsim::net::{TcpListener, TcpStream, UdpSocket};
use detsim::time::{Duration, sleep};
use detsim::{Faults, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

macro_rules! both_backends {
    ($(fn $name:ident() $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body() $body

            #[test]
            fn on_the_simulation() {
                Sim::new().faults(Faults::default()).seeds(20).run(body);
            }

            #[test]
            fn on_the_os() {
                Runtime::os().expect("epoll is available").block_on(body());
            }
        }
    )*};
}

async fn echo_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr();
    spawn(async move {
        loop {
            let (conn, _) = listener.accept().await.unwrap();
            spawn(async move {
                let (mut r, mut w) = conn.into_split();
                futures::io::copy(&mut r, &mut w).await.unwrap();
                w.close().await.unwrap();
            });
        }
    });
    addr
}

both_backends! {
    fn echo_round_trips_a_message() {
        let addr = echo_server().await;
        let mut conn = TcpStream::connect(addr).await.unwrap();
        let message: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        conn.write_all(&message).await.unwrap();
        conn.shutdown(Shutdown::Write).unwrap();
        let mut back = Vec::new();
        conn.read_to_end(&mut back).await.unwrap();
        assert_eq!(back, message);
    }

    fn half_close_lets_the_peer_finish_reading_and_answer() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr();
        let server = spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            conn.read_to_end(&mut request).await.unwrap();
            conn.write_all(&(request.len() as u32).to_be_bytes()).await.unwrap();
        });
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(&[1; 300]).await.unwrap();
        conn.shutdown(Shutdown::Write).unwrap();
        let mut len = [0u8; 4];
        conn.read_exact(&mut len).await.unwrap();
        assert_eq!(u32::from_be_bytes(len), 300);
        assert!(conn.write_all(b"more").await.is_err(), "writing after shutdown(Write) fails");
        server.await.unwrap();
    }

    fn connecting_to_a_closed_port_is_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr();
        drop(listener);
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    }

    fn reads_with_small_and_large_buffers_see_the_same_bytes() {
        let addr = echo_server().await;
        let message: Vec<u8> = (0..5_000u32).map(|i| (i * 7) as u8).collect();
        for chunk in [1usize, 3, 4096, 65_536] {
            let mut conn = TcpStream::connect(addr).await.unwrap();
            conn.write_all(&message).await.unwrap();
            conn.shutdown(Shutdown::Write).unwrap();
            let mut back = Vec::new();
            let mut buf = vec![0u8; chunk];
            loop {
                let n = conn.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                assert!(n <= chunk);
                back.extend_from_slice(&buf[..n]);
            }
            assert_eq!(back, message, "buffer of {chunk} bytes");
        }
    }

    fn udp_round_trips_a_datagram() {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b_addr = b.local_addr().unwrap();
        let echo = spawn(async move {
            let mut buf = [0u8; 64];
            let (n, from) = b.recv_from(&mut buf).await.unwrap();
            b.send_to(&buf[..n], from).await.unwrap();
        });
        // Datagrams may be lost under the simulation's fault plan: retry.
        let mut buf = [0u8; 64];
        loop {
            a.send_to(b"ping", b_addr).await.unwrap();
            match detsim::time::timeout(Duration::from_millis(200), a.recv_from(&mut buf)).await {
                Ok(got) => {
                    let (n, _) = got.unwrap();
                    assert_eq!(&buf[..n], b"ping");
                    break;
                }
                Err(_) => continue,
            }
        }
        echo.await.unwrap();
    }

    fn timers_fire_in_deadline_order() {
        let order = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = [30u64, 10, 20]
            .into_iter()
            .map(|ms| {
                let order = order.clone();
                spawn(async move {
                    sleep(Duration::from_millis(ms)).await;
                    order.borrow_mut().push(ms);
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.borrow(), vec![10, 20, 30]);
    }
}
