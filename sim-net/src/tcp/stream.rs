use std::cell::Cell;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use sim_core::FaultKind;
use sim_core::io::DuplexStream;
use sim_core::kernel::{Interest, Readiness, Resident, ResidentFuture};

use crate::addr::ToSocketAddr;
use crate::network::{HostIx, Net};
use crate::tcp::conn::Conn;
use crate::tcp::io_traits::{impl_async_read, impl_async_write};
use crate::tcp::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};

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
    pub(crate) inner: Arc<Resident<Conn>>,
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
    ttl: Cell<u32>,
}

impl TcpStream {
    fn new(conn: Conn) -> TcpStream {
        let source = conn.source().clone();
        TcpStream {
            inner: Arc::new(Resident::for_resource(source.kind(), source.id(), conn)),
        }
    }

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
            ttl: Cell::new(64),
        };
        TcpStream::new(Conn::Sim(inner))
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
        let addr = addr.to_host_port()?;
        ResidentFuture::new("TcpStream::connect", async move {
            #[cfg(target_os = "linux")]
            if sim_core::kernel::KernelHandle::current().is_os() {
                let os = crate::os::OsTcpStream::connect(addr).await?;
                return Ok(TcpStream::from_os(os));
            }
            crate::tcp::connect::connect(addr).await
        })
        .await
    }

    #[cfg(target_os = "linux")]
    pub(crate) fn from_os(os: crate::os::OsTcpStream) -> TcpStream {
        TcpStream::new(Conn::Os(os))
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get().local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get().peer_addr()
    }

    /// Records `TCP_NODELAY`. The simulation has no Nagle delay, so this
    /// changes nothing but what [`TcpStream::nodelay`] reports.
    ///
    /// # Errors
    ///
    /// None in the simulation.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.get().set_nodelay(nodelay)
    }

    /// The `TCP_NODELAY` setting.
    ///
    /// # Errors
    ///
    /// None in the simulation.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.get().nodelay()
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
        self.inner.get().set_ttl(ttl)
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
        self.inner.get().ttl()
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

    pub(crate) fn shutdown_write(&self) -> io::Result<()> {
        self.io.shutdown_write();
        Ok(())
    }

    pub(crate) fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        if !(1..=255).contains(&ttl) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("TTL {ttl} is outside 1..=255"),
            ));
        }
        self.ttl.set(ttl);
        Ok(())
    }

    pub(crate) fn ttl(&self) -> io::Result<u32> {
        Ok(self.ttl.get())
    }

    pub(crate) fn try_peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_peek(buf)
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
            .field(
                "local",
                &self.inner.try_get().and_then(|c| c.local_addr().ok()),
            )
            .field(
                "peer",
                &self.inner.try_get().and_then(|c| c.peer_addr().ok()),
            )
            .finish_non_exhaustive()
    }
}
