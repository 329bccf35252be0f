//! [`TcpSocket`]: a TCP socket configured before it connects or listens,
//! as tokio's; on sim-net inside a simulation.
//!
//! # Divergence from tokio
//!
//! Options the simulation has no model for (`SO_KEEPALIVE`, `IP_TOS`,
//! `SO_BINDTODEVICE`, `IPV6_TCLASS`) and `from_std_stream` are not
//! provided: using them is a compile error rather than a setting the
//! simulation would silently ignore.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::either::{Either, both};
use crate::net::tcp::{TcpListener, TcpStream};
use crate::world::in_detsim;

/// A TCP socket before `connect` or `listen`, as tokio's
/// `net::TcpSocket`: a `detsim::net::TcpSocket` when made inside a detsim
/// runtime (on the calling simulated host), a real one anywhere else.
pub struct TcpSocket(Either<tokio::net::TcpSocket, detsim::net::TcpSocket>);

macro_rules! option {
    ($(#[$doc:meta])* $set:ident, $get:ident, $t:ty) => {
        $(#[$doc])*
        ///
        /// # Errors
        ///
        /// What the socket reports; a value of the other world.
        pub fn $set(&self, value: $t) -> io::Result<()> {
            both!(self.0.checked()?, |s| s.$set(value))
        }

        /// The setting [`TcpSocket::
        #[doc = stringify!($set)]
        /// `] changes.
        ///
        /// # Errors
        ///
        /// What the socket reports; a value of the other world.
        pub fn $get(&self) -> io::Result<$t> {
            both!(self.0.checked()?, |s| s.$get())
        }
    };
}

impl TcpSocket {
    /// A new IPv4 socket.
    ///
    /// # Errors
    ///
    /// What `socket(2)` reports; none in the simulation.
    pub fn new_v4() -> io::Result<TcpSocket> {
        if in_detsim() {
            detsim::net::TcpSocket::new_v4().map(|s| TcpSocket(Either::Sim(s)))
        } else {
            tokio::net::TcpSocket::new_v4().map(|s| TcpSocket(Either::Tokio(s)))
        }
    }

    /// A new IPv6 socket (the simulated hosts have IPv4 addresses; see
    /// `detsim::net::TcpSocket::new_v6`).
    ///
    /// # Errors
    ///
    /// What `socket(2)` reports; none in the simulation.
    pub fn new_v6() -> io::Result<TcpSocket> {
        if in_detsim() {
            detsim::net::TcpSocket::new_v6().map(|s| TcpSocket(Either::Sim(s)))
        } else {
            tokio::net::TcpSocket::new_v6().map(|s| TcpSocket(Either::Tokio(s)))
        }
    }

    option!(
        /// Sets `SO_REUSEADDR` (Linux's rules for sharing a port apply in
        /// the simulation too).
        set_reuseaddr, reuseaddr, bool
    );
    option!(
        /// Sets `SO_REUSEPORT`.
        set_reuseport, reuseport, bool
    );
    option!(
        /// Sets `SO_SNDBUF`.
        set_send_buffer_size, send_buffer_size, u32
    );
    option!(
        /// Sets `SO_RCVBUF`.
        set_recv_buffer_size, recv_buffer_size, u32
    );
    /// Sets `SO_LINGER`; deprecated as tokio's is (on the OS, a lingering
    /// close blocks the thread that drops the socket).
    ///
    /// # Errors
    ///
    /// What the socket reports; a value of the other world.
    #[deprecated = "`SO_LINGER` causes the socket to block the thread on drop"]
    #[allow(deprecated)]
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        both!(self.0.checked()?, |s| s.set_linger(dur))
    }

    /// The `SO_LINGER` setting.
    ///
    /// # Errors
    ///
    /// What the socket reports; a value of the other world.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        both!(self.0.checked()?, |s| s.linger())
    }
    option!(
        /// Sets `TCP_NODELAY`; the simulation has no Nagle delay and only
        /// records it.
        set_nodelay, nodelay, bool
    );

    /// The bound address.
    ///
    /// # Errors
    ///
    /// What `getsockname` reports; a value of the other world.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        both!(self.0.checked()?, |s| s.local_addr())
    }

    /// Binds to `addr`; the port is held from now on.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable`; a value of the other world.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        both!(self.0.checked()?, |s| s.bind(addr))
    }

    /// Connects to `addr`, carrying the options set so far.
    ///
    /// # Errors
    ///
    /// As [`TcpStream::connect`]; a value of the other world.
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        match self.0.checked_into()? {
            Either::Tokio(s) => Ok(TcpStream(Either::Tokio(s.connect(addr).await?))),
            Either::Sim(s) => Ok(TcpStream(Either::Sim(s.connect(addr).await?))),
        }
    }

    /// Listens with room for `backlog` connections not yet accepted.
    ///
    /// # Errors
    ///
    /// What `listen` reports; a value of the other world.
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        match self.0.checked_into()? {
            Either::Tokio(s) => s.listen(backlog).map(TcpListener::from_tokio),
            Either::Sim(s) => s.listen(backlog).map(TcpListener::from_sim),
        }
    }
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        both!(&self.0, |s| s.fmt(f))
    }
}
