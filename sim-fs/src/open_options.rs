//! [`OpenOptions`]: how a file is opened, as in std.

use std::io;
use std::path::Path;
use std::rc::Rc;

use sim_core::kernel::ResidentFuture;

use crate::error;
use crate::file::File;
use crate::registry::current_disk;
use crate::sim_file::SimFile;

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
    pub(crate) read: bool,
    pub(crate) write: bool,
    pub(crate) append: bool,
    pub(crate) truncate: bool,
    pub(crate) create: bool,
    pub(crate) create_new: bool,
}

impl OpenOptions {
    /// All options off.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Open for reading.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.read = read;
        self
    }

    /// Open for writing.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.write = write;
        self
    }

    /// Open for appending: every write goes to the end of the file,
    /// whatever offset it names. Implies write access.
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.append = append;
        self
    }

    /// Truncate an existing file to length 0 (needs write access). Like
    /// every change to a file, the truncation is durable after an fsync.
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.truncate = truncate;
        self
    }

    /// Create the file if it does not exist (needs write or append). Its
    /// directory entry is durable after the parent directory is fsynced.
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.create = create;
        self
    }

    /// Create the file, failing with `AlreadyExists` if it exists.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.create_new = create_new;
        self
    }

    /// Opens `path` with these options (on the OS runtime, a real
    /// `open(2)` through `std::fs::OpenOptions`, on the blocking pool).
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
        let (opts, path) = (self.clone(), path.as_ref().to_path_buf());
        ResidentFuture::new("OpenOptions::open", async move {
            opts.open_in_runtime(path).await
        })
        .await
    }

    /// [`OpenOptions::open`] itself, run inside the runtime (it holds the
    /// disk's `Rc`s).
    async fn open_in_runtime(&self, path: impl AsRef<Path>) -> io::Result<File> {
        #[cfg(target_os = "linux")]
        if sim_core::kernel::KernelHandle::current().is_os() {
            return Ok(File::os(crate::os::open(self, path.as_ref()).await?));
        }
        self.check()?;
        let path = path.as_ref().to_path_buf();
        let disk = current_disk();
        let opts = self.clone();
        let p = path.clone();
        let generation = disk.generation();
        let stat = Rc::clone(&disk)
            .metadata_op(path.clone(), move |st| st.open(&p, &opts))
            .await?;
        Ok(File::sim(SimFile::new(disk, path, stat, self, generation)))
    }

    /// std's access-mode and creation-mode checks.
    fn check(&self) -> io::Result<()> {
        if !self.read && !self.write && !self.append {
            return Err(error::invalid(
                "OpenOptions: no access mode; set read, write or append",
            ));
        }
        let writes = self.write || self.append;
        if (self.truncate || self.create || self.create_new) && !writes {
            return Err(error::invalid(
                "OpenOptions: creating or truncating a file requires write or append access",
            ));
        }
        if self.truncate && self.append && !self.create_new {
            return Err(error::invalid(
                "OpenOptions: truncate and append together make no sense; choose one",
            ));
        }
        Ok(())
    }
}
