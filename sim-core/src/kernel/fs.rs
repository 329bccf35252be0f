//! The file-system contract: what a kernel provides for files, written
//! once as two traits, [`FileSystem`] and [`OpenFile`], with the OS kernel's
//! real files (`kernel/os/fs/`) and sim-fs's simulated disks behind them.
//! `detsim::fs` (`File`, `OpenOptions`, `read`, `rename`...) is written
//! once, over these traits, and never asks which one it has.
//!
//! The operations are system calls in the completion model (io_uring's):
//! each one is handed to the kernel with everything it owns (paths are
//! copied, buffers are moved in) and returns a [`Completion`] at once;
//! nothing waits at submission. A completion resolves later to the
//! result, and a buffered operation hands its buffer back with it
//! ([`BufResult`]) whether it succeeded or not.
//!
//! # The runtime's one file system
//!
//! Each runtime has one file system, in a slot the kernel owns
//! ([`KernelHandle::file_system`](crate::kernel::KernelHandle::file_system)):
//! the OS runtime fills it when it is built, with real files on its
//! blocking pool; under the simulation, the first use of `detsim::fs`
//! installs sim-fs's disks (one per node), so the OS runtime needs nothing
//! of the simulation and the simulation nothing of the OS.
//!
//! # What an implementation must provide
//!
//! - Every method of both traits, each returning a [`Completion`] without
//!   blocking the calling thread and without running user code (an
//!   implementation may complete at once, with [`Completion::ready`], when
//!   it needs no device: a check that fails, a length it holds in memory).
//! - Linux's semantics, as std reports them on Linux: the `io::ErrorKind`s
//!   each method lists (`NotFound`, `AlreadyExists`, `IsADirectory`,
//!   `NotADirectory`, `DirectoryNotEmpty`, `InvalidInput`...); `pread` at or
//!   past the end reads 0 bytes; `pwrite` past the end extends the file
//!   (the gap reads as zeros); a file opened for appending writes at its
//!   end whatever the offset; `rename` replaces its target atomically; an
//!   open file keeps working after its name is unlinked.
//! - Reading a directory ([`FileSystem::readdir`]) lists its entries once
//!   each, without `.` and `..`, sorted by name (byte order), so a listing
//!   is the same on every run and every kernel.
//! - [`OpenFlags::check`]'s refusal of an inconsistent set of flags, before
//!   anything else: `InvalidInput`, as std refuses it before `open(2)`.
//!
//! # What an implementation may do
//!
//! - Complete operations in any order, whatever order they were submitted
//!   in: two operations in flight together are unordered, as two io_uring
//!   submissions are. A caller that needs an order awaits the first before
//!   submitting the second.
//! - Transfer fewer bytes than asked (a short read or write), for any
//!   reason; callers loop.
//! - Fail any operation with `EIO` (raw OS error 5), as a failing disk
//!   does; the simulated disks do so when the fault plan says.
//! - Take any time: a completion has no deadline.
//!
//! # What an implementation must not do
//!
//! - Cancel an operation because its [`Completion`] was dropped: the
//!   operation still takes effect (a write lands, a rename happens), and
//!   what it owned is dropped when it completes.
//! - Complete an operation twice, or free a buffer it was handed before
//!   the operation completes.
//! - Hold a borrow of its own state while a waker runs: completing an
//!   operation wakes a task, and wakers may do anything.
//! - Under the simulation, take a decision from anything but the run's
//!   seed (its latencies, order and faults are the simulated kernel's).
//!
//! Durability is the implementation's: the simulated disks' model is in
//! sim-fs's crate docs ("Durability model"), the OS's is the real kernel's.
//! An fsync of a directory is an [`OpenFile::fsync`] of the directory
//! opened read-only, as on Linux.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::Path;

use crate::kernel::{BufResult, Completion};

/// A file system: the calls that name a path.
///
/// See the [module docs](self) for the contract every implementation
/// keeps.
pub trait FileSystem {
    /// `open(2)`: opens (and, as `flags` say, creates or truncates) `path`.
    /// A directory may be opened read-only, to fsync it.
    ///
    /// Errors: `InvalidInput` (an inconsistent set of flags, see
    /// [`OpenFlags::check`]), `NotFound`, `AlreadyExists` (`create_new`),
    /// `IsADirectory` (write access to a directory), `NotADirectory` (a
    /// path component is a file).
    fn open(&self, path: &Path, flags: &OpenFlags) -> Completion<io::Result<Box<dyn OpenFile>>>;

    /// `stat(2)`: what `path` names.
    ///
    /// Errors: `NotFound`, `NotADirectory`.
    fn stat(&self, path: &Path) -> Completion<io::Result<Stat>>;

    /// `mkdir(2)`: creates the directory `path`.
    ///
    /// Errors: `AlreadyExists`, `NotFound` (the parent is missing),
    /// `NotADirectory`.
    fn mkdir(&self, path: &Path) -> Completion<io::Result<()>>;

    /// `mkdir -p`: creates `path` and every missing parent. One operation
    /// to the caller; an implementation may make it several `mkdir(2)`s.
    ///
    /// Errors: `AlreadyExists` (`path` is a file), `NotADirectory` (a
    /// parent is a file).
    fn mkdir_all(&self, path: &Path) -> Completion<io::Result<()>>;

    /// `rmdir(2)`: removes the empty directory `path`.
    ///
    /// Errors: `NotFound`, `NotADirectory`, `DirectoryNotEmpty`,
    /// `ResourceBusy` (the root).
    fn rmdir(&self, path: &Path) -> Completion<io::Result<()>>;

