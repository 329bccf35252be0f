//! [`OsNet`]: the OS runtime's network stack.

use std::future::poll_fn;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::os::fd::OwnedFd;
use std::rc::Rc;

use rustix::net::{AddressFamily, SocketFlags, SocketType, sockopt};

use crate::kernel::net::{Errno, Family, NetStack, Socket, StackFuture, UnconnectedTcp};
use crate::kernel::os::net::socket::OsSocket;
use crate::kernel::os::net::unconnected::OsUnconnectedTcp;
use crate::kernel::{Interest, IoSource, KernelHandle};

/// Connections the kernel queues before `accept`: tokio's default, and
/// the simulation's (`NetConfig::listen_backlog`); std's 128 makes bursts
/// of connects wait a second for SYN retransmission when the accept queue
/// overflows.
const LISTEN_BACKLOG: i32 = 1024;

/// The real network: sockets are file descriptors. Stateless: the epoll
/// instance they register with is the runtime's.
pub(crate) struct OsNet;

/// A non-blocking, close-on-exec socket of `family`.
pub(crate) fn socket(family: Family, kind: SocketType) -> io::Result<OwnedFd> {
    let family = match family {
        Family::V4 => AddressFamily::INET,
        Family::V6 => AddressFamily::INET6,
    };
    let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
    Ok(rustix::net::socket_with(family, kind, flags, None)?)
}

/// Connects `socket` (registered, not yet connected) to `addr`: Linux's
/// three steps, the wait through the try-then-wait loop.
pub(crate) async fn connect(
    socket: Box<dyn Socket>,
    addr: SocketAddr,
) -> io::Result<Box<dyn Socket>> {
    match socket.connect(addr) {
        Ok(()) => return Ok(socket),
        Err(e) if Errno::EINPROGRESS.is(&e) => {}
        Err(e) => return Err(e),
    }
    let io = IoSource::new(socket);
    poll_fn(|cx| io.poll_io(cx, Interest::WRITABLE, |s| connected(&**s, addr))).await?;
    Ok(io.into_inner())
}

/// Whether a non-blocking connect to `addr` has finished: `SO_ERROR`
/// says how it failed; else `connect` again says whether it is done (and
/// completes it, so a later `connect` says `EISCONN`, as on any connected
/// socket) or still in progress (the writable report was a hint).
fn connected(socket: &dyn Socket, addr: SocketAddr) -> io::Result<()> {
    if let Some(e) = socket.take_error()? {
        return Err(e);
    }
    match socket.connect(addr) {
        Ok(()) => Ok(()),
        Err(e) if Errno::EISCONN.is(&e) => Ok(()),
        Err(e) if Errno::EALREADY.is(&e) || Errno::EINPROGRESS.is(&e) => {
            Err(io::ErrorKind::WouldBlock.into())
        }
        Err(e) => Err(e),
    }
}

impl NetStack for OsNet {
    fn resolve_ip(&self, ip: IpAddr, port: u16) -> SocketAddr {
        SocketAddr::new(ip, port)
    }

    fn resolve_name(&self, name: &str, port: u16) -> StackFuture<io::Result<SocketAddr>> {
        let name = name.to_string();
        Box::pin(async move {
            let lookup = name.clone();
            let found = KernelHandle::current()
                .run_blocking(move || {
                    (lookup.as_str(), port)
                        .to_socket_addrs()
                        .map(|mut a| a.next())
                })
                .await?;
            found.ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("failed to resolve `{name}`: no address"),
                )
            })
        })
    }

    fn tcp_connect(&self, addr: SocketAddr) -> StackFuture<io::Result<Box<dyn Socket>>> {
        Box::pin(async move {
            let fd = socket(Family::of(addr), SocketType::STREAM)?;
            connect(Box::new(OsSocket::stream(fd)?), addr).await
        })
    }

    fn tcp_listen(&self, addr: SocketAddr) -> io::Result<Box<dyn Socket>> {
        let fd = socket(Family::of(addr), SocketType::STREAM)?;
        // As std and tokio do: a restarted server rebinds at once.
        sockopt::set_socket_reuseaddr(&fd, true)?;
        rustix::net::bind(&fd, &addr)?;
        rustix::net::listen(&fd, LISTEN_BACKLOG)?;
        Ok(Box::new(OsSocket::new("os-tcp-listener", fd)?))
    }

    fn tcp_socket(&self, family: Family) -> io::Result<Box<dyn UnconnectedTcp>> {
        Ok(Box::new(OsUnconnectedTcp::new(family)?))
    }

    fn udp_bind(&self, addr: SocketAddr) -> io::Result<Box<dyn Socket>> {
        let fd = socket(Family::of(addr), SocketType::DGRAM)?;
        rustix::net::bind(&fd, &addr)?;
        Ok(Box::new(OsSocket::new("os-udp", fd)?))
    }

    fn into_any(self: Rc<Self>) -> Rc<dyn std::any::Any> {
        self
    }
}
