//! Ports on a simulated host: who holds which TCP and UDP port, ephemeral
//! ports, and Linux's rules for when two TCP sockets may share one.
//!
//! A TCP port is held by a listener, by sockets bound with `bind` and not
//! listening ([`Binding`]: bound only, or connected from the port), or by
//! outgoing connections from ephemeral ports, unique per destination.
//! Two sockets may share a port when both set `SO_REUSEADDR` and neither
//! listens, or both set `SO_REUSEPORT` (Linux's `inet_bind_conflict`, for
//! a host with one address). A connection's 4-tuple is unique: a second
//! connection from the same port to the same peer is `AddrNotAvailable`.
//!
//! # Divergence from Linux
//!
//! One listener per port: a second `listen` on a port fails with
//! `AddrInUse` even when both sockets set `SO_REUSEPORT` (Linux would
//! spread incoming connections over them; the simulation does not model
//! that balancing, and refuses rather than leave one listener silent).
//! Connections accepted from a listener do not hold its port once it
//! closes (Linux keeps it bound until they close too, so a rebind
//! without `SO_REUSEADDR` fails there). There is no `TIME_WAIT`: a closed
//! port is free at once. `TcpListener::bind`'s listeners set
//! `SO_REUSEADDR`, as they do on the OS runtime, and may take a port that
//! outgoing connections from ephemeral ports use (Linux says `AddrInUse`).

use std::cell::Cell;
use std::collections::BTreeSet;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use crate::host::HostState;
use crate::network::{HostIx, Net};
use crate::tcp::ListenerShared;
use crate::udp::UdpShared;

/// Ephemeral ports, as Linux's default `ip_local_port_range`.
const EPHEMERAL: std::ops::RangeInclusive<u16> = 32768..=60999;

/// The options of a TCP socket that decide whether it may share its port.
/// Shared by the socket and its host's port table, so that a change after
/// `bind` counts at the next `bind` of another socket, as on Linux.
#[derive(Default)]
pub(crate) struct PortFlags {
    pub(crate) reuseaddr: Cell<bool>,
    pub(crate) reuseport: Cell<bool>,
}

/// A TCP port held by a socket that was bound with `bind` and does not
/// listen (bound only, or connected from the port); dropping it frees the
/// hold.
pub(crate) struct Binding {
    net: Rc<Net>,
    host: HostIx,
    port: u16,
    flags: Rc<PortFlags>,
}

impl Binding {
    /// The port held.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Binding {
    fn drop(&mut self) {
        let mut hosts = self.net.hosts.borrow_mut();
        let bound = &mut hosts[self.host as usize].tcp_bound;
        if let Some(holders) = bound.get_mut(&self.port) {
            holders.retain(|f| !Rc::ptr_eq(f, &self.flags));
            if holders.is_empty() {
                bound.remove(&self.port);
            }
        }
    }
}

impl Net {
    /// A free ephemeral port on `host` for a connection to `peer`, an
    /// address of host `peer_host` (ports are unique per destination, as
    /// Linux allows; a port a socket holds with `bind` is never picked).
    pub(crate) fn ephemeral_port(
        &self,
        host: HostIx,
        peer_host: HostIx,
        peer: SocketAddr,
    ) -> io::Result<u16> {
        let mut hosts = self.hosts.borrow_mut();
        let h = &mut hosts[host as usize];
        let span = u32::from(EPHEMERAL.end() - EPHEMERAL.start()) + 1;
        for _ in 0..span {
            let port = h.next_ephemeral;
            h.next_ephemeral = if port == *EPHEMERAL.end() {
                *EPHEMERAL.start()
            } else {
                port + 1
            };
            if !h.tcp_listeners.contains_key(&port)
                && !h.tcp_bound.contains_key(&port)
                && h.tcp_conns.insert((port, peer_host, peer.port()))
            {
                return Ok(port);
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!(
                "no free ephemeral port on `{}` for connections to {peer}",
                h.name
            ),
        ))
    }

