//! [`TcpStream`]: a TCP connection of the runtime's network stack,
//! simulated or real, written once over the kernel's socket contract.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use sim_core::kernel::net::{Socket, SocketIo};
use sim_core::kernel::{AsSource, IoSource, Resident, ResidentFuture};

use crate::addr::{ToSocketAddr, host_port, resolve_host_port};
use crate::tcp::io_traits::{impl_async_read, impl_async_write};
use crate::tcp::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};

/// A TCP connection between two simulated hosts (on the OS runtime, a
/// real non-blocking socket).
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
    pub(crate) inner: Arc<Resident<SocketIo>>,
}

impl TcpStream {
    /// A connection of the runtime's network stack, registered for the
    /// try-then-wait loop.
    pub(crate) fn from_socket(socket: Box<dyn Socket>) -> TcpStream {
        let _untracked = sim_core::alloc::Untracked::new();
        let (kind, id) = (socket.source().kind(), socket.source().id());
        TcpStream {
            inner: Arc::new(Resident::for_resource(kind, id, IoSource::new(socket))),
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
        let addr = resolve_host_port(host_port(&addr)?).await?;
        let socket = ResidentFuture::new("TcpStream::connect", async move {
            crate::stack().tcp_connect(addr).await
        })
        .await?;
        Ok(TcpStream::from_socket(socket))
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get().get_ref().local_addr()
    }

    /// Takes the socket's pending error (`SO_ERROR`), as tokio's
    /// `take_error`.
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `getsockopt` reports; none in the
    /// simulation, whose connections report failures from their reads
    /// and writes.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.get().get_ref().take_error()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get().get_ref().peer_addr()
    }

    /// Records `TCP_NODELAY`. The simulation has no Nagle delay, so this
    /// changes nothing but what [`TcpStream::nodelay`] reports.
    ///
    /// # Errors
    ///
    /// None in the simulation.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.get().get_ref().set_nodelay(nodelay)
    }

    /// The `TCP_NODELAY` setting.
    ///
    /// # Errors
    ///
    /// None in the simulation.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.get().get_ref().nodelay()
    }

    /// Sets the IP time-to-live of outgoing packets (`IP_TTL`).
    ///
    /// # Divergence from Linux
    ///
    /// The simulation has no hop count: it records the value, reports it
    /// from [`TcpStream::ttl`], and delivers packets as before.
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `setsockopt` reports (`InvalidInput` for 0
    /// or above 255); in the simulation, `InvalidInput` for the same.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get().get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live (64 by default, Linux's `ip_default_ttl`).
    ///
    /// ```
    /// use detsim::net::{self, TcpListener, TcpStream};
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let _listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
    ///     net::client("c", async {
    ///         let conn = TcpStream::connect("main:80").await.unwrap();
    ///         assert_eq!(conn.ttl().unwrap(), 64);
    ///         conn.set_ttl(7).unwrap();
    ///         assert_eq!(conn.ttl().unwrap(), 7);
    ///         conn.set_nodelay(true).unwrap();
    ///         assert!(conn.nodelay().unwrap());
    ///     })
    ///     .await
    ///     .unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `getsockopt` reports; none in the simulation.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get().get_ref().ttl()
    }

    /// Splits into halves that borrow the stream, as tokio's `split`: no
    /// reference counting, but both halves live on the caller's task.
    /// Shutting the write half down sends FIN; dropping it does not.
    ///
    /// With futures' `AsyncReadExt` in scope, `stream.split()` names that
    /// trait's by-value `split` (method lookup tries by-value receivers
    /// first); write `TcpStream::split(&mut stream)` there. With tokio's
    /// traits, `stream.split()` is this method, as in tokio.
    ///
    /// ```
    /// use detsim::net::{self, TcpListener, TcpStream};
    /// use futures::{AsyncReadExt, AsyncWriteExt};
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
    ///     net::client("c", async {
    ///         let mut conn = TcpStream::connect("main:7").await.unwrap();
    ///         conn.write_all(b"echo me").await.unwrap();
    ///         conn.close().await.unwrap();
    ///         let mut back = Vec::new();
    ///         conn.read_to_end(&mut back).await.unwrap();
    ///         assert_eq!(back, b"echo me");
    ///     });
    ///     let (mut conn, _) = listener.accept().await.unwrap();
    ///     let (mut r, mut w) = TcpStream::split(&mut conn);
    ///     futures::io::copy(&mut r, &mut w).await.unwrap();
    ///     w.close().await.unwrap();
    /// });
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        (
            ReadHalf { inner: &self.inner },
            WriteHalf { inner: &self.inner },
        )
    }

    /// Splits into halves that can move to different tasks. Dropping both
    /// closes the connection.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        (
            OwnedReadHalf {
                inner: Arc::clone(&self.inner),
            },
            OwnedWriteHalf {
                inner: self.inner,
                shutdown_on_drop: true,
            },
        )
    }
}

impl_async_read!(TcpStream);
impl_async_write!(TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field(
                "local",
                &self
                    .inner
                    .try_get()
                    .and_then(|c| c.get_ref().local_addr().ok()),
            )
            .field(
                "peer",
                &self
                    .inner
                    .try_get()
                    .and_then(|c| c.get_ref().peer_addr().ok()),
            )
            .finish_non_exhaustive()
    }
}
