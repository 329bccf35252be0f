//! The OS twins of the simulated disk: real files through `std::fs`, used
//! when the runtime is `detsim::Runtime::os()`.
//!
//! Every system call that may touch the disk (open, pread, pwrite, fsync,
//! ftruncate, fstat, mkdir, rename, unlink, readdir...) runs on the
//! runtime's bounded blocking pool (`KernelHandle::run_blocking`), whose
//! completions wake the task through the kernel's eventfd; the executor
//! thread never blocks on a file. An open file is an
//! `Arc<std::fs::File>` so that each job owns what it touches, and an
//! owned-buffer operation ([`Job`]) is on the pool as soon as it is
//! submitted, as a simulated one is in the disk's queue.
//!
//! # Divergence from the simulation
//!
//! What the real kernel does is the contract here, so these are the places
//! where the simulation (see the crate docs) is the approximation:
//!
//! - Errors are the real ones: writing through a handle opened read-only
//!   is `EBADF` (an uncategorized raw OS error 9), not `PermissionDenied`;
//!   `ENOSPC` may come from a later fsync; no fault is injected.
//! - Paths are real paths, and relative ones are relative to the process's
//!   working directory, not to `/`; symlinks are followed. [`FileType`]
//!   says only directory or not: a symlink or special file reads as a file.
//! - A directory's `Metadata::len` is what the file system says (4096 on
//!   ext4), not 0; `sync_data` is a real `fdatasync`.
//! - `read_dir` takes its snapshot on the pool and sorts it by name, as
//!   the simulation does (Linux's own order is the file system's); an
//!   error reading any entry fails the whole call.
//! - There is no crash and no disk model: [`crash`](crate::crash) and
//!   [`configure`](crate::configure) panic on the OS runtime, saying so.
//!
//! [`FileType`]: crate::FileType

mod file;
mod job;
mod ops;

pub(crate) use file::OsFile;
pub(crate) use job::Job;
pub(crate) use ops::{
    create_dir, create_dir_all, metadata, open, read, read_dir, remove_dir, remove_file, rename,
    write,
};

use sim_core::kernel::KernelHandle;

/// Runs `f` on the blocking pool and waits for it.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    KernelHandle::current().run_blocking(f).await
}
