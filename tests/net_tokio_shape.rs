//! tokio's documented socket idioms, run unchanged on the simulated kernel
//! (20 seeds, default faults: short reads, partial writes, spurious
//! readiness...) and on the OS kernel (real epoll and loopback sockets).

use std::io::ErrorKind;

use detsim::net::{TcpListener, TcpStream};
use detsim::time::{Duration, timeout};
use detsim::{Faults, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};
use std::future::poll_fn;
use std::task::{Poll, ready};

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

/// A server that writes `message` to its first connection and closes it.
async fn sender(message: Vec<u8>) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        conn.write_all(&message).await.unwrap();
        conn.close().await.unwrap();
    });
    addr
}

both_backends! {
    fn the_documented_readable_try_read_loop_reads_to_eof() {
        let message: Vec<u8> = (0..20_000u32).map(|i| i as u8).collect();
        let addr = sender(message.clone()).await;
        let stream = TcpStream::connect(addr).await.unwrap();
        // tokio's `TcpStream::readable` example, word for word: readiness
        // stays set until an operation returns `WouldBlock`, so a read
        // that leaves data behind does not lose the wake-up.
        let read_all = async {
            let mut got = Vec::new();
            let mut buf = [0; 64];
            loop {
                stream.readable().await?;
                match stream.try_read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                    Err(e) => return Err(e),
                }
            }
            Ok(got)
        };
        let got = timeout(Duration::from_secs(10), read_all)
            .await
            .expect("the loop reaches EOF instead of waiting forever")
            .unwrap();
        assert_eq!(got, message);
    }

    fn peek_shows_the_bytes_the_next_read_returns() {
        let addr = sender(b"hello".to_vec()).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut peeked = [0; 5];
        let n = stream.peek(&mut peeked).await.unwrap();
        assert!(n >= 1 && peeked[..n] == b"hello"[..n], "{:?}", &peeked[..n]);
        let mut all = Vec::new();
        stream.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"hello");
        assert_eq!(stream.peek(&mut peeked).await.unwrap(), 0, "EOF peeks as 0");
    }

    fn a_borrowed_split_echoes_and_its_close_sends_fin() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            // futures' `AsyncReadExt::split` (by value) would win `conn.split()`.
            let (mut r, mut w) = TcpStream::split(&mut conn);
            assert_eq!(r.local_addr().unwrap(), w.local_addr().unwrap());
            futures::io::copy(&mut r, &mut w).await.unwrap();
            w.close().await.unwrap();
        });
        let mut conn = TcpStream::connect(addr).await.unwrap();
        let message: Vec<u8> = (0..5_000u32).map(|i| i as u8).collect();
        conn.write_all(&message).await.unwrap();
        conn.close().await.unwrap();
        let mut back = Vec::new();
        conn.read_to_end(&mut back).await.unwrap();
        assert_eq!(back, message);
    }

    fn a_hand_written_read_future_on_poll_read_ready() {
        let message: Vec<u8> = (0..3_000u32).map(|i| i as u8).collect();
        let addr = sender(message.clone()).await;
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0; 100];
        // Reads to EOF without async/await: readiness, then try_read.
        poll_fn(|cx| loop {
            ready!(stream.poll_read_ready(cx))?;
            match stream.try_read(&mut buf) {
                Ok(0) => return Poll::Ready(Ok::<_, std::io::Error>(())),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        })
        .await
        .unwrap();
        assert_eq!(got, message);
    }

    fn socket_options_report_what_was_set() {
        let addr = sender(Vec::new()).await;
        let stream = TcpStream::connect(addr).await.unwrap();
        assert_eq!(stream.ttl().unwrap(), 64);
        stream.set_ttl(9).unwrap();
        assert_eq!(stream.ttl().unwrap(), 9);
        let err = stream.set_ttl(0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        stream.set_nodelay(true).unwrap();
        assert!(stream.nodelay().unwrap());
    }
}
