//! futures-io `AsyncRead`, `AsyncWrite` and `AsyncSeek` for [`File`]: a
//! position over the completion-model operations. This file holds the
//! simulated cursor; the OS one (`os/file.rs`) works the same way with a
//! blocking-pool job in place of each disk operation.
//!
//! Each `poll_read`/`poll_write` submits one `read_at`/`write_at` at the
//! position and reports its completion; the position moves by what was
//! transferred. A write is reported only once it completed (no
//! write-behind buffer: `poll_flush` has nothing to do, and `poll_close`
//! does not fsync, as closing a file on Linux does not). An operation
//! already submitted still takes effect if its future is dropped.

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};

use crate::error;
use crate::file::{File, FileImpl};
use crate::limits;
use crate::sim_file::SimFile;

/// The most one cursor read asks the disk for.
const MAX_READ_BYTES: usize = 1 << 20;

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self.backend() {
            FileImpl::Sim(f) => f.poll_read(cx, buf),
            #[cfg(target_os = "linux")]
            FileImpl::Os(f) => f.poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.backend() {
            FileImpl::Sim(f) => f.poll_write(cx, buf),
            #[cfg(target_os = "linux")]
            FileImpl::Os(f) => f.poll_write(cx, buf),
        }
    }

    /// Writes are reported only once they completed: nothing to flush.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Closing does not fsync, as closing a file on Linux does not.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        match self.backend() {
            FileImpl::Sim(f) => f.poll_seek(pos),
            #[cfg(target_os = "linux")]
            FileImpl::Os(f) => f.poll_seek(cx, pos),
        }
    }
}

impl SimFile {
    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut cursor = self.cursor.borrow_mut();
        let this = self;
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if cursor.reading.is_none() {
            let len = buf.len().min(MAX_READ_BYTES);
            cursor.reading = Some(this.read_at(vec![0; len], cursor.pos));
        }
        let pending = cursor.reading.as_mut().expect("set above");
        let (res, data) = ready!(Pin::new(pending).poll(cx));
        cursor.reading = None;
        // A caller may poll again with a smaller buffer than it started
        // with: hand over what fits; the rest is read again next time.
        let n = res?.min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        cursor.pos += n as u64;
        Poll::Ready(Ok(n))
    }

    fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let mut cursor = self.cursor.borrow_mut();
        let this = self;
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if cursor.writing.is_none() {
            cursor.writing = Some(this.write_at(buf.to_vec(), cursor.pos));
        }
        let pending = cursor.writing.as_mut().expect("set above");
        let (res, _) = ready!(Pin::new(pending).poll(cx));
        cursor.writing = None;
        let n = res?;
        let st = this.disk.state.borrow();
        cursor.pos = if this.append && st.generation == this.generation {
            // O_APPEND: the offset ends up at the end of the file.
            st.stat_ino(this.ino).len
        } else {
            cursor.pos + n as u64
        };
        drop(st);
        Poll::Ready(Ok(n))
    }

    /// Seeking needs no device: the length is in the page cache.
    fn poll_seek(&self, pos: SeekFrom) -> Poll<io::Result<u64>> {
        let mut cursor = self.cursor.borrow_mut();
        let this = self;
        if cursor.reading.is_some() || cursor.writing.is_some() {
            return Poll::Ready(Err(io::Error::other(
                "seek while a cursor read or write is in flight: finish it first",
            )));
        }
        let st = this.disk.state.borrow();
        if st.generation != this.generation {
            return Poll::Ready(Err(error::stale(&this.path)));
        }
        let (base, delta) = match pos {
            SeekFrom::Start(n) => (n, 0),
            SeekFrom::Current(d) => (cursor.pos, d),
            SeekFrom::End(d) => (st.stat_ino(this.ino).len, d),
        };
        drop(st);
        let new = limits::seek(base, delta)?;
        cursor.pos = new;
        Poll::Ready(Ok(new))
    }
}
