//! [`TcpSocket`]: a TCP socket configured before it connects or listens,
//! as tokio's, written once over the kernel's
//! [`UnconnectedTcp`](sim_core::kernel::net::UnconnectedTcp).

use std::cell::{Ref, RefCell};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use sim_core::kernel::net::{Family, UnconnectedTcp};
use sim_core::kernel::{Resident, ResidentFuture};

use crate::tcp::{TcpListener, TcpStream};

/// A TCP socket that has not connected or started listening yet: set its
/// options and maybe `bind` it, then [`TcpSocket::connect`] or
/// [`TcpSocket::listen`], as with tokio's `TcpSocket`. On the simulation
/// it belongs to the host of the task that created it; on
/// `Runtime::os()` it is a real socket.
///
/// Binding holds the port at once: binding a port another socket holds
/// fails with `AddrInUse`, unless both set `SO_REUSEADDR` and neither
/// listens, or both set `SO_REUSEPORT`. A connection from a bound socket
/// has the bound port as its local port.
///
/// ```
/// use detsim::net::{self, TcpSocket};
/// use std::net::SocketAddr;
///
/// detsim::Runtime::sim(0).block_on(async {
///     let socket = TcpSocket::new_v4().unwrap();
///     socket.set_reuseaddr(true).unwrap();
///     socket.bind("0.0.0.0:80".parse().unwrap()).unwrap();
///     let listener = socket.listen(16).unwrap();
///     let server = SocketAddr::new(net::lookup("main").unwrap(), 80);
///     net::client("c", async move {
///         let socket = TcpSocket::new_v4().unwrap();
///         socket.bind("0.0.0.0:4000".parse().unwrap()).unwrap();
///         let conn = socket.connect(server).await.unwrap();
///         assert_eq!(conn.local_addr().unwrap().port(), 4000);
///     });
///     let (_conn, peer) = listener.accept().await.unwrap();
///     assert_eq!(peer.port(), 4000, "the port the client bound");
/// });
/// ```
///
/// # What the simulation models
///
/// `bind`, `SO_REUSEADDR` and `SO_REUSEPORT` hold and share ports with
/// Linux's rules, except that one port has one listener (a second
/// `listen` with `SO_REUSEPORT` fails with `AddrInUse` instead of
/// sharing the connections). `listen(backlog)` bounds the accept queue to
/// `backlog` + 1 connections, as Linux does; SYNs beyond are dropped and
/// the client retransmits. A connection closed with `SO_LINGER` zero is
/// reset (RST); a nonzero linger changes nothing (closing never waits).
/// `TCP_NODELAY` is recorded and changes nothing (there is no Nagle
/// delay). Buffer sizes read back as Linux reports them, and change
/// nothing: a simulated connection buffers `NetConfig::tcp_buffer_bytes`
/// each way. Simulated hosts have IPv4 addresses only: an IPv6 socket
/// takes `[::]`, `[::1]` and v4-mapped addresses, and reports IPv4 ones.
pub struct TcpSocket {
    /// `None` only once `connect` or `listen` took it.
    inner: Resident<RefCell<Option<Box<dyn UnconnectedTcp>>>>,
}

impl TcpSocket {
    /// A new IPv4 socket.
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `socket(2)` reports (`EMFILE`...); none in
    /// the simulation.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, or (simulation) on a task that is not on
    /// a host.
    pub fn new_v4() -> io::Result<TcpSocket> {
        let _untracked = sim_core::alloc::Untracked::new();
        TcpSocket::new(Family::V4)
    }

    /// A new IPv6 socket.
    ///
    /// # Errors
    ///
    /// As [`TcpSocket::new_v4`].
    ///
    /// # Panics
    ///
    /// As [`TcpSocket::new_v4`].
    pub fn new_v6() -> io::Result<TcpSocket> {
        let _untracked = sim_core::alloc::Untracked::new();
        TcpSocket::new(Family::V6)
    }

    fn new(family: Family) -> io::Result<TcpSocket> {
        let socket = crate::stack().tcp_socket(family)?;
        Ok(TcpSocket {
            inner: Resident::new("TcpSocket", RefCell::new(Some(socket))),
        })
    }

