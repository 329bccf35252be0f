//! [`OsFileSystem`]: the calls that name a path, each one `std::fs` call
//! on the blocking pool.

use std::io;
use std::path::Path;

use crate::kernel::fs::{DirEntry, FileSystem, OpenFile, OpenFlags, Stat};
use crate::kernel::os::fs::Engines;
use crate::kernel::os::fs::file::{OsFile, stat};
use crate::kernel::{Completion, ResourceId};
use crate::runtime::Home;

/// The real file system, reached through the runtime's blocking pool
/// (and, for open files' reads, writes and syncs, its io_uring instance).
pub(crate) struct OsFileSystem {
    engines: Engines,
}

impl OsFileSystem {
    pub(crate) fn new(engines: Engines) -> OsFileSystem {
        OsFileSystem { engines }
    }

    /// Runs `f` on the pool as an operation on no simulated resource.
    #[track_caller]
    fn submit<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Completion<T> {
        self.engines.pool().submit(ResourceId::NONE, f)
    }
}

impl FileSystem for OsFileSystem {
    fn open(&self, path: &Path, flags: &OpenFlags) -> Completion<io::Result<Box<dyn OpenFile>>> {
        if let Err(e) = flags.check() {
            return Completion::ready(Err(e));
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.read(flags.read)
            .write(flags.write)
            .append(flags.append)
            .truncate(flags.truncate)
            .create(flags.create)
            .create_new(flags.create_new);
        let (path, engines) = (path.to_path_buf(), self.engines.clone());
        let home = Home::current("detsim::fs::OpenOptions::open");
        self.submit(move || {
            let file = opts.open(&path)?;
            Ok(Box::new(OsFile::new(file, path, engines, home)) as Box<dyn OpenFile>)
        })
    }

    fn stat(&self, path: &Path) -> Completion<io::Result<Stat>> {
        let path = path.to_path_buf();
        self.submit(move || std::fs::metadata(path).map(|m| stat(&m)))
    }

    fn mkdir(&self, path: &Path) -> Completion<io::Result<()>> {
        let path = path.to_path_buf();
        self.submit(move || std::fs::create_dir(path))
    }

    fn mkdir_all(&self, path: &Path) -> Completion<io::Result<()>> {
        let path = path.to_path_buf();
        self.submit(move || std::fs::create_dir_all(path))
    }

    fn rmdir(&self, path: &Path) -> Completion<io::Result<()>> {
        let path = path.to_path_buf();
        self.submit(move || std::fs::remove_dir(path))
    }

    fn unlink(&self, path: &Path) -> Completion<io::Result<()>> {
        let path = path.to_path_buf();
        self.submit(move || std::fs::remove_file(path))
    }

    fn rename(&self, from: &Path, to: &Path) -> Completion<io::Result<()>> {
        let (from, to) = (from.to_path_buf(), to.to_path_buf());
        self.submit(move || std::fs::rename(from, to))
    }

    fn readdir(&self, path: &Path) -> Completion<io::Result<Vec<DirEntry>>> {
        let path = path.to_path_buf();
        self.submit(move || {
            let mut entries = Vec::new();
            for entry in std::fs::read_dir(&path)? {
                let entry = entry?;
                entries.push(DirEntry {
                    name: entry.file_name(),
                    is_dir: entry.file_type()?.is_dir(),
                });
            }
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(entries)
        })
    }
}
