//! Whole-file helpers and name changes: [`read`], [`write`], [`rename`]
//! and [`remove_file`].

use std::io;
use std::path::Path;

use crate::file::File;
use crate::registry::file_system;

/// Reads the whole file `path` (looping over short completions).
///
/// # Errors
///
/// `NotFound`, `IsADirectory`, `EIO`.
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let file = File::open(path).await?;
    let len = file.metadata().await?.len() as usize;
    let mut out = Vec::with_capacity(len);
    loop {
        let want = (len - out.len().min(len)).max(4096);
        let (res, buf) = file.read_at(vec![0; want], out.len() as u64).await;
        match res? {
            0 => return Ok(out),
            n => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Creates or truncates `path` and writes `contents` to it. Like std's, it
/// does not fsync: the data and a new file's entry are not durable yet.
///
/// # Errors
///
/// `NotFound` (the parent is missing), `IsADirectory`, `StorageFull`,
/// `EIO`.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let file = File::create(path).await?;
    file.write_all_at(contents.as_ref().to_vec(), 0).await.0
}

/// Renames `from` to `to`, replacing `to` if it exists. Atomic in the page
/// cache (readers see the old name or the new one, never neither); durable
/// after an fsync of the directories involved ([`sync_dir`](crate::sync_dir)).
///
/// # Errors
///
/// `NotFound`, `IsADirectory` (a file over a directory), `NotADirectory`
/// (a directory over a file), `DirectoryNotEmpty`, `InvalidInput` (a
/// directory into itself), `ResourceBusy` (the root).
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let renaming = file_system().rename(from.as_ref(), to.as_ref());
    renaming.await
}

/// Removes the file `path` (durable after [`sync_dir`](crate::sync_dir) of
/// its parent). An open handle keeps working, as on Linux.
///
/// # Errors
///
/// `NotFound`, `IsADirectory`, `NotADirectory`.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let removing = file_system().unlink(path.as_ref());
    removing.await
}
