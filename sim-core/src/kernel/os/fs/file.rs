//! [`OsFile`]: an open real file, whose every call runs on the blocking
//! pool, or, for reads, writes and syncs, on the kernel's io_uring
//! instance when it has one (feature `io-uring`; see `uring.rs`).

use std::fmt;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::kernel::fs::{OpenFile, Stat};
use crate::kernel::os::fs::Engines;
use crate::kernel::{BufResult, Completion, ResourceId};
use crate::runtime::Home;

/// A real descriptor, shared with the jobs in flight on it.
pub(crate) struct OsFile {
    file: Arc<std::fs::File>,
    path: PathBuf,
    engines: Engines,
    /// The runtime that opened it: using it from another thread panics,
    /// naming that runtime, as a simulated file does.
    home: Home,
}

impl OsFile {
    pub(crate) fn new(file: std::fs::File, path: PathBuf, engines: Engines, home: Home) -> OsFile {
        OsFile {
            file: Arc::new(file),
            path,
            engines,
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
        self.engines
            .pool()
            .submit(ResourceId::NONE, move || f(&file))
    }

    /// The io_uring instance, after the same-runtime check.
    #[cfg(feature = "io-uring")]
    #[track_caller]
    fn ring(&self) -> Option<&super::uring::FileRing> {
        let ring = self.engines.ring()?;
        self.home.with(|| "a File".to_string(), |_| {});
        Some(ring)
    }
}

impl OpenFile for OsFile {
    fn pread(&self, buf: Vec<u8>, offset: u64) -> Completion<BufResult<usize, Vec<u8>>> {
        #[cfg(feature = "io-uring")]
        let buf = match self.ring() {
            Some(ring) => match ring.pread(&self.file, buf, offset) {
                Ok(done) => return done,
                Err(buf) => buf,
            },
            None => buf,
        };
        let mut buf = buf;
        self.submit(move |file| (file.read_at(&mut buf, offset), buf))
    }

    /// With `O_APPEND`, Linux's `pwrite` writes at the end whatever the
    /// offset, as the contract asks (through io_uring too).
    fn pwrite(&self, buf: Vec<u8>, offset: u64) -> Completion<BufResult<usize, Vec<u8>>> {
        #[cfg(feature = "io-uring")]
        let buf = match self.ring() {
            Some(ring) => match ring.pwrite(&self.file, buf, offset) {
                Ok(done) => return done,
                Err(buf) => buf,
            },
            None => buf,
        };
        self.submit(move |file| (file.write_at(&buf, offset), buf))
    }

    fn fsync(&self) -> Completion<io::Result<()>> {
        #[cfg(feature = "io-uring")]
        if let Some(Ok(done)) = self.ring().map(|r| r.fsync(&self.file, false)) {
            return done;
        }
        self.submit(std::fs::File::sync_all)
    }

    fn fdatasync(&self) -> Completion<io::Result<()>> {
        #[cfg(feature = "io-uring")]
        if let Some(Ok(done)) = self.ring().map(|r| r.fsync(&self.file, true)) {
            return done;
        }
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