    fn socket(&self) -> Ref<'_, dyn UnconnectedTcp> {
        Ref::map(self.inner.get().borrow(), |s| {
            &**s.as_ref()
                .expect("a TcpSocket is consumed by connect or listen")
        })
    }

    fn take(self) -> Box<dyn UnconnectedTcp> {
        self.inner
            .get()
            .borrow_mut()
            .take()
            .expect("a TcpSocket is consumed by connect or listen")
    }

    /// Sets `SO_REUSEADDR`: the socket may bind a port that other sockets
    /// with it set hold, as long as none of them listens.
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `setsockopt` reports; none in the
    /// simulation.
    pub fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        self.socket().set_reuseaddr(reuseaddr)
    }

    /// The `SO_REUSEADDR` setting (off by default).
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `getsockopt` reports; none in the
    /// simulation.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.socket().reuseaddr()
    }

    /// Sets `SO_REUSEPORT`: the socket may bind a port that other sockets
    /// with it set hold, listening or not. The simulation keeps one
    /// listener per port (see the type's docs).
    ///
    /// # Errors
    ///
    /// As [`TcpSocket::set_reuseaddr`].
    pub fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        self.socket().set_reuseport(reuseport)
    }

    /// The `SO_REUSEPORT` setting (off by default).
    ///
    /// # Errors
    ///
    /// As [`TcpSocket::reuseaddr`].
    pub fn reuseport(&self) -> io::Result<bool> {
        self.socket().reuseport()
    }

    /// Sets `TCP_NODELAY`, which the connection (or a listener's
    /// accepted connections) keep. The simulation has no Nagle delay: it
    /// records the value.
    ///
    /// # Errors
    ///
    /// As [`TcpSocket::set_reuseaddr`].
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.socket().set_nodelay(nodelay)
    }

    /// The `TCP_NODELAY` setting (off by default).
    ///
    /// # Errors
    ///
    /// As [`TcpSocket::reuseaddr`].
    pub fn nodelay(&self) -> io::Result<bool> {
        self.socket().nodelay()
    }

    /// Sets `SO_LINGER`, in whole seconds (rounded up, as Linux keeps
    /// it). `Some(Duration::ZERO)` makes closing the connection reset it
    /// (RST) on both kernels. A nonzero linger makes Linux's `close`
    /// wait for unsent data, blocking the runtime's thread on the OS
    /// runtime (as with tokio); in the simulation closing never waits.
    ///
    /// ```
    /// use detsim::net::{self, TcpListener, TcpSocket};
    /// use detsim::time::Duration;
    /// use futures::AsyncReadExt;
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
    ///     let server = listener.local_addr().unwrap();
    ///     net::client("c", async move {
    ///         let socket = TcpSocket::new_v4().unwrap();
    ///         socket.set_linger(Some(Duration::from_millis(1500))).unwrap();
    ///         assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(2)));
    ///         socket.set_linger(Some(Duration::ZERO)).unwrap();
    ///         drop(socket.connect(server).await.unwrap());
    ///     });
    ///     let (mut conn, _) = listener.accept().await.unwrap();
    ///     let err = conn.read(&mut [0; 8]).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// `EINVAL` (an OS error, as Linux's) for more seconds than a C `int`
    /// holds.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        self.socket().set_linger(linger)
    }

    /// The `SO_LINGER` setting (`None` by default).
    ///
    /// # Errors
    ///
    /// As [`TcpSocket::reuseaddr`].
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.socket().linger()
    }

    /// Sets `SO_SNDBUF`. Linux bounds the request by `wmem_max`, doubles
    /// it (for its bookkeeping) and keeps a minimum, and
    /// [`TcpSocket::send_buffer_size`] reports that. The simulation
    /// computes the same value (with Linux's default `wmem_max`,
    /// 212,992) and changes nothing else: a simulated connection buffers
    /// `NetConfig::tcp_buffer_bytes` each way.
    ///
    /// ```
    /// use detsim::net::TcpSocket;
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let socket = TcpSocket::new_v4().unwrap();
    ///     assert_eq!(socket.send_buffer_size().unwrap(), 16_384, "Linux's tcp_wmem default");
    ///     socket.set_send_buffer_size(65_536).unwrap();
    ///     assert_eq!(socket.send_buffer_size().unwrap(), 131_072, "doubled, as Linux reports it");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// `EINVAL` (an OS error) above `i32::MAX`.
    pub fn set_send_buffer_size(&self, bytes: u32) -> io::Result<()> {
        self.socket().set_send_buffer_size(bytes)
    }

    /// The `SO_SNDBUF` setting, as Linux reports it.
    ///
    /// # Errors
    ///
    /// As [`TcpSocket::reuseaddr`].
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.socket().send_buffer_size()
    }

    /// Sets `SO_RCVBUF`, as [`TcpSocket::set_send_buffer_size`] sets
    /// `SO_SNDBUF` (with `rmem_max`; 131,072 before it is set, Linux's
    /// `tcp_rmem` default).
    ///
    /// # Errors
    ///
    /// `EINVAL` (an OS error) above `i32::MAX`.
    pub fn set_recv_buffer_size(&self, bytes: u32) -> io::Result<()> {
        self.socket().set_recv_buffer_size(bytes)
    }

    /// The `SO_RCVBUF` setting, as Linux reports it.
    ///
    /// # Errors
    ///
    /// As [`TcpSocket::reuseaddr`].
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.socket().recv_buffer_size()
    }

    /// The address the socket is bound to: the unspecified address and
    /// port 0 until [`TcpSocket::bind`]. Under the simulation, a bound
    /// socket reports its host's address (Linux reports the one bound,
    /// e.g. `0.0.0.0`), as a simulated listener does.
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `getsockname` reports; none in the
    /// simulation.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket().local_addr()
    }

    /// Binds the socket to `addr`: the unspecified address, a loopback
    /// address or the host's own; port 0 for a free ephemeral port.
    ///
    /// ```
    /// use detsim::net::TcpSocket;
    /// use std::io::ErrorKind;
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let first = TcpSocket::new_v4().unwrap();
    ///     first.bind("0.0.0.0:7000".parse().unwrap()).unwrap();
    ///     let second = TcpSocket::new_v4().unwrap();
    ///     let err = second.bind("0.0.0.0:7000".parse().unwrap()).unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::AddrInUse);
    ///     drop(first);
    ///     second.bind("0.0.0.0:7000".parse().unwrap()).unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// `AddrInUse` when another socket holds the port and may not share
    /// it; `AddrNotAvailable` for an address that is not this host's;
    /// `EINVAL` (an OS error) when the socket is bound already, or for an
    /// IPv4 address on an IPv6 socket; `EAFNOSUPPORT` for an IPv6 address
    /// on an IPv4 socket.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        let _untracked = sim_core::alloc::Untracked::new();
        self.socket().bind(addr)
    }

    /// Connects to `addr`, from the bound port (else an ephemeral one),
    /// and returns the connection, which keeps the options set here.
    /// Under the simulation a loopback address is the calling host, and
    /// lost SYNs are retransmitted until `NetConfig::connect_timeout`, as
    /// for [`TcpStream::connect`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::connect`]; `AddrNotAvailable` when the bound port
    /// already has a connection to `addr`; the family errors of
    /// [`TcpSocket::bind`].
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        let socket = self.take();
        let socket = ResidentFuture::new("TcpSocket::connect", socket.connect(addr)).await?;
        Ok(TcpStream::from_socket(socket))
    }

    /// Listens for connections, binding to an ephemeral port first if the
    /// socket is unbound. At most `backlog` + 1 connections wait for
    /// `accept` (Linux's bound; `backlog` is capped at 4,096, Linux's
    /// default `somaxconn`); a SYN that finds the queue full is dropped,
    /// and its client retransmits it (after 1 s, 2 s...). Accepted
    /// connections keep the socket's options.
    ///
    /// ```
    /// use detsim::net::{TcpSocket, TcpStream};
    ///
    /// detsim::Runtime::os().unwrap().block_on(async {
    ///     let socket = TcpSocket::new_v4().unwrap();
    ///     socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    ///     socket.set_nodelay(true).unwrap();
    ///     let listener = socket.listen(8).unwrap();
    ///     let addr = listener.local_addr().unwrap();
    ///     let client = detsim::spawn(async move { TcpStream::connect(addr).await.unwrap() });
    ///     let (conn, _) = listener.accept().await.unwrap();
    ///     assert!(conn.nodelay().unwrap(), "inherited from the listening socket");
    ///     client.await.unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// `AddrInUse` when another socket listens on the port.
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        let _untracked = sim_core::alloc::Untracked::new();
        Ok(TcpListener::from_socket(self.take().listen(backlog)?))
    }
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.inner.try_get().and_then(|s| {
            let socket = s.try_borrow().ok()?;
            socket.as_ref()?.local_addr().ok()
        });
        f.debug_struct("TcpSocket")
            .field("local", &local)
            .finish_non_exhaustive()
    }
}
