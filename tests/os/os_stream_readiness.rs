//! What the OS backend's TCP sockets conclude from their own reads and
//! writes (`sim-core/src/kernel/os/net/stream_reads.rs`): a read that saw
//! the receive queue empty forgets `READABLE` and waits for epoll's next
//! event instead of asking the kernel again; a partial write forgets
//! `WRITABLE`. The tests pin both savings and, above all, that no missed
//! edge becomes a hang: EOF, RST, urgent data and a peer writing at any
//! moment still wake the reader. The peers are plain `std::net` sockets
//! (on threads where they must block); every wait has a generous limit,
//! so a hang fails with a message instead of stalling the suite.

#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use detsim::Runtime;
use detsim::net::{TcpListener, TcpStream};
use futures::{AsyncReadExt, AsyncWriteExt};

/// Far longer than any loopback delivery on a loaded machine.
const GIVE_UP: Duration = Duration::from_secs(20);

/// A listener on loopback and a plain blocking client connected to it,
/// with the detsim end accepted.
async fn pair() -> (TcpStream, std::net::TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let peer = std::net::TcpStream::connect(addr).unwrap();
    peer.set_nodelay(true).unwrap();
    let (conn, _) = listener.accept().await.unwrap();
    (conn, peer)
}

/// Reads until `want` bytes or EOF, `chunk` bytes at most per read, within
/// [`GIVE_UP`].
async fn read_up_to(conn: &mut TcpStream, chunk: usize, want: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = vec![0u8; chunk];
    let read_all = async {
        while got.len() < want {
            let n = conn.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
    };
    if detsim::time::timeout(GIVE_UP, read_all).await.is_err() {
        panic!(
            "the reader ({chunk}-byte reads) hung after {} of {want} bytes",
            got.len()
        );
    }
    got
}

/// Whether the stream's readiness says "try reading" without waiting.
fn read_ready_now(conn: &TcpStream) -> bool {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    conn.poll_read_ready(&mut cx).is_ready()
}

#[test]
fn a_read_that_takes_the_whole_message_waits_for_the_next_event() {
    Runtime::os().unwrap().block_on(async {
        let (mut conn, mut peer) = pair().await;
        peer.write_all(b"x").unwrap();
        let mut byte = [0u8];
        conn.read_exact(&mut byte).await.unwrap();
        assert_eq!(&byte, b"x");
        // The read asked the kernel for more than one byte and got one: the
        // queue is empty, so the socket no longer claims to be readable
        // (tokio would still try a read that can only say EAGAIN).
        assert!(
            !read_ready_now(&conn),
            "a drained socket still claims to be readable"
        );
        peer.write_all(b"y").unwrap();
        assert_eq!(read_up_to(&mut conn, 1, 1).await, b"y");
    });
}

#[test]
fn a_peer_writing_at_any_moment_never_strands_the_reader() {
    const TOTAL: usize = 20_000;
    for chunk in [1, 7, 63, 64, 65, 4096] {
        Runtime::os().unwrap().block_on(async {
            let (mut conn, mut peer) = pair().await;
            // Writes of 1 to 300 bytes with pauses of 0 to ~100 µs, so
            // bytes land before, during and after the reader's syscalls.
            let writer = std::thread::spawn(move || {
                let mut sent = 0;
                let mut state = 0x9e37_79b9_u32;
                while sent < TOTAL {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    let len = (1 + state as usize % 300).min(TOTAL - sent);
                    let bytes: Vec<u8> = (sent..sent + len).map(|i| i as u8).collect();
                    peer.write_all(&bytes).unwrap();
                    sent += len;
                    if state % 4 == 0 {
                        std::thread::sleep(Duration::from_micros(u64::from(state % 100)));
                    }
                }
                peer
            });
            let got = read_up_to(&mut conn, chunk, TOTAL).await;
            let _peer = writer.join().unwrap();
            assert_eq!(got.len(), TOTAL, "reads of {chunk} bytes lost data");
            assert!(
                got.iter().enumerate().all(|(i, &b)| b == i as u8),
                "reads of {chunk} bytes reordered or corrupted data"
            );
        });
    }
}

#[test]
fn eof_right_after_a_short_read_is_still_reported() {
    for chunk in [1, 16, 4096] {
        Runtime::os().unwrap().block_on(async {
            let (mut conn, mut peer) = pair().await;
            peer.write_all(b"abc").unwrap();
            peer.shutdown(std::net::Shutdown::Write).unwrap();
            // Data and FIN may come in one event: the short read that
            // stops at the FIN must not make the reader wait for another.
            assert_eq!(read_up_to(&mut conn, chunk, usize::MAX).await, b"abc");
            let mut buf = [0u8; 8];
            assert_eq!(conn.read(&mut buf).await.unwrap(), 0, "EOF is sticky");
        });
    }
}

#[test]
fn a_reset_after_a_short_read_is_reported_not_waited_for() {
    Runtime::os().unwrap().block_on(async {
        let (mut conn, peer) = pair().await;
        (&peer).write_all(b"abc").unwrap();
        assert_eq!(read_up_to(&mut conn, 16, 3).await, b"abc");
        // Closing with SO_LINGER 0 sends RST.
        let peer = linger_zero(peer);
        drop(peer);
        let mut buf = [0u8; 16];
        let read = detsim::time::timeout(GIVE_UP, conn.read(&mut buf))
            .await
            .expect("the reader hung instead of seeing the reset");
        let err = read.expect_err("a reset connection reads an error");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    });
}

/// `peer` with `SO_LINGER` set to zero, so closing it resets the connection.
fn linger_zero(peer: std::net::TcpStream) -> std::net::TcpStream {
    rustix::net::sockopt::set_socket_linger(&peer, Some(Duration::ZERO)).unwrap();
    peer
}

#[test]
fn urgent_data_does_not_hide_the_bytes_behind_its_mark() {
    Runtime::os().unwrap().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        peer.set_nodelay(true).unwrap();
        // Everything is queued before the detsim end exists: its first
        // event reports data and urgent data (EPOLLIN | EPOLLPRI) at once.
        (&peer).write_all(b"ab").unwrap();
        rustix::net::send(&peer, b"c", rustix::net::SendFlags::OOB).unwrap();
        (&peer).write_all(b"de").unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let (mut conn, _) = listener.accept().await.unwrap();
        // Linux stops the first read at the urgent mark ("ab": short) with
        // "de" still queued behind it; the urgent byte itself is out of band.
        assert_eq!(read_up_to(&mut conn, 16, 4).await, b"abde");
    });
}

