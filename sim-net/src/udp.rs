//! [`UdpSocket`]: a UDP socket of the runtime's network stack, simulated
//! or real, written once over the kernel's socket contract. Every
//! operation that waits is the kernel's try-then-wait loop over the
//! caller's buffer.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;

use sim_core::kernel::net::SocketIo;
use sim_core::kernel::{AsSource, Interest, IoSource, Resident};

use crate::addr::{ToSocketAddr, host_port, resolve_host_port};

mod ready;
mod sim;

pub(crate) use sim::{SimUdp, UdpShared};

/// A UDP socket on a simulated host.
///
/// Each `recv` returns exactly one datagram, truncated to the buffer if the
/// buffer is smaller. Datagrams travel at the link's latency (so they can
/// arrive out of order), and the fault plan drops and duplicates them; a
/// partition drops them.
///
/// ```
/// use detsim::net::{self, UdpSocket};
///
/// detsim::Runtime::sim(0).block_on(async {
///     let a = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
///     net::client("b", async {
///         let b = UdpSocket::bind("0.0.0.0:0").await.unwrap();
///         b.send_to(b"ping", "main:5000").await.unwrap();
///     });
///     let mut buf = [0; 16];
///     let (n, from) = a.recv_from(&mut buf).await.unwrap();
///     assert_eq!((&buf[..n], from.ip()), (&b"ping"[..], net::lookup("b").unwrap()));
/// });
/// ```
///
/// On the OS runtime, a real non-blocking socket. The simulation's
/// divergences from Linux are listed in `udp/sim.rs`: a datagram to a
/// port nobody bound is dropped silently (no ICMP).
pub struct UdpSocket {
    inner: Resident<SocketIo>,
}

impl UdpSocket {
    /// Binds to `addr` on the calling host (port 0 for an ephemeral port);
    /// on the OS runtime, a real socket.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable` (another host's address),
    /// `NotFound` (an unknown host name), `InvalidInput`.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, or (simulation) on a task that is not on a
    /// host.
    pub async fn bind(addr: impl ToSocketAddr) -> io::Result<UdpSocket> {
        let addr = resolve_host_port(host_port(&addr)?).await?;
        let socket = crate::stack().udp_bind(addr)?;
        let (kind, id) = (socket.source().kind(), socket.source().id());
        Ok(UdpSocket {
            inner: Resident::for_resource(kind, id, IoSource::new(socket)),
        })
    }

    /// The bound address.
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `getsockname` reports.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get().get_ref().local_addr()
    }

    /// Sets `IP_TTL`; the simulation records it and has no hop count.
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
    /// On the OS runtime, what `getsockopt` reports.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get().get_ref().ttl()
    }

    /// Takes the socket's pending error (`SO_ERROR`).
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `getsockopt` reports.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.get().get_ref().take_error()
    }

    /// The connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`UdpSocket::connect`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get().get_ref().peer_addr()
    }

    /// Sets the default destination of `send` and accepts datagrams only
    /// from it.
    ///
    /// # Errors
    ///
    /// `NotFound` for an unknown host name, `InvalidInput` for bad text.
    pub async fn connect(&self, addr: impl ToSocketAddr) -> io::Result<()> {
        let addr = resolve_host_port(host_port(&addr)?).await?;
        let _untracked = sim_core::alloc::Untracked::new();
        self.inner.get().get_ref().connect(addr)
    }

    /// Sends one datagram to `addr`; returns its length. In the simulation
    /// sending never waits: a datagram that cannot be delivered is dropped
    /// on the way.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a datagram over 65,507 bytes or bad address text;
    /// `NotFound` for an unknown host name.
    pub async fn send_to(&self, buf: &[u8], addr: impl ToSocketAddr) -> io::Result<usize> {
        let to = resolve_host_port(host_port(&addr)?).await?;
        poll_fn(|cx| {
            self.inner
                .get()
                .poll_io(cx, Interest::WRITABLE, |s| s.send_to(buf, to))
        })
        .await
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `EDESTADDRREQ` (an OS error, as Linux's) before
    /// [`UdpSocket::connect`]; as [`UdpSocket::send_to`].
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| {
            self.inner
                .get()
                .poll_io(cx, Interest::WRITABLE, |s| s.write(buf))
        })
        .await
    }

    /// Waits for one datagram; returns its length (truncated to `buf`) and
    /// sender.
    ///
    /// # Errors
    ///
    /// What the stack reports (`ECONNREFUSED` on the OS after an ICMP port
    /// unreachable); none in the simulation.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        poll_fn(|cx| {
            self.inner
                .get()
                .poll_io(cx, Interest::READABLE, |s| s.recv_from(buf))
        })
        .await
    }

    /// Waits for one datagram: from the connected peer, or from anyone
    /// before [`UdpSocket::connect`] (as Linux's `recv(2)` and tokio do).
    ///
    /// # Errors
    ///
    /// As [`UdpSocket::recv_from`].
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| {
            self.inner
                .get()
                .poll_io(cx, Interest::READABLE, |s| s.read(buf))
        })
        .await
    }

    /// Takes one queued datagram without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is queued; `Interrupted` under the fault plan.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner
            .get()
            .try_io(Interest::READABLE, |s| s.recv_from(buf))
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field(
                "local",
                &self
                    .inner
                    .try_get()
                    .and_then(|s| s.get_ref().local_addr().ok()),
            )
            .finish_non_exhaustive()
    }
}
