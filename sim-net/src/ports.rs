//! Ports on a simulated host: who holds which TCP and UDP port, and the
//! ephemeral ports a host hands out.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use crate::network::{HostIx, Net};
use crate::tcp::ListenerShared;
use crate::udp::UdpShared;

/// Ephemeral ports, as Linux's default `ip_local_port_range`.
const EPHEMERAL: std::ops::RangeInclusive<u16> = 32768..=60999;

impl Net {
    /// A free ephemeral port on `host` for a connection to `peer` (ports
    /// are unique per destination, as Linux allows).
    pub(crate) fn ephemeral_port(&self, host: HostIx, peer: SocketAddr) -> io::Result<u16> {
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
            if !h.tcp_listeners.contains_key(&port) && h.tcp_conns.insert((port, peer)) {
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

    pub(crate) fn release_conn_port(&self, host: HostIx, port: u16, peer: SocketAddr) {
        self.hosts.borrow_mut()[host as usize]
            .tcp_conns
            .remove(&(port, peer));
    }

    pub(crate) fn bind_tcp(
        &self,
        host: HostIx,
        port: u16,
        listener: Rc<ListenerShared>,
    ) -> io::Result<u16> {
        let mut hosts = self.hosts.borrow_mut();
        let h = &mut hosts[host as usize];
        let port = if port == 0 {
            free_port(&h.tcp_listeners, &mut h.next_ephemeral, &h.name)?
        } else {
            port
        };
        if h.tcp_listeners.contains_key(&port) {
            return Err(addr_in_use(&h.name, port));
        }
        h.tcp_listeners.insert(port, listener);
        Ok(port)
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
            free_port(&h.udp, &mut h.next_ephemeral, &h.name)?
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

/// The next ephemeral port not in `taken` (each port of the range is
/// tried at most once), or `AddrInUse` once every one is taken, as
/// Linux's `bind` to port 0 fails then (a `connect` that finds no port
/// fails with `AddrNotAvailable` instead: [`Net::ephemeral_port`]).
fn free_port<V>(taken: &BTreeMap<u16, V>, next: &mut u16, host: &str) -> io::Result<u16> {
    let span = u32::from(EPHEMERAL.end() - EPHEMERAL.start()) + 1;
    for _ in 0..span {
        let port = *next;
        *next = if port == *EPHEMERAL.end() {
            *EPHEMERAL.start()
        } else {
            port + 1
        };
        if !taken.contains_key(&port) {
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
