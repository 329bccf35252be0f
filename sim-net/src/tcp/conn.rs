//! A TCP connection on either backend: the simulated stream, or a real
//! socket on the OS runtime. `TcpStream` and its halves share one.

use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use sim_core::kernel::{Interest, Readiness};

use crate::tcp::stream::StreamInner;

pub(crate) enum Conn {
    Sim(StreamInner),
    #[cfg(target_os = "linux")]
    Os(crate::os::OsTcpStream),
}

/// Calls the same method on whichever backend the connection has.
macro_rules! dispatch {
    ($self:ident, $c:ident => $e:expr) => {
        match $self {
            Conn::Sim($c) => $e,
            #[cfg(target_os = "linux")]
            Conn::Os($c) => $e,
        }
    };
}

impl Conn {
    /// The connection's readiness source (its resource id and kind name
    /// it in reports).
    pub(crate) fn source(&self) -> &sim_core::kernel::Source {
        match self {
            Conn::Sim(c) => c.io.source(),
            #[cfg(target_os = "linux")]
            Conn::Os(c) => &c.io.source,
        }
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        dispatch!(self, c => c.local_addr())
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        dispatch!(self, c => c.peer_addr())
    }

    /// Sends FIN after the data already written; idempotent.
    pub(crate) fn shutdown_write(&self) -> io::Result<()> {
        dispatch!(self, c => c.shutdown_write())
    }

    pub(crate) fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        dispatch!(self, c => c.set_ttl(ttl))
    }

    pub(crate) fn ttl(&self) -> io::Result<u32> {
        dispatch!(self, c => c.ttl())
    }

    pub(crate) fn try_peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        dispatch!(self, c => c.try_peek(buf))
    }

    pub(crate) fn set_nodelay(&self, on: bool) -> io::Result<()> {
        dispatch!(self, c => c.set_nodelay(on))
    }

    pub(crate) fn nodelay(&self) -> io::Result<bool> {
        dispatch!(self, c => c.nodelay())
    }

    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        dispatch!(self, c => c.try_read(buf))
    }

    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        dispatch!(self, c => c.try_write(buf))
    }

    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        dispatch!(self, c => c.poll_read(cx, buf))
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        dispatch!(self, c => c.poll_write(cx, buf))
    }

    pub(crate) fn poll_ready(&self, cx: &mut Context<'_>, interest: Interest) -> Poll<Readiness> {
        dispatch!(self, c => c.poll_ready(cx, interest))
    }
}
