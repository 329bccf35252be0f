use std::cell::Cell;
use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::rc::Rc;
use std::task::{Context, Poll};

use sim_core::FaultKind;
use sim_core::io::DuplexStream;
use sim_core::kernel::{Interest, Readiness};

use crate::addr::ToSocketAddr;
use crate::network::{HostIx, Net};
use crate::tcp::conn::Conn;
use crate::tcp::io_traits::{impl_async_read, impl_async_write};
use crate::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// A TCP connection between two simulated hosts.
///
/// An ordered, reliable byte stream delivered in segments at the link's
/// latency, with bounded buffers (backpressure), FIN and half-close, and RST
/// when a side closes with unread data. A peer's FIN and RST cross the
/// link like data: a write after the peer closed succeeds until the RST it
/// provokes has come back. Under the fault plan, reads can be short,
/// writes partial, readiness spurious, and connections reset.
///
/// Implements futures-io `AsyncRead`/`AsyncWrite` (and tokio's with the
/// `tokio` feature).
pub struct TcpStream {
    pub(crate) inner: Rc<Conn>,
}

pub(crate) struct StreamInner {
    pub(crate) io: DuplexStream,
    net: Rc<Net>,
    host: HostIx,
    local: SocketAddr,
    peer: SocketAddr,
    /// Set for outgoing connections: the ephemeral port to release.
    ephemeral: Option<u16>,
    nodelay: Cell<bool>,
    read_shutdown: Cell<bool>,
}

impl TcpStream {
    pub(crate) fn from_parts(
        net: Rc<Net>,
        host: HostIx,
        io: DuplexStream,
        local: SocketAddr,
        peer: SocketAddr,
        ephemeral: Option<u16>,
    ) -> TcpStream {
        let inner = StreamInner {
            io,
            net,
            host,
            local,
            peer,
            ephemeral,
            nodelay: Cell::new(false),
            read_shutdown: Cell::new(false),
        };
        TcpStream {
            inner: Rc::new(Conn::Sim(inner)),
        }
    }

    /// Connects to `addr` (e.g. `"server:7"`), retrying lost SYNs until
    /// the network's `connect_timeout` (5 s by default). On the OS runtime
    /// there is no such timeout: the kernel retries SYNs for about 127 s
    /// (`tcp_syn_retries = 6`); wrap the call in `detsim::time::timeout`
    /// for the same bound on both.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` when nothing listens on the port of a reachable
    /// host; `TimedOut` when SYNs go unanswered (partition, crashed host);
    /// `HostUnreachable` for an address no host has; `NotFound` for an
    /// unknown host name.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, or on a task that is not on a host.
    pub async fn connect(addr: impl ToSocketAddr) -> io::Result<TcpStream> {
        #[cfg(target_os = "linux")]
        if sim_core::kernel::KernelHandle::current().is_os() {
            let os = crate::os::OsTcpStream::connect(addr).await?;
            return Ok(TcpStream {
                inner: Rc::new(Conn::Os(os)),
            });
        }
        crate::tcp::connect::connect(addr).await
    }

    #[cfg(target_os = "linux")]
    pub(crate) fn from_os(os: crate::os::OsTcpStream) -> TcpStream {
        TcpStream {
            inner: Rc::new(Conn::Os(os)),
        }
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// Shuts down one or both halves. `Write` sends FIN: the peer reads the
    /// data already sent, then EOF, and further writes fail with
    /// `BrokenPipe`. `Read` makes further reads return 0.
    ///
    /// # Errors
    ///
    /// None in the simulation today; the signature matches std.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }

    /// Records `TCP_NODELAY`. The simulation has no Nagle delay, so this
    /// changes nothing but what [`TcpStream::nodelay`] reports.
    ///
    /// # Errors
    ///
    /// None in the simulation.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_nodelay(nodelay)
    }

    /// The `TCP_NODELAY` setting.
    ///
    /// # Errors
    ///
    /// None in the simulation.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.nodelay()
    }

    /// Reads what has arrived without waiting (`WouldBlock` if nothing).
    ///
    /// # Errors
    ///
    /// `WouldBlock`; `ConnectionReset` or `TimedOut` once after the
    /// connection failed (then 0, as at EOF); `Interrupted` (fault plan).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.try_read(buf)
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
        self.inner.try_write(buf)
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
        std::future::poll_fn(|cx| self.inner.poll_ready(cx, interest).map(Ok)).await
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
        self.inner
            .poll_ready(cx, Interest::READABLE)
            .map(|_| Ok(()))
    }

    /// Polls for write readiness, as tokio's `poll_write_ready`; see
    /// [`TcpStream::poll_read_ready`].
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner
            .poll_ready(cx, Interest::WRITABLE)
            .map(|_| Ok(()))
    }

    /// Splits into halves that can move to different tasks. Dropping both
    /// closes the connection.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        (
            OwnedReadHalf {
                inner: Rc::clone(&self.inner),
            },
            OwnedWriteHalf { inner: self.inner },
        )
    }
}

impl StreamInner {
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.peer)
    }

    pub(crate) fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        if matches!(how, Shutdown::Read | Shutdown::Both) {
            self.read_shutdown.set(true);
        }
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            self.io.shutdown_write();
        }
        Ok(())
    }

    pub(crate) fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.nodelay.set(nodelay);
        Ok(())
    }

    pub(crate) fn nodelay(&self) -> io::Result<bool> {
        Ok(self.nodelay.get())
    }

    pub(crate) fn poll_ready(&self, cx: &mut Context<'_>, interest: Interest) -> Poll<Readiness> {
        crate::ready::poll_ready(
            cx,
            self.io.source(),
            interest,
            |cx| self.io.poll_read_ready(cx),
            |cx| self.io.poll_write_ready(cx),
        )
    }

    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read_shutdown.get() {
            return Ok(0);
        }
        self.io.try_read(buf)
    }

    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.reset_fault()?;
        self.io.try_write(buf)
    }

    /// The fault plan's random connection reset, rolled per segment sent.
    fn reset_fault(&self) -> io::Result<()> {
        if self
            .net
            .kernel
            .fault(FaultKind::ConnectionReset, self.io.source().id())
        {
            self.io.reset();
            // Reported here, not again by the next call.
            drop(self.io.take_error());
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset (injected)",
            ));
        }
        Ok(())
    }

    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if self.read_shutdown.get() {
            return Poll::Ready(Ok(0));
        }
        self.io.poll_recv(cx, buf)
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if !buf.is_empty() {
            self.reset_fault()?;
        }
        self.io.poll_send(cx, buf)
    }
}

impl Drop for StreamInner {
    fn drop(&mut self) {
        if let Some(port) = self.ephemeral {
            self.net.release_conn_port(self.host, port, self.peer);
        }
    }
}

impl_async_read!(TcpStream);
impl_async_write!(TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.inner.local_addr().ok())
            .field("peer", &self.inner.peer_addr().ok())
            .finish_non_exhaustive()
    }
}
