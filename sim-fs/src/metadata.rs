//! [`Metadata`], [`FileType`], [`metadata`] and [`try_exists`].

use std::io;
use std::path::Path;

use sim_core::kernel::fs::Stat;

use crate::registry::file_system;

/// What a path names: its type and length, as the page cache has them.
///
/// ```
/// detsim::Runtime::sim(0).block_on(async {
///     detsim::fs::write("/a", b"abc").await.unwrap();
///     let m = detsim::fs::metadata("/a").await.unwrap();
///     assert!(m.is_file() && !m.is_dir());
///     assert_eq!(m.len(), 3);
///     assert!(detsim::fs::metadata("/").await.unwrap().is_dir());
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    len: u64,
    file_type: FileType,
}

/// A file's type: a regular file or a directory (the simulated disk has
/// no symlinks or special files).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileType {
    is_dir: bool,
}

impl From<Stat> for Metadata {
    fn from(stat: Stat) -> Metadata {
        Metadata {
            len: stat.len,
            file_type: FileType::new(stat.is_dir),
        }
    }
}

impl Metadata {
    /// The length in bytes (0 for a directory).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the length is 0.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        self.file_type.is_dir
    }

    /// Whether this is a regular file.
    pub fn is_file(&self) -> bool {
        !self.file_type.is_dir
    }

    /// The type.
    pub fn file_type(&self) -> FileType {
        self.file_type
    }
}

impl FileType {
    pub(crate) fn new(is_dir: bool) -> FileType {
        FileType { is_dir }
    }

    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        self.is_dir
    }

    /// Whether this is a regular file.
    pub fn is_file(&self) -> bool {
        !self.is_dir
    }

    /// Always false: the simulated disk has no symlinks.
    pub fn is_symlink(&self) -> bool {
        false
    }
}

/// The metadata of `path` on the current node's disk.
///
/// # Errors
///
/// `NotFound`, `NotADirectory` (a path component is a file).
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let stat = file_system().stat(path.as_ref());
    Ok(stat.await?.into())
}

/// Whether `path` exists: `Ok(false)` when it does not, an error when that
/// cannot be told (as `std::fs::exists`).
///
/// ```
/// detsim::Runtime::sim(0).block_on(async {
///     assert!(!detsim::fs::try_exists("/nope").await.unwrap());
///     detsim::fs::write("/f", b"").await.unwrap();
///     assert!(detsim::fs::try_exists("/f").await.unwrap());
///     // Through a file: Linux says ENOTDIR, an error, not "no".
///     assert!(detsim::fs::try_exists("/f/x").await.is_err());
/// });
/// ```
///
/// # Errors
///
/// `NotADirectory` (a path component is a file).
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    match metadata(path).await {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}
