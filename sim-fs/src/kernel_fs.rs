//! The simulated disks as the kernel's file system: [`FileSystem`] for
//! [`Disks`], each call a metadata operation on the current node's disk
//! that takes effect at its completion time, like a data operation.

use std::io;
use std::path::Path;
use std::rc::Rc;

use sim_core::kernel::Completion;
use sim_core::kernel::fs::{DirEntry, FileSystem, OpenFile, OpenFlags, Stat};

use crate::disk::{Cost, Disk, DiskState};
use crate::namespace;
use crate::registry::Disks;
use crate::sim_file::SimFile;

impl From<namespace::Stat> for Stat {
    fn from(stat: namespace::Stat) -> Stat {
        Stat {
            len: stat.len,
            is_dir: stat.is_dir,
        }
    }
}

/// Submits `op` on `disk` as a metadata operation about `path`.
fn metadata_op<T: 'static>(
    disk: &Rc<Disk>,
    path: &Path,
    op: impl FnOnce(&mut DiskState, &Path) -> io::Result<T> + 'static,
) -> Completion<io::Result<T>> {
    let p = path.to_path_buf();
    disk.submit_op(disk.generation(), path, Cost::Transfer, move |st| {
        op(st, &p)
    })
}

impl FileSystem for Disks {
    fn open(&self, path: &Path, flags: &OpenFlags) -> Completion<io::Result<Box<dyn OpenFile>>> {
        let _untracked = sim_core::alloc::Untracked::new();
        // Checked before touching the disk, as std does.
        if let Err(e) = flags.check() {
            return Completion::ready(Err(e));
        }
        let disk = self.current();
        let (flags, opened) = (*flags, Rc::clone(&disk));
        let generation = disk.generation();
        metadata_op(&disk, path, move |st, path| {
            let stat = st.open(path, &flags)?;
            let file = SimFile::new(opened, path.to_path_buf(), &stat, &flags, generation);
            Ok(Box::new(file) as Box<dyn OpenFile>)
        })
    }

    fn stat(&self, path: &Path) -> Completion<io::Result<Stat>> {
        let _untracked = sim_core::alloc::Untracked::new();
        metadata_op(&self.current(), path, |st, path| Ok(st.stat(path)?.into()))
    }

    fn mkdir(&self, path: &Path) -> Completion<io::Result<()>> {
        let _untracked = sim_core::alloc::Untracked::new();
        metadata_op(&self.current(), path, DiskState::create_dir)
    }

    /// One operation, whatever the number of directories it creates.
    fn mkdir_all(&self, path: &Path) -> Completion<io::Result<()>> {
        let _untracked = sim_core::alloc::Untracked::new();
        metadata_op(&self.current(), path, DiskState::create_dir_all)
    }

    fn rmdir(&self, path: &Path) -> Completion<io::Result<()>> {
        let _untracked = sim_core::alloc::Untracked::new();
        metadata_op(&self.current(), path, DiskState::remove_dir)
    }

    fn unlink(&self, path: &Path) -> Completion<io::Result<()>> {
        let _untracked = sim_core::alloc::Untracked::new();
        metadata_op(&self.current(), path, DiskState::remove_file)
    }

    fn rename(&self, from: &Path, to: &Path) -> Completion<io::Result<()>> {
        let _untracked = sim_core::alloc::Untracked::new();
        let to = to.to_path_buf();
        metadata_op(&self.current(), from, move |st, from| st.rename(from, &to))
    }

    fn readdir(&self, path: &Path) -> Completion<io::Result<Vec<DirEntry>>> {
        let _untracked = sim_core::alloc::Untracked::new();
        metadata_op(&self.current(), path, |st, path| {
            Ok(st
                .read_dir(path)?
                .into_iter()
                .map(|(name, is_dir)| DirEntry { name, is_dir })
                .collect())
        })
    }
}
