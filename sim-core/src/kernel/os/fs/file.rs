//! [`OsFile`]: an open real file, whose every call runs on the blocking
//! pool.

use std::fmt;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::kernel::fs::{OpenFile, Stat};
use crate::kernel::os::pool::PoolHandle;
use crate::kernel::{BufResult, Completion, ResourceId};
use crate::runtime::Home;

/// A real descriptor, shared with the jobs in flight on it.
pub(crate) struct OsFile {
    file: Arc<std::fs::File>,
    path: PathBuf,
    pool: PoolHandle,
    /// The runtime that opened it: using it from another thread panics,
    /// naming that runtime, as a simulated file does.
    home: Home,
}

impl OsFile {
    pub(crate) fn new(file: std::fs::File, path: PathBuf, pool: PoolHandle, home: Home) -> OsFile {
        OsFile {
            file: Arc::new(file),
            path,
            pool,
            home,
        }
    }

    /// Runs `f` with the descriptor on the pool, after the same-runtime
    /// check.
    #[track_caller]
    fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce(&std::fs::File) -> T + Send + 'static,
    ) -> Completion<T> {
        self.home.with(|| "a File".to_string(), |_| {});
        let file = Arc::clone(&self.file);
        self.pool.submit(ResourceId::NONE, move || f(&file))
    }
}

impl OpenFile for OsFile {
    fn pread(&self, mut buf: Vec<u8>, offset: u64) -> Completion<BufResult<usize, Vec<u8>>> {
        self.submit(move |file| (file.read_at(&mut buf, offset), buf))
    }

    /// With `O_APPEND`, Linux's `pwrite` writes at the end whatever the
    /// offset, as the contract asks.
    fn pwrite(&self, buf: Vec<u8>, offset: u64) -> Completion<BufResult<usize, Vec<u8>>> {
        self.submit(move |file| (file.write_at(&buf, offset), buf))
    }

    fn fsync(&self) -> Completion<io::Result<()>> {
        self.submit(std::fs::File::sync_all)
    }

    fn fdatasync(&self) -> Completion<io::Result<()>> {
        self.submit(std::fs::File::sync_data)
    }

    fn ftruncate(&self, len: u64) -> Completion<io::Result<()>> {
        self.submit(move |file| file.set_len(len))
    }

    fn fstat(&self) -> Completion<io::Result<Stat>> {
        self.submit(|file| file.metadata().map(|m| stat(&m)))
    }

    /// An `fstat` on the pool: even `lseek` may block on a network file
    /// system, and the executor thread never blocks on a file.
    fn seek_end(&self) -> Completion<io::Result<u64>> {
        self.submit(|file| file.metadata().map(|m| m.len()))
    }
}

/// What the contract reports of a real file's metadata.
pub(super) fn stat(m: &std::fs::Metadata) -> Stat {
    Stat {
        len: m.len(),
        is_dir: m.is_dir(),
    }
}

impl fmt::Debug for OsFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OsFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}
