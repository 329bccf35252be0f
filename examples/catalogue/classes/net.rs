//! Byte streams read and written as if the kernel moved whole messages:
//! a writer that ignores partial writes, a reader that expects one `read`
//! per message, and a `readable` + `try_read` loop that takes readiness
//! followed by `WouldBlock` for the end of the stream. Each passes every
//! seed of a perfect kernel (`Faults::none()`); the default plan's short
//! reads, partial writes and spurious readiness, all allowed by read(2),
//! write(2) and select(2), find them.

use std::io::ErrorKind;

use detsim::net::{self, TcpListener, TcpStream};
use detsim::time::{Duration, sleep};
use futures::{AsyncReadExt, AsyncWriteExt};

/// A client sends 4 KiB with one `write` (the twin: `write_all`); the
/// server checks that all of it arrived.
pub async fn partial_write_ignored(fixed: bool) {
    let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
    net::client("sender", async move {
        let mut conn = TcpStream::connect("main:80").await.unwrap();
        let data = vec![1u8; 4096];
        if fixed {
            conn.write_all(&data).await.unwrap();
        } else {
            // BUG: write(2) may accept fewer bytes than offered. (Clippy
            // sees this one; the simulation sees it in code that keeps the
            // count and then mishandles it, too.)
            #[allow(clippy::unused_io_amount)]
            conn.write(&data).await.unwrap();
        }
        conn.close().await.unwrap();
    });
    let (mut conn, _) = listener.accept().await.unwrap();
    let mut got = Vec::new();
    conn.read_to_end(&mut got).await.unwrap();
    assert_eq!(got.len(), 4096, "bytes lost");
}

/// A server reads a 100-byte message with one `read` (the twin:
/// `read_exact`).
pub async fn one_read_per_message(fixed: bool) {
    let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
    net::client("sender", async {
        let mut conn = TcpStream::connect("main:80").await.unwrap();
        conn.write_all(&[7; 100]).await.unwrap();
        sleep(Duration::from_secs(1)).await;
    });
    let (mut conn, _) = listener.accept().await.unwrap();
    let mut message = [0; 100];
    if fixed {
        conn.read_exact(&mut message).await.unwrap();
    } else {
        // BUG: read(2) may return fewer bytes than are available.
        let n = conn.read(&mut message).await.unwrap();
        assert_eq!(n, 100, "one read returned part of the message");
    }
}

/// A server reads ten 100-byte chunks with tokio's `readable` + `try_read`
/// loop until the end of the stream; the buggy one takes `WouldBlock`
/// after readiness for that end.
pub async fn spurious_readiness_as_eof(fixed: bool) {
    let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
    net::client("sender", async {
        let mut conn = TcpStream::connect("main:80").await.unwrap();
        for _ in 0..10 {
            conn.write_all(&[7; 100]).await.unwrap();
            sleep(Duration::from_millis(1)).await;
        }
        conn.close().await.unwrap();
    });
    let (conn, _) = listener.accept().await.unwrap();
    let (mut got, mut buf) = (0, [0; 4096]);
    loop {
        conn.readable().await.unwrap();
        match conn.try_read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got += n,
            // Readiness is a hint (select(2)): WouldBlock may follow it.
            Err(e) if e.kind() == ErrorKind::WouldBlock && fixed => continue,
            // BUG: "readable, yet nothing to read" taken for the end.
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(got, 1000, "stopped before the end of the stream");
}
