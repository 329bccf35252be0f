use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use sim_core::kernel::{
    FdRegistration, Interest, KernelHandle, Readiness, Registration, Source, Trigger,
};

use crate::addr::ToSocketAddr;
use crate::os::{resolve, syscall};

/// A real UDP socket, owned by its epoll registration (which deregisters
/// before the socket closes).
pub(crate) struct OsUdpSocket {
    read_reg: Registration,
    write_reg: Registration,
    source: Source,
    socket: FdRegistration<std::net::UdpSocket>,
}

impl OsUdpSocket {
    pub(crate) async fn bind(addr: impl ToSocketAddr) -> io::Result<OsUdpSocket> {
        let addr = resolve(addr).await?;
        let socket = std::net::UdpSocket::bind(addr)?;
        socket.set_nonblocking(true)?;
        let source = Source::new("os-udp", Readiness::EMPTY);
        let socket = KernelHandle::current().register_fd(socket, &source)?;
        let read_reg = source.register(Interest::READABLE, Trigger::Edge);
        let write_reg = source.register(Interest::WRITABLE, Trigger::Edge);
        Ok(OsUdpSocket {
            read_reg,
            write_reg,
            source,
            socket,
        })
    }

    /// The socket's readiness source.
    pub(crate) fn source(&self) -> &Source {
        &self.source
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.socket.peer_addr()
    }

    pub(crate) async fn connect(&self, addr: impl ToSocketAddr) -> io::Result<()> {
        self.socket.connect(resolve(addr).await?)
    }

    pub(crate) async fn send_to(&self, buf: &[u8], addr: impl ToSocketAddr) -> io::Result<usize> {
        let to = resolve(addr).await?;
        syscall(&self.source, &self.write_reg, Readiness::WRITABLE, || {
            self.socket.send_to(buf, to)
        })
        .await
    }

    pub(crate) async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        syscall(&self.source, &self.write_reg, Readiness::WRITABLE, || {
            self.socket.send(buf)
        })
        .await
    }

    pub(crate) async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        syscall(&self.source, &self.read_reg, Readiness::READABLE, || {
            self.socket.recv_from(buf)
        })
        .await
    }

    pub(crate) async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        syscall(&self.source, &self.read_reg, Readiness::READABLE, || {
            self.socket.recv(buf)
        })
        .await
    }

    pub(crate) fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let r = self.socket.recv_from(buf);
        if matches!(&r, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.source.clear(Readiness::READABLE);
            self.read_reg.clear_pending();
        }
        r
    }

    pub(crate) fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.socket.recv(buf);
        if matches!(&r, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.source.clear(Readiness::READABLE);
            self.read_reg.clear_pending();
        }
        r
    }

    pub(crate) fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.sent(self.socket.send_to(buf, target))
    }

    pub(crate) fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.sent(self.socket.send(buf))
    }

    /// On `WouldBlock` the socket is no longer writable.
    fn sent(&self, r: io::Result<usize>) -> io::Result<usize> {
        if matches!(&r, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.source.clear(Readiness::WRITABLE);
            self.write_reg.clear_pending();
        }
        r
    }

    pub(crate) fn poll_ready(&self, cx: &mut Context<'_>, interest: Interest) -> Poll<Readiness> {
        crate::ready::poll_ready(
            cx,
            &self.source,
            interest,
            |cx| self.read_reg.poll_ready(cx),
            |cx| self.write_reg.poll_ready(cx),
        )
    }
}
