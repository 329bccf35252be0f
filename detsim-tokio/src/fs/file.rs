//! [`File`] and [`OpenOptions`]: tokio's files, on sim-fs inside a
//! simulation.

use std::fmt;
use std::io;
use std::path::Path;

use crate::either::{Either, forward_async_read, forward_async_write};
use crate::fs::metadata::Metadata;
use crate::fs::sim_file::SimFile;
use crate::world::in_detsim;

/// An open file, as tokio's `fs::File`: a `detsim::fs::File` (on the
/// calling node's simulated disk, with its page cache, crashes and
/// storage faults) when opened inside a detsim runtime, a real tokio one
/// anywhere else. Implements tokio's `AsyncRead`, `AsyncWrite` and
/// `AsyncSeek`.
///
/// Inside a simulation a write completes once the disk took it, with no
/// write-behind buffer, so `flush` has nothing to do; durability still
/// needs [`File::sync_all`] or [`File::sync_data`], as on Linux.
pub struct File(Either<tokio::fs::File, SimFile>);

impl File {
    /// Opens a file for reading.
    ///
    /// # Errors
    ///
    /// `NotFound`, `IsADirectory`, ...: what opening reports.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Creates (or truncates) a file for writing.
    ///
    /// # Errors
    ///
    /// `NotFound` (a missing parent), `IsADirectory`, ...
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Creates a file for reading and writing that must not exist yet.
    ///
    /// # Errors
    ///
    /// `AlreadyExists`, and as [`File::create`].
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// Options for opening a file.
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Makes data and metadata durable (`fsync`).
    ///
    /// # Errors
    ///
    /// What `fsync` reports (the simulated disk's faults included); a file
    /// of the other world.
    pub async fn sync_all(&self) -> io::Result<()> {
        match self.0.checked()? {
            Either::Tokio(f) => f.sync_all().await,
            Either::Sim(f) => f.file.sync_all().await,
        }
    }

    /// Makes data durable (`fdatasync`).
    ///
    /// # Errors
    ///
    /// As [`File::sync_all`].
    pub async fn sync_data(&self) -> io::Result<()> {
        match self.0.checked()? {
            Either::Tokio(f) => f.sync_data().await,
            Either::Sim(f) => f.file.sync_data().await,
        }
    }

    /// Truncates or extends the file to `size` bytes.
    ///
    /// # Errors
    ///
    /// What `ftruncate` reports; a file of the other world.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        match self.0.checked()? {
            Either::Tokio(f) => f.set_len(size).await,
            Either::Sim(f) => f.file.set_len(size).await,
        }
    }

    /// The file's metadata.
    ///
    /// # Errors
    ///
    /// What `fstat` reports; a file of the other world.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        match self.0.checked()? {
            Either::Tokio(f) => Ok(Metadata(Either::Tokio(f.metadata().await?))),
            Either::Sim(f) => Ok(Metadata(Either::Sim(f.file.metadata().await?))),
        }
    }
}

forward_async_read!(File);
forward_async_write!(File);

impl tokio::io::AsyncSeek for File {
    fn start_seek(mut self: std::pin::Pin<&mut Self>, position: io::SeekFrom) -> io::Result<()> {
        std::pin::Pin::new(&mut self.0).start_seek(position)
    }

    fn poll_complete(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<u64>> {
        std::pin::Pin::new(&mut self.0).poll_complete(cx)
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Either::Tokio(file) => file.fmt(f),
            Either::Sim(file) => file.file.fmt(f),
        }
    }
}

/// Options for opening a file, as tokio's `fs::OpenOptions`. It holds no
/// world: `open` decides, at the call.
///
/// The simulated disk refuses inconsistent flags as std does (e.g.
/// `truncate` without `write`).
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    read: bool,
    write: bool,
    append: bool,
    truncate: bool,
    create: bool,
    create_new: bool,
}

impl OpenOptions {
    /// No access at all; set what you need.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Read access.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.read = read;
        self
    }

    /// Write access.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.write = write;
        self
    }

    /// Every write goes to the end (`O_APPEND`).
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.append = append;
        self
    }

    /// Truncate to 0 on open (`O_TRUNC`).
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.truncate = truncate;
        self
    }

    /// Create the file if it does not exist (`O_CREAT`).
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.create = create;
        self
    }

    /// Create the file, failing if it exists (`O_CREAT | O_EXCL`).
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.create_new = create_new;
        self
    }

    /// Opens `path` with these options: on the simulated disk inside a
    /// detsim runtime, with tokio anywhere else.
    ///
    /// # Errors
    ///
    /// What opening reports: `NotFound`, `AlreadyExists`,
    /// `InvalidInput` (inconsistent flags), `IsADirectory`...
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        if in_detsim() {
            let file = detsim::fs::OpenOptions::new()
                .read(self.read)
                .write(self.write)
                .append(self.append)
                .truncate(self.truncate)
                .create(self.create)
                .create_new(self.create_new)
                .open(path)
                .await?;
            Ok(File(Either::Sim(SimFile::new(file))))
        } else {
            let file = tokio::fs::OpenOptions::new()
                .read(self.read)
                .write(self.write)
                .append(self.append)
                .truncate(self.truncate)
                .create(self.create)
                .create_new(self.create_new)
                .open(path)
                .await?;
            Ok(File(Either::Tokio(file)))
        }
    }
}
