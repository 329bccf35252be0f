//! [`SimFile`]: an open inode on a simulated disk, the simulation's
//! [`OpenFile`].

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::rc::Rc;

use sim_core::kernel::fs::{OpenFile, OpenFlags, Stat};
use sim_core::kernel::{BufResult, Completion, KernelHandle, Resident, ResourceId};

use crate::disk::{Cost, Disk, DiskState};
use crate::error;
use crate::inode::Ino;
use crate::namespace;

/// An open file (or directory) on a simulated disk. Every operation is
/// submitted to the disk and completes at a seeded time; see
/// [`File`](crate::File) for the contract. The inode's state stays in the
/// runtime ([`Resident`]), so the handle is `Send + Sync` and used from
/// another runtime's thread it panics, naming its runtime.
pub(crate) struct SimFile {
    open: Resident<OpenInode>,
}

/// What an open file description holds: the disk, the inode and the
/// access mode. Dropping it closes the inode.
struct OpenInode {
    disk: Rc<Disk>,
    path: PathBuf,
    ino: Ino,
    /// The disk's generation when opened: after a crash the handle is dead.
    generation: u64,
    is_dir: bool,
    read: bool,
    write: bool,
    append: bool,
}

impl SimFile {
    /// The file `stat` names, opened with `flags` (the inode's open count
    /// already counts it) while the disk was at `generation`.
    pub(crate) fn new(
        disk: Rc<Disk>,
        path: PathBuf,
        stat: &namespace::Stat,
        flags: &OpenFlags,
        generation: u64,
    ) -> SimFile {
        let open = OpenInode {
            disk,
            path,
            ino: stat.ino,
            generation,
            is_dir: stat.is_dir,
            read: flags.read,
            write: flags.writes(),
            append: flags.append,
        };
        SimFile {
            open: Resident::new("a File", open),
        }
    }

    /// Submits an operation without a buffer on the inode.
    #[track_caller]
    fn submit<T: 'static>(
        &self,
        cost: Cost,
        op: impl FnOnce(&mut DiskState, ResourceId, Ino) -> io::Result<T> + 'static,
    ) -> Completion<io::Result<T>> {
        let open = self.open.get();
        let (disk, ino) = (open.disk.id, open.ino);
        open.disk
            .submit_op(open.generation, &open.path, cost, move |st| {
                op(st, disk, ino)
            })
    }
}

impl OpenFile for SimFile {
    fn pread(&self, buf: Vec<u8>, offset: u64) -> Completion<BufResult<usize, Vec<u8>>> {
        let _untracked = sim_core::alloc::Untracked::new();
        let open = self.open.get();
        let (ino, disk, path) = (open.ino, open.disk.id, open.path.clone());
        let (readable, is_dir) = (open.read, open.is_dir);
        let len = buf.len();
        KernelHandle::current().note_payload(&buf);
        open.disk.submit(
            open.generation,
            &open.path,
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

    fn pwrite(&self, buf: Vec<u8>, offset: u64) -> Completion<BufResult<usize, Vec<u8>>> {
        let _untracked = sim_core::alloc::Untracked::new();
        let open = self.open.get();
        let (ino, disk, path) = (open.ino, open.disk.id, open.path.clone());
        let (writable, append) = (open.write, open.append);
        let len = buf.len();
        open.disk.submit(
            open.generation,
            &open.path,
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

    /// A file's logged changes, or a directory's pending entries.
    fn fsync(&self) -> Completion<io::Result<()>> {
        let _untracked = sim_core::alloc::Untracked::new();
        self.submit(Cost::Sync, |st, disk, ino| st.fsync(disk, ino))
    }

    /// The simulation keeps no metadata that `fdatasync` could skip.
    fn fdatasync(&self) -> Completion<io::Result<()>> {
        let _untracked = sim_core::alloc::Untracked::new();
        self.fsync()
    }

    /// Truncates or zero-extends the page cache's copy of the file.
    fn ftruncate(&self, len: u64) -> Completion<io::Result<()>> {
        let _untracked = sim_core::alloc::Untracked::new();
        let open = self.open.get();
        if !open.write || open.is_dir {
            return Completion::ready(Err(error::invalid(
                "set_len: the file is not open for writing (EINVAL)",
            )));
        }
        self.submit(Cost::Transfer, move |st, _, ino| st.set_file_len(ino, len))
    }

    /// The inode as the page cache has it.
    fn fstat(&self) -> Completion<io::Result<Stat>> {
        let _untracked = sim_core::alloc::Untracked::new();
        self.submit(Cost::Transfer, |st, _, ino| Ok(st.stat_ino(ino).into()))
    }

    /// The page cache's length, at once: no device is involved.
    fn seek_end(&self) -> Completion<io::Result<u64>> {
        let _untracked = sim_core::alloc::Untracked::new();
        let open = self.open.get();
        let st = open.disk.state.borrow();
        let end = if st.generation == open.generation {
            Ok(st.stat_ino(open.ino).len)
        } else {
            Err(error::stale(&open.path))
        };
        drop(st);
        Completion::ready(end)
    }
}

impl Drop for OpenInode {
    fn drop(&mut self) {
        let _untracked = sim_core::alloc::Untracked::new();
        let mut st = self.disk.state.borrow_mut();
        if st.generation == self.generation {
            let inode = st.inode_mut(self.ino);
            inode.open = inode.open.checked_sub(1).expect("open count underflow");
        }
    }
}

impl fmt::Debug for SimFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("SimFile");
        if let Some(open) = self.open.try_get() {
            d.field("path", &open.path).field("ino", &open.ino);
        }
        d.finish_non_exhaustive()
    }
}
