//! The OS kernel's file system: the [`kernel::fs`](crate::kernel::fs)
//! contract on real files through `std::fs`, installed in every OS runtime
//! when it is built.
//!
//! Every system call that may touch a disk (open, pread, pwrite, fsync,
//! ftruncate, fstat, mkdir, rename, unlink, readdir...) is one job on the
//! runtime's bounded blocking pool, handed to the pool when the operation
//! is submitted (so one never awaited still takes effect, and two
//! submitted together overlap); the job's result completes the operation's
//! [`Completion`](crate::kernel::Completion) and wakes the task through the
//! kernel's eventfd. The executor thread never blocks on a file. An open
//! file is an `Arc<std::fs::File>` shared with its jobs in flight, so the
//! descriptor closes when the last of them and the file are gone.
//!
//! # Divergence from the simulation
//!
//! What the real kernel does is the contract here, so these are the places
//! where the simulated disks (sim-fs's crate docs) are the approximation:
//!
//! - Errors are the real ones: writing through a file opened read-only
//!   is `EBADF` (an uncategorized raw OS error 9), not `PermissionDenied`;
//!   `ENOSPC` may come from a later fsync; no fault is injected.
//! - Paths are real paths, and relative ones are relative to the process's
//!   working directory, not to `/`; symlinks are followed. A [`Stat`] says
//!   only directory or not: a symlink or special file reads as a file.
//! - A directory's length is what the file system says (4096 on ext4), not
//!   0; `fdatasync` is a real `fdatasync`.
//! - `readdir` takes its snapshot in one job and sorts it by name, as the
//!   contract asks (Linux's own order is the file system's); an error
//!   reading any entry fails the whole call.
//! - `mkdir_all` is `std::fs::create_dir_all`: several `mkdir(2)`s, of
//!   which a failure may leave the first ones done.
//! - There is no crash and no disk model.
//!
//! # io_uring (cargo feature `io-uring`)
//!
//! With the feature, a runtime whose kernel grants an io_uring instance
//! runs pread, pwrite, fsync and fdatasync through it instead of the pool
//! ([`uring`]: one `io_uring_enter` per operation, no thread hand-off);
//! everything else stays on the pool, and so does every operation when the
//! kernel refuses the ring or `DETSIM_IO_URING=0`.
//!
//! [`Stat`]: crate::kernel::fs::Stat

mod file;
mod file_system;
#[cfg(feature = "io-uring")]
pub(crate) mod uring;

#[cfg(feature = "io-uring")]
use std::sync::Arc;

use file_system::OsFileSystem;

use crate::kernel::fs_slot;
use crate::kernel::os::pool::PoolHandle;
use crate::runtime::RuntimeInner;

/// Makes the real file system, on `pool` (and the kernel's io_uring
/// instance, if it has one), `rt`'s file system.
pub(crate) fn install(rt: &RuntimeInner, pool: PoolHandle) {
    #[cfg(feature = "io-uring")]
    let engines = Engines {
        pool,
        ring: rt.kernel.os_kernel().and_then(|os| os.file_ring()),
    };
    #[cfg(not(feature = "io-uring"))]
    let engines = Engines { pool };
    fs_slot::installed(rt, || OsFileSystem::new(engines));
}

/// Where file operations run: the blocking pool, and the io_uring
/// instance when there is one. Cheap to clone; `Send + Sync`, as open
/// files are.
#[derive(Clone)]
pub(crate) struct Engines {
    pool: PoolHandle,
    #[cfg(feature = "io-uring")]
    ring: Option<Arc<uring::FileRing>>,
}

impl Engines {
    /// The blocking pool.
    pub(crate) fn pool(&self) -> &PoolHandle {
        &self.pool
    }

    /// The io_uring instance, if the kernel granted one.
    #[cfg(feature = "io-uring")]
    pub(crate) fn ring(&self) -> Option<&Arc<uring::FileRing>> {
        self.ring.as_ref()
    }
}
