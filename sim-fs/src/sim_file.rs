//! [`SimFile`]: the simulated twin of [`File`](crate::File), an open inode
//! on the current node's simulated disk.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::rc::Rc;

use sim_core::kernel::{BufResult, Completion};

use crate::disk::{Cost, Disk};
use crate::error;
use crate::inode::Ino;
use crate::metadata::Metadata;
use crate::namespace::Stat;
use crate::open_options::OpenOptions;

/// An open file (or directory) on a simulated disk. Every operation is
/// submitted to the disk and completes at a seeded time; see
/// [`File`](crate::File) for the contract.
pub(crate) struct SimFile {
    pub(crate) disk: Rc<Disk>,
    pub(crate) path: PathBuf,
    pub(crate) ino: Ino,
    /// The disk's generation when opened: after a crash the handle is dead.
    pub(crate) generation: u64,
    pub(crate) is_dir: bool,
    pub(crate) read: bool,
    pub(crate) write: bool,
    pub(crate) append: bool,
    pub(crate) cursor: RefCell<Cursor>,
}

/// The state behind `AsyncRead`/`AsyncWrite`/`AsyncSeek`.
#[derive(Default)]
pub(crate) struct Cursor {
    pub(crate) pos: u64,
    pub(crate) reading: Option<Completion<BufResult<usize, Vec<u8>>>>,
    pub(crate) writing: Option<Completion<BufResult<usize, Vec<u8>>>>,
}

impl SimFile {
    pub(crate) fn new(
        disk: Rc<Disk>,
        path: PathBuf,
        stat: Stat,
        opts: &OpenOptions,
        generation: u64,
    ) -> SimFile {
        SimFile {
            disk,
            path,
            ino: stat.ino,
            generation,
            is_dir: stat.is_dir,
            read: opts.read,
            write: opts.write || opts.append,
            append: opts.append,
            cursor: RefCell::new(Cursor::default()),
        }
    }

    /// Submits a read of `buf.len()` bytes at `offset`.
    pub(crate) fn read_at(
        &self,
        buf: Vec<u8>,
        offset: u64,
    ) -> Completion<BufResult<usize, Vec<u8>>> {
        let (ino, disk, path) = (self.ino, self.disk.id, self.path.clone());
        let (readable, is_dir) = (self.read, self.is_dir);
        let len = buf.len();
        sim_core::kernel::KernelHandle::current().note_payload(&buf);
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

    /// Submits a write of `buf` at `offset` (at the end in append mode).
    pub(crate) fn write_at(
        &self,
        buf: Vec<u8>,
        offset: u64,
    ) -> Completion<BufResult<usize, Vec<u8>>> {
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

    /// fsync: the file's logged changes, or a directory's pending entries.
    pub(crate) async fn sync_all(&self) -> io::Result<()> {
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

    /// Truncates or zero-extends the page cache's copy of the file.
    pub(crate) async fn set_len(&self, size: u64) -> io::Result<()> {
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

    /// The inode's metadata, as the page cache has it.
    pub(crate) async fn metadata(&self) -> io::Result<Metadata> {
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

impl Drop for SimFile {
    fn drop(&mut self) {
        let mut st = self.disk.state.borrow_mut();
        if st.generation == self.generation {
            let inode = st.inode_mut(self.ino);
            inode.open = inode.open.checked_sub(1).expect("open count underflow");
        }
    }
}

impl fmt::Debug for SimFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("path", &self.path)
            .field("ino", &self.ino)
            .field("pos", &self.cursor.try_borrow().map(|c| c.pos).ok())
            .finish_non_exhaustive()
    }
}
