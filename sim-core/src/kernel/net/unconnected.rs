//! [`UnconnectedTcp`]: a TCP socket between `socket(2)` and `connect(2)`
//! or `listen(2)`, where options are set and `bind(2)` happens; what
//! `detsim::net::TcpSocket` is written over.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::kernel::net::{Socket, StackFuture};

#[cfg(doc)]
use crate::kernel::net::{Errno, NetStack};

/// A socket's address family, `socket(2)`'s domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `AF_INET`: IPv4.
    V4,
    /// `AF_INET6`: IPv6.
    V6,
}

impl Family {
    /// The family of `addr`.
    pub fn of(addr: SocketAddr) -> Family {
        if addr.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        }
    }
}

/// A TCP socket that is neither connected nor listening: its options,
/// its `bind`, then one of [`UnconnectedTcp::connect`] or
/// [`UnconnectedTcp::listen`], which consume it and return the
/// [`Socket`] it became. Created by [`NetStack::tcp_socket`].
///
/// Each method is the syscall its name says, failing with Linux's errno:
/// `bind` twice is `EINVAL`; `bind` or `connect` to an address of the other
/// family is [`Errno::EAFNOSUPPORT`] on an IPv4 socket and `EINVAL` on an
/// IPv6 one; a port another socket holds is `AddrInUse` unless both set
/// `SO_REUSEADDR` and neither listens, or both set `SO_REUSEPORT`; a
/// `connect` from a bound port uses that port, and fails with
/// `AddrNotAvailable` when a connection from that port to the same peer
/// exists. Options keep Linux's units and arithmetic: `SO_LINGER` holds
/// whole seconds (rounded up), and a buffer size reads back doubled, as
/// Linux stores it.
///
/// `connect` is the stack's connect operation (see the [module
/// docs](crate::kernel::net), "Connecting is an operation of the stack"),
/// starting from the bound port and carrying the options set here.
pub trait UnconnectedTcp {
    /// `bind(2)`: port 0 picks a free ephemeral port.
    ///
    /// # Errors
    ///
    /// `AddrInUse`; `AddrNotAvailable` for an address that is not this
    /// host's; `EINVAL` when bound already; the family errors above.
    fn bind(&self, addr: SocketAddr) -> io::Result<()>;

    /// `getsockname(2)`: the unspecified address and port 0 until bound.
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn local_addr(&self) -> io::Result<SocketAddr>;

    /// `SO_REUSEADDR`.
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()>;

    /// The `SO_REUSEADDR` setting (off by default).
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn reuseaddr(&self) -> io::Result<bool>;

    /// `SO_REUSEPORT`.
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn set_reuseport(&self, reuseport: bool) -> io::Result<()>;

    /// The `SO_REUSEPORT` setting (off by default).
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn reuseport(&self) -> io::Result<bool>;

    /// `TCP_NODELAY`, kept by the connection or the listener's accepted
    /// connections.
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn set_nodelay(&self, nodelay: bool) -> io::Result<()>;

    /// The `TCP_NODELAY` setting (off by default).
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn nodelay(&self) -> io::Result<bool>;

    /// `SO_LINGER`, in whole seconds (rounded up); `Some(0)` makes
    /// closing the connection reset it (RST, not FIN).
    ///
    /// # Errors
    ///
    /// `EINVAL` for more seconds than a C `int` holds.
    fn set_linger(&self, linger: Option<Duration>) -> io::Result<()>;

    /// The `SO_LINGER` setting (`None` by default).
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn linger(&self) -> io::Result<Option<Duration>>;

    /// `SO_SNDBUF`: Linux bounds the request by `wmem_max` and stores it
    /// doubled.
    ///
    /// # Errors
    ///
    /// `EINVAL` above `i32::MAX`.
    fn set_send_buffer_size(&self, bytes: u32) -> io::Result<()>;

    /// The `SO_SNDBUF` setting, as Linux reports it.
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn send_buffer_size(&self) -> io::Result<u32>;

    /// `SO_RCVBUF`, as [`UnconnectedTcp::set_send_buffer_size`] with
    /// `rmem_max`.
    ///
    /// # Errors
    ///
    /// `EINVAL` above `i32::MAX`.
    fn set_recv_buffer_size(&self, bytes: u32) -> io::Result<()>;

    /// The `SO_RCVBUF` setting, as Linux reports it.
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn recv_buffer_size(&self) -> io::Result<u32>;

    /// `connect(2)` to `addr`, completed: from the bound port, or an
    /// ephemeral one when unbound.
    ///
    /// # Errors
    ///
    /// As [`NetStack::tcp_connect`]; `AddrNotAvailable` when this
    /// socket's port already has a connection to `addr`; the family
    /// errors above.
    fn connect(self: Box<Self>, addr: SocketAddr) -> StackFuture<io::Result<Box<dyn Socket>>>;

    /// `listen(2)`: unbound, the socket is bound to an ephemeral port
    /// first. The accept queue holds `backlog` + 1 connections (Linux's
    /// bound; `backlog` is capped at `somaxconn`, 4096 by default); a SYN
    /// that finds it full is dropped and the client retransmits.
    ///
    /// # Errors
    ///
    /// `AddrInUse` when another socket listens on the port.
    fn listen(self: Box<Self>, backlog: u32) -> io::Result<Box<dyn Socket>>;
}