#[test]
fn closing_with_bytes_left_in_the_read_ahead_resets_as_linux_does() {
    Runtime::os().unwrap().block_on(async {
        let (mut conn, mut peer) = pair().await;
        peer.write_all(b"0123456789").unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let mut byte = [0u8];
        conn.read_exact(&mut byte).await.unwrap();
        assert_eq!(&byte, b"0");
        // Nine bytes were read ahead and never read: to the peer, this is
        // a close with unread data, which Linux answers with RST.
        drop(conn);
        peer.set_read_timeout(Some(GIVE_UP)).unwrap();
        let err = peer
            .read(&mut [0u8; 16])
            .expect_err("a close with unread data resets, it does not send FIN");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    });
}

#[test]
fn a_partial_write_waits_for_room_and_then_finishes() {
    Runtime::os().unwrap().block_on(async {
        let (mut conn, peer) = pair().await;
        let block = vec![0x5a_u8; 1 << 20];
        // Fill the send buffer (and the peer's receive buffer) until the
        // kernel takes only part of a write.
        let mut sent = 0usize;
        loop {
            match conn.try_write(&block) {
                Ok(n) if n == block.len() => sent += n,
                Ok(n) => {
                    sent += n;
                    break;
                }
                // Full exactly at a block's end: WouldBlock forgets
                // WRITABLE too.
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("write: {e}"),
            }
        }
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(
            conn.poll_write_ready(&mut cx).is_pending(),
            "a socket whose write was partial still claims to be writable"
        );
        // The peer drains everything on a thread; the writer must be woken
        // by EPOLLOUT and finish one more whole block.
        let total = sent + block.len();
        let reader = std::thread::spawn(move || {
            let mut peer = peer;
            let mut got = 0;
            let mut buf = vec![0u8; 1 << 16];
            while got < total {
                let n = peer.read(&mut buf).unwrap();
                assert!(n > 0, "EOF before every byte arrived");
                got += n;
            }
            got
        });
        let finish = detsim::time::timeout(GIVE_UP, conn.write_all(&block)).await;
        finish
            .expect("the writer hung after a partial write")
            .unwrap();
        assert_eq!(reader.join().unwrap(), total);
    });
}
