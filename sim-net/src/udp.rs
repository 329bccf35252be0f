//! UDP sockets: datagrams that can be lost, duplicated and reordered.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use sim_core::FaultKind;
use sim_core::kernel::{
    Interest, Readiness, Registration, Resident, ResidentFuture, Source, Trigger,
};

use crate::addr::{ToSocketAddr, is_local_bind};
use crate::network::{HostIx, Net};

mod ready;

/// Largest UDP payload over IPv4 (65,535 − 8 − 20).
const MAX_DATAGRAM: usize = 65_507;

/// The network's side of a UDP socket: its receive queue.
pub(crate) struct UdpShared {
    queue: RefCell<VecDeque<(Vec<u8>, SocketAddr)>>,
    source: Source,
    capacity: usize,
}

impl UdpShared {
    fn deliver(&self, datagram: Vec<u8>, from: SocketAddr) {
        let mut q = self.queue.borrow_mut();
        if q.len() >= self.capacity {
            // A full receive buffer drops, as Linux does.
            self.source
                .trace("udp dropped (queue full)", datagram.len() as i64);
            return;
        }
        let len = datagram.len();
        q.push_back((datagram, from));
        drop(q);
        self.source.trace("udp delivered", len as i64);
        self.source.set(Readiness::READABLE, Readiness::READABLE);
    }
}

/// The simulated UDP socket.
pub(crate) struct SimUdp {
    net: Rc<Net>,
    host: HostIx,
    local: SocketAddr,
    shared: Rc<UdpShared>,
    reg: Registration,
    peer: RefCell<Option<SocketAddr>>,
}