    /// `unlink(2)`: removes the file `path`. Files open on it keep working.
    ///
    /// Errors: `NotFound`, `IsADirectory`, `NotADirectory`.
    fn unlink(&self, path: &Path) -> Completion<io::Result<()>>;

    /// `rename(2)`: moves `from` to `to`, atomically replacing `to`.
    ///
    /// Errors: `NotFound`, `IsADirectory` (a file over a directory),
    /// `NotADirectory` (a directory over a file), `DirectoryNotEmpty`,
    /// `InvalidInput` (a directory into itself), `ResourceBusy` (the root).
    fn rename(&self, from: &Path, to: &Path) -> Completion<io::Result<()>>;

    /// `getdents(2)`, whole: the entries of directory `path`, sorted by
    /// name.
    ///
    /// Errors: `NotFound`, `NotADirectory`.
    fn readdir(&self, path: &Path) -> Completion<io::Result<Vec<DirEntry>>>;
}

/// An open file (or directory): the calls on a file descriptor.
///
/// `Send + Sync` because the handle users hold (`detsim::fs::File`) is: a
/// simulated file keeps its state in its runtime behind a
/// [`Resident`](crate::kernel::Resident), a real one is a descriptor. Its
/// methods must be called on the thread of the runtime that opened it;
/// they panic elsewhere, naming the runtime. Dropping it closes it.
pub trait OpenFile: Send + Sync + fmt::Debug {
    /// `pread(2)`: reads into `buf` from `offset`. Completes with the bytes
    /// read (0 at or past the end) and the buffer.
    ///
    /// Errors: `IsADirectory`; not opened for reading (the simulation says
    /// `PermissionDenied`, Linux `EBADF`).
    fn pread(&self, buf: Vec<u8>, offset: u64) -> Completion<BufResult<usize, Vec<u8>>>;

    /// `pwrite(2)`: writes `buf` at `offset` (at the end, if opened for
    /// appending). Completes with the bytes written and the buffer.
    ///
    /// Errors: not opened for writing (the simulation says
    /// `PermissionDenied`, Linux `EBADF`), `StorageFull`, `FileTooLarge`.
    fn pwrite(&self, buf: Vec<u8>, offset: u64) -> Completion<BufResult<usize, Vec<u8>>>;

    /// `fsync(2)`: makes the file's data and length durable; on a
    /// directory, its entries.
    fn fsync(&self) -> Completion<io::Result<()>>;

    /// `fdatasync(2)`: makes the file's data durable (an implementation
    /// with no metadata to skip makes it [`fsync`](OpenFile::fsync)).
    fn fdatasync(&self) -> Completion<io::Result<()>>;

    /// `ftruncate(2)`: truncates or zero-extends the file to `len` bytes.
    ///
    /// Errors: `InvalidInput` (not open for writing, or a directory),
    /// `StorageFull`, `FileTooLarge`.
    fn ftruncate(&self, len: u64) -> Completion<io::Result<()>>;

    /// `fstat(2)`: what the file is now.
    fn fstat(&self) -> Completion<io::Result<Stat>>;

    /// `lseek(fd, 0, SEEK_END)`: the file's length, for a cursor seeking
    /// from the end or following an appending write. Linux answers it from
    /// the in-memory inode, so a simulated disk answers at once, with no
    /// device latency.
    fn seek_end(&self) -> Completion<io::Result<u64>>;
}

/// How [`FileSystem::open`] opens a file: `open(2)`'s access and creation
/// flags, as `std::fs::OpenOptions` sets them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenFlags {
    /// `O_RDONLY` or `O_RDWR`: open for reading.
    pub read: bool,
    /// `O_WRONLY` or `O_RDWR`: open for writing.
    pub write: bool,
    /// `O_APPEND` (implies writing): every write goes to the end.
    pub append: bool,
    /// `O_TRUNC`: truncate an existing file to length 0.
    pub truncate: bool,
    /// `O_CREAT`: create the file if it does not exist.
    pub create: bool,
    /// `O_CREAT | O_EXCL`: create the file, failing if it exists.
    pub create_new: bool,
}

impl OpenFlags {
    /// Whether the file is opened for writing (`write` or `append`).
    pub fn writes(&self) -> bool {
        self.write || self.append
    }

    /// std's consistency checks, which it makes before `open(2)`: an
    /// access mode is set; creating or truncating needs write access;
    /// truncating contradicts appending (unless creating anew).
    ///
    /// # Errors
    ///
    /// `InvalidInput`, saying which rule the flags break.
    pub fn check(&self) -> io::Result<()> {
        let invalid = |msg: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        if !self.read && !self.writes() {
            return invalid("OpenOptions: no access mode; set read, write or append");
        }
        if (self.truncate || self.create || self.create_new) && !self.writes() {
            return invalid(
                "OpenOptions: creating or truncating a file requires write or append access",
            );
        }
        if self.truncate && self.append && !self.create_new {
            return invalid("OpenOptions: truncate and append together make no sense; choose one");
        }
        Ok(())
    }
}

/// What [`FileSystem::stat`] and [`OpenFile::fstat`] report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    /// The length in bytes (a simulated directory's is 0; a real one's is
    /// what its file system says).
    pub len: u64,
    /// A directory, or not (a simulated disk holds only files and
    /// directories).
    pub is_dir: bool,
}

/// One entry of a directory, as [`FileSystem::readdir`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name in its directory.
    pub name: OsString,
    /// Whether it names a directory.
    pub is_dir: bool,
}
