//! The `io::Error`s the simulated disk returns, with the kinds Linux gives.

use std::io::{self, ErrorKind};
use std::path::Path;

/// Linux's `EIO`.
const EIO: i32 = 5;

/// `EIO`: a raw OS error 5, as a real disk failure reaches std on Linux, so
/// code that checks `raw_os_error() == Some(libc::EIO)` behaves the same.
pub(crate) fn eio() -> io::Error {
    io::Error::from_raw_os_error(EIO)
}

pub(crate) fn not_found(path: &Path) -> io::Error {
    io::Error::new(
        ErrorKind::NotFound,
        format!("{}: no such file or directory (ENOENT)", path.display()),
    )
}

pub(crate) fn already_exists(path: &Path) -> io::Error {
    io::Error::new(
        ErrorKind::AlreadyExists,
        format!("{}: file exists (EEXIST)", path.display()),
    )
}

pub(crate) fn is_a_directory(path: &Path) -> io::Error {
    io::Error::new(
        ErrorKind::IsADirectory,
        format!("{}: is a directory (EISDIR)", path.display()),
    )
}

pub(crate) fn not_a_directory(path: &Path) -> io::Error {
    io::Error::new(
        ErrorKind::NotADirectory,
        format!(
            "{}: a component of the path is not a directory (ENOTDIR)",
            path.display()
        ),
    )
}

pub(crate) fn directory_not_empty(path: &Path) -> io::Error {
    io::Error::new(
        ErrorKind::DirectoryNotEmpty,
        format!("{}: directory not empty (ENOTEMPTY)", path.display()),
    )
}

pub(crate) fn busy(path: &Path) -> io::Error {
    io::Error::new(
        ErrorKind::ResourceBusy,
        format!(
            "{}: the root directory cannot be removed or renamed (EBUSY)",
            path.display()
        ),
    )
}

pub(crate) fn storage_full(need: u64, capacity: u64) -> io::Error {
    io::Error::new(
        ErrorKind::StorageFull,
        format!(
            "no space left on device (ENOSPC): the operation needs {need} bytes in use, the \
             disk holds {capacity} (DiskConfig::capacity_bytes)"
        ),
    )
}

pub(crate) fn invalid(message: &str) -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, message.to_string())
}

/// A handle used for an access it was not opened for. Linux says `EBADF`,
/// which std reports as an uncategorized raw OS error 9; detsim says
/// `PermissionDenied` with this message, which names the fix.
pub(crate) fn bad_access(path: &Path, access: &str) -> io::Error {
    io::Error::new(
        ErrorKind::PermissionDenied,
        format!(
            "{}: the file was not opened for {access} (Linux: EBADF); open it with \
             OpenOptions::new().{access}(true)",
            path.display()
        ),
    )
}

/// A handle from before a crash of its disk: the process that opened it
/// is, in the model, gone.
pub(crate) fn stale(path: &Path) -> io::Error {
    io::Error::other(format!(
        "{}: file handle opened before the disk crashed; reopen the file after a crash",
        path.display()
    ))
}
