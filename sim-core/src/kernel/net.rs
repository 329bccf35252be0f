//! The socket contract: what a network stack provides to detsim's
//! sockets, written once as traits.
//!
//! `detsim::net`'s `TcpStream`, `TcpListener` and `UdpSocket` are written
//! once, over these traits and the try-then-wait loop of
//! [`IoSource`]. Each runtime has exactly one
//! [`NetStack`]: the OS runtime installs the real one (`kernel/os/net/`:
//! non-blocking sockets registered with epoll) when it is built; under the
//! simulation, `detsim::net` installs the simulated network on first use
//! ([`KernelHandle::net_stack`]). Nothing above the stack asks which one
//! it has.
//!
//! # What a stack must provide
//!
//! - [`Socket`]s: one object per socket, whose operations are the
//!   syscalls of a non-blocking socket. An operation never waits: when it
//!   cannot make progress it returns `WouldBlock` (`EAGAIN`), and the
//!   socket's [`Source`] reports, as a hint, when it may. An operation the
//!   socket's kind does not have fails with the errno Linux gives for it
//!   ([`Errno`]: `accept` on a UDP socket is `EOPNOTSUPP`, `read` on a
//!   listener `ENOTCONN`, `write` on a listener `EPIPE`, `accept` on a
//!   connected stream `EINVAL`, `connect` on a connected one `EISCONN`).
//! - Readiness per socket: the [`Source`] from [`AsSource`], set from the
//!   stack's events (data, room, FIN, RST, a queued connection, an epoll
//!   event) and cleared by the caller's loop when an operation says
//!   `WouldBlock`. A stack may clear a bit itself when it knows the
//!   condition ended (the simulation clears `READABLE` when a read drains
//!   the buffer), and may report readiness that is not there (the fault
//!   plan's spurious readiness): callers must treat it as a hint.
//! - Creation and names ([`NetStack`]): TCP connect, TCP bind + listen,
//!   UDP bind, an unconnected TCP socket ([`UnconnectedTcp`]: options and
//!   `bind` before `connect` or `listen`, what `TcpSocket` needs), and
//!   resolving a host name or reading an address literal.
//!
//! # What a stack may not do
//!
//! - wait inside a socket operation, or call a waker from one (events come
//!   from the kernel between polls: that is why the loop needs no tick);
//! - keep a socket alive after its owner dropped it, except to finish
//!   what Linux finishes after `close` (FIN, RST);
//! - under the simulation, take any choice from anywhere but the run's
//!   seed.
//!
//! # Connecting is an operation of the stack
//!
//! Linux connects a non-blocking socket in three steps: `connect`
//! (`EINPROGRESS`), wait until writable, `SO_ERROR`. Here
//! [`NetStack::tcp_connect`] is one async operation that returns a
//! connected socket (the OS stack runs those three steps through the same
//! loop). The simulated handshake is a future today: SYN retransmission
//! timers, the connect timeout, abandoning the attempt when the future is
//! dropped, and a server end created when the SYN arrives. Reshaping it
//! into a socket state machine (an unconnected socket whose source turns
//! writable when the SYN-ACK arrives) would renumber every simulated
//! connection's resources and reorder every network trace, for no
//! difference a user can see.
//!
//! An [`UnconnectedTcp`] socket (what `TcpSocket` holds) keeps that
//! shape: it is not a state of a connecting socket but the part of
//! `socket(2)` that comes before the connect: its options and its `bind`,
//! which holds the port at once (`AddrInUse` is `bind`'s error, as on
//! Linux). Its [`UnconnectedTcp::connect`] is the same one operation,
//! starting from the bound port (else an ephemeral one, as
//! [`NetStack::tcp_connect`]) and handing its options to the connection;
//! its [`UnconnectedTcp::listen`] takes a backlog. The simulation creates
//! no resource for an unconnected socket, so a connection made either way
//! is numbered and traced alike. On the OS it is a real descriptor,
//! registered with epoll only once it connects or listens.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Shutdown, SocketAddr};
use std::pin::Pin;
use std::rc::Rc;

use crate::kernel::{AsSource, IoSource, KernelHandle};

mod unconnected;

pub use unconnected::{Family, UnconnectedTcp};

#[cfg(doc)]
use crate::kernel::Source;

/// A future of a [`NetStack`] operation; it lives on the runtime's thread.
pub type StackFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// A socket registered for the try-then-wait loop: what `detsim::net`'s
/// types hold.
pub type SocketIo = IoSource<Box<dyn Socket>>;

