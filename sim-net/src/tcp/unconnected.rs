//! [`SimUnconnectedTcp`]: a simulated TCP socket before `connect` or
//! `listen`, behind the kernel's [`UnconnectedTcp`] contract.
//!
//! It is no resource of the simulation (nothing is created or traced for
//! it): it records options, and its `bind` holds a port on its host at
//! once (`ports.rs` has the sharing rules). `connect` is the simulated
//! handshake from the bound port (else an ephemeral one), the same code
//! as `TcpStream::connect`, and the connection keeps the socket's
//! options; `listen` makes a listener whose accept queue holds `backlog`
//! + 1 connections, as Linux's does.
//!
//! # Divergence from Linux
//!
//! - Simulated hosts have one IPv4 address. An IPv6 socket takes `[::]`,
//!   `[::1]` and v4-mapped addresses (`[::ffff:10.0.0.2]`) as the
//!   simulation takes `0.0.0.0`, `127.0.0.1` and the address itself, and
//!   its addresses read as IPv4 ones, as every simulated address does; the
//!   family checks are Linux's (an address of the other family is
//!   `EAFNOSUPPORT` on an IPv4 socket, `EINVAL` on an IPv6 one).
//! - A bound socket's `local_addr` is the host's address where Linux
//!   reports the one bound (`0.0.0.0`), as a simulated listener's is.
//! - `SO_SNDBUF` and `SO_RCVBUF` are recorded and read back as Linux
//!   reports them (doubled; bounded by Linux's default `wmem_max` and
//!   `rmem_max`, 212,992, and below by its minimums, 4,608 and 2,304;
//!   16,384 and 131,072 before they are set). They change nothing: a
//!   connection buffers `NetConfig::tcp_buffer_bytes` each way.
//! - `SO_REUSEPORT` shares a port as on Linux, except between listeners:
//!   one listener per port (`ports.rs`).

use std::cell::{Cell, RefCell};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use sim_core::kernel::net::{Errno, Family, Socket, StackFuture, UnconnectedTcp};

use crate::network::{HostIx, Net};
use crate::options::SocketOptions;
use crate::ports::{Binding, PortFlags};
use crate::tcp::SimListener;

/// Linux's default `net.core.wmem_max` and `rmem_max`: the most a
/// `SO_SNDBUF` or `SO_RCVBUF` request counts.
const BUFFER_MAX: u32 = 212_992;
/// Linux's `SOCK_MIN_SNDBUF` (x86-64).
const SEND_BUFFER_MIN: u32 = 4_608;
/// Linux's `SOCK_MIN_RCVBUF` (x86-64).
const RECV_BUFFER_MIN: u32 = 2_304;
/// Linux's default `tcp_wmem[1]`: `SO_SNDBUF` before it is set.
const SEND_BUFFER_DEFAULT: u32 = 16_384;
/// Linux's default `tcp_rmem[1]`: `SO_RCVBUF` before it is set.
const RECV_BUFFER_DEFAULT: u32 = 131_072;

/// A TCP socket on a simulated host, neither connected nor listening.
pub(crate) struct SimUnconnectedTcp {
    net: Rc<Net>,
    host: HostIx,
    family: Family,
    /// `SO_REUSEADDR` and `SO_REUSEPORT`, shared with the port table.
    flags: Rc<PortFlags>,
    /// The port `bind` holds.
    binding: RefCell<Option<Binding>>,
    options: SocketOptions,
    send_buffer: Cell<u32>,
    recv_buffer: Cell<u32>,
}

impl SimUnconnectedTcp {
    /// `socket(2)` on `host`.
    pub(crate) fn new(net: Rc<Net>, host: HostIx, family: Family) -> SimUnconnectedTcp {
        SimUnconnectedTcp {
            net,
            host,
            family,
            flags: Rc::default(),
            binding: RefCell::new(None),
            options: SocketOptions::default(),
            send_buffer: Cell::new(SEND_BUFFER_DEFAULT),
            recv_buffer: Cell::new(RECV_BUFFER_DEFAULT),
        }
    }

