//! [`OsUnconnectedTcp`]: a real TCP socket before `connect` or `listen`.
//!
//! Every method is the syscall itself, so errors and the values options
//! read back are the kernel's. The descriptor is registered with epoll
//! only when it becomes a connection or a listener: until then nothing
//! waits on it.

use std::io;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::time::Duration;

use rustix::net::{SocketType, sockopt};

use crate::kernel::net::{Family, Socket, StackFuture, UnconnectedTcp};
use crate::kernel::os::net::socket::OsSocket;
use crate::kernel::os::net::stack;

/// A non-blocking TCP socket, neither connected nor listening.
pub(crate) struct OsUnconnectedTcp {
    fd: OwnedFd,
}

impl OsUnconnectedTcp {
    /// `socket(2)`: non-blocking and close-on-exec, as every socket of
    /// the OS stack.
    pub(crate) fn new(family: Family) -> io::Result<OsUnconnectedTcp> {
        Ok(OsUnconnectedTcp {
            fd: stack::socket(family, SocketType::STREAM)?,
        })
    }
}

/// A size as Linux reports it (an `int`, never negative).
fn size(bytes: usize) -> io::Result<u32> {
    u32::try_from(bytes).map_err(|_| io::Error::other(format!("socket buffer of {bytes} bytes")))
}

impl UnconnectedTcp for OsUnconnectedTcp {
    fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        Ok(rustix::net::bind(&self.fd, &addr)?)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::try_from(rustix::net::getsockname(&self.fd)?)?)
    }

    fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        Ok(sockopt::set_socket_reuseaddr(&self.fd, reuseaddr)?)
    }

    fn reuseaddr(&self) -> io::Result<bool> {
        Ok(sockopt::socket_reuseaddr(&self.fd)?)
    }

    fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        Ok(sockopt::set_socket_reuseport(&self.fd, reuseport)?)
    }

    fn reuseport(&self) -> io::Result<bool> {
        Ok(sockopt::socket_reuseport(&self.fd)?)
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        Ok(sockopt::set_tcp_nodelay(&self.fd, nodelay)?)
    }

    fn nodelay(&self) -> io::Result<bool> {
        Ok(sockopt::tcp_nodelay(&self.fd)?)
    }

    fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        Ok(sockopt::set_socket_linger(&self.fd, linger)?)
    }

    fn linger(&self) -> io::Result<Option<Duration>> {
        Ok(sockopt::socket_linger(&self.fd)?)
    }

    fn set_send_buffer_size(&self, bytes: u32) -> io::Result<()> {
        Ok(sockopt::set_socket_send_buffer_size(
            &self.fd,
            bytes as usize,
        )?)
    }

    fn send_buffer_size(&self) -> io::Result<u32> {
        size(sockopt::socket_send_buffer_size(&self.fd)?)
    }

    fn set_recv_buffer_size(&self, bytes: u32) -> io::Result<()> {
        Ok(sockopt::set_socket_recv_buffer_size(
            &self.fd,
            bytes as usize,
        )?)
    }

    fn recv_buffer_size(&self) -> io::Result<u32> {
        size(sockopt::socket_recv_buffer_size(&self.fd)?)
    }

    fn connect(self: Box<Self>, addr: SocketAddr) -> StackFuture<io::Result<Box<dyn Socket>>> {
        Box::pin(async move { stack::connect(Box::new(OsSocket::stream(self.fd)?), addr).await })
    }

    fn listen(self: Box<Self>, backlog: u32) -> io::Result<Box<dyn Socket>> {
        // As tokio: a backlog beyond `int` asks for the most (the kernel
        // caps it at `somaxconn`).
        rustix::net::listen(&self.fd, i32::try_from(backlog).unwrap_or(i32::MAX))?;
        Ok(Box::new(OsSocket::new("os-tcp-listener", self.fd)?))
    }
}