/// One socket: TCP stream, TCP listener or UDP, simulated or real. Every
/// operation is one non-blocking syscall; see the [module docs](self) for
/// what an implementation must and may not do.
pub trait Socket: AsSource {
    /// `read(2)` (`recv` without flags): stream bytes or one datagram
    /// (truncated to `buf`); `Ok(0)` at a stream's EOF.
    ///
    /// # Errors
    ///
    /// `WouldBlock`; the connection's error once (`ECONNRESET`...);
    /// `ENOTCONN` on a listener.
    fn read(&self, buf: &mut [u8]) -> io::Result<usize>;

    /// `recv(MSG_PEEK)`: as [`Socket::read`] without consuming.
    ///
    /// # Errors
    ///
    /// As [`Socket::read`].
    fn peek(&self, buf: &mut [u8]) -> io::Result<usize>;

    /// `send(2)` without `SIGPIPE`: stream bytes (possibly fewer than
    /// `buf`) or one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `WouldBlock`; `EPIPE` after shutdown or on a listener;
    /// `EDESTADDRREQ` on an unconnected UDP socket.
    fn write(&self, buf: &[u8]) -> io::Result<usize>;

    /// `recvfrom(2)`: as [`Socket::read`], with the sender. A stream
    /// socket gives its peer's address (Linux gives none).
    ///
    /// # Errors
    ///
    /// As [`Socket::read`].
    fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)>;

    /// `sendto(2)`: one datagram to `target`; a stream socket ignores the
    /// address, as Linux does.
    ///
    /// # Errors
    ///
    /// As [`Socket::write`]; `InvalidInput` for a datagram over the UDP
    /// maximum.
    fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize>;

    /// `accept4(2)`: a queued connection and its peer's address.
    ///
    /// # Errors
    ///
    /// `WouldBlock`; `EINVAL` on a stream or a shut-down listener;
    /// `EOPNOTSUPP` on UDP.
    fn accept(&self) -> io::Result<(Box<dyn Socket>, SocketAddr)>;

    /// `connect(2)` for UDP: the default destination, and the only source
    /// datagrams are received from. TCP connects through
    /// [`NetStack::tcp_connect`].
    ///
    /// # Errors
    ///
    /// `EISCONN` on a TCP stream or listener.
    fn connect(&self, addr: SocketAddr) -> io::Result<()>;

    /// `shutdown(2)`. `Write` on a stream sends FIN after the data
    /// written; `Read` makes reads return 0 once the buffer is drained;
    /// on a listener, `Read` stops listening.
    ///
    /// # Errors
    ///
    /// `ENOTCONN` on an unconnected UDP socket or a reset connection.
    fn shutdown(&self, how: Shutdown) -> io::Result<()>;

    /// `getsockname(2)`.
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn local_addr(&self) -> io::Result<SocketAddr>;

    /// `getpeername(2)`.
    ///
    /// # Errors
    ///
    /// `ENOTCONN` on a listener or an unconnected UDP socket.
    fn peer_addr(&self) -> io::Result<SocketAddr>;

    /// `TCP_NODELAY`.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` on UDP.
    fn set_nodelay(&self, nodelay: bool) -> io::Result<()>;

    /// The `TCP_NODELAY` setting.
    ///
    /// # Errors
    ///
    /// `EOPNOTSUPP` on UDP.
    fn nodelay(&self) -> io::Result<bool>;

    /// `IP_TTL`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` outside 1..=255.
    fn set_ttl(&self, ttl: u32) -> io::Result<()>;

    /// The `IP_TTL` setting (64 by default).
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn ttl(&self) -> io::Result<u32>;

    /// `SO_ERROR`: takes the pending error, if any.
    ///
    /// # Errors
    ///
    /// What the stack reports; none in the simulation.
    fn take_error(&self) -> io::Result<Option<io::Error>>;
}

impl fmt::Debug for dyn Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Socket").field(self.source()).finish()
    }
}

/// A network stack: creates sockets and resolves names. One per runtime
/// ([`KernelHandle::net_stack`]); see the [module docs](self).
pub trait NetStack {
    /// The address an IP literal names on this stack: the simulation reads
    /// a loopback address as the calling host's own.
    fn resolve_ip(&self, ip: IpAddr, port: u16) -> SocketAddr;

