use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, OwnedFd};
use std::task::{Context, Poll};

use rustix::net::{AddressFamily, SocketFlags, SocketType, sockopt};
use sim_core::kernel::{
    FdRegistration, Interest, KernelHandle, Readiness, Registration, Source, Trigger,
};

use crate::addr::ToSocketAddr;
use crate::os::{poll_syscall, resolve, syscall};

/// A non-blocking, close-on-exec TCP socket for `addr`'s family.
fn stream_socket(addr: SocketAddr) -> io::Result<OwnedFd> {
    let family = if addr.is_ipv4() {
        AddressFamily::INET
    } else {
        AddressFamily::INET6
    };
    let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
    Ok(rustix::net::socket_with(
        family,
        SocketType::STREAM,
        flags,
        None,
    )?)
}

/// Connections the kernel queues before `accept`: tokio's default, and
/// the simulation's (`NetConfig::listen_backlog`).
const LISTEN_BACKLOG: i32 = 1024;

/// A socket registered with epoll: the registration owns the socket, so
/// it deregisters before the socket closes.
pub(crate) struct Registered<S: AsFd> {
    read_reg: Registration,
    write_reg: Registration,
    pub(crate) source: Source,
    socket: FdRegistration<S>,
}

impl<S: AsFd> Registered<S> {
    fn new(kind: &'static str, socket: S) -> io::Result<Registered<S>> {
        let source = Source::new(kind, Readiness::EMPTY);
        let socket = KernelHandle::current().register_fd(socket, &source)?;
        let read_reg = source.register(Interest::READABLE, Trigger::Edge);
        let write_reg = source.register(Interest::WRITABLE, Trigger::Edge);
        Ok(Registered {
            read_reg,
            write_reg,
            source,
            socket,
        })
    }
}

/// A real TCP connection.
pub(crate) struct OsTcpStream {
    pub(crate) io: Registered<std::net::TcpStream>,
}

impl OsTcpStream {
    fn from_std(stream: std::net::TcpStream) -> io::Result<OsTcpStream> {
        stream.set_nonblocking(true)?;
        Ok(OsTcpStream {
            io: Registered::new("os-tcp", stream)?,
        })
    }

    /// A non-blocking connect: `EINPROGRESS`, wait for writability, then
    /// `SO_ERROR` says how it went.
    ///
    /// No timeout of its own: the kernel gives up after its SYN retries
    /// (`tcp_syn_retries = 6`, about 127 s), where the simulation's
    /// `NetConfig::connect_timeout` defaults to 5 s.
    pub(crate) async fn connect(addr: impl ToSocketAddr) -> io::Result<OsTcpStream> {
        let addr = resolve(addr).await?;
        let fd = stream_socket(addr)?;
        let io = Registered::new("os-tcp", std::net::TcpStream::from(fd))?;
        match rustix::net::connect(&*io.socket, &addr) {
            Ok(()) => {}
            Err(rustix::io::Errno::INPROGRESS) => {
                std::future::poll_fn(|cx| io.write_reg.poll_ready(cx)).await;
                if let Err(e) = sockopt::socket_error(&*io.socket)? {
                    return Err(e.into());
                }
            }
            Err(e) => return Err(e.into()),
        }
        Ok(OsTcpStream { io })
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.socket.local_addr()
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.socket.peer_addr()
    }

    pub(crate) fn shutdown_write(&self) -> io::Result<()> {
        match self.io.socket.shutdown(Shutdown::Write) {
            // Shutting down a connection the peer already closed is fine.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            other => other,
        }
    }

    pub(crate) fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.io.socket.set_nodelay(on)
    }

    pub(crate) fn nodelay(&self) -> io::Result<bool> {
        self.io.socket.nodelay()
    }

    pub(crate) fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.socket.set_ttl(ttl)
    }

    pub(crate) fn ttl(&self) -> io::Result<u32> {
        self.io.socket.ttl()
    }

    pub(crate) fn try_peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.io.socket.peek(buf);
        if matches!(&r, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.io.source.clear(Readiness::READABLE);
            self.io.read_reg.clear_pending();
        }
        r
    }

    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let r = (&*self.io.socket).read(buf);
        if matches!(&r, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.io.source.clear(Readiness::READABLE);
            self.io.read_reg.clear_pending();
        }
        r
    }

    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        let r = (&*self.io.socket).write(buf);
        if matches!(&r, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.io.source.clear(Readiness::WRITABLE);
            self.io.write_reg.clear_pending();
        }
        r
    }

    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        poll_syscall(
            cx,
            &self.io.source,
            &self.io.read_reg,
            Readiness::READABLE,
            || (&*self.io.socket).read(buf),
        )
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        poll_syscall(
            cx,
            &self.io.source,
            &self.io.write_reg,
            Readiness::WRITABLE,
            || (&*self.io.socket).write(buf),
        )
    }

    pub(crate) fn poll_ready(&self, cx: &mut Context<'_>, interest: Interest) -> Poll<Readiness> {
        crate::ready::poll_ready(
            cx,
            &self.io.source,
            interest,
            |cx| self.io.read_reg.poll_ready(cx),
            |cx| self.io.write_reg.poll_ready(cx),
        )
    }
}

/// A real listening socket.
pub(crate) struct OsTcpListener {
    io: Registered<std::net::TcpListener>,
}

impl OsTcpListener {
    /// Binds with `SO_REUSEADDR` (as std and tokio do) and a backlog of
    /// 1024 (tokio's; std's 128 makes bursts of connects wait a second for
    /// SYN retransmission when the accept queue overflows).
    pub(crate) async fn bind(addr: impl ToSocketAddr) -> io::Result<OsTcpListener> {
        let addr = resolve(addr).await?;
        let fd = stream_socket(addr)?;
        sockopt::set_socket_reuseaddr(&fd, true)?;
        rustix::net::bind(&fd, &addr)?;
        rustix::net::listen(&fd, LISTEN_BACKLOG)?;
        let listener = std::net::TcpListener::from(fd);
        Ok(OsTcpListener {
            io: Registered::new("os-tcp-listener", listener)?,
        })
    }

    pub(crate) async fn accept(&self) -> io::Result<(OsTcpStream, SocketAddr)> {
        let (stream, peer) = syscall(
            &self.io.source,
            &self.io.read_reg,
            Readiness::READABLE,
            || self.io.socket.accept(),
        )
        .await?;
        Ok((OsTcpStream::from_std(stream)?, peer))
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.socket.local_addr()
    }
}
