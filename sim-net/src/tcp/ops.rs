//! The operations `TcpStream` and its halves share, each a call into the
//! kernel's try-then-wait loop ([`IoSource`](sim_core::kernel::IoSource))
//! over the connection's socket. Readiness follows tokio's contract there:
//! it holds until an operation says `WouldBlock`.

use std::io;
use std::net::Shutdown;
use std::task::{Context, Poll};

use sim_core::kernel::net::{Errno, SocketIo};
use sim_core::kernel::{Interest, Readiness, Resident};

/// `AsyncRead::poll_read`: an empty buffer reads nothing at once.
#[inline]
pub(crate) fn poll_read(
    io: &SocketIo,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>> {
    if buf.is_empty() {
        return Poll::Ready(Ok(0));
    }
    io.poll_io(cx, Interest::READABLE, |s| s.read(buf))
}

/// `AsyncWrite::poll_write`: an empty buffer writes nothing at once.
#[inline]
pub(crate) fn poll_write(
    io: &SocketIo,
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<io::Result<usize>> {
    if buf.is_empty() {
        return Poll::Ready(Ok(0));
    }
    io.poll_io(cx, Interest::WRITABLE, |s| s.write(buf))
}

/// `AsyncWrite::poll_close`: FIN after what was written. A connection
/// that is already over (`ENOTCONN`: reset, timed out) has nothing left to
/// shut down, which is not an error here.
pub(crate) fn shutdown_write(io: &SocketIo) -> io::Result<()> {
    // The FIN segment is the kernel's.
    let _untracked = sim_core::alloc::Untracked::new();
    match io.get_ref().shutdown(Shutdown::Write) {
        Err(e) if Errno::ENOTCONN.is(&e) => Ok(()),
        other => other,
    }
}

/// `try_read`: one read, without waiting.
pub(crate) fn try_read(io: &SocketIo, buf: &mut [u8]) -> io::Result<usize> {
    io.try_io(Interest::READABLE, |s| s.read(buf))
}

/// `try_write`: one write, without waiting.
pub(crate) fn try_write(io: &SocketIo, buf: &[u8]) -> io::Result<usize> {
    io.try_io(Interest::WRITABLE, |s| s.write(buf))
}

/// `poll_read_ready` and its siblings.
pub(crate) fn poll_ready(
    io: &SocketIo,
    cx: &mut Context<'_>,
    interest: Interest,
) -> Poll<io::Result<Readiness>> {
    io.poll_ready(cx, interest).map(Ok)
}

/// `ready(interest)`.
pub(crate) async fn ready(inner: &Resident<SocketIo>, interest: Interest) -> io::Result<Readiness> {
    std::future::poll_fn(|cx| poll_ready(inner.get(), cx, interest)).await
}

/// `peek`: waits for data and copies it without consuming it.
pub(crate) async fn peek(inner: &Resident<SocketIo>, buf: &mut [u8]) -> io::Result<usize> {
    std::future::poll_fn(|cx| inner.get().poll_io(cx, Interest::READABLE, |s| s.peek(buf))).await
}
