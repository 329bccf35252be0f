//! [`SimTcpStream`]: one end of a simulated TCP connection, behind the
//! kernel's socket contract.
//!
//! The byte stream itself (segments over the link, FIN, RST, timeouts) is
//! a [`StreamEnd`]; this adds what the network knows: the addresses, the
//! local port to release (and the `bind` that held it, for a connection
//! made from a bound socket), the socket options, and the fault plan's
//! connection resets. Closed with `SO_LINGER` zero, it resets the
//! connection (RST), as Linux does.
//!
//! # Divergence from Linux
//!
//! `TCP_NODELAY` and `IP_TTL` are recorded and reported, and change
//! nothing: there is no Nagle delay and no hop count; nor does a nonzero
//! `SO_LINGER`: closing never waits. `peer_addr` keeps answering after
//! the connection was reset (Linux says `ENOTCONN`).

use std::io;
use std::net::{Shutdown, SocketAddr, SocketAddrV4};
use std::rc::Rc;
use std::time::Duration;

use sim_core::FaultKind;
use sim_core::kernel::net::{Errno, Socket};
use sim_core::kernel::stream::StreamEnd;
use sim_core::kernel::{AsSource, Source};

use crate::network::{HostIx, Net};
use crate::options::SocketOptions;
use crate::ports::Binding;

/// A connection's two addresses, local and peer, and the bind that holds
/// its port when it was made from a bound socket: 16 bytes, where two
/// `SocketAddr`s and an optional box took 72. Every connection end holds
/// them, and idle connections add up. Two IPv4 addresses and no bind, the
/// usual case, are inline; anything else is boxed.
enum Addrs {
    V4 {
        local: SocketAddrV4,
        peer: SocketAddrV4,
    },
    Other(Box<Uncommon>),
}

/// [`Addrs`] when they are not two IPv4 addresses, or hold a bind.
struct Uncommon {
    local: SocketAddr,
    peer: SocketAddr,
    /// The port's hold, for a connection from a socket bound with `bind`:
    /// held only to be dropped (released) when the connection closes.
    _binding: Option<Binding>,
}

impl Addrs {
    fn new(local: SocketAddr, peer: SocketAddr, binding: Option<Binding>) -> Addrs {
        match (local, peer, binding) {
            (SocketAddr::V4(local), SocketAddr::V4(peer), None) => Addrs::V4 { local, peer },
            (local, peer, binding) => Addrs::Other(Box::new(Uncommon {
                local,
                peer,
                _binding: binding,
            })),
        }
    }

    fn local(&self) -> SocketAddr {
        match self {
            Addrs::V4 { local, .. } => SocketAddr::V4(*local),
            Addrs::Other(other) => other.local,
        }
    }

    fn peer(&self) -> SocketAddr {
        match self {
            Addrs::V4 { peer, .. } => SocketAddr::V4(*peer),
            Addrs::Other(other) => other.peer,
        }
    }
}

/// One end of a simulated TCP connection.
pub(crate) struct SimTcpStream {
    end: StreamEnd,
    net: Rc<Net>,
    host: HostIx,
    addrs: Addrs,
    /// Set for outgoing connections: the local port to release for this
    /// peer.
    conn_port: Option<u16>,
    options: SocketOptions,
}

impl SimTcpStream {
    pub(crate) fn new(
        net: Rc<Net>,
        host: HostIx,
        end: StreamEnd,
        local: SocketAddr,
        peer: SocketAddr,
        conn_port: Option<u16>,
    ) -> SimTcpStream {
        SimTcpStream {
            end,
            net,
            host,
            addrs: Addrs::new(local, peer, None),
            conn_port,
            options: SocketOptions::default(),
        }
    }

    /// The same connection, holding `binding` until it closes.
    pub(crate) fn with_binding(mut self, binding: Option<Binding>) -> SimTcpStream {
        if binding.is_some() {
            self.addrs = Addrs::new(self.addrs.local(), self.addrs.peer(), binding);
        }
        self
    }

    /// The recorded options, for what the contract does not set
    /// (`SO_LINGER`) and for inheriting a listener's.
    pub(crate) fn options(&self) -> &SocketOptions {
        &self.options
    }

    /// The fault plan's random connection reset, rolled per segment sent.
    fn reset_fault(&self) -> io::Result<()> {
        if self
            .net
            .kernel
            .fault(FaultKind::ConnectionReset, self.end.source().id())
        {
            self.end.reset();
            // Reported here, not again by the next call.
            drop(self.end.take_error());
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset (injected)",
            ));
        }
        Ok(())
    }
}

impl AsSource for SimTcpStream {
    fn source(&self) -> &Source {
        self.end.source()
    }
}

impl Socket for SimTcpStream {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.end.try_read(buf)
    }

    fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.end.try_peek(buf)
    }

    fn write(&self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.reset_fault()?;
        self.end.try_write(buf)
    }

    fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        Ok((self.read(buf)?, self.addrs.peer()))
    }

    fn send_to(&self, buf: &[u8], _target: SocketAddr) -> io::Result<usize> {
        self.write(buf)
    }

    fn accept(&self) -> io::Result<(Box<dyn Socket>, SocketAddr)> {
        Err(Errno::EINVAL.into())
    }

    fn connect(&self, _addr: SocketAddr) -> io::Result<()> {
        Err(Errno::EISCONN.into())
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.end.shutdown(how)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.addrs.local())
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.addrs.peer())
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.options.set_nodelay(nodelay)
    }

    fn nodelay(&self) -> io::Result<bool> {
        self.options.nodelay()
    }

    fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.options.set_ttl(ttl)
    }

    fn ttl(&self) -> io::Result<u32> {
        self.options.ttl()
    }

    fn take_error(&self) -> io::Result<Option<io::Error>> {
        Ok(self.end.take_error())
    }
}

impl Drop for SimTcpStream {
    fn drop(&mut self) {
        if self.options.linger() == Some(Duration::ZERO) {
            // Linux aborts a connection closed with a zero linger: RST,
            // whatever was still to send.
            self.end.reset();
        }
        if let Some(port) = self.conn_port {
            let peer = self.addrs.peer();
            // The host `connect` found at the peer's address.
            if let Some(peer_host) = self.net.host_by_ip(peer.ip()) {
                self.net
                    .release_conn_port(self.host, port, peer_host, peer.port());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_come_back_as_given_and_two_ipv4_ones_stay_inline() {
        let addr = |s: &str| -> SocketAddr { s.parse().unwrap() };
        let (a, b, c) = (addr("10.0.0.1:80"), addr("10.0.0.2:4000"), addr("[::1]:9"));
        for (local, peer) in [(a, b), (a, c), (c, a), (c, c)] {
            let addrs = Addrs::new(local, peer, None);
            assert_eq!((addrs.local(), addrs.peer()), (local, peer));
            assert_eq!(
                matches!(addrs, Addrs::V4 { .. }),
                local.is_ipv4() && peer.is_ipv4()
            );
        }
        // Two per idle connection: 56 bytes, an allocator's 64-byte chunk.
        assert_eq!(std::mem::size_of::<Addrs>(), 16);
        assert_eq!(std::mem::size_of::<SimTcpStream>(), 56);
    }
}
