//! tokio's IO traits over a `detsim::fs::File`, whose own are futures-io's:
//! reads fill the `ReadBuf`'s unfilled part, and tokio's two-step seek
//! (`start_seek`, then `poll_complete`) becomes one futures-io seek.

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncRead as _, AsyncSeek as _, AsyncWrite as _};
use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

/// A simulated file with tokio's traits.
#[derive(Debug)]
pub(crate) struct SimFile {
    pub(crate) file: detsim::fs::File,
    /// The seek `start_seek` asked for, until `poll_complete` finishes it.
    seek: Option<SeekFrom>,
}

impl SimFile {
    pub(crate) fn new(file: detsim::fs::File) -> SimFile {
        SimFile { file, seek: None }
    }
}

impl AsyncRead for SimFile {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n =
            ready!(Pin::new(&mut self.get_mut().file).poll_read(cx, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for SimFile {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().file).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().file).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().file).poll_close(cx)
    }
}

impl AsyncSeek for SimFile {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        let this = self.get_mut();
        if this.seek.is_some() {
            // tokio's rule: one seek at a time.
            return Err(io::Error::other(
                "other file operation is pending, call poll_complete before start_seek",
            ));
        }
        this.seek = Some(position);
        Ok(())
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        let position = this.seek.unwrap_or(SeekFrom::Current(0));
        let result = ready!(Pin::new(&mut this.file).poll_seek(cx, position));
        this.seek = None;
        Poll::Ready(result)
    }
}