impl SimUdp {
    /// Binds to `addr` on the calling host (port 0 for an ephemeral port).
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable` (another host's address),
    /// `InvalidInput`.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, or on a task that is not on a host.
    pub(crate) async fn bind(addr: impl ToSocketAddr) -> io::Result<SimUdp> {
        let net = Net::current();
        let host = net.current_host();
        let (name, port) = addr.to_host_port()?;
        if !is_local_bind(&name, &net.name(host), net.ip(host)) {
            return Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!(
                    "cannot bind {name}:{port} on host `{}` ({})",
                    net.name(host),
                    net.ip(host)
                ),
            ));
        }
        let capacity = net.config.borrow().udp_queue_datagrams;
        let source = Source::new("udp", Readiness::WRITABLE);
        let shared = Rc::new(UdpShared {
            queue: RefCell::new(VecDeque::new()),
            source,
            capacity,
        });
        let port = net.bind_udp(host, port, Rc::clone(&shared))?;
        let reg = shared.source.register(Interest::READABLE, Trigger::Edge);
        let local = SocketAddr::new(net.ip(host), port);
        Ok(SimUdp {
            net,
            host,
            local,
            shared,
            reg,
            peer: RefCell::new(None),
        })
    }

    /// The bound address.
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }

    /// The connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`UdpSocket::connect`].
    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.peer.borrow().ok_or_else(not_connected)
    }

    /// Sets the default destination of `send` and accepts datagrams only
    /// from it.
    ///
    /// # Errors
    ///
    /// `NotFound` for an unknown host name, `InvalidInput` for bad text.
    pub(crate) async fn connect(&self, addr: impl ToSocketAddr) -> io::Result<()> {
        let (name, port) = addr.to_host_port()?;
        let peer = self.net.resolve(self.host, &name, port)?;
        *self.peer.borrow_mut() = Some(peer);
        Ok(())
    }

    /// Sends one datagram to `addr`; returns its length. Sending never
    /// waits: a datagram that cannot be delivered is dropped on the way.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a datagram over 65,507 bytes or bad address text;
    /// `NotFound` for an unknown host name.
    pub(crate) async fn send_to(&self, buf: &[u8], addr: impl ToSocketAddr) -> io::Result<usize> {
        let (name, port) = addr.to_host_port()?;
        let to = self.net.resolve(self.host, &name, port)?;
        self.send_datagram(buf, to)
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`UdpSocket::connect`]; as [`UdpSocket::send_to`].
    pub(crate) async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        let to = self.peer_addr()?;
        self.send_datagram(buf, to)
    }

    /// Waits for one datagram; returns its length (truncated to `buf`) and
    /// sender. Retries `WouldBlock` (spurious readiness) and `Interrupted`,
    /// as the TCP streams' async reads do.
    ///
    /// # Errors
    ///
    /// None in the simulation today; the signature matches std and tokio.
    pub(crate) async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        loop {
            match self.try_recv_from(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.reg.ready().await;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return result,
            }
        }
    }

    /// Waits for one datagram: from the connected peer, or from anyone
    /// before [`UdpSocket::connect`] (as Linux's `recv(2)` does).
    pub(crate) async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.recv_from(buf).await?.0)
    }

    /// Takes one queued datagram without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is queued; `Interrupted` under the fault plan.
    pub(crate) fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        if self.shared.source.fault(FaultKind::Interrupted) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let peer = *self.peer.borrow();
        let mut q = self.shared.queue.borrow_mut();
        // A connected socket ignores datagrams from anyone else.
        while let Some((_, from)) = q.front() {
            if peer.is_none_or(|p| p == *from) {
                break;
            }
            q.pop_front();
        }
        let Some((datagram, from)) = q.pop_front() else {
            self.shared.source.clear(Readiness::READABLE);
            return Err(io::ErrorKind::WouldBlock.into());
        };
        let n = datagram.len().min(buf.len());
        buf[..n].copy_from_slice(&datagram[..n]);
        Ok((n, from))
    }

    fn send_datagram(&self, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
        if buf.len() > MAX_DATAGRAM {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "datagram of {} bytes is larger than the 65,507-byte UDP maximum",
                    buf.len()
                ),
            ));
        }
        let Some(dst) = self.net.host_by_ip(to.ip()) else {
            return Ok(buf.len());
        };
        let id = self.shared.source.id();
        self.net.kernel.note_payload(buf);
        if self.net.kernel.fault(FaultKind::PacketLoss, id) {
            return Ok(buf.len());
        }
        let copies = if self.net.kernel.fault(FaultKind::PacketDuplicate, id) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let delay = self.net.transit(self.host, dst, buf.len());
            let (net, from, datagram) = (Rc::clone(&self.net), self.local, buf.to_vec());
            let src_host = self.host;
            // Carried as a handshake packet is: a held link keeps it until
            // released (as `hold` promises), a cut one loses it.
            self.net.carry(src_host, dst, delay, move |passes| {
                if !passes {
                    net.kernel
                        .trace(id, "udp lost (partition)", datagram.len() as i64);
                    return;
                }
                if let Some(socket) = net.udp_socket(dst, to.port()) {
                    socket.deliver(datagram, from);
                }
            });
        }
        self.shared.source.trace("udp sent", buf.len() as i64);
        Ok(buf.len())
    }
}

fn not_connected() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "the UDP socket is not connected; call connect first",
    )
}

impl Drop for SimUdp {
    fn drop(&mut self) {
        self.net
            .unbind_udp(self.host, self.local.port(), &self.shared);
    }
}

impl fmt::Debug for SimUdp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimUdp")
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

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
/// # Divergence from Linux
///
/// A datagram to a port nobody bound is dropped silently; Linux answers
/// with ICMP port unreachable, which a connected socket reports as
/// `ECONNREFUSED` on a later call.
pub struct UdpSocket {
    inner: Resident<UdpImpl>,
}

enum UdpImpl {
    Sim(SimUdp),
    #[cfg(target_os = "linux")]
    Os(crate::os::OsUdpSocket),
}

/// Calls the same method on whichever backend the socket has.
macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self.inner.get() {
            UdpImpl::Sim($s) => $e,
            #[cfg(target_os = "linux")]
            UdpImpl::Os($s) => $e,
        }
    };
}

/// [`dispatch!`] on a socket taken out of its handle, for the futures
/// that run inside the runtime (they must own what they use).
macro_rules! dispatch_rc {
    ($socket:ident, $s:ident => $e:expr) => {
        match &*$socket {
            UdpImpl::Sim($s) => $e,
            #[cfg(target_os = "linux")]
            UdpImpl::Os($s) => $e,
        }
    };
}

impl UdpSocket {
    /// Binds to `addr` on the calling host (port 0 for an ephemeral port);
    /// on the OS runtime, a real socket.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable` (another host's address),
    /// `InvalidInput`.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, or (simulation) on a task that is not on a
    /// host.
    pub async fn bind(addr: impl ToSocketAddr) -> io::Result<UdpSocket> {
        let addr = addr.to_host_port()?;
        let socket = ResidentFuture::new("UdpSocket::bind", async move {
            #[cfg(target_os = "linux")]
            if sim_core::kernel::KernelHandle::current().is_os() {
                return Ok(UdpImpl::Os(crate::os::OsUdpSocket::bind(addr).await?));
            }
            io::Result::Ok(UdpImpl::Sim(SimUdp::bind(addr).await?))
        })
        .await?;
        let source = match &socket {
            UdpImpl::Sim(s) => s.shared.source.clone(),
            #[cfg(target_os = "linux")]
            UdpImpl::Os(s) => s.source().clone(),
        };
        Ok(UdpSocket {
            inner: Resident::for_resource(source.kind(), source.id(), socket),
        })
    }

    /// The bound address.
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `getsockname` reports.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        dispatch!(self, s => s.local_addr())
    }

