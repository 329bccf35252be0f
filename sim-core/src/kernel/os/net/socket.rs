//! [`OsSocket`]: a real socket, any kind, owned by its epoll registration.

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::OwnedFd;

use rustix::net::{RecvFlags, SendFlags, SocketAddrAny, sockopt};

use crate::kernel::net::{Errno, Socket};
use crate::kernel::{AsSource, FdRegistration, KernelHandle, Readiness, Source};

/// A non-blocking socket registered edge-triggered with epoll; its events
/// set its [`Source`]. The registration owns the descriptor, so it
/// deregisters before the descriptor closes.
pub(crate) struct OsSocket {
    fd: FdRegistration<OwnedFd>,
}

impl OsSocket {
    /// Registers `fd` (already non-blocking) under a new source named
    /// `kind` (`os-tcp`, `os-tcp-listener`, `os-udp`). Its readiness is
    /// unknown until epoll's first report.
    pub(crate) fn new(kind: &'static str, fd: OwnedFd) -> io::Result<OsSocket> {
        let source = Source::new(kind, Readiness::EMPTY);
        let fd = KernelHandle::current().register_fd(fd, &source)?;
        Ok(OsSocket { fd })
    }
}

impl AsSource for OsSocket {
    fn source(&self) -> &Source {
        self.fd.source()
    }
}

/// An address the kernel reported, as std's type.
fn inet(addr: SocketAddrAny) -> io::Result<SocketAddr> {
    Ok(SocketAddr::try_from(addr)?)
}

impl Socket for OsSocket {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(rustix::net::recv(&*self.fd, buf, RecvFlags::empty())?.0)
    }

    fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(rustix::net::recv(&*self.fd, buf, RecvFlags::PEEK)?.0)
    }

    fn write(&self, buf: &[u8]) -> io::Result<usize> {
        Ok(rustix::net::send(&*self.fd, buf, SendFlags::NOSIGNAL)?)
    }

    fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (n, _, from) = rustix::net::recvfrom(&*self.fd, buf, RecvFlags::empty())?;
        match from {
            Some(from) => Ok((n, inet(from)?)),
            // A stream socket names no sender: its peer sent it.
            None => Ok((n, self.peer_addr()?)),
        }
    }

    fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        Ok(rustix::net::sendto(
            &*self.fd,
            buf,
            SendFlags::NOSIGNAL,
            &target,
        )?)
    }

    fn accept(&self) -> io::Result<(Box<dyn Socket>, SocketAddr)> {
        let flags = rustix::net::SocketFlags::NONBLOCK | rustix::net::SocketFlags::CLOEXEC;
        let (fd, peer) = rustix::net::acceptfrom_with(&*self.fd, flags)?;
        let socket = OsSocket::new("os-tcp", fd)?;
        let peer = match peer {
            Some(peer) => inet(peer)?,
            None => socket.peer_addr()?,
        };
        Ok((Box::new(socket), peer))
    }

    fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        Ok(rustix::net::connect(&*self.fd, &addr)?)
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let how = match how {
            Shutdown::Read => rustix::net::Shutdown::Read,
            Shutdown::Write => rustix::net::Shutdown::Write,
            Shutdown::Both => rustix::net::Shutdown::Both,
        };
        Ok(rustix::net::shutdown(&*self.fd, how)?)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        inet(rustix::net::getsockname(&*self.fd)?)
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        match rustix::net::getpeername(&*self.fd)? {
            Some(peer) => inet(peer),
            None => Err(Errno::ENOTCONN.into()),
        }
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        Ok(sockopt::set_tcp_nodelay(&*self.fd, nodelay)?)
    }

    fn nodelay(&self) -> io::Result<bool> {
        Ok(sockopt::tcp_nodelay(&*self.fd)?)
    }

    fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        Ok(sockopt::set_ip_ttl(&*self.fd, ttl)?)
    }

    fn ttl(&self) -> io::Result<u32> {
        Ok(sockopt::ip_ttl(&*self.fd)?)
    }

    fn take_error(&self) -> io::Result<Option<io::Error>> {
        Ok(sockopt::socket_error(&*self.fd)?.err().map(io::Error::from))
    }
}
