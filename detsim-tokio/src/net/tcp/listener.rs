//! [`TcpListener`]: tokio's listening socket, on sim-net inside a
//! simulation.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll, ready};

use crate::either::{Either, both};
use crate::net::addrs::{ToSocketAddrs, addrs_of, sim_first_ok, with_tokio_addrs};
use crate::net::tcp::TcpStream;
use crate::net::tcp::stream::not_in_simulation;
use crate::world::in_detsim;

/// A TCP listener, as tokio's `net::TcpListener`: a
/// `detsim::net::TcpListener` when bound inside a detsim runtime, a real
/// tokio one anywhere else. Used in the other world, its calls fail with
/// an `io::Error` that says so.
pub struct TcpListener(Either<tokio::net::TcpListener, detsim::net::TcpListener>);

impl TcpListener {
    /// Binds to `addr`, trying each address it resolves to in turn.
    /// Inside a simulation the address is on the calling simulated host
    /// (`0.0.0.0:port`, its name, its IP; port 0 for an ephemeral one).
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable`, `NotFound`, `InvalidInput`: the
    /// last address's error.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let addrs = addrs_of(&addr);
        if in_detsim() {
            let listener = sim_first_ok(addrs, detsim::net::TcpListener::bind).await?;
            Ok(TcpListener(Either::Sim(listener)))
        } else {
            with_tokio_addrs!(addrs, |a| tokio::net::TcpListener::bind(a).await)
                .map(|l| TcpListener(Either::Tokio(l)))
        }
    }

    /// Waits for a connection; returns it with the peer's address.
    ///
    /// # Errors
    ///
    /// What `accept` reports (e.g. too many open files); a value of the
    /// other world.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        match self.0.checked()? {
            Either::Tokio(l) => l
                .accept()
                .await
                .map(|(s, a)| (TcpStream(Either::Tokio(s)), a)),
            Either::Sim(l) => l
                .accept()
                .await
                .map(|(s, a)| (TcpStream(Either::Sim(s)), a)),
        }
    }

    /// Polls for a connection, for hand-written streams of connections.
    ///
    /// # Errors
    ///
    /// As [`TcpListener::accept`].
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let accepted = match self.0.checked()? {
            Either::Tokio(l) => {
                let (s, a) = ready!(l.poll_accept(cx))?;
                (TcpStream(Either::Tokio(s)), a)
            }
            Either::Sim(l) => {
                let (s, a) = ready!(l.poll_accept(cx))?;
                (TcpStream(Either::Sim(s)), a)
            }
        };
        Poll::Ready(Ok(accepted))
    }

    /// Wraps a bound std listener, as tokio's `from_std` (which expects
    /// it in non-blocking mode).
    ///
    /// # Errors
    ///
    /// Inside a detsim runtime, always: an OS socket cannot join the
    /// simulation; bind with [`TcpListener::bind`] or
    /// [`TcpSocket`](crate::net::TcpSocket) there.
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        if in_detsim() {
            return Err(not_in_simulation("TcpListener::from_std"));
        }
        tokio::net::TcpListener::from_std(listener).map(|l| TcpListener(Either::Tokio(l)))
    }

    /// The std listener underneath, as tokio's `into_std`.
    ///
    /// # Errors
    ///
    /// For a listener of the simulation, always: it has no OS socket.
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        match self.0.checked_into()? {
            Either::Tokio(l) => l.into_std(),
            Either::Sim(_) => Err(not_in_simulation("TcpListener::into_std")),
        }
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// What `getsockname` reports; a value of the other world.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        both!(self.0.checked()?, |l| l.local_addr())
    }

    /// The `IP_TTL` setting.
    ///
    /// # Errors
    ///
    /// What the socket reports; a value of the other world.
    pub fn ttl(&self) -> io::Result<u32> {
        both!(self.0.checked()?, |l| l.ttl())
    }

    /// Sets `IP_TTL`; the simulation records it and has no hop count.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for 0 or above 255; a value of the other world.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        both!(self.0.checked()?, |l| l.set_ttl(ttl))
    }

    /// A listener of the simulation, from `TcpSocket::listen`.
    pub(crate) fn from_sim(listener: detsim::net::TcpListener) -> TcpListener {
        TcpListener(Either::Sim(listener))
    }

    /// A real tokio listener, from `TcpSocket::listen`.
    pub(crate) fn from_tokio(listener: tokio::net::TcpListener) -> TcpListener {
        TcpListener(Either::Tokio(listener))
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        both!(&self.0, |l| l.fmt(f))
    }
}