    /// The connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`UdpSocket::connect`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        dispatch!(self, s => s.peer_addr())
    }

    /// Sets the default destination of `send` and accepts datagrams only
    /// from it.
    ///
    /// # Errors
    ///
    /// `NotFound` for an unknown host name, `InvalidInput` for bad text.
    pub async fn connect(&self, addr: impl ToSocketAddr) -> io::Result<()> {
        let addr = addr.to_host_port()?;
        let socket = self.inner.rc();
        ResidentFuture::new("UdpSocket::connect", async move {
            dispatch_rc!(socket, s => s.connect(addr).await)
        })
        .await
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
        let addr = addr.to_host_port()?;
        let (socket, buf) = (self.inner.rc(), buf.to_vec());
        ResidentFuture::new("UdpSocket::send_to", async move {
            dispatch_rc!(socket, s => s.send_to(&buf, addr).await)
        })
        .await
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`UdpSocket::connect`]; as [`UdpSocket::send_to`].
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        let (socket, buf) = (self.inner.rc(), buf.to_vec());
        ResidentFuture::new("UdpSocket::send", async move {
            dispatch_rc!(socket, s => s.send(&buf).await)
        })
        .await
    }

    /// Waits for one datagram; returns its length (truncated to `buf`) and
    /// sender.
    ///
    /// # Errors
    ///
    /// `Interrupted` under the fault plan (simulation).
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (socket, mut owned) = (self.inner.rc(), vec![0; buf.len()]);
        let (result, owned) = ResidentFuture::new("UdpSocket::recv_from", async move {
            let result = dispatch_rc!(socket, s => s.recv_from(&mut owned).await);
            (result, owned)
        })
        .await;
        let (n, from) = result?;
        buf[..n].copy_from_slice(&owned[..n]);
        Ok((n, from))
    }

    /// Waits for one datagram: from the connected peer, or from anyone
    /// before [`UdpSocket::connect`] (as Linux's `recv(2)` and tokio do).
    ///
    /// # Errors
    ///
    /// `Interrupted` under the fault plan (simulation).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let (socket, mut owned) = (self.inner.rc(), vec![0; buf.len()]);
        let (result, owned) = ResidentFuture::new("UdpSocket::recv", async move {
            let result = dispatch_rc!(socket, s => s.recv(&mut owned).await);
            (result, owned)
        })
        .await;
        let n = result?;
        buf[..n].copy_from_slice(&owned[..n]);
        Ok(n)
    }

    /// Takes one queued datagram without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is queued; `Interrupted` under the fault plan.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        dispatch!(self, s => s.try_recv_from(buf))
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field(
                "local",
                &self.inner.try_get().and_then(|s| match s {
                    UdpImpl::Sim(s) => s.local_addr().ok(),
                    #[cfg(target_os = "linux")]
                    UdpImpl::Os(s) => s.local_addr().ok(),
                }),
            )
            .finish_non_exhaustive()
    }
}
