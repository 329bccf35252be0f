//! tokio's documented socket idioms, run unchanged on the simulated kernel
//! (20 seeds, default faults: short reads, partial writes, spurious
//! readiness...) and on the OS kernel (real epoll and loopback sockets).

use std::io::ErrorKind;

use detsim::net::{TcpListener, TcpStream, UdpSocket};
use detsim::time::{Duration, sleep, timeout};
use detsim::{Faults, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};
use std::future::poll_fn;
use std::task::{Poll, ready};

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

    fn udp_readiness_persists_until_the_queue_is_drained() {
        const SENT: u8 = 20;
        let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        sender.connect(receiver.local_addr().unwrap()).await.unwrap();
        let mut one = [0; 1];
        let err = receiver.try_recv(&mut one).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock, "nothing sent yet: {err}");
        for i in 0..SENT {
            loop {
                sender.writable().await.unwrap();
                match sender.try_send(&[i]) {
                    Ok(n) => break assert_eq!(n, 1),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("try_send: {e}"),
                }
            }
        }
        // Let every datagram arrive (or be lost: the simulation drops and
        // duplicates a few): they all wait in the queue behind one event.
        sleep(Duration::from_millis(100)).await;
        let drain = async {
            let mut got = Vec::new();
            let mut buf = [0; 8];
            loop {
                receiver.readable().await?;
                match receiver.try_recv_from(&mut buf) {
                    Ok((n, from)) => {
                        assert_eq!((n, from), (1, sender.local_addr().unwrap()));
                        got.push(buf[0]);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
            Ok::<_, std::io::Error>(got)
        };
        let got = timeout(Duration::from_secs(10), drain)
            .await
            .expect("readiness persists while datagrams are queued")
            .unwrap();
        assert!(got.iter().all(|&i| i < SENT), "{got:?}");
        assert!(got.len() >= usize::from(SENT) / 2, "most arrive: {got:?}");
    }

    fn udp_try_send_to_and_poll_recv_ready() {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b_addr = b.local_addr().unwrap();
        let mut buf = [0; 8];
        // Datagrams may be lost under the fault plan: resend until one
        // arrives, received by a hand-written future.
        loop {
            a.try_send_to(b"ping", b_addr).unwrap();
            let recv = poll_fn(|cx| loop {
                ready!(b.poll_recv_ready(cx))?;
                match b.try_recv_from(&mut buf) {
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    other => return Poll::Ready(other),
                }
            });
            if let Ok(got) = timeout(Duration::from_millis(200), recv).await {
                let (n, from) = got.unwrap();
                assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr().unwrap()));
                break;
            }
        }
    }

    fn the_owned_halves_have_tokios_readiness_and_try_methods() {
        let message: Vec<u8> = (0..5_000u32).map(|i| i as u8).collect();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let to_send = message.clone();
        spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            let (_read, write) = conn.into_split();
            // tokio's write loop on the write half: writable, try_write.
            let mut sent = 0;
            while sent < to_send.len() {
                write.writable().await.unwrap();
                match write.try_write(&to_send[sent..]) {
                    Ok(n) => sent += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("try_write: {e}"),
                }
            }
            // Dropping the write half sends FIN.
        });
        let (read, _write) = TcpStream::connect(addr).await.unwrap().into_split();
        let mut first = [0; 1];
        assert_eq!(read.peek(&mut first).await.unwrap(), 1);
        assert_eq!(first[0], message[0], "peek does not consume");
        let read_all = async {
            let mut got = Vec::new();
            let mut buf = [0; 64];
            loop {
                read.readable().await?;
                match read.try_read(&mut buf) {
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
            .expect("the read half's readiness persists until WouldBlock")
            .unwrap();
        assert_eq!(got, message);
    }

    fn an_unconnected_udp_socket_receives_from_anyone_with_recv() {
        // recv(2) on an unconnected datagram socket takes a datagram from
        // any sender, on Linux and in tokio; only connect() filters.
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b_addr = b.local_addr().unwrap();
        let mut buf = [0; 8];
        loop {
            a.send_to(b"hello", b_addr).await.unwrap();
            if let Ok(got) = timeout(Duration::from_millis(200), b.recv(&mut buf)).await {
                let n = got.expect("recv before connect receives");
                assert_eq!(&buf[..n], b"hello");
                break;
            }
        }
    }
}
