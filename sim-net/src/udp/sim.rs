//! [`SimUdp`]: a simulated UDP socket behind the kernel's socket
//! contract, and its receive queue ([`UdpShared`]), which the network
//! fills.
//!
//! # Divergence from Linux
//!
//! A datagram to a port nobody bound is dropped silently; Linux answers
//! with ICMP port unreachable, which a connected socket reports as
//! `ECONNREFUSED` on a later call. `shutdown(Read)` changes nothing (Linux
//! keeps delivering datagrams too, but stops reporting them readable).
//! `IP_TTL` is recorded and reported, and changes nothing.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::rc::Rc;

use sim_core::FaultKind;
use sim_core::kernel::net::{Errno, Socket};
use sim_core::kernel::{AsSource, Readiness, Source};

use crate::network::{HostIx, Net};
use crate::options::{DEFAULT_TTL, check_ttl};

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

/// A UDP socket on a simulated host.
pub(crate) struct SimUdp {
    net: Rc<Net>,
    host: HostIx,
    local: SocketAddr,
    shared: Rc<UdpShared>,
    peer: Cell<Option<SocketAddr>>,
    /// `shutdown(Write)`: sends fail with `EPIPE`.
    write_shutdown: Cell<bool>,
    ttl: Cell<u32>,
}

impl SimUdp {
    /// Binds to `addr` on the calling host (port 0 for an ephemeral port).
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable` (another host's address).
    ///
    /// # Panics
    ///
    /// On a task that is not on a host.
    pub(crate) fn bind(net: Rc<Net>, addr: SocketAddr) -> io::Result<SimUdp> {
        let host = net.current_host();
        net.check_local(host, addr)?;
        let capacity = net.config.borrow().udp_queue_datagrams;
        // Sending never waits: the socket stays writable.
        let source = Source::new("udp", Readiness::WRITABLE);
        let shared = Rc::new(UdpShared {
            queue: RefCell::new(VecDeque::new()),
            source,
            capacity,
        });
        let port = net.bind_udp(host, addr.port(), Rc::clone(&shared))?;
        let local = SocketAddr::new(net.ip(host), port);
        Ok(SimUdp {
            net,
            host,
            local,
            shared,
            peer: Cell::new(None),
            write_shutdown: Cell::new(false),
            ttl: Cell::new(DEFAULT_TTL),
        })
    }

    /// Drops queued datagrams a connected socket does not accept (from
    /// anyone but its peer), then applies `take` to the oldest one left.
    fn next_datagram<R>(
        &self,
        take: impl FnOnce(&mut VecDeque<(Vec<u8>, SocketAddr)>) -> R,
    ) -> io::Result<R> {
        let peer = self.peer.get();
        let mut q = self.shared.queue.borrow_mut();
        while let Some((_, from)) = q.front() {
            if peer.is_none_or(|p| p == *from) {
                break;
            }
            q.pop_front();
        }
        if q.is_empty() {
            drop(q);
            self.shared.source.clear(Readiness::READABLE);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(take(&mut q))
    }

    fn send_datagram(&self, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
        if self.write_shutdown.get() {
            return Err(Errno::EPIPE.into());
        }
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

impl AsSource for SimUdp {
    fn source(&self) -> &Source {
        &self.shared.source
    }
}

impl Socket for SimUdp {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.recv_from(buf)?.0)
    }

    fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.next_datagram(|q| {
            let (datagram, _) = q.front().expect("checked non-empty");
            let n = datagram.len().min(buf.len());
            buf[..n].copy_from_slice(&datagram[..n]);
            n
        })
    }

    fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let Some(to) = self.peer.get() else {
            return Err(Errno::EDESTADDRREQ.into());
        };
        self.send_datagram(buf, to)
    }

    /// One queued datagram, truncated to `buf`. `Interrupted` under the
    /// fault plan.
    fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        if self.shared.source.fault(FaultKind::Interrupted) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        self.next_datagram(|q| {
            let (datagram, from) = q.pop_front().expect("checked non-empty");
            let n = datagram.len().min(buf.len());
            buf[..n].copy_from_slice(&datagram[..n]);
            (n, from)
        })
    }

    fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.send_datagram(buf, target)
    }

    fn accept(&self) -> io::Result<(Box<dyn Socket>, SocketAddr)> {
        Err(Errno::EOPNOTSUPP.into())
    }

    fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        self.peer.set(Some(addr));
        Ok(())
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        if self.peer.get().is_none() {
            return Err(not_connected());
        }
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            self.write_shutdown.set(true);
        }
        Ok(())
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.peer.get().ok_or_else(not_connected)
    }

    fn set_nodelay(&self, _nodelay: bool) -> io::Result<()> {
        Err(Errno::ENOPROTOOPT.into())
    }

    fn nodelay(&self) -> io::Result<bool> {
        Err(Errno::EOPNOTSUPP.into())
    }

    fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        check_ttl(ttl)?;
        self.ttl.set(ttl);
        Ok(())
    }

    fn ttl(&self) -> io::Result<u32> {
        Ok(self.ttl.get())
    }

    fn take_error(&self) -> io::Result<Option<io::Error>> {
        Ok(None)
    }
}

impl Drop for SimUdp {
    fn drop(&mut self) {
        self.net
            .unbind_udp(self.host, self.local.port(), &self.shared);
    }
}
