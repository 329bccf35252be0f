//! A [`DuplexStream`] as an async byte stream: futures-io `AsyncRead` and
//! `AsyncWrite` on top of its readiness layer, written once in
//! [`poll_io`].

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncRead, AsyncWrite};

use crate::io::DuplexStream;
use crate::kernel::Registration;

/// Runs `op`, waiting on `ready` whenever it would block, and retrying
/// `Interrupted` (as std's `read_exact` does).
///
/// The operation is tried before readiness is awaited: an edge-triggered
/// registration only reports changes, so readiness is sticky until an
/// operation says `WouldBlock` (what tokio's `clear_readiness` achieves).
/// A spurious readiness event costs one more `WouldBlock` and a new wait.
fn poll_io(
    cx: &mut Context<'_>,
    reg: &Registration,
    mut op: impl FnMut() -> io::Result<usize>,
) -> Poll<io::Result<usize>> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                reg.clear_pending();
                ready!(reg.poll_ready(cx));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            result => return Poll::Ready(result),
        }
    }
}

impl DuplexStream {
    /// Reads into `buf`, waiting for readiness as needed; what
    /// `AsyncRead::poll_read` does, through a shared reference (for halves
    /// of a split stream).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        poll_io(cx, self.read_reg(), || self.try_read(buf))
    }

    /// Writes from `buf`, waiting for readiness as needed; what
    /// `AsyncWrite::poll_write` does, through a shared reference.
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        poll_io(cx, self.write_reg(), || self.try_write(buf))
    }
}

impl AsyncRead for DuplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_recv(cx, buf)
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_send(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Written bytes are already on their way; there is nothing to flush.
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shutdown_write();
        Poll::Ready(Ok(()))
    }
}