    /// Resolves a host name (a simulated host, `localhost`, or a DNS name
    /// on the OS, looked up on the blocking pool).
    ///
    /// # Errors
    ///
    /// `NotFound` (simulation) or the resolver's error for an unknown name.
    fn resolve_name(&self, name: &str, port: u16) -> StackFuture<io::Result<SocketAddr>>;

    /// Connects a TCP socket to `addr`; see the [module docs](self) for
    /// why this is one operation.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused`, `TimedOut`, `HostUnreachable`, `AddrNotAvailable`
    /// (no ephemeral port left).
    fn tcp_connect(&self, addr: SocketAddr) -> StackFuture<io::Result<Box<dyn Socket>>>;

    /// Binds a TCP socket to `addr` with `SO_REUSEADDR` (as std and tokio
    /// do) and listens (backlog 1024). [`NetStack::tcp_socket`] offers
    /// the choices.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable`.
    fn tcp_listen(&self, addr: SocketAddr) -> io::Result<Box<dyn Socket>>;

    /// `socket(2)` for TCP: a socket of `family` to set options on, bind,
    /// then connect or listen; see [`UnconnectedTcp`].
    ///
    /// # Errors
    ///
    /// What `socket(2)` reports on the OS (`EMFILE`...); none in the
    /// simulation.
    fn tcp_socket(&self, family: Family) -> io::Result<Box<dyn UnconnectedTcp>>;

    /// Binds a UDP socket to `addr`.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable`.
    fn udp_bind(&self, addr: SocketAddr) -> io::Result<Box<dyn Socket>>;

    /// The stack as `Any`, for the simulated network's own controls
    /// (partitions, hosts), which exist only on its stack.
    fn into_any(self: Rc<Self>) -> Rc<dyn Any>;
}

/// The errno values of Linux that the socket contract names, for stacks
/// that must fail as Linux does without calling it. (The simulation
/// models Linux; the numbers are Linux's on every target.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(i32);

impl Errno {
    /// Invalid argument (`accept` on a stream).
    pub const EINVAL: Errno = Errno(22);
    /// Broken pipe (writing to a listener, or after shutdown).
    pub const EPIPE: Errno = Errno(32);
    /// A destination address is required (UDP `send` before `connect`).
    pub const EDESTADDRREQ: Errno = Errno(89);
    /// Protocol not available (a TCP option set on UDP).
    pub const ENOPROTOOPT: Errno = Errno(92);
    /// Operation not supported (`accept` on UDP).
    pub const EOPNOTSUPP: Errno = Errno(95);
    /// Address family not supported by the protocol (an IPv6 address
    /// given to an IPv4 socket).
    pub const EAFNOSUPPORT: Errno = Errno(97);
    /// Transport endpoint is already connected.
    pub const EISCONN: Errno = Errno(106);
    /// Transport endpoint is not connected.
    pub const ENOTCONN: Errno = Errno(107);
    /// A connect is already in progress (`connect` again before it ended).
    pub const EALREADY: Errno = Errno(114);
    /// Operation now in progress (a non-blocking `connect`).
    pub const EINPROGRESS: Errno = Errno(115);

    /// The number.
    pub fn raw(self) -> i32 {
        self.0
    }

    /// Whether `error` is this errno.
    pub fn is(self, error: &io::Error) -> bool {
        error.raw_os_error() == Some(self.0)
    }
}

impl From<Errno> for io::Error {
    fn from(errno: Errno) -> io::Error {
        io::Error::from_raw_os_error(errno.0)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&io::Error::from(*self), f)
    }
}

/// The runtime's network stack, in its extension slot.
struct NetSlot(Rc<dyn NetStack>);

impl KernelHandle {
    /// The runtime's network stack: the one installed, else `install`'s,
    /// kept for the rest of the run. The OS runtime installs the real one
    /// when it is built; `detsim::net` passes the simulated network as
    /// `install`.
    pub fn net_stack(&self, install: impl FnOnce() -> Rc<dyn NetStack>) -> Rc<dyn NetStack> {
        Rc::clone(&self.extension(|| NetSlot(install())).0)
    }

    /// Installs `stack` as the runtime's network stack, before anything
    /// else could.
    pub(crate) fn install_net_stack(&self, stack: Rc<dyn NetStack>) {
        let installed = self.net_stack(|| Rc::clone(&stack));
        assert!(
            Rc::ptr_eq(&installed, &stack),
            "the network stack is installed once, when the runtime is built"
        );
    }
}
