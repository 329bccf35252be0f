//! A [`DuplexStream`] as an async byte stream: futures-io `AsyncRead` and
//! `AsyncWrite` on top of its readiness layer, through the kernel's
//! try-then-wait loop ([`IoSource::poll_io`](crate::kernel::IoSource::poll_io)).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::io::DuplexStream;
use crate::kernel::Interest;

impl DuplexStream {
    /// Reads into `buf`, waiting for readiness as needed; what
    /// `AsyncRead::poll_read` does, through a shared reference (for halves
    /// of a split stream).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        self.io()
            .poll_io(cx, Interest::READABLE, |end| end.try_read(buf))
    }

    /// Writes from `buf`, waiting for readiness as needed; what
    /// `AsyncWrite::poll_write` does, through a shared reference.
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        self.io()
            .poll_io(cx, Interest::WRITABLE, |end| end.try_write(buf))
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