    /// Linux's answer to an address of the other family: `EAFNOSUPPORT`
    /// from an IPv4 socket, `EINVAL` (the address is too short) from an
    /// IPv6 one.
    fn check_family(&self, addr: SocketAddr) -> io::Result<()> {
        match (self.family, Family::of(addr)) {
            (ours, theirs) if ours == theirs => Ok(()),
            (Family::V4, _) => Err(Errno::EAFNOSUPPORT.into()),
            (Family::V6, _) => Err(Errno::EINVAL.into()),
        }
    }
}

/// A buffer size request as Linux stores it: bounded by `BUFFER_MAX`,
/// doubled, at least `min`.
fn buffer_size(bytes: u32, min: u32) -> io::Result<u32> {
    // The OS stack passes the size as a C `int` and refuses larger ones.
    if i32::try_from(bytes).is_err() {
        return Err(Errno::EINVAL.into());
    }
    Ok((bytes.min(BUFFER_MAX) * 2).max(min))
}

impl UnconnectedTcp for SimUnconnectedTcp {
    fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.check_family(addr)?;
        if self.binding.borrow().is_some() {
            return Err(Errno::EINVAL.into());
        }
        let local = SocketAddr::new(addr.ip().to_canonical(), addr.port());
        self.net.check_local(self.host, local)?;
        let binding = self
            .net
            .bind_tcp_socket(self.host, addr.port(), &self.flags)?;
        *self.binding.borrow_mut() = Some(binding);
        Ok(())
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(match (&*self.binding.borrow(), self.family) {
            (Some(binding), _) => SocketAddr::new(self.net.ip(self.host), binding.port()),
            (None, Family::V4) => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
            (None, Family::V6) => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
        })
    }

    fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        self.flags.reuseaddr.set(reuseaddr);
        Ok(())
    }

    fn reuseaddr(&self) -> io::Result<bool> {
        Ok(self.flags.reuseaddr.get())
    }

    fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        self.flags.reuseport.set(reuseport);
        Ok(())
    }

    fn reuseport(&self) -> io::Result<bool> {
        Ok(self.flags.reuseport.get())
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.options.set_nodelay(nodelay)
    }

    fn nodelay(&self) -> io::Result<bool> {
        self.options.nodelay()
    }

    fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        self.options.set_linger(linger)
    }

    fn linger(&self) -> io::Result<Option<Duration>> {
        Ok(self.options.linger())
    }

    fn set_send_buffer_size(&self, bytes: u32) -> io::Result<()> {
        self.send_buffer.set(buffer_size(bytes, SEND_BUFFER_MIN)?);
        Ok(())
    }

    fn send_buffer_size(&self) -> io::Result<u32> {
        Ok(self.send_buffer.get())
    }

    fn set_recv_buffer_size(&self, bytes: u32) -> io::Result<()> {
        self.recv_buffer.set(buffer_size(bytes, RECV_BUFFER_MIN)?);
        Ok(())
    }

    fn recv_buffer_size(&self) -> io::Result<u32> {
        Ok(self.recv_buffer.get())
    }

    fn connect(self: Box<Self>, addr: SocketAddr) -> StackFuture<io::Result<Box<dyn Socket>>> {
        Box::pin(async move {
            self.check_family(addr)?;
            let ip = addr.ip().to_canonical();
            // A loopback address is the host's own, as the stack reads it.
            let ip = if ip.is_loopback() {
                self.net.ip(self.host)
            } else {
                ip
            };
            let SimUnconnectedTcp {
                net,
                host,
                binding,
                options,
                ..
            } = *self;
            let peer = SocketAddr::new(ip, addr.port());
            let stream = crate::tcp::connect(net, host, peer, binding.into_inner()).await?;
            stream.options().inherit(&options);
            Ok(Box::new(stream) as Box<dyn Socket>)
        })
    }

    fn listen(self: Box<Self>, backlog: u32) -> io::Result<Box<dyn Socket>> {
        let binding = match self.binding.take() {
            Some(binding) => binding,
            // Linux binds an unbound socket to an ephemeral port first.
            None => self.net.bind_tcp_socket(self.host, 0, &self.flags)?,
        };
        let SimUnconnectedTcp {
            net,
            host,
            flags,
            options,
            ..
        } = *self;
        let reuseport = flags.reuseport.get();
        let listener = SimListener::listen(net, host, binding, backlog, reuseport, options)?;
        Ok(Box::new(listener))
    }
}
