//! [`TcpListener`]: a listening socket of the runtime's network stack,
//! simulated or real, written once over the kernel's socket contract.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll, ready};

use sim_core::kernel::net::{Socket, SocketIo};
use sim_core::kernel::{AsSource, Interest, IoSource, Resident};

use crate::addr::{ToSocketAddr, host_port, resolve_host_port};
use crate::tcp::TcpStream;

/// A TCP socket listening for connections on a simulated host (on the OS
/// runtime, a real one).
///
/// ```
/// use detsim::net::{self, TcpListener, TcpStream};
///
/// detsim::Runtime::sim(0).block_on(async {
///     let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
///     assert_eq!(listener.local_addr().unwrap().port(), 80);
///     let err = TcpListener::bind("0.0.0.0:80").await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
///     net::client("c", async { TcpStream::connect("main:80").await.unwrap() });
///     let (_conn, peer) = listener.accept().await.unwrap();
///     assert_eq!(peer.ip(), net::lookup("c").unwrap());
/// });
/// ```
pub struct TcpListener {
    inner: Resident<SocketIo>,
}

impl TcpListener {
    /// Binds to `addr` on the calling host: `0.0.0.0:port`, the host's own
    /// name or address, or port 0 for an ephemeral port. On the OS runtime,
    /// a real socket bound to `addr`, with `SO_REUSEADDR` (as std and tokio
    /// do) and a backlog of 1024 (tokio's). [`TcpSocket`](crate::TcpSocket)
    /// chooses the options and the backlog.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the port is bound; `AddrNotAvailable` for another
    /// host's address; `NotFound` for an unknown host name;
    /// `InvalidInput` for text that is not `host:port`.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, or (simulation) on a task that is not on a
    /// host.
    pub async fn bind(addr: impl ToSocketAddr) -> io::Result<TcpListener> {
        let addr = resolve_host_port(host_port(&addr)?).await?;
        Ok(TcpListener::from_socket(crate::stack().tcp_listen(addr)?))
    }

    /// A listener of the runtime's network stack, registered for the
    /// try-then-wait loop.
    pub(crate) fn from_socket(socket: Box<dyn Socket>) -> TcpListener {
        let _untracked = sim_core::alloc::Untracked::new();
        let (kind, id) = (socket.source().kind(), socket.source().id());
        TcpListener {
            inner: Resident::for_resource(kind, id, IoSource::new(socket)),
        }
    }

    /// Waits for a connection; returns it with the peer's address.
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `accept4` reports (e.g. `EMFILE`); none in
    /// the simulation.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection, as tokio's `poll_accept`: the poll form of
    /// [`TcpListener::accept`], for hand-written streams of connections.
    ///
    /// # Errors
    ///
    /// As [`TcpListener::accept`].
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (socket, peer) = ready!(
            self.inner
                .get()
                .poll_io(cx, Interest::READABLE, |s| s.accept())
        )?;
        Poll::Ready(Ok((TcpStream::from_socket(socket), peer)))
    }

    /// Sets `IP_TTL` on the listening socket; the simulation records it
    /// and has no hop count (see `TcpStream::set_ttl`).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for 0 or above 255.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get().get_ref().set_ttl(ttl)
    }

    /// The `IP_TTL` setting (64 by default).
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `getsockopt` reports; none in the
    /// simulation.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get().get_ref().ttl()
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `getsockname` reports; none in the
    /// simulation. The signature is tokio's and std's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get().get_ref().local_addr()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field(
                "local",
                &self
                    .inner
                    .try_get()
                    .and_then(|l| l.get_ref().local_addr().ok()),
            )
            .finish_non_exhaustive()
    }
}
