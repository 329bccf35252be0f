//! [`OsSocket`]: a real socket, any kind, owned by its epoll registration.

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

use rustix::net::{RecvFlags, SendFlags, SocketAddrAny, sockopt};

use crate::kernel::net::{Errno, Socket};
use crate::kernel::os::net::stream_reads::StreamReads;
use crate::kernel::{AsSource, FdRegistration, KernelHandle, Readiness, Source};

/// A non-blocking socket registered edge-triggered with epoll; its events
/// set its [`Source`]. The registration owns the descriptor, so it
/// deregisters before the descriptor closes.
pub(crate) struct OsSocket {
    fd: FdRegistration<OwnedFd>,
    /// A connected TCP socket's read-ahead and what its reads know of its
    /// readiness; `None` for listeners and UDP sockets.
    stream: Option<StreamReads>,
}

impl OsSocket {
    /// Registers `fd` (already non-blocking) under a new source named
    /// `kind` (`os-tcp-listener`, `os-udp`). Its readiness is unknown until
    /// epoll's first report.
    pub(crate) fn new(kind: &'static str, fd: OwnedFd) -> io::Result<OsSocket> {
        let source = Source::new(kind, Readiness::EMPTY);
        let fd = KernelHandle::current().register_fd(fd, &source)?;
        Ok(OsSocket { fd, stream: None })
    }

    /// Registers a TCP connection's (or connecting socket's) `fd` under a
    /// new `os-tcp` source, its reads and writes keeping its readiness
    /// ([`StreamReads`]).
    pub(crate) fn stream(fd: OwnedFd) -> io::Result<OsSocket> {
        let mut socket = OsSocket::new("os-tcp", fd)?;
        let urgent = socket.fd.os_kernel().urgent_flag(socket.fd.token());
        socket.stream = Some(StreamReads::new(urgent));
        Ok(socket)
    }
}

impl Drop for OsSocket {
    fn drop(&mut self) {
        // Linux resets a connection closed with unread data; bytes in the
        // read-ahead are unread data the kernel no longer sees.
        if self.stream.as_ref().is_some_and(StreamReads::has_unread) {
            let _ = sockopt::set_socket_linger(&*self.fd, Some(Duration::ZERO));
        }
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
        match &self.stream {
            Some(stream) => stream.read(self.fd.as_fd(), self.fd.source(), buf),
            None => Ok(rustix::net::recv(&*self.fd, buf, RecvFlags::empty())?.0),
        }
    }

    fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        match &self.stream {
            Some(stream) => stream.peek(self.fd.as_fd(), buf),
            None => Ok(rustix::net::recv(&*self.fd, buf, RecvFlags::PEEK)?.0),
        }
    }

    fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let n = rustix::net::send(&*self.fd, buf, SendFlags::NOSIGNAL)?;
        if let Some(stream) = &self.stream {
            stream.wrote(self.fd.source(), n, buf.len());
        }
        Ok(n)
    }

    fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        if self.stream.is_some() {
            // A stream socket names no sender: its peer sent it.
            return Ok((self.read(buf)?, self.peer_addr()?));
        }
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
        let socket = OsSocket::stream(fd)?;
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
