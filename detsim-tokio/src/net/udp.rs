//! [`UdpSocket`]: tokio's UDP socket, on sim-net inside a simulation.
//!
//! # Divergence from tokio
//!
//! Provided: bind, connect, the addresses, send/recv, send_to/recv_from
//! with their `try_*` and readiness forms, `ttl`, `take_error`. Not
//! provided (a compile error, not a silent difference): peeking
//! (`peek`, `peek_from`, `peek_sender`: the simulated socket has no
//! `MSG_PEEK` with a source address), the `poll_*` data operations,
//! `BufMut` receives, broadcast and multicast, `IP_TOS`, devices,
//! `try_io`/`async_io`, and std conversions.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use crate::either::{Either, both};
use crate::net::addrs::with_tokio_addrs;
use crate::net::addrs::{ToSocketAddrs, addrs_of, no_address, sim_first_ok, sim_targets};
use crate::net::readiness::{sim_interest, tokio_ready};
use crate::world::in_detsim;

/// A UDP socket, as tokio's `net::UdpSocket`: a `detsim::net::UdpSocket`
/// when bound inside a detsim runtime (datagrams at link latency, lost,
/// duplicated and reordered by the fault plan), a real one anywhere else.
pub struct UdpSocket(Either<tokio::net::UdpSocket, detsim::net::UdpSocket>);

impl UdpSocket {
    /// Binds to `addr`, trying each address it resolves to in turn.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable`, `NotFound`, `InvalidInput`.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let addrs = addrs_of(&addr);
        if in_detsim() {
            let socket = sim_first_ok(addrs, detsim::net::UdpSocket::bind).await?;
            Ok(UdpSocket(Either::Sim(socket)))
        } else {
            with_tokio_addrs!(addrs, |a| tokio::net::UdpSocket::bind(a).await)
                .map(|s| UdpSocket(Either::Tokio(s)))
        }
    }

    /// Sets the default destination of `send` and accepts datagrams only
    /// from it (the first address `addr` resolves to that works).
    ///
    /// # Errors
    ///
    /// `NotFound`, `InvalidInput`; a value of the other world.
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let addrs = addrs_of(&addr);
        match self.0.checked()? {
            Either::Tokio(s) => with_tokio_addrs!(addrs, |a| s.connect(a).await),
            Either::Sim(s) => sim_first_ok(addrs, |target| s.connect(target)).await,
        }
    }

    /// The bound address.
    ///
    /// # Errors
    ///
    /// What `getsockname` reports; a value of the other world.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        both!(self.0.checked()?, |s| s.local_addr())
    }

    /// The connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`UdpSocket::connect`]; a value of the other
    /// world.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        both!(self.0.checked()?, |s| s.peer_addr())
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected`, `InvalidInput` (over 65,507 bytes); a value of the
    /// other world.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        both!(self.0.checked()?, |s| s.send(buf).await)
    }

    /// Receives one datagram from the connected peer; a datagram longer
    /// than `buf` is cut.
    ///
    /// # Errors
    ///
    /// `NotConnected`; a value of the other world.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        both!(self.0.checked()?, |s| s.recv(buf).await)
    }

    /// Sends one datagram to the first address `target` resolves to.
    ///
    /// # Errors
    ///
    /// `InvalidInput`, `NotFound`; a value of the other world.
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let addrs = addrs_of(&target);
        match self.0.checked()? {
            Either::Tokio(s) => with_tokio_addrs!(addrs, |a| s.send_to(buf, a).await),
            Either::Sim(s) => {
                let first = sim_targets(addrs)?
                    .into_iter()
                    .next()
                    .ok_or_else(no_address)?;
                s.send_to(buf, first).await
            }
        }
    }

    /// Receives one datagram and its sender.
    ///
    /// # Errors
    ///
    /// A value of the other world.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        both!(self.0.checked()?, |s| s.recv_from(buf).await)
    }

    /// Waits until the socket may be ready for `interest`; a hint.
    ///
    /// # Errors
    ///
    /// A value of the other world; inside a simulation, `InvalidInput`
    /// for an interest without `READABLE` or `WRITABLE`.
    pub async fn ready(&self, interest: tokio::io::Interest) -> io::Result<tokio::io::Ready> {
        match self.0.checked()? {
            Either::Tokio(s) => s.ready(interest).await,
            Either::Sim(s) => Ok(tokio_ready(s.ready(sim_interest(interest)?).await?)),
        }
    }

    /// Waits until a datagram may be waiting; a hint for `try_recv*`.
    ///
    /// # Errors
    ///
    /// A value of the other world.
    pub async fn readable(&self) -> io::Result<()> {
        both!(self.0.checked()?, |s| s.readable().await)
    }

    /// Waits until a send may succeed; a hint for `try_send*`.
    ///
    /// # Errors
    ///
    /// A value of the other world.
    pub async fn writable(&self) -> io::Result<()> {
        both!(self.0.checked()?, |s| s.writable().await)
    }

    /// Polls for receive readiness; a hint.
    ///
    /// # Errors
    ///
    /// A value of the other world.
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self.0.checked()?, |s| s.poll_recv_ready(cx))
    }

    /// Polls for send readiness; a hint.
    ///
    /// # Errors
    ///
    /// A value of the other world.
    pub fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self.0.checked()?, |s| s.poll_send_ready(cx))
    }

    /// Sends to the connected peer without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, `NotConnected`; a value of the other world.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        both!(self.0.checked()?, |s| s.try_send(buf))
    }

    /// Sends to `target` without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, `InvalidInput`; a value of the other world.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        both!(self.0.checked()?, |s| s.try_send_to(buf, target))
    }

    /// Receives from the connected peer without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock`; a value of the other world.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        both!(self.0.checked()?, |s| s.try_recv(buf))
    }

    /// Receives a datagram and its sender without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock`; a value of the other world.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        both!(self.0.checked()?, |s| s.try_recv_from(buf))
    }

    /// The `IP_TTL` setting.
    ///
    /// # Errors
    ///
    /// What the socket reports; a value of the other world.
    pub fn ttl(&self) -> io::Result<u32> {
        both!(self.0.checked()?, |s| s.ttl())
    }

    /// Sets `IP_TTL`; the simulation records it and has no hop count.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for 0 or above 255; a value of the other world.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        both!(self.0.checked()?, |s| s.set_ttl(ttl))
    }

    /// Takes the socket's pending error (`SO_ERROR`).
    ///
    /// # Errors
    ///
    /// What the socket reports; a value of the other world.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        both!(self.0.checked()?, |s| s.take_error())
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        both!(&self.0, |s| s.fmt(f))
    }
}
