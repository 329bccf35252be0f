//! Directories: [`read_dir`] with [`ReadDir`] and [`DirEntry`],
//! [`DirBuilder`], and [`remove_dir_all`].

use std::ffi::OsString;
use std::future::poll_fn;
use std::io;
use std::path::{Path, PathBuf};
use std::task::{Context, Poll};

use crate::either::Either;
use crate::fs::metadata::{FileType, Metadata};
use crate::world::in_detsim;

/// The entries of a directory, as tokio's `fs::ReadDir`. Inside a
/// simulation it is a snapshot taken when [`read_dir`] completed, sorted
/// by name (Linux's order is the file system's; the simulation picks
/// one that does not depend on the host).
#[derive(Debug)]
pub struct ReadDir(Either<tokio::fs::ReadDir, detsim::fs::ReadDir>);

/// One entry of a [`ReadDir`], as tokio's `fs::DirEntry`.
#[derive(Debug)]
pub struct DirEntry(Either<tokio::fs::DirEntry, detsim::fs::DirEntry>);

/// Lists a directory.
///
/// # Errors
///
/// `NotFound`, `NotADirectory`, ...
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    if in_detsim() {
        Ok(ReadDir(Either::Sim(detsim::fs::read_dir(path).await?)))
    } else {
        Ok(ReadDir(Either::Tokio(tokio::fs::read_dir(path).await?)))
    }
}

impl ReadDir {
    /// The next entry, or `None` at the end.
    ///
    /// # Errors
    ///
    /// What reading the directory reports; a value of the other world.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry, or `None` at the end.
    ///
    /// # Errors
    ///
    /// As [`ReadDir::next_entry`].
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        match self.0.checked_mut()? {
            Either::Tokio(dir) => dir
                .poll_next_entry(cx)
                .map_ok(|e| e.map(|e| DirEntry(Either::Tokio(e)))),
            Either::Sim(dir) => Poll::Ready(match dir.next() {
                Some(entry) => entry.map(|e| Some(DirEntry(Either::Sim(e)))),
                None => Ok(None),
            }),
        }
    }
}

impl DirEntry {
    /// The directory's path joined with the entry's name.
    pub fn path(&self) -> PathBuf {
        crate::either::both!(&self.0, |e| e.path())
    }

    /// The entry's name.
    pub fn file_name(&self) -> OsString {
        match &self.0 {
            Either::Tokio(e) => e.file_name(),
            Either::Sim(e) => e.file_name().to_owned(),
        }
    }

    /// The entry's kind.
    ///
    /// # Errors
    ///
    /// What `lstat` reports outside the simulation (never inside, where
    /// the listing carries it).
    pub async fn file_type(&self) -> io::Result<FileType> {
        match &self.0 {
            Either::Tokio(e) => Ok(FileType(Either::Tokio(e.file_type().await?))),
            Either::Sim(e) => Ok(FileType(Either::Sim(e.file_type()))),
        }
    }

    /// The entry's metadata (inside a simulation, a `stat` of its path).
    ///
    /// # Errors
    ///
    /// What `stat` reports, `NotFound` if the entry is gone; a value of
    /// the other world.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        match self.0.checked()? {
            Either::Tokio(e) => Ok(Metadata(Either::Tokio(e.metadata().await?))),
            Either::Sim(e) => Ok(Metadata(Either::Sim(detsim::fs::metadata(e.path()).await?))),
        }
    }
}

/// Removes a directory and everything under it. Inside a simulation it
/// is the same walk Linux's `rm -r` makes, one simulated operation per
/// file and directory: a crash part-way leaves part of the tree, as it
/// would on Linux.
///
/// # Errors
///
/// `NotFound`, `NotADirectory`, and the first error of the walk.
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    if !in_detsim() {
        return tokio::fs::remove_dir_all(path).await;
    }
    // Depth first, without recursion in the future: a stack of
    // directories still to empty, removed once their children are.
    let mut pending = vec![(path.as_ref().to_path_buf(), false)];
    while let Some((dir, listed)) = pending.pop() {
        if listed {
            detsim::fs::remove_dir(&dir).await?;
            continue;
        }
        pending.push((dir.clone(), true));
        for entry in detsim::fs::read_dir(&dir).await? {
            let entry = entry?;
            if entry.file_type().is_dir() {
                pending.push((entry.path(), false));
            } else {
                detsim::fs::remove_file(entry.path()).await?;
            }
        }
    }
    Ok(())
}

/// Creates directories with options, as tokio's `fs::DirBuilder`
/// (without the Unix `mode`, which the simulation has no permissions
/// for).
#[derive(Clone, Debug, Default)]
pub struct DirBuilder {
    recursive: bool,
}

impl DirBuilder {
    /// A builder that creates one directory.
    pub fn new() -> DirBuilder {
        DirBuilder::default()
    }

    /// Whether to create missing parents too (and accept an existing
    /// directory), as `create_dir_all`.
    pub fn recursive(&mut self, recursive: bool) -> &mut DirBuilder {
        self.recursive = recursive;
        self
    }

    /// Creates `path`.
    ///
    /// # Errors
    ///
    /// As [`create_dir`](crate::fs::create_dir) or
    /// [`create_dir_all`](crate::fs::create_dir_all).
    pub async fn create(&self, path: impl AsRef<Path>) -> io::Result<()> {
        if self.recursive {
            crate::fs::create_dir_all(path).await
        } else {
            crate::fs::create_dir(path).await
        }
    }
}
