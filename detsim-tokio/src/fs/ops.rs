//! The free functions of tokio's `fs` that name paths, each choosing its
//! world at the call.

use std::io;
use std::path::Path;

use crate::either::Either;
use crate::fs::metadata::Metadata;
use crate::world::in_detsim;

/// Calls detsim's function inside a simulation and tokio's outside.
macro_rules! per_world {
    ($name:ident ( $($arg:expr),* )) => {
        if in_detsim() {
            detsim::fs::$name($($arg),*).await
        } else {
            tokio::fs::$name($($arg),*).await
        }
    };
}

/// Reads a whole file.
///
/// # Errors
///
/// `NotFound`, `IsADirectory`, read errors (storage faults inside a
/// simulation).
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    per_world!(read(path))
}

/// Reads a whole file as UTF-8.
///
/// # Errors
///
/// As [`read`]; `InvalidData` if it is not UTF-8.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    if !in_detsim() {
        return tokio::fs::read_to_string(path).await;
    }
    String::from_utf8(detsim::fs::read(path).await?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Creates or truncates a file and writes `contents` to it (not durably:
/// that takes `File::sync_all`).
///
/// # Errors
///
/// `NotFound` (a missing parent), `IsADirectory`, write errors.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    per_world!(write(path, contents))
}

/// Copies a file's contents to another path; returns the bytes copied.
/// Inside a simulation, a read and a write (simulated files have no
/// permissions to copy).
///
/// # Errors
///
/// As [`read`] and [`write`](fn@write).
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    if !in_detsim() {
        return tokio::fs::copy(from, to).await;
    }
    let contents = detsim::fs::read(from).await?;
    let len = contents.len() as u64;
    detsim::fs::write(to, contents).await?;
    Ok(len)
}

/// Creates a directory.
///
/// # Errors
///
/// `AlreadyExists`, `NotFound` (a missing parent).
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    per_world!(create_dir(path))
}

/// Creates a directory and its missing parents.
///
/// # Errors
///
/// `NotADirectory` if a prefix is a file.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    per_world!(create_dir_all(path))
}

/// Removes a file.
///
/// # Errors
///
/// `NotFound`, `IsADirectory`.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    per_world!(remove_file(path))
}

/// Removes an empty directory.
///
/// # Errors
///
/// `NotFound`, `DirectoryNotEmpty`, `NotADirectory`.
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    per_world!(remove_dir(path))
}

/// Renames a file or directory, replacing `to` if it is a file.
///
/// # Errors
///
/// `NotFound`, and what `rename(2)` reports.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    per_world!(rename(from, to))
}

/// The metadata of what `path` names.
///
/// # Errors
///
/// `NotFound`, ...
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    if in_detsim() {
        Ok(Metadata(Either::Sim(detsim::fs::metadata(path).await?)))
    } else {
        Ok(Metadata(Either::Tokio(tokio::fs::metadata(path).await?)))
    }
}

/// The metadata of `path` itself, not of what a symbolic link points to.
/// The simulation has no symbolic links, so inside it this is
/// [`metadata`].
///
/// # Errors
///
/// `NotFound`, ...
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    if in_detsim() {
        Ok(Metadata(Either::Sim(detsim::fs::metadata(path).await?)))
    } else {
        Ok(Metadata(Either::Tokio(
            tokio::fs::symlink_metadata(path).await?,
        )))
    }
}

/// Whether `path` exists (`Ok(false)` only when it certainly does not).
///
/// # Errors
///
/// What `stat` reports other than `NotFound`.
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    per_world!(try_exists(path))
}
