//! `TcpStream`'s readiness layer, in tokio's shape: waiting for readiness
//! (readiness holds until an operation says `WouldBlock`: the kernel's
//! [`IoSource`](sim_core::kernel::IoSource) contract), then trying an
//! operation that never waits.

use std::io;
use std::task::{Context, Poll};

use sim_core::kernel::{Interest, Readiness};

use crate::tcp::{TcpStream, ops};

impl TcpStream {
    /// Reads what has arrived without waiting (`WouldBlock` if nothing).
    ///
    /// # Errors
    ///
    /// `WouldBlock`; `ConnectionReset` or `TimedOut` once after the
    /// connection failed (then 0, as at EOF); `Interrupted` (fault plan).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        ops::try_read(self.inner.get(), buf)
    }

    /// Writes what fits without waiting (`WouldBlock` if nothing does).
    ///
    /// # Errors
    ///
    /// `WouldBlock`; `BrokenPipe` after shutdown; after the peer's RST
    /// arrived, `ConnectionReset` once (`BrokenPipe` if its FIN came
    /// first), then `BrokenPipe`; `TimedOut` once after unacknowledged
    /// segments; `Interrupted` (fault plan).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        ops::try_write(self.inner.get(), buf)
    }

    /// Waits until the stream may be readable, as tokio's `readable`:
    /// for use with [`TcpStream::try_read`]. Readiness stays set until an
    /// operation returns `WouldBlock` (or, in the simulation, drains the
    /// buffer), so a read that leaves data behind finds it ready again.
    /// Readiness is a hint: the read may still say `WouldBlock` (the fault
    /// plan injects such spurious readiness); loop on it.
    ///
    /// ```
    /// use detsim::net::{self, TcpListener, TcpStream};
    /// use futures::AsyncWriteExt;
    /// use std::io::ErrorKind;
    ///
    /// detsim::Sim::new().faults(detsim::Faults::default()).seeds(5).run(|| async {
    ///     let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
    ///     net::client("c", async {
    ///         let mut conn = TcpStream::connect("main:80").await.unwrap();
    ///         conn.write_all(&[7; 1000]).await.unwrap();
    ///     });
    ///     let (stream, _) = listener.accept().await.unwrap();
    ///     let (mut buf, mut total) = ([0; 64], 0);
    ///     loop {
    ///         stream.readable().await?;
    ///         match stream.try_read(&mut buf) {
    ///             Ok(0) => break,
    ///             Ok(n) => total += n,
    ///             Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
    ///             Err(e) => return Err(e),
    ///         }
    ///     }
    ///     assert_eq!(total, 1000);
    ///     Ok(())
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(drop)
    }

    /// Waits until the stream may be writable, for use with
    /// [`TcpStream::try_write`]; see [`TcpStream::readable`].
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(drop)
    }

    /// Waits until the stream may be ready for `interest`; returns what it
    /// is ready for (`READ_CLOSED`, `WRITE_CLOSED` and `ERROR` included),
    /// as tokio's `ready`. A hint, as [`TcpStream::readable`] says.
    ///
    /// ```
    /// use detsim::net::{self, Interest, TcpListener, TcpStream};
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
    ///     net::client("c", async { TcpStream::connect("main:80").await.unwrap() });
    ///     let (stream, _) = listener.accept().await.unwrap();
    ///     let ready = stream.ready(Interest::WRITABLE).await.unwrap();
    ///     assert!(ready.is_writable());
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub async fn ready(&self, interest: Interest) -> io::Result<Readiness> {
        ops::ready(&self.inner, interest).await
    }

    /// Polls for read readiness, as tokio's `poll_read_ready`: for
    /// hand-written futures. `Ready(Ok(()))` is a hint, as
    /// [`TcpStream::readable`] says; on `Pending`, the task is woken when
    /// readiness may have changed.
    ///
    /// ```
    /// use detsim::net::{self, TcpListener, TcpStream};
    /// use futures::AsyncWriteExt;
    /// use std::task::Poll;
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
    ///     net::client("c", async {
    ///         let mut conn = TcpStream::connect("main:80").await.unwrap();
    ///         conn.write_all(b"hi").await.unwrap();
    ///     });
    ///     let (stream, _) = listener.accept().await.unwrap();
    ///     let mut buf = [0; 8];
    ///     // A read future by hand: poll readiness, try, repeat.
    ///     let n = std::future::poll_fn(|cx| loop {
    ///         std::task::ready!(stream.poll_read_ready(cx))?;
    ///         match stream.try_read(&mut buf) {
    ///             Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///             other => return Poll::Ready(other),
    ///         }
    ///     })
    ///     .await
    ///     .unwrap();
    ///     assert_eq!(&buf[..n], b"hi");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ops::poll_ready(self.inner.get(), cx, Interest::READABLE).map_ok(drop)
    }

    /// Polls for write readiness, as tokio's `poll_write_ready`; see
    /// [`TcpStream::poll_read_ready`].
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ops::poll_ready(self.inner.get(), cx, Interest::WRITABLE).map_ok(drop)
    }

    /// Waits for data and copies it into `buf` without consuming it
    /// (`MSG_PEEK`), as tokio's `peek`: the next read returns the same
    /// bytes. `Ok(0)` at EOF.
    ///
    /// ```
    /// use detsim::net::{self, TcpListener, TcpStream};
    /// use futures::{AsyncReadExt, AsyncWriteExt};
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
    ///     net::client("c", async {
    ///         let mut conn = TcpStream::connect("main:80").await.unwrap();
    ///         conn.write_all(b"GET /").await.unwrap();
    ///     });
    ///     let (mut conn, _) = listener.accept().await.unwrap();
    ///     let mut first = [0; 3];
    ///     let n = conn.peek(&mut first).await.unwrap();
    ///     assert_eq!(&first[..n], &b"GET"[..n]);
    ///     let mut all = [0; 5];
    ///     conn.read_exact(&mut all).await.unwrap();
    ///     assert_eq!(&all, b"GET /");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `recv(MSG_PEEK)` reports (e.g.
    /// `ConnectionReset`); none in the simulation, where a failed
    /// connection peeks as EOF and the next read reports the error.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        ops::peek(&self.inner, buf).await
    }

    /// Polls for data and copies it into `buf` without consuming it, as
    /// tokio's `poll_peek`: the poll form of [`TcpStream::peek`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peek`].
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.inner
            .get()
            .poll_io(cx, Interest::READABLE, |s| s.peek(buf))
    }
}
