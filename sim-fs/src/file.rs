//! [`File`]: an open file on the simulated disk.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use sim_core::kernel::Completion;

use crate::disk::{Cost, Disk};
use crate::error;
use crate::inode::Ino;
use crate::metadata::Metadata;
use crate::namespace::Stat;
use crate::open_options::OpenOptions;

/// An open file (or directory) on the current node's simulated disk.
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
/// next [`sync_all`] (see the crate docs, "Durability model").
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
    pub(crate) disk: Rc<Disk>,
    pub(crate) path: PathBuf,
    pub(crate) ino: Ino,
    /// The disk's generation when opened: after a crash the handle is dead.
    pub(crate) generation: u64,
    pub(crate) is_dir: bool,
    pub(crate) read: bool,
    pub(crate) write: bool,
    pub(crate) append: bool,
    pub(crate) cursor: Cursor,
}

/// The state behind `AsyncRead`/`AsyncWrite`/`AsyncSeek`.
#[derive(Default)]
pub(crate) struct Cursor {
    pub(crate) pos: u64,
    pub(crate) reading: Option<Completion<Vec<u8>>>,
    pub(crate) writing: Option<Completion<Vec<u8>>>,
}

impl File {
    pub(crate) fn new(
        disk: Rc<Disk>,
        path: PathBuf,
        stat: Stat,
        opts: &OpenOptions,
        generation: u64,
    ) -> File {
        File {
            disk,
            path,
            ino: stat.ino,
            generation,
            is_dir: stat.is_dir,
            read: opts.read,
            write: opts.write || opts.append,
            append: opts.append,
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
    /// injected read error or a latent sector error.
    pub fn read_at(&self, buf: Vec<u8>, offset: u64) -> Completion<Vec<u8>> {
        let (ino, disk, path) = (self.ino, self.disk.id, self.path.clone());
        let (readable, is_dir) = (self.read, self.is_dir);
        let len = buf.len();
        self.disk.submit(
            self.generation,
            &self.path,
            Cost::Transfer,
            len,
            buf,
            move |st, buf, allowed| {
                if is_dir {
                    return Err(error::is_a_directory(&path));
                }
                if !readable {
                    return Err(error::bad_access(&path, "read"));
                }
                st.read_file(disk, ino, offset, &mut buf[..allowed])
            },
        )
    }

    /// Writes `buf` at `offset` (at the end of the file in append mode,
    /// whatever `offset` says). Completes with the bytes written (fewer
    /// than asked under a short completion) and the buffer; the data is
    /// then in the page cache, not yet durable.
    ///
    /// Errors (in the completion): `PermissionDenied` if the file was not
    /// opened for writing (Linux says `EBADF`), `StorageFull` (nothing is
    /// written), `EIO` from an injected write error.
    pub fn write_at(&self, buf: Vec<u8>, offset: u64) -> Completion<Vec<u8>> {
        let (ino, disk, path) = (self.ino, self.disk.id, self.path.clone());
        let (writable, append) = (self.write, self.append);
        let len = buf.len();
        self.disk.submit(
            self.generation,
            &self.path,
            Cost::Transfer,
            len,
            buf,
            move |st, buf, allowed| {
                if !writable {
                    return Err(error::bad_access(&path, "write"));
                }
                st.write_file(disk, ino, offset, append, &buf[..allowed])
            },
        )
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
            let (res, _) = self
                .write_at(buf[done..].to_vec(), offset + done as u64)
                .await;
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
            let (res, part) = self
                .read_at(vec![0; buf.len() - done], offset + done as u64)
                .await;
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
    /// it) durable.
    ///
    /// # Errors
    ///
    /// `EIO` from an injected fsync error: the changes it covered are then
    /// never durable (though reads still see them until a crash), and the
    /// next `sync_all` succeeds without reporting it, as on Linux since
    /// "fsyncgate". Treat an fsync error as data loss.
    pub async fn sync_all(&self) -> io::Result<()> {
        let (ino, disk) = (self.ino, self.disk.id);
        let completion = self.disk.submit(
            self.generation,
            &self.path,
            Cost::Sync,
            0,
            (),
            move |st, _, _| st.fsync(disk, ino).map(|()| 0),
        );
        completion.await.0.map(drop)
    }

    /// As [`sync_all`](File::sync_all): the simulation keeps no metadata
    /// that `fdatasync` could skip.
    ///
    /// # Errors
    ///
    /// As [`sync_all`](File::sync_all).
    pub async fn sync_data(&self) -> io::Result<()> {
        self.sync_all().await
    }

    /// Truncates or zero-extends the file to `size` bytes (durable after
    /// an fsync).
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the file is not open for writing (Linux's
    /// `ftruncate` says `EINVAL`), `StorageFull`.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        if !self.write || self.is_dir {
            return Err(error::invalid(
                "set_len: the file is not open for writing (EINVAL)",
            ));
        }
        let ino = self.ino;
        let completion = self.disk.submit(
            self.generation,
            &self.path,
            Cost::Transfer,
            0,
            (),
            move |st, _, _| st.set_file_len(ino, size).map(|()| 0),
        );
        completion.await.0.map(drop)
    }

    /// The file's metadata (length as the page cache has it).
    ///
    /// # Errors
    ///
    /// If the disk crashed since the file was opened.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let ino = self.ino;
        let slot = self.disk.submit(
            self.generation,
            &self.path,
            Cost::Transfer,
            0,
            None,
            move |st, slot: &mut Option<Metadata>, _| {
                *slot = Some(Metadata::from_stat(&st.stat_ino(ino)));
                Ok(0)
            },
        );
        match slot.await {
            (Ok(_), Some(m)) => Ok(m),
            (Err(e), _) => Err(e),
            (Ok(_), None) => unreachable!("metadata completed without running"),
        }
    }
}

impl Drop for File {
    fn drop(&mut self) {
        let mut st = self.disk.state.borrow_mut();
        if st.generation == self.generation {
            let inode = st.inode_mut(self.ino);
            inode.open = inode.open.checked_sub(1).expect("open count underflow");
        }
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("path", &self.path)
            .field("ino", &self.ino)
            .field("pos", &self.cursor.pos)
            .finish_non_exhaustive()
    }
}
