//! Directories: [`create_dir`], [`create_dir_all`], [`read_dir`],
//! [`remove_dir`] and [`sync_dir`].

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};

use crate::file::File;
use crate::metadata::FileType;
use crate::registry::file_system;

/// Creates the directory `path`. Its entry in the parent is durable after
/// the parent is fsynced ([`sync_dir`]).
///
/// # Errors
///
/// `AlreadyExists`, `NotFound` (the parent is missing), `NotADirectory`.
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let creating = file_system().mkdir(path.as_ref());
    creating.await
}

/// Creates `path` and every missing parent, in one operation.
///
/// ```
/// use detsim::fs;
///
/// detsim::Runtime::sim(0).block_on(async {
///     fs::create_dir_all("/a/b/c").await.unwrap();
///     fs::create_dir_all("/a/b").await.unwrap(); // already there: fine
///     assert!(fs::metadata("/a/b/c").await.unwrap().is_dir());
/// });
/// ```
///
/// # Errors
///
/// `AlreadyExists` if `path` is a file, `NotADirectory` if a parent is.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let creating = file_system().mkdir_all(path.as_ref());
    creating.await
}

/// Removes the empty directory `path` (durable after [`sync_dir`] of its
/// parent).
///
/// # Errors
///
/// `NotFound`, `NotADirectory` (a file), `DirectoryNotEmpty`,
/// `ResourceBusy` (the root).
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let removing = file_system().rmdir(path.as_ref());
    removing.await
}

/// Fsyncs the directory `path`: every create, remove and rename in it (or,
/// for renames, out of it) becomes durable, and so does every directory
/// operation made before the last of them (the journal commits in order;
/// see the crate docs, "Durability model"). The same as
/// `File::open(path).await?.sync_all().await`.
///
/// ```
/// use detsim::fs;
///
/// detsim::Runtime::sim(0).block_on(async {
///     fs::write("/tmp-name", b"v2").await.unwrap();
///     fs::File::open("/tmp-name").await.unwrap().sync_all().await.unwrap();
///     fs::rename("/tmp-name", "/name").await.unwrap();
///     fs::sync_dir("/").await.unwrap(); // now the rename survives a crash
///     fs::crash();
///     assert_eq!(fs::read("/name").await.unwrap(), b"v2");
/// });
/// ```
///
/// # Errors
///
/// `NotFound`, `EIO` from an injected fsync error (the entries stay
/// pending: not durable now, and a crash may keep or lose them).
pub async fn sync_dir(path: impl AsRef<Path>) -> io::Result<()> {
    File::open(path).await?.sync_all().await
}

/// The entries of directory `path`, sorted by name (Linux's order is the
/// file system's; a sorted one keeps runs deterministic).
///
/// ```
/// use detsim::fs;
///
/// detsim::Runtime::sim(0).block_on(async {
///     fs::write("/b", b"").await.unwrap();
///     fs::create_dir("/a").await.unwrap();
///     let names: Vec<_> = fs::read_dir("/")
///         .await
///         .unwrap()
///         .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
///         .collect();
///     assert_eq!(names, ["a", "b"]);
/// });
/// ```
///
/// # Errors
///
/// `NotFound`, `NotADirectory`.
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref();
    let listing = file_system().readdir(path);
    Ok(ReadDir::sorted(
        listing
            .await?
            .into_iter()
            .map(|entry| DirEntry::new(path, entry.name, entry.is_dir))
            .collect(),
    ))
}

/// The entries of a directory, a snapshot taken when [`read_dir`]
/// completed, sorted by name. Yields `io::Result`s like `std::fs::ReadDir`
/// (always `Ok` here).
#[derive(Debug)]
pub struct ReadDir {
    entries: std::vec::IntoIter<DirEntry>,
}

impl ReadDir {
    /// A snapshot of `entries`, sorted by name.
    pub(crate) fn sorted(mut entries: Vec<DirEntry>) -> ReadDir {
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        ReadDir {
            entries: entries.into_iter(),
        }
    }
}

impl Iterator for ReadDir {
    type Item = io::Result<DirEntry>;

    fn next(&mut self) -> Option<io::Result<DirEntry>> {
        self.entries.next().map(Ok)
    }
}

/// One entry of a [`ReadDir`].
#[derive(Clone, Debug)]
pub struct DirEntry {
    path: PathBuf,
    name: OsString,
    file_type: FileType,
}

impl DirEntry {
    pub(crate) fn new(dir: &Path, name: OsString, is_dir: bool) -> DirEntry {
        DirEntry {
            path: dir.join(&name),
            name,
            file_type: FileType::new(is_dir),
        }
    }

    /// The directory's path joined with the entry's name.
    pub fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The entry's name.
    pub fn file_name(&self) -> &OsStr {
        &self.name
    }

    /// The entry's type.
    pub fn file_type(&self) -> FileType {
        self.file_type
    }
}
