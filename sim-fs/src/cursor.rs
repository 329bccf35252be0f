//! futures-io `AsyncRead`, `AsyncWrite` and `AsyncSeek` for [`File`]: a
//! position over the kernel's completion-model calls ([`OpenFile`]),
//! written once for both kernels.
//!
//! Each `poll_read`/`poll_write` submits one `pread`/`pwrite` at the
//! position and reports its completion; the position moves by what was
//! transferred (to the end of the file after an appending write, as
//! `O_APPEND` moves Linux's file offset). A write is reported only once it
//! completed (no write-behind buffer: `poll_flush` has nothing to do, and
//! `poll_close` does not fsync, as closing a file on Linux does not). An
//! operation already submitted still takes effect if its caller gives up.
//!
//! The position is detsim's, not the kernel's: a read whose caller comes
//! back with a smaller buffer loses nothing (the rest is read again), and
//! it is bounded by the simulated disk's largest file on both kernels.
//! Seeking needs the kernel only for `SeekFrom::End`, which asks it for
//! the length ([`OpenFile::seek_end`]: at once on a simulated disk).

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};
use sim_core::kernel::fs::OpenFile;
use sim_core::kernel::{BufResult, Completion};

use crate::file::File;
use crate::limits;

/// The most one cursor read asks the kernel for.
const MAX_READ_BYTES: usize = 1 << 20;

type Transfer = Completion<BufResult<usize, Vec<u8>>>;

/// The state behind the cursor traits. Each field is one operation in
/// flight, at most one of each kind:
///
/// - `reading`: a `pread` at `pos`, from a `poll_read` until one that sees
///   it complete;
/// - `writing`: a `pwrite` at `pos`, from a `poll_write` until one that
///   sees it complete;
/// - `locating`: after an appending write of that many bytes completed,
///   the length that becomes the position, until a `poll_write` sees it;
/// - `seeking`: the length for a `SeekFrom::End`, until a `poll_seek`
///   sees it (a seek of another kind gives it up).
#[derive(Debug, Default)]
pub(crate) struct Cursor {
    pos: u64,
    reading: Option<Transfer>,
    writing: Option<Transfer>,
    locating: Option<(usize, Completion<io::Result<u64>>)>,
    seeking: Option<Completion<io::Result<u64>>>,
}

impl Cursor {
    /// The position.
    pub(crate) fn position(&self) -> u64 {
        self.pos
    }

    fn poll_read(
        &mut self,
        file: &dyn OpenFile,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let _untracked = sim_core::alloc::Untracked::new();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let pos = self.pos;
        let pending = self.reading.get_or_insert_with(|| {
            let len = buf.len().min(MAX_READ_BYTES);
            file.pread(vec![0; len], pos)
        });
        let (res, data) = ready!(Pin::new(pending).poll(cx));
        self.reading = None;
        // A caller may poll again with a smaller buffer than it started
        // with: hand over what fits; the rest is read again next time.
        let n = res?.min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        self.pos += n as u64;
        Poll::Ready(Ok(n))
    }

    /// The buffer a retried poll passes is assumed to start with the bytes
    /// of the write in flight, as `AsyncWrite` callers guarantee.
    fn poll_write(
        &mut self,
        file: &dyn OpenFile,
        append: bool,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let _untracked = sim_core::alloc::Untracked::new();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if self.locating.is_none() {
            let pos = self.pos;
            let pending = self
                .writing
                .get_or_insert_with(|| file.pwrite(buf.to_vec(), pos));
            let (res, _) = ready!(Pin::new(pending).poll(cx));
            self.writing = None;
            let n = res?;
            if !append {
                self.pos += n as u64;
                return Poll::Ready(Ok(n));
            }
            self.locating = Some((n, file.seek_end()));
        }
        let (n, end) = self.locating.as_mut().expect("set above");
        let n = *n;
        let end = ready!(Pin::new(end).poll(cx));
        self.locating = None;
        // O_APPEND: the position ends up at the end of the file. A handle
        // that can no longer say where that is (its disk crashed) moves by
        // what it wrote; its next operation reports the error.
        self.pos = end.unwrap_or(self.pos + n as u64);
        Poll::Ready(Ok(n))
    }

    fn poll_seek(
        &mut self,
        file: &dyn OpenFile,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        if self.reading.is_some() || self.writing.is_some() || self.locating.is_some() {
            return Poll::Ready(Err(io::Error::other(
                "seek while a cursor read or write is in flight: finish it first",
            )));
        }
        let (base, delta) = match pos {
            SeekFrom::Start(n) => (n, 0),
            SeekFrom::Current(d) => (self.pos, d),
            SeekFrom::End(d) => {
                let pending = self.seeking.get_or_insert_with(|| file.seek_end());
                let len = ready!(Pin::new(pending).poll(cx));
                self.seeking = None;
                (len?, d)
            }
        };
        // A seek to the end given up for another kind of seek.
        self.seeking = None;
        let new = limits::seek(base, delta)?;
        self.pos = new;
        Poll::Ready(Ok(new))
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.cursor.poll_read(&*this.file, cx, buf)
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.cursor.poll_write(&*this.file, this.append, cx, buf)
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
        let this = self.get_mut();
        this.cursor.poll_seek(&*this.file, cx, pos)
    }
}
