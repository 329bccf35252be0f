//! [`TcpStream`]: tokio's TCP connection, on sim-net inside a simulation.

use std::fmt;
use std::io;
use std::task::{Context, Poll};

use tokio::io::ReadBuf;

use crate::either::{Either, both, forward_async_read, forward_async_write};
use crate::net::addrs::{ToSocketAddrs, addrs_of, sim_first_ok, with_tokio_addrs};
use crate::net::tcp::shared::{tcp_common, tcp_read_side, tcp_write_side};
use crate::net::tcp::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::world::in_detsim;

/// A TCP connection, as tokio's `net::TcpStream`.
///
/// Made inside a detsim runtime it is a `detsim::net::TcpStream` (a
/// simulated connection between two simulated hosts, or a real socket on
/// detsim's OS runtime), anywhere else a real tokio one. Each call goes to
/// the world the value was made in; used in the other world, it fails
/// with an `io::Error` that says so.
pub struct TcpStream(pub(crate) Either<tokio::net::TcpStream, detsim::net::TcpStream>);

impl TcpStream {
    /// Connects to `addr`, trying each address it resolves to in turn.
    ///
    /// Inside a simulation a host name resolves to the simulated host of
    /// that name; a lost SYN is retransmitted until the network's
    /// `connect_timeout` (5 s by default), which real Linux stretches to
    /// about 127 s.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused`, `TimedOut`, `HostUnreachable`, `NotFound` (a
    /// name nothing resolves), the last address's error.
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let addrs = addrs_of(&addr);
        if in_detsim() {
            let stream = sim_first_ok(addrs, detsim::net::TcpStream::connect).await?;
            Ok(TcpStream(Either::Sim(stream)))
        } else {
            with_tokio_addrs!(addrs, |a| tokio::net::TcpStream::connect(a).await)
                .map(|s| TcpStream(Either::Tokio(s)))
        }
    }

    /// Wraps a connected std stream, as tokio's `from_std` (which expects
    /// it in non-blocking mode).
    ///
    /// # Errors
    ///
    /// Inside a detsim runtime, always: an OS socket cannot join the
    /// simulation; connect with [`TcpStream::connect`] there.
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        if in_detsim() {
            return Err(not_in_simulation("TcpStream::from_std"));
        }
        tokio::net::TcpStream::from_std(stream).map(|s| TcpStream(Either::Tokio(s)))
    }

    /// The std stream underneath, as tokio's `into_std`.
    ///
    /// # Errors
    ///
    /// For a stream of the simulation, always: it has no OS socket.
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        match self.0.checked_into()? {
            Either::Tokio(s) => s.into_std(),
            Either::Sim(_) => Err(not_in_simulation("TcpStream::into_std")),
        }
    }

    /// Takes the socket's pending error (`SO_ERROR`).
    ///
    /// # Errors
    ///
    /// What the socket reports; a value of the other world.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        both!(self.0.checked()?, |s| s.take_error())
    }

    /// Polls for read readiness, for hand-written futures; a hint.
    ///
    /// # Errors
    ///
    /// A value of the other world.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self.0.checked()?, |s| s.poll_read_ready(cx))
    }

    /// Polls for write readiness, for hand-written futures; a hint.
    ///
    /// # Errors
    ///
    /// A value of the other world.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self.0.checked()?, |s| s.poll_write_ready(cx))
    }

    /// Waits for data and copies it into `buf` without consuming it
    /// (`MSG_PEEK`); `Ok(0)` at EOF.
    ///
    /// # Errors
    ///
    /// The connection's errors; a value of the other world.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        both!(self.0.checked()?, |s| s.peek(buf).await)
    }

    /// Polls for data, copying it into `buf` without consuming it; returns
    /// how many bytes were copied.
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peek`].
    pub fn poll_peek(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        match self.0.checked()? {
            Either::Tokio(s) => s.poll_peek(cx, buf),
            Either::Sim(s) => {
                let n = std::task::ready!(s.poll_peek(cx, buf.initialize_unfilled()))?;
                buf.advance(n);
                Poll::Ready(Ok(n))
            }
        }
    }

    /// The `TCP_NODELAY` setting.
    ///
    /// # Errors
    ///
    /// What the socket reports; a value of the other world.
    pub fn nodelay(&self) -> io::Result<bool> {
        both!(self.0.checked()?, |s| s.nodelay())
    }

    /// Sets `TCP_NODELAY`. The simulation has no Nagle delay: it records
    /// the value.
    ///
    /// # Errors
    ///
    /// What the socket reports; a value of the other world.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        both!(self.0.checked()?, |s| s.set_nodelay(nodelay))
    }

    /// The `IP_TTL` setting.
    ///
    /// # Errors
    ///
    /// What the socket reports; a value of the other world.
    pub fn ttl(&self) -> io::Result<u32> {
        both!(self.0.checked()?, |s| s.ttl())
    }

    /// Sets `IP_TTL`. The simulation has no hop count: it records the
    /// value.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for 0 or above 255; a value of the other world.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        both!(self.0.checked()?, |s| s.set_ttl(ttl))
    }

    /// Splits into halves that borrow the stream, as tokio's `split`.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        match &mut self.0 {
            Either::Tokio(s) => {
                let (r, w) = s.split();
                (ReadHalf(Either::Tokio(r)), WriteHalf(Either::Tokio(w)))
            }
            Either::Sim(s) => {
                let (r, w) = s.split();
                (ReadHalf(Either::Sim(r)), WriteHalf(Either::Sim(w)))
            }
        }
    }

    /// Splits into halves that can move to different tasks, as tokio's
    /// `into_split`; [`OwnedReadHalf::reunite`] puts them back together.
    /// Dropping the write half shuts the write direction down (FIN).
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        match self.0 {
            Either::Tokio(s) => {
                let (r, w) = s.into_split();
                (
                    OwnedReadHalf(Either::Tokio(r)),
                    OwnedWriteHalf(Either::Tokio(w)),
                )
            }
            Either::Sim(s) => {
                let (r, w) = s.into_split();
                (
                    OwnedReadHalf(Either::Sim(r)),
                    OwnedWriteHalf(Either::Sim(w)),
                )
            }
        }
    }
}

/// The error for an std conversion inside the simulation.
pub(crate) fn not_in_simulation(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "{what}: the simulation's sockets are not OS sockets, and an OS socket cannot join the simulation"
        ),
    )
}

tcp_common!(TcpStream);
tcp_read_side!(TcpStream);
tcp_write_side!(TcpStream);
forward_async_read!(TcpStream);
forward_async_write!(TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        both!(&self.0, |s| s.fmt(f))
    }
}
