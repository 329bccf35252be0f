//! [`OsFile`]: the OS twin of the simulated file, a real descriptor whose
//! every operation runs on the blocking pool.

use std::cell::RefCell;
use std::fmt;
use std::io::{self, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use crate::completion::FileCompletion;
use crate::metadata::Metadata;
use crate::os::{Job, blocking};

/// The most one cursor read asks the kernel for, as in the simulation.
const MAX_READ_BYTES: usize = 1 << 20;

/// An open file on the real file system. The descriptor is shared with
/// the jobs in flight, so it closes when the last of them and the
/// `OsFile` are gone.
pub(crate) struct OsFile {
    file: Arc<std::fs::File>,
    path: PathBuf,
    /// Opened with `O_APPEND`: the kernel puts every write at the end,
    /// and the cursor follows it there.
    append: bool,
    cursor: RefCell<Cursor>,
}

/// The state behind `AsyncRead`/`AsyncWrite`/`AsyncSeek`: the position
/// (kept here, not in the descriptor, so a read whose caller came back
/// with a smaller buffer loses nothing) and at most one job of each kind.
#[derive(Default)]
struct Cursor {
    pos: u64,
    reading: Option<Job<(io::Result<usize>, Vec<u8>)>>,
    /// Completes with the bytes written and the position after them.
    writing: Option<Job<io::Result<(usize, u64)>>>,
    /// An `fstat` for `SeekFrom::End`.
    seeking: Option<Job<io::Result<u64>>>,
}

impl OsFile {
    pub(crate) fn new(file: std::fs::File, path: PathBuf, append: bool) -> OsFile {
        OsFile {
            file: Arc::new(file),
            path,
            append,
            cursor: RefCell::new(Cursor::default()),
        }
    }

    /// `pread` on the pool.
    pub(crate) fn read_at(&self, mut buf: Vec<u8>, offset: u64) -> FileCompletion<Vec<u8>> {
        let file = Arc::clone(&self.file);
        FileCompletion::os(Job::submit(move || {
            let res = file.read_at(&mut buf, offset);
            (res, buf)
        }))
    }

    /// `pwrite` on the pool (with `O_APPEND`, Linux writes at the end
    /// whatever the offset, as the simulation does).
    pub(crate) fn write_at(&self, buf: Vec<u8>, offset: u64) -> FileCompletion<Vec<u8>> {
        let file = Arc::clone(&self.file);
        FileCompletion::os(Job::submit(move || {
            let res = file.write_at(&buf, offset);
            (res, buf)
        }))
    }

    pub(crate) async fn sync_all(&self) -> io::Result<()> {
        let file = Arc::clone(&self.file);
        blocking(move || file.sync_all()).await
    }

    pub(crate) async fn sync_data(&self) -> io::Result<()> {
        let file = Arc::clone(&self.file);
        blocking(move || file.sync_data()).await
    }

    pub(crate) async fn set_len(&self, size: u64) -> io::Result<()> {
        let file = Arc::clone(&self.file);
        blocking(move || file.set_len(size)).await
    }

    pub(crate) async fn metadata(&self) -> io::Result<Metadata> {
        let file = Arc::clone(&self.file);
        let m = blocking(move || file.metadata()).await?;
        Ok(Metadata::new(m.len(), m.is_dir()))
    }

    /// One cursor read: a `pread` at the position, on the pool.
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut cursor = self.cursor.borrow_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if cursor.reading.is_none() {
            let len = buf.len().min(MAX_READ_BYTES);
            let (file, pos) = (Arc::clone(&self.file), cursor.pos);
            cursor.reading = Some(Job::submit(move || {
                let mut data = vec![0; len];
                let res = file.read_at(&mut data, pos);
                (res, data)
            }));
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

    /// One cursor write: a `pwrite` at the position (the end, with
    /// `O_APPEND`), on the pool. The buffer a retried poll passes is
    /// assumed to start with the bytes of the write in flight, as
    /// `AsyncWrite` callers guarantee.
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let mut cursor = self.cursor.borrow_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if cursor.writing.is_none() {
            let (file, pos, append) = (Arc::clone(&self.file), cursor.pos, self.append);
            let data = buf.to_vec();
            cursor.writing = Some(Job::submit(move || {
                let n = file.write_at(&data, pos)?;
                let end = if append {
                    file.metadata()?.len()
                } else {
                    pos + n as u64
                };
                Ok((n, end))
            }));
        }
        let pending = cursor.writing.as_mut().expect("set above");
        let res = ready!(Pin::new(pending).poll(cx));
        cursor.writing = None;
        let (n, end) = res?;
        cursor.pos = end;
        Poll::Ready(Ok(n))
    }

    /// Moves the position; `SeekFrom::End` asks the pool for the length.
    pub(crate) fn poll_seek(&self, cx: &mut Context<'_>, pos: SeekFrom) -> Poll<io::Result<u64>> {
        let mut cursor = self.cursor.borrow_mut();
        if cursor.reading.is_some() || cursor.writing.is_some() {
            return Poll::Ready(Err(io::Error::other(
                "seek while a cursor read or write is in flight: finish it first",
            )));
        }
        if !matches!(pos, SeekFrom::End(_)) {
            // A seek to the end given up for another kind of seek.
            cursor.seeking = None;
        }
        let (base, delta) = match pos {
            SeekFrom::Start(n) => (n, 0),
            SeekFrom::Current(d) => (cursor.pos, d),
            SeekFrom::End(d) => {
                if cursor.seeking.is_none() {
                    let file = Arc::clone(&self.file);
                    cursor.seeking = Some(Job::submit(move || Ok(file.metadata()?.len())));
                }
                let pending = cursor.seeking.as_mut().expect("set above");
                let len = ready!(Pin::new(pending).poll(cx));
                cursor.seeking = None;
                (len?, d)
            }
        };
        // lseek's off_t is signed: a position above i64::MAX is EINVAL.
        match base
            .checked_add_signed(delta)
            .filter(|&new| i64::try_from(new).is_ok())
        {
            Some(new) => {
                cursor.pos = new;
                Poll::Ready(Ok(new))
            }
            None => Poll::Ready(Err(io::Error::from_raw_os_error(EINVAL))),
        }
    }
}

/// Linux's `EINVAL`, what `lseek` says to a negative position (or one
/// past the file system's limit).
const EINVAL: i32 = 22;

impl fmt::Debug for OsFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("path", &self.path)
            .field("os", &true)
            .field("pos", &self.cursor.try_borrow().map(|c| c.pos).ok())
            .finish_non_exhaustive()
    }
}
