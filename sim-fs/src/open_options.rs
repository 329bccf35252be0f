//! [`OpenOptions`]: how a file is opened, as in std.

use std::io;
use std::path::Path;

use sim_core::kernel::fs::OpenFlags;

use crate::file::File;
use crate::registry::file_system;

/// Options for opening a file, mirroring `std::fs::OpenOptions`: read,
/// write, append, create, create_new, truncate.
///
/// ```
/// use detsim::fs::OpenOptions;
///
/// detsim::Runtime::sim(2).block_on(async {
///     let log = OpenOptions::new().append(true).create(true).open("/log").await.unwrap();
///     let (n, _) = log.write_at(b"one ".to_vec(), 0).await;
///     assert_eq!(n.unwrap(), 4);
///     // Append mode ignores the offset, as pwrite on O_APPEND does on Linux.
///     let (n, _) = log.write_at(b"two".to_vec(), 0).await;
///     assert_eq!(n.unwrap(), 3);
///     assert_eq!(detsim::fs::read("/log").await.unwrap(), b"one two");
/// });
/// ```
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    flags: OpenFlags,
}

impl OpenOptions {
    /// All options off.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Open for reading.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.flags.read = read;
        self
    }

    /// Open for writing.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.flags.write = write;
        self
    }

    /// Open for appending: every write goes to the end of the file,
    /// whatever offset it names. Implies write access.
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.flags.append = append;
        self
    }

    /// Truncate an existing file to length 0 (needs write access). Like
    /// every change to a file, the truncation is durable after an fsync.
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.flags.truncate = truncate;
        self
    }

    /// Create the file if it does not exist (needs write or append). Its
    /// directory entry is durable after the parent directory is fsynced.
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.flags.create = create;
        self
    }

    /// Create the file, failing with `AlreadyExists` if it exists.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.flags.create_new = create_new;
        self
    }

    /// Opens `path` with these options: an `open(2)` on the runtime's file
    /// system (on the OS runtime, a real one through
    /// `std::fs::OpenOptions`, on the blocking pool).
    ///
    /// # Errors
    ///
    /// As std on Linux: `InvalidInput` for an inconsistent set of options
    /// (checked before touching the disk, as std does), `NotFound`,
    /// `AlreadyExists` (`create_new`), `IsADirectory` (write access to a
    /// directory), `NotADirectory` (a path component is a file).
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let flags = self.flags;
        let opening = file_system().open(path.as_ref(), &flags);
        Ok(File::new(opening.await?, flags.append))
    }
}
