//! [`File`]: an open file, written once over the kernel's
//! [`OpenFile`]: a simulated disk's, or on the OS runtime a real one.

use std::fmt;
use std::io;
use std::path::Path;

use sim_core::kernel::fs::OpenFile;

use crate::completion::FileCompletion;
use crate::cursor::Cursor;
use crate::metadata::Metadata;
use crate::open_options::OpenOptions;

/// An open file (or directory) on the current node's simulated disk, or
/// on the OS runtime (`detsim::Runtime::os()`) a real one, every system
/// call of it on the blocking pool.
///
/// Two ways to do IO. The completion model, as io_uring: [`read_at`] and
/// [`write_at`] take an owned buffer and complete later with `(result,
/// buffer)`; operations in flight together complete in a seeded order, and
/// may transfer fewer bytes than asked (a short completion), so loop or use
/// [`write_all_at`]/[`read_exact_at`]. And a cursor: `File` implements
/// futures-io `AsyncRead`, `AsyncWrite` and `AsyncSeek` over a position
/// that starts at 0.
///
/// Data reaches the page cache when a write completes and the media at the
/// next [`sync_all`] (see the crate docs, "Durability model"). On the OS
/// runtime the same holds, by the real kernel's rules.
///
/// ```
/// use detsim::fs::File;
///
/// detsim::Runtime::sim(3).block_on(async {
///     let f = File::create("/data").await.unwrap();
///     let (res, _) = f.write_all_at(b"hello world".to_vec(), 0).await;
///     res.unwrap();
///     f.sync_all().await.unwrap();
///     let (res, buf) = f.read_at(vec![0; 5], 6).await;
///     // Opened by File::create: write-only, as in std.
///     assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::PermissionDenied);
///     let f = File::open("/data").await.unwrap();
///     let (res, buf) = f.read_exact_at(buf, 6).await;
///     res.unwrap();
///     assert_eq!(buf, b"world");
/// });
/// ```
///
/// [`read_at`]: File::read_at
/// [`write_at`]: File::write_at
/// [`write_all_at`]: File::write_all_at
/// [`read_exact_at`]: File::read_exact_at
/// [`sync_all`]: File::sync_all
pub struct File {
    /// The kernel's open file: `Send + Sync` (a simulated one keeps its
    /// state in the runtime, behind a `Resident`).
    pub(crate) file: Box<dyn OpenFile>,
    /// Opened for appending: a cursor write moves the position to the end.
    pub(crate) append: bool,
    /// The position and operations of `AsyncRead`/`AsyncWrite`/`AsyncSeek`.
    pub(crate) cursor: Cursor,
}

impl File {
    pub(crate) fn new(file: Box<dyn OpenFile>, append: bool) -> File {
        File {
            file,
            append,
            cursor: Cursor::default(),
        }
    }