    /// Claims the connection from `port`, which a [`Binding`] holds, to
    /// `peer`, an address of host `peer_host`.
    ///
    /// # Errors
    ///
    /// `AddrNotAvailable` when that 4-tuple is taken, as Linux's `connect`.
    pub(crate) fn claim_conn_port(
        &self,
        host: HostIx,
        port: u16,
        peer_host: HostIx,
        peer: SocketAddr,
    ) -> io::Result<()> {
        let mut hosts = self.hosts.borrow_mut();
        let h = &mut hosts[host as usize];
        if h.tcp_conns.insert((port, peer_host, peer.port())) {
            return Ok(());
        }
        Err(io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!(
                "port {port} on host `{}` already has a connection to {peer}",
                h.name
            ),
        ))
    }

    /// Frees the connection from `port` to port `peer_port` of host
    /// `peer_host`.
    pub(crate) fn release_conn_port(
        &self,
        host: HostIx,
        port: u16,
        peer_host: HostIx,
        peer_port: u16,
    ) {
        self.hosts.borrow_mut()[host as usize]
            .tcp_conns
            .remove(&(port, peer_host, peer_port));
    }

    /// Binds `listener` (`TcpListener::bind`'s, with `SO_REUSEADDR`) to
    /// `port` on `host`, 0 for an ephemeral port.
    pub(crate) fn bind_tcp(
        &self,
        host: HostIx,
        port: u16,
        listener: Rc<ListenerShared>,
    ) -> io::Result<u16> {
        let mut hosts = self.hosts.borrow_mut();
        let h = &mut hosts[host as usize];
        let port = if port == 0 {
            let (listeners, bound) = (&h.tcp_listeners, &h.tcp_bound);
            let taken = |p| listeners.contains_key(&p) || bound.contains_key(&p);
            free_port(taken, &mut h.next_ephemeral, &h.name)?
        } else {
            port
        };
        let shares = |holders: &Vec<Rc<PortFlags>>| holders.iter().all(|f| f.reuseaddr.get());
        if h.tcp_listeners.contains_key(&port) || h.tcp_bound.get(&port).is_some_and(|b| !shares(b))
        {
            return Err(addr_in_use(&h.name, port));
        }
        h.tcp_listeners.insert(port, listener);
        Ok(port)
    }

    /// `bind(2)` of a TCP socket that does not listen: holds `port` (0: a
    /// free ephemeral one) on `host` until the [`Binding`] is dropped.
    ///
    /// # Errors
    ///
    /// `AddrInUse` when the port's holders may not share it with `flags`.
    pub(crate) fn bind_tcp_socket(
        &self,
        host: HostIx,
        port: u16,
        flags: &Rc<PortFlags>,
    ) -> io::Result<Binding> {
        let mut hosts = self.hosts.borrow_mut();
        let h = &mut hosts[host as usize];
        let port = if port == 0 {
            let (listeners, bound, conns) = (&h.tcp_listeners, &h.tcp_bound, &h.tcp_conns);
            let taken =
                |p| listeners.contains_key(&p) || bound.contains_key(&p) || has_conn(conns, p);
            free_port(taken, &mut h.next_ephemeral, &h.name)?
        } else {
            port
        };
        if tcp_conflict(h, port, flags, false) {
            return Err(addr_in_use(&h.name, port));
        }
        h.tcp_bound.entry(port).or_default().push(Rc::clone(flags));
        Ok(Binding {
            net: self.rc(),
            host,
            port,
            flags: Rc::clone(flags),
        })
    }

    /// `listen(2)` on a bound socket: `listener` takes `binding`'s port.
    ///
    /// # Errors
    ///
    /// `AddrInUse` when another socket listens on the port, or one holds
    /// it that may not share it with a listener.
    pub(crate) fn listen_tcp(
        &self,
        binding: Binding,
        listener: Rc<ListenerShared>,
    ) -> io::Result<()> {
        let mut hosts = self.hosts.borrow_mut();
        let h = &mut hosts[binding.host as usize];
        if tcp_conflict(h, binding.port, &binding.flags, true) {
            return Err(addr_in_use(&h.name, binding.port));
        }
        h.tcp_listeners.insert(binding.port, listener);
        drop(hosts);
        // The listener holds the port now; the binding's hold goes.
        drop(binding);
        Ok(())
    }

    /// Unbinds `port` if `listener` still owns it (a restarted host may
    /// have bound it again).
    pub(crate) fn unbind_tcp(&self, host: HostIx, port: u16, listener: &Rc<ListenerShared>) {
        let mut hosts = self.hosts.borrow_mut();
        let listeners = &mut hosts[host as usize].tcp_listeners;
        if listeners
            .get(&port)
            .is_some_and(|l| Rc::ptr_eq(l, listener))
        {
            listeners.remove(&port);
        }
    }

    pub(crate) fn listener(&self, host: HostIx, port: u16) -> Option<Rc<ListenerShared>> {
        self.hosts.borrow()[host as usize]
            .tcp_listeners
            .get(&port)
            .cloned()
    }

    pub(crate) fn bind_udp(
        &self,
        host: HostIx,
        port: u16,
        socket: Rc<UdpShared>,
    ) -> io::Result<u16> {
        let mut hosts = self.hosts.borrow_mut();
        let h = &mut hosts[host as usize];
        let port = if port == 0 {
            let udp = &h.udp;
            free_port(|p| udp.contains_key(&p), &mut h.next_ephemeral, &h.name)?
        } else {
            port
        };
        if h.udp.contains_key(&port) {
            return Err(addr_in_use(&h.name, port));
        }
        h.udp.insert(port, socket);
        Ok(port)
    }

    /// Unbinds `port` if `socket` still owns it.
    pub(crate) fn unbind_udp(&self, host: HostIx, port: u16, socket: &Rc<UdpShared>) {
        let mut hosts = self.hosts.borrow_mut();
        let sockets = &mut hosts[host as usize].udp;
        if sockets.get(&port).is_some_and(|s| Rc::ptr_eq(s, socket)) {
            sockets.remove(&port);
        }
    }

    pub(crate) fn udp_socket(&self, host: HostIx, port: u16) -> Option<Rc<UdpShared>> {
        self.hosts.borrow()[host as usize].udp.get(&port).cloned()
    }
}

