//! Whole-file helpers and name changes: [`read`], [`write`], [`rename`]
//! and [`remove_file`].

use std::io;
use std::path::Path;

use sim_core::kernel::ResidentFuture;

use crate::file::File;
use crate::registry::current_disk;

/// Reads the whole file `path` (looping over short completions).
///
/// # Errors
///
/// `NotFound`, `IsADirectory`, `EIO`.
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_path_buf();
    ResidentFuture::new("fs::read", read_in_runtime(path)).await
}

/// [`read`] itself, run inside the runtime (it holds the disk's `Rc`s).
async fn read_in_runtime(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    #[cfg(target_os = "linux")]
    if crate::registry::is_os() {
        return crate::os::read(path.as_ref().to_path_buf()).await;
    }
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
    let path = path.as_ref().to_path_buf();
    let contents = contents.as_ref().to_vec();
    ResidentFuture::new("fs::write", write_in_runtime(path, contents)).await
}

/// [`write`] itself, run inside the runtime (it holds the disk's `Rc`s).
async fn write_in_runtime(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if crate::registry::is_os() {
        let contents = contents.as_ref().to_vec();
        return crate::os::write(path.as_ref().to_path_buf(), contents).await;
    }
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
    let from = from.as_ref().to_path_buf();
    let to = to.as_ref().to_path_buf();
    ResidentFuture::new("fs::rename", rename_in_runtime(from, to)).await
}

/// [`rename`] itself, run inside the runtime (it holds the disk's `Rc`s).
async fn rename_in_runtime(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let from = from.as_ref().to_path_buf();
    let to = to.as_ref().to_path_buf();
    #[cfg(target_os = "linux")]
    if crate::registry::is_os() {
        return crate::os::rename(from, to).await;
    }
    let f = from.clone();
    current_disk()
        .metadata_op(from, move |st| st.rename(&f, &to))
        .await
}

/// Removes the file `path` (durable after [`sync_dir`](crate::sync_dir) of
/// its parent). An open handle keeps working, as on Linux.
///
/// # Errors
///
/// `NotFound`, `IsADirectory`, `NotADirectory`.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_path_buf();
    ResidentFuture::new("fs::remove_file", remove_file_in_runtime(path)).await
}

/// [`remove_file`] itself, run inside the runtime (it holds the disk's `Rc`s).
async fn remove_file_in_runtime(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_path_buf();
    #[cfg(target_os = "linux")]
    if crate::registry::is_os() {
        return crate::os::remove_file(path).await;
    }
    let p = path.clone();
    current_disk()
        .metadata_op(path, move |st| st.remove_file(&p))
        .await
}