    /// Opens `path` read-only. A directory can be opened this way, to
    /// [`sync_all`](File::sync_all) it.
    ///
    /// # Errors
    ///
    /// `NotFound`, `NotADirectory` (a path component is a file), and the
    /// others [`OpenOptions::open`] lists.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens `path` write-only, creating it or truncating it.
    ///
    /// # Errors
    ///
    /// `NotFound` (the parent is missing), `IsADirectory`, `NotADirectory`.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Creates `path` read-write, failing if it exists.
    ///
    /// # Errors
    ///
    /// `AlreadyExists`, `NotFound` (the parent is missing), `NotADirectory`.
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// Options to open a file with, as `std::fs::File::options`.
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Reads into `buf` from `offset`. Completes with the bytes read (0 at
    /// or past the end of the file, fewer than asked under a short
    /// completion) and the buffer.
    ///
    /// Errors (in the completion): `PermissionDenied` if the file was not
    /// opened for reading, `IsADirectory`, `EIO` (raw OS error 5) from an
    /// injected read error or a latent sector error. On the OS runtime, a
    /// `pread` on the blocking pool, and its real errors (`EBADF` for the
    /// access mode).
    pub fn read_at(&self, buf: Vec<u8>, offset: u64) -> FileCompletion<Vec<u8>> {
        FileCompletion::new(self.file.pread(buf, offset))
    }

    /// Writes `buf` at `offset` (at the end of the file in append mode,
    /// whatever `offset` says). Completes with the bytes written (fewer
    /// than asked under a short completion) and the buffer; the data is
    /// then in the page cache, not yet durable.
    ///
    /// Errors (in the completion): `PermissionDenied` if the file was not
    /// opened for writing (Linux says `EBADF`), `StorageFull` (nothing is
    /// written), `EIO` from an injected write error. On the OS runtime, a
    /// `pwrite` on the blocking pool, and its real errors.
    pub fn write_at(&self, buf: Vec<u8>, offset: u64) -> FileCompletion<Vec<u8>> {
        FileCompletion::new(self.file.pwrite(buf, offset))
    }

    /// Writes all of `buf` at `offset`, resubmitting the rest after short
    /// completions. Returns the buffer with the result.
    pub async fn write_all_at(&self, buf: Vec<u8>, offset: u64) -> (io::Result<()>, Vec<u8>) {
        let (res, buf) = self.write_at(buf, offset).await;
        let mut done = match res {
            Ok(n) => n,
            Err(e) => return (Err(e), buf),
        };
        while done < buf.len() {
            let at = match advance(offset, done) {
                Ok(at) => at,
                Err(e) => return (Err(e), buf),
            };
            let (res, _) = self.write_at(buf[done..].to_vec(), at).await;
            match res {
                Ok(0) => {
                    let e = io::Error::new(io::ErrorKind::WriteZero, "write_at wrote 0 bytes");
                    return (Err(e), buf);
                }
                Ok(n) => done += n,
                Err(e) => return (Err(e), buf),
            }
        }
        (Ok(()), buf)
    }

    /// Fills `buf` from `offset`, resubmitting after short completions.
    /// `UnexpectedEof` if the file ends first (the buffer holds what was
    /// read).
    pub async fn read_exact_at(&self, buf: Vec<u8>, offset: u64) -> (io::Result<()>, Vec<u8>) {
        let mut buf = buf;
        let mut done = 0;
        while done < buf.len() {
            let at = match advance(offset, done) {
                Ok(at) => at,
                Err(e) => return (Err(e), buf),
            };
            let (res, part) = self.read_at(vec![0; buf.len() - done], at).await;
            match res {
                Ok(0) => {
                    let e = io::Error::new(io::ErrorKind::UnexpectedEof, "the file ended");
                    return (Err(e), buf);
                }
                Ok(n) => {
                    buf[done..done + n].copy_from_slice(&part[..n]);
                    done += n;
                }
                Err(e) => return (Err(e), buf),
            }
        }
        (Ok(()), buf)
    }

    /// Makes the file's data and length durable (fsync). On a directory,
    /// makes its pending entries (creates, removes, renames in or out of
    /// it) durable, with every directory operation before them.
    ///
    /// # Errors
    ///
    /// `EIO` from an injected fsync error: a file's changes it covered are
    /// then never durable (though reads still see them until a crash), and
    /// the next `sync_all` succeeds without reporting it, as on Linux since
    /// "fsyncgate". Treat an fsync error as data loss. (A directory's
    /// entries stay pending instead.)
    pub async fn sync_all(&self) -> io::Result<()> {
        self.file.fsync().await
    }

    /// As [`sync_all`](File::sync_all): the simulation keeps no metadata
    /// that `fdatasync` could skip. On the OS runtime, a real `fdatasync`.
    ///
    /// # Errors
    ///
    /// As [`sync_all`](File::sync_all).
    pub async fn sync_data(&self) -> io::Result<()> {
        self.file.fdatasync().await
    }

    /// Truncates or zero-extends the file to `size` bytes (durable after
    /// an fsync).
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the file is not open for writing (Linux's
    /// `ftruncate` says `EINVAL`), `StorageFull`.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        self.file.ftruncate(size).await
    }

    /// The file's metadata (length as the page cache has it).
    ///
    /// # Errors
    ///
    /// If the disk crashed since the file was opened.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        Ok(self.file.fstat().await?.into())
    }
}

/// `offset + done`: where the rest of a `*_all_at` transfer goes.
/// `InvalidInput` (Linux's `EINVAL` for a position no `off_t` holds)
/// instead of an overflow.
fn advance(offset: u64, done: usize) -> io::Result<u64> {
    offset.checked_add(done as u64).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("offset {offset} + {done} bytes overflows (EINVAL)"),
        )
    })
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("file", &self.file)
            .field("pos", &self.cursor.position())
            .finish_non_exhaustive()
    }
}