/// Whether a TCP socket with `flags` (about to listen, or not) may not
/// hold `port` on `h` beside its holders: Linux's `inet_bind_conflict`
/// for a host with one address, and one listener per port (see the
/// module docs). `flags`'s own hold, if any, does not count.
fn tcp_conflict(h: &HostState, port: u16, flags: &Rc<PortFlags>, listening: bool) -> bool {
    if let Some(listener) = h.tcp_listeners.get(&port) {
        let both_reuseport = flags.reuseport.get() && listener.reuseport();
        if listening || !both_reuseport {
            return true;
        }
    }
    let holders = h.tcp_bound.get(&port).map_or(&[][..], Vec::as_slice);
    // Connections from ephemeral ports set no option: nothing shares
    // with them. (Their ports are never ones a `Binding` holds.)
    if holders.is_empty() && has_conn(&h.tcp_conns, port) {
        return true;
    }
    holders
        .iter()
        .filter(|other| !Rc::ptr_eq(other, flags))
        .any(|other| {
            let reuseaddr = flags.reuseaddr.get() && other.reuseaddr.get();
            let reuseport = flags.reuseport.get() && other.reuseport.get();
            !(reuseaddr || reuseport)
        })
}

/// Whether an outgoing connection uses `port`.
fn has_conn(conns: &BTreeSet<(u16, HostIx, u16)>, port: u16) -> bool {
    conns
        .range((port, 0, 0)..)
        .next()
        .is_some_and(|&(p, _, _)| p == port)
}

/// The next ephemeral port not `taken` (each port of the range is tried
/// at most once), or `AddrInUse` once every one is taken, as Linux's
/// `bind` to port 0 fails then (a `connect` that finds no port fails with
/// `AddrNotAvailable` instead: [`Net::ephemeral_port`]).
fn free_port(taken: impl Fn(u16) -> bool, next: &mut u16, host: &str) -> io::Result<u16> {
    let span = u32::from(EPHEMERAL.end() - EPHEMERAL.start()) + 1;
    for _ in 0..span {
        let port = *next;
        *next = if port == *EPHEMERAL.end() {
            *EPHEMERAL.start()
        } else {
            port + 1
        };
        if !taken(port) {
            return Ok(port);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        format!(
            "no free ephemeral port on `{host}`: all of {}–{} are bound",
            EPHEMERAL.start(),
            EPHEMERAL.end()
        ),
    ))
}

fn addr_in_use(host: &str, port: u16) -> io::Error {
    io::Error::new(
        io::ErrorKind::AddrInUse,
        format!("port {port} on host `{host}` is already bound"),
    )
}
